/**
 * Weights out of a run and back into a builder model, through main's WeightsService (what the API handlers call)
 * and the real engine host in a child process: the pages of a checkpoint are the file on disk, a file loaded into
 * the same spec predicts exactly as the run did, and every mismatch (keys, shapes, dtypes), a corrupt file and a
 * file too large get a plain refusal that leaves nothing behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../common/engine-protocol';
import type { ModelSpec } from '../../../common/model-spec/types';
import { WEIGHTS_CHUNK_BYTES } from '../../../common/weights-api';
import { logisticSpec, startHarness, syntheticIdx, type Harness } from './test-support/harness';
import { fileStem, WeightsService } from './weights';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

let h: Harness;
let weights: WeightsService;
let runId: string;
let nextRequest = 1;

async function request<T extends EngineEvent>(message: Record<string, unknown>, type: T['type']): Promise<T> {
  const requestId = nextRequest++;
  const from = h.events.length;
  h.send({ ...message, requestId });
  const e = await h.waitFor<T>((x) => (x.type === type || x.type === 'error') && (x as { requestId?: number }).requestId === requestId, { from });
  if (e.type === 'error') throw new Error((e as Ev<'error'>).message);
  return e;
}

/** Every page of a checkpoint, as a learner's download would assemble them. */
async function download(checkpoint: 'last' | 'best' | number): Promise<{ fileName: string; bytes: Buffer }> {
  const first = await weights.read({ runId, checkpoint, offset: 0 });
  const pages = [Buffer.from(first.base64, 'base64')];
  for (let offset = pages[0].length; offset < first.size; offset += pages.at(-1)!.length) {
    pages.push(Buffer.from((await weights.read({ runId, checkpoint, offset, version: first.version })).base64, 'base64'));
  }
  return { fileName: first.fileName, bytes: Buffer.concat(pages) };
}

/** Uploads `bytes` the way the renderer does (chunks in order) and loads them into `spec`; resolves to the new run. */
async function load(bytes: Uint8Array, spec: ModelSpec, fileName = 'model.safetensors') {
  let receipt = await weights.upload({ uploadId: null, fileName, size: bytes.length, offset: 0, base64: Buffer.from(bytes.subarray(0, WEIGHTS_CHUNK_BYTES)).toString('base64') });
  while (!receipt.complete) {
    const at = receipt.received;
    receipt = await weights.upload({ uploadId: receipt.uploadId, fileName, size: bytes.length, offset: at, base64: Buffer.from(bytes.subarray(at, at + WEIGHTS_CHUNK_BYTES)).toString('base64') });
  }
  return (await request<Ev<'run-imported'>>({ type: 'run-import', spec, uploadId: receipt.uploadId, fileName }, 'run-imported')).run;
}

/** A safetensors file written by hand (8-byte header size, JSON header, little-endian data), as PyTorch would. */
function safetensors(tensors: Record<string, { dtype: 'F32' | 'F64' | 'I32'; shape: number[]; data: Float32Array | Float64Array | Int32Array }>): Uint8Array {
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.byteLength] };
    at += t.data.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, ...Object.values(tensors).map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);
}

const image = () => Array.from(syntheticIdx('learnable', 1, 99).images.subarray(0, 784));
const predict = (id: string) => request<Ev<'prediction'>>({ type: 'predict', runId: id, image: image() }, 'prediction');
const leftovers = () => (existsSync(join(h.runs.runsDir, '.imports')) ? readdirSync(join(h.runs.runsDir, '.imports')) : []);

beforeAll(async () => {
  h = await startHarness();
  await h.waitReady();
  weights = new WeightsService(h.runs.runsDir);
  const from = h.events.length;
  h.send({ type: 'run-start', spec: logisticSpec(), dataset: 'synth', options: { epochs: 2, name: 'Logistic 2026-12-04 21:57' } });
  runId = (await h.waitFor<Ev<'run-started'>>((e) => e.type === 'run-started', { from })).runId;
  await h.waitFor((e) => e.type === 'run-state' && e.run.id === runId && e.run.state === 'completed', { from });
});
afterAll(async () => {
  await h?.close();
});

