import { describe, expect, it } from 'vitest';
import { Tensor, tensor, zeros } from '../tensor';
import { Random } from '../random';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, ELU, Flatten, GELU, GRU,
  Identity, LSTM, LeakyReLU, Linear, LogSoftmax, MSELoss, MaxPool2d, Module, ReLU, RNN, Sequential, Sigmoid, SiLU,
  Softmax, Softplus, Tanh,
} from './index';

class Net extends Module {
  readonly fc1 = this.registerModule('fc1', new Linear(4, 3));
  readonly bn = this.registerModule('bn', new BatchNorm1d(3));
  readonly fc2 = this.registerModule('fc2', new Linear(3, 2, { bias: false }));
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.bn.forward(this.fc1.forward(x)));
  }
}

describe('Module traversal and names', () => {
  it('names parameters, buffers and state with torch dotted keys in torch order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['fc1.weight', 'fc1.bias', 'bn.weight', 'bn.bias', 'fc2.weight']);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(Object.keys(net.stateDict())).toEqual([
      'fc1.weight', 'fc1.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', 'fc2.weight',
    ]);
    expect([...net.namedModules()].map(([n]) => n)).toEqual(['', 'fc1', 'bn', 'fc2']);
    expect([...net.children()].length).toBe(3);
    expect(net.numParameters()).toBe(4 * 3 + 3 + 3 + 3 + 3 * 2);
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it('uses 0, 1, ... for Sequential children, like torch', () => {
    const seq = new Sequential(new Flatten(), new Linear(4, 2), new ReLU(), new Linear(2, 1));
    expect(Object.keys(seq.stateDict())).toEqual(['1.weight', '1.bias', '3.weight', '3.bias']);
    expect(seq.at(-1)).toBeInstanceOf(Linear);
    expect(seq.length).toBe(4);
    expect(() => seq.at(7)).toThrow('Sequential: index 7 is out of range for 4 modules');
    expect(seq.forward(zeros([5, 2, 2])).shape).toEqual([5, 1]);
  });

  it('lists a shared parameter once', () => {
    const shared = new Linear(2, 2);
    const seq = new Sequential(shared, new ReLU(), shared);
    expect(seq.parameters().length).toBe(2);
  });

  it('rejects dotted or clashing names', () => {
    const m = new Identity();
    expect(() => m.registerParameter('a.b', zeros([1]))).toThrow("invalid parameter name 'a.b'");
    m.registerParameter('w', zeros([1]));
    expect(() => m.registerModule('w', new Identity())).toThrow("'w' is already registered as another kind");
  });
});

describe('train/eval, zeroGrad, resetParameters', () => {
  it('propagates the mode to every descendant', () => {
    const net = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5)));
    net.eval();
    expect([...net.modules()].every((m) => !m.training)).toBe(true);
    net.train();
    expect([...net.modules()].every((m) => m.training)).toBe(true);
  });

  it('zeroes or drops gradients', () => {
    const lin = new Linear(2, 1);
    lin.forward(tensor([[1, 2]])).backward(tensor([[1]]));
    expect(lin.weight.grad!.toArray()).toEqual([1, 2]);
    lin.zeroGrad();
    expect(lin.weight.grad!.toArray()).toEqual([0, 0]);
    lin.zeroGrad(true);
    expect(lin.weight.grad).toBeNull();
  });

  it('re-draws parameters on resetParameters, reproducibly from a seed', () => {
    const a = new Linear(3, 2, { rng: new Random(1) });
    const b = new Linear(3, 2, { rng: new Random(1) });
    expect(a.weight.toArray()).toEqual(b.weight.toArray());
    const before = a.weight.toArray();
    a.resetParameters();
    expect(a.weight.toArray()).not.toEqual(before);
  });
});

