/**
 * The activations added in #18, end to end: a spec that uses every one of them (PReLU with one slope per channel
 * and one shared) trains in the engine CLI, its learned PReLU slopes travel as `weight` through safetensors, and,
 * under a real PyTorch where there is one (CI has none, so those skip and say why in their names), its exported
 * twin builds every layer from the row's torch name and params, replays the engine's first 10 batch losses from the
 * same initial weights within 1e-5, and saves a checkpoint the engine loads back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_SEED } from '../../common/split';
import { chainSpec, idPrefix, inferShapes, toPyTorch, validateSpec, type ModelSpec, type OpName, type Params } from '../../common/model-spec/index';
import { loadSafetensors } from '../io/index';
import { buildModel } from '../model-spec/index';
import { PYTHON, whyNoTorch, writeIdxFolder } from './test-support/twin-python';
import { batchLines, train, type BatchLine } from './test-support/train-cli';

const why = whyNoTorch();
const skipped = why ? ` (skipped: ${why})` : '';
const dir = mkdtempSync(join(tmpdir(), 'layerlab-twin-activations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A trunk to 32 features, then one branch per activation, joined by Concat: shallow enough to train in a few
// epochs, and every activation gets its own gradient. (A graph, so the twin is an nn.Module keyed by node id.)
const BRANCHES: Array<[OpName, Params]> = [
  ['ReLU6', {}], ['Hardtanh', { minVal: -2, maxVal: 2 }], ['Hardswish', {}], ['Hardsigmoid', {}], ['Mish', {}], ['SELU', {}],
  ['CELU', { alpha: 0.7 }], ['Softsign', {}], ['LogSigmoid', {}], ['Softmin', { dim: 1 }], ['PReLU', {}],
];
const trunk = chainSpec({
  name: 'Every-new-activation', description: 'Each activation added in #18 as a branch after a small trunk.', inputShape: [1, 28, 28],
  layers: [
    ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 5, stride: 2 }], ['PReLU', { numParameters: 4, init: 0.1 }],
    ['MaxPool2d', { kernelSize: 2 }], ['Flatten'], ['Linear', { inFeatures: 144, outFeatures: 32 }],
  ],
  optimizer: { type: 'Adam', params: { lr: 0.003 } },
});
const branchIds = BRANCHES.map(([op]) => `${idPrefix(op)}${op === 'PReLU' ? 2 : 1}`);
const spec: ModelSpec = {
  ...trunk,
  nodes: [
    ...trunk.nodes, ...BRANCHES.map(([op, params], i) => ({ id: branchIds[i], op, params })),
    { id: 'cat1', op: 'Concat', params: { dim: 1 } }, { id: 'fc2', op: 'Linear', params: { inFeatures: 32 * BRANCHES.length, outFeatures: 10 } },
  ],
  edges: [
    ...trunk.edges, ...branchIds.flatMap((id, port) => [{ from: 'fc1', to: id }, { from: id, to: 'cat1', port }]),
    { from: 'cat1', to: 'fc2' },
  ],
};
const specFile = join(dir, 'activations.json');
writeFileSync(specFile, JSON.stringify(spec));
const data = writeIdxFolder(join(dir, 'data'), { train: 896, test: 128 });

const slopes = (file: string) => {
  const state = loadSafetensors(new Uint8Array(readFileSync(file)));
  return { perChannel: Array.from(state['prelu1.weight'].data), shared: Array.from(state['prelu2.weight'].data) };
};

describe('a spec with every new activation', () => {
  it('is valid, counts the PReLU slopes as parameters, and exports each row as its torch module', () => {
    expect(validateSpec(spec)).toEqual([]);
    const shapes = inferShapes(spec);
    expect(shapes.error).toBeNull();
    expect([shapes.nodes.prelu1.params, shapes.nodes.prelu2.params]).toEqual([4, 1]);
    const script = toPyTorch(spec);
    for (const expr of [
      'nn.PReLU(num_parameters=4, init=0.1)', 'nn.Hardswish()', 'self.relu6_1 = nn.ReLU6()', 'nn.Mish()', 'nn.SELU()', 'nn.CELU(alpha=0.7)',
      'nn.Hardtanh(min_val=-2, max_val=2)', 'nn.Softsign()', 'nn.PReLU()', 'nn.Hardsigmoid()', 'nn.LogSigmoid()', 'nn.Softmin(dim=1)',
    ]) expect(script).toContain(expr);
  });

  it('trains in the engine CLI, and its PReLU slopes are learned and saved under torch\'s names', () => {
    const init = join(dir, 'engine-init.safetensors'), trained = join(dir, 'engine-trained.safetensors');
    train('--spec', specFile, '--seed', '3', '--save-init', init);
    expect(slopes(init)).toEqual({ perChannel: [0.1, 0.1, 0.1, 0.1].map(Math.fround), shared: [0.25] });
    const lines = batchLines(train('--spec', specFile, '--data', data, '--init', init, '--val-size', '0', '--epochs', '3', '--log-batches', '--json', '--save', trained));
    expect(lines).toHaveLength(42); // 896 images in batches of 64, three times
    const mean = (ls: BatchLine[]) => ls.reduce((s, l) => s + l.loss, 0) / ls.length;
    console.log(`every new activation, engine CLI: first 3 batches ${mean(lines.slice(0, 3)).toFixed(4)}, last 3 ${mean(lines.slice(-3)).toFixed(4)}`);
    expect(mean(lines.slice(-3))).toBeLessThan(mean(lines.slice(0, 3)) - 0.2);
    const learned = slopes(trained);
    expect(learned.perChannel.every((a) => a !== Math.fround(0.1))).toBe(true);
    expect(learned.shared[0]).not.toBe(0.25);
    buildModel(spec).loadStateDict(loadSafetensors(new Uint8Array(readFileSync(trained))), { checkDtype: true });
  }, 300_000);

  it.skipIf(why !== '')(`its PyTorch twin replays the engine's first 10 batch losses within 1e-5 and saves slopes the engine loads${skipped}`, () => {
    const script = join(dir, 'activations.py');
    writeFileSync(script, toPyTorch(spec));
    const init = join(dir, 'init.safetensors'), saved = join(dir, 'twin.safetensors');
    train('--spec', specFile, '--seed', '5', '--save-init', init);
    const same = ['--data', data, '--init', init, '--no-shuffle', '--val-size', '128', '--epochs', '1', '--log-batches', '--test-limit', '64'];
    const engine = batchLines(train('--spec', specFile, ...same, '--json'));
    const run = spawnSync(PYTHON, [script, ...same, '--seed', String(DEFAULT_SPLIT_SEED), '--save', saved], {
      cwd: dir, encoding: 'utf8', timeout: 180_000, env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const twin = batchLines(run.stdout.split('\n'));
    expect(twin.map((b) => b.batch)).toEqual(engine.map((b) => b.batch));
    const gaps = engine.slice(0, 10).map((b, i) => Math.abs(b.loss - twin[i].loss));
    console.log(`every new activation, first 10 batch losses: engine ${engine.slice(0, 10).map((b) => b.loss.toFixed(6)).join(' ')}; largest gap to PyTorch ${Math.max(...gaps).toExponential(2)}`);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(1e-5);
    expect(engine[9].loss).toBeLessThan(engine[0].loss); // the weights moved, so the match says something
    const learned = slopes(saved);
    expect(learned.perChannel.every((a) => a !== Math.fround(0.1))).toBe(true);
    buildModel(spec).loadStateDict(loadSafetensors(new Uint8Array(readFileSync(saved))), { checkDtype: true });
  }, 300_000);
});
