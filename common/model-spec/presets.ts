/**
 * Ready-made specs: the models of PyTorch's "What is torch.nn really?" tutorial and a few classics.
 * Each passes validateSpec and lintSpec cleanly (a test checks).
 */
import { idPrefix } from './catalogue';
import type { DataSpec, LossSpec, ModelSpec, OpName, OptimizerSpec, Params, SpecEdge, SpecNode } from './types';

type Layer = [OpName, Params?];

/** A chain spec Input → layers…, node ids like conv1, relu1, pool1, fc1. */
export function chainSpec(opts: {
  name: string; description: string; inputShape: number[]; layers: Layer[];
  loss?: LossSpec; optimizer: OptimizerSpec; data?: Partial<DataSpec>;
}): ModelSpec {
  const nodes: SpecNode[] = [{ id: 'input', op: 'Input', params: { shape: opts.inputShape } }];
  const edges: SpecEdge[] = [];
  const counts = new Map<string, number>();
  for (const [op, params = {}] of opts.layers) {
    const prefix = idPrefix(op);
    const n = (counts.get(prefix) ?? 0) + 1;
    counts.set(prefix, n);
    const id = `${prefix}${n}`;
    edges.push({ from: nodes[nodes.length - 1].id, to: id });
    nodes.push({ id, op, params });
  }
  return {
    version: 1,
    name: opts.name,
    description: opts.description,
    nodes,
    edges,
    loss: opts.loss ?? { type: 'CrossEntropyLoss', params: {} },
    optimizer: opts.optimizer,
    data: { dataset: 'mnist', batchSize: 64, shuffle: true, validationSize: 10000, normalize: 'standardize', ...opts.data },
  };
}

const conv = (inChannels: number, outChannels: number, kernelSize: number, extra: Params = {}): Layer =>
  ['Conv2d', { inChannels, outChannels, kernelSize, ...extra }];
const fc = (inFeatures: number, outFeatures: number): Layer => ['Linear', { inFeatures, outFeatures }];
const relu: Layer = ['ReLU'];