describe('stateDict / loadStateDict', () => {
  it('round-trips values into another model in place', () => {
    const a = new Net(), b = new Net();
    const weightRef = b.fc1.weight;
    b.loadStateDict(a.stateDict());
    expect(b.fc1.weight).toBe(weightRef); // same tensor object: an optimizer holding it keeps working
    for (const [k, v] of Object.entries(a.stateDict())) expect(b.stateDict()[k].toArray()).toEqual(v.toArray());
  });

  it('reports missing and unexpected keys instead of silently skipping them', () => {
    const net = new Net();
    const state: Record<string, Tensor> = { ...net.stateDict() };
    delete state['fc2.weight'];
    state['fc3.weight'] = zeros([1]);
    expect(() => net.loadStateDict(state)).toThrow(
      'Net.loadStateDict: missing keys: fc2.weight; unexpected keys: fc3.weight',
    );
    expect(net.loadStateDict(state, { strict: false })).toEqual({ missingKeys: ['fc2.weight'], unexpectedKeys: ['fc3.weight'] });
  });

  it('always rejects shape mismatches, naming the key and both shapes', () => {
    const net = new Net();
    const state = { ...net.stateDict(), 'fc1.weight': zeros([3, 5]) };
    const message = 'size mismatch for fc1.weight: copying a param with shape [3,5], the shape in this model is [3,4]';
    expect(() => net.loadStateDict(state)).toThrow(message);
    expect(() => net.loadStateDict(state, { strict: false })).toThrow(message);
  });

  it('with checkDtype, refuses a tensor of another dtype, in the same message as the other problems', () => {
    const net = new Net();
    const weight = net.stateDict()['fc1.weight'];
    const state = { ...net.stateDict(), 'fc1.weight': new Tensor(Float64Array.from(weight.data), [...weight.shape]) };
    const message = 'dtype mismatch for fc1.weight: copying a param with dtype float64, the dtype in this model is float32';
    expect(() => net.loadStateDict(state, { checkDtype: true })).toThrow(message);
    // Without it the values are converted, as torch's copy_ does (what the run's own checkpoints rely on).
    expect(() => net.loadStateDict(state)).not.toThrow();
    delete (state as Record<string, Tensor>)['fc2.weight'];
    expect(() => net.loadStateDict(state, { checkDtype: true })).toThrow(`Net.loadStateDict: ${message}; missing keys: fc2.weight`);
  });

  it('accepts plain {shape, data} entries (e.g. from safetensors)', () => {
    const lin = new Linear(2, 1);
    lin.loadStateDict({ weight: { shape: [1, 2], data: [3, 4] }, bias: { shape: [1], data: [5] } });
    expect(lin.forward(tensor([[1, 1]])).item()).toBe(12);
  });
});

describe('toString matches torch repr', () => {
  it.each([
    [new Linear(784, 10), 'Linear(in_features=784, out_features=10, bias=True)'],
    [new Linear(3, 2, { bias: false }), 'Linear(in_features=3, out_features=2, bias=False)'],
    [new Conv2d(1, 32, 3, { padding: 1 }), 'Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))'],
    [new Conv2d(2, 4, [3, 5], { stride: 2, groups: 2, bias: false, dilation: 2 }),
      'Conv2d(2, 4, kernel_size=(3, 5), stride=(2, 2), dilation=(2, 2), groups=2, bias=False)'],
    [new Conv2d(1, 8, 3, { padding: 'same' }), 'Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)'],
    [new MaxPool2d(2), 'MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)'],
    [new AvgPool2d(3, { stride: 2, padding: 1 }), 'AvgPool2d(kernel_size=3, stride=2, padding=1)'],
    [new AdaptiveAvgPool2d([2, 3]), 'AdaptiveAvgPool2d(output_size=(2, 3))'],
    [new AdaptiveAvgPool2d(1), 'AdaptiveAvgPool2d(output_size=1)'],
    [new Flatten(), 'Flatten(start_dim=1, end_dim=-1)'],
    [new Dropout(0.25), 'Dropout(p=0.25, inplace=False)'],
    [new Dropout(), 'Dropout(p=0.5, inplace=False)'],
    [new BatchNorm1d(16), 'BatchNorm1d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)'],
    [new BatchNorm2d(32, { momentum: null, affine: false }), 'BatchNorm2d(32, eps=1e-05, momentum=None, affine=False, track_running_stats=True)'],
    [new ReLU(), 'ReLU()'],
    [new LeakyReLU(0.2), 'LeakyReLU(negative_slope=0.2)'],
    [new Sigmoid(), 'Sigmoid()'],
    [new Tanh(), 'Tanh()'],
    [new GELU(), "GELU(approximate='none')"],
    [new GELU('tanh'), "GELU(approximate='tanh')"],
    [new ELU(), 'ELU(alpha=1.0)'],
    [new ELU(0.5), 'ELU(alpha=0.5)'],
    [new SiLU(), 'SiLU()'],
    [new Softplus(), 'Softplus(beta=1, threshold=20)'],
    [new Softmax(1), 'Softmax(dim=1)'],
    [new LogSoftmax(1), 'LogSoftmax(dim=1)'],
    [new Identity(), 'Identity()'],
    [new RNN(28, 64), 'RNN(28, 64)'],
    [new RNN(28, 64, { numLayers: 2, batchFirst: true, dropout: 0.5 }), 'RNN(28, 64, num_layers=2, batch_first=True, dropout=0.5)'],
    [new LSTM(28, 128, { bias: false }), 'LSTM(28, 128, bias=False)'],
    [new GRU(3, 4, { numLayers: 3 }), 'GRU(3, 4, num_layers=3)'],
    [new CrossEntropyLoss({ labelSmoothing: 0.1 }), 'CrossEntropyLoss()'],
    [new MSELoss(), 'MSELoss()'],
  ])('%s', (module, expected) => {
    expect(module.toString()).toBe(expected);
  });

  it('prints containers as an indented tree', () => {
    const model = new Sequential(new Conv2d(1, 8, 3), new ReLU(), new Sequential(new Flatten(), new Linear(8, 2)));
    expect(model.toString()).toBe(
      [
        'Sequential(',
        '  (0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))',
        '  (1): ReLU()',
        '  (2): Sequential(',
        '    (0): Flatten(start_dim=1, end_dim=-1)',
        '    (1): Linear(in_features=8, out_features=2, bias=True)',
        '  )',
        ')',
      ].join('\n'),
    );
  });
});

