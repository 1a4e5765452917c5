import { describe, expect, it } from 'vitest';
import { fixed, formatPrint, lessonBatchesFrom } from './lesson-format';

describe('lesson prints, as PyTorch shows them', () => {
  it('formats scalars, shapes, label ranges, epoch rows and tensor rows', () => {
    expect(formatPrint({ id: 'loss-before', code: '', values: [2.2728753], format: 'tensor' })).toBe('tensor(2.2729)');
    expect(formatPrint({ id: 'accuracy-after', code: '', values: [1], format: 'tensor' })).toBe('tensor(1.)');
    expect(formatPrint({ id: 'ln-10', code: '', values: [Math.log(10)], format: 'float' })).toBe('2.302585092994046');
    expect(formatPrint({ id: 'x-train-shape', code: '', values: [50000, 784], format: 'shape' })).toBe('torch.Size([50000, 784])');
    expect(formatPrint({ id: 'y-train-range', code: '', values: [0, 9], format: 'ints' })).toBe('tensor(0) tensor(9)');
    expect(formatPrint({ id: 'logistic-valid-1', code: '', values: [1, 0.30119], format: 'row' })).toBe('1 tensor(0.3012)');
    expect(formatPrint({ id: 'preds-0', code: '', values: [-2.03576, -2.5], format: 'row' })).toBe('tensor([-2.0358, -2.5000])');
  });

  it('shows a tiny difference in scientific notation instead of 0.0000', () => {
    expect(fixed(3.725290298461914e-8)).toBe('3.7253e-08');
    expect(fixed(0)).toBe('0.');
  });

  it('reads the test setting ?lessonBatches=N, and nothing else', () => {
    expect(lessonBatchesFrom('?token=x&lessonBatches=20')).toBe(20);
    expect(lessonBatchesFrom('?lessonBatches=0')).toBeNull();
    expect(lessonBatchesFrom('?lessonBatches=abc')).toBeNull();
    expect(lessonBatchesFrom('')).toBeNull();
  });
});
