import { describe, expect, it } from 'vitest';
import { getPreset } from './presets';
import { LOSSES, type ModelSpec } from './types';
import { assertValidSpec, validateSpec } from './validate';

const lenet = () => getPreset('LeNet-5')!;
const messages = (spec: unknown) => validateSpec(spec).map((e) => e.message);

describe('validateSpec', () => {
  it('accepts every preset', () => {
    expect(validateSpec(lenet())).toEqual([]);
  });

  it('rejects non-objects and wrong versions without throwing', () => {
    expect(messages(null)).toEqual(['spec must be a JSON object']);
    expect(messages([])).toEqual(['spec must be a JSON object']);
    const spec = { ...lenet(), version: 2 };
    expect(messages(spec)).toEqual(['version must be 1, got 2']);
    expect(messages({ version: 1 })).toEqual(['nodes must be an array', 'edges must be an array']);
  });

  it('names the node with an unknown op', () => {
    const spec = lenet();
    (spec.nodes[1] as { op: string }).op = 'Conv3d';
    const errors = validateSpec(spec);
    expect(errors[0]).toMatchObject({ nodeId: 'conv1', message: `node "conv1" (Conv3d): unknown op 'Conv3d'` });
  });

  it('reports bad param values with the torch name and the value', () => {
    const spec = lenet();
    spec.nodes.find((n) => n.id === 'fc1')!.params.inFeatures = 0;
    spec.nodes.find((n) => n.id === 'conv2')!.params.kernelSize = [5, 2.5];
    spec.nodes.find((n) => n.id === 'relu1')!.params.inplace = true;
    expect(messages(spec)).toEqual([
      `node "relu1" (ReLU): unknown param 'inplace' (known: none)`,
      'node "conv2" (Conv2d): kernel_size must be an integer or a pair of integers ≥ 1, got [5,2.5]',
      'node "fc1" (Linear): in_features must be an integer ≥ 1, got 0',
    ]);
  });

  // The builder's catalogue lists only what the engine builds exactly: a PyTorch option beyond it (MaxPool2d's
  // return_indices), or one spelled as torch spells it rather than as the spec does, is refused by name, never dropped.
  it('refuses PyTorch options the catalogue does not list, naming them and what it knows', () => {
    const spec = lenet();
    spec.nodes.find((n) => n.id === 'conv1')!.params.padding_mode = 'reflect';
    spec.nodes.find((n) => n.id === 'pool1')!.params.returnIndices = true;
    spec.optimizer.params.maximize = true;
    expect(messages(spec)).toEqual([
      "node \"conv1\" (Conv2d): unknown param 'padding_mode' (known: inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, paddingMode)",
      "node \"pool1\" (MaxPool2d): unknown param 'returnIndices' (known: kernelSize, stride, padding)",
      "optimizer Adam: unknown param 'maximize' (known: lr, betas, eps, weightDecay, amsgrad)",
    ]);
    const lstm = getPreset('Row-LSTM')!;
    lstm.nodes.find((n) => n.op === 'LSTM')!.params.bidirectional = true;
    lstm.nodes.find((n) => n.op === 'LSTM')!.params.projSize = 4;
    expect(messages(lstm)).toEqual([
      "node \"lstm1\" (LSTM): unknown param 'bidirectional' (known: inputSize, hiddenSize, numLayers, bias, batchFirst, output)",
      "node \"lstm1\" (LSTM): unknown param 'projSize' (known: inputSize, hiddenSize, numLayers, bias, batchFirst, output)",
    ]);
  });

  it('requires required params and checks enums, bools and cross-param rules', () => {
    const spec = lenet();
    delete spec.nodes.find((n) => n.id === 'fc2')!.params.outFeatures;
    spec.nodes.find((n) => n.id === 'conv1')!.params.bias = 'yes';
    spec.nodes.find((n) => n.id === 'conv2')!.params.groups = 4;
    expect(messages(spec)).toEqual([
      'node "conv1" (Conv2d): bias must be true or false, got "yes"',
      'node "conv2" (Conv2d): groups (4) must divide in_channels and out_channels',
      'node "fc2" (Linear): out_features is required, got nothing',
    ]);
  });

  it('catches a NaN or negative learning rate and bad optimizer/loss/scheduler types', () => {
    const spec = lenet();
    spec.optimizer.params.lr = NaN;
    expect(messages(spec)).toEqual(['optimizer Adam: lr must be a number > 0, got NaN']);
    spec.optimizer = { type: 'SGD', params: { lr: -1, momentum: 2 } };
    expect(messages(spec)).toEqual([
      'optimizer SGD: lr must be a number > 0, got -1',
      'optimizer SGD: momentum must be a number ≥ 0 and ≤ 1, got 2',
    ]);
    const bad = { ...lenet(), loss: { type: 'HingeLoss', params: {} }, scheduler: { type: 'StepLR', params: {} } };
    expect(messages(bad)).toEqual([
      `loss: unknown type 'HingeLoss' (known: ${LOSSES.join(', ')})`, // every row of the catalogue, in its order
      'scheduler StepLR: step_size is required, got nothing',
    ]);
  });

  it('checks the data section', () => {
    const spec = lenet() as unknown as { data: Record<string, unknown> };
    spec.data = { dataset: 'cifar', batchSize: 0, shuffle: 1, validationSize: -1, normalize: 'zscore' };
    expect(messages(spec)).toHaveLength(5);
    expect(messages(spec)[0]).toBe('data: dataset must be one of mnist, fashion-mnist, got "cifar"');
  });

  it("checks data.target: 'label' or 'image', and an image target needs a loss that compares values", () => {
    expect(validateSpec(getPreset('Autoencoder'))).toEqual([]);
    const bad = getPreset('Autoencoder')! as unknown as { data: Record<string, unknown>; loss: unknown };
    bad.data.target = 'pixels';
    expect(messages(bad)).toEqual(['data: target must be one of label, image, got "pixels"']);
    bad.data.target = 'image';
    bad.loss = { type: 'NLLLoss', params: {} };
    expect(messages(bad)).toEqual([
      "NLLLoss compares class indices, but data.target 'image' compares the output with the input image; use one of MSELoss, L1Loss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, HuberLoss, KLDivLoss",
    ]);
  });

  it('finds dangling edges, missing inputs, extra inputs and cycles', () => {
    const spec = lenet();
    spec.edges.push({ from: 'fc3', to: 'softmax9' });
    expect(messages(spec)).toEqual(['edge fc3 → softmax9: dangling, no node "softmax9"']);

    const missing = lenet();
    missing.edges = missing.edges.filter((e) => e.to !== 'conv2');
    expect(messages(missing)).toContain('node "conv2" (Conv2d): missing input, nothing is connected to it');

    const twice = lenet();
    twice.edges.push({ ...twice.edges[2]! });
    const { from, to } = twice.edges[2]!;
    expect(messages(twice)).toEqual([`edge ${from} → ${to}: duplicate edge`]);

    const two = lenet();
    two.edges.push({ from: 'pool1', to: 'fc1' });
    expect(messages(two)).toContain('node "fc1" (Linear): has 2 inputs but takes one; join them with Add or Concat');

    const cyclic = lenet();
    cyclic.edges = cyclic.edges.filter((e) => e.to !== 'relu1');
    cyclic.edges.push({ from: 'relu2', to: 'relu1' }, { from: 'relu1', to: 'conv2' });
    cyclic.edges = cyclic.edges.filter((e) => !(e.from === 'pool1' && e.to === 'conv2'));
    cyclic.edges.push({ from: 'conv1', to: 'pool1' });
    const errors = validateSpec(cyclic);
    expect(errors.some((e) => e.message.includes('on a cycle') && e.nodeId === 'relu1')).toBe(true);
  });

  it('needs exactly one Input, whose shape holds 784 values, and one output', () => {
    const spec = lenet();
    spec.nodes[0].params.shape = [1, 28, 27];
    expect(messages(spec)).toEqual([
      'node "input" (Input): shape [1,28,27] holds 756 values but an MNIST image has 784 (try [1, 28, 28], [784] or [28, 28])',
    ]);
    const none = lenet();
    none.nodes = none.nodes.filter((n) => n.op !== 'Input');
    none.edges = none.edges.filter((e) => e.from !== 'input');
    expect(messages(none)).toContain('the model has no Input node');
    expect(messages({ ...lenet(), nodes: [lenet().nodes[0]], edges: [] })).toEqual(['the model has no layers after the Input']);

    const loose = lenet();
    loose.nodes.push({ id: 'drop', op: 'Dropout', params: {} });
    loose.edges.push({ from: 'relu4', to: 'drop' });
    expect(messages(loose)).toEqual([
      "node \"fc3\" (Linear): its output goes nowhere; only the model's last node may be unconnected (outputs: fc3, drop)",
    ]);
  });

  it('requires merges to have two inputs with distinct ports', () => {
    const spec = getPreset('Residual-MLP')!;
    expect(validateSpec(spec)).toEqual([]);
    spec.edges = spec.edges.filter((e) => !(e.to === 'add1' && e.from === 'relu1'));
    spec.edges.push({ from: 'relu1', to: 'fc2' });
    expect(messages(spec)).toContain('node "add1" (Add): missing input, a merge needs at least 2 inputs, has 1');
  });

  it("refuses Hardtanh bounds torch refuses, and an activation's inplace", () => {
    const spec = lenet();
    const relu1 = spec.nodes.find((n) => n.id === 'relu1')!;
    Object.assign(relu1, { op: 'Hardtanh', params: { minVal: 2, maxVal: 2 } });
    Object.assign(spec.nodes.find((n) => n.id === 'relu2')!, { op: 'ReLU6', params: { inplace: true } });
    expect(messages(spec)).toEqual([
      'node "relu1" (Hardtanh): max_val must be greater than min_val, got 2 and 2',
      `node "relu2" (ReLU6): unknown param 'inplace' (known: none)`,
    ]);
    relu1.params = { minVal: -2, maxVal: 0.5 };
    expect(messages(spec)).toEqual([`node "relu2" (ReLU6): unknown param 'inplace' (known: none)`]);
  });

  it('assertValidSpec throws one error listing every problem', () => {
    const spec = lenet() as ModelSpec;
    spec.optimizer.params.lr = 0;
    expect(() => assertValidSpec(spec)).toThrow(/invalid model spec:\n {2}- optimizer Adam: lr must be a number > 0, got 0/);
  });
});

