/**
 * Weights in and out of the UI, kept free of Svelte so it can be tested with a fake API: a run's checkpoint read
 * page by page into one `.safetensors` file (and the PyTorch twin that loads it), and a picked file uploaded page by
 * page for the engine host's `run-import`. Pages and limits: common/weights-api.ts.
 */
import type { LayerLabApi } from '../../../../common/api';
import type { ModelSpec } from '../../../../common/model-spec';
import type { CheckpointRef, RunSummary } from '../../../../common/training-protocol';
import type { EngineChannel } from '../../lib/host/host';
import { engineText, englishText, type EngineText } from '../../../../common/engine-text';
import { WEIGHTS_CHUNK_BYTES, WEIGHTS_MAX_BYTES } from '../../../../common/weights-api';

export type WeightsApi = Pick<LayerLabApi, 'readRunWeights' | 'uploadWeights'>;

/** A refusal from main or the engine (too large, not safetensors, changed, not found, does not fit), with its words and their code. */
export class WeightsError extends Error {
  constructor(readonly code: string, message: string, readonly text?: EngineText) {
    super(message);
  }
}

/** A refusal of the page's own, in the same sentences main's weights service says (common/engine-text.ts). */
const weightsError = (code: string, text: EngineText): WeightsError => new WeightsError(code, englishText(text), text);

/** The whole checkpoint file, every page from the same version of it. */
export async function fetchRunWeights(api: WeightsApi, runId: string, checkpoint: CheckpointRef): Promise<{ fileName: string; bytes: Uint8Array }> {
  let version: string | undefined;
  let fileName = '';
  let bytes = new Uint8Array(0);
  let offset = 0;
  do {
    const envelope = await api.readRunWeights({ runId, checkpoint, offset, ...(version ? { version } : {}) });
    if (!envelope.ok) throw new WeightsError(envelope.error.code, envelope.error.message, envelope.error.text);
    const page = envelope.value;
    if (version === undefined) {
      version = page.version;
      fileName = page.fileName;
      bytes = new Uint8Array(page.size);
    }
    const chunk = decodeBase64(page.base64);
    // A page that brings nothing before the end would loop for ever: the file shrank under us.
    if (chunk.length === 0 && offset < bytes.length) throw weightsError('changed', engineText('weights.endedEarly', {}));
    bytes.set(chunk, offset);
    offset += chunk.length;
  } while (offset < bytes.length);
  return { fileName, bytes };
}

/** What uploadWeightsFile needs of a picked File. */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Uploads a picked file in order; resolves to the upload id `run-import` takes. Too large is refused before reading. */
export async function uploadWeightsFile(api: WeightsApi, file: PickedFile): Promise<string> {
  if (file.size > WEIGHTS_MAX_BYTES) {
    throw weightsError('too-large', engineText('weights.upload.tooLarge', {
      file: file.name, size: `${Math.round(file.size / 1048576)} MB`, max: `${WEIGHTS_MAX_BYTES / 1048576} MB`,
    }));
  }
  let uploadId: string | null = null;
  let offset = 0;
  for (;;) {
    const chunk = new Uint8Array(await file.slice(offset, offset + WEIGHTS_CHUNK_BYTES).arrayBuffer());
    const envelope = await api.uploadWeights({ uploadId, fileName: file.name, size: file.size, offset, base64: encodeBase64(chunk) });
    if (!envelope.ok) throw new WeightsError(envelope.error.code, envelope.error.message, envelope.error.text);
    uploadId = envelope.value.uploadId;
    offset = envelope.value.received;
    if (envelope.value.complete) return uploadId;
    if (chunk.length === 0) throw weightsError('bad-file', engineText('weights.upload.short', { file: file.name }));
  }
}

/**
 * Asks the engine host to load an upload into `spec` (`run-import`); resolves to the run that now holds the weights,
 * or rejects with the engine's words (a mismatch names every key, shape and dtype). An engine that restarts drops
 * the request: after `timeoutMs` it says so rather than wait for ever.
 */
export function importWeights(
  engine: EngineChannel, request: { requestId: number; spec: ModelSpec; uploadId: string; fileName: string }, timeoutMs = 120_000,
): Promise<RunSummary> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(weightsError('timeout', engineText('weights.timeout', {})));
    }, timeoutMs);
    const stop = engine.subscribe((event) => {
      if (event.type === 'run-imported' && event.requestId === request.requestId) {
        clearTimeout(timer);
        stop();
        resolve(event.run);
      } else if (event.type === 'error' && event.requestType === 'run-import' && event.requestId === request.requestId) {
        clearTimeout(timer);
        stop();
        reject(new WeightsError('mismatch', event.message, event.text));
      }
    });
    engine.post({ type: 'run-import', ...request });
  });
}

// Where Export .py and `npm run export` write it too: one writer, the same bytes.
export { twinForRun } from '../../../../common/twin-file';

export function encodeBase64(bytes: Uint8Array): string {
  let text = '';
  // In slices: String.fromCharCode(...4 MB) would overflow the argument stack.
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function decodeBase64(base64: string): Uint8Array {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
