import { describe, expect, it } from 'vitest';
import { enableGrad, isGradEnabled, noGrad, recordOp } from './autograd';
import { ones, tensor, Tensor } from './tensor';

describe('autograd', () => {
  it('accumulates into leaves over repeated backward calls', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
  });

  it('sums gradients of a tensor used on several paths (diamond)', () => {
    const x = tensor([2], { requiresGrad: true });
    const a = x.mul(3);
    const y = a.mul(a).add(a); // y = 9x² + 3x, dy/dx = 18x + 3 = 39
    y.sum().backward();
    expect(x.grad!.item()).toBe(39);
  });

  it('gives each leaf its own grad storage even when the backward returns one tensor twice', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    a.grad!.data[0] = 100;
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });

  it('handles very deep graphs without recursion', () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 50_000; i++) y = y.add(1);
    y.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('records nothing under noGrad, and enableGrad turns it back on', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('detach cuts the graph and shares storage', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    const y = x.mul(d).sum();
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 4]);
  });

  it('requires a gradient for non-scalar outputs and checks its shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/one-element/);
    expect(() => y.backward(ones([3]))).toThrow(/\[3\] does not match tensor shape \[2\]/);
    y.backward(tensor([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 20]);
  });

  it('throws when the output does not require grad', () => {
    expect(() => tensor([1]).backward()).toThrow(/does not require grad/);
  });

  it('retainGrad keeps an intermediate gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    h.mul(h).sum().backward();
    expect(h.grad!.toArray()).toEqual([6, 12]);
    expect(x.grad!.toArray()).toEqual([18, 36]);
  });

  it('recordOp rejects a backward that returns the wrong shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const out = recordOp(new Tensor(new Float32Array(1), []), 'bad', [x], () => [tensor([1])]);
    expect(() => out.backward()).toThrow(/bad returned a gradient of shape \[1\] for input 0 of shape \[2\]/);
  });

  it('visits inputs in a deterministic order', () => {
    const order: string[] = [];
    const x = tensor([1], { requiresGrad: true });
    const tag = (t: Tensor, name: string) => recordOp(new Tensor(t.data, t.shape), name, [t], (g) => (order.push(name), [g]));
    const a = tag(x, 'a');
    const b = tag(x, 'b');
    recordOp(new Tensor(new Float32Array([0]), [1]), 'root', [a, b], (g) => [g, g]).backward();
    expect(order).toEqual(['b', 'a']);
  });
});

describe('gradcheck (the test oracle) itself', () => {
  it('catches a wrong backward', async () => {
    const { gradcheck, randn64 } = await import('./test/gradcheck');
    const wrongSquare = (x: Tensor) => {
      const out = new Tensor(Float64Array.from(x.data, (v) => v * v), x.shape);
      return recordOp(out, 'wrongSquare', [x], (g) => [g.mul(x)]); // should be 2·x·g
    };
    expect(() => gradcheck(wrongSquare, [randn64([3])])).toThrow(/gradcheck: input 0/);
    const rightSquare = (x: Tensor) => {
      const out = new Tensor(Float64Array.from(x.data, (v) => v * v), x.shape);
      return recordOp(out, 'square', [x], (g) => [g.mul(x).mul(2)]);
    };
    expect(gradcheck(rightSquare, [randn64([3])])).toBe(true);
  });
});

describe('leaf gradients take the backward\'s arrays only when no one else holds them', () => {
  // y = a + b hands the same gradient array to both leaves; a pass-through op hands back the caller's seed.
  const passThrough = (x: Tensor) => recordOp(new Tensor(x.data.slice(), x.shape), 'pass', [x], (g) => [g]);
  const sumOf = (x: Tensor, y: Tensor) => recordOp(new Tensor(x.data.map((v, i) => v + y.data[i]), x.shape), 'add', [x, y], (g) => [g, g]);

  it('gives two leaves that receive the same gradient two separate arrays', () => {
    const a = tensor([1, 2]).requiresGrad_();
    const b = tensor([3, 4]).requiresGrad_();
    sumOf(a, b).backward(tensor([1, 1]));
    expect(a.grad!.data).not.toBe(b.grad!.data);
    a.grad!.data[0] = 100;
    expect(Array.from(b.grad!.data)).toEqual([1, 1]);
  });

  it('never takes the caller\'s gradient argument', () => {
    const a = tensor([1, 2]).requiresGrad_();
    const seed = tensor([5, 6]);
    passThrough(a).backward(seed);
    expect(a.grad!.data).not.toBe(seed.data);
    a.grad!.data[0] = 0;
    expect(Array.from(seed.data)).toEqual([5, 6]);
  });

  it('never takes an array of the forward graph', () => {
    const a = tensor([1, 2]).requiresGrad_();
    const saved = tensor([7, 8]);
    recordOp(new Tensor(a.data.slice(), a.shape), 'returns-saved', [a, saved], () => [saved, null]).backward(tensor([1, 1]));
    expect(a.grad!.data.buffer).not.toBe(saved.data.buffer);
  });

  it('takes a fresh gradient after zeroGrad(setToNone), and still accumulates into an existing one', () => {
    const a = tensor([1, 2]).requiresGrad_();
    let handed: Tensor | null = null;
    const scaled = () => recordOp(new Tensor(a.data.map((v) => 2 * v), a.shape), 'scale', [a], (g) => [(handed = new Tensor(g.data.map((v) => 2 * v), g.shape))]);
    scaled().backward(tensor([1, 1]));
    expect(a.grad!.data).toBe(handed!.data);
    scaled().backward(tensor([1, 1]));
    expect(Array.from(a.grad!.data)).toEqual([4, 4]);
  });
});
