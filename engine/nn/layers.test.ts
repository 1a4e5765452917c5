import { describe, expect, it } from 'vitest';
import { Tensor, randn, tensor, zeros } from '../tensor';
import { Random } from '../random';
import { avgPool2d, conv2d, maxPool2d, slice, reshape, sum } from '../ops/index';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, GRU, LSTM, Linear, MaxPool2d, RNN, Sequential, ReLU,
  BCELoss, CrossEntropyLoss, clipGradNorm, crossEntropy, init, mseLoss, nllLoss, binaryCrossEntropyWithLogits,
  Unflatten,
} from './index';
import { gradcheck, randn64 } from '../test/gradcheck';

/** A flat [4·5] image as its 4 rows. */
const chunk = (v: number[]) => [0, 1, 2, 3].map((r) => v.slice(5 * r, 5 * r + 5));

const labels = (values: number[]) => new Tensor(Int32Array.from(values), [values.length]);

describe('layer shapes and input errors', () => {
  it('Linear works on any leading dims and explains a wrong last dim', () => {
    const lin = new Linear(4, 3);
    expect(lin.forward(zeros([2, 5, 4])).shape).toEqual([2, 5, 3]);
    expect(lin.forward(zeros([4])).shape).toEqual([3]);
    expect(() => lin.forward(zeros([2, 1, 2, 2]))).toThrow(
      'Linear: expected input with last dimension 4 (in_features), got shape [2,1,2,2]; add a Flatten before it?',
    );
    expect(() => new Linear(0, 3)).toThrow('Linear: in_features must be a positive integer, got 0');
  });

  it('a small CNN runs end to end with torch-like shapes', () => {
    const cnn = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 14 * 14, 10));
    const out = cnn.forward(randn([2, 1, 28, 28], new Random(3)));
    expect(out.shape).toEqual([2, 10]);
    crossEntropy(out, labels([3, 7])).backward();
    expect(cnn.parameters().every((p) => p.grad !== null)).toBe(true);
    expect(() => new Conv2d(3, 4, 3).forward(zeros([2, 1, 5, 5]))).toThrow('Conv2d: expected input (N, 3, H, W), got shape [2,1,5,5]');
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow('Conv2d: in_channels 3 must be divisible by groups 2');
  });

  it('Dropout drops and rescales in training, and is the identity in eval', () => {
    const drop = new Dropout(0.5, new Random(1));
    const x = zeros([1000]).add(1);
    const y = drop.forward(x).toArray();
    expect(y.every((v) => v === 0 || v === 2)).toBe(true);
    const kept = y.filter((v) => v === 2).length;
    expect(kept).toBeGreaterThan(400);
    expect(kept).toBeLessThan(600);
    drop.eval();
    expect(drop.forward(x)).toBe(x);
    expect(() => new Dropout(1.5)).toThrow('Dropout: probability p must be between 0 and 1, got 1.5');
  });
});

describe('BatchNorm', () => {
  it('counts batches and uses a cumulative average with momentum null', () => {
    const bn = new BatchNorm1d(1, { momentum: null });
    bn.forward(tensor([[1], [3]])); // mean 2, unbiased var 2
    bn.forward(tensor([[5], [7]])); // mean 6, unbiased var 2
    expect(bn.numBatchesTracked!.item()).toBe(2);
    expect(bn.runningMean!.item()).toBeCloseTo(4, 6); // (2 + 6) / 2
    expect(bn.runningVar!.item()).toBeCloseTo(2, 6);
  });

  it('uses batch statistics in eval when it tracks no running stats', () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false, affine: false });
    expect(bn.buffers()).toEqual([]);
    bn.eval();
    const y = bn.forward(randn([3, 2, 2, 2], new Random(2)));
    const ch0 = slice(y, 1, 0, 1);
    expect(sum(ch0).item()).toBeCloseTo(0, 4);
  });

  it('explains wrong ranks, channels and single-value batches', () => {
    expect(() => new BatchNorm2d(3).forward(zeros([2, 3]))).toThrow('BatchNorm2d: expected 4D input (N, C, H, W), got shape [2,3]');
    expect(() => new BatchNorm1d(3).forward(zeros([2, 4]))).toThrow('BatchNorm1d: expected 3 channels (num_features) in dim 1, got shape [2,4]');
    expect(() => new BatchNorm1d(3).forward(zeros([1, 3]))).toThrow('expected more than 1 value per channel when training');
  });
});

