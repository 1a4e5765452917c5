import { describe, expect, it } from 'vitest';
import { LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE } from './catalogue';
import { DIAGNOSTIC_CODES, DIAGNOSTIC_TEXT, renderDiagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics';
import { lintSpec } from './lint';
import { chainSpec, getPreset } from './presets';
import { inferShapes } from './shapes';
import type { LossName, ModelSpec, OptimizerName } from './types';
import { paramProblem, validateSpec } from './validate';

type Layers = Parameters<typeof chainSpec>[0]['layers'];
const chain = (inputShape: number[], layers: Layers, loss: LossName = 'CrossEntropyLoss', optimizer: OptimizerName = 'Adam', lr?: number): ModelSpec =>
  chainSpec({
    name: 't', description: '', inputShape, layers,
    loss: { type: loss, params: {} }, optimizer: { type: optimizer, params: lr === undefined ? {} : { lr } },
  });
const edit = (name: string, change: (spec: ModelSpec & Record<string, unknown>) => void): unknown => {
  const spec = getPreset(name)! as ModelSpec & Record<string, unknown>;
  change(spec);
  return spec;
};
const node = (spec: ModelSpec, id: string) => spec.nodes.find((n) => n.id === id)!;

/** Specs that between them make every diagnostic the code can produce. */
const BROKEN: unknown[] = [
  null,
  { version: 2 },
  edit('LeNet-5', (s) => {
    node(s, 'conv1').op = 'Conv3d' as never;
    node(s, 'fc1').params.inFeatures = 0;
    node(s, 'fc2').params = { inFeatures: 120, outFeatures: 84, bias: 'yes' };
    node(s, 'conv2').params.kernelSize = [5, 2.5];
    node(s, 'relu1').params = { inplace: true };
    node(s, 'fc3').params = { outFeatures: 10, size: 3 };
    node(s, 'pool1').params = 7 as never;
  }),
  edit('Mnist_CNN', (s) => {
    node(s, 'conv1').params.groups = 3;
    node(s, 'input').params.shape = [1, 28, 27];
    s.nodes.push({ id: 'input', op: 'ReLU', params: {} }, {} as never, { id: 'fc-1', op: 'ReLU', params: {} }, { id: 'fc_1', op: 'ReLU', params: {} });
    s.nodes.push({ id: 'in2', op: 'Input', params: { shape: [784] } });
    s.edges.push({} as never, { from: 'x', to: 'conv1' }, { from: 'conv2', to: 'conv2' }, { from: 'conv1', to: 'conv2', port: -1 });
    s.edges.push({ from: 'input', to: 'conv1' });
  }),
  edit('MLP', (s) => { s.edges.push({ from: 'fc3', to: 'input' }); }),
  edit('Residual-MLP', (s) => {
    s.edges = s.edges.filter((e) => e.to !== 'add1' || e.from === 'relu1');
    s.nodes.push({ id: 'cat', op: 'Concat', params: {} }, { id: 'lonely', op: 'ReLU', params: {} });
    s.edges.push({ from: 'relu1', to: 'cat', port: 0 }, { from: 'relu2', to: 'cat', port: 0 }, { from: 'relu1', to: 'fc3' });
    s.edges.push({ from: 'fc3', to: 'fc1' });
  }),
  edit('MLP', (s) => {
    Object.assign(s, { loss: undefined, optimizer: { type: 'Lion', params: {} }, scheduler: { type: 'StepLR', params: 3 } });
    s.data = { dataset: 'cifar', batchSize: 0, shuffle: 'no', validationSize: 60000, normalize: 'zscore' } as never;
  }),
  edit('MLP', (s) => {
    Object.assign(s, { data: undefined, optimizer: { type: 'Adam', params: { lr: Number.NaN, betas: [0.9], amsgrad: 1 } } });
    Object.assign(s, { scheduler: { type: 'MultiStepLR', params: { milestones: [1.5] } } });
  }),
  { ...getPreset('MLP')!, nodes: [{ id: 'input', op: 'Input', params: { shape: [784] } }], edges: [] },
  { ...getPreset('MLP')!, nodes: [{ id: 'a', op: 'ReLU', params: {} }], edges: [], loss: { type: 'MSELoss', params: { reduction: 'all' } } },
  { ...getPreset('MLP')!, nodes: [{ id: 'input', op: 'Input', params: { shape: [0] } }, { id: 'r', op: 'ReLU', params: { x: 1 } }], edges: [{ from: 'input', to: 'r' }], scheduler: { type: 'StepLR', params: { gamma: 2, stepSize: 1 } } },
  edit('LeNet-5', (s) => { (s as Record<string, unknown>).scheduler = { type: 'ExponentialLR', params: { gamma: 0 } }; node(s, 'conv1').params.stride = [1, 1, 1]; }),
  edit('LeNet-5', (s) => { s.data.augment = { randomAffine: { scale: [1.2, 0.8] } }; }),
  edit('MLP', (s) => { (s.data as unknown as Record<string, unknown>).augment = 'flip'; }),
  edit('MLP', (s) => { Object.assign(node(s, 'relu1'), { op: 'Hardtanh', params: { minVal: 1, maxVal: -1 } }); }),
  chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 3 }], ['PReLU', { numParameters: 3 }]]),
  // Shapes.
  chain([1, 28, 28], [['Linear', { inFeatures: 784, outFeatures: 10 }]]),
  chain([1, 28, 28], [['Linear', { inFeatures: 100, outFeatures: 10 }]]),
  chain([1, 28, 28], [['Flatten'], ['Linear', { inFeatures: 100, outFeatures: 10 }]]),
  chain([1, 28, 28], [['Linear', { inFeatures: 28, outFeatures: 10 }], ['Flatten'], ['Linear', { inFeatures: 280, outFeatures: 10 }]]),
  chain([784], [['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]]),
  chain([1, 28, 28], [['Flatten'], ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]]),
  chain([1, 28, 28], [['Conv2d', { inChannels: 3, outChannels: 4, kernelSize: 3 }]]),
  chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 29 }]]),
  chain([1, 28, 28], [['MaxPool2d', { kernelSize: 2, padding: 2 }]]),
  chain([1, 28, 28], [['AvgPool2d', { kernelSize: 29 }]]),
  chain([1, 28, 28], [['Flatten', { startDim: 2, endDim: 1 }]]),
  chain([1, 28, 28], [['Flatten', { startDim: 0 }]]),
  chain([1, 28, 28], [['Flatten', { startDim: 5 }]]),
  chain([1, 28, 28], [['BatchNorm1d', { numFeatures: 1 }]]),
  chain([784], [['BatchNorm2d', { numFeatures: 1 }]]),
  chain([784], [['BatchNorm1d', { numFeatures: 1 }]]),
  chain([1, 28, 28], [['LSTM', { inputSize: 28, hiddenSize: 8, batchFirst: true }]]),
  chain([784], [['GRU', { inputSize: 28, hiddenSize: 8, batchFirst: true }]]),
  chain([28, 28], [['RNN', { inputSize: 28, hiddenSize: 8, batchFirst: false }]]),
  chain([28, 28], [['RNN', { inputSize: 14, hiddenSize: 8, batchFirst: true }]]),
  chain([784], [['LayerNorm', { normalizedShape: [28, 28] }]]),
  chain([1, 28, 28], [['GroupNorm', { numGroups: 2, numChannels: 4 }]]),
  chain([784], [['GroupNorm', { numGroups: 3, numChannels: 784 }]]),
  chain([1, 28, 28], [['Conv1d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]]),
  chain([1, 28, 28], [['Flatten'], ['Conv1d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]]),
  chain([28, 28], [['Conv1d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]]),
  chain([1, 784], [['Conv1d', { inChannels: 1, outChannels: 4, kernelSize: 785 }]]),
  chain([784], [['Unflatten', { dim: 1, unflattenedSize: [28, 27] }]]),
  chain([784], [['Unflatten', { dim: 0, unflattenedSize: [2, 392] }]]),
  chain([784], [['Dropout2d']]),
  chain([784], [['Softmax', { dim: 3 }]]),
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 64 }], ['ReLU']]),
  chain([784], [['ReLU']], 'MSELoss'),
  chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 10, kernelSize: 28 }]]),
  chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 2, kernelSize: 3 }]]),
  { ...chain([784], [['ReLU']]), loss: undefined },
  edit('Residual-MLP', (s) => { node(s, 'fc2').params.outFeatures = 64; }),
  edit('Residual-MLP', (s) => { node(s, 'add1').op = 'Concat'; node(s, 'add1').params = { dim: 0 }; }),
  edit('Residual-MLP', (s) => {
    node(s, 'add1').op = 'Concat';
    node(s, 'fc2').op = 'Conv2d';
    node(s, 'fc2').params = { inChannels: 1, outChannels: 1, kernelSize: 1 };
    node(s, 'relu1').op = 'Identity';
  }),
  {
    ...chain([28, 28], []),
    nodes: [
      { id: 'input', op: 'Input', params: { shape: [28, 28] } }, { id: 'a', op: 'Linear', params: { inFeatures: 28, outFeatures: 8 } },
      { id: 'b', op: 'Flatten', params: {} }, { id: 'cat', op: 'Concat', params: { dim: 1 } },
    ],
    edges: [{ from: 'input', to: 'a' }, { from: 'input', to: 'b' }, { from: 'a', to: 'cat', port: 0 }, { from: 'b', to: 'cat', port: 1 }],
  },
  // Lint.
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }], ['Softmax', { dim: 1 }]]),
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }]], 'NLLLoss'),
  { ...chain([784], []), loss: { type: 'NLLLoss', params: {} } },
  { ...chain([784], []), nodes: [], edges: [], loss: { type: 'NLLLoss', params: {} } },
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }], ['Sigmoid']], 'BCEWithLogitsLoss'),
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }]], 'BCELoss'),
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }], ['Dropout']]),
  chain([1, 28, 28], [['Linear', { inFeatures: 28, outFeatures: 10 }]]),
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }]], 'CrossEntropyLoss', 'SGD', 100),
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }]], 'CrossEntropyLoss', 'Adam', 1e-9),
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }]], 'KLDivLoss'),
  { ...chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }], ['LogSoftmax']]), loss: { type: 'KLDivLoss', params: { logTarget: true } } },
  chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }], ['Softmax']], 'MultiMarginLoss'),
  { ...chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }]]), scheduler: { type: 'OneCycleLR', params: { maxLr: 0.1, epochs: 2 } } },
  { ...chain([784], [['Linear', { inFeatures: 784, outFeatures: 10 }]], 'CrossEntropyLoss', 'Adagrad'), scheduler: { type: 'OneCycleLR', params: { maxLr: 0.1 } } },
  // ConvTranspose2d and Upsample.
  chain([1, 28, 28], [['ConvTranspose2d', { inChannels: 2, outChannels: 1, kernelSize: 2 }]]),
  chain([1, 28, 28], [['ConvTranspose2d', { inChannels: 1, outChannels: 1, kernelSize: 1, padding: 14 }]]),
  chain([1, 28, 28], [['ConvTranspose2d', { inChannels: 1, outChannels: 1, kernelSize: 2, stride: 2, outputPadding: 2 }]]),
  chain([1, 28, 28], [['Upsample', { size: 56, scaleFactor: 2 }]]),
  chain([1, 28, 28], [['Upsample', { scaleFactor: 2, alignCorners: true }]]),
  chain([1, 28, 28], [['Upsample', { scaleFactor: 0.01 }]]),
  // Image targets.
  edit('Autoencoder', (s) => { s.data.target = 'pixels' as never; }),
  edit('Autoencoder', (s) => { s.loss = { type: 'CrossEntropyLoss', params: {} }; }),
  edit('MLP', (s) => { s.data.target = 'image'; s.loss = { type: 'MSELoss', params: {} }; }),
  // Conv padding words and padding_mode.
  chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padding: 'same' }]]),
  chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 1, kernelSize: 3, padding: 28, paddingMode: 'reflect' }]]),
  chain([1, 28], [['Conv1d', { inChannels: 1, outChannels: 1, kernelSize: 3, padding: 29, paddingMode: 'circular' }]]),
];

