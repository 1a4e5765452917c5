import { describe, expect, it } from 'vitest';
import { ACTIVATION_OPS, chainOf, getPreset, inferShapes, lintSpec, LOSS_CATALOGUE, LOSSES, OP_CATALOGUE, OPTIMIZERS, toPyTorch, validateSpec } from '../../../../common/model-spec';
import { makeProject, parseProject } from '../../../../common/project';
import { searchCommands, parseSet } from './commands';
import { appendAfter, emptySpec, setParam } from './graph-edit';
import { formatParam, parseParam } from './param-input';
import { searchPalette, PALETTE } from './palette';
import { compactShape, edgeBadge, formatBytes, memoryEstimate, nodeFact, sampleDims, shapeFlow, trainBlocker } from './summary';

const logistic = () => appendAfter(appendAfter(emptySpec(), 'Flatten').spec, 'Linear').spec;

describe('summary', () => {
  it('badges and the shape flow of a chain', () => {
    const spec = logistic();
    const report = inferShapes(spec);
    expect(edgeBadge(report, 'input', 'flatten1')).toBe('[N,1,28,28] → [N,784]');
    expect(shapeFlow(report, ['input', ...chainOf(spec)!.map((n) => n.id)])).toBe('[N,1,28,28] → [N,784] → [N,10]');
    expect(compactShape(null)).toBe('?');
    expect(sampleDims(['N', 16, 14, 14])).toBe('16×14×14');
  });

  it('the accessible name facts', () => {
    expect(nodeFact({ id: 'c', op: 'Conv2d', params: { inChannels: 1, outChannels: 16, kernelSize: 3 } })).toEqual({ kind: 'filters', value: '16' });
    expect(nodeFact({ id: 'p', op: 'MaxPool2d', params: { kernelSize: 2 } })).toEqual({ kind: 'kernel', value: '2×2' });
    expect(nodeFact({ id: 'r', op: 'ReLU', params: {} }).kind).toBe('none');
  });

  it('memory: weights, gradients and optimizer state plus activations for a batch', () => {
    const spec = logistic();
    const m = memoryEstimate(spec, inferShapes(spec));
    expect(m.weights).toBe(7850 * 4 * 2);
    expect(m.activations).toBe((784 + 784 + 10) * 4 * 64 * 2);
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(12)).toBe('12 B');
  });

  it('train blockers: empty, a shape error with its fix, then none', () => {
    expect(trainBlocker(emptySpec(), [], inferShapes(emptySpec()))).toEqual({ kind: 'empty' });
    const bad = setParam(logistic(), 'fc1', 'inFeatures', 100);
    expect(trainBlocker(bad, validateSpec(bad), inferShapes(bad))).toMatchObject({ kind: 'shape', fix: 'set in_features of fc1 to 784' });
    const good = logistic();
    expect(trainBlocker(good, validateSpec(good), inferShapes(good))).toBeNull();
    expect(lintSpec(good)).toEqual([]);
  });
});

