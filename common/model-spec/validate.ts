/**
 * validateSpec: is this a well-formed version-1 spec? Structure and param values only; whether shapes fit is
 * inferShapes' job and whether the choices are wise is lintSpec's.
 */
import {
  LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE, type ParamInfo, type TrainingPieces, type TypedInfo,
} from './catalogue';
import { AUGMENT_CATALOGUE } from './augment';
import { diagnostic, renderDiagnostic, type Diagnostic, type DiagnosticCode, type DiagnosticParams } from './diagnostics';
import { pyName, topoSort } from './graph';
import {
  DATASETS, LOSSES, NORMALIZATIONS, SPEC_VERSION, TARGETS, type ModelSpec, type OptimizerName, type Params, type SpecError, type SpecNode,
} from './types';
import { lossTakesImages } from './target';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function describe(v: unknown): string | Diagnostic {
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (v === undefined) return diagnostic('nothing');
  return JSON.stringify(v) ?? String(v);
}

/** An error whose English message is rendered from its code, so the two never disagree. */
function specError(path: string, nodeId: string | undefined, code: DiagnosticCode, params: DiagnosticParams = {}): SpecError {
  const d = diagnostic(code, params);
  return { path, ...(nodeId === undefined ? {} : { nodeId }), code, params, message: renderDiagnostic(d) };
}

function rangeOf(info: ParamInfo): Diagnostic | null {
  const lo = info.min === undefined ? null : diagnostic(info.exclusiveMin ? 'range-min-exclusive' : 'range-min', { min: info.min });
  const hi = info.max === undefined ? null : diagnostic('range-max', { max: info.max });
  return lo && hi ? diagnostic('range-both', { lo, hi }) : lo ?? hi;
}

function inRange(info: ParamInfo, x: number): boolean {
  if (!Number.isFinite(x)) return false;
  if (info.min !== undefined && (info.exclusiveMin ? x <= info.min : x < info.min)) return false;
  return info.max === undefined || x <= info.max;
}

/** Why `value` is not acceptable for `info` ('must be an integer ≥ 1'), or null when it is. */
export function checkParam(info: ParamInfo, value: unknown): string | null {
  const problem = paramProblem(info, value);
  return problem && renderDiagnostic(problem);
}

/** checkParam's answer as a diagnostic, for a UI that translates it. */
export function paramProblem(info: ParamInfo, value: unknown): Diagnostic | null {
  if (value === null && info.nullable) return null;
  if (value === undefined || value === null) return info.required ? diagnostic('param-required') : null;
  // A word an int or int2 takes besides numbers (padding='same'); a number or a wrong word gets the message below.
  if (typeof value === 'string' && info.type !== 'enum' && info.options?.includes(value)) return null;
  const problem = numberProblem(info, value);
  return problem && info.type !== 'enum' && info.options ? diagnostic('param-or-words', { problem, options: quoted(info.options) }) : problem;
}

const quoted = (options: readonly string[]) => options.map((o) => `'${o}'`).join(', ');

function numberProblem(info: ParamInfo, value: unknown): Diagnostic | null {
  const range = rangeOf(info);
  const num = (kind: 'integer' | 'number', x: unknown) =>
    (kind === 'integer' ? isInt(x) : typeof x === 'number') && inRange(info, x as number);
  const must = (code: 'param-int' | 'param-float' | 'param-int2' | 'param-float2' | 'param-ints' | 'param-floats', params: DiagnosticParams = {}) =>
    range ? diagnostic(`${code}-range`, { ...params, range }) : diagnostic(code, params);
  switch (info.type) {
    case 'int':
      return num('integer', value) ? null : must('param-int');
    case 'float':
      return num('number', value) ? null : must('param-float');
    case 'bool':
      return typeof value === 'boolean' ? null : diagnostic('param-bool');
    case 'enum':
      return info.options!.includes(value as string) ? null : diagnostic('param-enum', { options: quoted(info.options!) });
    case 'int2': {
      const ok = num('integer', value) || (Array.isArray(value) && value.length === 2 && value.every((x) => num('integer', x)));
      return ok ? null : must('param-int2');
    }
    case 'float2':
      return Array.isArray(value) && value.length === 2 && value.every((x) => num('number', x)) ? null : must('param-float2');
    case 'ints':
      return Array.isArray(value) && value.length > 0 && value.every((x) => num('integer', x)) ? null : must('param-ints');
    case 'shape':
      return Array.isArray(value) && value.length > 0 && value.length <= 4 && value.every((x) => isInt(x) && x >= 1)
        ? null : diagnostic('param-shape');
    case 'floats':
      return Array.isArray(value) && value.length === info.length && value.every((x) => num('number', x))
        ? null : must('param-floats', { length: info.length! });
  }
}

