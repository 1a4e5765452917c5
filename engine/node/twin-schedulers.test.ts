/**
 * The exported twin runs each learning-rate scheduler #18 added the way the engine does, under a real PyTorch where
 * there is one (CI has none, so these skip and say why in their names): from the same initial weights
 * (`npm run train -- --save-init`), with --no-shuffle and the same split, the MLP with SGD and momentum trains three
 * epochs of 4 batches in both, and every batch loss agrees within 1e-5. The rate moves from batch 2 on, so a
 * schedule stepped at the wrong time (per epoch instead of per batch), a wrong total_steps or a mistyped argument
 * shows as a different loss; a run without the scheduler shows how far apart the losses would be.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_SEED } from '../../common/split';
import { getPreset, toPyTorch, type ModelSpec, type SchedulerSpec } from '../../common/model-spec/index';
import { PYTHON, whyNoTorch, writeIdxFolder } from './test-support/twin-python';
import { runTrain } from './train';

const why = whyNoTorch();
const skipped = why ? ` (skipped: ${why})` : '';
if (why) console.log(`twin-schedulers.test.ts: skipped, ${why}`);
const dir = mkdtempSync(join(tmpdir(), 'layerlab-twin-schedulers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(...argv: string[]): string[] {
  const out: string[] = [], err: string[] = [];
  const code = runTrain(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  expect(err.filter((l) => l.startsWith('train:')), err.join('\n')).toEqual([]);
  expect(code).toBe(0);
  return out;
}

const batchLosses = (lines: string[]): number[] =>
  lines.filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l)).filter((b) => 'batch' in b).map((b) => b.loss as number);

function specWith(scheduler: SchedulerSpec | undefined): ModelSpec {
  const base = getPreset('MLP')!;
  return {
    ...base, optimizer: { type: 'SGD', params: { lr: 0.05, momentum: 0.9 } }, ...(scheduler ? { scheduler } : {}),
    data: { ...base.data, batchSize: 64, shuffle: false },
  };
}

// 320 training images, 64 held out: 4 batches of 64 an epoch.
const data = why ? '' : writeIdxFolder(join(dir, 'data'), { train: 320, test: 64 });
const init = join(dir, 'init.safetensors');
const same = ['--data', data, '--init', init, '--no-shuffle', '--val-size', '64', '--epochs', '3', '--log-batches', '--test-limit', '64'];

/** The engine CLI's and the twin's batch losses for one spec. */
function both(name: string, spec: ModelSpec, saveInit = false): { engine: number[]; twin: number[] } {
  const specFile = join(dir, `${name.replace(/\W+/g, '_')}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  if (saveInit) train('--spec', specFile, '--seed', '3', '--save-init', init);
  const engine = batchLosses(train('--spec', specFile, ...same, '--json'));
  const script = join(dir, `${name.replace(/\W+/g, '_')}.py`);
  writeFileSync(script, toPyTorch(spec));
  const result = spawnSync(PYTHON, [script, ...same, '--seed', String(DEFAULT_SPLIT_SEED)], {
    cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  expect(result.status, `${PYTHON} ${script}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return { engine, twin: batchLosses(result.stdout.split('\n')) };
}

const CASES: Array<[string, SchedulerSpec]> = [
  ['LinearLR', { type: 'LinearLR', params: { startFactor: 0.25, endFactor: 1, totalIters: 2 } }],
  ['PolynomialLR', { type: 'PolynomialLR', params: { totalIters: 3, power: 2 } }],
  ['CosineAnnealingWarmRestarts', { type: 'CosineAnnealingWarmRestarts', params: { t0: 1, tMult: 2, etaMin: 0.001 } }],
  // Stepped every batch, total_steps left to the run (3 epochs × 4 batches), SGD's momentum cycled.
  ['OneCycleLR', { type: 'OneCycleLR', params: { maxLr: 0.2 } }],
  ['OneCycleLR three-phase, linear', { type: 'OneCycleLR', params: { maxLr: 0.2, threePhase: true, annealStrategy: 'linear', pctStart: 0.25 } }],
];

describe('the twin steps each scheduler as the engine does', () => {
  let plain: number[] = [];
  it.skipIf(why !== '')(`without a scheduler the twin gives the engine's losses${skipped}`, () => {
    const { engine, twin } = both('plain', specWith(undefined), true);
    expect(engine).toHaveLength(12);
    engine.forEach((loss, i) => expect(Math.abs(loss - twin[i])).toBeLessThanOrEqual(1e-5));
    plain = engine;
  }, 300_000);

  for (const [name, scheduler] of CASES) {
    it.skipIf(why !== '')(`${name}: every batch loss within 1e-5 of the twin's${skipped}`, () => {
      const { engine, twin } = both(name, specWith(scheduler));
      expect(twin).toHaveLength(engine.length);
      const gaps = engine.map((loss, i) => Math.abs(loss - twin[i]));
      const fromPlain = Math.max(...engine.map((loss, i) => Math.abs(loss - plain[i])));
      console.log(`${name}: largest gap to PyTorch ${Math.max(...gaps).toExponential(2)}; to the run without it ${fromPlain.toExponential(2)}`);
      for (const gap of gaps) expect(gap).toBeLessThanOrEqual(1e-5);
      expect(fromPlain).toBeGreaterThan(1e-3); // the schedule changed the run: matching says something
    }, 300_000);
  }
});
