/**
 * A run's folder, `<runs dir>/<id>/` (main chooses the runs dir: the data dir's `runs/`):
 *
 * ```text
 * run.json                  RunMeta; written last after each epoch, so it is the commit point
 * spec.json                 the model spec
 * history.json              RunHistory: one record per epoch, plus markers (lr changes, crashes, divergences)
 * weights.safetensors       the latest weights (after each epoch, and on stop/restore)
 * epochs/epoch-003.safetensors   the weights after epoch 3 (epoch-000: the initial weights)
 * optimizer-003.safetensors the optimizer's (and scheduler's) state after epoch 3; only the latest is kept
 * ```
 * Every file is written to a temporary name and renamed, so a kill -9 leaves either the old or the new file.
 * Weights are safetensors with torch's state-dict names, so PyTorch can load them.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunHistory, RunMeta, RunSummary } from '../../../common/training-protocol';
import { RUN_ID_PATTERN, WEIGHTS_UPLOAD_ID } from '../../../common/training-protocol';
import type { ModelSpec } from '../../../common/model-spec/types';
import { EngineTextError, engineText, type EngineText } from '../../../common/engine-text';
import { io, Tensor, type optim } from '../../../engine/index';

const { loadSafetensors, readSafetensors, saveSafetensors } = io;
type OptimizerStateDict = optim.OptimizerStateDict;
type ParamState = optim.ParamState;
type SchedulerStateDict = optim.SchedulerStateDict;

export interface OptimizerCheckpoint {
  optimizer: OptimizerStateDict;
  scheduler: SchedulerStateDict | null;
}

const pad = (epoch: number) => String(epoch).padStart(3, '0');

export class RunStore {
  constructor(readonly runsDir: string) {}

  /** A weights file main took in for `run-import` (common/weights-api.ts); main and this agree on the place. */
  importPath(uploadId: string): string {
    if (!WEIGHTS_UPLOAD_ID.test(uploadId)) throw new Error(`"${uploadId}" is not an upload id`);
    return join(this.runsDir, '.imports', `${uploadId}.safetensors`);
  }

  dir(id: string): string {
    if (!RUN_ID_PATTERN.test(id)) throw new Error(`"${id}" is not a run id`);
    return join(this.runsDir, id);
  }

  async create(meta: RunMeta, spec: ModelSpec): Promise<void> {
    await mkdir(join(this.dir(meta.id), 'epochs'), { recursive: true });
    await this.#write(meta.id, 'spec.json', JSON.stringify(spec, null, 2));
    await this.writeHistory(meta.id, { epochs: [], markers: [] });
    await this.writeMeta(meta);
  }

  /** `updatedAt`: when the change was made (a live run stamps its meta as it asks); now by default. */
  writeMeta(meta: RunMeta, updatedAt = new Date().toISOString()): Promise<void> {
    return this.#write(meta.id, 'run.json', JSON.stringify({ ...meta, updatedAt }, null, 2));
  }

  writeHistory(id: string, history: RunHistory): Promise<void> {
    return this.#write(id, 'history.json', JSON.stringify(history));
  }

  async readMeta(id: string): Promise<RunMeta> {
    return JSON.parse(await readFile(join(this.dir(id), 'run.json'), 'utf8')) as RunMeta;
  }

  async readSpec(id: string): Promise<ModelSpec> {
    return JSON.parse(await readFile(join(this.dir(id), 'spec.json'), 'utf8')) as ModelSpec;
  }

  async readHistory(id: string): Promise<RunHistory> {
    try {
      return JSON.parse(await readFile(join(this.dir(id), 'history.json'), 'utf8')) as RunHistory;
    } catch {
      return { epochs: [], markers: [] };
    }
  }

  async exists(id: string): Promise<boolean> {
    return this.readMeta(id).then(() => true, () => false);
  }

  /** Every readable run, newest first. Folders without a readable run.json are skipped. */
  async list(): Promise<RunMeta[]> {
    const entries = await readdir(this.runsDir, { withFileTypes: true }).catch(() => []);
    const metas: RunMeta[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !RUN_ID_PATTERN.test(entry.name)) continue;
      const meta = await this.readMeta(entry.name).catch(() => null);
      if (meta) metas.push(meta);
    }
    return metas.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async writeWeights(id: string, which: 'last' | 'partial' | number, state: Record<string, Tensor>): Promise<void> {
    const bytes = saveSafetensors(state, { metadata: { format: 'pt' } });
    await this.#write(id, weightsFile(which), bytes);
  }

  async readWeights(id: string, which: 'last' | 'partial' | number): Promise<Record<string, Tensor>> {
    const file = weightsFile(which);
    try {
      return loadSafetensors(await readFile(join(this.dir(id), file)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new EngineTextError(which === 'last' || which === 'partial'
          ? engineText(`run.noCheckpoint.${which}`, { id })
          : engineText('run.noCheckpoint.epoch', { id, epoch: which }));
      }
      throw error;
    }
  }

  /** Optimizer state as safetensors: one tensor per state array (`state.<param>.<key>`), the rest as metadata. */
  async writeOptimizer(id: string, epoch: number | 'partial', checkpoint: OptimizerCheckpoint): Promise<void> {
    const tensors: Record<string, Tensor> = {};
    const scalars: Record<string, Record<string, number>> = {};
    for (const [index, state] of Object.entries(checkpoint.optimizer.state)) {
      for (const [key, value] of Object.entries(state)) {
        if (typeof value === 'number') (scalars[index] ??= {})[key] = value;
        else tensors[`state.${index}.${key}`] = new Tensor(value.slice(), [value.length]);
      }
    }
    const metadata = {
      paramGroups: JSON.stringify(checkpoint.optimizer.paramGroups),
      scalars: JSON.stringify(scalars),
      scheduler: JSON.stringify(checkpoint.scheduler),
      epoch: String(epoch),
    };
    await this.#write(id, optimizerFile(epoch), saveSafetensors(tensors, { metadata }));
    if (epoch === 'partial') return;
    // Older optimizer states are never needed again: a resume starts from the latest committed epoch.
    for (const name of await readdir(this.dir(id))) {
      const m = /^optimizer-(\d+)\.safetensors$/.exec(name);
      if (m && Number(m[1]) < epoch - 1) await rm(join(this.dir(id), name), { force: true });
    }
  }

  async readOptimizer(id: string, epoch: number | 'partial'): Promise<OptimizerCheckpoint | null> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(this.dir(id), optimizerFile(epoch)));
    } catch {
      return null;
    }
    const { tensors, metadata } = readSafetensors(bytes);
    const meta = metadata ?? {};
    const state: Record<number, ParamState> = {};
    for (const [index, values] of Object.entries(JSON.parse(meta.scalars ?? '{}') as Record<string, Record<string, number>>)) {
      state[Number(index)] = { ...values };
    }
    for (const [name, t] of Object.entries(tensors)) {
      const [, index, key] = name.split('.');
      (state[Number(index)] ??= {})[key] = t.data as Float32Array | Float64Array;
    }
    return {
      optimizer: { state, paramGroups: JSON.parse(meta.paramGroups ?? '[]') },
      scheduler: JSON.parse(meta.scheduler ?? 'null'),
    };
  }

  /**
   * Removes temporary files that a killed engine host left in the run folders (`weights.safetensors.<pid>.tmp`,
   * written and never renamed), so they do not stay for good. A file whose pid is still a live process is left
   * alone: it may be another LayerLab writing. Answers the paths removed.
   */
  async removeStaleTemps(): Promise<string[]> {
    const removed: string[] = [];
    const runs = await readdir(this.runsDir, { withFileTypes: true }).catch(() => []);
    for (const run of runs) {
      if (!run.isDirectory() || !RUN_ID_PATTERN.test(run.name)) continue;
      for (const folder of [join(this.runsDir, run.name), join(this.runsDir, run.name, 'epochs')]) {
        for (const name of await readdir(folder).catch(() => [] as string[])) {
          const pid = /\.(\d+)\.tmp$/.exec(name)?.[1];
          if (pid === undefined || isAlive(Number(pid))) continue;
          await rm(join(folder, name), { force: true });
          removed.push(join(folder, name));
        }
      }
    }
    return removed;
  }

  async #write(id: string, file: string, data: string | Uint8Array): Promise<void> {
    const path = join(this.dir(id), file);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, data);
    await rename(temp, path);
  }
}

