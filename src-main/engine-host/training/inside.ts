/**
 * A look inside a model for one input: every layer's output, recorded by forward hooks while the model runs its own
 * forward (so what is shown is what the prediction computed, for chains and graphs alike), and one layer's weights.
 */
import type { ModelSpec } from '../../../common/model-spec/types';
import { moduleNames } from '../../../common/model-spec/graph';
import { data as engineData, noGrad, spec as engineSpec, Tensor, type nn } from '../../../engine/index';
import { EngineTextError, engineText } from '../../../common/engine-text';

const { pixelsToFloat32 } = engineData;
const { prepareInput } = engineSpec;
type Module = nn.Module;

export interface RecordedLayer {
  /** The module's state-dict name, the spec node it came from and its op. */
  name: string;
  nodeId: string | null;
  op: string;
  /** Without the batch dimension. */
  shape: number[];
  /** The one sample's values, the engine's own. */
  data: Float32Array;
}

/** One 28×28 image (pixels 0..255, row by row) as the model's input batch of one, normalised as its spec says. */
export function imageInput(spec: ModelSpec, pixels: ArrayLike<number>): Tensor {
  const normalize = { none: 'none', scale: 'scale', standardize: 'mnist' } as const;
  return prepareInput(spec, new Tensor(pixelsToFloat32(pixels, normalize[spec.data.normalize]), [1, 1, 28, 28]));
}

/**
 * Hooks every top-level layer of `model` (each spec node's module) and collects their outputs in the order they
 * run, until `remove()`. A layer that returns something other than a tensor (none does in a built spec) is skipped.
 */
export function recordLayers(model: Module, spec: ModelSpec): { layers: RecordedLayer[]; remove(): void } {
  const names = moduleNames(spec);
  const nodeOf = new Map(spec.nodes.filter((n) => names.has(n.id)).map((n) => [names.get(n.id)!, n]));
  const layers: RecordedLayer[] = [];
  const handles = [...model.namedChildren()].map(([name, child]) => child.registerForwardHook((_m, _inputs, output) => {
    if (!(output instanceof Tensor)) return;
    const node = nodeOf.get(name);
    const data = output.data;
    layers.push({
      name, nodeId: node?.id ?? null, op: node?.op ?? child.constructor.name, shape: output.shape.slice(1),
      // A copy: a device backend may reuse the buffer for the next layer.
      data: Float32Array.from(data.subarray(0, output.size / output.shape[0])),
    });
  }));
  return { layers, remove: () => handles.forEach((h) => h.remove()) };
}

/** The model's output and (with `record`) every layer's, for one image, in eval mode and without building a graph. */
export function layerOutputs(
  model: Module, spec: ModelSpec, pixels: ArrayLike<number>, record = true,
): { input: Tensor; output: Tensor; layers: RecordedLayer[] } {
  const input = imageInput(spec, pixels);
  const recorder = record ? recordLayers(model, spec) : { layers: [], remove: () => undefined };
  const wasTraining = model.training;
  model.eval();
  try {
    const output = noGrad(() => model.forward(input) as Tensor);
    return { input, output, layers: recorder.layers };
  } finally {
    model.train(wasTraining);
    recorder.remove();
  }
}

/** The parameters of the layer named `layer` (a state-dict prefix: `0`, `conv1`), with its op. */
export function layerWeights(model: Module, spec: ModelSpec, layer: string): { op: string; tensors: { name: string; shape: number[]; data: Float32Array }[] } {
  const module = [...model.namedModules()].find(([name]) => name === layer)?.[1];
  if (!module || layer === '') {
    const known = [...model.namedChildren()].map(([name]) => name).join(', ');
    throw new EngineTextError(engineText('inside.noLayer', { layer, known }));
  }
  const names = moduleNames(spec);
  const node = spec.nodes.find((n) => names.get(n.id) === layer);
  return {
    op: node?.op ?? module.constructor.name,
    tensors: module.namedParameters('', false).map(([name, p]) => ({ name, shape: [...p.shape], data: Float32Array.from(p.data) })),
  };
}
