import { describe, expect, it } from 'vitest';
import { fail, ok } from '../../../../common/envelope';
import { getPreset } from '../../../../common/model-spec';
import type { EngineEvent, EngineRequest } from '../../../../common/engine-protocol';
import type { RunMeta } from '../../../../common/training-protocol';
import { WEIGHTS_CHUNK_BYTES, type RunWeightsRequest, type WeightsUploadChunk } from '../../../../common/weights-api';
import type { EngineChannel } from '../../lib/host/host';
import { decodeBase64, encodeBase64, fetchRunWeights, importWeights, twinForRun, uploadWeightsFile, type WeightsApi } from './weights-transfer';

/** A file of `size` bytes whose every byte says where it is: a page from the wrong place shows at once. */
function fileOf(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 8)) & 255;
  return bytes;
}

/** Main's side as the renderer sees it: pages of `file`, and uploads assembled in order, as main does. */
function fakeApi(file: Uint8Array, options: { changeAfter?: number } = {}) {
  const asked: RunWeightsRequest[] = [];
  const received: WeightsUploadChunk[] = [];
  let assembled = new Uint8Array(0);
  const api: WeightsApi = {
    async readRunWeights(request) {
      asked.push(request);
      const version = options.changeAfter !== undefined && asked.length > options.changeAfter ? 'v2' : 'v1';
      if (request.version && request.version !== version) return fail('changed', 'The checkpoint changed while it was being downloaded; download it again.');
      const page = file.subarray(request.offset, request.offset + WEIGHTS_CHUNK_BYTES);
      return ok({ fileName: 'MLP-last.safetensors', size: file.length, offset: request.offset, base64: encodeBase64(page), version });
    },
    async uploadWeights(chunk) {
      received.push(chunk);
      if (chunk.offset !== assembled.length) return fail('bad-request', `expected offset ${assembled.length}`);
      const bytes = decodeBase64(chunk.base64);
      const next = new Uint8Array(assembled.length + bytes.length);
      next.set(assembled);
      next.set(bytes, assembled.length);
      assembled = next;
      return ok({ uploadId: 'a'.repeat(24), received: assembled.length, complete: assembled.length === chunk.size });
    },
  };
  return { api, asked, received, assembled: () => assembled };
}

/** Whether two byte arrays are equal; toEqual over megabytes walks them with its diff machinery for minutes. */
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

const picked = (bytes: Uint8Array, name = 'mlp.safetensors') => ({
  name, size: bytes.length, slice: (a: number, b: number) => ({ arrayBuffer: async () => bytes.slice(a, b).buffer as ArrayBuffer }),
});

describe('weights out', () => {
  it('assembles a checkpoint of several pages byte for byte, every page from the first page\'s version', async () => {
    const file = fileOf(WEIGHTS_CHUNK_BYTES + 12_345);
    const { api, asked } = fakeApi(file);
    const got = await fetchRunWeights(api, '20261204-220000-abcd', 'last');
    expect(got.fileName).toBe('MLP-last.safetensors');
    expect(same(got.bytes, file)).toBe(true);
    expect(asked.map((r) => [r.offset, r.version])).toEqual([[0, undefined], [WEIGHTS_CHUNK_BYTES, 'v1']]);
  });

  it('says so when the file changed between pages (a running run saved its next epoch)', async () => {
    const { api } = fakeApi(fileOf(WEIGHTS_CHUNK_BYTES + 1), { changeAfter: 1 });
    await expect(fetchRunWeights(api, '20261204-220000-abcd', 'last')).rejects.toMatchObject({ code: 'changed', message: expect.stringMatching(/download it again/) });
  });

  it('writes a twin that loads the file saved beside it, with the run\'s own settings', () => {
    const spec = getPreset('MLP')!;
    const meta = { options: { epochs: 7, seed: 3, earlyStopping: { patience: 2 }, clipGradNorm: 1.5 } } as RunMeta;
    const twin = twinForRun(spec, meta, 'MLP-2026-12-04-last.safetensors');
    expect(twin.fileName).toBe('mlp_2026_12_04_last.py');
    expect(twin.code).toContain(`parser.add_argument("--init", default='MLP-2026-12-04-last.safetensors'`);
    expect(twin.code).toContain('parser.add_argument("--epochs", type=int, default=7)');
    expect(twin.code).toContain('default=3, help="the run\'s seed');
    expect(twin.code).toContain('PATIENCE = 2');
    expect(twin.code).toContain('MAX_NORM = 1.5');
    expect(twin.code).toContain('    model.load_state_dict(load_safetensors(args.init))');
  });
});

