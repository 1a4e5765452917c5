/**
 * Downloading one file from an ordered mirror list, safely:
 *  - streamed into `<dest>.part` beside the final name (same folder, so the rename is atomic);
 *  - a cut connection is resumed with `Range: bytes=<have>-` and retried with exponential backoff;
 *  - 404/4xx, 5xx, a stall (no bytes for `stallMs`) or a SHA-256 mismatch moves on to the next mirror;
 *  - the SHA-256 is checked before the rename, so a partial or wrong file never sits under the final name;
 *  - an AbortSignal cancels (the .part stays, so a later fetch resumes);
 *  - a full disk (ENOSPC) is 'disk-full', not a mirror failure to retry, and the .part is removed: left behind it
 *    would keep the disk at 100%.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { get as httpGetPlain, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { open, rename, rm, stat } from 'node:fs/promises';
import { fileUrl } from './catalogue';
import { engineText } from '../../../common/engine-text';
import { DatasetError, cancelledError, datasetError, isDiskFull } from './errors';

export interface DownloadTuning {
  /** No byte for this long → give up on the mirror. Default 15 s. */
  stallMs?: number;
  /** Extra attempts per mirror after a cut or a network error. Default 3. */
  retries?: number;
  /** First backoff delay; doubles each retry. Default 500 ms. */
  backoffMs?: number;
}

export interface FileProgress {
  /** Bytes of this file on disk so far (resumed bytes included). */
  bytes: number;
  total: number;
  mirror: string;
}

export interface DownloadFileOptions extends DownloadTuning {
  file: string;
  mirrors: string[];
  dest: string;
  size: number;
  sha256: string;
  signal?: AbortSignal;
  onProgress?: (p: FileProgress) => void;
  /** Called for each mirror failure (for logs). */
  onMirrorError?: (mirror: string, reason: string) => void;
}

/** What went wrong on one mirror; `kind` decides what the caller reports when all fail. */
interface MirrorFailure {
  mirror: string;
  kind: 'unreachable' | 'http' | 'stall' | 'checksum';
  reason: string;
}

class RetryableCut extends Error {}
class MirrorFailed extends Error {
  constructor(readonly failure: Omit<MirrorFailure, 'mirror'>) {
    super(failure.reason);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Downloads and verifies one file; resolves once `dest` holds exactly the expected bytes. */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const { file, mirrors, dest, size, sha256, signal } = options;
  const part = dest + '.part';
  const failures: MirrorFailure[] = [];
  for (const mirror of mirrors) {
    if (signal?.aborted) throw cancelledError();
    try {
      await fromMirror(mirror, part, options);
      const actual = await sha256File(part);
      if (actual !== sha256) {
        await rm(part, { force: true });
        throw new MirrorFailed({ kind: 'checksum', reason: `SHA-256 mismatch for ${file} (got ${actual.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…)` });
      }
      await rename(part, dest);
      return;
    } catch (err) {
      if (isDiskFull(err)) await rm(part, { force: true });
      if (err instanceof DatasetError) throw err; // cancelled, or the cache folder failed us
      const failure: MirrorFailure =
        err instanceof MirrorFailed
          ? { mirror, ...err.failure }
          : { mirror, kind: 'unreachable', reason: (err as Error).message };
      failures.push(failure);
      options.onMirrorError?.(mirror, failure.reason);
    }
  }
  if (failures.length > 0 && failures.every((f) => f.kind === 'checksum')) {
    throw datasetError('checksum', engineText('dataset.checksum', { file }), failures.map(describe));
  }
  throw datasetError('offline', engineText('dataset.offline.file', { file }), failures.map(describe));
}

const describe = (f: MirrorFailure) => `${f.mirror}: ${f.reason}`;

/** Fills `part` from one mirror, resuming and retrying cuts; throws MirrorFailed to move on. */
async function fromMirror(mirror: string, part: string, options: DownloadFileOptions): Promise<void> {
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 500;
  let attempt = 0;
  for (;;) {
    const before = await sizeOf(part);
    if (before > options.size) await rm(part, { force: true });
    if (before === options.size) return;
    try {
      await request(mirror, part, options);
      return;
    } catch (err) {
      if (!(err instanceof RetryableCut)) throw err;
      // Progress made since the last try resets the budget: a flaky link that keeps delivering gets there.
      if ((await sizeOf(part)) > before) attempt = 0;
      if (attempt >= retries) throw new MirrorFailed({ kind: 'unreachable', reason: `gave up after ${retries + 1} tries: ${err.message}` });
      await sleep(backoff * 2 ** attempt, options.signal);
      attempt++;
    }
  }
}

/**
 * GET with node:http(s), following up to 5 redirects. node:http rather than fetch because fetch transparently
 * inflates a `Content-Encoding: gzip` response (some object stores label .gz files that way), which would change
 * the bytes we hash; node:http hands over exactly what was sent.
 */
function httpGet(url: string, headers: Record<string, string>, signal: AbortSignal, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const target = new URL(url);
    const get = target.protocol === 'https:' ? httpsGet : httpGetPlain;
    const req = get(target, { headers: { ...headers, 'accept-encoding': 'identity', 'user-agent': 'LayerLab' }, signal }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects === 0) return reject(new MirrorFailed({ kind: 'http', reason: `too many redirects at ${url}` }));
        return resolvePromise(httpGet(new URL(location, target).href, headers, signal, redirects - 1));
      }
      resolvePromise(res);
    });
    req.on('error', reject);
  });
}

