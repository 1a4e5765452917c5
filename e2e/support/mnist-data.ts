/**
 * Real MNIST for the training e2e, without the internet: a loopback mirror serves ../shared/data (the pinned
 * files), the dataset CLI fetches `mnist` from it into the host's data folder (hashes checked, as in the app),
 * and a custom dataset `mnist-5k` is imported from those files: 5,455 training images (with validation_size 455, a
 * run trains on 5,000) and 2,000 test images.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * ../shared/data beside the checkout; a git worktree (../wt/<name>) finds it beside its main checkout instead, the
 * parent of the common .git folder.
 */
function sharedData(): string {
  const beside = resolve(import.meta.dirname, '../../../shared/data');
  if (existsSync(beside)) return beside;
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: import.meta.dirname, encoding: 'utf8' });
    const main = resolve(common.trim(), '../../shared/data');
    return existsSync(main) ? main : beside;
  } catch {
    return beside;
  }
}

// LAYERLAB_SHARED_DATA: a checkout whose shared/ is elsewhere still finds the pinned files.
export const SHARED_DATA = process.env.LAYERLAB_SHARED_DATA ?? sharedData();
export const SUBSET = 'mnist-5k';
const TRAIN_IMAGES = 5_455;
/** The subset's test split: the layer view's picker offers exactly these. */
export const TEST_IMAGES = 2_000;

export interface Mirror {
  /** e.g. http://127.0.0.1:PORT/mnist/ */
  url: string;
  close(): Promise<void>;
}

/** A read-only static server over SHARED_DATA on 127.0.0.1. */
export async function startMirror(): Promise<Mirror> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(SHARED_DATA, path);
    if (!file.startsWith(SHARED_DATA) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Length': statSync(file).size, 'Content-Type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mnist/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

function run(args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(cwd, 'node_modules/tsx/dist/cli.mjs'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => (code === 0 ? done(output) : fail(new Error(`${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/** The first `count` items of an IDX file (images: 16-byte header; labels: 8-byte header). */
function idxHead(bytes: Buffer, count: number): Buffer {
  const dims = bytes[3];
  const header = 4 + 4 * dims;
  const per = dims === 3 ? bytes.readUInt32BE(8) * bytes.readUInt32BE(12) : 1;
  const out = Buffer.from(bytes.subarray(0, header + count * per));
  out.writeUInt32BE(count, 4);
  return out;
}

/** Fetches mnist over the mirror into `<dataDir>/datasets` and imports the subset there. */
export async function prepareMnist(root: string, dataDir: string, mirror: Mirror): Promise<void> {
  const cache = join(dataDir, 'datasets');
  await run(['src-main/services/datasets/cli.ts', 'fetch', 'mnist', '--mirror', mirror.url, '--cache', cache], root);
  const subsetDir = join(dataDir, 'subset');
  mkdirSync(subsetDir, { recursive: true });
  const files: [string, string, number][] = [
    ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte', TRAIN_IMAGES],
    ['train-labels-idx1-ubyte.gz', 'train-labels-idx1-ubyte', TRAIN_IMAGES],
    ['t10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte', TEST_IMAGES],
    ['t10k-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte', TEST_IMAGES],
  ];
  const written: string[] = [];
  for (const [gz, raw, count] of files) {
    const out = join(subsetDir, raw);
    writeFileSync(out, idxHead(gunzipSync(readFileSync(join(cache, 'mnist', gz))), count));
    written.push(out);
  }
  await run(['src-main/services/datasets/cli.ts', 'import', SUBSET, ...written, '--cache', cache], root);
}

/** Fetches the whole of Fashion-MNIST over the mirror into `<dataDir>/datasets` (hashes checked, as in the app). */
export async function prepareFashionMnist(root: string, dataDir: string, mirror: Mirror): Promise<void> {
  const url = mirror.url.replace(/mnist\/$/, 'fashion-mnist/');
  await run(['src-main/services/datasets/cli.ts', 'fetch', 'fashion-mnist', '--mirror', url, '--cache', join(dataDir, 'datasets')], root);
}
