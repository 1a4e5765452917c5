/**
 * The optimizers and losses added by #18 in the PyTorch twin, under a real PyTorch where there is one (CI has none,
 * so these skip and say why in their names). For each, the MLP preset with that piece swapped in trains 10 batches
 * from the same initial weights (`--save-init`), in the file's order, in the engine CLI and in its exported twin:
 * every batch loss must agree within 1e-5. That checks, at once, that the twin names the piece and its options as
 * torch does, that torch accepts them, and that the engine's numbers are torch's over several real updates.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_SEED } from '../../common/split';
import { getPreset, toPyTorch, type ModelSpec } from '../../common/model-spec/index';
import { PYTHON, whyNoTorch, writeIdxFolder } from './test-support/twin-python';
import { runTrain } from './train';

const why = whyNoTorch();
const skipped = why ? ` (skipped: ${why})` : '';
if (why) console.log(`twin-pieces.test.ts: skipped, ${why}`);
const dir = mkdtempSync(join(tmpdir(), 'layerlab-twin-pieces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface BatchLine { batch: number; loss: number }
const batchLosses = (lines: string[]): number[] =>
  lines.filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l) as BatchLine).filter((b) => 'batch' in b).map((b) => b.loss);

function train(...argv: string[]): string[] {
  const out: string[] = [], err: string[] = [];
  const code = runTrain(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  expect(code, err.join('\n')).toBe(0);
  return out;
}

/** The MLP preset with `change` applied (a new optimizer or loss, maybe a last layer the loss needs). */
function variant(name: string, change: (spec: ModelSpec) => ModelSpec): ModelSpec {
  return { ...change(structuredClone(getPreset('MLP')!)), name };
}

/** The spec with LogSoftmax(dim=1) after its output node (what KLDivLoss needs: log-probabilities). */
function endWithLogSoftmax(spec: ModelSpec): ModelSpec {
  const out = spec.nodes.find((n) => !spec.edges.some((e) => e.from === n.id))!;
  return { ...spec, nodes: [...spec.nodes, { id: 'logsoftmax', op: 'LogSoftmax', params: { dim: 1 } }], edges: [...spec.edges, { from: out.id, to: 'logsoftmax' }] };
}

const CLASS_WEIGHTS = [1, 2, 0.5, 1, 3, 1, 0.25, 1, 1, 1.5];

const CASES: Array<[string, ModelSpec]> = [
  ['NAdam with weight decay', variant('nadam', (s) => ({ ...s, optimizer: { type: 'NAdam', params: { lr: 0.01, weightDecay: 0.01, momentumDecay: 0.01 } } }))],
  ['RAdam with weight decay', variant('radam', (s) => ({ ...s, optimizer: { type: 'RAdam', params: { lr: 0.01, weightDecay: 0.01 } } }))],
  ['HuberLoss with delta 0.5', variant('huber', (s) => ({ ...s, loss: { type: 'HuberLoss', params: { delta: 0.5 } } }))],
  ['Adamax with weight decay', variant('adamax', (s) => ({ ...s, optimizer: { type: 'Adamax', params: { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.01 } } }))],
  ['KLDivLoss batchmean after LogSoftmax', variant('kldiv', (s) => ({ ...endWithLogSoftmax(s), loss: { type: 'KLDivLoss', params: { reduction: 'batchmean' } } }))],
  ['KLDivLoss mean after LogSoftmax', variant('kldiv-mean', (s) => ({ ...endWithLogSoftmax(s), loss: { type: 'KLDivLoss', params: {} } }))],
  ['MultiMarginLoss p=2 margin 0.5', variant('multimargin', (s) => ({ ...s, loss: { type: 'MultiMarginLoss', params: { p: 2, margin: 0.5 } } }))],
  ['MultiMarginLoss sum', variant('multimargin-sum', (s) => ({ ...s, loss: { type: 'MultiMarginLoss', params: { reduction: 'sum' } } }))],
  // Class weights (#18 follow-up), as torch.tensor([...]) in the twin; 'mean' weighs differently in each loss.
  ['MultiMarginLoss with class weights', variant('multimargin-weight', (s) => ({ ...s, loss: { type: 'MultiMarginLoss', params: { weight: CLASS_WEIGHTS } } }))],
  ['CrossEntropyLoss with class weights and smoothing', variant('ce-weight', (s) => ({ ...s, loss: { type: 'CrossEntropyLoss', params: { weight: CLASS_WEIGHTS, labelSmoothing: 0.1 } } }))],
  ['NLLLoss with class weights after LogSoftmax', variant('nll-weight', (s) => ({ ...endWithLogSoftmax(s), loss: { type: 'NLLLoss', params: { weight: CLASS_WEIGHTS } } }))],
];

describe('new optimizers and losses in the twin under real PyTorch', () => {
  const data = why ? '' : writeIdxFolder(join(dir, 'data'), { train: 704, test: 64 });
  it.each(CASES)(`%s: 10 batch losses from the same weights are the engine CLI's within 1e-5${skipped}`, (label, spec) => {
    if (why) return;
    const file = (ext: string) => join(dir, `${spec.name}.${ext}`);
    writeFileSync(file('json'), JSON.stringify(spec));
    writeFileSync(file('py'), toPyTorch(spec));
    train('--spec', file('json'), '--seed', '5', '--save-init', file('safetensors'));
    const same = ['--data', data, '--init', file('safetensors'), '--no-shuffle', '--val-size', '64', '--epochs', '1', '--log-batches', '--test-limit', '64'];
    const engine = batchLosses(train('--spec', file('json'), ...same, '--json'));
    const run = spawnSync(PYTHON, [file('py'), ...same, '--seed', String(DEFAULT_SPLIT_SEED)], {
      cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const twin = batchLosses(run.stdout.split('\n'));
    expect(engine).toHaveLength(10); // 640 training images in batches of 64
    expect(twin).toHaveLength(10);
    const gaps = engine.map((loss, i) => Math.abs(loss - twin[i]));
    console.log(`${label}: losses ${engine.map((l) => l.toFixed(5)).join(' ')}; largest gap to PyTorch ${Math.max(...gaps).toExponential(2)}`);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(1e-5);
    expect(engine[9]).not.toBe(engine[0]); // it trained: an untouched model would match trivially
  }, 180_000);
});