describe('param input', () => {
  const linear = { name: 'inFeatures', torchName: 'in_features', type: 'int', default: null, required: true, min: 1, help: '' } as const;
  it('parses and checks with the validator', () => {
    expect(parseParam(linear, ' 784 ')).toEqual({ ok: true, value: 784 });
    expect(parseParam(linear, '1.5')).toMatchObject({ ok: false, problem: 'must be an integer ≥ 1', diagnostic: { code: 'param-int-range' } });
    expect(parseParam(linear, 'abc').ok).toBe(false);
    expect(parseParam(linear, '')).toEqual({ ok: false, problem: 'is required', diagnostic: { code: 'param-required', params: {} } });
    const kernel = { ...linear, type: 'int2' as const };
    expect(parseParam(kernel, '3, 5')).toEqual({ ok: true, value: [3, 5] });
    const lr = { name: 'lr', torchName: 'lr', type: 'float', default: 0.001, min: 0, exclusiveMin: true, help: '' } as const;
    expect(parseParam(lr, '')).toEqual({ ok: true, value: undefined });
    expect(parseParam(lr, '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(formatParam([1, 28, 28])).toBe('1, 28, 28');
    expect(formatParam(null)).toBe('');
  });

  it("takes a conv's padding words, typed bare or quoted as in Python, beside its numbers, and class weights as a list", () => {
    const padding = OP_CATALOGUE.Conv2d.params.find((p) => p.name === 'padding')!;
    expect(parseParam(padding, 'same')).toEqual({ ok: true, value: 'same' });
    expect(parseParam(padding, "'valid'")).toEqual({ ok: true, value: 'valid' });
    expect(parseParam(padding, '"same"')).toEqual({ ok: true, value: 'same' });
    expect(parseParam(padding, '1, 2')).toEqual({ ok: true, value: [1, 2] });
    expect(parseParam(padding, 'full')).toMatchObject({
      ok: false, problem: "must be an integer or a pair of integers ≥ 0, or one of 'same', 'valid'", diagnostic: { code: 'param-or-words' },
    });
    expect(formatParam('same')).toBe('same');
    const weight = LOSS_CATALOGUE.MultiMarginLoss.params.find((p) => p.name === 'weight')!;
    expect(parseParam(weight, '1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5')).toEqual({ ok: true, value: [1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5] });
    expect(parseParam(weight, '')).toEqual({ ok: true, value: null });
    expect(parseParam(weight, '1, 2')).toMatchObject({ ok: false, problem: 'must be a list of 10 numbers ≥ 0', diagnostic: { code: 'param-floats-range' } });
    // The words are padding's, not every number's: a kernel size is a number.
    expect(parseParam(OP_CATALOGUE.Conv2d.params.find((p) => p.name === 'kernelSize')!, 'same').ok).toBe(false);
  });
});

describe('palette and commands', () => {
  it('the palette has the issue list and searches', () => {
    // The activations' group is every activation row the palette offers; losses and optimizers every row, in order
    // (rows are added at the end); the others hold the lists.
    const activations = ACTIVATION_OPS.filter((op) => OP_CATALOGUE[op].palette !== false);
    expect(activations.length).toBeGreaterThanOrEqual(9);
    expect(PALETTE.map((g) => g.items.length).slice(0, 2)).toEqual([2, 20]);
    expect(PALETTE[2].items.map((i) => i.name)).toEqual(activations);
    expect(PALETTE.slice(3).map((g) => g.items.map((i) => i.name))).toEqual([[...LOSSES], [...OPTIMIZERS]]);
    expect(searchPalette('conv').flatMap((g) => g.items.map((i) => i.name))).toEqual(['Conv2d', 'Conv1d', 'ConvTranspose2d']);
    expect(searchPalette('')).toHaveLength(5);
  });

  it('offers the layers #18 added among the layers, found by their torch names', () => {
    const layers = PALETTE.find((g) => g.id === 'layers')!.items.map((i) => i.name);
    for (const name of ['LayerNorm', 'GroupNorm', 'Conv1d', 'Unflatten', 'Dropout2d'] as const) {
      expect(layers, name).toContain(name);
      expect(searchPalette(name.toLowerCase()).flatMap((g) => g.items.map((i) => i.name)), name).toContain(name);
      // The properties panel shows a field per row param: a new node's values read back through each field.
      const fresh = appendAfter(emptySpec(), name).spec.nodes.at(-1)!;
      expect(fresh.op).toBe(name);
      for (const param of OP_CATALOGUE[name].params) {
        expect(parseParam(param, formatParam(fresh.params[param.name] ?? param.default)), `${name}.${param.name}`).toMatchObject({ ok: true });
      }
    }
  });

  it('"add linear" finds Linear first; "set out_features 128" reaches the selected node, "lr 0.5" the optimizer', () => {
    const spec = logistic();
    const label = (c: { id: string }) => c.id;
    expect(searchCommands('add linear', spec, 'fc1', label)[0].id).toBe('add:Linear');
    expect(parseSet('set out_features 128', spec, 'fc1')?.action).toEqual({ type: 'set', target: 'node', name: 'outFeatures', torchName: 'out_features', text: '128' });
    expect(parseSet('lr=0.5', spec, null)?.action).toMatchObject({ target: 'optimizer', name: 'lr', text: '0.5' });
    expect(parseSet('out_features 128', spec, null)).toBeNull();
  });
});

describe('project file', () => {
  it('round-trips, and refuses broken, foreign and newer files with a reason', () => {
    const project = makeProject(getPreset('LeNet-5')!, { epochs: 2, seed: 0, earlyStopping: { patience: 3, minDelta: 0.01 }, clipGradNorm: 1 }, 't');
    const parsed = parseProject(JSON.stringify(project));
    expect(parsed).toEqual({ ok: true, project });
    // A file from before early stopping and clipping were run settings has neither; nonsense values are dropped.
    const old = parseProject(JSON.stringify({ ...project, run: { epochs: 4, seed: 1 } }));
    expect(old.ok && old.project.run).toEqual({ epochs: 4, seed: 1, earlyStopping: null, clipGradNorm: null });
    const odd = parseProject(JSON.stringify({ ...project, run: { epochs: 0, seed: 2 ** 32, earlyStopping: { patience: 0, minDelta: 0 }, clipGradNorm: -1 } }));
    expect(odd.ok && odd.project.run).toEqual({ epochs: 2, seed: 0, earlyStopping: null, clipGradNorm: null });
    expect(parseProject('{not json')).toMatchObject({ ok: false, problem: 'not-json' });
    expect(parseProject('{"a":1}')).toMatchObject({ ok: false, problem: 'not-a-project' });
    expect(parseProject(JSON.stringify({ ...project, version: 2 }))).toMatchObject({ ok: false, problem: 'newer-version' });
    const noInput = { ...project, spec: { ...project.spec, nodes: project.spec.nodes.slice(1) } };
    expect(parseProject(JSON.stringify(noInput))).toMatchObject({ ok: false, problem: 'bad-spec' });
  });

  it('every preset exports', () => {
    for (const name of ['Mnist_Logistic', 'MLP', 'Mnist_CNN', 'LeNet-5', 'Row-LSTM']) expect(toPyTorch(getPreset(name)!)).toContain('import torch');
  });
});