function checkParams(infos: readonly ParamInfo[], params: unknown, where: Diagnostic, path: string, nodeId?: string): SpecError[] {
  const errors: SpecError[] = [];
  if (params !== undefined && !isObject(params)) return [specError(path, nodeId, 'params-not-object', { where })];
  const given = (params ?? {}) as Params;
  for (const key of Object.keys(given)) {
    if (!infos.some((i) => i.name === key)) {
      const known = infos.map((i) => i.name).join(', ');
      errors.push(known
        ? specError(`${path}.${key}`, nodeId, 'unknown-param', { where, param: key, known })
        : specError(`${path}.${key}`, nodeId, 'unknown-param-none', { where, param: key }));
    }
  }
  for (const info of infos) {
    const problem = paramProblem(info, given[info.name]);
    if (problem) errors.push(specError(`${path}.${info.name}`, nodeId, 'bad-param', { where, param: info.torchName, problem, got: describe(given[info.name]) }));
  }
  return errors;
}

const whereNode = (id: string, op: unknown) => diagnostic('where-node', { id, op: String(op) });

/** The row's cross-param rule (catalogue.ts `rule`), if it has one and it is broken. */
function nodeRules(node: SpecNode, where: Diagnostic, path: string): SpecError[] {
  const problem = OP_CATALOGUE[node.op].rule?.(node.params ?? {}, where);
  return problem ? [specError(path, node.id, problem.code, problem.params)] : [];
}

/** Everything wrong with the spec, in a stable order; [] means valid. Never throws, whatever JSON it is given. */
export function validateSpec(spec: unknown): SpecError[] {
  if (!isObject(spec)) return [specError('', undefined, 'spec-not-object')];
  const errors: SpecError[] = [];
  if (spec.version !== SPEC_VERSION) {
    errors.push(specError('version', undefined, 'bad-version', { expected: SPEC_VERSION, got: describe(spec.version) }));
  }
  if (!Array.isArray(spec.nodes)) errors.push(specError('nodes', undefined, 'nodes-not-array'));
  if (!Array.isArray(spec.edges)) errors.push(specError('edges', undefined, 'edges-not-array'));
  if (errors.length > 0 && (!Array.isArray(spec.nodes) || !Array.isArray(spec.edges))) return errors;
  errors.push(...checkGraph(spec as unknown as ModelSpec));
  errors.push(...checkTraining(spec));
  return errors;
}