describe('recurrent layers', () => {
  it('names weights like torch, with gate-stacked shapes', () => {
    const lstm = new LSTM(28, 16, { numLayers: 2 });
    expect(lstm.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'weight_ih_l0:64,28', 'weight_hh_l0:64,16', 'bias_ih_l0:64', 'bias_hh_l0:64',
      'weight_ih_l1:64,16', 'weight_hh_l1:64,16', 'bias_ih_l1:64', 'bias_hh_l1:64',
    ]);
    expect(new GRU(5, 4, { bias: false }).parameters().map((p) => p.shape)).toEqual([[12, 5], [12, 4]]);
  });

  it('initialises every weight in U(-1/sqrt(H), 1/sqrt(H))', () => {
    const rnn = new RNN(10, 16);
    const values = rnn.parameters().flatMap((p) => p.toArray());
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.2);
  });

  it('returnLastStep gives the top layer last step, (N, H), for an MNIST-style (N, 28, 28) batch', () => {
    for (const Cls of [RNN, LSTM, GRU]) {
      const full = new Cls(28, 8, { batchFirst: true, numLayers: 2, rng: new Random(5) });
      const last = new Cls(28, 8, { batchFirst: true, numLayers: 2, returnLastStep: true, rng: new Random(5) });
      const x = randn([3, 28, 28], new Random(9));
      const [output] = full.forwardSequence(x) as [Tensor, unknown];
      expect(output.shape).toEqual([3, 28, 8]);
      const y = last.forward(x) as Tensor;
      expect(y.shape).toEqual([3, 8]);
      expect(y.toArray()).toEqual(reshape(slice(output, 1, 27, 28), [3, 8]).toArray());
    }
  });

  it('trains inside a Sequential with returnLastStep', () => {
    const model = new Sequential(new GRU(28, 8, { batchFirst: true, returnLastStep: true }), new Linear(8, 10));
    const loss = crossEntropy(model.forward(randn([2, 28, 28], new Random(1))), labels([1, 2]));
    loss.backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
  });

  it('explains a recurrent layer in a Sequential without returnLastStep', () => {
    const model = new Sequential(new LSTM(28, 8, { batchFirst: true }), new Linear(8, 10));
    expect(() => model.forward(zeros([2, 28, 28]))).toThrow(
      'Sequential: layer 0 (LSTM) returned a tuple, not a tensor; give it returnLastStep: true to pass on the last step only',
    );
  });

  it('handles unbatched input and returns torch shapes', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    const [out, [h, c]] = lstm.forwardSequence(zeros([5, 3]));
    expect([out.shape, h.shape, c.shape]).toEqual([[5, 4], [2, 4], [2, 4]]);
    const rnn = new RNN(3, 4, { returnLastStep: true });
    expect((rnn.forward(zeros([5, 3])) as Tensor).shape).toEqual([4]);
  });

  it('explains bad inputs and initial states', () => {
    const gru = new GRU(3, 4, { numLayers: 2 });
    expect(() => gru.forward(zeros([5, 2, 6]))).toThrow('GRU: expected input with last dimension 3 (input_size), got shape [5,2,6]');
    expect(() => gru.forward(zeros([5, 2, 3]), zeros([1, 2, 4]))).toThrow('GRU: expected h0 of shape [2,2,4], got [1,2,4]');
    expect(() => gru.forward(zeros([2, 3, 4, 3]))).toThrow('GRU: expected input of 2 (unbatched) or 3 dimensions');
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow("RNN: unknown nonlinearity 'sigmoid'");
  });

  it('applies dropout between layers only in training', () => {
    const rnn = new RNN(3, 4, { numLayers: 2, dropout: 0.5, rng: new Random(1) });
    const x = randn([4, 2, 3], new Random(2));
    const [a] = rnn.forwardSequence(x);
    const [b] = rnn.forwardSequence(x);
    expect(a.toArray()).not.toEqual(b.toArray());
    rnn.eval();
    expect(rnn.forwardSequence(x)[0].toArray()).toEqual(rnn.forwardSequence(x)[0].toArray());
  });
});

