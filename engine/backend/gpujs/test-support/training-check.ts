/**
 * Training checks shared by the resident gpu.js tests (resident.test.ts in this thread, engine/node's worker and
 * WebGPU tests across threads): small models trained a few steps on a backend and on the CPU reference, with what
 * each step downloaded from the device.
 */
import { expect } from 'vitest';
import { setBackend } from '../../backend';
import { trainingStep } from '../../choose';
import { Conv2d, crossEntropy, Flatten, Linear, ReLU, Sequential, Tanh } from '../../../nn/index';
import { Adadelta, Adam, SGD, type Optimizer } from '../../../optim/index';
import { manualSeed, Random } from '../../../random';
import { Tensor } from '../../../tensor';
import { GpujsDeviceData, type GpujsStore } from '../device';

export type Build = () => { model: Sequential; optimizer: Optimizer<object> };

export const mlp: Build = () => {
  const model = new Sequential(new Linear(48, 32), new ReLU(), new Linear(32, 16), new Tanh(), new Linear(16, 10));
  return { model, optimizer: new Adam(model.parameters(), { lr: 0.01, weightDecay: 0.01 }) as unknown as Optimizer<object> };
};

export const cnn: Build = () => {
  const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new Conv2d(4, 6, 3, { stride: 2 }), new ReLU(), new Flatten(), new Linear(6 * 3 * 3, 10));
  return { model, optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true }) as unknown as Optimizer<object> };
};

/** The CNN with Adadelta at torch's default lr 1.0: its update is one kernel too, so its averages stay on the device. */
export const cnnAdadelta: Build = () => {
  const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new Conv2d(4, 6, 3, { stride: 2 }), new ReLU(), new Flatten(), new Linear(6 * 3 * 3, 10));
  return { model, optimizer: new Adadelta(model.parameters(), { lr: 1.0 }) as unknown as Optimizer<object> };
};

export function batches(shape: number[], steps: number): Array<[Tensor, Tensor]> {
  const rng = new Random(5);
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: steps }, () => [
    new Tensor(Float32Array.from({ length: size }, () => rng.normal()), shape),
    new Tensor(Int32Array.from({ length: shape[0] }, () => Math.floor(rng.uniform(0, 10))), [shape[0]]),
  ]);
}

/** Trains the batches on a backend; reports losses, the model and optimizer, and the bytes each step downloaded. */
export function train(build: Build, data: Array<[Tensor, Tensor]>, on: string, store: GpujsStore, switchToCpuAt = Infinity) {
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

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst).toBeLessThanOrEqual(rel);
}

/**
 * What a resident training step reads back from the second step on: the loss, one float32. The fused
 * cross-entropy and its sum run on the device, so the logits stay there (the first step also writes the new
 * moments back once, before they are kept).
 */
export const STEP_READ_BYTES = 4;

/**
 * Five steps on the backend against the CPU: same losses, parameters and optimizer state; the parameters live on
 * the device between steps; and from the second step on only the loss comes back (STEP_READ_BYTES).
 */
export function expectResidentTraining(build: Build, shape: readonly number[], backend: string, store: GpujsStore): void {
  const data = batches([...shape], 5);
  const want = train(build, data, 'cpu', store);
  const got = train(build, data, backend, store);
  expectClose(got.losses, want.losses);
  got.model.parameters().forEach((p, i) => {
    // Between steps the parameters live on the device; reading one downloads it (and it stays on the CPU after).
    expect(p.device).toBeInstanceOf(GpujsDeviceData);
    expectClose(p.data, want.model.parameters()[i].data);
  });
  for (const bytes of got.downloadedBytes.slice(1)) expect(bytes).toBe(STEP_READ_BYTES);
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
}