function checkGraph(spec: ModelSpec): SpecError[] {
  const errors: SpecError[] = [];
  const ids = new Map<string, SpecNode>();
  const pyNames = new Map<string, string>();
  spec.nodes.forEach((node, i) => {
    const path = `nodes[${i}]`;
    if (!isObject(node) || typeof node.id !== 'string' || node.id === '') {
      errors.push(specError(path, undefined, 'node-needs-id', { path }));
      return;
    }
    const where = whereNode(node.id, node.op);
    if (ids.has(node.id)) errors.push(specError(path, node.id, 'duplicate-id', { id: node.id }));
    ids.set(node.id, node);
    const py = pyName(node.id);
    if (pyNames.has(py) && pyNames.get(py) !== node.id) {
      errors.push(specError(path, node.id, 'python-name-clash', { where, other: pyNames.get(py)!, id: node.id, py }));
    }
    pyNames.set(py, node.id);
    const info = OP_CATALOGUE[node.op as keyof typeof OP_CATALOGUE];
    if (!Object.hasOwn(OP_CATALOGUE, node.op) || !info) {
      errors.push(specError(`${path}.op`, node.id, 'unknown-op', { where, op: String(node.op) }));
      return;
    }
    errors.push(...checkParams(info.params, node.params, where, `${path}.params`, node.id));
    errors.push(...nodeRules(node, where, `${path}.params`));
  });

  const inputs = spec.nodes.filter((n) => isObject(n) && n.op === 'Input');
  if (inputs.length === 0) errors.push(specError('nodes', undefined, 'no-input'));
  if (inputs.length === 1 && spec.nodes.length === 1) errors.push(specError('nodes', undefined, 'no-layers'));
  if (inputs.length > 1) {
    for (const n of inputs.slice(1)) errors.push(specError('nodes', n.id, 'extra-input', { id: n.id }));
  }

  // Per-node lookups below are gathered in one pass each, so checking is linear in the graph: a 5,000-layer chain
  // (#17.2) took seconds at nodes × edges, before the refusal that it is too big could answer.
  const goodEdges: typeof spec.edges = [];
  const edgeKeys = new Set<string>();
  spec.edges.forEach((edge, i) => {
    const path = `edges[${i}]`;
    if (!isObject(edge) || typeof edge.from !== 'string' || typeof edge.to !== 'string') {
      errors.push(specError(path, undefined, 'edge-needs-ends', { path }));
      return;
    }
    let ok = true;
    for (const end of ['from', 'to'] as const) {
      if (!ids.has(edge[end])) {
        errors.push(specError(path, edge[end], 'dangling-edge', { from: edge.from, to: edge.to, missing: edge[end] }));
        ok = false;
      }
    }
    if (edge.from === edge.to) {
      errors.push(specError(path, edge.from, 'self-loop', { id: edge.from }));
      ok = false;
    }
    if (edge.port !== undefined && !(isInt(edge.port) && edge.port >= 0)) {
      errors.push(specError(path, edge.to, 'bad-port', { from: edge.from, to: edge.to }));
    }
    // The ids are known nodes' here, so JSON of the pair is an unambiguous key.
    const key = JSON.stringify([edge.from, edge.to]);
    if (ok && edgeKeys.has(key)) {
      errors.push(specError(path, edge.to, 'duplicate-edge', { from: edge.from, to: edge.to }));
      ok = false;
    }
    if (ok) {
      edgeKeys.add(key);
      goodEdges.push(edge);
    }
  });

  const graph = { ...spec, nodes: [...ids.values()], edges: goodEdges };
  const incomingOf = new Map<string, typeof goodEdges>();
  for (const e of goodEdges) {
    const list = incomingOf.get(e.to);
    if (list) list.push(e);
    else incomingOf.set(e.to, [e]);
  }
  for (const node of ids.values()) {
    if (!Object.hasOwn(OP_CATALOGUE, node.op)) continue;
    const where = whereNode(node.id, node.op);
    const incoming = incomingOf.get(node.id) ?? [];
    if (node.op === 'Input') {
      if (incoming.length > 0) errors.push(specError('edges', node.id, 'input-has-incoming', { where }));
    } else if (node.op === 'Add' || node.op === 'Concat') {
      if (incoming.length < 2) errors.push(specError('edges', node.id, 'merge-needs-inputs', { where, count: incoming.length }));
      const ports = incoming.filter((e) => e.port !== undefined).map((e) => e.port);
      if (new Set(ports).size !== ports.length) errors.push(specError('edges', node.id, 'duplicate-port', { where }));
    } else if (incoming.length === 0) {
      errors.push(specError('edges', node.id, 'missing-input', { where }));
    } else if (incoming.length > 1) {
      errors.push(specError('edges', node.id, 'too-many-inputs', { where, count: incoming.length }));
    }
  }

  const { cycle } = topoSort(graph);
  if (cycle) errors.push(specError('edges', cycle[0], 'cycle', { id: cycle[0], cycle: cycle.join(', ') }));

  const sources = new Set(goodEdges.map((e) => e.from));
  const sinks = [...ids.values()].filter((n) => !sources.has(n.id));
  if (ids.size > 0 && sinks.length > 1) {
    const extra = sinks.filter((n) => n.op !== 'Input').slice(0, -1).concat(sinks.filter((n) => n.op === 'Input'));
    for (const n of extra) {
      errors.push(specError('edges', n.id, 'dangling-output', { id: n.id, op: n.op, outputs: sinks.map((s) => s.id).join(', ') }));
    }
  }
  return errors;
}

