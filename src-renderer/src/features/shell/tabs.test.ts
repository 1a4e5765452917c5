import { describe, expect, it } from 'vitest';
import { tabAfterKey, TABS } from './tabs';

describe('tabAfterKey', () => {
  it('moves with the arrows, wrapping at both ends', () => {
    expect(tabAfterKey(0, 'ArrowRight')).toBe(1);
    expect(tabAfterKey(TABS.length - 1, 'ArrowRight')).toBe(0);
    expect(tabAfterKey(0, 'ArrowLeft')).toBe(TABS.length - 1);
  });

  it('jumps with Home and End and ignores other keys', () => {
    expect(tabAfterKey(2, 'Home')).toBe(0);
    expect(tabAfterKey(0, 'End')).toBe(TABS.length - 1);
    expect(tabAfterKey(1, 'Enter')).toBeNull();
  });
});
