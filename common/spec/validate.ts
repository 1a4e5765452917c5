/**
 * validateSpec: is this a well-formed version-1 spec? Structure and param values only; whether shapes fit is
 * inferShapes' job and whether the choices are wise is lintSpec's.
 */
import {
  LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE, type ParamInfo,
} from './catalogue';
import { pyName, topoSort } from './graph';
import {
  DATASETS, NORMALIZATIONS, SPEC_VERSION, type ModelSpec, type Params, type SpecError, type SpecNode,
} from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function describe(v: unknown): string {
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (v === undefined) return 'nothing';
  return JSON.stringify(v) ?? String(v);
}

function rangeText(info: ParamInfo): string {
  const lo = info.min === undefined ? '' : `${info.exclusiveMin ? '>' : '≥'} ${info.min}`;
  const hi = info.max === undefined ? '' : `≤ ${info.max}`;
  return [lo, hi].filter(Boolean).join(' and ');
}

function inRange(info: ParamInfo, x: number): boolean {
  if (!Number.isFinite(x)) return false;
  if (info.min !== undefined && (info.exclusiveMin ? x <= info.min : x < info.min)) return false;
  return info.max === undefined || x <= info.max;
}

/** Why `value` is not acceptable for `info`, or null when it is. */
export function checkParam(info: ParamInfo, value: unknown): string | null {
  if (value === null && info.nullable) return null;
  if (value === undefined || value === null) return info.required ? 'is required' : null;
  const range = rangeText(info);
  const num = (kind: 'integer' | 'number', x: unknown) =>
    (kind === 'integer' ? isInt(x) : typeof x === 'number') && inRange(info, x as number);
  switch (info.type) {
    case 'int':
      return num('integer', value) ? null : `must be an integer${range ? ` ${range}` : ''}`;
    case 'float':
      return num('number', value) ? null : `must be a number${range ? ` ${range}` : ''}`;
    case 'bool':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'enum':
      return info.options!.includes(value as string) ? null : `must be one of ${info.options!.map((o) => `'${o}'`).join(', ')}`;
    case 'int2': {
      const ok = num('integer', value) || (Array.isArray(value) && value.length === 2 && value.every((x) => num('integer', x)));
      return ok ? null : `must be an integer or a pair of integers${range ? ` ${range}` : ''}`;
    }
    case 'float2':
      return Array.isArray(value) && value.length === 2 && value.every((x) => num('number', x)) ? null : `must be a pair of numbers${range ? ` ${range}` : ''}`;
    case 'ints':
      return Array.isArray(value) && value.length > 0 && value.every((x) => num('integer', x)) ? null : `must be a list of integers${range ? ` ${range}` : ''}`;
    case 'shape':
      return Array.isArray(value) && value.length > 0 && value.length <= 4 && value.every((x) => isInt(x) && x >= 1)
        ? null : 'must be a list of 1 to 4 integers ≥ 1';
  }
}

function checkParams(infos: readonly ParamInfo[], params: unknown, where: string, path: string, nodeId?: string): SpecError[] {
  const errors: SpecError[] = [];
  if (params !== undefined && !isObject(params)) return [{ path, nodeId, message: `${where}: params must be an object` }];
  const given = (params ?? {}) as Params;
  for (const key of Object.keys(given)) {
    if (!infos.some((i) => i.name === key)) {
      const names = infos.map((i) => i.name).join(', ') || 'none';
      errors.push({ path: `${path}.${key}`, nodeId, message: `${where}: unknown param '${key}' (known: ${names})` });
    }
  }
  for (const info of infos) {
    const problem = checkParam(info, given[info.name]);
    if (problem) errors.push({ path: `${path}.${info.name}`, nodeId, message: `${where}: ${info.torchName} ${problem}, got ${describe(given[info.name])}` });
  }
  return errors;
}

/** Cross-param rules the per-param ranges cannot express. */
function nodeRules(node: SpecNode, where: string, path: string): SpecError[] {
  const p = node.params ?? {};
  const errors: SpecError[] = [];
  const add = (message: string) => errors.push({ path, nodeId: node.id, message: `${where}: ${message}` });
  if (node.op === 'Conv2d' && isInt(p.groups) && isInt(p.inChannels) && isInt(p.outChannels)) {
    if (p.inChannels % p.groups !== 0 || p.outChannels % p.groups !== 0) add(`groups (${p.groups}) must divide in_channels and out_channels`);
  }
  if (node.op === 'Input' && Array.isArray(p.shape) && p.shape.every(isInt)) {
    const size = (p.shape as number[]).reduce((a, b) => a * b, 1);
    if (size !== 784) add(`shape ${describe(p.shape)} holds ${size} values but an MNIST image has 784 (try [1, 28, 28], [784] or [28, 28])`);
  }
  return errors;
}

