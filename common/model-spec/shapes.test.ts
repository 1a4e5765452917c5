import { describe, expect, it } from 'vitest';
import { chainSpec, getPreset, PRESETS } from './presets';
import { formatCount, inferShapes } from './shapes';
import type { ModelSpec } from './types';

/** Known totals, computed by hand and checked against PyTorch (sum(p.numel() for p in model.parameters())). */
const KNOWN: Record<string, { params: number; macs: number; shapes: Record<string, unknown[]>; output?: unknown[] }> = {
  Mnist_Logistic: { params: 7850, macs: 7840, shapes: { input: ['N', 784], fc1: ['N', 10] } },
  MLP: { params: 109386, macs: 109184, shapes: { flatten1: ['N', 784], fc2: ['N', 64], fc3: ['N', 10] } },
  Mnist_CNN: {
    params: 3930, macs: 164160,
    shapes: { conv1: ['N', 16, 14, 14], conv2: ['N', 16, 7, 7], conv3: ['N', 10, 4, 4], pool1: ['N', 10, 1, 1], flatten1: ['N', 10] },
  },
  'LeNet-5': {
    params: 61706, macs: 416520,
    shapes: { conv1: ['N', 6, 28, 28], pool1: ['N', 6, 14, 14], conv2: ['N', 16, 10, 10], pool2: ['N', 16, 5, 5], flatten1: ['N', 400], fc1: ['N', 120] },
  },
  'Row-LSTM': { params: 82186, macs: 2237696, shapes: { input: ['N', 28, 28], lstm1: ['N', 128], fc1: ['N', 10] } },
  'Residual-MLP': { params: 118282, macs: 118016, shapes: { add1: ['N', 128], fc3: ['N', 10] } },
  // MACs: conv1 16·14·14·9, conv2 32·7·7·144, deconv1 32·7·7·(16·9) (each input pixel over its filters), conv3 28·28·144
  Autoencoder: {
    params: 9569, macs: 28224 + 225792 + 225792 + 112896, output: ['N', 1, 28, 28],
    shapes: { conv2: ['N', 32, 7, 7], deconv1: ['N', 16, 14, 14], up1: ['N', 16, 28, 28], sigmoid1: ['N', 1, 28, 28] },
  },
};

describe('inferShapes on the presets', () => {
  for (const [name, known] of Object.entries(KNOWN)) {
    it(`${name}: ${formatCount(known.params)} params, ${formatCount(known.macs)} MACs`, () => {
      const report = inferShapes(PRESETS[name]);
      expect(report.error).toBeNull();
      expect(report.totalParams).toBe(known.params);
      expect(report.totalMacs).toBe(known.macs);
      expect(report.outputShape).toEqual(known.output ?? ['N', 10]);
      for (const [id, shape] of Object.entries(known.shapes)) expect(report.nodes[id].shape, id).toEqual(shape);
    });
  }

  it('spells out each parameter count', () => {
    const cnn = inferShapes(PRESETS.Mnist_CNN).nodes;
    expect(cnn.conv1.paramFormula).toBe('16×1×3×3 + 16 = 160');
    expect(cnn.conv2.paramFormula).toBe('16×16×3×3 + 16 = 2,320');
    expect(cnn.relu1.paramFormula).toBe('');
    const lenet = inferShapes(PRESETS['LeNet-5']).nodes;
    expect(lenet.fc1.paramFormula).toBe('120×400 + 120 = 48,120');
    expect(inferShapes(PRESETS['Row-LSTM']).nodes.lstm1.paramFormula).toBe('4×128×28 + 4×128×128 + 2×4×128 = 80,896');
  });
});

const chain = (inputShape: number[], layers: Parameters<typeof chainSpec>[0]['layers']): ModelSpec =>
  chainSpec({ name: 't', description: '', inputShape, layers, optimizer: { type: 'SGD', params: { lr: 0.1 } } });

