/**
 * The PyTorch twin replays the engine's run and scales out (#18), under a real PyTorch where there is one (CI has
 * none, so these skip and say why in their names):
 *  - from the weights `npm run train -- --save-init` wrote, with --no-shuffle and the same split, LeNet-5's exported
 *    twin trains on the same batches as the engine CLI, and its first 10 batch losses are the engine's within 1e-5;
 *  - under `torchrun --nproc_per_node 2` (gloo on CPU) the same script, unchanged, trains 200 batches on each rank,
 *    and rank 0's checkpoint loads into the engine, which then computes the test loss the twin printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_SEED } from '../../common/split';
import { getPreset, toPyTorch } from '../../common/model-spec/index';
import { DataLoader } from '../data/dataloader';
import { loadSafetensors } from '../io/index';
import { buildModel, evaluate, specImageDataset, makeLoss } from '../model-spec/index';
import { readMnist } from './mnist-files';
import { PYTHON, whyNoTorch, writeIdxFolder } from './test-support/twin-python';
import { batchLines, train, type BatchLine } from './test-support/train-cli';

const why = whyNoTorch();
const skipped = why ? ` (skipped: ${why})` : '';
if (why) console.log(`twin-replay.test.ts: skipped, ${why}`);
const dir = mkdtempSync(join(tmpdir(), 'layerlab-twin-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(args: string[], timeout: number): string {
  const result = spawnSync(PYTHON, args, { cwd: dir, encoding: 'utf8', timeout, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  expect(result.status, `${PYTHON} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}


describe('the LeNet-5 twin under real PyTorch', () => {
  const spec = getPreset('LeNet-5')!;
  const script = join(dir, 'lenet_5.py');
  writeFileSync(script, toPyTorch(spec));

  it.skipIf(why !== '')(`from the engine's initial weights, its first 10 batch losses are the engine CLI's within 1e-5${skipped}`, () => {
    const data = writeIdxFolder(join(dir, 'replay'), { train: 896, test: 64 });
    const init = join(dir, 'init.safetensors');
    train('--preset', 'LeNet-5', '--seed', '3', '--save-init', init);
    // The engine CLI holds out its validation images by DEFAULT_SPLIT_SEED; the twin draws them by --seed.
    const same = ['--data', data, '--init', init, '--no-shuffle', '--val-size', '128', '--epochs', '1', '--log-batches', '--test-limit', '64'];
    const engine = batchLines(train('--preset', 'LeNet-5', ...same, '--json'));
    const twin = batchLines(python([script, ...same, '--seed', String(DEFAULT_SPLIT_SEED)], 120_000).split('\n'));

    expect(engine.map((b) => [b.epoch, b.batch, b.batches])).toEqual(twin.map((b) => [b.epoch, b.batch, b.batches]));
    expect(engine).toHaveLength(12); // 768 training images in batches of 64
    const first = (lines: BatchLine[]) => lines.slice(0, 10).map((b) => b.loss);
    const gaps = first(engine).map((loss, i) => Math.abs(loss - first(twin)[i]));
    console.log(`LeNet-5, first 10 batch losses: engine ${first(engine).map((l) => l.toFixed(6)).join(' ')}; largest gap to PyTorch ${Math.max(...gaps).toExponential(2)}`);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(1e-5);
    // The weights moved: a replay of an untrained model would match trivially at every batch but say nothing.
    expect(first(engine)[9]).toBeLessThan(first(engine)[0] - 0.05);
  }, 300_000);

  it.skipIf(why !== '')(`under torchrun --nproc_per_node 2 (gloo) it trains 200 batches per rank, and rank 0's checkpoint loads into the engine${skipped}`, () => {
    // 640 training images: 320 a rank, 5 batches of 64 an epoch, 40 epochs.
    const data = writeIdxFolder(join(dir, 'ddp'), { train: 640, test: 256 }, 7);
    const logs = join(dir, 'torchrun-logs');
    const checkpoint = join(dir, 'ddp.safetensors');
    // --redirects 1 --tee 2 --log_dir: Debian's torch 1.13 torchrun on Python 3.11 fails with its default log redirects.
    python([
      '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--redirects', '1', '--tee', '2', '--log_dir', logs,
      script, '--data', data, '--val-size', '0', '--epochs', '40', '--log-batches', '--save', checkpoint,
    ], 600_000);

    const [run] = readdirSync(logs);
    const stdout = (rank: number) => readFileSync(join(logs, run, 'attempt_0', String(rank), 'stdout.log'), 'utf8').split('\n');
    for (const rank of [0, 1]) {
      const lines = batchLines(stdout(rank));
      expect(lines.every((b) => b.rank === rank && b.batches === 5)).toBe(true);
      expect(lines).toHaveLength(200);
    }
    const twinTest = /test_loss (\S+) test_acc (\S+)/.exec(stdout(0).join('\n'));
    expect(twinTest, 'rank 0 prints the test loss').not.toBeNull();
    expect(stdout(1).join('\n')).not.toContain('test_loss'); // the other rank holds the same weights and stays quiet

    const state = loadSafetensors(new Uint8Array(readFileSync(checkpoint)));
    expect(Object.keys(state).filter((k) => k.startsWith('module.'))).toEqual([]);
    const model = buildModel(spec);
    model.loadStateDict(state, { checkDtype: true });
    const mnist = readMnist(data);
    const test = new DataLoader(specImageDataset(spec, mnist.testImages!, mnist.testLabels!), { batchSize: 128 });
    const ours = evaluate(model, makeLoss(spec), test);
    console.log(`torchrun, 2 ranks × 200 batches: the twin's test loss ${twinTest![1]} acc ${twinTest![2]}; the engine with rank 0's checkpoint ${ours.loss.toFixed(6)} ${ours.accuracy}`);
    // The twin prints 4 decimals.
    expect(Math.abs(ours.loss - Number(twinTest![1]))).toBeLessThanOrEqual(1.5e-4);
    expect(Math.abs(ours.accuracy - Number(twinTest![2]))).toBeLessThanOrEqual(1.5e-4);
    expect(ours.accuracy).toBeGreaterThan(0.5); // trained: chance is 0.1
  }, 900_000);
});

describe('the Autoencoder twin under real PyTorch (#18: MSE against the input itself)', () => {
  it.skipIf(why !== '')(`from the engine's initial weights, its first 10 batch losses are the engine CLI's within 1e-5, and it reports no accuracy${skipped}`, () => {
    const script = join(dir, 'autoencoder.py');
    writeFileSync(script, toPyTorch(getPreset('Autoencoder')!));
    const data = writeIdxFolder(join(dir, 'autoencoder'), { train: 704, test: 64 });
    const init = join(dir, 'autoencoder-init.safetensors');
    train('--preset', 'Autoencoder', '--seed', '3', '--save-init', init);
    const same = ['--data', data, '--init', init, '--no-shuffle', '--val-size', '0', '--epochs', '1', '--log-batches', '--test-limit', '64'];
    const engineLines = train('--preset', 'Autoencoder', ...same, '--json');
    const twinLines = python([script, ...same], 120_000).split('\n');
    const [engine, twin] = [batchLines(engineLines), batchLines(twinLines)];
    expect(engine).toHaveLength(11); // 704 training images in batches of 64
    const first = (lines: BatchLine[]) => lines.slice(0, 10).map((b) => b.loss);
    const gaps = first(engine).map((loss, i) => Math.abs(loss - first(twin)[i]));
    console.log(`Autoencoder, first 10 batch losses: engine ${first(engine).map((l) => l.toFixed(6)).join(' ')}; largest gap to PyTorch ${Math.max(...gaps).toExponential(2)}`);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(1e-5);
    expect(first(engine)[9]).toBeLessThan(first(engine)[0] - 0.005);
    // Both end with the test loss alone: an image target has no accuracy.
    const end = (lines: string[]) => JSON.parse(lines.filter((l) => l.startsWith('{"testLoss"')).at(-1)!) as { testLoss: number; testAcc: number | null };
    expect(end(engineLines).testAcc).toBeNull();
    expect(end(twinLines).testAcc).toBeNull();
    expect(Math.abs(end(engineLines).testLoss - end(twinLines).testLoss)).toBeLessThanOrEqual(1e-5);
  }, 300_000);
});
