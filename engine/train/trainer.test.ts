import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, registerBackend, setBackend } from '../backend/backend';
import { cpuKernels } from '../backend/cpu/index';
import { DataLoader } from '../data/dataloader';
import { TensorDataset } from '../data/dataset';
import { Linear } from '../nn/linear';
import { crossEntropy, mseLoss } from '../nn/loss';
import { clipGradNorm } from '../nn/clip-grad';
import { SGD } from '../optim/sgd';
import { StepLR } from '../optim/lr-scheduler';
import { manualSeed, Random } from '../random';
import { tensor, type Tensor } from '../tensor';
import { EarlyStopping } from './early-stopping';
import { Trainer, type BatchObserver } from './trainer';

/** 40 samples of 4 features in 3 classes: class k raises feature k, plus noise. */
function toy(n = 40): { x: Tensor; y: Tensor; batches: Array<[Tensor, Tensor]> } {
  const rng = new Random(5);
  const x = new Float32Array(n * 4), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = 0.3 * rng.normal() + (j === y[i] ? 1 : 0);
  }
  const xs = tensor(x, [n, 4]), ys = tensor(y, [n], { dtype: 'int32' });
  const loader = new DataLoader(new TensorDataset(xs, ys), { batchSize: 10 });
  return { x: xs, y: ys, batches: [...loader] };
}

function model(seed = 1): Linear {
  manualSeed(seed);
  return new Linear(4, 3);
}

const weightsOf = (m: Linear) => m.parameters().map((p) => Array.from(p.data));

afterEach(() => setBackend('cpu'));