describe('inferShapes errors and fixes', () => {
  it('Linear on an image: insert Flatten', () => {
    const report = inferShapes(chain([1, 28, 28], [['Linear', { inFeatures: 784, outFeatures: 10 }]]));
    expect(report.error).toEqual({
      nodeId: 'fc1', edge: { from: 'input', to: 'fc1' },
      message: 'fc1 (Linear) expects in_features 784 but its input [N, 1, 28, 28] has 28',
      fix: 'insert Flatten before fc1',
      code: 'linear-in-features-mismatch', params: { id: 'fc1', expected: 784, shape: '[N, 1, 28, 28]', got: 28 },
      fixCode: 'insert-flatten', fixParams: { id: 'fc1' },
    });
  });

  it('PReLU learns 1 slope or one per channel, and says which when neither', () => {
    const conv = ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 3 }] as const;
    const perChannel = inferShapes(chain([1, 28, 28], [[...conv], ['PReLU', { numParameters: 4 }], ['Flatten'], ['Linear', { inFeatures: 2704, outFeatures: 10 }]]));
    expect(perChannel.error).toBeNull();
    expect(perChannel.nodes.prelu1).toMatchObject({ shape: ['N', 4, 26, 26], params: 4, paramFormula: '4' });
    expect(inferShapes(chain([784], [['PReLU'], ['Linear', { inFeatures: 784, outFeatures: 10 }]])).nodes.prelu1.params).toBe(1);
    expect(inferShapes(chain([1, 28, 28], [[...conv], ['PReLU', { numParameters: 3 }]])).error).toMatchObject({
      nodeId: 'prelu1',
      message: 'prelu1 (PReLU) has num_parameters 3 but its input [N, 4, 26, 26] has 4 channels (1 or one per channel)',
      fix: 'set num_parameters of prelu1 to 4',
    });
  });

  it('wrong in_features after Flatten: set it', () => {
    const report = inferShapes(chain([1, 28, 28], [['Flatten'], ['Linear', { inFeatures: 100, outFeatures: 10 }]]));
    expect(report.error).toMatchObject({ nodeId: 'fc1', edge: { from: 'flatten1', to: 'fc1' }, fix: 'set in_features of fc1 to 784' });
    expect(report.nodes.flatten1.shape).toEqual(['N', 784]);
    expect(report.nodes.fc1.shape).toBeNull();
  });

  it('LeNet with a wrong fc1 size suggests the flattened size', () => {
    const spec = getPreset('LeNet-5')!;
    spec.nodes.find((n) => n.id === 'fc1')!.params.inFeatures = 256;
    expect(inferShapes(spec).error).toMatchObject({ nodeId: 'fc1', fix: 'set in_features of fc1 to 400' });
    spec.edges = spec.edges.filter((e) => e.to !== 'flatten1' && e.from !== 'flatten1');
    spec.nodes = spec.nodes.filter((n) => n.id !== 'flatten1');
    spec.edges.push({ from: 'pool2', to: 'fc1' });
    expect(inferShapes(spec).error).toMatchObject({ nodeId: 'fc1', fix: 'insert Flatten before fc1 and set in_features to 400' });
  });

  it('Conv2d: wrong channels, flat input, kernel too big', () => {
    expect(inferShapes(chain([1, 28, 28], [['Conv2d', { inChannels: 3, outChannels: 8, kernelSize: 3 }]])).error)
      .toMatchObject({ nodeId: 'conv1', fix: 'set in_channels of conv1 to 1' });
    expect(inferShapes(chain([784], [['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 3 }]])).error)
      .toMatchObject({ message: 'conv1 (Conv2d) needs (N, C, H, W) input but gets [N, 784]', fix: 'set the Input shape to [1, 28, 28]' });
    expect(inferShapes(chain([1, 28, 28], [['MaxPool2d', { kernelSize: 14 }], ['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 3 }]])).error)
      .toMatchObject({ nodeId: 'conv1', message: 'conv1 (Conv2d): a 3×3 kernel does not fit the 2×2 input' });
  });

  it('recurrent layers: image input, batch_first, input_size', () => {
    const lstm = (shape: number[], params: Record<string, unknown>) =>
      inferShapes(chain(shape, [['LSTM', { inputSize: 28, hiddenSize: 32, batchFirst: true, ...params }], ['Linear', { inFeatures: 32, outFeatures: 10 }]])).error;
    expect(lstm([1, 28, 28], {})).toMatchObject({ fix: 'set the Input shape to [28, 28] (each image row is one time step)' });
    expect(lstm([28, 28], { batchFirst: false })).toMatchObject({ fix: 'set batch_first of lstm1 to True' });
    expect(lstm([28, 28], { inputSize: 16 })).toMatchObject({ fix: 'set input_size of lstm1 to 28' });
    const seq = inferShapes(chain([28, 28], [['GRU', { inputSize: 28, hiddenSize: 8, numLayers: 2, batchFirst: true, output: 'sequence' }]]));
    expect(seq.nodes.gru1).toMatchObject({ shape: ['N', 28, 8], params: 3 * 8 * 28 + 3 * 8 * 8 + 48 + (3 * 8 * 8 * 2 + 48) });
  });

  it('the output must be 10 class scores', () => {
    expect(inferShapes(chain([784], [['Linear', { inFeatures: 784, outFeatures: 64 }], ['ReLU']])).error)
      .toMatchObject({ nodeId: 'relu1', message: 'the model outputs [N, 64] but CrossEntropyLoss needs [N, 10] (one score per class)', fix: 'set out_features of fc1 to 10' });
    const cnn = getPreset('Mnist_CNN')!;
    cnn.nodes = cnn.nodes.filter((n) => n.id !== 'flatten1');
    cnn.edges = cnn.edges.filter((e) => e.to !== 'flatten1');
    expect(inferShapes(cnn).error).toMatchObject({ fix: 'insert Flatten after pool1' });
  });

  it('merges: Add needs equal shapes, Concat joins along dim', () => {
    const spec = getPreset('Residual-MLP')!;
    spec.nodes.find((n) => n.id === 'fc2')!.params.outFeatures = 64;
    expect(inferShapes(spec).error).toMatchObject({
      nodeId: 'add1', edge: { from: 'relu2', to: 'add1' },
      message: 'add1 (Add) needs equal shapes but gets [N, 128] from relu1 and [N, 64] from relu2',
    });
    spec.nodes.find((n) => n.id === 'add1')!.op = 'Concat';
    spec.nodes.find((n) => n.id === 'fc3')!.params.inFeatures = 192;
    const report = inferShapes(spec);
    expect(report.error).toBeNull();
    expect(report.nodes.add1.shape).toEqual(['N', 192]);
  });

  it('survives unfinished graphs: unconnected nodes get no shape', () => {
    const spec = chain([1, 28, 28], [['Flatten']]);
    spec.nodes.push({ id: 'loose', op: 'Linear', params: { inFeatures: 784, outFeatures: 10 } });
    const report = inferShapes(spec);
    expect(report.nodes.flatten1.shape).toEqual(['N', 784]);
    expect(report.nodes.loose.shape).toBeNull();
  });
});

describe('inferShapes on broken graphs', () => {
  it('lists nodes on a cycle without a shape', () => {
    const spec = getPreset('MLP')!;
    spec.edges.push({ from: 'fc3', to: 'relu1' });
    const report = inferShapes(spec);
    expect(Object.keys(report.nodes).sort()).toEqual(spec.nodes.map((n) => n.id).sort());
    expect(report.nodes.fc3.shape).toBeNull();
    expect(report.nodes.flatten1.shape).toEqual(['N', 784]);
  });
});

describe('the layers #18 added: shapes, parameter counts, misfits and fixes', () => {
  it('LayerNorm: normalized_shape must be the last dims', () => {
    const ok = inferShapes(chain([1, 28, 28], [['LayerNorm', { normalizedShape: [28, 28] }], ['Flatten'], ['Linear', { inFeatures: 784, outFeatures: 10 }]]));
    expect(ok.nodes.ln1).toMatchObject({ shape: ['N', 1, 28, 28], params: 1568, paramFormula: '2×784 = 1,568' });
    expect(inferShapes(chain([784], [['LayerNorm', { normalizedShape: [28, 28] }]])).error).toMatchObject({
      nodeId: 'ln1', message: 'ln1 (LayerNorm) normalizes over the last dims [28, 28] but its input is [N, 784]',
      fix: 'set normalized_shape of ln1 to [784]',
    });
    const noAffine = inferShapes(chain([784], [['LayerNorm', { normalizedShape: [784], elementwiseAffine: false }], ['Linear', { inFeatures: 784, outFeatures: 10 }]]));
    expect(noAffine.nodes.ln1.params).toBe(0);
  });

  it('GroupNorm: num_channels must be the input channels', () => {
    const ok = inferShapes(chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 3 }], ['GroupNorm', { numGroups: 4, numChannels: 8 }]]));
    expect(ok.nodes.gn1).toMatchObject({ shape: ['N', 8, 26, 26], params: 16, paramFormula: '2×8 = 16' });
    expect(inferShapes(chain([1, 28, 28], [['GroupNorm', { numGroups: 2, numChannels: 4 }]])).error).toMatchObject({
      nodeId: 'gn1', message: 'gn1 (GroupNorm) expects num_channels 4 but its input [N, 1, 28, 28] has 1', fix: 'set num_channels of gn1 to 1',
    });
  });

  it('Conv1d: reads (N, C, L); an image or rows fed with the wrong in_channels get the Input shape or in_channels that fits', () => {
    const rows = inferShapes(chain([28, 28], [['Conv1d', { inChannels: 28, outChannels: 16, kernelSize: 5, stride: 2 }], ['Flatten'], ['Linear', { inFeatures: 192, outFeatures: 10 }]]));
    expect(rows.error).toBeNull();
    expect(rows.nodes.conv1).toMatchObject({ shape: ['N', 16, 12], params: 16 * 28 * 5 + 16, paramFormula: '16×28×5 + 16 = 2,256', macs: 16 * 12 * 28 * 5 });
    const conv = (shape: number[], params: Record<string, number>) =>
      inferShapes(chain(shape, [['Conv1d', { inChannels: 1, outChannels: 4, kernelSize: 3, ...params }]])).error;
    expect(conv([1, 28, 28], {})).toMatchObject({
      message: 'conv1 (Conv1d) needs (N, C, L) input but gets [N, 1, 28, 28]',
      fix: 'set the Input shape to [28, 28] (the image rows as 28 channels along 28 steps) or [1, 784]',
    });
    expect(conv([28, 28], {})).toMatchObject({
      message: 'conv1 (Conv1d) expects in_channels 1 but its input [N, 28, 28] has 28 channels (Conv1d reads (N, C, L): dim 1 is the channels)',
      fix: 'set in_channels of conv1 to 28: nn.Conv1d reads [N, 28, 28] as 28 channels (the image rows) of 28 steps',
    });
    expect(conv([1, 784], { kernelSize: 785 })).toMatchObject({ message: 'conv1 (Conv1d): a kernel of 785 does not fit the length 784' });
    expect(inferShapes(chain([1, 28, 28], [['Flatten'], ['Conv1d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]])).error)
      .toMatchObject({ fix: 'feed it (N, C, L): channels, then steps' });
    expect(inferShapes(chain([2, 392], [['Conv1d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]])).error).toMatchObject({ fix: 'set in_channels of conv1 to 2' });
  });

  it("Conv1d and Conv2d: 'same' keeps the size, 'valid' pads nothing, and reflect/circular refuse what torch refuses", () => {
    const conv2 = (params: Record<string, unknown>, shape = [1, 28, 28]) =>
      inferShapes(chain(shape, [['Conv2d', { inChannels: 1, outChannels: 2, kernelSize: 3, ...params }]]));
    const conv1 = (params: Record<string, unknown>, shape = [1, 28]) =>
      inferShapes(chain(shape, [['Conv1d', { inChannels: 1, outChannels: 2, kernelSize: 3, ...params }]]));
    // 'same' pads dilation·(k − 1) in all, the odd one after: every kernel and dilation keeps 28 (torch's shapes).
    for (const [kernelSize, dilation] of [[3, 1], [4, 1], [5, 3], [[2, 7], 2]]) {
      expect(conv2({ kernelSize, dilation, padding: 'same' }).nodes.conv1.shape).toEqual(['N', 2, 28, 28]);
      if (typeof kernelSize === 'number') expect(conv1({ kernelSize, dilation, padding: 'same' }).nodes.conv1.shape).toEqual(['N', 2, 28]);
    }
    expect(conv2({ kernelSize: 5, padding: 'valid' }).nodes.conv1).toMatchObject({ shape: ['N', 2, 24, 24], macs: 2 * 24 * 24 * 25 });
    expect(conv1({ kernelSize: 5, padding: 'valid', stride: 2 }).nodes.conv1.shape).toEqual(['N', 2, 12]);
    expect(conv2({ padding: [1, 2], paddingMode: 'replicate' }).nodes.conv1.shape).toEqual(['N', 2, 28, 30]);
    // torch 1.13 on a 5×5 input: reflect pads at most 4 on a side, circular 5, replicate anything.
    expect(conv2({ padding: 4, paddingMode: 'reflect' }, [1, 5, 5]).nodes.conv1.shape).toEqual(['N', 2, 11, 11]);
    expect(conv2({ padding: 5, paddingMode: 'reflect' }, [1, 5, 5]).error).toMatchObject({
      nodeId: 'conv1', code: 'reflect-padding-too-big',
      message: "conv1 (Conv2d): padding_mode 'reflect' mirrors at most 4 values of a dim of size 5, but padding is 5",
      fix: "reduce padding of conv1, or use padding_mode 'zeros' or 'replicate'",
    });
    expect(conv2({ padding: 5, paddingMode: 'circular' }, [1, 5, 5]).nodes.conv1.shape).toEqual(['N', 2, 13, 13]);
    expect(conv2({ padding: 6, paddingMode: 'circular' }, [1, 5, 5]).error).toMatchObject({
      code: 'circular-padding-too-big', message: "conv1 (Conv2d): padding_mode 'circular' wraps at most 5 values of a dim of size 5, but padding is 6",
    });
    expect(conv2({ padding: 6, paddingMode: 'replicate' }, [1, 5, 5]).nodes.conv1.shape).toEqual(['N', 2, 15, 15]);
    expect(conv2({ padding: 6 }, [1, 5, 5]).nodes.conv1.shape).toEqual(['N', 2, 15, 15]);
    // 'same' with an 11 kernel pads 5 on each side: too much to mirror from 5 values, fine with zeros (as torch).
    expect(conv2({ kernelSize: 11, padding: 'same', paddingMode: 'reflect' }, [1, 5, 5]).error).toMatchObject({ code: 'reflect-padding-too-big' });
    expect(conv2({ kernelSize: 11, padding: 'same' }, [1, 5, 5]).nodes.conv1.shape).toEqual(['N', 2, 5, 5]);
    // Only the dim that is too small counts: (h, w) padding (1, 6) on 28×5.
    expect(conv2({ padding: [1, 6], paddingMode: 'reflect' }, [1, 28, 5]).error).toMatchObject({
      message: "conv1 (Conv2d): padding_mode 'reflect' mirrors at most 4 values of a dim of size 5, but padding is 6",
    });
    expect(conv1({ padding: 5, paddingMode: 'reflect' }, [1, 5]).error).toMatchObject({
      message: "conv1 (Conv1d): padding_mode 'reflect' mirrors at most 4 values of a dim of size 5, but padding is 5",
    });
    expect(conv1({ padding: 5, paddingMode: 'circular' }, [1, 5]).nodes.conv1.shape).toEqual(['N', 2, 13]);
  });

  it('Unflatten: the sizes multiply to the dim they split, never the batch', () => {
    const ok = inferShapes(chain([784], [['Unflatten', { dim: 1, unflattenedSize: [1, 28, 28] }], ['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 3 }]]));
    expect(ok.nodes.unflatten1.shape).toEqual(['N', 1, 28, 28]);
    expect(ok.nodes.conv1.shape).toEqual(['N', 4, 26, 26]);
    expect(inferShapes(chain([784], [['Unflatten', { dim: -1, unflattenedSize: [28, 27] }]])).error).toMatchObject({
      nodeId: 'unflatten1', message: 'unflatten1 (Unflatten): unflattened_size [28, 27] holds 756 values but dim 1 of its input [N, 784] has 784',
      fix: 'set unflattened_size of unflatten1 to sizes that multiply to 784',
    });
    expect(inferShapes(chain([784], [['Unflatten', { dim: 0, unflattenedSize: [2, 392] }]])).error).toMatchObject({ fix: 'set dim to 1 or later' });
  });

  it('Dropout2d: channels of images or sequences; a flat input is told to use Dropout', () => {
    const ok = inferShapes(chain([1, 28, 28], [['Conv2d', { inChannels: 1, outChannels: 4, kernelSize: 3 }], ['Dropout2d', { p: 0.2 }]]));
    expect(ok.nodes.dropout2d1).toMatchObject({ shape: ['N', 4, 26, 26], params: 0 });
    expect(inferShapes(chain([28, 28], [['Dropout2d']])).nodes.dropout2d1.shape).toEqual(['N', 28, 28]);
    expect(inferShapes(chain([784], [['Dropout2d']])).error).toMatchObject({
      message: 'dropout2d1 (Dropout2d) needs (N, C, H, W) or (N, C, L) input but gets [N, 784]',
      fix: 'use Dropout: Dropout2d zeroes whole channels of (N, C, H, W) or (N, C, L) input',
    });
  });
});

describe('ConvTranspose2d and Upsample', () => {
  it('grow the image by torch formulas, with parameter counts and MACs for ConvTranspose2d', () => {
    const nodes = inferShapes(chain([1, 28, 28], [
      ['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 3, stride: 2, padding: 1 }],
      ['ConvTranspose2d', { inChannels: 8, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1 }],
      ['Upsample', { scaleFactor: 1.5, mode: 'bilinear' }],
      ['ConvTranspose2d', { inChannels: 4, outChannels: 2, kernelSize: [3, 2], groups: 2, bias: false, dilation: 2 }],
      ['Upsample', { size: [10, 12] }],
    ])).nodes;
    expect(nodes.conv1.shape).toEqual(['N', 8, 14, 14]);
    // (14 − 1)·2 − 2 + 2 + 1 + 1 = 28
    expect(nodes.deconv1).toMatchObject({ shape: ['N', 4, 28, 28], paramFormula: '8×4×3×3 + 4 = 292', macs: 8 * 14 * 14 * 4 * 9 });
    expect(nodes.up1.shape).toEqual(['N', 4, 42, 42]);
    // H: 41 + 2·2 + 1 = 46; W: 41 + 2·1 + 1 = 44; weight [4, 2/2, 3, 2]
    expect(nodes.deconv2).toMatchObject({ shape: ['N', 2, 46, 44], paramFormula: '4×1×3×2 = 24' });
    expect(nodes.up2.shape).toEqual(['N', 2, 10, 12]);
  });

  it("an image target (data.target 'image') needs the output [N, 1, 28, 28], not class scores", () => {
    const mlp = { ...PRESETS.MLP, data: { ...PRESETS.MLP.data, target: 'image' as const }, loss: { type: 'MSELoss' as const, params: {} } };
    expect(inferShapes(mlp).error).toMatchObject({
      nodeId: 'fc3', message: 'the model outputs [N, 10] but MSELoss compares it with the input image [N, 1, 28, 28]',
      fix: 'end the model with one channel of 28×28, e.g. ConvTranspose2d(…, 1, …) or Upsample to size 28',
    });
    const classes = { ...PRESETS.Autoencoder, data: { ...PRESETS.Autoencoder.data, target: 'label' as const } };
    expect(inferShapes(classes).error?.message).toBe('the model outputs [N, 1, 28, 28] but MSELoss needs [N, 10] (one score per class)');
  });

  it('say what misfits and how to fix it', () => {
    expect(inferShapes(chain([1, 28, 28], [['ConvTranspose2d', { inChannels: 3, outChannels: 1, kernelSize: 2 }]])).error)
      .toMatchObject({ nodeId: 'deconv1', message: 'deconv1 (ConvTranspose2d) expects in_channels 3 but its input [N, 1, 28, 28] has 1 channels', fix: 'set in_channels of deconv1 to 1' });
    expect(inferShapes(chain([784], [['Upsample', { scaleFactor: 2 }]])).error)
      .toMatchObject({ message: 'up1 (Upsample) needs (N, C, H, W) input but gets [N, 784]', fix: 'set the Input shape to [1, 28, 28]' });
    expect(inferShapes(chain([1, 28, 28], [['Upsample', { scaleFactor: 0.02 }]])).error)
      .toMatchObject({ message: 'up1 (Upsample): scale_factor 0.02 leaves no output from the 28×28 input', fix: 'raise scale_factor of up1, or give size instead' });
  });
});
