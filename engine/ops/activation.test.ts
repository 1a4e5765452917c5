import { describe, expect, it } from 'vitest';
import { gradcheck, randn64, t64 } from '../test/gradcheck';
import { tensor, type Tensor } from '../tensor';
import { add, div, elu, exp, gelu, leakyRelu, log, mul, relu, sigmoid, silu, softplus, sub, tanh, where, gt, pow } from './index';

const close = (t: Tensor, expected: number[], digits = 6) =>
  t.toArray().forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));

// Points away from each activation's kink so the central difference is valid; includes 0 where smooth.
const xs = () => t64([-3.5, -1.2, -0.3, 0.4, 1.1, 2.7, 25]);

describe('activations: values', () => {
  it('relu keeps NaN and zeroes negatives', () => {
    expect(relu(tensor([-1, 0, 2, NaN])).toArray()).toEqual([0, 0, 2, NaN]);
  });

  it('leakyRelu, elu, silu, sigmoid, tanh at hand-checked points', () => {
    close(leakyRelu(tensor([-2, 3])), [-0.02, 3]);
    close(leakyRelu(tensor([-2, 3]), 0.2), [-0.4, 3]);
    close(elu(tensor([-1, 2])), [Math.exp(-1) - 1, 2]);
    close(elu(tensor([-1]), 2), [2 * (Math.exp(-1) - 1)]);
    close(sigmoid(tensor([0, 1000, -1000])), [0.5, 1, 0]);
    close(silu(tensor([0, 1])), [0, 1 / (1 + Math.exp(-1))]);
    close(tanh(tensor([0, 0.5])), [0, Math.tanh(0.5)]);
  });

  it('gelu exact and tanh forms match torch reference values', () => {
    // torch.nn.functional.gelu(torch.tensor([-1., 0., 1., 2.]), approximate=...) in float64
    close(gelu(t64([-1, 0, 1, 2])), [-0.15865525393145707, 0, 0.8413447460685429, 1.9544997361036416], 12);
    close(gelu(t64([-1, 0, 1, 2]), 'tanh'), [-0.15880800939172324, 0, 0.8411919906082768, 1.954597694087775], 12);
    expect(() => gelu(tensor([1]), 'fast' as 'tanh')).toThrow(/gelu: approximate/);
  });

  it('softplus is stable and linear past the threshold', () => {
    close(softplus(tensor([0, -100])), [Math.log(2), 0]);
    expect(softplus(tensor([30])).toArray()).toEqual([30]);
    close(softplus(tensor([1]), 2), [Math.log1p(Math.exp(2)) / 2]);
    expect(softplus(tensor([5]), 1, 4).toArray()).toEqual([5]);
  });

  it('sigmoid does not overflow for large |x|', () => {
    const s = sigmoid(t64([-800, 800])).toArray();
    expect(s).toEqual([0, 1]);
  });
});

describe('activations: gradients', () => {
  it('pass gradcheck', () => {
    gradcheck(relu, [xs()]);
    gradcheck((x) => leakyRelu(x, 0.1), [xs()]);
    gradcheck(sigmoid, [xs()]);
    gradcheck(tanh, [xs()]);
    gradcheck((x) => gelu(x), [xs()]);
    gradcheck((x) => gelu(x, 'tanh'), [xs()]);
    gradcheck((x) => elu(x, 1.5), [xs()]);
    gradcheck(silu, [xs()]);
    gradcheck((x) => softplus(x), [xs()]);
    gradcheck((x) => softplus(x, 2, 5), [t64([-1, 0.3, 2, 3])]);
    gradcheck(relu, [randn64([3, 4])]);
  });

  it('relu gradient is 0 at 0 (torch)', () => {
    const x = tensor([0], { requiresGrad: true });
    relu(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0]);
  });

  it('agree with the composed formulas (the oracle for the fused kernels)', () => {
    const x = randn64([20], 3);
    const sig = (t: Tensor) => div(1, add(exp(mul(t, -1)), 1));
    const pairs: [Tensor, Tensor][] = [
      [sigmoid(x), sig(x)],
      [silu(x), mul(x, sig(x))],
      [softplus(x), log(add(exp(x), 1))],
      [elu(x), where(gt(x, 0), x, sub(exp(x), 1))],
      [gelu(x, 'tanh'), mul(mul(x, 0.5), add(tanh(mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1))],
    ];
    for (const [fused, composed] of pairs) close(fused, composed.toArray(), 10);
  });

  it('keep float32 in float32', () => {
    for (const f of [relu, sigmoid, tanh, silu]) expect(f(tensor([1])).dtype).toBe('float32');
  });
});