/** `weights.safetensors`, `partial.safetensors` (within the epoch in progress), `epochs/epoch-003.safetensors`. */
function weightsFile(which: 'last' | 'partial' | number): string {
  if (which === 'last') return 'weights.safetensors';
  if (which === 'partial') return 'partial.safetensors';
  return join('epochs', `epoch-${pad(which)}.safetensors`);
}

function optimizerFile(epoch: number | 'partial'): string {
  return `optimizer-${epoch === 'partial' ? 'partial' : pad(epoch)}.safetensors`;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why a run stopped, in words its user can act on. A full disk is the common case that Node words badly
 * (`ENOSPC: no space left on device, write`): it says so, and what to do. A reason that came as a sentence code
 * (main's dataset.notReady) stays one, for the renderer to word.
 */
export function failureReason(error: unknown): string | EngineText[] {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const where = (error as NodeJS.ErrnoException).path;
    return [where ? engineText('reason.diskFullAt', { path: where }) : engineText('reason.diskFull', {})];
  }
  if (error instanceof EngineTextError) return [error.text];
  return error instanceof Error ? error.message : String(error);
}

export function summarize(meta: RunMeta): RunSummary {
  return {
    id: meta.id, name: meta.name, model: meta.model, dataset: meta.dataset, state: meta.state, bestValAcc: meta.bestValAcc,
    epochsDone: meta.epochsDone, epochs: meta.options.epochs, createdAt: meta.createdAt, updatedAt: meta.updatedAt,
  };
}
