/**
 * The layer view's numbers are the engine's: the forward hooks record exactly what running the model's layers one
 * by one gives, for a chain (LeNet-5, Mnist_CNN) and a graph (Residual-MLP), and the weights are the model's own.
 */
import { describe, expect, it } from 'vitest';
import { decodeFloat32, encodeFloat32 } from '../../../common/inside-protocol';
import { PRESETS } from '../../../common/model-spec/presets';
import { manualSeed } from '../../../engine/random';
import { add } from '../../../engine/ops/index';
import { noGrad } from '../../../engine/autograd';
import { buildModel } from '../../../engine/model-spec/build';
import { tensor, type Tensor } from '../../../engine/tensor';
import { predictImage } from './evaluation';
import { imageInput, layerOutputs, layerWeights } from './inside';

/** A thick stroke of a "7", pixels 0..255. */
const seven = Array.from({ length: 784 }, (_, i) => {
  const [r, c] = [Math.floor(i / 28), i % 28];
  return (r >= 5 && r <= 7 && c >= 6 && c <= 22) || (Math.abs(c - (22 - (r - 7) * 0.5)) < 1.6 && r > 7 && r < 24) ? 255 : 0;
});

describe('layerOutputs (forward hooks)', () => {
  for (const preset of ['LeNet-5', 'Mnist_CNN'] as const) {
    it(`${preset}: every layer's output equals running its layers one by one`, () => {
      manualSeed(3);
      const spec = PRESETS[preset];
      const model = buildModel(spec);
      const { layers, output } = layerOutputs(model, spec, seven);
      const byHand: Tensor[] = [];
      model.eval();
      noGrad(() => {
        let h = imageInput(spec, seven);
        for (const child of model.children()) byHand.push((h = child.forward(h) as Tensor));
      });
      expect(layers.map((l) => l.op)).toEqual(spec.nodes.filter((n) => n.op !== 'Input').map((n) => n.op));
      expect(layers.map((l) => l.shape)).toEqual(byHand.map((t) => t.shape.slice(1)));
      layers.forEach((l, i) => expect(l.data).toEqual(Float32Array.from(byHand[i].data)));
      expect(layers.at(-1)!.data).toEqual(Float32Array.from(output.data));
      // The hooks are gone afterwards: the model's forward is its class's again.
      for (const child of model.children()) expect(Object.getOwnPropertyDescriptor(child, 'forward')).toBeUndefined();
    });
  }

  it('LeNet-5: one output channel per conv filter, named after its spec node', () => {
    const spec = PRESETS['LeNet-5'];
    const { layers } = layerOutputs(buildModel(spec), spec, seven);
    expect(layers.filter((l) => l.op === 'Conv2d').map((l) => [l.nodeId, l.shape])).toEqual([['conv1', [6, 28, 28]], ['conv2', [16, 10, 10]]]);
  });

  it('Residual-MLP (a graph): records each node module in the order the graph runs them', () => {
    manualSeed(4);
    const spec = PRESETS['Residual-MLP'];
    const model = buildModel(spec);
    const { layers, output } = layerOutputs(model, spec, seven);
    expect(layers.map((l) => l.nodeId)).toEqual(['flatten1', 'fc1', 'relu1', 'fc2', 'relu2', 'fc3']);
    const get = (id: string) => layers.find((l) => l.nodeId === id)!;
    const fc3 = [...model.namedChildren()].find(([n]) => n === 'fc3')![1];
    const sum = add(imageTensor(get('relu1')), imageTensor(get('relu2')));
    expect(Float32Array.from((noGrad(() => fc3.forward(sum)) as Tensor).data)).toEqual(get('fc3').data);
    expect(get('fc3').data).toEqual(Float32Array.from(output.data));
  });

  it('agrees with predict: the last layer is the output the probabilities come from', () => {
    manualSeed(5);
    const spec = PRESETS.MLP;
    const model = buildModel(spec);
    const p = predictImage(model, spec, seven, true);
    const { layers } = layerOutputs(model, spec, seven);
    expect(p.activations!.map((a) => a.values)).toEqual(layers.map((l) => Array.from(l.data)));
    expect(p.predicted).toBe(layers.at(-1)!.data.indexOf(Math.max(...layers.at(-1)!.data)));
  });
});

describe('layerWeights', () => {
  it("gives a layer's own parameters, and names the layers when asked for one that is not there", () => {
    const spec = PRESETS['LeNet-5'];
    const model = buildModel(spec);
    const { op, tensors } = layerWeights(model, spec, '0');
    expect(op).toBe('Conv2d');
    expect(tensors.map((t) => [t.name, t.shape])).toEqual([['weight', [6, 1, 5, 5]], ['bias', [6]]]);
    expect(tensors[0].data).toEqual(Float32Array.from(model.stateDict()['0.weight'].data));
    expect(() => layerWeights(model, spec, 'conv9')).toThrow(/no layer named "conv9" \(its layers: 0, 1, 2/);
  });
});

describe('float32 on the wire', () => {
  it('round-trips bit for bit (NaN, -0, subnormals, extremes) and cuts at the limit', () => {
    const values = Float32Array.of(0, -0, 1.5, -3.25e-41, 3.4e38, NaN, Infinity, Math.fround(Math.PI));
    const { values: wire, truncated } = encodeFloat32(values);
    expect(truncated).toBe(false);
    expect(new Uint32Array(decodeFloat32(wire).buffer)).toEqual(new Uint32Array(values.buffer));
    const cut = encodeFloat32(new Float32Array(100_000).fill(2), 70_000);
    expect([decodeFloat32(cut.values).length, cut.truncated]).toEqual([70_000, true]);
  });
});

function imageTensor(layer: { shape: number[]; data: Float32Array }): Tensor {
  return tensor(layer.data, [1, ...layer.shape]);
}
