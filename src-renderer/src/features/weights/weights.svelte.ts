/**
 * Weights leaving and entering the UI: the Train tab's run downloaded as `.safetensors` with its PyTorch twin
 * beside it, and a `.safetensors` file loaded into the builder's model (a run of its own that Predict and Evaluate
 * can pick). The work is in weights-transfer.ts; this holds what the buttons show.
 */
import type { ModelSpec } from '../../../../common/model-spec';
import type { CheckpointRef } from '../../../../common/training-protocol';
import type { Host } from '../../lib/host/host';
import type { MessageKey } from '../../lib/i18n/en';
import { nextRequestId } from '../predict/predict-logic';
import type { TrainingState } from '../training/training.svelte';
import { download } from '../training/download';
import { fetchRunWeights, importWeights, twinForRun, uploadWeightsFile, type PickedFile, type WeightsError } from './weights-transfer';
import { hostError, type HostError } from '../../lib/i18n/translate';
import { sayEngine } from '../../lib/i18n/i18n.svelte';

export interface WeightsMessage {
  tone: 'ok' | 'error';
  key: MessageKey;
  params: Record<string, string | number>;
  /** What failed, the key's {message}: worded when shown, so that its code reads in the learner's language. */
  error?: HostError;
}

/** A message's parameters, its error (if any) worded in the learner's language as it is shown. */
export function weightsMessageParams(message: WeightsMessage): Record<string, string | number> {
  const { error, params } = message;
  return error ? { ...params, message: sayEngine(error.text && [error.text], error.message) } : params;
}

export class WeightsState {
  #host: Host;
  #training: TrainingState;
  #spec: () => ModelSpec;

  busy = $state<'download' | 'load' | null>(null);
  downloadMessage = $state.raw<WeightsMessage | null>(null);
  loadMessage = $state.raw<WeightsMessage | null>(null);

  /** `spec`: the builder's model now (what a loaded file must fit). */
  constructor(host: Host, training: TrainingState, spec: () => ModelSpec) {
    this.#host = host;
    this.#training = training;
    this.#spec = spec;
  }

  /** The followed run's checkpoint as `<run>-<checkpoint>.safetensors`, and its twin (`--init` that file) beside it. */
  async download(checkpoint: CheckpointRef = 'last'): Promise<void> {
    const runId = this.#training.runId;
    const spec = this.#training.runSpec;
    if (!runId || this.busy) return;
    this.busy = 'download';
    this.downloadMessage = null;
    try {
      const { fileName, bytes } = await fetchRunWeights(this.#host.api, runId, checkpoint);
      download(fileName, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      if (spec) {
        const twin = twinForRun(spec, this.#training.meta?.id === runId ? this.#training.meta : null, fileName);
        download(twin.fileName, twin.code, 'text/x-python');
        this.downloadMessage = { tone: 'ok', key: 'weights.downloaded', params: { file: fileName, twin: twin.fileName } };
      } else {
        this.downloadMessage = { tone: 'ok', key: 'weights.downloadedAlone', params: { file: fileName } };
      }
    } catch (error) {
      this.downloadMessage = { tone: 'error', key: 'weights.downloadFailed', params: {}, error: hostError(error as WeightsError) };
    } finally {
      this.busy = null;
    }
  }

  /** Loads a picked file into the builder's model; the answer (a new run, or the engine's mismatch) is shown. */
  async load(file: PickedFile): Promise<void> {
    if (this.busy) return;
    this.busy = 'load';
    this.loadMessage = null;
    const spec = $state.snapshot(this.#spec()) as ModelSpec;
    try {
      const uploadId = await uploadWeightsFile(this.#host.api, file);
      const run = await importWeights(this.#host.engine, { requestId: nextRequestId(), spec, uploadId, fileName: file.name });
      this.loadMessage = { tone: 'ok', key: 'weights.loaded', params: { file: file.name, model: spec.name ?? '', run: run.name } };
      this.#training.refreshRuns();
    } catch (error) {
      this.loadMessage = { tone: 'error', key: 'weights.loadFailed', params: {}, error: hostError(error as WeightsError) };
    } finally {
      this.busy = null;
    }
  }
}