describe('a run\'s weights out', () => {
  it('pages through exactly the checkpoint file on disk, named after the run and the checkpoint', async () => {
    const last = await download('last');
    expect(last.bytes.equals(readFileSync(join(h.runs.runsDir, runId, 'weights.safetensors')))).toBe(true);
    expect(last.fileName).toBe('Logistic-2026-12-04-21-57-last.safetensors');
    const epoch1 = await download(1);
    expect(epoch1.bytes.equals(readFileSync(join(h.runs.runsDir, runId, 'epochs', 'epoch-001.safetensors')))).toBe(true);
    expect((await download('best')).fileName).toMatch(/-best-epoch-[12]\.safetensors$/);
  });

  it('refuses a page of a file that changed since the first page, an unknown run and a missing epoch', async () => {
    const first = await weights.read({ runId, checkpoint: 'last', offset: 0 });
    await expect(weights.read({ runId, checkpoint: 'last', offset: 0, version: `${first.version}0` })).rejects.toMatchObject({ code: 'changed' });
    await expect(weights.read({ runId: '20990101-000000-none', checkpoint: 'last', offset: 0 })).rejects.toMatchObject({ code: 'not-found' });
    await expect(weights.read({ runId, checkpoint: 9, offset: 0 })).rejects.toThrow('has no checkpoint for epoch 9 yet');
  });

  it('names files safely', () => {
    expect(fileStem('LeNet-5 2026-12-04 21:57')).toBe('LeNet-5-2026-12-04-21-57');
    expect(fileStem('../../etc/passwd')).toBe('etc-passwd');
    expect(fileStem('///')).toBe('weights');
  });
});

