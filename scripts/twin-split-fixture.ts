/**
 * Regenerates common/model-spec/fixtures/twin-split.json: the PyTorch twin's own split and batch order, written by the
 * twin itself (`--save-split`) under a real Python, so twin-split.test.ts can check that the app computes the same
 * indices without PyTorch in CI.
 *
 *   npx tsx scripts/twin-split-fixture.ts [--python /usr/bin/python3] [--mnist ../shared/data/mnist]
 *
 * The twin imports torch, so the Python needs PyTorch. Cases run on a small synthetic dataset whose labels are
 * stored in the fixture (skewed class counts, so the largest-remainder quotas matter); where the MNIST folder
 * exists, one case also runs on its 60,000 training labels and stores digests of the indices.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeIdx } from '../common/idx';
import { mulberry32 } from '../common/split';
import { getPreset } from '../common/model-spec/presets';
import { toPyTorch, TWIN_SPLIT_CODE } from '../common/model-spec/pytorch';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'common/model-spec/fixtures/twin-split.json');

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const python = option('--python', '/usr/bin/python3');
const mnist = resolve(option('--mnist', join(ROOT, '../shared/data/mnist')));

/** Digest of indices as int32 little-endian bytes: how the test compares 60,000 indices without storing them. */
function indexDigest(values: ArrayLike<number>): string {
  return createHash('sha256').update(new Uint8Array(Int32Array.from(values).buffer)).digest('hex');
}

/** 997 labels, class k about (k + 1) times as common as class 0, in a shuffled order. */
function syntheticLabels(): Uint8Array {
  const random = mulberry32(2026);
  return Uint8Array.from({ length: 997 }, () => Math.floor(Math.sqrt(random() * 100)));
}

interface Case {
  seed: number;
  valSize: number;
  shuffle: boolean;
  epochs: number;
}

interface Saved {
  seed: number;
  train: number[];
  validation: number[];
  epochs: number[][];
}

function runTwin(script: string, data: string, c: Case, dir: string): Saved {
  const out = join(dir, 'split.json');
  const args = [script, '--data', data, '--seed', String(c.seed), '--val-size', String(c.valSize), '--epochs', String(c.epochs), '--save-split', out];
  if (!c.shuffle) args.push('--no-shuffle');
  const result = spawnSync(python, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${python} ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Saved;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'twin-split-'));
  try {
    const script = join(dir, 'twin.py');
    writeFileSync(script, toPyTorch(getPreset('MLP')!));
    const labels = syntheticLabels();
    const data = join(dir, 'data');
    mkdirSync(data);
    const write = (file: string, bytes: Uint8Array) => writeFileSync(join(data, file), gzipSync(bytes));
    write('train-images-idx3-ubyte.gz', writeIdx({ shape: [labels.length, 28, 28], data: new Uint8Array(labels.length * 784) }));
    write('train-labels-idx1-ubyte.gz', writeIdx({ shape: [labels.length], data: labels }));
    write('t10k-images-idx3-ubyte.gz', writeIdx({ shape: [1, 28, 28], data: new Uint8Array(784) }));
    write('t10k-labels-idx1-ubyte.gz', writeIdx({ shape: [1], data: new Uint8Array(1) }));

    const cases: Case[] = [
      { seed: 0, valSize: 100, shuffle: true, epochs: 2 },
      { seed: 4_294_967_295, valSize: 333, shuffle: true, epochs: 1 },
      { seed: 7, valSize: 0, shuffle: true, epochs: 1 },
      { seed: 12, valSize: 996, shuffle: false, epochs: 1 },
    ];
    const synthetic = cases.map((c) => ({ ...c, ...runTwin(script, data, c, dir) }));

    let real: object | null = null;
    if (existsSync(join(mnist, 'train-labels-idx1-ubyte.gz'))) {
      const c: Case = { seed: 42, valSize: 10_000, shuffle: true, epochs: 1 };
      const saved = runTwin(script, mnist, c, dir);
      real = {
        ...c, train: saved.train.length, validation: saved.validation.length,
        validationSha256: indexDigest(saved.validation), firstEpochSha256: indexDigest(saved.epochs[0]),
        validationHead: saved.validation.slice(0, 10), firstEpochHead: saved.epochs[0].slice(0, 10),
      };
    }
    const version = spawnSync(python, ['-c', 'import sys, torch; print(sys.version.split()[0], torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
    const fixture = {
      generatedBy: 'scripts/twin-split-fixture.ts', python: `Python ${version.replace(' ', ', PyTorch ')}`,
      twinSplitCodeSha256: createHash('sha256').update(TWIN_SPLIT_CODE.join('\n')).digest('hex'),
      labels: Array.from(labels), cases: synthetic, mnist: real,
    };
    writeFileSync(OUT, `${JSON.stringify(fixture)}\n`);
    console.log(`wrote ${OUT} (${synthetic.length} synthetic cases${real ? ', MNIST' : ', no MNIST folder'}; ${fixture.python})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
