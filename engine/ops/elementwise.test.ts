import { describe, expect, it } from 'vitest';
import { gradcheck, randn64, t64 } from '../test/gradcheck';
import { tensor } from '../tensor';
import {
  abs, add, clamp, div, eq, exp, ge, gt, le, log, lt, maximum, minimum, mul, neg, pow, sign, sqrt, sub, where,
} from './index';

const positive = (shape: number[], seed = 1) => {
  const x = randn64(shape, seed);
  const d = x.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.abs(d[i]) + 0.5;
  return x;
};

describe('binary ops: values', () => {
  it('computes elementwise with numbers on either side', () => {
    const x = tensor([1, -2, 3]);
    expect(add(x, 1).toArray()).toEqual([2, -1, 4]);
    expect(sub(10, x).toArray()).toEqual([9, 12, 7]);
    expect(mul(x, x).toArray()).toEqual([1, 4, 9]);
    expect(div(x, 2).toArray()).toEqual([0.5, -1, 1.5]);
    expect(pow(x, 2).toArray()).toEqual([1, 4, 9]);
    expect(pow(2, x).toArray()).toEqual([2, 0.25, 8]);
    expect(x.add(x).sub(1).toArray()).toEqual([1, -5, 5]);
  });

  it('broadcasts like torch', () => {
    const a = tensor([[1], [2]]); // [2,1]
    const b = tensor([10, 20, 30]); // [3]
    const c = add(a, b);
    expect(c.shape).toEqual([2, 3]);
    expect(c.toNested()).toEqual([[11, 21, 31], [12, 22, 32]]);
    const d = mul(tensor([[[1, 2]]]), tensor([[1], [2], [3]])); // [1,1,2] * [3,1] -> [1,3,2]
    expect(d.shape).toEqual([1, 3, 2]);
    expect(d.toArray()).toEqual([1, 2, 2, 4, 3, 6]);
  });

  it('names the op and shapes when shapes do not broadcast', () => {
    expect(() => add(tensor([1, 2]), tensor([1, 2, 3]))).toThrow('add: shapes [2] and [3] cannot be broadcast together');
  });

  it('promotes float32 with float64 to float64 and keeps a number from promoting', () => {
    expect(add(tensor([1]), t64([1])).dtype).toBe('float64');
    expect(add(tensor([1]), 1).dtype).toBe('float32');
    expect(add(t64([1]), 1).dtype).toBe('float64');
    expect(add(tensor([1], { dtype: 'int32' }), 1).dtype).toBe('float32');
  });

  it('handles empty tensors', () => {
    const e = add(tensor([], [0, 3]), tensor([1, 2, 3]));
    expect(e.shape).toEqual([0, 3]);
    expect(e.size).toBe(0);
  });

  it('propagates NaN and follows IEEE at 0', () => {
    const x = tensor([NaN, 0, -1]);
    expect(add(x, 1).toArray()[0]).toBeNaN();
    expect(div(tensor([1, -1, 0]), 0).toArray()).toEqual([Infinity, -Infinity, NaN]);
    expect(maximum(x, 0).toArray()).toEqual([NaN, 0, 0]);
    expect(minimum(x, 0).toArray()).toEqual([NaN, 0, -1]);
  });

  it('compares into 1/0 float masks', () => {
    const a = tensor([1, 2, 3]);
    expect(eq(a, 2).toArray()).toEqual([0, 1, 0]);
    expect(gt(a, 2).toArray()).toEqual([0, 0, 1]);
    expect(ge(a, 2).toArray()).toEqual([0, 1, 1]);
    expect(lt(a, 2).toArray()).toEqual([1, 0, 0]);
    expect(le(a, 2).toArray()).toEqual([1, 1, 0]);
    expect(eq(tensor([NaN]), tensor([NaN])).toArray()).toEqual([0]);
  });

  it('where selects with a broadcast condition', () => {
    const cond = tensor([[1], [0]]);
    const out = where(cond, tensor([1, 2, 3]), -1);
    expect(out.toNested()).toEqual([[1, 2, 3], [-1, -1, -1]]);
    expect(tensor([5, 6]).where(tensor([0, 1]), 0).toArray()).toEqual([0, 6]);
    const ints = where(tensor([1, 0]), tensor([1, 2], { dtype: 'int32' }), tensor([7, 8], { dtype: 'int32' }));
    expect(ints.dtype).toBe('int32');
    expect(ints.toArray()).toEqual([1, 8]);
  });
});