/** One HTTP request appending to `part`. Network errors and cuts → RetryableCut; bad statuses and stalls → MirrorFailed. */
async function request(mirror: string, part: string, options: DownloadFileOptions): Promise<void> {
  const url = fileUrl(mirror, options.file);
  const have = await sizeOf(part);
  const stallMs = options.stallMs ?? 15_000;
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
  };
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  arm();
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  let response: IncomingMessage | undefined;
  try {
    try {
      response = await httpGet(url, have > 0 ? { range: `bytes=${have}-` } : {}, controller.signal);
    } catch (err) {
      throw classify(err, stalled, options.signal, stallMs);
    }
    const status = response.statusCode ?? 0;
    let offset = have;
    if (status === 206) {
      const range = /bytes (\d+)-/.exec(String(response.headers['content-range'] ?? ''));
      if (!range || Number(range[1]) !== have) {
        await rm(part, { force: true }); // the server resumed somewhere else: start over cleanly
        throw new RetryableCut(`server answered the range request from ${range?.[1] ?? '?'} instead of ${have}`);
      }
    } else if (status === 200) {
      offset = 0; // no range support: start again from the beginning
    } else if (status === 416 && have > 0) {
      await rm(part, { force: true });
      throw new RetryableCut('range not satisfiable; restarting the file');
    } else {
      throw new MirrorFailed({ kind: 'http', reason: `HTTP ${status} ${response.statusMessage ?? ''}`.trim() + ` for ${url}` });
    }
    try {
      fh = await open(part, offset === 0 ? 'w' : 'a');
    } catch (err) {
      if (isDiskFull(err)) throw new DatasetError('disk-full', `The disk is full: ${part} could not be created.`);
      throw datasetError('cache-unwritable', engineText('dataset.cacheWriteFailed', { detail: (err as Error).message }));
    }
    options.onProgress?.({ bytes: offset, total: options.size, mirror });
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        arm();
        offset += chunk.length;
        if (offset > options.size) {
          throw new MirrorFailed({ kind: 'checksum', reason: `${url} sent more than the expected ${options.size} bytes` });
        }
        await fh.write(chunk);
        options.onProgress?.({ bytes: offset, total: options.size, mirror });
      }
    } catch (err) {
      throw classify(err, stalled, options.signal, stallMs);
    }
    if (offset < options.size) throw new RetryableCut(`connection closed at ${offset} of ${options.size} bytes`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    response?.destroy(); // frees the socket whatever happened (a no-op once fully read)
    await fh?.close();
  }
}

function classify(err: unknown, stalled: boolean, signal: AbortSignal | undefined, stallMs: number): Error {
  if (err instanceof DatasetError || err instanceof MirrorFailed) return err;
  // Retrying or another mirror cannot help a full disk.
  if (isDiskFull(err)) return new DatasetError('disk-full', `The disk is full (${(err as NodeJS.ErrnoException).code}).`);
  if (signal?.aborted) return cancelledError();
  if (stalled) return new MirrorFailed({ kind: 'stall', reason: `no data for ${stallMs / 1000} s (stalled)` });
  if (err instanceof RetryableCut) return err;
  const code = (err as NodeJS.ErrnoException).code;
  // Nobody listening or no such host will not change within seconds: next mirror at once. Cuts are retried.
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return new MirrorFailed({ kind: 'unreachable', reason: code });
  }
  return new RetryableCut(code ?? (err as Error).message);
}
