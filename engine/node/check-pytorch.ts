/**
 * Checks toPyTorch against real PyTorch (not a unit test: CI has no PyTorch).
 *   npx tsx engine/node/check-pytorch.ts [--python /usr/bin/python3] [--data ../shared/data/mnist] [--limit 2000]
 * For every preset:
 *  1. parity: the engine's freshly initialised model is saved as safetensors, loaded by the exported script
 *     (--init, --epochs 0), and both evaluate the first 500 test images: the losses must agree within 1e-5 (the
 *     twin's --log-batches prints them at full precision). This checks the layers, the state-dict names and the
 *     data pipeline at once.
 *  2. replay: from those weights, in the file's order (--no-shuffle, --val-size 0), the engine CLI and the twin
 *     train 10 batches: every batch loss must agree within 1e-5 (not for a model with Dropout, whose masks come
 *     from two different generators).
 *  3. training: the script trains one epoch on --limit images and prints its test accuracy.
 * Exits non-zero if any script fails or disagrees.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS, toPyTorch } from '../../common/model-spec/index';
import { DataLoader } from '../data/dataloader';
import { saveSafetensors } from '../io/index';
import { manualSeed } from '../random';
import { buildModel, evaluate, specImageDataset, makeLoss } from '../model-spec/index';
import { readMnist } from './mnist-files';
import { runTrain } from './train';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const python = arg('--python', '/usr/bin/python3');
const data = arg('--data', '../shared/data/mnist');
const limit = arg('--limit', '2000');
const TEST = 500;
/** What the engine and PyTorch agree to in float32, measured: 2.4e-7 on LeNet-5's first 10 batches (twin-replay.test.ts). */
const TOLERANCE = 1e-5;
const jsonLines = (text: string): Record<string, number>[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const dir = mkdtempSync(join(tmpdir(), 'layerlab-pytorch-'));
const mnist = readMnist(data);
mnist.testImages = { ...mnist.testImages, shape: [TEST, 28, 28], data: mnist.testImages.data.subarray(0, TEST * 784) };
mnist.testLabels = { ...mnist.testLabels, shape: [TEST], data: mnist.testLabels.data.subarray(0, TEST) };

let failed = 0;
for (const [name, spec] of Object.entries(PRESETS)) {
  const script = join(dir, `${name.replace(/\W/g, '_')}.py`);
  writeFileSync(script, toPyTorch(spec));
  try {
    manualSeed(0);
    const model = buildModel(spec);
    const weights = join(dir, `${name.replace(/\W/g, '_')}.safetensors`);
    writeFileSync(weights, saveSafetensors(model.stateDict()));
    const test = new DataLoader(specImageDataset(spec, mnist.testImages, mnist.testLabels), { batchSize: 250 });
    const ours = evaluate(model, makeLoss(spec), test);
    const out = execFileSync(python, [script, '--data', data, '--epochs', '0', '--limit', '100', '--val-size', '0', '--test-limit', String(TEST), '--init', weights, '--log-batches'], { encoding: 'utf8' });
    const theirs = jsonLines(out).find((l) => 'testLoss' in l)!.testLoss;
    const gap = Math.abs(theirs - ours.loss);
    const agree = gap <= TOLERANCE;
    if (!agree) failed++;
    console.log(`${name}: same weights, test loss LayerLab ${ours.loss.toFixed(7)} vs PyTorch ${theirs.toFixed(7)} (|Δ| ${gap.toExponential(1)}) ${agree ? 'ok' : 'MISMATCH'}`);

    if (spec.nodes.some((n) => n.op.startsWith('Dropout'))) {
      console.log(`${name}: replay skipped: its Dropout masks come from the engine's generator on one side and torch's on the other`);
    } else {
      const same = ['--data', data, '--init', weights, '--no-shuffle', '--val-size', '0', '--limit', String(10 * spec.data.batchSize), '--test-limit', '10', '--epochs', '1', '--log-batches'];
      const engineOut: string[] = [];
      const code = runTrain(['--preset', name, ...same, '--json'], { out: (l) => engineOut.push(l), err: () => {} });
      const engine = jsonLines(engineOut.join('\n')).filter((l) => 'batch' in l).map((l) => l.loss);
      const twin = jsonLines(execFileSync(python, [script, ...same], { encoding: 'utf8' })).filter((l) => 'batch' in l).map((l) => l.loss);
      const gaps = engine.map((loss, i) => Math.abs(loss - twin[i]));
      const replayed = code === 0 && engine.length === 10 && twin.length === 10 && gaps.every((g) => g <= TOLERANCE);
      if (!replayed) failed++;
      console.log(`${name}: 10 batches from the same weights, largest loss gap ${Math.max(...gaps).toExponential(1)} ${replayed ? 'ok' : 'MISMATCH'}`);
    }
    const trained = execFileSync(python, [script, '--data', data, '--epochs', '1', '--limit', limit, '--val-size', String(Math.floor(Number(limit) / 6))], { encoding: 'utf8' });
    console.log(`${name}: PyTorch, 1 epoch on ${limit} images: ${trained.trim().split('\n').pop()}`);
  } catch (err) {
    failed++;
    console.error(`${name}: FAILED (${script})\n${(err as { stderr?: string }).stderr ?? err}`);
  }
}
process.exit(failed ? 1 : 0);