function checkTraining(spec: Record<string, unknown>): SpecError[] {
  const errors: SpecError[] = [];
  const optimizerType = isObject(spec.optimizer) ? spec.optimizer.type : undefined;
  const pieces: TrainingPieces = {
    optimizer: typeof optimizerType === 'string' && Object.hasOwn(OPTIMIZER_CATALOGUE, optimizerType)
      ? OPTIMIZER_CATALOGUE[optimizerType as OptimizerName] : undefined,
  };
  const typed = (key: 'loss' | 'optimizer' | 'scheduler', catalogue: Record<string, TypedInfo>) => {
    const value = spec[key];
    if (value === undefined && key === 'scheduler') return;
    if (!isObject(value)) {
      errors.push(specError(key, undefined, 'training-not-object', { key }));
      return;
    }
    const info = Object.hasOwn(catalogue, value.type as string) ? catalogue[value.type as string] : undefined;
    if (!info) {
      errors.push(specError(`${key}.type`, undefined, 'unknown-type', { key, type: String(value.type), known: Object.keys(catalogue).join(', ') }));
      return;
    }
    const where = diagnostic('where-typed', { key, type: String(value.type) });
    const problems = checkParams(info.params, value.params, where, `${key}.params`);
    errors.push(...problems);
    const broken = problems.length === 0 && info.rule?.(isObject(value.params) ? value.params as Params : {}, where, pieces);
    if (broken) errors.push(specError(`${key}.params`, undefined, broken.code, broken.params));
  };
  typed('loss', LOSS_CATALOGUE);
  typed('optimizer', OPTIMIZER_CATALOGUE);
  typed('scheduler', SCHEDULER_CATALOGUE);

  const data = spec.data;
  if (!isObject(data)) {
    errors.push(specError('data', undefined, 'data-not-object'));
    return errors;
  }
  if (!DATASETS.includes(data.dataset as never)) errors.push(specError('data.dataset', undefined, 'data-dataset', { options: DATASETS.join(', '), got: describe(data.dataset) }));
  if (!isInt(data.batchSize) || data.batchSize < 1) errors.push(specError('data.batchSize', undefined, 'data-batch-size', { got: describe(data.batchSize) }));
  if (typeof data.shuffle !== 'boolean') errors.push(specError('data.shuffle', undefined, 'data-shuffle', { got: describe(data.shuffle) }));
  if (!isInt(data.validationSize) || data.validationSize < 0 || data.validationSize >= 60000) {
    errors.push(specError('data.validationSize', undefined, 'data-validation-size', { got: describe(data.validationSize) }));
  }
  if (!NORMALIZATIONS.includes(data.normalize as never)) errors.push(specError('data.normalize', undefined, 'data-normalize', { options: NORMALIZATIONS.join(', '), got: describe(data.normalize) }));
  if (data.augment !== undefined) errors.push(...checkAugment(data.augment));
  if (data.target !== undefined && !TARGETS.includes(data.target as never)) {
    errors.push(specError('data.target', undefined, 'data-target', { options: TARGETS.join(', '), got: describe(data.target) }));
  }
  const loss = isObject(spec.loss) ? String(spec.loss.type) : '';
  if (data.target === 'image' && Object.hasOwn(LOSS_CATALOGUE, loss) && !lossTakesImages(loss)) {
    // The losses that compare values, from their rows (a new one is offered as soon as it is in the catalogue).
    const losses = LOSSES.filter(lossTakesImages).join(', ');
    errors.push(specError('loss.type', undefined, 'image-target-loss', { loss, losses }));
  }
  return errors;
}

/** data.augment: each of torchvision's transforms by its row in AUGMENT_CATALOGUE, and scale's (min, max) order. */
function checkAugment(augment: unknown): SpecError[] {
  if (!isObject(augment)) return [specError('data.augment', undefined, 'data-augment', { got: describe(augment) })];
  const errors: SpecError[] = [];
  for (const [key, value] of Object.entries(augment)) {
    const info = Object.hasOwn(AUGMENT_CATALOGUE, key) ? AUGMENT_CATALOGUE[key as keyof typeof AUGMENT_CATALOGUE] : undefined;
    if (!info) {
      errors.push(specError(`data.augment.${key}`, undefined, 'unknown-param', { where: 'data.augment', param: key, known: Object.keys(AUGMENT_CATALOGUE).join(', ') }));
      continue;
    }
    if (value === null) continue;
    const where = diagnostic('where-typed', { key: 'data.augment', type: info.torch });
    const found = checkParams(info.params, value, where, `data.augment.${key}`);
    errors.push(...found);
    const scale = isObject(value) ? value.scale : undefined;
    if (!found.length && Array.isArray(scale) && scale[0] > scale[1]) {
      errors.push(specError(`data.augment.${key}.scale`, undefined, 'augment-scale-order', { where, got: describe(scale) }));
    }
  }
  return errors;
}

/** Throws one Error listing every problem; for callers that cannot go on with a bad spec (build, CLI). */
export function assertValidSpec(spec: unknown): asserts spec is ModelSpec {
  const errors = validateSpec(spec);
  if (errors.length > 0) throw new Error(`invalid model spec:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`);
}
