import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../../common/model-spec/presets';
import type { ModelSpec } from '../../../../common/model-spec/types';
import type { EpochRecord, RunDetail, RunMeta } from '../../../../common/training-protocol';
import { compareTable, curves, durationWords, figures, hyperParameters, layersText } from './runs-logic';

const epoch = (n: number, valLoss: number | null, seconds = 2): EpochRecord => ({
  epoch: n, trainLoss: 1 / n, trainAcc: [0, 0.81, 0.82][n], valLoss, valAcc: valLoss === null ? null : 0.9, seconds, lr: 0.1, samplesPerSec: 1000,
});

function run(id: string, spec: ModelSpec, extra: Partial<RunMeta> = {}, epochs = [epoch(1, 0.5), epoch(2, 0.4)]): RunDetail {
  const meta = {
    id, name: `run ${id}`, model: spec.name!, dataset: 'mnist', state: 'completed', reason: null, createdAt: '', updatedAt: '',
    options: { epochs: 2, seed: 0, earlyStopping: null, clipGradNorm: null, backend: 'auto' }, epochsDone: epochs.length, step: 0, lr: 0.1,
    bestEpoch: 2, bestValLoss: 0.4, bestValAcc: 0.9, badEpochs: 0, firstLoss: 2.3, recoveries: 0, ...extra,
  } as RunMeta;
  return { meta, spec, history: { epochs, markers: [] } };
}

const withLr = (spec: ModelSpec, lr: number): ModelSpec => ({ ...spec, optimizer: { ...spec.optimizer, params: { ...spec.optimizer.params, lr } } });
const withBatch = (spec: ModelSpec, batchSize: number): ModelSpec => ({ ...spec, data: { ...spec.data, batchSize } });

describe('hyper-parameters', () => {
  it("names a run's settings as PyTorch does, the layers with their sizes", () => {
    const h = hyperParameters(run('a', PRESETS.MLP));
    expect(h.get('optimizer')).toBe('Adam');
    expect(h.get('lr')).toBe('0.001');
    expect(h.get('layers')).toBe('Flatten → Linear(784→128) → ReLU → Linear(128→64) → ReLU → Linear(64→10)');
    expect(h.get('early_stopping')).toBe('off');
    expect(layersText(PRESETS['LeNet-5'])).toMatch(/^Conv2d\(1→6, k5\) → ReLU → MaxPool2d/);
  });
});

describe('compareTable', () => {
  const a = run('a', PRESETS.MLP);
  const b = run('b', withLr(PRESETS.MLP, 0.01));
  const c = run('c', withBatch(withLr(PRESETS.MLP, 0.01), 128), { options: { epochs: 2, seed: 7, earlyStopping: null, clipGradNorm: null, backend: 'auto' } });

  it('highlights what differs from the reference run, and nothing on the reference itself', () => {
    const table = compareTable([a, b, c], 'b');
    expect(table.rows.map((r) => [...r.differs].sort())).toEqual([['lr'], [], ['batch_size', 'seed']]);
  });

  it('shows the core columns always and any other column only where runs differ', () => {
    expect(compareTable([a, b, c], 'a').columns).toEqual(['model', 'optimizer', 'lr', 'batch_size', 'epochs', 'seed']);
    expect(compareTable([a], 'a').columns).toEqual(['model', 'optimizer', 'lr', 'batch_size', 'epochs']);
  });

  it('compares different optimizers by their own parameters (a missing one differs)', () => {
    const sgd = run('s', PRESETS.Mnist_CNN);
    const table = compareTable([a, sgd], 'a');
    expect([...table.rows[1].differs]).toEqual(expect.arrayContaining(['model', 'layers', 'optimizer', 'lr', 'momentum', 'normalize']));
    expect(table.columns).toContain('momentum');
  });

  it('without a reference, nothing is highlighted', () => {
    expect(compareTable([a, b], null).rows.every((r) => r.differs.size === 0)).toBe(true);
  });
});

describe('figures', () => {
  it("takes the last epoch's train and validation figures, the latest test look, the summed time and the backend that ran", () => {
    const f = figures(run('a', PRESETS.MLP, { lastTest: { loss: 0.3, accuracy: 0.91, samples: 10000 }, backendUsed: 'wasm' }, [epoch(1, 0.5, 3), epoch(2, 0.4, 4)]));
    expect(f).toEqual({ trainLoss: 0.5, trainAcc: 0.82, valLoss: 0.4, valAcc: 0.9, testAcc: 0.91, testLoss: 0.3, seconds: 7, backend: 'wasm', epochsDone: 2 });
  });

  it('says what was asked for when the run predates backendUsed, and null before any epoch or test', () => {
    const f = figures(run('a', PRESETS.MLP, {}, []));
    expect([f.backend, f.trainLoss, f.testAcc, f.seconds]).toEqual(['auto', null, null, 0]);
  });

  it("shows no accuracy for an autoencoder, whose records hold NaN for it (Electron's structured clone keeps NaN)", () => {
    const nan = { ...epoch(1, 0.02), trainAcc: NaN, valAcc: NaN };
    const f = figures(run('a', PRESETS.Autoencoder, { lastTest: { loss: 0.03, accuracy: NaN, samples: 10000 } }, [nan]));
    expect([f.trainAcc, f.valAcc, f.testAcc, f.valLoss, f.testLoss]).toEqual([null, null, null, 0.02, 0.03]);
  });
});

describe('curves', () => {
  it('gives one curve per chosen run, in the order chosen, skipping epochs without the value', () => {
    const a = run('a', PRESETS.MLP, {}, [epoch(1, null), epoch(2, 0.4)]);
    const b = run('b', PRESETS.MLP);
    const out = curves([a, b], ['b', 'a', 'gone'], 'valLoss');
    expect(out.map((c) => [c.runId, c.points])).toEqual([['b', [{ x: 1, y: 0.5 }, { x: 2, y: 0.4 }]], ['a', [{ x: 2, y: 0.4 }]]]);
    expect(curves([a], ['a'], 'trainAcc')[0].points).toEqual([{ x: 1, y: 0.81 }, { x: 2, y: 0.82 }]);
  });
});

describe('durationWords', () => {
  it('says a run\'s time in tenths of a second under a minute, else whole minutes and seconds', () => {
    expect(durationWords(12.34)).toEqual({ key: 'runs.seconds', params: { s: '12.3' } });
    expect(durationWords(65.2)).toEqual({ key: 'runs.minutes', params: { m: 1, s: 5 } });
    // 119.6 s is 2 min 0 s, never "1 min 60 s".
    expect(durationWords(119.6)).toEqual({ key: 'runs.minutes', params: { m: 2, s: 0 } });
    expect(durationWords(59.96)).toEqual({ key: 'runs.minutes', params: { m: 1, s: 0 } });
  });
});
