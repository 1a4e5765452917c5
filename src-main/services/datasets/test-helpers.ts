/**
 * Test helpers (not shipped): a loopback HTTP mirror with fault injection, and tiny IDX fixtures with their own
 * catalogue entry. Tests never touch the internet.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeIdx } from '../../../common/idx';
import { mulberry32 } from '../../../common/split';
import type { CatalogueEntry, DatasetRole } from './catalogue';

/** /work/shared/data, found as ../shared/data from the repository root. */
export const SHARED_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');

/**
 * ok; 404; 500 (answers 503); cut (half the body, then the socket is destroyed); stall (10 bytes, then silence);
 * wrong (same length, flipped bits); destroy (socket closed before any answer); redirect (302 to /moved<path>);
 * norange (ignores Range, answers 200 with everything); encoded (labels the body Content-Encoding: gzip).
 */
export type Fault = 'ok' | '404' | '500' | 'cut' | 'stall' | 'wrong' | 'destroy' | 'redirect' | 'norange' | 'encoded';

export interface SeenRequest {
  path: string;
  range: string | undefined;
}

export interface TestMirror {
  /** Base URL for a mirror prefix, e.g. url('m1') → http://127.0.0.1:PORT/m1/ */
  url(prefix: string): string;
  /** Every request so far. */
  seen: SeenRequest[];
  /** Decides per request; default 'ok'. `n` counts earlier requests for the same path. */
  fault: (path: string, n: number) => Fault;
  close(): Promise<void>;
}

/** Serves `files` (by file name, under any prefix) with Range support and the fault the test chooses. */
export async function startMirror(files: Record<string, Uint8Array>): Promise<TestMirror> {
  const seen: SeenRequest[] = [];
  const mirror: TestMirror = { url: () => '', seen, fault: () => 'ok', close: async () => undefined };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const n = seen.filter((s) => s.path === path).length;
    seen.push({ path, range: req.headers.range });
    const body = files[path.split('/').pop() ?? ''];
    const fault = mirror.fault(path, n);
    if (fault === 'destroy') return req.socket.destroy();
    if (fault === '404' || !body) return res.writeHead(404).end('not found');
    if (fault === '500') return res.writeHead(503).end('unavailable');
    if (fault === 'redirect') return res.writeHead(302, { location: `/moved${path}` }).end();
    let data = body;
    if (fault === 'wrong') data = body.map((b) => b ^ 0xff);
    const range = fault === 'norange' ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= data.length && range) return res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    const part = data.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': String(part.length),
      'content-type': 'application/octet-stream',
      ...(range ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
      ...(fault === 'encoded' ? { 'content-encoding': 'gzip' } : {}),
    });
    if (fault === 'stall') return void res.write(part.subarray(0, Math.min(10, part.length)));
    if (fault === 'cut') {
      res.write(part.subarray(0, Math.floor(part.length / 2)), () => setTimeout(() => req.socket.destroy(), 10));
      return;
    }
    res.end(part);
  };
  const server: Server = createServer(handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  mirror.url = (prefix) => `http://127.0.0.1:${port}/${prefix}/`;
  mirror.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return mirror;
}

/** A URL where nothing listens (a port we opened and closed). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return `http://127.0.0.1:${port}/gone/`;
}

export interface TinyDataset {
  entry: CatalogueEntry;
  /** gzipped bytes by file name */
  files: Record<string, Uint8Array>;
  /** raw IDX bytes by role */
  raw: Record<DatasetRole, Uint8Array>;
  trainLabels: Uint8Array;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * A dataset like MNIST in miniature: `train` and `test` samples of size×size random pixels (incompressible, so the
 * .gz is big enough to cut in half), labels 0..9 in turn.
 */
export function tinyDataset(name = 'tiny', train = 240, test = 40, size = 16, seed = 1): TinyDataset {
  const random = mulberry32(seed);
  const pixels = (n: number) => Uint8Array.from({ length: n * size * size }, () => Math.floor(random() * 256));
  const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10);
  const trainLabels = labels(train);
  const raw: Record<DatasetRole, Uint8Array> = {
    trainImages: writeIdx({ shape: [train, size, size], data: pixels(train) }),
    trainLabels: writeIdx({ shape: [train], data: trainLabels }),
    testImages: writeIdx({ shape: [test, size, size], data: pixels(test) }),
    testLabels: writeIdx({ shape: [test], data: labels(test) }),
  };
  const names: Record<DatasetRole, string> = {
    trainImages: 'train-images-idx3-ubyte.gz', trainLabels: 'train-labels-idx1-ubyte.gz',
    testImages: 't10k-images-idx3-ubyte.gz', testLabels: 't10k-labels-idx1-ubyte.gz',
  };
  const shapes: Record<DatasetRole, number[]> = {
    trainImages: [train, size, size], trainLabels: [train], testImages: [test, size, size], testLabels: [test],
  };
  const files: Record<string, Uint8Array> = {};
  const entry: CatalogueEntry = {
    name, title: `Tiny ${name}`, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], mirrors: [],
    files: (Object.keys(raw) as DatasetRole[]).map((role) => {
      const gz = new Uint8Array(gzipSync(raw[role]));
      files[names[role]] = gz;
      return { role, name: names[role], size: gz.length, sha256: sha(gz), rawSha256: sha(raw[role]), shape: shapes[role] };
    }),
  };
  return { entry, files, raw, trainLabels };
}
