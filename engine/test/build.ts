/**
 * Builds engine layers from the fixtures' description of a torch layer: its name, torch's positional arguments
 * and its keyword arguments camelCased (gen_fixtures.py records them so). One table for every parity test.
 */
import * as nn from '../nn/index';

export interface LayerSpec {
  layer: string;
  args: any[];
  kwargs: Record<string, any>;
  /** Sequential only: the children, in order. */
  children?: LayerSpec[];
}

type Factory = (args: any[], kw: Record<string, any>, spec: LayerSpec) => nn.Module;

const factories: Record<string, Factory> = {
  Linear: ([i, o], kw) => new nn.Linear(i, o, kw),
  Conv2d: ([i, o, k], kw) => new nn.Conv2d(i, o, k, kw),
  MaxPool2d: ([k], kw) => new nn.MaxPool2d(k, kw),
  AvgPool2d: ([k], kw) => new nn.AvgPool2d(k, kw),
  AdaptiveAvgPool2d: ([size]) => new nn.AdaptiveAvgPool2d(size),
  BatchNorm1d: ([n], kw) => new nn.BatchNorm1d(n, kw),
  BatchNorm2d: ([n], kw) => new nn.BatchNorm2d(n, kw),
  Flatten: (_, kw) => new nn.Flatten(kw.startDim, kw.endDim),
  ReLU: () => new nn.ReLU(),
  LeakyReLU: ([slope], kw) => new nn.LeakyReLU(slope ?? kw.negativeSlope),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  GELU: (_, kw) => new nn.GELU(kw.approximate),
  ELU: (_, kw) => new nn.ELU(kw.alpha),
  SiLU: () => new nn.SiLU(),
  Softplus: (_, kw) => new nn.Softplus(kw.beta, kw.threshold),
  Softmax: (_, kw) => new nn.Softmax(kw.dim),
  LogSoftmax: (_, kw) => new nn.LogSoftmax(kw.dim),
  Identity: () => new nn.Identity(),
  Dropout: ([p]) => new nn.Dropout(p),
  RNN: ([i, h], kw) => new nn.RNN(i, h, kw),
  LSTM: ([i, h], kw) => new nn.LSTM(i, h, kw),
  GRU: ([i, h], kw) => new nn.GRU(i, h, kw),
  LayerNorm: ([shape], kw) => new nn.LayerNorm(shape, kw),
  GroupNorm: ([groups, channels], kw) => new nn.GroupNorm(groups, channels, kw),
  Conv1d: ([i, o, k], kw) => new nn.Conv1d(i, o, k, kw),
  Unflatten: ([dim, size]) => new nn.Unflatten(dim, size),
  Dropout2d: ([p]) => new nn.Dropout2d(p),
  Sequential: (_, __, spec) => new nn.Sequential(...spec.children!.map(build)),
};

export function canBuild(layer: string): boolean {
  return layer in factories;
}

export function build(spec: LayerSpec): nn.Module {
  const factory = factories[spec.layer];
  if (!factory) throw new Error(`parity: no engine layer for torch's ${spec.layer}`);
  return factory(spec.args, spec.kwargs, spec);
}