describe('weights in', () => {
  it('uploads a file in order, in pages main accepts, and resolves to the upload id', async () => {
    const file = fileOf(WEIGHTS_CHUNK_BYTES + 99);
    const { api, received, assembled } = fakeApi(new Uint8Array(0));
    await expect(uploadWeightsFile(api, picked(file))).resolves.toBe('a'.repeat(24));
    expect(received.map((c) => [c.uploadId, c.offset, c.size])).toEqual([[null, 0, file.length], ['a'.repeat(24), WEIGHTS_CHUNK_BYTES, file.length]]);
    expect(same(assembled(), file)).toBe(true);
  });

  it('refuses a file over the limit before reading a byte of it', async () => {
    const { api, received } = fakeApi(new Uint8Array(0));
    const huge = { name: 'huge.safetensors', size: 300 * 1048576, slice: () => { throw new Error('read'); } };
    await expect(uploadWeightsFile(api, huge)).rejects.toMatchObject({ code: 'too-large', message: 'huge.safetensors is 300 MB; LayerLab loads weights files up to 256 MB.' });
    expect(received).toEqual([]);
  });

  it('passes on main\'s refusal in main\'s words', async () => {
    const api: WeightsApi = {
      readRunWeights: async () => fail('internal', 'unused'),
      uploadWeights: async () => fail('bad-file', 'notes.txt cannot be loaded: its header is not a JSON object'),
    };
    await expect(uploadWeightsFile(api, picked(fileOf(100), 'notes.txt'))).rejects.toMatchObject({ code: 'bad-file', message: 'notes.txt cannot be loaded: its header is not a JSON object' });
  });

  it('waits for its own run-import answer: the new run, or the engine\'s mismatch', async () => {
    const listeners = new Set<(e: EngineEvent) => void>();
    const posted: EngineRequest[] = [];
    const engine: EngineChannel = {
      post: (m) => posted.push(m),
      subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
      onBind: () => () => undefined,
    };
    const emit = (e: EngineEvent) => [...listeners].forEach((l) => l(e));
    const spec = getPreset('MLP')!;
    const done = importWeights(engine, { requestId: 5, spec, uploadId: 'a'.repeat(24), fileName: 'mlp.safetensors' });
    expect(posted).toEqual([{ type: 'run-import', requestId: 5, spec, uploadId: 'a'.repeat(24), fileName: 'mlp.safetensors' }]);
    const run = { id: '20261204-220000-abcd', name: 'MLP from mlp.safetensors' } as never;
    emit({ type: 'run-imported', requestId: 4, run });
    emit({ type: 'run-imported', requestId: 5, run });
    await expect(done).resolves.toBe(run);
    expect(listeners.size).toBe(0);

    const refused = importWeights(engine, { requestId: 6, spec, uploadId: 'a'.repeat(24), fileName: 'x.safetensors' });
    emit({ type: 'error', requestType: 'run-import', requestId: 6, message: 'x.safetensors does not fit MLP: Sequential.loadStateDict: missing keys: 2.weight' });
    await expect(refused).rejects.toThrow('x.safetensors does not fit MLP: Sequential.loadStateDict: missing keys: 2.weight');
  });
});