describe('a .safetensors file into a builder model', () => {
  it('loads the run\'s own file into a fresh model of the same spec: a stopped run that predicts identically', async () => {
    const { bytes } = await download('last');
    const imported = await load(bytes, logisticSpec(), 'logistic.safetensors');
    expect(imported).toMatchObject({ name: 'Logistic from logistic.safetensors', state: 'stopped', epochsDone: 0 });
    expect(imported.id).not.toBe(runId);
    expect((await predict(imported.id)).probabilities).toEqual((await predict(runId)).probabilities);
    expect(leftovers()).toEqual([]);
  });

  it('takes a file PyTorch could have written (header order of its own, F32), and names every mismatch as PyTorch does', async () => {
    const w = new Float32Array(7840).map((_, i) => Math.sin(i) / 10);
    const b = new Float32Array(10).fill(0.5);
    await expect(load(safetensors({ '0.bias': { dtype: 'F32', shape: [10], data: b }, '0.weight': { dtype: 'F32', shape: [10, 784], data: w } }), logisticSpec())).resolves.toMatchObject({ state: 'stopped' });

    // A hidden layer the file does not have: the engine's strict load lists every problem in one message.
    const mlp: ModelSpec = {
      ...logisticSpec(),
      name: 'MLP',
      nodes: [
        { id: 'input', op: 'Input', params: { shape: [784] } },
        { id: 'fc1', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } },
        { id: 'fc2', op: 'Linear', params: { inFeatures: 10, outFeatures: 10 } },
      ],
      edges: [{ from: 'input', to: 'fc1' }, { from: 'fc1', to: 'fc2' }],
    };
    const file = safetensors({ '0.weight': { dtype: 'F32', shape: [10, 784], data: w }, '0.bias': { dtype: 'F32', shape: [10], data: b }, 'extra': { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    await expect(load(file, mlp, 'net.safetensors')).rejects.toThrow(/^net\.safetensors does not fit MLP: \w+\.loadStateDict: missing keys: 1\.weight, 1\.bias; unexpected keys: extra$/);

    const shapes = safetensors({ '0.weight': { dtype: 'F32', shape: [784, 10], data: w }, '0.bias': { dtype: 'F32', shape: [10], data: b } });
    await expect(load(shapes, logisticSpec())).rejects.toThrow('size mismatch for 0.weight: copying a param with shape [784,10], the shape in this model is [10,784]');

    const doubles = safetensors({ '0.weight': { dtype: 'F64', shape: [10, 784], data: Float64Array.from(w) }, '0.bias': { dtype: 'I32', shape: [10], data: new Int32Array(10) } });
    await expect(load(doubles, logisticSpec())).rejects.toThrow(
      'dtype mismatch for 0.weight: copying a param with dtype float64, the dtype in this model is float32; dtype mismatch for 0.bias: copying a param with dtype int32, the dtype in this model is float32',
    );
    expect(leftovers()).toEqual([]);
  });

  it('refuses a file that is not safetensors, one cut short, and one too large, in main, keeping nothing', async () => {
    const text = Buffer.from('{"not": "weights"}, and some more text to be long enough');
    await expect(load(text, logisticSpec(), 'notes.safetensors')).rejects.toMatchObject({ code: 'bad-file', message: expect.stringMatching(/^notes\.safetensors cannot be loaded: its first 8 bytes say the header is \d+ bytes long/) });
    const { bytes } = await download('last');
    // Framed well enough for main, but its tensors run past the end: the engine's reader says so.
    const cut = bytes.subarray(0, bytes.length - 100);
    await expect(load(cut, logisticSpec(), 'cut.safetensors')).rejects.toThrow(/^cut\.safetensors is not a readable \.safetensors file: /);
    const small = new WeightsService(h.runs.runsDir, { maxBytes: 1000 });
    await expect(small.upload({ uploadId: null, fileName: 'big.safetensors', size: bytes.length, offset: 0, base64: '' }))
      .rejects.toMatchObject({ code: 'too-large', message: `big.safetensors is ${Math.ceil(bytes.length / 1024)} KB; LayerLab loads weights files up to 1 KB.` });
    // Out of order: the upload ends, and its half-written file with it.
    const first = await weights.upload({ uploadId: null, fileName: 'x.safetensors', size: bytes.length, offset: 0, base64: Buffer.from(bytes.subarray(0, 100)).toString('base64') });
    expect(first).toMatchObject({ received: 100, complete: false });
    await expect(weights.upload({ uploadId: first.uploadId, fileName: 'x.safetensors', size: bytes.length, offset: 50, base64: 'AAAA' })).rejects.toThrow('expected the chunk at offset 100, got 50');
    await expect(weights.upload({ uploadId: first.uploadId, fileName: 'x.safetensors', size: bytes.length, offset: 100, base64: 'AAAA' })).rejects.toMatchObject({ code: 'not-found' });
    expect(leftovers()).toEqual([]);
    // A file uploaded and never imported does not stay for good, and a page cannot hold uploads without end.
    const brief = new WeightsService(h.runs.runsDir, { uploadTtlMs: 50 });
    const whole = { fileName: 'w.safetensors', size: bytes.length, offset: 0, base64: Buffer.from(bytes).toString('base64') };
    const kept = await brief.upload({ uploadId: null, ...whole });
    expect(kept.complete).toBe(true);
    expect(leftovers()).toEqual([`${kept.uploadId}.safetensors`]);
    await new Promise((r) => setTimeout(r, 80));
    const partial = { fileName: 'p.safetensors', size: bytes.length, offset: 0, base64: Buffer.from(bytes.subarray(0, 100)).toString('base64') };
    const next = await brief.upload({ uploadId: null, ...partial });
    expect(leftovers()).toEqual([`${next.uploadId}.safetensors.part`]);
    await brief.dispose();
    const capped = new WeightsService(h.runs.runsDir);
    for (let i = 0; i < 8; i++) await capped.upload({ uploadId: null, ...partial });
    await expect(capped.upload({ uploadId: null, ...partial })).rejects.toMatchObject({ code: 'busy' });
    await capped.dispose();
    expect(leftovers()).toEqual([]);

    // The runs are as they were: the trained run and the two files that fitted.
    const from = h.events.length;
    h.send({ type: 'runs-list' });
    const { runs } = await h.waitFor<Ev<'runs'>>((e) => e.type === 'runs', { from });
    expect(runs.length).toBe(3);
  });
});