export const PRESETS: Record<string, ModelSpec> = {
  Mnist_Logistic: chainSpec({
    name: 'Mnist_Logistic',
    description: "The tutorial's logistic regression: one Linear(784, 10) on flattened pixels scaled to [0, 1].",
    inputShape: [784],
    layers: [fc(784, 10)],
    optimizer: { type: 'SGD', params: { lr: 0.5 } },
    data: { normalize: 'scale' },
  }),
  MLP: chainSpec({
    name: 'MLP',
    description: 'A multilayer perceptron 784-128-64-10 with ReLU, trained with Adam.',
    inputShape: [1, 28, 28],
    layers: [['Flatten'], fc(784, 128), relu, fc(128, 64), relu, fc(64, 10)],
    optimizer: { type: 'Adam', params: { lr: 1e-3 } },
  }),
  Mnist_CNN: chainSpec({
    name: 'Mnist_CNN',
    description: "The tutorial's CNN: three stride-2 3×3 convolutions with ReLU, then a 4×4 average pool to 10 scores.",
    inputShape: [1, 28, 28],
    layers: [
      conv(1, 16, 3, { stride: 2, padding: 1 }), relu,
      conv(16, 16, 3, { stride: 2, padding: 1 }), relu,
      conv(16, 10, 3, { stride: 2, padding: 1 }), relu,
      ['AvgPool2d', { kernelSize: 4 }], ['Flatten'],
    ],
    optimizer: { type: 'SGD', params: { lr: 0.1, momentum: 0.9 } },
    data: { normalize: 'scale' },
  }),
  'LeNet-5': chainSpec({
    name: 'LeNet-5',
    description: "LeCun's LeNet-5 with ReLU and max pooling: two convolutions, then 400-120-84-10.",
    inputShape: [1, 28, 28],
    layers: [
      conv(1, 6, 5, { padding: 2 }), relu, ['MaxPool2d', { kernelSize: 2 }],
      conv(6, 16, 5), relu, ['MaxPool2d', { kernelSize: 2 }],
      ['Flatten'], fc(400, 120), relu, fc(120, 84), relu, fc(84, 10),
    ],
    optimizer: { type: 'Adam', params: { lr: 1e-3 } },
  }),
  // pytorch/examples' mnist/main.py `Net`, the canonical PyTorch MNIST example (1.2M parameters, 9216→128 in fc1):
  // where a GPU pays, since PyTorch on 16 CPU threads needs ~21 s an epoch.
  'Example-Net': chainSpec({
    name: 'Example-Net',
    description: "pytorch/examples' MNIST Net: conv 32 and 64, max pool, dropout, 9216→128→10, log-softmax + NLL, Adadelta.",
    inputShape: [1, 28, 28],
    layers: [
      conv(1, 32, 3), relu, conv(32, 64, 3), relu, ['MaxPool2d', { kernelSize: 2 }], ['Dropout', { p: 0.25 }],
      ['Flatten'], fc(9216, 128), relu, ['Dropout', { p: 0.5 }], fc(128, 10), ['LogSoftmax', { dim: 1 }],
    ],
    loss: { type: 'NLLLoss', params: {} },
    optimizer: { type: 'Adadelta', params: { lr: 1.0 } },
  }),
  'Row-LSTM': chainSpec({
    name: 'Row-LSTM',
    description: "Reads each image row by row as a 28-step sequence; the LSTM's last step goes to Linear(128, 10).",
    inputShape: [28, 28],
    layers: [['LSTM', { inputSize: 28, hiddenSize: 128, batchFirst: true, output: 'last' }], fc(128, 10)],
    optimizer: { type: 'Adam', params: { lr: 1e-3 } },
  }),
  'Residual-MLP': residualMlp(),
  Autoencoder: chainSpec({
    name: 'Autoencoder',
    description: 'Learns to redraw its input: two stride-2 convolutions squeeze the image to 32×7×7, then ConvTranspose2d and ' +
      'Upsample grow it back to 1×28×28, a Sigmoid keeps the pixels in [0, 1], and MSELoss compares it with the input.',
    inputShape: [1, 28, 28],
    layers: [
      conv(1, 16, 3, { stride: 2, padding: 1 }), relu,
      conv(16, 32, 3, { stride: 2, padding: 1 }), relu,
      ['ConvTranspose2d', { inChannels: 32, outChannels: 16, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1 }], relu,
      ['Upsample', { scaleFactor: 2 }],
      conv(16, 1, 3, { padding: 1 }), ['Sigmoid'],
    ],
    loss: { type: 'MSELoss', params: {} },
    optimizer: { type: 'Adam', params: { lr: 1e-3 } },
    data: { normalize: 'scale', target: 'image' },
  }),
};

/** A graph (not a chain): fc2's output is added back to its input, so it exports as an nn.Module subclass. */
function residualMlp(): ModelSpec {
  const spec = chainSpec({
    name: 'Residual-MLP',
    description: 'An MLP with a skip connection: relu1 + relu2 (an Add merge), so it is a graph, not a chain.',
    inputShape: [1, 28, 28],
    layers: [['Flatten'], fc(784, 128), relu, fc(128, 128), relu],
    optimizer: { type: 'Adam', params: { lr: 1e-3 } },
  });
  spec.nodes.push({ id: 'add1', op: 'Add', params: {} }, { id: 'fc3', op: 'Linear', params: { inFeatures: 128, outFeatures: 10 } });
  spec.edges.push({ from: 'relu1', to: 'add1', port: 0 }, { from: 'relu2', to: 'add1', port: 1 }, { from: 'add1', to: 'fc3' });
  return spec;
}

export const PRESET_NAMES = Object.keys(PRESETS);

/** A deep copy of a preset, so callers may edit it; undefined for an unknown name. */
export function getPreset(name: string): ModelSpec | undefined {
  const spec = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  return spec && (JSON.parse(JSON.stringify(spec)) as ModelSpec);
}