/** Everything wrong with the spec, in a stable order; [] means valid. Never throws, whatever JSON it is given. */
export function validateSpec(spec: unknown): SpecError[] {
  if (!isObject(spec)) return [{ path: '', message: 'spec must be a JSON object' }];
  const errors: SpecError[] = [];
  if (spec.version !== SPEC_VERSION) {
    errors.push({ path: 'version', message: `version must be ${SPEC_VERSION}, got ${describe(spec.version)}` });
  }
  if (!Array.isArray(spec.nodes)) errors.push({ path: 'nodes', message: 'nodes must be an array' });
  if (!Array.isArray(spec.edges)) errors.push({ path: 'edges', message: 'edges must be an array' });
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
      errors.push({ path, message: `${path}: a node needs a non-empty string id` });
      return;
    }
    const where = `node "${node.id}" (${String(node.op)})`;
    if (ids.has(node.id)) errors.push({ path, nodeId: node.id, message: `node "${node.id}": duplicate id` });
    ids.set(node.id, node);
    const py = pyName(node.id);
    if (pyNames.has(py) && pyNames.get(py) !== node.id) {
      errors.push({ path, nodeId: node.id, message: `${where}: ids "${pyNames.get(py)}" and "${node.id}" both become the Python name ${py}` });
    }
    pyNames.set(py, node.id);
    const info = OP_CATALOGUE[node.op as keyof typeof OP_CATALOGUE];
    if (!Object.hasOwn(OP_CATALOGUE, node.op) || !info) {
      errors.push({ path: `${path}.op`, nodeId: node.id, message: `${where}: unknown op '${String(node.op)}'` });
      return;
    }
    errors.push(...checkParams(info.params, node.params, where, `${path}.params`, node.id));
    errors.push(...nodeRules(node, where, `${path}.params`));
  });

  const inputs = spec.nodes.filter((n) => isObject(n) && n.op === 'Input');
  if (inputs.length === 0) errors.push({ path: 'nodes', message: 'the model has no Input node' });
  if (inputs.length === 1 && spec.nodes.length === 1) errors.push({ path: 'nodes', message: 'the model has no layers after the Input' });
  if (inputs.length > 1) {
    for (const n of inputs.slice(1)) errors.push({ path: 'nodes', nodeId: n.id, message: `node "${n.id}" (Input): only one Input node is allowed` });
  }

  const goodEdges: typeof spec.edges = [];
  spec.edges.forEach((edge, i) => {
    const path = `edges[${i}]`;
    if (!isObject(edge) || typeof edge.from !== 'string' || typeof edge.to !== 'string') {
      errors.push({ path, message: `${path}: an edge needs string 'from' and 'to'` });
      return;
    }
    let ok = true;
    for (const end of ['from', 'to'] as const) {
      if (!ids.has(edge[end])) {
        errors.push({ path, nodeId: edge[end], message: `edge ${edge.from} → ${edge.to}: dangling, no node "${edge[end]}"` });
        ok = false;
      }
    }
    if (edge.from === edge.to) {
      errors.push({ path, nodeId: edge.from, message: `node "${edge.from}": edge to itself makes a cycle` });
      ok = false;
    }
    if (edge.port !== undefined && !(isInt(edge.port) && edge.port >= 0)) {
      errors.push({ path, nodeId: edge.to, message: `edge ${edge.from} → ${edge.to}: port must be an integer ≥ 0` });
    }
    if (ok && spec.edges.slice(0, i).some((e) => isObject(e) && e.from === edge.from && e.to === edge.to)) {
      errors.push({ path, nodeId: edge.to, message: `edge ${edge.from} → ${edge.to}: duplicate edge` });
      ok = false;
    }
    if (ok) goodEdges.push(edge);
  });

  const graph = { ...spec, nodes: [...ids.values()], edges: goodEdges };
  for (const node of ids.values()) {
    if (!Object.hasOwn(OP_CATALOGUE, node.op)) continue;
    const where = `node "${node.id}" (${node.op})`;
    const incoming = goodEdges.filter((e) => e.to === node.id);
    if (node.op === 'Input') {
      if (incoming.length > 0) errors.push({ path: 'edges', nodeId: node.id, message: `${where}: the Input cannot have incoming edges` });
    } else if (node.op === 'Add' || node.op === 'Concat') {
      if (incoming.length < 2) errors.push({ path: 'edges', nodeId: node.id, message: `${where}: missing input, a merge needs at least 2 inputs, has ${incoming.length}` });
      const ports = incoming.filter((e) => e.port !== undefined).map((e) => e.port);
      if (new Set(ports).size !== ports.length) errors.push({ path: 'edges', nodeId: node.id, message: `${where}: two inputs use the same port` });
    } else if (incoming.length === 0) {
      errors.push({ path: 'edges', nodeId: node.id, message: `${where}: missing input, nothing is connected to it` });
    } else if (incoming.length > 1) {
      errors.push({ path: 'edges', nodeId: node.id, message: `${where}: has ${incoming.length} inputs but takes one; join them with Add or Concat` });
    }
  }

  const { cycle } = topoSort(graph);
  if (cycle) errors.push({ path: 'edges', nodeId: cycle[0], message: `node "${cycle[0]}": on a cycle (${cycle.join(', ')}); a model must flow one way` });

  const sinks = [...ids.values()].filter((n) => !goodEdges.some((e) => e.from === n.id));
  if (ids.size > 0 && sinks.length > 1) {
    const extra = sinks.filter((n) => n.op !== 'Input').slice(0, -1).concat(sinks.filter((n) => n.op === 'Input'));
    for (const n of extra) {
      errors.push({ path: 'edges', nodeId: n.id, message: `node "${n.id}" (${n.op}): its output goes nowhere; only the model's last node may be unconnected (outputs: ${sinks.map((s) => s.id).join(', ')})` });
    }
  }
  return errors;
}

