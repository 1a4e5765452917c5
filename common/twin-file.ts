/**
 * The PyTorch twin as the file a learner takes away, written the same way by the app (Build's Export .py, Train's
 * weights download) and by `npm run export` (scripts/export-twin.ts), so the two give the same bytes.
 */
import type { ProjectRun } from './project';
import { pyName, toPyTorch, type ModelSpec } from './model-spec/index';
import type { RunMeta } from './training-protocol';

/**
 * Build's Export .py: the spec's twin with the project's run settings (epochs, seed, early stopping, clipping), and
 * with `init`, a weights file its `--init` loads by default.
 */
export function twinForProject(spec: ModelSpec, run: ProjectRun, init?: string): string {
  return toPyTorch(spec, init === undefined ? run : { ...run, init });
}

/**
 * The run's PyTorch twin, set to load the weights file saved beside it (`--init`): its spec, and the run's own epochs,
 * seed, early stopping and clipping.
 */
export function twinForRun(spec: ModelSpec, meta: RunMeta | null, weightsFile: string): { fileName: string; code: string } {
  const o = meta?.options;
  const code = toPyTorch(spec, {
    init: weightsFile,
    ...(o ? {
      epochs: o.epochs, seed: o.seed, clipGradNorm: o.clipGradNorm ?? null,
      earlyStopping: o.earlyStopping ? { patience: o.earlyStopping.patience, minDelta: o.earlyStopping.minDelta ?? 0 } : null,
    } : {}),
  });
  return { fileName: `${pyName(weightsFile.replace(/\.safetensors$/, '').toLowerCase())}.py`, code };
}
