import { describe, expect, it } from 'vitest';
import { actionForKey, enabledActions } from './controls';

describe('enabledActions', () => {
  it('offers Train with no run or a finished one, and nothing without an engine', () => {
    expect([...enabledActions(null, true)]).toEqual(['start']);
    expect([...enabledActions('completed', true)]).toEqual(['start']);
    expect([...enabledActions('diverged', true)]).toEqual(['start']);
    expect(enabledActions(null, false).size).toBe(0);
  });

  it('offers Pause and Stop while running, Resume, Stop and the steps while paused', () => {
    expect([...enabledActions('running', true)].sort()).toEqual(['pause', 'stop']);
    expect([...enabledActions('paused', true)].sort()).toEqual(['resume', 'step-batch', 'step-epoch', 'stop']);
    expect([...enabledActions('loading', true)]).toEqual(['stop']);
  });
});

describe('actionForKey', () => {
  const key = (code: string, extra = {}) => ({ altKey: true, ctrlKey: false, metaKey: false, code, ...extra });
  it('maps Alt+letter by physical key', () => {
    expect(actionForKey(key('KeyT'))).toBe('start');
    expect(actionForKey(key('KeyP'))).toBe('pause');
    expect(actionForKey(key('KeyE'))).toBe('step-epoch');
    expect(actionForKey(key('KeyX'))).toBeNull();
    expect(actionForKey(key('KeyT', { altKey: false }))).toBeNull();
    expect(actionForKey(key('KeyT', { ctrlKey: true }))).toBeNull();
    expect(actionForKey(key('Digit1'))).toBeNull();
  });
});
