import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from './train-args';

describe('parseTrainArgs', () => {
  it('reads every flag', () => {
    const args = parseTrainArgs([
      '--preset', 'MLP', '--data', 'd', '--epochs', '3', '--batch-size=32', '--lr', '0.01', '--seed', '7', '--no-shuffle',
      '--limit', '1000', '--val-size', '0', '--init', 'a.safetensors', '--save', 'b.safetensors', '--save-init', 'c.safetensors', '--json', '--log-batches', '--backend', 'wasm',
    ]);
    expect(args).toMatchObject({
      preset: 'MLP', data: 'd', epochs: 3, batchSize: 32, lr: 0.01, seed: 7, shuffle: false, limit: 1000, valSize: 0,
      init: 'a.safetensors', save: 'b.safetensors', saveInit: 'c.safetensors', json: true, logBatches: true, backend: 'wasm',
    });
    expect(parseTrainArgs(['--spec', 'm.json'])).toMatchObject({ spec: 'm.json', epochs: 1, seed: 0, json: false, backend: 'auto' });
    expect(parseTrainArgs(['--list-presets']).listPresets).toBe(true);
  });

  it.each([
    [[], 'give --spec FILE or --preset NAME (see --list-presets)'],
    [['--spec', 'a', '--preset', 'MLP'], 'give either --spec or --preset, not both'],
    [['--preset', 'MLP', '--epochs', 'ten'], "--epochs needs a number, got 'ten'"],
    [['--preset', 'MLP', '--epochs', '0'], '--epochs must be at least 1, got 0'],
    [['--preset', 'MLP', '--batch-size', '1.5'], "--batch-size needs a whole number ≥ 0, got '1.5'"],
    [['--preset', 'MLP', '--lr', '-1'], '--lr must be > 0, got -1'],
    [['--preset', 'MLP', '--lr', 'NaN'], "--lr needs a number, got 'NaN'"],
    [['--preset', 'MLP', '--epochs'], '--epochs needs a value'],
    [['--preset', '--json'], '--preset needs a value'],
    [['--preset', 'MLP', '--epoch', '2'], 'unknown flag --epoch (see --help)'],
    [['--preset', 'MLP', 'extra'], "unexpected argument 'extra' (flags start with --)"],
    [['--preset', 'MLP', '--json=yes'], '--json takes no value'],
    [['--preset', 'MLP', '--seed', '1', '--seed', '2'], '--seed given twice'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseTrainArgs(argv as string[])).toThrow(message);
  });
});
