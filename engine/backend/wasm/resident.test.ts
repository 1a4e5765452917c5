/**
 * Wasm-resident kernel outputs (./resident.ts): a conv → relu → max-pool chain keeps its activations and their
 * gradients in wasm memory, gives the CPU backend's values (1e-5 relative to Σ|terms|, as kernels.test.ts), and
 * follows the lifetime rule: download on read, freed by endStep, evicted (still readable) past the budget.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { endStep, registerBackend, setBackend } from '../backend';
import { add, conv2d, linear, maxPool2d, relu } from '../../ops/index';
import { crossEntropy } from '../../nn/loss';
import { SGD } from '../../optim/sgd';
import { readMetrics } from '../../train/trainer';
import { Random } from '../../random';
import { Tensor } from '../../tensor';
import { createWasmBackend } from './index';
import { ResidentStore, WasmData } from './resident';
import { WasmRuntime } from './runtime';

const rng = new Random(5);
const randn = (shape: number[], requiresGrad = false) =>
  new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, requiresGrad);

registerBackend(createWasmBackend({ name: 'wasm-resident-test' }));
afterAll(() => setBackend('cpu'));

/** conv(1→6, 5×5, pad 2) → relu → 2×2 max-pool → sum, and the gradients of w and b, on the named backend. */
function lenetBlock(backend: string, x: Tensor, w: Tensor, b: Tensor) {
  setBackend(backend);
  const [wl, bl] = [w.detach().requiresGrad_(), b.detach().requiresGrad_()];
  const c = conv2d(x, wl, bl, { padding: 2 });
  const r = relu(c);
  const p = maxPool2d(r, { kernelSize: 2 });
  const resident = [c, r, p].map((t) => t.device !== null);
  p.sum().backward();
  const out = { resident, y: Float32Array.from(p.data), dw: wl.grad!.data, db: bl.grad!.data };
  setBackend('cpu');
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, scale: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 * scale + 1e-6)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('wasm-resident kernel outputs', () => {
  it('keep conv → relu → max-pool in wasm memory and match the CPU backend, forward and backward', () => {
    const x = randn([8, 1, 28, 28]), w = randn([6, 1, 5, 5]), b = randn([6]);
    const wasm = lenetBlock('wasm-resident-test', x, w, b);
    const cpu = lenetBlock('cpu', x, w, b);
    expect(wasm.resident).toEqual([true, true, true]);
    const sumAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + Math.abs(v), 0);
    expectClose(wasm.y, cpu.y, 25 * 4);
    expectClose(wasm.dw, cpu.dw, sumAbs(cpu.dw));
    expectClose(wasm.db, cpu.db, sumAbs(cpu.db));
  });

  it('keep linear + bias → relu in wasm memory (the bias added where the product is) and match the CPU backend', () => {
    const x = randn([64, 100]), w = randn([40, 100]), b = randn([40]);
    const run = (backend: string) => {
      setBackend(backend);
      const [wl, bl] = [w.detach().requiresGrad_(), b.detach().requiresGrad_()];
      const y = linear(x, wl, bl);
      const r = relu(y);
      const resident = [y, r].map((t) => t.device !== null);
      r.sum().backward(); // db sums the resident gradient of y in place
      const out = { resident, r: Float32Array.from(r.data), dw: wl.grad!.data, db: bl.grad!.data };
      setBackend('cpu');
      return out;
    };
    const wasm = run('wasm-resident-test');
    const cpu = run('cpu');
    expect(wasm.resident).toEqual([true, true]);
    const sumAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + Math.abs(v), 0);
    expectClose(wasm.r, cpu.r, 100 * 4);
    expectClose(wasm.dw, cpu.dw, sumAbs(cpu.dw));
    expectClose(wasm.db, cpu.db, sumAbs(cpu.db));
  });

  it('keep a linear classifier\'s step (Mnist_Logistic) in wasm memory from its matmul to SGD, and match the CPU backend', () => {
    const x = randn([64, 784]), w = randn([10, 784]), b = randn([10]);
    const labels = new Tensor(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10), [64]);
    const run = (backend: string) => {
      setBackend(backend);
      const [wl, bl] = [w.detach().requiresGrad_(), b.detach().requiresGrad_()];
      const optimizer = new SGD([wl, bl], { lr: 0.5 });
      const logits = linear(x, wl, bl);
      const loss = crossEntropy(logits, labels);
      loss.backward();
      const { correct } = readMetrics(loss, logits, labels, true);
      // Read neither by the loss, its backward, nor the accuracy; the weight's gradient not by SGD.
      const resident = [logits.device !== null, wl.grad!.device !== null];
      optimizer.step();
      resident.push(wl.grad!.device !== null);
      const out = { resident, loss: loss.item(), correct, w: wl.data.slice(), b: bl.data.slice() };
      endStep();
      setBackend('cpu');
      return out;
    };
    const wasm = run('wasm-resident-test');
    const cpu = run('cpu');
    expect(wasm.resident).toEqual([true, true, true]);
    expect(wasm.correct).toBe(cpu.correct);
    expectClose([wasm.loss], [cpu.loss], cpu.loss);
    expectClose(wasm.w, cpu.w, 1);
    expectClose(wasm.b, cpu.b, 1);
  });

  it('give a binary op of CPU arrays a CPU array: only resident inputs make a resident result', () => {
    setBackend('wasm-resident-test');
    const a = randn([32, 64]), b = randn([64]);
    expect(add(a, b).device).toBeNull();
    const r = relu(a);
    const sum = add(r, b);
    expect(sum.device).toBeInstanceOf(WasmData);
    expect(Array.from(sum.data)).toEqual(Array.from(a.data, (v, i) => Math.fround(Math.max(v, 0) + b.data[i % 64])));
    setBackend('cpu');
  });

  it('download once on the first CPU read, and the CPU backend can use a resident tensor', () => {
    setBackend('wasm-resident-test');
    const x = randn([4, 3, 16, 16]);
    const y = relu(x);
    expect(y.device).toBeInstanceOf(WasmData);
    setBackend('cpu');
    const z = relu(y); // the CPU kernel reads y.data: downloaded
    expect(y.device).toBeNull();
    expect(Array.from(z.data)).toEqual(Array.from(x.data, (v) => Math.max(v, 0)));
  });

  it('are freed by endStep: a tensor read before it keeps its values, one never read throws', () => {
    setBackend('wasm-resident-test');
    const x = randn([4, 3, 16, 16]);
    const kept = relu(x);
    const values = Array.from(kept.data);
    const dropped = relu(x);
    endStep();
    expect(Array.from(kept.data)).toEqual(values);
    expect(() => dropped.data).toThrow(/freed at the end of a training step/);
    setBackend('cpu');
  });

  it('evicts the oldest past the budget into a CPU copy that still reads and feeds kernels', () => {
    const rt = new WasmRuntime();
    const store = new ResidentStore(rt, 'test', 3 * 4096 * 4);
    const blocks = Array.from({ length: 5 }, (_, i) => {
      rt.reset();
      const d = store.alloc(4096);
      rt.f32.fill(i + 1, d.ptr >> 2, (d.ptr >> 2) + 4096);
      return d;
    });
    expect(blocks.map((d) => d.resident)).toEqual([false, false, true, true, true]);
    blocks.forEach((d, i) => expect(d.read().every((v) => v === i + 1)).toBe(true));
    store.endStep();
    expect(blocks[0].read()[0]).toBe(1); // evicted copies are not freed by endStep
    expect(() => blocks[4].read()).toThrow(/freed/);
  });
});
