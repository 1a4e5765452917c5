/**
 * `npm run bench:bundle` end to end, kept small: the folder is built with `--xz-level 0` (fast, larger) around a
 * tiny MNIST-format fixture, then its run.sh unpacks the bundled Node and runs the bundled bench and train CLIs on
 * the wasm backend for two batches and a few samples. No GPU and no network: gpujs-webgpu is left out here (what
 * run.sh does without a GPU is the manual check in README.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeIdx } from '../common/idx';
import { GEMM_SHAPES } from '../engine/node/bench-cli';

const root = resolve(import.meta.dirname, '..');
const script = join(root, 'scripts', 'bench-bundle.mjs');
const work = mkdtempSync(join(tmpdir(), 'layerlab-bench-bundle-'));
const bundle = join(work, 'bundle');

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** MNIST in miniature: 28×28 random pixels, labels 0..9 in turn, gzipped IDX files under MNIST's names. */
function tinyMnist(dir: string, train = 192, test = 64): string {
  mkdirSync(dir, { recursive: true });
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  const images = (n: number) => writeIdx({ shape: [n, 28, 28], data: Uint8Array.from({ length: n * 784 }, random) });
  const labels = (n: number) => writeIdx({ shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) });
  const files = {
    'train-images-idx3-ubyte.gz': images(train), 'train-labels-idx1-ubyte.gz': labels(train),
    't10k-images-idx3-ubyte.gz': images(test), 't10k-labels-idx1-ubyte.gz': labels(test),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), gzipSync(bytes));
  return dir;
}

function build(...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
}

