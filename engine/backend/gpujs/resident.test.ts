/**
 * The gpu.js backend in resident mode (./device.ts): a training step keeps activations, gradients, parameters and
 * optimizer moments on the device and reads back only what the CPU asks for. Node has no GPU, so these run on
 * gpu.js's webasm mode with `resident: true`: its "textures" are arrays, but every rule (what is downloaded, when
 * values are freed, what survives endStep) is the GL path's. e2e/gpu-parity runs the same steps on WebGL2 textures.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GPU } from 'gpu.js';
import { endStep, getBackend, registerBackend, setBackend, type DeviceData } from '../backend';
import { Conv2d, crossEntropy, Flatten, Linear, ReLU, Sequential, Tanh } from '../../nn/index';
import { Adam, AdamW, SGD, type Optimizer } from '../../optim/index';
import { manualSeed, Random } from '../../random';
import { Tensor } from '../../tensor';
import { relu, reshape } from '../../ops/index';
import { createGpujsBackend, GpujsDeviceData } from './index';
import { trainingStep } from '../choose';

const gpu = new GPU({ mode: 'webasm' });
const backend = createGpujsBackend({ gpu, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-resident-test' });
registerBackend(backend);
const store = backend.store!;
const previous = getBackend().name;
afterEach(() => {
  endStep();
  setBackend(previous);
});
afterAll(() => {
  backend.dispose();
  void gpu.destroy();
});

type Build = () => { model: Sequential; optimizer: Optimizer<object> };

const mlp: Build = () => {
  const model = new Sequential(new Linear(48, 32), new ReLU(), new Linear(32, 16), new Tanh(), new Linear(16, 10));
  return { model, optimizer: new Adam(model.parameters(), { lr: 0.01, weightDecay: 0.01 }) as unknown as Optimizer<object> };
};

const cnn: Build = () => {
  const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new Conv2d(4, 6, 3, { stride: 2 }), new ReLU(), new Flatten(), new Linear(6 * 3 * 3, 10));
  return { model, optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true }) as unknown as Optimizer<object> };
};

function batches(shape: number[], steps: number): Array<[Tensor, Tensor]> {
  const rng = new Random(5);
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: steps }, () => [
    new Tensor(Float32Array.from({ length: size }, () => rng.normal()), shape),
    new Tensor(Int32Array.from({ length: shape[0] }, () => Math.floor(rng.uniform(0, 10))), [shape[0]]),
  ]);
}

/** Trains `steps` batches on a backend; reports losses, final parameters and the downloads of each step. */
function train(build: Build, data: Array<[Tensor, Tensor]>, on: string, switchToCpuAt = Infinity) {
  setBackend(on);
  manualSeed(21);
  const { model, optimizer } = build();
  const losses: number[] = [];
  const downloadedBytes: number[] = [];
  data.forEach(([x, y], step) => {
    if (step === switchToCpuAt) setBackend('cpu');
    const before = store.downloadedBytes;
    losses.push(trainingStep(model, crossEntropy, optimizer, x, y)());
    downloadedBytes.push(store.downloadedBytes - before);
  });
  return { model, optimizer, losses, downloadedBytes };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst).toBeLessThanOrEqual(rel);
}