function checkTraining(spec: Record<string, unknown>): SpecError[] {
  const errors: SpecError[] = [];
  const typed = (key: 'loss' | 'optimizer' | 'scheduler', catalogue: Record<string, { params: ParamInfo[] }>) => {
    const value = spec[key];
    if (value === undefined && key === 'scheduler') return;
    if (!isObject(value)) {
      errors.push({ path: key, message: `${key} must be an object {type, params}` });
      return;
    }
    const info = Object.hasOwn(catalogue, value.type as string) ? catalogue[value.type as string] : undefined;
    if (!info) {
      errors.push({ path: `${key}.type`, message: `${key}: unknown type '${String(value.type)}' (known: ${Object.keys(catalogue).join(', ')})` });
      return;
    }
    errors.push(...checkParams(info.params, value.params, `${key} ${String(value.type)}`, `${key}.params`));
  };
  typed('loss', LOSS_CATALOGUE);
  typed('optimizer', OPTIMIZER_CATALOGUE);
  typed('scheduler', SCHEDULER_CATALOGUE);

  const data = spec.data;
  if (!isObject(data)) {
    errors.push({ path: 'data', message: 'data must be an object {dataset, batchSize, shuffle, validationSize, normalize}' });
    return errors;
  }
  if (!DATASETS.includes(data.dataset as never)) errors.push({ path: 'data.dataset', message: `data: dataset must be one of ${DATASETS.join(', ')}, got ${describe(data.dataset)}` });
  if (!isInt(data.batchSize) || data.batchSize < 1) errors.push({ path: 'data.batchSize', message: `data: batchSize must be an integer ≥ 1, got ${describe(data.batchSize)}` });
  if (typeof data.shuffle !== 'boolean') errors.push({ path: 'data.shuffle', message: `data: shuffle must be true or false, got ${describe(data.shuffle)}` });
  if (!isInt(data.validationSize) || data.validationSize < 0 || data.validationSize >= 60000) {
    errors.push({ path: 'data.validationSize', message: `data: validationSize must be an integer from 0 to 59999, got ${describe(data.validationSize)}` });
  }
  if (!NORMALIZATIONS.includes(data.normalize as never)) errors.push({ path: 'data.normalize', message: `data: normalize must be one of ${NORMALIZATIONS.join(', ')}, got ${describe(data.normalize)}` });
  return errors;
}

/** Throws one Error listing every problem; for callers that cannot go on with a bad spec (build, CLI). */
export function assertValidSpec(spec: unknown): asserts spec is ModelSpec {
  const errors = validateSpec(spec);
  if (errors.length > 0) throw new Error(`invalid model spec:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`);
}
