/**
 * Pinned arrays (runtime.ts `pin`, backend.ts `pinArray`): parameters and optimizer moments living in wasm memory,
 * read and updated in place by the kernels, and still ordinary Float32Arrays for everything else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, registerBackend, setBackend, type DeviceData } from '../backend';
import { Linear } from '../../nn/index';
import { Adam } from '../../optim/index';
import { manualSeed, Random } from '../../random';
import { Tensor } from '../../tensor';
import { DataLoader, TensorDataset } from '../../data/index';
import { releaseBatch } from '../../train/trainer';
import { cpuKernels } from '../cpu/index';
import { createWasmBackend } from './index';
import { wasmAdamStep } from './optim';
import { WasmRuntime } from './runtime';

const randoms = (rng: Random, n: number) => Float32Array.from({ length: n }, () => rng.normal());

describe('WasmRuntime.pin', () => {
  it('copies the values into shared wasm memory once, and returns a pinned array as it is', () => {
    const rt = new WasmRuntime({ shared: true });
    const data = Float32Array.from([1, 2, 3]);
    const pinned = rt.pin(data)!;
    expect(pinned).not.toBe(data);
    expect(Array.from(pinned)).toEqual([1, 2, 3]);
    expect(pinned.buffer.byteLength).toBe(rt.memory.buffer.byteLength);
    expect(rt.pin(pinned)).toBe(pinned);
    expect(rt.read(pinned)).toBe(rt.pinnedPointer(pinned));
  });

  it('keeps pinned arrays valid, and read in place, after the memory grows', () => {
    const rt = new WasmRuntime({ shared: true });
    const rng = new Random(1);
    const a = randoms(rng, 64 * 96), b = rt.pin(randoms(rng, 96 * 80))!;
    const before = rt.memory.buffer.byteLength;
    rt.reset();
    rt.alloc(before + (1 << 20)); // forces a grow
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(before);
    b[0] = 0.5; // a JS write to the pinned array is what the kernels read
    const attrs = { m: 64, k: 96, n: 80, aOffsets: new Int32Array(1), bOffsets: new Int32Array(1), dtype: 'float32' as const };
    const backend = createWasmBackend();
    const want = cpuKernels.Matmul(a, b, attrs);
    const got = (backend.kernels.Matmul!(a, b, attrs) as unknown as DeviceData).read();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });

  it('cannot pin in an unshared memory (growing it would detach the views)', () => {
    expect(new WasmRuntime({ shared: false }).pin(new Float32Array(4))).toBeNull();
  });

  it('runs Adam in place on pinned arrays, equal to the copying path', () => {
    const rt = new WasmRuntime({ shared: true });
    const step = wasmAdamStep(rt);
    const rng = new Random(2);
    const n = 3001;
    const init = randoms(rng, n);
    const grads = Array.from({ length: 4 }, () => randoms(rng, n));
    const copied = { p: init.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    const pinned = { p: rt.pin(init)!, m: rt.pin(new Float32Array(n))!, v: rt.pin(new Float32Array(n))! };
    for (let t = 1; t <= 4; t++) {
      const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupledDecay: 0.001, step: t };
      step(copied.p, grads[t - 1], copied.m, copied.v, null, attrs);
      step(pinned.p, rt.pin(grads[t - 1])!, pinned.m, pinned.v, null, attrs);
    }
    expect(Array.from(pinned.p)).toEqual(Array.from(copied.p));
    expect(Array.from(pinned.m)).toEqual(Array.from(copied.m));
    expect(Array.from(pinned.v)).toEqual(Array.from(copied.v));
  });
});

describe('an optimizer step on the wasm backend', () => {
  const previous = getBackend().name;
  afterEach(() => setBackend(previous));

  it('moves parameters and moments into wasm memory and trains exactly as on the copying path', () => {
    const run = (pin: boolean) => {
      const backend = createWasmBackend({ name: pin ? 'wasm-pin-test' : 'wasm-nopin-test' });
      registerBackend(pin ? backend : { ...backend, pin: undefined });
      setBackend(backend.name);
      manualSeed(3);
      const layer = new Linear(300, 40);
      const adam = new Adam(layer.parameters(), { lr: 0.01 });
      const before = layer.weight.data;
      const rng = new Random(4);
      for (let i = 0; i < 3; i++) {
        const x = new Tensor(randoms(rng, 16 * 300), [16, 300]);
        const y = layer.forward(x);
        y.mul(y).mean().backward();
        adam.step();
        adam.zeroGrad(true);
      }
      const state = adam.state.get(layer.weight)!;
      return { layer, before, state, backend };
    };
    const plain = run(false);
    const pinned = run(true);
    expect(pinned.layer.weight.data).not.toBe(pinned.before);
    expect(pinned.backend.pin!(pinned.layer.weight.data as Float32Array)).toBe(pinned.layer.weight.data);
    expect(pinned.backend.pin!(pinned.state.exp_avg as Float32Array)).toBe(pinned.state.exp_avg);
    expect(plain.layer.weight.data).toBe(plain.before);
    expect(Array.from(pinned.layer.weight.data)).toEqual(Array.from(plain.layer.weight.data));
    expect(Array.from(pinned.layer.bias!.data)).toEqual(Array.from(plain.layer.bias!.data));
  });
});

describe('a Linear layer\'s weight gradient on the wasm backend', () => {
  const previous = getBackend().name;
  afterEach(() => setBackend(previous));

  it('stays in wasm memory from its matmul to Adam, and updates the weights as the CPU does', () => {
    const train = (backend: string) => {
      setBackend(backend);
      manualSeed(5);
      const layer = new Linear(300, 40);
      const adam = new Adam(layer.parameters(), { lr: 0.01 });
      const x = new Tensor(randoms(new Random(6), 16 * 300), [16, 300]);
      const y = layer.forward(x);
      y.mul(y).mean().backward();
      const onDevice = layer.weight.grad!.device !== null;
      adam.step();
      return { onDevice, weight: Array.from(layer.weight.data) };
    };
    registerBackend(createWasmBackend({ name: 'wasm-grad-test' }));
    const wasm = train('wasm-grad-test');
    const cpu = train('cpu');
    expect(wasm.onDevice).toBe(true);
    expect(cpu.onDevice).toBe(false);
    wasm.weight.forEach((v, i) => expect(Math.abs(v - cpu.weight[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(cpu.weight[i])));
  });
});

describe('training batches on the wasm backend', () => {
  const previous = getBackend().name;
  afterEach(() => setBackend(previous));

  it('are gathered into wasm memory once released (releaseBatch), with the values a fresh gather has', () => {
    const backend = createWasmBackend({ name: 'wasm-batch-test' });
    registerBackend(backend);
    setBackend(backend.name);
    const rng = new Random(7);
    const images = new Tensor(randoms(rng, 20 * 12), [20, 12]);
    const labels = new Tensor(Int32Array.from({ length: 20 }, (_, i) => i % 3), [20]);
    const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 5, shuffle: true, generator: new Random(8) });
    const fresh = [...new DataLoader(new TensorDataset(images, labels), { batchSize: 5, shuffle: true, generator: new Random(8) })];
    const seen: Array<{ x: Float32Array; values: number[]; labels: number[] }> = [];
    for (const batch of loader) {
      const x = batch[0].data as Float32Array;
      seen.push({ x, values: Array.from(x), labels: Array.from(batch[1].data) });
      releaseBatch(loader, batch);
    }
    // The first batch is a JS array; from the second on, the batch lives in the memory the kernels read in place.
    expect(backend.pin!(seen[0].x)).not.toBe(seen[0].x);
    for (const b of seen.slice(1)) expect(backend.pin!(b.x)).toBe(b.x);
    expect(seen.map((b) => b.values)).toEqual(fresh.map(([x]) => Array.from(x.data)));
    expect(seen.map((b) => b.labels)).toEqual(fresh.map(([, y]) => Array.from(y.data)));
  });
});