describe('a training step on the resident gpu.js backend', () => {
  it.each([
    ['an MLP with Adam (L2 decay)', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
  ] as const)('%s trains as on the CPU, and only the logits come back each step', (_, build, shape) => {
    const data = batches([...shape], 5);
    const want = train(build, data, 'cpu');
    const got = train(build, data, backend.name);
    expectClose(got.losses, want.losses);
    got.model.parameters().forEach((p, i) => {
      // Between steps the parameters live on the device; reading one downloads it (and it stays on the CPU after).
      expect(p.device).toBeInstanceOf(GpujsDeviceData);
      expectClose(p.data, want.model.parameters()[i].data);
    });
    // From the second step on (the first writes the new moments back once, before they are kept), what comes back
    // is the logits, which the fused cross-entropy reads on the CPU. No activation, weight gradient, weight or moment.
    const logitBytes = shape[0] * 10 * 4;
    for (const bytes of got.downloadedBytes.slice(1)) expect(bytes).toBe(logitBytes);
    // The optimizer's state lives on the device too, and stateDict still gives CPU arrays equal to the CPU run's.
    const state = got.optimizer.stateDict().state;
    const wantState = want.optimizer.stateDict().state;
    for (const [i, s] of Object.entries(state)) {
      for (const [key, value] of Object.entries(s)) {
        if (typeof value === 'number') expect(value).toBe(wantState[Number(i)][key]);
        else {
          expect(value).toBeInstanceOf(Float32Array);
          expectClose(value, wantState[Number(i)][key] as Float32Array);
        }
      }
    }
  });

  it('AdamW (decoupled decay) and plain SGD match the CPU kernels', () => {
    const data = batches([16, 48], 3);
    for (const make of [
      (m: Sequential) => new AdamW(m.parameters(), { lr: 0.02 }),
      (m: Sequential) => new SGD(m.parameters(), { lr: 0.1, weightDecay: 0.001, maximize: false }),
    ]) {
      const build: Build = () => {
        const { model } = mlp();
        return { model, optimizer: make(model) as unknown as Optimizer<object> };
      };
      const want = train(build, data, 'cpu');
      const got = train(build, data, backend.name);
      got.model.parameters().forEach((p, i) => expectClose(p.data, want.model.parameters()[i].data));
    }
  });

  it('continues on the CPU from the device state when the backend changes mid-run', () => {
    const data = batches([16, 48], 6);
    const want = train(mlp, data, 'cpu');
    const got = train(mlp, data, backend.name, 3);
    expectClose(got.losses, want.losses);
    got.model.parameters().forEach((p, i) => {
      expect(p.device).toBeNull(); // the CPU's update brought them home
      expectClose(p.data, want.model.parameters()[i].data);
    });
  });
});

describe('device values', () => {
  const run = (values: number[]) => new Tensor(Float32Array.from(values), [values.length]);

  it('a step-scoped result is freed by endStep and says so when read after it; a kept parameter survives', () => {
    setBackend(backend.name);
    const layer = new Linear(4, 3);
    new SGD(layer.parameters(), { lr: 0.1 }); // constructing keeps nothing: the first step does
    const out = relu(run([-1, 2, -3, 4]));
    expect(out.device).toBeInstanceOf(GpujsDeviceData);
    const kept = new Tensor(backend.keep!(Float32Array.from([1, 2, 3])) as DeviceData, [3]);
    endStep();
    expect(() => out.data).toThrow(/freed at the end of a training step/);
    expect(Array.from(kept.data)).toEqual([1, 2, 3]);
  });

  it('a reshape shares the texture: each holder reads it, and it is freed with the last', () => {
    setBackend(backend.name);
    const y = relu(run([1, -2, 3, -4, 5, -6]));
    const z = reshape(y, [2, 3]);
    expect(z.device).toBeInstanceOf(GpujsDeviceData);
    const live = store.residentBytes;
    expect(Array.from(y.data)).toEqual([1, 0, 3, 0, 5, 0]);
    expect(store.residentBytes).toBe(live); // z still holds it
    expect(Array.from(z.data)).toEqual([1, 0, 3, 0, 5, 0]);
    expect(store.residentBytes).toBe(live - 6 * 4);
  });

  it('without endStep, the oldest results past the budget are evicted to the CPU and still read correctly', () => {
    const small = createGpujsBackend({ gpu, mode: 'webasm', resident: true, thresholds: { macs: 0, elements: 0 }, name: 'gpujs-budget-test', budgetBytes: 64 });
    registerBackend(small);
    setBackend(small.name);
    const outs = Array.from({ length: 6 }, (_, i) => relu(run([i, -1, i + 1, -2, i + 2, -3])));
    expect(small.store!.residentBytes).toBeLessThanOrEqual(64);
    outs.forEach((t, i) => expect(Array.from(t.data)).toEqual([i, 0, i + 1, 0, i + 2, 0]));
    small.dispose();
  });

  it('a CPU fallback inside a kernel downloads its device inputs (float64 partner, general broadcasting)', () => {
    setBackend(backend.name);
    const y = relu(run([1, -2, 3, -4]));
    const wide = new Tensor(Float32Array.from([10, 20, 30, 40, 50, 60, 70, 80]), [2, 4]);
    const col = reshape(y, [4, 1]); // [4,1] with [2,4]: no gpu.js layout for this broadcast
    expect(Array.from((wide.reshape([2, 1, 4]).add(col) as Tensor).data)).toEqual([
      11, 21, 31, 41, 10, 20, 30, 40, 13, 23, 33, 43, 10, 20, 30, 40, 51, 61, 71, 81, 50, 60, 70, 80, 53, 63, 73, 83, 50, 60, 70, 80,
    ]);
  });
});
