import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN, type ProjectRun } from '../../../../common/project';
import { paramProblem } from '../../../../common/model-spec';
import { blockerText } from '../builder/blocker-text';
import type { PendingEdit } from '../builder/pending-edits';
import { en } from '../../lib/i18n/en';
import { format } from '../../lib/i18n/translate';
import { EARLY_STOPPING_DEFAULTS, RUN_FIELDS, runOptions, startBlocker, type StartCheck } from './run-settings';

const t = ((key: keyof typeof en, params?: Record<string, string>) => format(en[key], params)) as never;
const field: PendingEdit = { key: 'param-data-batchSize', field: 'batch_size', text: '0', problem: paramProblem({ ...RUN_FIELDS.epochs, min: 1, max: 60000 }, 0)!, scope: 'model' };
const check = (over: Partial<StartCheck> = {}): StartCheck => ({ model: 'builder', validationSize: 5000, builderBlocker: null, pending: null, run: DEFAULT_RUN, ...over });

describe('startBlocker', () => {
  it("puts the builder's own reason first, but only for the builder's model", () => {
    expect(startBlocker(check({ builderBlocker: { kind: 'empty' } }))).toEqual({ kind: 'empty' });
    expect(startBlocker(check({ model: 'MLP', builderBlocker: { kind: 'empty' } }))).toBeNull();
  });

  it('names a field holding invalid text, with what is typed and the rule it breaks', () => {
    const blocker = startBlocker(check({ pending: field }));
    expect(blocker).toEqual({ kind: 'field', edit: field });
    expect(blockerText(t, blocker as never)).toBe('Can\'t train: batch_size is "0", which must be an integer ≥ 1 and ≤ 60000.');
  });

  it('refuses early stopping with nothing held out for validation, which would never fire', () => {
    const run: ProjectRun = { ...DEFAULT_RUN, earlyStopping: EARLY_STOPPING_DEFAULTS };
    expect(startBlocker(check({ run, validationSize: 0 }))).toEqual({ kind: 'no-validation' });
    expect(startBlocker(check({ run, validationSize: 10 }))).toBeNull();
    expect(startBlocker(check({ validationSize: 0 }))).toBeNull();
  });
});

describe('run settings', () => {
  it("use PyTorch's names, and Lightning's EarlyStopping defaults where PyTorch has none", () => {
    expect(Object.values(RUN_FIELDS).map((f) => f.torchName)).toEqual(['epochs', 'seed', 'patience', 'min_delta', 'max_norm']);
    expect(EARLY_STOPPING_DEFAULTS).toEqual({ patience: 3, minDelta: 0 });
    expect(paramProblem(RUN_FIELDS.maxNorm, 0)).not.toBeNull();
    expect(paramProblem(RUN_FIELDS.seed, 4_294_967_296)).not.toBeNull();
    expect(paramProblem(RUN_FIELDS.seed, 4_294_967_295)).toBeNull();
  });

  it('become the run-start options as they are', () => {
    expect(runOptions(DEFAULT_RUN)).toEqual({ epochs: 2, seed: 0, earlyStopping: null, clipGradNorm: null });
    expect(runOptions({ epochs: 5, seed: 9, earlyStopping: { patience: 4, minDelta: 0.01 }, clipGradNorm: 0.5 }))
      .toEqual({ epochs: 5, seed: 9, earlyStopping: { patience: 4, minDelta: 0.01 }, clipGradNorm: 0.5 });
  });
});
