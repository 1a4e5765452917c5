import { describe, expect, it } from 'vitest';
import { checkEngineRequest } from './engine-protocol';
import type { TrainingRequest } from './training-protocol';

const id = '20261126-191502-k3f9';
const images = (count: number) => ({ images: new Uint8Array(count * 4), labels: new Uint8Array(count), count, height: 2, width: 2 });
const dataset = { name: 'tiny', classes: ['a', 'b'], train: images(3), test: null, split: { train: Int32Array.of(0, 1), validation: Int32Array.of(2), seed: 1 } };
const spec = { version: 1, nodes: [], edges: [] };

describe('checkEngineRequest: training requests', () => {
  it.each<TrainingRequest | Record<string, unknown>>([
    { type: 'configure', runsDir: '/data/runs' },
    { type: 'configure', runsDir: '/data/runs', firstHostSinceStart: true },
    { type: 'dataset', requestId: 1, dataset },
    { type: 'dataset-error', requestId: 1, message: 'offline' },
    { type: 'run-start', spec },
    { type: 'run-start', spec, dataset: 'fashion-mnist', options: { epochs: 3, seed: 2, name: 'x', earlyStopping: { patience: 2, minDelta: 0.01 }, clipGradNorm: 1 } },
    { type: 'run-start', spec, options: { earlyStopping: null, clipGradNorm: null } },
    { type: 'run-start', spec, options: { backend: 'auto' } },
    { type: 'run-start', spec, options: { backend: 'wasm+threads' } },
    { type: 'run-pause', runId: id },
    { type: 'run-resume', runId: id },
    { type: 'run-stop', runId: id },
    { type: 'run-step', runId: id, unit: 'batch' },
    { type: 'run-step', runId: id, unit: 'epoch' },
    { type: 'run-set-lr', runId: id, lr: 0.01 },
    { type: 'run-restart', runId: id },
    { type: 'run-restart', runId: id, epoch: 0, lr: 0.1 },
    { type: 'run-evaluate', runId: id, split: 'test', requestId: 4 },
    { type: 'predict', requestId: 1, image: new Array(784).fill(0) },
    { type: 'predict', requestId: 1, image: new Array(784).fill(255), runId: id, checkpoint: 'best', activations: true },
    { type: 'predict', requestId: 1, image: new Array(784).fill(1), checkpoint: 3 },
    { type: 'runs-list' },
    { type: 'run-open', runId: id },
    { type: 'run-curves', runIds: [id, 'a1'] },
  ])('accepts %j', (request) => {
    expect(checkEngineRequest(request)).toBeNull();
  });

  it.each([
    [{ type: 'configure' }, /runsDir/],
    [{ type: 'configure', runsDir: '/x', extra: 1 }, /unexpected field extra/],
    [{ type: 'configure', runsDir: '/x', firstHostSinceStart: 'yes' }, /firstHostSinceStart must be true or false/],
    [{ type: 'dataset', requestId: 1, dataset: { ...dataset, train: { ...images(3), images: [0, 0] } } }, /Uint8Arrays/],
    [{ type: 'dataset', requestId: 1, dataset: { ...dataset, train: { ...images(3), count: 4 } } }, /holds 12 pixels and 3 labels for 4 images/],
    [{ type: 'dataset', requestId: 1, dataset: { ...dataset, split: { train: [0, 1], validation: [2] } } }, /Int32Arrays/],
    [{ type: 'dataset', requestId: 1, dataset: { ...dataset, split: { train: Int32Array.of(0, 9), validation: Int32Array.of(2) } } }, /index 9 is outside 0..2/],
    [{ type: 'run-start' }, /spec must be a model spec/],
    [{ type: 'run-start', spec, dataset: '../x' }, /dataset must be a dataset name/],
    [{ type: 'run-start', spec, options: { epochs: 1.5 } }, /epochs/],
    [{ type: 'run-start', spec, options: { earlyStopping: { patience: 0 } } }, /patience/],
    [{ type: 'run-start', spec, options: { clipGradNorm: -1 } }, /clipGradNorm/],
    [{ type: 'run-start', spec, options: { backend: '' } }, /options.backend must be 'auto' or a backend name/],
    [{ type: 'run-start', spec, options: { backend: 3 } }, /options.backend/],
    [{ type: 'run-start', spec, options: { batchSize: 3 } }, /unexpected field batchSize/],
    [{ type: 'run-pause' }, /runId/],
    [{ type: 'run-pause', runId: 'UPPER' }, /runId/],
    [{ type: 'run-stop', runId: '../../etc/passwd' }, /runId/],
    [{ type: 'run-step', runId: id }, /unit/],
    [{ type: 'run-set-lr', runId: id, lr: 0 }, /lr must be a positive number/],
    [{ type: 'run-set-lr', runId: id, lr: 'fast' }, /lr/],
    [{ type: 'run-restart', runId: id, epoch: -1 }, /epoch/],
    [{ type: 'run-evaluate', runId: id, split: 'train' }, /split/],
    [{ type: 'predict', requestId: 1, image: new Array(783).fill(0) }, /784 pixel values/],
    [{ type: 'predict', requestId: 1, image: new Array(784).fill(256) }, /784 pixel values/],
    [{ type: 'predict', requestId: 1, image: new Array(784).fill(0), checkpoint: 'first' }, /checkpoint/],
    [{ type: 'predict', image: new Array(784).fill(0) }, /requestId/],
    [{ type: 'runs-list', all: true }, /unexpected field all/],
    [{ type: 'run-curves', runIds: new Array(9).fill(id) }, /1 to 8 run ids/],
  ])('refuses %j', (request, message) => {
    expect(checkEngineRequest(request)).toMatch(message);
  });
});
