import { describe, expect, it } from 'vitest';
import { defaultDataDir } from './data-dir';

describe('defaultDataDir', () => {
  it('uses the OS cache folder', () => {
    expect(defaultDataDir('linux', {}, '/home/a')).toBe('/home/a/.cache/layerlab');
    expect(defaultDataDir('linux', { XDG_CACHE_HOME: '/c' }, '/home/a')).toBe('/c/layerlab');
    expect(defaultDataDir('darwin', {}, '/Users/a')).toBe('/Users/a/Library/Caches/LayerLab');
  });
});
