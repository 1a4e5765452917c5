/**
 * Checks toPyTorch against real PyTorch (not a unit test: CI has no PyTorch).
 *   npx tsx engine/node/check-pytorch.ts [--python /usr/bin/python3] [--data ../shared/data/mnist] [--limit 2000]
 * For every preset:
 *  1. parity: the engine's freshly initialised model is saved as safetensors, loaded by the exported script
 *     (--init, --epochs 0), and both evaluate the first 500 test images: the losses must agree. This checks
 *     the layers, the state-dict names and the data pipeline at once.
 *  2. training: the script trains one epoch on --limit images and prints its test accuracy.
 * Exits non-zero if any script fails or disagrees.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS, toPyTorch } from '../../common/spec/index';
import { DataLoader } from '../data/dataloader';
import { saveSafetensors } from '../io/index';
import { manualSeed } from '../random';
import { buildModel, evaluate, imageTensorDataset, makeLoss } from '../spec/index';
import { readMnist } from './mnist-files';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const python = arg('--python', '/usr/bin/python3');
const data = arg('--data', '../shared/data/mnist');
const limit = arg('--limit', '2000');
const TEST = 500;
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
    const test = new DataLoader(imageTensorDataset(spec, mnist.testImages, mnist.testLabels), { batchSize: 250 });
    const ours = evaluate(model, makeLoss(spec), test);
    const out = execFileSync(python, [script, '--data', data, '--epochs', '0', '--limit', '100', '--test-limit', String(TEST), '--init', weights], { encoding: 'utf8' });
    const theirs = Number(/test_loss ([\d.]+)/.exec(out)![1]);
    const agree = Math.abs(theirs - ours.loss) < 2e-3;
    if (!agree) failed++;
    console.log(`${name}: same weights, test loss LayerLab ${ours.loss.toFixed(4)} vs PyTorch ${theirs.toFixed(4)} ${agree ? 'ok' : 'MISMATCH'}`);
    const trained = execFileSync(python, [script, '--data', data, '--epochs', '1', '--limit', limit], { encoding: 'utf8' });
    console.log(`${name}: PyTorch, 1 epoch on ${limit} images: ${trained.trim().split('\n').pop()}`);
  } catch (err) {
    failed++;
    console.error(`${name}: FAILED (${script})\n${(err as { stderr?: string }).stderr ?? err}`);
  }
}
process.exit(failed ? 1 : 0);
