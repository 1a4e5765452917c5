/**
 * The `.layerlab.json` project file: a model spec (graph plus loss, optimizer, scheduler and data settings), the
 * run settings the PyTorch twin uses, and a reference to trained weights (null until training saves some).
 *
 * ```json
 * { "format": "layerlab-project", "version": 1, "savedAt": "2026-01-01T00:00:00.000Z",
 *   "spec": { "version": 1, "nodes": [...], ... },
 *   "run": { "epochs": 2, "seed": 0, "earlyStopping": { "patience": 3, "minDelta": 0 }, "clipGradNorm": null }, "weights": null }
 * ```
 *
 * parseProject never throws: a broken file, a file from a newer LayerLab or a spec of the wrong shape comes back as
 * a reason the UI can explain, so loading one never touches the work on screen. The check is structural (a graph
 * being edited may still be invalid, and saving it must work); validateSpec judges the model itself.
 */
import { LOSSES, OPS, OPTIMIZERS, SCHEDULERS, SPEC_VERSION, type ModelSpec } from './model-spec/types';

export const PROJECT_FORMAT = 'layerlab-project';
export const PROJECT_VERSION = 1;
export const PROJECT_EXTENSION = '.layerlab.json';
/** Far above any real model; a guard against feeding the parser something that is not a project. */
export const PROJECT_MAX_BYTES = 5_000_000;

/** The Train tab's settings of the next run, kept with the project and written into the twin. */
export interface ProjectRun {
  epochs: number;
  /** Draws the train/validation split, each epoch's order and the initial weights. */
  seed: number;
  /** Stop when the validation loss has not improved for `patience` epochs; null = train every epoch. */
  earlyStopping?: { patience: number; minDelta: number } | null;
  /** clip_grad_norm_'s max_norm for every batch; null = no clipping. */
  clipGradNorm?: number | null;
}

/** A new project's run settings. */
export const DEFAULT_RUN: ProjectRun = { epochs: 2, seed: 0, earlyStopping: null, clipGradNorm: null };

/** Largest seed: seeds are taken modulo 2³² (common/split.ts), so a larger one would repeat a smaller one's run. */
export const MAX_SEED = 4_294_967_295;

export interface ProjectFile {
  format: typeof PROJECT_FORMAT;
  version: typeof PROJECT_VERSION;
  savedAt: string;
  spec: ModelSpec;
  run: ProjectRun;
  /** Where trained weights live (a safetensors file), once training saves some. */
  weights: { file: string } | null;
}

export type ProjectProblem = 'not-json' | 'not-a-project' | 'newer-version' | 'bad-spec' | 'too-large';

export type ParsedProject = { ok: true; project: ProjectFile } | { ok: false; problem: ProjectProblem; detail: string };

export function makeProject(spec: ModelSpec, run: ProjectRun, savedAt = new Date().toISOString()): ProjectFile {
  return { format: PROJECT_FORMAT, version: PROJECT_VERSION, savedAt, spec, run, weights: null };
}

export function parseProject(text: string): ParsedProject {
  if (text.length > PROJECT_MAX_BYTES) return { ok: false, problem: 'too-large', detail: `${text.length} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: 'not-json', detail: error instanceof Error ? error.message : String(error) };
  }
  return checkProject(value);
}

/** The same checks on an already-parsed value (the main process gets objects, not text). */
export function checkProject(value: unknown): ParsedProject {
  if (!isObject(value) || value.format !== PROJECT_FORMAT) {
    return { ok: false, problem: 'not-a-project', detail: 'format is not "layerlab-project"' };
  }
  if (typeof value.version !== 'number' || !Number.isInteger(value.version) || value.version < 1) {
    return { ok: false, problem: 'not-a-project', detail: 'version must be a positive integer' };
  }
  if (value.version > PROJECT_VERSION) {
    return { ok: false, problem: 'newer-version', detail: `file version ${value.version}, this LayerLab reads ${PROJECT_VERSION}` };
  }
  const specProblem = specShapeProblem(value.spec);
  if (specProblem) return { ok: false, problem: 'bad-spec', detail: specProblem };
  const run = isObject(value.run) ? value.run : {};
  const epochs = isCount(run.epochs) && run.epochs >= 1 ? run.epochs : DEFAULT_RUN.epochs;
  const seed = isCount(run.seed) && run.seed <= MAX_SEED ? run.seed : DEFAULT_RUN.seed;
  const es = isObject(run.earlyStopping) ? run.earlyStopping : null;
  const earlyStopping = es && isCount(es.patience) && es.patience >= 1 && isFiniteNumber(es.minDelta) && es.minDelta >= 0
    ? { patience: es.patience, minDelta: es.minDelta } : null;
  const clipGradNorm = isFiniteNumber(run.clipGradNorm) && run.clipGradNorm > 0 ? run.clipGradNorm : null;
  const weights = isObject(value.weights) && typeof value.weights.file === 'string' ? { file: value.weights.file } : null;
  const savedAt = typeof value.savedAt === 'string' ? value.savedAt : '';
  return { ok: true, project: { format: PROJECT_FORMAT, version: PROJECT_VERSION, savedAt, spec: value.spec as ModelSpec, run: { epochs, seed, earlyStopping, clipGradNorm }, weights } };
}

/** What makes `spec` unusable as a graph to edit, or null. */
function specShapeProblem(spec: unknown): string | null {
  if (!isObject(spec)) return 'spec is missing';
  if (spec.version !== SPEC_VERSION) return `spec version ${String(spec.version)} is not ${SPEC_VERSION}`;
  if (!Array.isArray(spec.nodes) || !Array.isArray(spec.edges)) return 'spec needs nodes and edges arrays';
  const ids = new Set<string>();
  for (const node of spec.nodes) {
    if (!isObject(node) || typeof node.id !== 'string' || !node.id) return 'every node needs an id';
    if (!(OPS as readonly unknown[]).includes(node.op)) return `node ${node.id}: unknown op ${String(node.op)}`;
    if (!isObject(node.params)) return `node ${node.id}: params must be an object`;
    if (ids.has(node.id)) return `node ${node.id}: duplicate id`;
    ids.add(node.id);
  }
  if (spec.nodes.filter((n) => (n as { op: unknown }).op === 'Input').length !== 1) return 'the graph needs exactly one Input';
  for (const edge of spec.edges) {
    if (!isObject(edge) || !ids.has(edge.from as string) || !ids.has(edge.to as string)) return 'an edge points at a missing node';
  }
  if (!isObject(spec.loss) || !(LOSSES as readonly unknown[]).includes(spec.loss.type) || !isObject(spec.loss.params)) return 'loss is missing or unknown';
  if (!isObject(spec.optimizer) || !(OPTIMIZERS as readonly unknown[]).includes(spec.optimizer.type) || !isObject(spec.optimizer.params)) {
    return 'optimizer is missing or unknown';
  }
  if (spec.scheduler !== undefined && (!isObject(spec.scheduler) || !(SCHEDULERS as readonly unknown[]).includes(spec.scheduler.type))) {
    return 'scheduler is unknown';
  }
  if (!isObject(spec.data)) return 'data settings are missing';
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** A file name for a project name: letters (any script), digits, space, '-' and '_' kept, the rest as '_'. */
export function projectFileName(name: string): string {
  const safe = name.trim().replace(/[^\p{L}\p{N} _-]/gu, '_').slice(0, 80) || 'untitled';
  return `${safe}${PROJECT_EXTENSION}`;
}