describe('init', () => {
  it('draws within torch default bounds', () => {
    const lin = new Linear(100, 50);
    const bound = 1 / Math.sqrt(100);
    const w = lin.weight.toArray();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(Math.max(...lin.bias!.toArray().map(Math.abs))).toBeLessThanOrEqual(bound);
    const conv = new Conv2d(4, 8, 3);
    expect(Math.max(...conv.weight.toArray().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(36));
  });

  it('computes gains, fans and Glorot/He bounds as torch', () => {
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateFanInAndFanOut([8, 4, 3, 3])).toEqual({ fanIn: 36, fanOut: 72 });
    expect(() => init.calculateFanInAndFanOut([5])).toThrow('needs at least 2 dimensions');
    const t = zeros([200, 300]);
    init.xavierUniform(t, 1, new Random(3));
    const b = Math.sqrt(6 / 500);
    expect(Math.max(...t.toArray().map(Math.abs))).toBeLessThanOrEqual(b);
    init.kaimingNormal(t, { nonlinearity: 'relu', rng: new Random(4) });
    const v = t.toArray();
    const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 300), 2);
  });
});

describe('torch options the engine lacks are errors, never silently ignored', () => {
  it.each([
    [() => new LSTM(3, 4, { projSize: 4 }), 'LSTM: proj_size must be an integer ≥ 0 and smaller than hidden_size 4, got 4'],
    [() => new GRU(3, 4, { projSize: 2 }), 'GRU: proj_size is only supported for LSTM, not RNN or GRU'],
    [() => new LSTM(3, 4, { nonlinearity: 'relu' } as never), "LSTM: unknown option 'nonlinearity'"],
    [() => new Conv2d(1, 2, 3, { paddingMode: 'mirror' } as never), "Conv2d: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'"],
    [() => new Conv2d(1, 2, 3, { padding_mode: 'reflect' } as never), "Conv2d: unknown option 'padding_mode' (known: stride, padding, paddingMode, dilation, groups, bias, rng)"],
    [() => new MaxPool2d(2, { returnIndex: true } as never), "MaxPool2d: unknown option 'returnIndex'"],
    [() => new Linear(2, 3, { device: 'cuda' } as never), "Linear: unknown option 'device'"],
    [() => new BatchNorm2d(3, { dtype: 'float16' } as never), "BatchNorm2d: unknown option 'dtype' (known: eps, momentum, affine, trackRunningStats, rng)"],
    [() => new CrossEntropyLoss({ sizeAverage: true } as never), "CrossEntropyLoss: unknown option 'sizeAverage'"],
    [() => new BCELoss({ posWeight: null } as never), "BCELoss: unknown option 'posWeight'"],
    // the functional forms too: torch's F.max_pool2d(return_indices=True) is maxPool2dWithIndices here
    [() => maxPool2d(zeros([1, 1, 4, 4]), { kernelSize: 2, returnIndices: true } as never), "maxPool2d: unknown option 'returnIndices' (known: kernelSize, stride, padding, dilation, ceilMode)"],
    [() => avgPool2d(zeros([1, 1, 4, 4]), { kernelSize: 2, dilation: 2 } as never), "avgPool2d: unknown option 'dilation'"],
    [() => conv2d(zeros([1, 1, 4, 4]), zeros([1, 1, 3, 3]), null, { paddingMode: 'reflect' } as never), "conv2d: unknown option 'paddingMode'"],
    [() => crossEntropy(zeros([2, 3]), labels([0, 1]), { reduce: false } as never), "CrossEntropyLoss: unknown option 'reduce'"],
    [() => mseLoss(zeros([2]), zeros([2]), { sizeAverage: true } as never), "MSELoss: unknown option 'sizeAverage' (known: reduction)"],
  ])('case %#', (make, message) => {
    expect(make).toThrow(message);
  });

  it('accepts the values that build the same layer as torch: bidirectional false, proj_size 0', () => {
    expect(new LSTM(3, 4, { bidirectional: false, projSize: 0 }).parameters().length).toBe(4);
    expect(new GRU(3, 4, { bidirectional: false }).parameters().length).toBe(4);
  });

  it('bidirectional: torch names and shapes, (…, 2H) outputs, hN rows layer by layer, forward then reverse', () => {
    const gru = new GRU(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    expect(gru.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'weight_ih_l0:12,3', 'weight_hh_l0:12,4', 'bias_ih_l0:12', 'bias_hh_l0:12',
      'weight_ih_l0_reverse:12,3', 'weight_hh_l0_reverse:12,4', 'bias_ih_l0_reverse:12', 'bias_hh_l0_reverse:12',
      'weight_ih_l1:12,8', 'weight_hh_l1:12,4', 'bias_ih_l1:12', 'bias_hh_l1:12',
      'weight_ih_l1_reverse:12,8', 'weight_hh_l1_reverse:12,4', 'bias_ih_l1_reverse:12', 'bias_hh_l1_reverse:12',
    ]);
    const [output, hN] = gru.forwardSequence(randn([2, 5, 3], new Random(3)));
    expect(output.shape).toEqual([2, 5, 8]);
    expect(hN.shape).toEqual([4, 2, 4]);
    // the forward direction ends at the last step, the reverse one at the first
    expect(reshape(slice(output, 1, 4, 5), [2, 8]).toArray().filter((_, i) => i % 8 < 4)).toEqual(reshape(slice(hN, 0, 2, 3), [2, 4]).toArray());
    expect(reshape(slice(output, 1, 0, 1), [2, 8]).toArray().filter((_, i) => i % 8 >= 4)).toEqual(reshape(slice(hN, 0, 3, 4), [2, 4]).toArray());
    expect(gru.toString()).toBe('GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True)');
    expect(() => gru.forwardSequence(randn([2, 5, 3]), zeros([2, 2, 4]))).toThrow('GRU: expected h0 of shape [4,2,4], got [2,2,4]');
  });

  it('Conv2d padding modes: reflect, replicate and circular pad the input as F.pad does, then convolve', () => {
    // a 1×1 all-ones kernel shows the padded input itself
    const x = tensor([[[[1, 2, 3], [4, 5, 6]]]]);
    const padded = (paddingMode: 'zeros' | 'reflect' | 'replicate' | 'circular') => {
      const conv = new Conv2d(1, 1, 1, { padding: [1, 1], paddingMode, bias: false });
      conv.weight.data.fill(1);
      const y = conv.forward(x);
      expect(y.shape).toEqual([1, 1, 4, 5]);
      return chunk(y.toArray());
    };
    expect(padded('zeros')).toEqual([[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 4, 5, 6, 0], [0, 0, 0, 0, 0]]);
    expect(padded('reflect')).toEqual([[5, 4, 5, 6, 5], [2, 1, 2, 3, 2], [5, 4, 5, 6, 5], [2, 1, 2, 3, 2]]);
    expect(padded('replicate')).toEqual([[1, 1, 2, 3, 3], [1, 1, 2, 3, 3], [4, 4, 5, 6, 6], [4, 4, 5, 6, 6]]);
    expect(padded('circular')).toEqual([[6, 4, 5, 6, 4], [3, 1, 2, 3, 1], [6, 4, 5, 6, 4], [3, 1, 2, 3, 1]]);
    expect(new Conv2d(1, 1, 3, { padding: 1, paddingMode: 'reflect' }).toString())
      .toBe('Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=reflect)');
    expect(() => new Conv2d(1, 1, 3, { padding: 2, paddingMode: 'reflect' }).forward(x)).toThrow(/pad: reflect padding \(2, 2\) of dim 2 with size 2 must be less than the size/);
  });

  it('MaxPool2d returnIndices: [output, int32 flat indices per plane], the output as without it', () => {
    const x = tensor([[[[1, 5, 2, 0], [3, 4, 8, 7], [0, 0, 1, 1], [9, 0, 1, 2]]]]);
    const [out, indices] = new MaxPool2d(2, { returnIndices: true }).forward(x) as [Tensor, Tensor];
    expect(out.toArray()).toEqual((new MaxPool2d(2).forward(x) as Tensor).toArray());
    expect(indices.dtype).toBe('int32');
    expect(indices.shape).toEqual([1, 1, 2, 2]);
    expect(indices.toArray()).toEqual([1, 6, 12, 15]);
  });
});