describe('npm run bench:bundle', () => {
  it('builds a folder with xz-compressed Node and Dawn, gpu.js with its dependencies, the CLIs, MNIST and run.sh', () => {
    const built = build('--out', bundle, '--data', tinyMnist(join(work, 'mnist')), '--xz-level', '0');
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(built.stdout).toMatch(/bench:bundle: total \d+\.\d\d MiB \(\d+ bytes; limit 40 MiB\)/);

    for (const file of [
      'run.sh', 'bundle.json', 'bench-cli.mjs', 'train-cli.mjs', 'torch_bench.py', 'bin/node.xz',
      'node_modules/gpu.js/package.json', 'node_modules/gpu.js/src/index.js', 'node_modules/acorn/dist/acorn.js',
      'node_modules/gpu-mock.js/index.js', 'node_modules/webgpu/index.js', 'node_modules/webgpu/dist/linux-x64/dawn.node.xz',
      'data/mnist/train-images-idx3-ubyte.gz', 'data/mnist/t10k-labels-idx1-ubyte.gz',
    ]) expect(existsSync(join(bundle, file)), file).toBe(true);
    expect(readdirSync(join(bundle, 'node_modules')).sort()).toEqual(['acorn', 'gpu-mock.js', 'gpu.js', 'webgpu']);
    expect(readdirSync(join(bundle, 'node_modules/webgpu/dist'))).toEqual(['linux-x64']); // no other platform
    expect(existsSync(join(bundle, 'node_modules/gpu.js/node_modules'))).toBe(false);
    expect(readdirSync(join(bundle, 'lib')).every((f) => f.endsWith('.mjs'))).toBe(true);
    expect(statSync(join(bundle, 'run.sh')).mode & 0o111).toBe(0o111);
    expect(spawnSync('bash', ['-n', join(bundle, 'run.sh')]).status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(bundle, 'bundle.json'), 'utf8'));
    expect(manifest).toMatchObject({ node: process.version, xzLevel: 0 });
    expect(Object.keys(manifest.sizes)).toContain('data');
  }, 120_000);

  it('run.sh unpacks its Node, reports the GPU prerequisites, and writes bench.json and train-lenet.json', () => {
    const out = join(work, 'results');
    const ran = spawnSync('bash', [join(bundle, 'run.sh'), out], {
      encoding: 'utf8',
      env: {
        ...process.env,
        BENCH_BACKENDS: 'wasm', BENCH_PRESETS: 'Mnist_Logistic', BENCH_ARGS: '--batches 2',
        TRAIN_BACKEND: 'wasm', TRAIN_ARGS: '--limit 128 --test-limit 32', TORCH_PYTHON: '/nonexistent/python3',
      },
    });
    expect(ran.stdout).toMatch(/torch: skipped \(no \/nonexistent\/python3 with torch here/);
    expect(ran.stderr).toBe('');
    expect(ran.status, ran.stdout).toBe(0);
    expect(ran.stdout).toMatch(new RegExp(`^node ${process.version.replace(/\./g, '\\.')}, `));
    for (const lib of ['libvulkan.so.1', 'libGLdispatch.so.0', 'libEGL.so.1', 'libGLX.so.0']) expect(ran.stdout).toContain(`  ${lib}: `);
    expect(ran.stdout).toMatch(/NVIDIA Vulkan ICD/);
    expect(ran.stdout).toMatch(/bench: presets Mnist_Logistic, backends wasm, --full, BENCH_ARGS: --batches 2/);
    expect(existsSync(join(bundle, 'bin/node'))).toBe(true);
    expect(existsSync(join(bundle, 'node_modules/webgpu/dist/linux-x64/dawn.node'))).toBe(true);

    const bench = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    for (const key of ['batch', 'epochSamples', 'targets', 'wasm', 'adapters', 'training', 'gemm', 'latency']) expect(bench).toHaveProperty(key);
    expect(bench.training).toHaveLength(1);
    expect(bench.training[0]).toMatchObject({ preset: 'Mnist_Logistic', backend: 'wasm' });
    expect(bench.training[0].msPerBatch).toBeGreaterThan(0);
    expect(bench.training[0].fullEpochSeconds).toBeGreaterThan(0); // --full, on the fixture
    expect(bench.training[0].fullEpochTestAccuracy).toBeGreaterThanOrEqual(0); // and the test set after it
    expect(bench.training[0].fullEpochTestAccuracy).toBeLessThanOrEqual(1);
    expect(bench.failures).toEqual([]);
    expect(ran.stdout).toMatch(/full epoch [\d.]+ s, train accuracy [\d.]+%, test accuracy [\d.]+%/);
    expect(bench.gemm).toHaveLength(GEMM_SHAPES.length); // one row per shape, for the one backend
    expect(bench.latency.map((l: { backend: string }) => l.backend)).toEqual(['wasm']);

    const train = JSON.parse(readFileSync(join(out, 'train-lenet.json'), 'utf8'));
    expect(train).toMatchObject({ preset: 'LeNet-5', backend: 'wasm', exitCode: 0, error: null, chosen: 'backend wasm' });
    expect(train.epochs).toHaveLength(1);
    expect(train.epochs[0].trainLoss).toBeGreaterThan(0);
    expect(train.test.testAcc).toBeGreaterThanOrEqual(0);
    expect(readdirSync(out).sort()).toEqual(['bench.json', 'bench.log', 'run.log', 'train-lenet.json', 'train-lenet.log']);

    // The bundled node runs the bundled CLIs directly, too.
    const presets = spawnSync(join(bundle, 'bin/node'), [join(bundle, 'train-cli.mjs'), '--list-presets'], { encoding: 'utf8' });
    expect(presets.status).toBe(0);
    expect(presets.stdout).toMatch(/^LeNet-5 +61,706 params/m);
  }, 120_000);

  it('prints the total size and fails when the folder is over --max-mib', () => {
    const small = join(work, 'small');
    const built = build('--out', small, '--no-data', '--xz-level', '0', '--max-mib', '1');
    expect(built.status).toBe(1);
    expect(built.stdout).toMatch(/total \d+\.\d\d MiB \(\d+ bytes; limit 1 MiB\)/);
    expect(built.stderr).toMatch(/bench:bundle: .*small is \d+\.\d\d MiB, over the 1 MiB limit by \d+\.\d\d MiB/);
  }, 120_000);

  it('refuses to replace a folder that is not an earlier bundle', () => {
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'keep.txt'), 'mine');
    const built = build('--out', other, '--no-data');
    expect(built.status).toBe(1);
    expect(built.stderr).toMatch(/is not empty and holds no bundle\.json: not replacing it/);
    expect(readFileSync(join(other, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
