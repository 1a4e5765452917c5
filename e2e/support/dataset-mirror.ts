/**
 * A loopback HTTP mirror for the dataset specs: serves the real MNIST files from ../shared/data (relative to the
 * repository root) at `<url>/mnist/<file>`, with Range support so a cancelled download resumes, at a rate the test
 * sets (bytes per second; Infinity = as fast as the socket goes), so the progress bar has time to show.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { SHARED_DATA } from './mnist-data';

export { SHARED_DATA };

export interface DatasetMirror {
  /** Base URL; point LAYERLAB_MIRRORS at `${url}/mnist/`. */
  url: string;
  /** Bytes per second for the rest of every body being sent, from now on. */
  rate: number;
  /** Paths requested so far, with their Range header. */
  requests: { path: string; range: string | undefined }[];
  close(): Promise<void>;
}

const SLICE_MS = 50;

export async function startDatasetMirror(rate: number): Promise<DatasetMirror> {
  const mirror: DatasetMirror = { url: '', rate, requests: [], close: async () => undefined };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://mirror').pathname;
    mirror.requests.push({ path, range: req.headers.range });
    const [, dataset, file] = path.split('/');
    const full = dataset && file && basename(file) === file ? join(SHARED_DATA, dataset, file) : '';
    if (!full || !existsSync(full)) return void res.writeHead(404).end('not found');
    const size = statSync(full).size;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= size && range) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    res.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(size - start),
      ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    // Paced by hand: each slice of SLICE_MS may send rate × SLICE_MS bytes (an overdraft is paid back next slice).
    const stream = createReadStream(full, { start, highWaterMark: 64 * 1024 });
    let budget = 0;
    const refill = () => {
      budget = Number.isFinite(mirror.rate) ? Math.min(budget, 0) + (mirror.rate * SLICE_MS) / 1000 : Infinity;
      if (budget > 0 && !res.writableNeedDrain) stream.resume();
    };
    const timer = setInterval(refill, SLICE_MS);
    stream.on('data', (chunk) => {
      budget -= chunk.length;
      if (!res.write(chunk) || budget <= 0) stream.pause();
    });
    res.on('drain', () => budget > 0 && stream.resume());
    stream.on('end', () => {
      clearInterval(timer);
      res.end();
    });
    stream.on('error', () => res.destroy());
    res.on('close', () => {
      clearInterval(timer);
      stream.destroy();
    });
    refill();
  };

  const server = createServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  mirror.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mirror.close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return mirror;
}