describe('loss validation', () => {
  it('names the bad target and where it is', () => {
    const logits = zeros([4, 10]);
    expect(() => crossEntropy(logits, labels([1, 2, 3, 12]))).toThrow('CrossEntropyLoss: target 12 out of range for 10 classes at index 3');
    expect(() => nllLoss(logits, labels([1, -1, 0, 0]))).toThrow('NLLLoss: target -1 out of range for 10 classes at index 1');
    expect(() => crossEntropy(logits, labels([1, 2]))).toThrow('CrossEntropyLoss: target shape [2] does not match input shape [4,10]');
    expect(() => crossEntropy(logits, tensor([1, 2, 3, 4]))).toThrow('CrossEntropyLoss: target must be int32 class indices');
    expect(() => new CrossEntropyLoss({ reduction: 'avg' as 'mean' })).toThrow("CrossEntropyLoss: invalid reduction 'avg'");
    expect(() => mseLoss(zeros([4, 1]), zeros([4]))).toThrow('MSELoss: target shape [4] does not match input shape [4,1]');
    expect(() => new BCELoss().forward(tensor([0.5, 1.5]), tensor([0, 1]))).toThrow('BCELoss: input 1.5 at index 1 is not a probability in [0, 1]');
  });

  it('ignores ignoreIndex targets and gives NaN when every target is ignored, like torch', () => {
    const logits = tensor([[1, 2], [3, 4]]);
    const all = crossEntropy(logits, labels([1, -100]));
    expect(all.item()).toBeCloseTo(Math.log(1 + Math.exp(-1)), 6);
    expect(Number.isNaN(crossEntropy(logits, labels([-100, -100])).item())).toBe(true);
  });

  it('BCE with logits stays finite for huge logits', () => {
    const loss = binaryCrossEntropyWithLogits(tensor([1000, -1000]), tensor([0, 1]), { reduction: 'none' });
    expect(loss.toArray()).toEqual([1000, 1000]);
  });
});

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_', () => {
  it.each([
    [2, 1.0, 5.93717098236084, [0.168430358171463, -0.336860716342926, 0.5052911043167114, 0.0842151790857315, -0.673721432685852, 0.336860716342926, 0.168430358171463]],
    [1, 2.0, 13.5, [0.14814813435077667, -0.29629626870155334, 0.4444444179534912, 0.07407406717538834, -0.5925925374031067, 0.29629626870155334, 0.14814813435077667]],
    [Infinity, 0.5, 4.0, [0.12499997019767761, -0.24999994039535522, 0.37499991059303284, 0.062499985098838806, -0.49999988079071045, 0.24999994039535522, 0.12499997019767761]],
    [3, 100.0, 4.778681755065918, [1, -2, 3, 0.5, -4, 2, 1]],
  ])('normType %s, maxNorm %s', (normType, maxNorm, total, grads) => {
    const a = zeros([3]), b = zeros([2, 2]), c = zeros([1]);
    a.grad = tensor([1, -2, 3]);
    b.grad = tensor([[0.5, -4], [2, 1]]);
    expect(clipGradNorm([a, b, c], maxNorm, normType)).toBeCloseTo(total, 5);
    [...a.grad.toArray(), ...b.grad.toArray()].forEach((g, i) => expect(g).toBeCloseTo(grads[i], 6));
  });
});

