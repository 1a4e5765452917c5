import { describe, expect, it } from 'vitest';
import { Random } from '../random';
import { type Tensor, ones, rand, randn, tensor, zeros } from '../tensor';
import { batchNorm } from './batchnorm';
import { mul, sum } from './index';
import { gradcheck, randn64 } from '../test/gradcheck';

const close = (t: Tensor, expected: number[], digits = 5) => t.toArray().forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));

describe('batchNorm op', () => {
  it('training: normalises with batch stats and updates running stats in place (torch values)', () => {
    // torch 1.13: F.batch_norm(x, zeros(2), ones(2), [1, 2], [0, 1], True, 0.5, 1e-3)
    const x = tensor([[1, 2], [3, 6], [5, -2]]);
    const runningMean = zeros([2]), runningVar = ones([2]);
    const y = batchNorm(x, runningMean, runningVar, tensor([1, 2]), tensor([0, 1]), true, 0.5, 1e-3);
    close(y, [-1.2245152, 1, 0, 3.449375, 1.2245154, -1.449375]);
    // unbiased variance for the running update: ch0 8/3·3/2 = 4, ch1 32/3·3/2 = 16
    close(runningMean, [1.5, 1]);
    close(runningVar, [2.5, 8.5]);
    expect(runningMean.requiresGrad).toBe(false);
  });

  it('eval: uses the running stats, leaves them alone, and works for a batch of 1', () => {
    const runningMean = tensor([1, -1]), runningVar = tensor([4, 0.25]);
    const y = batchNorm(tensor([[3, 0]]), runningMean, runningVar, null, tensor([0, 10]), false, 0.1, 0);
    expect(y.toArray()).toEqual([1, 12]);
    expect(runningMean.toArray()).toEqual([1, -1]);
    expect(runningVar.toArray()).toEqual([4, 0.25]);
  });

  it('training without running stats or affine params (track_running_stats=False, affine=False)', () => {
    const y = batchNorm(tensor([[0], [2], [4], [6]], [2, 1, 1, 2]), null, null, undefined, undefined, true);
    close(y, [-3, -1, 1, 3].map((v) => v / Math.sqrt(5 + 1e-5)));
  });

  it('reports bad inputs with the op name and shapes', () => {
    expect(() => batchNorm(ones([1, 3]), null, null, null, null, true)).toThrow(/batchNorm: expected more than 1 value per channel/);
    expect(() => batchNorm(ones([2, 3]), zeros([2]), ones([3]), null, null, false)).toThrow(/batchNorm: runningMean must be \[3\].*\[2,3\]/);
    expect(() => batchNorm(ones([2, 3]), null, null, null, null, false)).toThrow(/batchNorm: eval mode needs/);
    expect(() => batchNorm(ones([3]), null, null, null, null, true)).toThrow(/batchNorm: expects input \[N, C, \.\.\.\]/);
  });

  it('keeps float32 as float32 and gives each leaf a grad of its shape', () => {
    const x = randn([4, 3, 2, 2], new Random(1), { requiresGrad: true });
    const w = ones([3], { requiresGrad: true }), b = zeros([3], { requiresGrad: true });
    const y = batchNorm(x, zeros([3]), ones([3]), w, b, true);
    expect(y.dtype).toBe('float32');
    sum(mul(y, y)).backward();
    expect([...x.grad!.shape]).toEqual([4, 3, 2, 2]);
    expect([...w.grad!.shape]).toEqual([3]);
    close(b.grad!, [0, 0, 0], 4); // Σ 2y over a normalised channel is 0
  });

  const cases: [string, number[], boolean][] = [
    ['train [N, C]', [5, 3], true],
    ['train [N, C, H, W]', [3, 2, 3, 2], true],
    ['train [N, C, L]', [2, 3, 4], true],
    ['eval [N, C, H, W]', [2, 3, 2, 2], false],
    ['eval batch of 1', [1, 2, 2, 3], false],
  ];
  for (const [name, shape, training] of cases) {
    it(`gradcheck: ${name}`, () => {
      const c = shape[1];
      const runningMean = randn64([c], 7).detach(), runningVar = rand([c], new Random(8), { dtype: 'float64' }).add(0.5);
      // momentum 0 so the in-place running-stat update cannot change later evaluations
      const f = (x: Tensor, w: Tensor, b: Tensor) => batchNorm(x, runningMean, runningVar, w, b, training, 0, 1e-5);
      expect(gradcheck(f, [randn64(shape, 1), randn64([c], 2), randn64([c], 3)])).toBe(true);
    });
  }
  it('gradcheck: train without affine params', () => {
    expect(gradcheck((x) => batchNorm(x, null, null, null, null, true), [randn64([3, 2, 2, 2], 4)])).toBe(true);
  });
});