describe('binary ops: gradients', () => {
  it('add, sub, mul, div (same shape)', () => {
    for (const f of [add, sub, mul, div]) gradcheck(f, [randn64([2, 3], 1), positive([2, 3], 2)]);
  });

  it('add, sub, mul, div, maximum, minimum with broadcasting on both sides', () => {
    for (const f of [add, sub, mul, div, maximum, minimum]) {
      gradcheck(f, [randn64([2, 1, 3], 3), positive([4, 1], 4)]);
      gradcheck(f, [randn64([3], 5), positive([2, 3], 6)]);
      gradcheck(f, [randn64([], 7), positive([2, 2], 8)]);
    }
  });

  it('sums the gradient of a broadcast bias back to its shape', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([1, 1, 1], { requiresGrad: true });
    add(x, b).sum().backward();
    expect(b.grad!.toArray()).toEqual([2, 2, 2]);
  });

  it('with a number operand', () => {
    gradcheck((x) => mul(x, 3), [randn64([4])]);
    gradcheck((x) => div(2, x), [positive([4])]);
    gradcheck((x) => sub(1, x), [randn64([4])]);
  });

  it('pow: tensor exponent, number exponent, number base', () => {
    gradcheck(pow, [positive([2, 3], 1), randn64([3], 2)]);
    gradcheck((x) => pow(x, 3), [randn64([5])]);
    gradcheck((x) => pow(x, 0.5), [positive([5])]);
    gradcheck((x) => pow(2, x), [randn64([5])]);
  });

  it('pow has torch gradients at 0', () => {
    const x = tensor([0, 2], { requiresGrad: true });
    const y = tensor([0, 0], { requiresGrad: true });
    pow(x, y).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0]);
    expect(y.grad!.toArray()[0]).toBe(0);
    const z = tensor([0], { requiresGrad: true });
    pow(z, 0).sum().backward();
    expect(z.grad!.toArray()).toEqual([0]);
  });

  it('maximum/minimum split the gradient evenly on ties', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([2, 2, 2], { requiresGrad: true });
    maximum(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0, 0.5, 1]);
    expect(b.grad!.toArray()).toEqual([1, 0.5, 0]);
    a.grad = null;
    b.grad = null;
    minimum(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([1, 0.5, 0]);
    expect(b.grad!.toArray()).toEqual([0, 0.5, 1]);
  });

  it('where routes the gradient by the condition, with broadcasting', () => {
    const cond = t64([1, 0, 1]);
    cond.requiresGrad = false;
    gradcheck((a, b) => where(cond, a, b), [randn64([2, 3], 1), randn64([2, 1], 2)]);
  });
});

describe('unary ops', () => {
  it('values', () => {
    const x = tensor([-2, 0, 4]);
    expect(neg(x).toArray()).toEqual([2, -0, -4]);
    expect(abs(x).toArray()).toEqual([2, 0, 4]);
    expect(sign(x).toArray()).toEqual([-1, 0, 1]);
    expect(sqrt(tensor([0, 4, -1])).toArray()).toEqual([0, 2, NaN]);
    expect(log(tensor([1, 0, -1])).toArray()).toEqual([0, -Infinity, NaN]);
    expect(exp(tensor([0, -Infinity])).toArray()).toEqual([1, 0]);
    expect(clamp(tensor([-2, 0.5, 3, NaN]), 0, 1).toArray()).toEqual([0, 0.5, 1, NaN]);
    expect(clamp(x, undefined, 1).toArray()).toEqual([-2, 0, 1]);
    expect(clamp(x, 5, 1).toArray()).toEqual([1, 1, 1]); // min > max: torch gives max
  });

  it('gradients', () => {
    gradcheck(neg, [randn64([3, 2])]);
    gradcheck(exp, [randn64([3, 2])]);
    gradcheck(log, [positive([3, 2])]);
    gradcheck(sqrt, [positive([3, 2])]);
    gradcheck(abs, [randn64([3, 2])]);
    gradcheck((x) => clamp(x, -0.5, 0.5), [randn64([10])]);
    gradcheck((x) => clamp(x, 0), [randn64([10])]);
  });

  it('abs has gradient 0 at 0, clamp passes the gradient at its bounds', () => {
    const x = tensor([0, -1, 1], { requiresGrad: true });
    abs(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, -1, 1]);
    const y = tensor([0, 1, 2], { requiresGrad: true });
    clamp(y, 0, 1).sum().backward();
    expect(y.grad!.toArray()).toEqual([1, 1, 0]);
  });

  it('sign is not differentiable and is not recorded', () => {
    expect(sign(tensor([1], { requiresGrad: true })).requiresGrad).toBe(false);
  });

  it('work on int32 input by computing in float32', () => {
    const x = tensor([1, 4], { dtype: 'int32' });
    expect(sqrt(x).dtype).toBe('float32');
    expect(sqrt(x).toArray()).toEqual([1, 2]);
  });
});

describe('cast and clone', () => {
  it('clone copies and passes gradients through', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = x.clone();
    c.data[0] = 9;
    expect(x.toArray()).toEqual([1, 2]);
    c.mul(2).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });

  it('casts between dtypes with gradients cast back', () => {
    const x = tensor([1.5, -2.7], { requiresGrad: true });
    const d = x.double();
    expect(d.dtype).toBe('float64');
    d.mul(d).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.toArray()).toEqual([3, Math.fround(-5.4)]);
    expect(x.int().toArray()).toEqual([1, -2]);
    expect(x.to('float32')).toBe(x);
  });
});
