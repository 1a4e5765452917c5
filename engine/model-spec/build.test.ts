import { describe, expect, it } from 'vitest';
import { chainSpec, getPreset, inferShapes, measuresAccuracy, PRESETS, toPyTorch } from '../../common/model-spec/index';
import { Sequential } from '../nn/container';
import { Adadelta, Adagrad, Adam, AdamW, MultiStepLR, RMSprop, SGD, StepLR } from '../optim/index';
import { manualSeed, Random } from '../random';
import { randn, tensor } from '../tensor';
import {
  buildModel, GraphModule, makeLoss, makeOptimizer, makeScheduler, oneHot, prepareInput,
} from './build';

const batch = (spec: (typeof PRESETS)[string], n = 2) => prepareInput(spec, randn([n, 1, 28, 28], new Random(1)));

describe('buildModel', () => {
  for (const [name, spec] of Object.entries(PRESETS)) {
    it(`${name}: parameter count matches inferShapes and the output is [N, 10] (an image target's [N, 1, 28, 28])`, () => {
      manualSeed(0);
      const model = buildModel(spec);
      expect(model.numParameters()).toBe(inferShapes(spec).totalParams);
      expect((model.forward(batch(spec)) as { shape: number[] }).shape).toEqual(measuresAccuracy(spec) ? [2, 10] : [2, 1, 28, 28]);
    });
  }

  it('uses nn.Sequential indices for chains, as PyTorch does', () => {
    const lenet = buildModel(PRESETS['LeNet-5']);
    expect(lenet).toBeInstanceOf(Sequential);
    expect(Object.keys(lenet.stateDict())).toEqual([
      '0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias', '11.weight', '11.bias',
    ]);
    expect(Object.keys(buildModel(PRESETS['Row-LSTM']).stateDict())).toEqual([
      '0.weight_ih_l0', '0.weight_hh_l0', '0.bias_ih_l0', '0.bias_hh_l0', '1.weight', '1.bias',
    ]);
  });

  it('uses node ids for graphs (GraphModule) and runs Add and Concat', () => {
    const model = buildModel(PRESETS['Residual-MLP']);
    expect(model).toBeInstanceOf(GraphModule);
    expect(Object.keys(model.stateDict())).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    const spec = getPreset('Residual-MLP')!;
    spec.nodes.find((n) => n.id === 'add1')!.op = 'Concat';
    spec.nodes.find((n) => n.id === 'fc3')!.params.inFeatures = 256;
    const concat = buildModel(spec);
    expect((concat.forward(batch(spec, 3)) as { shape: number[] }).shape).toEqual([3, 10]);
  });

  it('builds every layer type, with sequence output for recurrent layers', () => {
    const spec = getPreset('Row-LSTM')!;
    spec.nodes = [
      spec.nodes[0],
      { id: 'gru', op: 'GRU', params: { inputSize: 28, hiddenSize: 8, batchFirst: true, output: 'sequence' } },
      { id: 'rnn', op: 'RNN', params: { inputSize: 8, hiddenSize: 6, batchFirst: true, nonlinearity: 'relu' } },
      { id: 'bn', op: 'BatchNorm1d', params: { numFeatures: 6 } },
      { id: 'act', op: 'GELU', params: {} },
      { id: 'drop', op: 'Dropout', params: { p: 0.2 } },
      { id: 'fc', op: 'Linear', params: { inFeatures: 6, outFeatures: 10 } },
      { id: 'out', op: 'LogSoftmax', params: {} },
    ];
    spec.edges = spec.nodes.slice(1).map((n, i) => ({ from: spec.nodes[i].id, to: n.id }));
    spec.loss = { type: 'NLLLoss', params: {} };
    const model = buildModel(spec);
    const y = model.forward(batch(spec, 4)) as { shape: number[]; data: ArrayLike<number> };
    expect(y.shape).toEqual([4, 10]);
    // log-probabilities: each row's exp sums to 1
    let rowSum = 0;
    for (let j = 0; j < 10; j++) rowSum += Math.exp(y.data[j]);
    expect(rowSum).toBeCloseTo(1, 4);
  });

  it("builds a conv's padding words and padding_mode as the modules take them, to the shape inferShapes gives; the twin writes them", () => {
    const spec = chainSpec({
      name: 'padded', description: 'padding words and modes', inputShape: [1, 28, 28], optimizer: { type: 'SGD', params: { lr: 0.1 } }, layers: [
        ['Conv2d', { inChannels: 1, outChannels: 2, kernelSize: 4, padding: 'same', paddingMode: 'reflect' }],
        ['Conv2d', { inChannels: 2, outChannels: 2, kernelSize: 3, padding: [1, 2], paddingMode: 'circular' }],
        ['Flatten', { startDim: 2 }], ['Conv1d', { inChannels: 2, outChannels: 2, kernelSize: 5, padding: 'valid', paddingMode: 'replicate' }],
        ['Flatten', {}], ['Linear', { inFeatures: 2 * 836, outFeatures: 10 }],
      ],
    });
    const model = buildModel(spec) as Sequential;
    expect(model.toString()).toContain('padding=same, padding_mode=reflect');
    expect(model.toString()).toContain('padding=(1, 2), padding_mode=circular');
    expect(model.toString()).toContain('padding=valid, padding_mode=replicate');
    // 28×30 after conv2 (padding (1, 2)), 836 = 28·30 − 4 steps after the 5-tap 'valid' Conv1d.
    expect(inferShapes(spec).nodes.conv3.shape).toEqual(['N', 2, 28 * 30 - 4]);
    expect(model.forward(batch(spec)).shape).toEqual([2, 10]);
    // As torch's keywords (layer-twins.test.ts runs such a twin in PyTorch).
    expect(toPyTorch(spec)).toContain([
      "    nn.Conv2d(1, 2, 4, padding='same', padding_mode='reflect'),  # conv1",
      "    nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode='circular'),  # conv2",
      '    nn.Flatten(start_dim=2),  # flatten1',
      "    nn.Conv1d(2, 2, 5, padding='valid', padding_mode='replicate'),  # conv3",
    ].join('\n'));
    // torch refuses 'same' on a strided conv, and so does the build, before any module is made.
    spec.nodes[1].params.stride = 2;
    expect(() => buildModel(spec)).toThrow("padding='same' needs stride 1");
  });

  it('refuses a spec whose shapes do not fit, with the fix', () => {
    const spec = getPreset('LeNet-5')!;
    spec.nodes.find((n) => n.id === 'fc1')!.params.inFeatures = 256;
    expect(() => buildModel(spec)).toThrow('fc1 (Linear) expects in_features 256 but its input [N, 400] has 400; fix: set in_features of fc1 to 400');
  });
});