describe('Trainer', () => {
  it('steps exactly as the loop written out by hand: forward, loss, backward, clip, step, zero_grad', () => {
    const { batches } = toy();
    const byHand = model();
    const handOpt = new SGD(byHand.parameters(), { lr: 0.5, momentum: 0.9 });
    const handLosses: number[] = [];
    for (const [x, y] of batches) {
      const loss = crossEntropy(byHand.forward(x), y);
      loss.backward();
      handLosses.push(loss.item());
      clipGradNorm(byHand.parameters(), 0.05);
      handOpt.step();
      handOpt.zeroGrad(true);
    }

    const m = model();
    const trainer = new Trainer({ model: m, lossFn: crossEntropy, optimizer: new SGD(m.parameters(), { lr: 0.5, momentum: 0.9 }), clipGradNorm: 0.05 });
    const losses = batches.map(([x, y]) => {
      const outcome = trainer.trainBatch(x, y);
      expect(outcome.kind).toBe('ok');
      return outcome.loss;
    });
    expect(losses).toEqual(handLosses);
    expect(weightsOf(m)).toEqual(weightsOf(byHand));
    expect([trainer.step, trainer.batchInEpoch, trainer.firstLoss]).toEqual([4, 4, handLosses[0]]);
    // Without clipping the same batches move the weights further: the clip was applied.
    const unclipped = model();
    const free = new Trainer({ model: unclipped, lossFn: crossEntropy, optimizer: new SGD(unclipped.parameters(), { lr: 0.5, momentum: 0.9 }) });
    for (const [x, y] of batches) free.trainBatch(x, y);
    expect(weightsOf(unclipped)).not.toEqual(weightsOf(m));
  });

  it('closes an epoch with the batch-weighted mean loss and accuracy, the lr it trained with, and validation', () => {
    const { batches } = toy();
    const m = model();
    const optimizer = new SGD(m.parameters(), { lr: 0.2 });
    const trainer = new Trainer({ model: m, lossFn: crossEntropy, optimizer, scheduler: new StepLR(optimizer, 1, { gamma: 0.5 }) });
    const outcomes = batches.slice(0, 3).map(([x, y]) => trainer.trainBatch(x, y));
    const sizes = [10, 10, 10];
    const ok = outcomes.map((o) => (o.kind === 'ok' ? o : null)!);
    expect(trainer.epochTotals.lossSum).toBeCloseTo(ok.reduce((s, o, i) => s + o.loss * sizes[i], 0), 12);
    const record = trainer.finishEpoch([batches[3]]);
    expect(record.epoch).toBe(1);
    expect(record.trainLoss).toBeCloseTo(ok.reduce((s, o) => s + o.loss, 0) / 3, 6);
    expect(record.trainAcc).toBe(ok.reduce((s, o) => s + o.correct, 0) / 30);
    expect(record.lr).toBe(0.2); // the epoch's rate; the scheduler stepped once, after it
    expect(optimizer.paramGroups[0].lr).toBe(0.1);
    expect(record.valLoss).toBeCloseTo(trainer.evaluate([batches[3]]).loss, 12);
    expect(m.training).toBe(true);
    expect([trainer.epoch, trainer.batchInEpoch, trainer.position]).toEqual([1, 0, null]);
  });

  it("steps the scheduler once per batch when it says so (schedulerStepsPer: 'batch'), and not again at the epoch's end", () => {
    const { batches } = toy();
    const m = model();
    const optimizer = new SGD(m.parameters(), { lr: 0.8 });
    const trainer = new Trainer({
      model: m, lossFn: crossEntropy, optimizer, scheduler: new StepLR(optimizer, 1, { gamma: 0.5 }), schedulerStepsPer: 'batch',
    });
    const lrs = batches.map(([x, y]) => {
      trainer.trainBatch(x, y);
      return optimizer.paramGroups[0].lr;
    });
    expect(lrs).toEqual([0.4, 0.2, 0.1, 0.05]);
    trainer.finishEpoch();
    expect(optimizer.paramGroups[0].lr).toBe(0.05);
  });

  it('compares the output with targetsOf(x, y): an autoencoder learns its own input', () => {
    const { batches } = toy();
    manualSeed(2);
    const auto = new Linear(4, 4);
    const trainer = new Trainer({ model: auto, lossFn: mseLoss, optimizer: new SGD(auto.parameters(), { lr: 0.1 }), targetsOf: (x) => x });
    const [x0, y0] = batches[0];
    const before = mseLoss(auto.forward(x0), x0).item();
    const first = trainer.trainBatch(x0, y0);
    expect(first.loss).toBeCloseTo(before, 12);
    for (let epoch = 0; epoch < 30; epoch++) for (const [x, y] of batches) trainer.trainBatch(x, y);
    expect(trainer.evaluate([batches[0]]).loss).toBeLessThan(before / 4);
  });

  it('does not apply a diverging batch: NaN, or a loss over divergenceFactor × the first', () => {
    const { batches } = toy();
    const m = model();
    let scale = 1;
    const trainer = new Trainer({
      model: m, lossFn: (out, y) => crossEntropy(out, y).mul(scale), optimizer: new SGD(m.parameters(), { lr: 0.1 }), divergenceFactor: 10,
    });
    trainer.trainBatch(...batches[0]);
    const weights = weightsOf(m);
    const observed: string[] = [];
    const observer: BatchObserver = { afterBackward: () => observed.push('backward'), afterStep: () => observed.push('step'), dispose: () => observed.push('dispose') };
    scale = 100;
    const exploded = new Trainer({
      model: m, lossFn: (out, y) => crossEntropy(out, y).mul(scale), optimizer: new SGD(m.parameters(), { lr: 0.1 }), divergenceFactor: 10,
      observe: () => observer,
    });
    exploded.firstLoss = trainer.firstLoss;
    expect(exploded.trainBatch(...batches[1])).toMatchObject({ kind: 'diverged', why: 'exploded' });
    scale = NaN;
    expect(exploded.trainBatch(...batches[1])).toMatchObject({ kind: 'diverged', why: 'not-finite' });
    expect(weightsOf(m)).toEqual(weights);
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    expect([exploded.step, exploded.epochTotals.samples]).toEqual([0, 0]);
    expect(observed).toEqual(['dispose', 'dispose']);
    // Without a factor only a non-finite loss diverges.
    scale = 100;
    const lenient = new Trainer({ model: m, lossFn: (out, y) => crossEntropy(out, y).mul(scale), optimizer: new SGD(m.parameters(), { lr: 0.001 }) });
    lenient.firstLoss = trainer.firstLoss;
    expect(lenient.trainBatch(...batches[1]).kind).toBe('ok');
  });

  it('shows an observer the gradients before clipping, then the step', () => {
    const { batches } = toy();
    const m = model();
    const seen: Array<[string, number]> = [];
    const norm = () => Math.hypot(...m.parameters().flatMap((p) => Array.from(p.grad?.data ?? [])));
    const trainer = new Trainer({
      model: m, lossFn: crossEntropy, optimizer: new SGD(m.parameters(), { lr: 0.1 }), clipGradNorm: 1e-3,
      observe: (step) => (step === 2 ? { afterBackward: () => seen.push(['backward', norm()]), afterStep: () => seen.push(['step', norm()]), dispose: () => seen.push(['dispose', 0]) } : null),
    });
    for (const [x, y] of batches.slice(0, 3)) trainer.trainBatch(x, y);
    expect(seen.map(([what]) => what)).toEqual(['backward', 'step']);
    expect(seen[0][1]).toBeGreaterThan(1e-2); // unclipped
    expect(seen[1][1]).toBeCloseTo(1e-3, 6); // the step saw the clipped gradients
  });

  it('resumes within an epoch from its position: the same totals and record as the epoch trained through', () => {
    const { batches } = toy();
    const through = model();
    const whole = new Trainer({ model: through, lossFn: crossEntropy, optimizer: new SGD(through.parameters(), { lr: 0.3 }) });
    whole.trainBatch(...batches[0]);
    whole.trainBatch(...batches[1]);
    const position = whole.position!;
    expect(position).toMatchObject({ epoch: 1, batch: 2, step: 2 });
    const weights = through.stateDict();
    const copy = model(9);
    copy.loadStateDict(Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.clone()])));
    const resumed = new Trainer({ model: copy, lossFn: crossEntropy, optimizer: new SGD(copy.parameters(), { lr: 0.3 }) });
    resumed.resumeAt(position);
    for (const t of [whole, resumed]) for (const [x, y] of batches.slice(2)) t.trainBatch(x, y);
    const [a, b] = [whole.finishEpoch(), resumed.finishEpoch()];
    expect({ ...b, seconds: 0, samplesPerSec: 0 }).toEqual({ ...a, seconds: 0, samplesPerSec: 0 });
    expect(weightsOf(copy)).toEqual(weightsOf(through));
  });

  it('redoes a batch on the CPU when the backend fails in forward or backward (fallbackToCpu), applying it once', () => {
    const { batches } = toy();
    let calls = 0;
    registerBackend({
      name: 'trainer-test-flaky',
      kernels: {
        Matmul: (...args: Parameters<typeof cpuKernels.Matmul>) => {
          if (++calls === 3) throw new Error('device lost\n  at somewhere');
          return cpuKernels.Matmul(...args);
        },
      },
    });
    const onCpu = model();
    const reference = new Trainer({ model: onCpu, lossFn: crossEntropy, optimizer: new SGD(onCpu.parameters(), { lr: 0.3 }) });
    for (const [x, y] of batches) reference.trainBatch(x, y);

    setBackend('trainer-test-flaky');
    const m = model();
    const trainer = new Trainer({ model: m, lossFn: crossEntropy, optimizer: new SGD(m.parameters(), { lr: 0.3 }), fallbackToCpu: true });
    const outcomes = batches.map(([x, y]) => trainer.trainBatch(x, y));
    const fellBack = outcomes.map((o) => (o.kind === 'ok' ? o.fellBack ?? null : o)).filter((f) => f !== null);
    expect(fellBack).toEqual([{ from: 'trainer-test-flaky', error: 'device lost' }]);
    expect(getBackend().name).toBe('cpu');
    expect(weightsOf(m)).toEqual(weightsOf(onCpu));
    expect(trainer.step).toBe(4);

    // Without fallbackToCpu the failure is the caller's.
    calls = 0;
    setBackend('trainer-test-flaky');
    const plain = model();
    const strict = new Trainer({ model: plain, lossFn: crossEntropy, optimizer: new SGD(plain.parameters(), { lr: 0.3 }) });
    expect(() => batches.forEach(([x, y]) => strict.trainBatch(x, y))).toThrow('device lost');
  });
});

describe('EarlyStopping', () => {
  it('counts epochs since the best validation loss (by more than minDelta) and stops after patience of them', () => {
    const stopping = new EarlyStopping({ patience: 2, minDelta: 0.01 });
    expect([1.0, 0.995, null, NaN, 0.9, 0.895, 0.899].map((loss, i) => stopping.note(i + 1, loss, 0.5))).toEqual([true, false, false, false, true, false, false]);
    expect(stopping.state).toEqual({ bestEpoch: 5, bestValLoss: 0.9, bestValAcc: 0.5, badEpochs: 2 });
    expect(stopping.shouldStop).toBe(true);
    stopping.reset();
    expect(stopping.shouldStop).toBe(false);
    // Patience null only tracks the best; the state may be the caller's own record.
    const meta = { bestEpoch: null, bestValLoss: null, bestValAcc: null, badEpochs: 0, other: 'kept' };
    const tracking = new EarlyStopping({ patience: null }, meta);
    for (const loss of [1, 2, 3, 4]) tracking.note(loss, loss, null);
    expect(meta).toEqual({ bestEpoch: 1, bestValLoss: 1, bestValAcc: null, badEpochs: 3, other: 'kept' });
    expect(tracking.shouldStop).toBe(false);
  });
});