describe('registerForwardHook (torch register_forward_hook)', () => {
  const cnn = () => new Sequential(new Conv2d(1, 2, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8, 3));
  const image = () => new Tensor(Float32Array.from({ length: 36 }, (_, i) => Math.sin(i * 1.7)), [1, 1, 6, 6]);

  it("sees every child's output in order, equal to running the children one by one", () => {
    const model = cnn();
    const x = image();
    const byHand: Tensor[] = [];
    let h = x;
    for (const child of model.children()) byHand.push((h = child.forward(h) as Tensor));
    const seen: { module: Module; input: Tensor; output: Tensor }[] = [];
    const handles = [...model.children()].map((m) => m.registerForwardHook((module, inputs, output) => {
      seen.push({ module, input: inputs[0] as Tensor, output });
    }));
    const out = model.forward(x) as Tensor;
    expect(seen.map((s) => s.module)).toEqual([...model.children()]);
    expect(seen.map((s) => s.output.shape)).toEqual([[1, 2, 4, 4], [1, 2, 4, 4], [1, 2, 2, 2], [1, 8], [1, 3]]);
    seen.forEach((s, i) => expect(Array.from(s.output.data)).toEqual(Array.from(byHand[i].data)));
    expect(seen[0].input).toBe(x);
    seen.slice(1).forEach((s, i) => expect(s.input).toBe(seen[i].output));
    expect(Array.from(out.data)).toEqual(Array.from(byHand[4].data));
    for (const handle of handles) handle.remove();
  });

  it('runs hooks on nested modules called from a parent forward', () => {
    const net = new Net();
    const names: string[] = [];
    net.fc1.registerForwardHook(() => void names.push('fc1'));
    net.fc2.registerForwardHook(() => void names.push('fc2'));
    net.registerForwardHook(() => void names.push('net'));
    net.forward(zeros([2, 4]));
    expect(names).toEqual(['fc1', 'fc2', 'net']);
  });

  it('replaces the output when the hook returns something', () => {
    const layer = new ReLU();
    layer.registerForwardHook((_m, _in, output: Tensor) => new Tensor(output.data.map((v) => v * 10), output.shape));
    expect(Array.from((layer.forward(tensor([-1, 2])) as Tensor).data)).toEqual([0, 20]);
  });

  it("remove() takes the hook off and leaves the class's forward as it was", () => {
    const layer = new Linear(2, 1);
    const calls: number[] = [];
    const a = layer.registerForwardHook(() => void calls.push(1));
    const b = layer.registerForwardHook(() => void calls.push(2));
    layer.forward(zeros([1, 2]));
    a.remove();
    layer.forward(zeros([1, 2]));
    b.remove();
    b.remove(); // a second remove is harmless
    layer.forward(zeros([1, 2]));
    expect(calls).toEqual([1, 2, 2]);
    expect(Object.getOwnPropertyDescriptor(layer, 'forward')).toBeUndefined();
    expect(layer.forward).toBe(Linear.prototype.forward);
  });
});