/** Defensive checks no spec can reach today (every shape has the batch plus one dim), kept for new ops. */
const GUARDS: DiagnosticCode[] = ['linear-needs-features', 'fix-connect-after-features'];

/** Every code in a diagnostic, nested ones included. */
function codesOf(d: Diagnostic): DiagnosticCode[] {
  return [d.code, ...Object.values(d.params).flatMap((p) => (typeof p === 'object' ? codesOf(p) : []))];
}

function everyDiagnostic(spec: unknown): { diagnostic: Diagnostic; message: string }[] {
  const out: { diagnostic: Diagnostic; message: string }[] = [];
  for (const e of validateSpec(spec)) out.push({ diagnostic: e, message: e.message });
  if (typeof spec !== 'object' || spec === null || !Array.isArray((spec as ModelSpec).nodes) || !Array.isArray((spec as ModelSpec).edges)) return out;
  const safe = spec as ModelSpec;
  if (safe.nodes.some((n) => typeof n?.id !== 'string') || safe.edges.some((e) => typeof e?.from !== 'string')) return out;
  const report = inferShapes(safe);
  if (report.error) {
    out.push({ diagnostic: report.error, message: report.error.message });
    out.push({ diagnostic: { code: report.error.fixCode, params: report.error.fixParams }, message: report.error.fix });
  }
  // The builder lints unfinished graphs too (and ignores a throw), so do the same here.
  let warnings: ReturnType<typeof lintSpec> = [];
  try {
    warnings = lintSpec(safe);
  } catch {
    warnings = [];
  }
  for (const w of warnings) out.push({ diagnostic: w, message: w.message });
  return out;
}