describe('OneCycleLR checked as torch checks it (#18), in Build before a run', () => {
  const withOneCycle = (optimizer: ModelSpec['optimizer'], params: Record<string, unknown>): ModelSpec =>
    ({ ...lenet(), optimizer, scheduler: { type: 'OneCycleLR', params: { maxLr: 0.1, ...params } } }) as ModelSpec;
  const sgd = { type: 'SGD', params: { lr: 0.01, momentum: 0.9 } } as const;

  it('refuses epochs without steps_per_epoch, and the reverse, when total_steps is empty', () => {
    expect(validateSpec(withOneCycle(sgd, { epochs: 3 }))).toEqual([expect.objectContaining({
      path: 'scheduler.params',
      code: 'one-cycle-half-length',
      message: "scheduler OneCycleLR: epochs is set but steps_per_epoch is not; give total_steps, or both epochs and steps_per_epoch, or leave all three empty for the run's epochs × batches per epoch.",
    })]);
    expect(validateSpec(withOneCycle(sgd, { stepsPerEpoch: 70, epochs: null }))).toEqual([expect.objectContaining({
      code: 'one-cycle-half-length', params: expect.objectContaining({ given: 'steps_per_epoch', missing: 'epochs' }),
    })]);
    // Both, neither (the run's length), or total_steps (which torch then uses alone) are all fine.
    expect(validateSpec(withOneCycle(sgd, { epochs: 3, stepsPerEpoch: 70 }))).toEqual([]);
    expect(validateSpec(withOneCycle(sgd, {}))).toEqual([]);
    expect(validateSpec(withOneCycle(sgd, { totalSteps: 100, epochs: 3 }))).toEqual([]);
  });

  it('refuses cycle_momentum on Adagrad and Adadelta, which have neither momentum nor betas to cycle', () => {
    for (const type of ['Adagrad', 'Adadelta'] as const) {
      expect(validateSpec(withOneCycle({ type, params: {} }, {}))).toEqual([expect.objectContaining({
        path: 'scheduler.params',
        code: 'one-cycle-no-momentum',
        message: `scheduler OneCycleLR: cycle_momentum needs an optimizer with momentum or betas, and ${type} has neither (torch raises here); set cycle_momentum to false, or use SGD, RMSprop or an Adam (Adam, AdamW, NAdam, RAdam, Adamax).`,
      })]);
      expect(validateSpec(withOneCycle({ type, params: {} }, { cycleMomentum: false }))).toEqual([]);
    }
    // SGD without momentum still has the param (torch cycles it from 0.95), and every Adam has betas.
    for (const type of ['SGD', 'RMSprop', 'Adam', 'AdamW', 'NAdam', 'RAdam', 'Adamax'] as const) {
      expect(validateSpec(withOneCycle({ type, params: {} }, {}))).toEqual([]);
    }
    // An unknown optimizer is reported once, as itself.
    expect(messages(withOneCycle({ type: 'Lion', params: {} } as never, {}))).toEqual([
      expect.stringMatching(/^optimizer: unknown type 'Lion'/),
    ]);
  });

  // torch's Conv1d and Conv2d take padding as a number or the words 'same' and 'valid', and four padding modes.
  it("takes a conv's padding words and padding_mode, and refuses what torch refuses with why", () => {
    const conv = (op: 'Conv1d' | 'Conv2d', params: Record<string, unknown>): ModelSpec => ({
      ...lenet(), nodes: [{ id: 'input', op: 'Input', params: { shape: op === 'Conv1d' ? [28, 28] : [1, 28, 28] } },
        { id: 'conv1', op, params: { inChannels: op === 'Conv1d' ? 28 : 1, outChannels: 4, kernelSize: 3, ...params } }],
      edges: [{ from: 'input', to: 'conv1' }],
    } as ModelSpec);
    for (const op of ['Conv1d', 'Conv2d'] as const) {
      for (const padding of ['same', 'valid', 2]) {
        for (const paddingMode of ['zeros', 'reflect', 'replicate', 'circular']) expect(messages(conv(op, { padding, paddingMode }))).toEqual([]);
      }
      const pair = op === 'Conv2d' ? 'an integer or a pair of integers ≥ 0' : 'an integer ≥ 0';
      expect(messages(conv(op, { padding: 'full' }))).toEqual([
        `node "conv1" (${op}): padding must be ${pair}, or one of 'same', 'valid', got "full"`,
      ]);
      expect(messages(conv(op, { padding: -1 }))).toEqual([`node "conv1" (${op}): padding must be ${pair}, or one of 'same', 'valid', got -1`]);
      expect(messages(conv(op, { paddingMode: 'mirror' }))).toEqual([
        `node "conv1" (${op}): padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got "mirror"`,
      ]);
      expect(validateSpec(conv(op, { padding: 'same', stride: 2 }))).toEqual([expect.objectContaining({
        nodeId: 'conv1', code: 'padding-same-strided',
        message: `node "conv1" (${op}): padding='same' needs stride 1 (torch refuses it for strided convolutions); give a number, or set stride to 1`,
      })]);
      expect(messages(conv(op, { padding: 'valid', stride: 2 }))).toEqual([]);
    }
    expect(messages(conv('Conv2d', { padding: 'same', stride: [1, 2] }))).toHaveLength(1);
    expect(messages(conv('Conv2d', { padding: 'same', stride: [1, 1] }))).toEqual([]);
  });

  // torch's MultiMarginLoss reads weight[class] for any length it is given (9 weights read past the end, silently);
  // CrossEntropyLoss and NLLLoss raise. The spec wants one weight per class, whatever the loss.
  it('takes class weights on the class-index losses: one number ≥ 0 per class', () => {
    const withLoss = (type: string, params: Record<string, unknown>) => ({ ...lenet(), loss: { type, params } });
    const ten = [1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5];
    for (const type of ['CrossEntropyLoss', 'NLLLoss', 'MultiMarginLoss']) {
      expect(messages(withLoss(type, { weight: ten }))).toEqual([]);
      expect(messages(withLoss(type, { weight: null }))).toEqual([]);
      expect(messages(withLoss(type, { weight: ten.slice(1) }))).toEqual([
        `loss ${type}: weight must be a list of 10 numbers ≥ 0, got [2,1,1,1,1,1,1,1,0.5]`,
      ]);
      expect(messages(withLoss(type, { weight: ten.map((w) => -w) }))).toHaveLength(1);
      expect(messages(withLoss(type, { weight: 2 }))).toEqual([`loss ${type}: weight must be a list of 10 numbers ≥ 0, got 2`]);
    }
    // The losses that compare values have no class weights (BCELoss's weight is per element, which a spec cannot give).
    expect(messages(withLoss('MSELoss', { weight: ten }))).toEqual(["loss MSELoss: unknown param 'weight' (known: reduction)"]);
  });
});