describe('makeOptimizer / makeScheduler / makeLoss', () => {
  const params = () => [tensor([1, 2, 3], { requiresGrad: true })];
  const withOpt = (type: string, p: Record<string, unknown> = {}) => ({ ...getPreset('MLP')!, optimizer: { type, params: p } }) as never;

  it('maps each optimizer with torch defaults and overrides', () => {
    expect(makeOptimizer(withOpt('SGD', { lr: 0.1, momentum: 0.9 }), params())).toBeInstanceOf(SGD);
    const adam = makeOptimizer(withOpt('Adam'), params());
    expect(adam).toBeInstanceOf(Adam);
    expect(adam.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    expect(makeOptimizer(withOpt('AdamW'), params()).paramGroups[0]).toMatchObject({ weightDecay: 1e-2 });
    expect(makeOptimizer(withOpt('AdamW'), params())).toBeInstanceOf(AdamW);
    expect(makeOptimizer(withOpt('RMSprop'), params()).paramGroups[0]).toMatchObject({ lr: 1e-2, alpha: 0.99 });
    expect(makeOptimizer(withOpt('RMSprop'), params())).toBeInstanceOf(RMSprop);
    expect(makeOptimizer(withOpt('Adagrad'), params())).toBeInstanceOf(Adagrad);
    expect(makeOptimizer(withOpt('Adadelta'), params()).paramGroups[0]).toMatchObject({ lr: 1, rho: 0.9 });
    expect(makeOptimizer(withOpt('Adadelta'), params())).toBeInstanceOf(Adadelta);
    expect(makeOptimizer(withOpt('SGD', { lr: 0.1 }), params(), { lr: 0.5 }).paramGroups[0].lr).toBe(0.5);
  });

  it('builds schedulers that step the learning rate per epoch', () => {
    const spec = { ...getPreset('MLP')!, scheduler: { type: 'StepLR' as const, params: { stepSize: 1, gamma: 0.5 } } };
    const opt = makeOptimizer(spec, params());
    const sched = makeScheduler(spec, opt)!;
    expect(sched).toBeInstanceOf(StepLR);
    sched.step();
    expect(opt.paramGroups[0].lr).toBeCloseTo(5e-4);
    const multi = { ...spec, scheduler: { type: 'MultiStepLR' as const, params: { milestones: [2, 3], gamma: 0.1 } } };
    const opt2 = makeOptimizer(multi, params());
    const m = makeScheduler(multi, opt2)!;
    expect(m).toBeInstanceOf(MultiStepLR);
    const lrs = [1, 2, 3].map(() => (m.step(), opt2.paramGroups[0].lr));
    expect(lrs[0]).toBeCloseTo(1e-3);
    expect(lrs[1]).toBeCloseTo(1e-4);
    expect(lrs[2]).toBeCloseTo(1e-5);
    expect(makeScheduler(getPreset('MLP')!, opt2)).toBeNull();
  });

  it("runs a spec's MultiStepLR with optim's tested scheduler, matching torch 1.13 epoch by epoch", () => {
    // torch 1.13: SGD([p], lr=0.1, momentum=0.9), MultiStepLR(milestones=[2, 5, 5, 9], gamma=0.5), 12 × step()
    // (the same run as lr-scheduler.test.ts's torchMore.multistep; a repeated milestone decays twice).
    const torch = [0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625, 0.00625, 0.00625];
    const spec = {
      ...getPreset('MLP')!, optimizer: { type: 'SGD' as const, params: { lr: 0.1, momentum: 0.9 } },
      scheduler: { type: 'MultiStepLR' as const, params: { milestones: [2, 5, 5, 9], gamma: 0.5 } },
    };
    const opt = makeOptimizer(spec, params());
    const sched = makeScheduler(spec, opt)!;
    expect(sched).toBeInstanceOf(MultiStepLR);
    const lrs = [opt.paramGroups[0].lr];
    for (let epoch = 0; epoch < 12; epoch++) {
      sched.step();
      lrs.push(opt.paramGroups[0].lr);
    }
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(torch[i], 12));
  });

  it('turns labels into one-hot targets for regression-style losses', () => {
    expect(oneHot(tensor(new Int32Array([2, 0]), [2], { dtype: 'int32' }), 3).toArray()).toEqual([0, 0, 1, 1, 0, 0]);
    const logits = tensor([[0, 0, 10, 0, 0, 0, 0, 0, 0, 0]]);
    const labels = tensor(new Int32Array([2]), [1], { dtype: 'int32' });
    const mse = makeLoss({ ...getPreset('MLP')!, loss: { type: 'MSELoss', params: {} } });
    expect(mse(logits, labels).item()).toBeCloseTo(81 / 10, 5);
    const ce = makeLoss(getPreset('MLP')!);
    expect(ce(logits, labels).item()).toBeLessThan(1e-3);
  });

  it("gives a class-index loss its class weights: each sample's loss scaled by its class's weight, as torch does", () => {
    const logits = tensor([[1, 0, 3, 0, 0, 0, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0, 0, 0, 0, 1]]);
    const labels = tensor(new Int32Array([2, 9]), [2], { dtype: 'int32' });
    const weight = [1, 1, 3, 1, 1, 1, 1, 1, 1, 0.5];
    const loss = (type: 'CrossEntropyLoss' | 'NLLLoss' | 'MultiMarginLoss', params: Record<string, unknown>) =>
      makeLoss({ ...getPreset('MLP')!, loss: { type, params } } as never)(logits, labels).item();
    for (const type of ['CrossEntropyLoss', 'NLLLoss', 'MultiMarginLoss'] as const) {
      const each = [0, 1].map((i) => loss(type, { reduction: 'sum', weight: weight.map((w, c) => (c === [2, 9][i] ? w : 0)) }));
      const plain = [0, 1].map((i) => loss(type, { reduction: 'sum', weight: weight.map((_, c) => (c === [2, 9][i] ? 1 : 0)) }));
      expect(each[0]).toBeCloseTo(3 * plain[0], 5);
      expect(each[1]).toBeCloseTo(0.5 * plain[1], 5);
      expect(loss(type, { reduction: 'sum', weight })).toBeCloseTo(each[0] + each[1], 5);
      // torch's 'mean': CrossEntropy and NLL divide by the weights of the samples' classes, MultiMargin by N.
      const mean = loss(type, { weight });
      expect(mean).toBeCloseTo((each[0] + each[1]) / (type === 'MultiMarginLoss' ? 2 : 3.5), 5);
    }
  });
});