describe('Unflatten', () => {
  it('splits one dim into several, the inverse of Flatten, inferring a -1, with its gradient reshaped back', () => {
    const x = randn64([2, 784]);
    const images = new Unflatten(1, [1, 28, 28]).forward(x);
    expect([...images.shape]).toEqual([2, 1, 28, 28]);
    expect(new Flatten().forward(images).toArray()).toEqual(x.toArray());
    expect([...new Unflatten(-1, [4, -1]).forward(randn64([3, 2, 8])).shape]).toEqual([3, 2, 4, 2]);
    gradcheck((t) => new Unflatten(1, [2, 3]).forward(t), [randn64([2, 6, 2])]);
  });

  it("says PyTorch's words for sizes that do not fit, and torch repr", () => {
    expect(() => new Unflatten(1, [4, 2]).forward(randn64([3, 6]))).toThrow("unflatten: Provided sizes [4, 2] don't multiply up to the size of dim 1 (6) in the input tensor");
    expect(() => new Unflatten(3, [2]).forward(randn64([3, 6]))).toThrow('Unflatten: dim 3 is out of range for input of shape [3,6]');
    expect(() => new Unflatten(1, [])).toThrow('unflattened_size must be a non-empty list');
    expect(new Unflatten(1, [1, 28, 28]).toString()).toBe('Unflatten(dim=1, unflattened_size=(1, 28, 28))');
  });
});
