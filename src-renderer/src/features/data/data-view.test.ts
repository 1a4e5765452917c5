import { describe, expect, it } from 'vitest';
import type { DatasetInfo, DatasetProgress } from '../../../../common/dataset-api';
import { en } from '../../lib/i18n/en';
import {
  actionsFor, applyProgress, cardState, decodeBase64, displayName, encodeBase64, formatBytes, formatDuration,
  greyToRgba, percent, pickViewed, problemKey, removeDataset, titleText, upsertDataset,
} from './data-view';
import { ko } from '../../lib/i18n/ko';

function info(name: string, over: Partial<DatasetInfo> = {}): DatasetInfo {
  return {
    name, title: name, kind: 'canonical', state: 'missing', downloadBytes: 100, classes: [], dir: `/d/${name}`,
    files: [{ role: 'trainImages', file: 'a.gz', state: 'missing', size: 0, expectedSize: 100 }],
    download: null, error: null, ...over,
  };
}

const tick = (dataset: string, bytes: number): DatasetProgress => ({
  dataset, phase: 'download', file: 'a.gz', role: 'trainImages', fileBytes: bytes, fileTotal: 100, bytes, total: 100, speed: 10, etaSeconds: 3,
});

describe('the dataset list', () => {
  it('replaces a dataset in place and appends new ones', () => {
    const list = [info('mnist'), info('fashion-mnist')];
    expect(upsertDataset(list, info('mnist', { state: 'ready' })).map((d) => [d.name, d.state])).toEqual([['mnist', 'ready'], ['fashion-mnist', 'missing']]);
    expect(upsertDataset(list, info('mine', { kind: 'custom' })).map((d) => d.name)).toEqual(['mnist', 'fashion-mnist', 'mine']);
    expect(removeDataset(list, 'mnist').map((d) => d.name)).toEqual(['fashion-mnist']);
  });

  it('applies progress only to a running download', () => {
    const running = [info('mnist', { download: tick('mnist', 0) }), info('fashion-mnist')];
    const next = applyProgress(running, tick('mnist', 40));
    expect(next[0].download?.bytes).toBe(40);
    expect(cardState(next[0])).toBe('downloading');
    // A tick that arrives after the status said the download is over changes nothing.
    expect(applyProgress([info('mnist', { state: 'ready' })], tick('mnist', 100))[0].download).toBeNull();
  });

  it('offers the actions that make sense in each state', () => {
    expect(actionsFor(info('mnist'))).toEqual(['download', 'import']);
    expect(actionsFor(info('mnist', { download: tick('mnist', 1) }))).toEqual(['cancel']);
    const present = [{ role: 'trainImages' as const, file: 'a.gz', state: 'ok' as const, size: 100, expectedSize: 100 }];
    expect(actionsFor(info('mnist', { state: 'ready', files: present }))).toEqual(['verify', 'import', 'delete']);
    expect(actionsFor(info('mnist', { state: 'incomplete', files: present }))).toEqual(['download', 'verify', 'import', 'delete']);
    expect(actionsFor(info('mine', { kind: 'custom', state: 'ready', files: present }))).toEqual(['verify', 'import', 'delete']);
  });

  it('keeps showing the viewed dataset while it is ready, else the first ready one', () => {
    const list = [info('mnist', { state: 'ready' }), info('fashion-mnist', { state: 'ready' })];
    expect(pickViewed(list, null)).toBe('mnist');
    expect(pickViewed(list, 'fashion-mnist')).toBe('fashion-mnist');
    expect(pickViewed([info('mnist'), list[1]], 'mnist')).toBe('fashion-mnist');
    expect(pickViewed([info('mnist')], 'mnist')).toBeNull();
  });

  it('names datasets the way people know them', () => {
    expect(displayName(info('mnist'))).toBe('MNIST');
    expect(displayName(info('fashion-mnist'))).toBe('Fashion-MNIST');
    expect(displayName(info('my-digits', { kind: 'custom' }))).toBe('my-digits');
  });
});

describe('numbers and words', () => {
  it('formats bytes, durations and percentages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(9_912_422)).toBe('9.9 MB');
    expect(formatBytes(28_881)).toBe('29 kB');
    expect(formatDuration(null)).toBeNull();
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(3720)).toBe('1 h 2 min');
    expect(percent(50, 200)).toBe(25);
    expect(percent(1, 0)).toBe(0);
    expect(percent(300, 200)).toBe(100);
  });

  it('has a plain-words message for each error code the service uses, and the offline one points to Import', () => {
    for (const code of ['offline', 'checksum', 'cache-unwritable', 'corrupt', 'invalid-import', 'unavailable']) {
      expect(problemKey(code)).not.toBeNull();
    }
    expect(en[problemKey('offline')!]).toMatch(/Import/);
    expect(problemKey('something-new')).toBeNull();
  });

  it('round-trips base64 and widens grey pixels to RGBA', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256);
    expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
    expect(encodeBase64(Uint8Array.from([1, 2, 3]))).toBe(Buffer.from([1, 2, 3]).toString('base64'));
    expect([...greyToRgba(Uint8Array.from([0, 200]))]).toEqual([0, 0, 0, 255, 200, 200, 200, 255]);
  });
});

describe('titleText', () => {
  const koT = (key: keyof typeof ko) => ko[key];

  it("says the known datasets' descriptions in the page's language, not the host's English title", () => {
    expect(titleText(info('mnist', { title: 'MNIST handwritten digits' }), koT)).toBe('MNIST 손글씨 숫자');
    expect(titleText(info('fashion-mnist', { title: 'Fashion-MNIST clothing images' }), koT)).toBe('Fashion-MNIST 옷 이미지');
    expect(titleText(info('mnist'), (key) => en[key])).toBe('MNIST handwritten digits');
  });

  it('calls a custom import one, whatever its name, and keeps an unknown dataset\'s own title', () => {
    expect(titleText(info('mnist', { kind: 'custom' }), koT)).toBe('가져온 파일');
    expect(titleText(info('emnist', { title: 'EMNIST letters' }), koT)).toBe('EMNIST letters');
  });
});