describe('diagnostics', () => {
  it('render the English message from code and params, nested phrases included', () => {
    const d: Diagnostic = {
      code: 'bad-param',
      params: { where: { code: 'where-node', params: { id: 'fc1', op: 'Linear' } }, param: 'in_features', problem: { code: 'param-required', params: {} }, got: 'null' },
    };
    expect(renderDiagnostic(d)).toBe('node "fc1" (Linear): in_features is required, got null');
    expect(renderDiagnostic(d, (code) => `<${DIAGNOSTIC_TEXT[code]}>`)).toBe('<<node "fc1" (Linear)>: in_features <is required>, got null>');
    expect(renderDiagnostic({ code: 'training-not-object', params: { key: 'loss' } })).toBe('loss must be an object {type, params}');
  });

  it('every error, misfit, fix and warning has a known code whose rendering is its message', () => {
    for (const spec of BROKEN) {
      for (const { diagnostic, message } of everyDiagnostic(spec)) {
        expect(DIAGNOSTIC_CODES).toContain(diagnostic.code);
        expect(renderDiagnostic({ code: diagnostic.code, params: diagnostic.params })).toBe(message);
      }
    }
  });

  it('every code in DIAGNOSTIC_CODES is produced by some spec (no dead or untested codes)', () => {
    const seen = new Set<DiagnosticCode>();
    for (const spec of BROKEN) for (const { diagnostic } of everyDiagnostic(spec)) codesOf(diagnostic).forEach((c) => seen.add(c));
    // checkParam's problems for every catalogue param type, with and without a range.
    for (const catalogue of [OP_CATALOGUE, LOSS_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE]) {
      for (const info of Object.values(catalogue).flatMap((c) => c.params)) {
        for (const bad of [Number.NaN, 'x', [Number.NaN], null]) {
          const problem = paramProblem(info, bad);
          if (problem) codesOf(problem).forEach((c) => seen.add(c));
        }
        const open = paramProblem({ ...info, min: undefined, max: undefined }, 'x');
        if (open) codesOf(open).forEach((c) => seen.add(c));
      }
    }
    expect(DIAGNOSTIC_CODES.filter((c) => !seen.has(c) && !GUARDS.includes(c))).toEqual([]);
  });
});
