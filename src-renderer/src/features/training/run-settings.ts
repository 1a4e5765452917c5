/**
 * The Train tab's settings of the next run (epochs, seed, early stopping, gradient clipping) and what stops a run
 * from starting. The settings live in the project's run (common/project.ts ProjectRun, kept by the builder), so
 * they are saved with it, reset by New, and written into the PyTorch twin.
 *
 * Names and defaults are PyTorch's where PyTorch has the setting: `clip_grad_norm_(parameters, max_norm)` with
 * norm_type 2.0. Plain PyTorch has no early stopping, so `patience=3, min_delta=0.0` are PyTorch Lightning's
 * EarlyStopping defaults, watching the validation loss as the engine does.
 */
import { MAX_SEED, type ProjectRun } from '../../../../common/project';
import type { ParamInfo } from '../../../../common/model-spec';
import type { RunOptions } from '../../../../common/training-protocol';
import type { PendingEdit } from '../builder/pending-edits';
import type { Blocker } from '../builder/summary';

/** The fields, checked as you type by the same rules as every hyper-parameter (common/model-spec paramProblem). */
export const RUN_FIELDS = {
  epochs: { name: 'epochs', torchName: 'epochs', type: 'int', default: 2, min: 1, max: 10_000, help: '' },
  seed: { name: 'seed', torchName: 'seed', type: 'int', default: 0, min: 0, max: MAX_SEED, help: '' },
  patience: { name: 'patience', torchName: 'patience', type: 'int', default: 3, min: 1, max: 10_000, help: '' },
  minDelta: { name: 'minDelta', torchName: 'min_delta', type: 'float', default: 0, min: 0, help: '' },
  maxNorm: { name: 'maxNorm', torchName: 'max_norm', type: 'float', default: 1, min: 0, exclusiveMin: true, help: '' },
} as const satisfies Record<string, ParamInfo>;

/** What ticking "Early stopping" turns on: Lightning's EarlyStopping(patience=3, min_delta=0.0). */
export const EARLY_STOPPING_DEFAULTS = { patience: RUN_FIELDS.patience.default, minDelta: RUN_FIELDS.minDelta.default };
/** What ticking "Clip gradients" turns on. PyTorch has no default max_norm; 1.0 is the usual first choice. */
export const DEFAULT_MAX_NORM = RUN_FIELDS.maxNorm.default;

/** Why Train is disabled: the builder's model can't train, a field holds invalid text, or the settings clash. */
export type StartBlocker = Blocker | { kind: 'no-validation' };

export interface StartCheck {
  /** 'builder' or a preset's name. */
  model: string;
  /** The validation_size of the model that would train. */
  validationSize: number | null;
  /** The builder's own blocker (its graph, and its fields); only counts when training the builder's model. */
  builderBlocker: Blocker | null;
  /** The first pending edit that blocks a run of `model` (PendingEdits.blocking). */
  pending: PendingEdit | null;
  run: ProjectRun;
}

/** The first reason the next run can't start, or null. */
export function startBlocker(check: StartCheck): StartBlocker | null {
  if (check.model === 'builder' && check.builderBlocker) return check.builderBlocker;
  if (check.pending) return { kind: 'field', edit: check.pending };
  // Early stopping watches the validation loss: with nothing held out it would never fire, a setting ignored.
  if (check.run.earlyStopping && check.validationSize === 0) return { kind: 'no-validation' };
  return null;
}

/** The run-start options for these settings. */
export function runOptions(run: ProjectRun): RunOptions {
  return {
    epochs: run.epochs,
    seed: run.seed,
    earlyStopping: run.earlyStopping ? { patience: run.earlyStopping.patience, minDelta: run.earlyStopping.minDelta } : null,
    clipGradNorm: run.clipGradNorm ?? null,
  };
}
