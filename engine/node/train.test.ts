import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../common/model-spec/index';
import { writeIdxFolder } from './test-support/twin-python';
import { runTrain } from './train';
import { registerBackend, setBackend } from '../backend/backend';
import { createWasmBackend } from '../backend/wasm/index';

const DATA = join(__dirname, '../../../shared/data/mnist');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-train-'));

function run(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = runTrain(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('npm run train', () => {
  it('lists presets and prints help', () => {
    const { code, out } = run('--list-presets');
    expect(code).toBe(0);
    expect(out.find((l) => l.startsWith('LeNet-5'))).toMatch(/61,706 params/);
    expect(run('--help').out[0]).toMatch(/^Usage: npm run train/);
  });

  it('trains Mnist_Logistic on a subset with --json, saves, and reloads with --init', () => {
    const save = join(tmp, 'logistic.safetensors');
    const first = run('--preset', 'Mnist_Logistic', '--data', DATA, '--limit', '1200', '--test-limit', '500', '--epochs', '2', '--json', '--save', save);
    expect(first.err.filter((l) => l.startsWith('train:'))).toEqual([]);
    expect(first.code).toBe(0);
    const lines = first.out.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(Object.keys(lines[0])).toEqual(['epoch', 'trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'seconds', 'samplesPerSec']);
    expect(lines[1].trainLoss).toBeLessThan(lines[0].trainLoss);
    expect(lines[2].testAcc).toBeGreaterThan(0.7);
    expect(existsSync(save)).toBe(true);

    const again = run('--preset', 'Mnist_Logistic', '--data', DATA, '--limit', '600', '--val-size', '0', '--test-limit', '500', '--init', save, '--log-batches', '--lr', '0.01');
    expect(again.code).toBe(0);
    expect(again.out.filter((l) => /batch \d+\/10 loss/.test(l))).toHaveLength(10);
    const acc = Number(/test loss [\d.]+ acc ([\d.]+)%/.exec(again.out.at(-1)!)![1]);
    expect(acc).toBeGreaterThan(70); // started from the saved weights, not from scratch
  });

  it('explains bad specs, missing files and incompatible weights', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{ "version": 1, ');
    expect(run('--spec', bad).err[0]).toMatch(/^train: --spec .*bad\.json: not valid JSON/);
    const invalid = join(tmp, 'invalid.json');
    const spec = getPreset('MLP')!;
    spec.nodes[2].params.inFeatures = 0;
    writeFileSync(invalid, JSON.stringify(spec));
    const r = run('--spec', invalid);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('node "fc1" (Linear): in_features must be an integer ≥ 1, got 0');
    expect(run('--spec', join(tmp, 'nope.json')).err[0]).toMatch(/no such file/);
    expect(run('--preset', 'MLP', '--data', tmp).err[0]).toMatch(/^train: missing .*train-images-idx3-ubyte\.gz: --data must be a folder/);
    const unknown = run('--preset', 'VGG');
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toBe("train: unknown preset 'VGG' (presets: Mnist_Logistic, MLP, Mnist_CNN, LeNet-5, Example-Net, Row-LSTM, Residual-MLP, Autoencoder)");
    expect(run('--preset', 'MLP', '--data', DATA, '--init', join(tmp, 'none.safetensors')).err[0]).toMatch(/--init .*: no such file/);
  });

  it('--save-init writes the weights --seed draws, without data: training from them is training with that seed', () => {
    const init = join(tmp, 'init.safetensors');
    // No --data at all, and a folder that does not exist would not matter: nothing is read.
    const saved = run('--preset', 'Mnist_CNN', '--seed', '5', '--save-init', init, '--data', join(tmp, 'no-such-folder'));
    expect(saved).toMatchObject({ code: 0, err: [] });
    expect(saved.out).toEqual([`saved the initial weights (seed 5) to ${init}`]);
    const data = writeIdxFolder(join(tmp, 'idx'), { train: 320, test: 32 });
    // In the file's order: --seed also draws the shuffle, and only the weights are compared here.
    const losses = (...argv: string[]) => {
      const r = run('--preset', 'Mnist_CNN', '--data', data, '--val-size', '0', '--no-shuffle', '--log-batches', '--json', ...argv);
      expect(r.code).toBe(0);
      return r.out.map((l) => JSON.parse(l)).filter((l) => 'batch' in l).map((l) => l.loss);
    };
    const seeded = losses('--seed', '5');
    expect(seeded).toHaveLength(5);
    expect(losses('--seed', '9', '--init', init)).toEqual(seeded);
    expect(losses('--seed', '9')).not.toEqual(seeded);
  });

  it('stops on a NaN loss with a message', () => {
    const file = join(tmp, 'diverge.json');
    const spec = getPreset('Mnist_Logistic')!;
    spec.loss = { type: 'MSELoss', params: {} };
    spec.optimizer.params.lr = 1e30;
    writeFileSync(file, JSON.stringify(spec));
    const r = run('--spec', file, '--data', DATA, '--limit', '640', '--val-size', '0', '--test-limit', '10');
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^warning: lr 1e\+30 is very high for SGD/);
    expect(r.err.at(-1)).toMatch(/^train: loss became (NaN|Infinity) at epoch 1, batch \d+: training diverged; lower the learning rate/);
  });

  it('--backend: auto times each registered backend and trains on the fastest; a name is used as is', () => {
    registerBackend(createWasmBackend());
    try {
      const auto = run('--preset', 'Mnist_Logistic', '--data', DATA, '--limit', '640', '--val-size', '0', '--test-limit', '10');
      expect(auto.code).toBe(0);
      const line = auto.out.find((l) => l.startsWith('backend '));
      expect(line).toMatch(/^backend (cpu|wasm) \(auto; per step: wasm [\d.]+ ms, cpu [\d.]+ ms\)$/);
      const forced = run('--preset', 'Mnist_Logistic', '--data', DATA, '--limit', '640', '--val-size', '0', '--test-limit', '10', '--backend', 'cpu');
      expect(forced.out).toContain('backend cpu');
      const unknown = run('--preset', 'Mnist_Logistic', '--data', DATA, '--limit', '640', '--backend', 'tpu');
      expect(unknown.code).toBe(2);
      expect(unknown.err[0]).toBe("train: --backend: no backend 'tpu' here (available: auto, cpu, wasm)");
    } finally {
      setBackend('cpu');
    }
  });
});
