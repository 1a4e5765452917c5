/**
 * The gpu.js backend in resident mode (./device.ts): a training step keeps activations, gradients, parameters and
 * optimizer moments on the device and reads back only what the CPU asks for. Node has no GPU, so these run on
 * gpu.js's webasm mode with `resident: true`: its "textures" are arrays, but every rule (what is downloaded, when
 * values are freed, what survives endStep) is the GL path's. e2e/gpu-parity runs the same steps on WebGL2 textures.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GPU } from 'gpu.js';
import { endStep, getBackend, registerBackend, setBackend, type DeviceData } from '../backend';
import { Linear, Sequential } from '../../nn/index';
import { Adamax, AdamW, NAdam, RAdam, SGD, type Optimizer } from '../../optim/index';
import { Tensor } from '../../tensor';
import { relu, reshape } from '../../ops/index';
import { createGpujsBackend, GpujsDeviceData, GpujsStore } from './index';
import { UNREGISTERED_MAX } from './device';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { batches, cnn, cnnAdadelta, expectClose, expectResidentTraining, mlp, train as trainOn, type Build } from './test-support/training-check';

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

const train = (build: Build, data: ReturnType<typeof batches>, on: string, switchToCpuAt = Infinity) => trainOn(build, data, on, store, switchToCpuAt);

describe('a training step on the resident gpu.js backend', () => {
  it.each([
    ['an MLP with Adam (L2 decay)', mlp, [16, 48]],
    ['a CNN with nesterov SGD', cnn, [8, 1, 8, 8]],
    ['a CNN with Adadelta', cnnAdadelta, [8, 1, 8, 8]],
  ] as const)('%s trains as on the CPU, and only the loss comes back each step', (_, build, shape) => {
    expectResidentTraining(build, shape, backend.name, store);
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

describe('an optimizer with no gpu.js update kernel (#18: NAdam, RAdam, Adamax)', () => {
  // Their update is a CPU loop over p.data: the step must bring the device's parameters and gradients home, update
  // them there, and the next forward must read the new values, not a stale device copy.
  it.each([
    ['NAdam', (m: Sequential) => new NAdam(m.parameters(), { lr: 0.02, weightDecay: 0.01 })],
    ['RAdam', (m: Sequential) => new RAdam(m.parameters(), { lr: 0.02, weightDecay: 0.01 })],
    ['Adamax', (m: Sequential) => new Adamax(m.parameters(), { lr: 0.02, weightDecay: 0.01 })],
  ] as const)('%s trains on the resident backend as on the CPU, step for step', (_, make) => {
    const data = batches([16, 48], 4);
    const build: Build = () => {
      const { model } = mlp();
      return { model, optimizer: make(model) as unknown as Optimizer<object> };
    };
    const want = train(build, data, 'cpu');
    const got = train(build, data, backend.name);
    expectClose(got.losses, want.losses);
    expect(new Set(want.losses).size).toBe(want.losses.length); // the updates changed the model every step
    got.model.parameters().forEach((p, i) => expectClose(p.data, want.model.parameters()[i].data));
  });
});

describe('mirrors', () => {
  // A runner whose step plans keep the state on the device takes no mirrors (device.ts "Mirrors"); one that does
  // is asked at every endStep, with a shadow per kept value.
  it.each([
    [false, 1],
    [true, 0],
  ] as const)('keepsStateOnDevice %s: mirrors asked for at an endStep: %i', (keepsStateOnDevice, asked) => {
    const calls: number[] = [];
    const own = new GpujsStore('gpujs-mirror-test', undefined, {
      mirror: (entries) => {
        calls.push(entries.length);
        return true;
      },
      mirroredGeneration: () => 0,
      keepsStateOnDevice,
    });
    const texture = { toArray: () => Float32Array.from([1, 2]) };
    own.persistent(texture, 2);
    own.endStep();
    expect(calls).toEqual(asked === 1 ? [1] : []);
    expect(own.mirrorGeneration).toBe(asked);
  });
});

describe('holders dropped without release', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  /** Collects, and lets the finalizers run. */
  const collect = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((done) => setTimeout(done, 10));
    }
  };
  const texture = (deleted: number[], id: number) => ({ toArray: () => new Float32Array(1), delete: () => deleted.push(id) });

  // A training loop's endStep frees its step's values, so the store registers step-scoped holders with its
  // finalizer only once UNREGISTERED_MAX of them pass without an endStep; without steps they are still given back.
  it('without endStep, the values of dropped holders are freed once collected, and not while one is held', async () => {
    const deleted: number[] = [];
    const own = new GpujsStore('gpujs-finalizer-test');
    // A value with three holders: one released before the holders are registered, one dropped, one held.
    let held: GpujsDeviceData | null = own.output(texture(deleted, -1), 1);
    held.share().release();
    held.share();
    (() => {
      for (let i = 0; i < UNREGISTERED_MAX + 10; i++) own.output(texture(deleted, i), 1);
    })();
    expect(deleted).toEqual([]);
    await collect();
    expect(deleted).not.toContain(-1); // the released holder did not give its reference back a second time
    expect(new Set(deleted).size).toBe(UNREGISTERED_MAX + 10);
    held = null;
    await collect();
    expect(deleted.filter((id) => id === -1)).toEqual([-1]);
  });
});
