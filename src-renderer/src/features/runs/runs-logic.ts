/**
 * The run table's rules, plain TS: a run's hyper-parameters as named text values, which of them differ from the
 * reference run's, the figures each run ended with, and the curves the overlay draws.
 *
 * ```ts
 * const table = compareTable(runs, referenceId);
 * table.columns;           // ['model', 'layers', 'optimizer', 'lr', 'batch_size', …]: core ones and any that vary
 * table.rows[1].differs;   // Set {'lr'}: this run's lr is not the reference's
 * ```
 */
import type { EpochRecord, RunDetail } from '../../../../common/training-protocol';
import type { ModelSpec, Params, SpecNode } from '../../../../common/model-spec/types';
import type { Words } from '../../lib/i18n/translate';

/** Always shown, varying or not: what a learner reads first. */
export const CORE_KEYS = ['model', 'optimizer', 'lr', 'batch_size', 'epochs'] as const;

const show = (v: unknown): string => {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'number') return String(Number(v.toPrecision(6)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/** torch's snake_case for a camelCase option (weightDecay → weight_decay). */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** One layer as a learner names it: Linear(784→128), Conv2d(1→6, k5), ReLU. */
function layerText(node: SpecNode): string {
  const p = node.params as Params;
  if (node.op === 'Linear') return `Linear(${show(p.inFeatures)}→${show(p.outFeatures)})`;
  if (node.op === 'Conv2d') return `Conv2d(${show(p.inChannels)}→${show(p.outChannels)}, k${show(p.kernelSize)})`;
  return node.op;
}

/** The model's layers in spec order, without the Input node. */
export function layersText(spec: ModelSpec): string {
  return spec.nodes.filter((n) => n.op !== 'Input').map(layerText).join(' → ');
}

/** Every hyper-parameter of a run, in table order, as text (so two runs compare by string). */
export function hyperParameters(run: RunDetail): Map<string, string> {
  const { spec, meta } = run;
  const out = new Map<string, string>([
    ['model', spec.name ?? meta.model],
    ['layers', layersText(spec)],
    ['dataset', meta.dataset],
    ['optimizer', spec.optimizer.type],
  ]);
  for (const [name, value] of Object.entries(spec.optimizer.params)) out.set(snake(name), show(value));
  out.set('loss', spec.loss.type);
  out.set('batch_size', show(spec.data.batchSize));
  out.set('validation_size', show(spec.data.validationSize));
  out.set('normalize', spec.data.normalize);
  out.set('shuffle', show(spec.data.shuffle));
  out.set('augment', spec.data.augment && Object.values(spec.data.augment).some((a) => a) ? show(spec.data.augment) : 'none');
  out.set('scheduler', spec.scheduler ? `${spec.scheduler.type}${show(spec.scheduler.params)}` : 'none');
  out.set('epochs', show(meta.options.epochs));
  out.set('seed', show(meta.options.seed));
  out.set('early_stopping', meta.options.earlyStopping ? `patience ${meta.options.earlyStopping.patience}` : 'off');
  out.set('clip_grad_norm', show(meta.options.clipGradNorm ?? null));
  return out;
}

/** What a run ended with: its last epoch's figures, its latest test look, its training time and backend. */
export interface Figures {
  trainLoss: number | null;
  trainAcc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  testAcc: number | null;
  testLoss: number | null;
  /** Seconds of training, the sum over its epochs. */
  seconds: number;
  backend: string;
  epochsDone: number;
}

/** An accuracy to show, or null: an autoencoder's records hold NaN for it (null once it has crossed as JSON). */
const accuracy = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function figures(run: RunDetail): Figures {
  const last: EpochRecord | undefined = run.history.epochs.at(-1);
  return {
    trainLoss: last?.trainLoss ?? null,
    trainAcc: accuracy(last?.trainAcc),
    valLoss: last?.valLoss ?? null,
    valAcc: accuracy(last?.valAcc),
    testAcc: accuracy(run.meta.lastTest?.accuracy),
    testLoss: run.meta.lastTest?.loss ?? null,
    seconds: run.history.epochs.reduce((sum, e) => sum + e.seconds, 0),
    backend: run.meta.backendUsed ?? run.meta.options.backend ?? 'auto',
    epochsDone: run.meta.epochsDone,
  };
}

export interface TableRow {
  run: RunDetail;
  values: Map<string, string>;
  /** Hyper-parameters whose value is not the reference run's (empty for the reference itself). */
  differs: Set<string>;
  figures: Figures;
}

export interface CompareTable {
  /** The hyper-parameter columns: the core ones, then every other that is not the same in all runs. */
  columns: string[];
  rows: TableRow[];
}

export function compareTable(runs: readonly RunDetail[], referenceId: string | null): CompareTable {
  const values = runs.map(hyperParameters);
  const reference = values[runs.findIndex((r) => r.meta.id === referenceId)] ?? null;
  const keys: string[] = [];
  for (const map of values) for (const key of map.keys()) if (!keys.includes(key)) keys.push(key);
  const varies = (key: string) => new Set(values.map((m) => m.get(key) ?? '—')).size > 1;
  const columns = [...CORE_KEYS, ...keys.filter((k) => !(CORE_KEYS as readonly string[]).includes(k) && varies(k))];
  const rows = runs.map((run, i) => ({
    run,
    values: values[i],
    differs: new Set(reference ? keys.filter((k) => (values[i].get(k) ?? '—') !== (reference.get(k) ?? '—')) : []),
    figures: figures(run),
  }));
  return { columns, rows };
}

// ---------- the overlay ----------

export type CurveMetric = 'valLoss' | 'trainLoss' | 'valAcc' | 'trainAcc';
export const CURVE_METRICS: readonly CurveMetric[] = ['valLoss', 'trainLoss', 'valAcc', 'trainAcc'];

export interface Curve {
  runId: string;
  label: string;
  /** (epoch, value) points; epochs without the value (no validation set) are left out. */
  points: { x: number; y: number }[];
}

/** One curve per chosen run, in the order chosen. */
export function curves(runs: readonly RunDetail[], chosen: readonly string[], metric: CurveMetric): Curve[] {
  return chosen.flatMap((id) => {
    const run = runs.find((r) => r.meta.id === id);
    if (!run) return [];
    const points = run.history.epochs.flatMap((e) => (e[metric] === null ? [] : [{ x: e.epoch, y: e[metric] as number }]));
    return [{ runId: id, label: run.meta.name, points }];
  });
}

/** A run's training time in the learner's words: `12.3 s` under a minute, else whole minutes and seconds. */
export function durationWords(seconds: number): Words {
  if (seconds < 59.95) return { key: 'runs.seconds', params: { s: seconds.toFixed(1) } };
  const whole = Math.round(seconds);
  return { key: 'runs.minutes', params: { m: Math.floor(whole / 60), s: whole % 60 } };
}
