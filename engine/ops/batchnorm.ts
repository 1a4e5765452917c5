/**
 * batchNorm: batch normalisation over the channel dim of [N, C, ...] input, as torch.nn.functional.batch_norm.
 *
 *   training: statistics of this batch per channel (over N and the spatial dims):
 *               y = (x − mean) / sqrt(var + eps) · weight + bias, var biased (÷ M)
 *             and, when running stats are given, they are updated IN PLACE (not recorded in the graph):
 *               runningMean ← (1 − momentum)·runningMean + momentum·mean
 *               runningVar  ← (1 − momentum)·runningVar  + momentum·var·M/(M − 1)   (unbiased, as torch)
 *   eval:     the same formula with runningMean / runningVar (which must be given).
 *
 * Backward (kernel BatchNormBackward), x̂ = (x − mean)/sqrt(var + eps):
 *   dbias = Σ g,  dweight = Σ g·x̂,  dx = weight/sqrt(var + eps) · (g − mean(g) − x̂·mean(g·x̂)) in training
 *   (the batch statistics depend on x), dx = weight/sqrt(var + eps) · g in eval.
 *
 * Example (BatchNorm2d forward): batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias,
 * this.training, 0.1, 1e-5). For torch's momentum=None (cumulative average) pass 1 / numBatchesTracked.
 */
import { shapeStr } from '../backend/arrays';
import { getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { cast } from './elementwise';
import { floatData, floatDType } from './util';

export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null | undefined,
  runningVar: Tensor | null | undefined,
  weight?: Tensor | null,
  bias?: Tensor | null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (x.ndim < 2) throw new Error(`batchNorm: expects input [N, C, ...], got ${shapeStr(x.shape)}`);
  const channels = x.shape[1];
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.size !== channels)) {
      throw new Error(`batchNorm: ${name} must be [${channels}] (channels of input ${shapeStr(x.shape)}), got ${shapeStr(t.shape)}`);
    }
    if (t && t.dtype === 'int32') throw new Error(`batchNorm: ${name} must be a float tensor`);
  }
  const dtype = floatDType(x.dtype, weight?.dtype ?? 'float32', bias?.dtype ?? 'float32');
  const xf = cast(x, dtype);
  const wf = weight ? cast(weight, dtype) : null;
  const bf = bias ? cast(bias, dtype) : null;
  const rm = runningMean ? floatData(runningMean) : null;
  const rv = runningVar ? floatData(runningVar) : null;

  const fwd = getKernel(K.BatchNorm)(floatData(xf), xf.shape, rm, rv, wf && floatData(wf), bf && floatData(bf), training, eps);
  if (training && rm && rv && fwd.variance) {
    getKernel(K.BatchNormUpdateRunningStats)(rm, rv, fwd.mean, fwd.variance, xf.size / channels, momentum);
  }

  const inputs = [xf, ...(wf ? [wf] : []), ...(bf ? [bf] : [])];
  return recordOp(new Tensor(fwd.y, xf.shape), 'batchNorm', inputs, (g) => {
    const mask = { input: xf.requiresGrad, weight: wf?.requiresGrad ?? false, bias: bf?.requiresGrad ?? false };
    const grads = getKernel(K.BatchNormBackward)(
      floatData(cast(g, dtype)), floatData(xf), xf.shape, fwd.mean, fwd.invstd, wf && floatData(wf), training, mask,
    );
    const dweight = grads.dweight && new Tensor(grads.dweight, [channels]);
    const dbias = grads.dbias && new Tensor(grads.dbias, [channels]);
    return [grads.dx && new Tensor(grads.dx, xf.shape), ...(wf ? [dweight] : []), ...(bf ? [dbias] : [])];
  });
}
