/**
 * CPU reference kernels for batch normalisation (torch.nn.functional.batch_norm), forward and backward.
 *
 * Input is [N, C, *spatial] (BatchNorm1d takes [N, C] or [N, C, L], BatchNorm2d [N, C, H, W]); statistics are per
 * channel c over the M = N * prod(spatial) values of that channel.
 *
 *   training: mean_c = Σx / M,  var_c = Σ(x - mean_c)² / M (biased, used to normalise)
 *             running_mean ← (1 - momentum)·running_mean + momentum·mean_c
 *             running_var  ← (1 - momentum)·running_var  + momentum·var_c·M/(M-1)   (UNBIASED, as torch)
 *   eval:     mean_c = running_mean, var_c = running_var
 *   y = (x - mean_c) · invstd_c · weight_c + bias_c,   invstd_c = 1 / sqrt(var_c + eps)
 *
 * Backward, with x̂ = (x - mean)·invstd, and sums per channel:
 *   dbias = Σ dy,   dweight = Σ dy·x̂
 *   training: dx = weight·invstd · (dy - Σdy/M - x̂·Σ(dy·x̂)/M)   (mean and var depend on x)
 *   eval:     dx = weight·invstd · dy                              (running stats are constants)
 * Sums are accumulated in float64 (JS numbers) whatever the array type.
 */
import { type FloatArray, allocateLike, shapeStr } from '../arrays';

/** [N, C, spatial] of a batch-norm input, validated. */
export function batchNormDims(shape: readonly number[]): [number, number, number] {
  if (shape.length < 2) throw new Error(`batchNorm: expects input [N, C, ...], got ${shapeStr(shape)}`);
  let spatial = 1;
  for (let d = 2; d < shape.length; d++) spatial *= shape[d];
  return [shape[0], shape[1], spatial];
}

export interface BatchNormForwardResult {
  y: FloatArray;
  /** Per-channel mean used to normalise (batch mean in training, a copy of running_mean in eval). */
  mean: Float64Array;
  /** Per-channel 1/sqrt(var + eps) used to normalise. */
  invstd: Float64Array;
  /** Per-channel biased batch variance (training only; the running-stat update needs it). */
  variance: Float64Array | null;
}

export function batchNormForward(
  x: FloatArray, shape: readonly number[],
  runningMean: FloatArray | null, runningVar: FloatArray | null,
  weight: FloatArray | null, bias: FloatArray | null,
  training: boolean, eps: number,
): BatchNormForwardResult {
  const [batch, channels, spatial] = batchNormDims(shape);
  for (const [name, a] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (a !== null && a.length !== channels) throw new Error(`batchNorm: ${name} has ${a.length} elements, input ${shapeStr(shape)} has ${channels} channels`);
  }
  const count = batch * spatial;
  const mean = new Float64Array(channels);
  const invstd = new Float64Array(channels);
  let variance: Float64Array | null = null;
  if (training) {
    if (count <= 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input ${shapeStr(shape)}`);
    variance = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let n = 0; n < batch; n++) {
        const start = (n * channels + c) * spatial;
        for (let s = 0; s < spatial; s++) sum += x[start + s];
      }
      const m = sum / count;
      let sq = 0;
      for (let n = 0; n < batch; n++) {
        const start = (n * channels + c) * spatial;
        for (let s = 0; s < spatial; s++) {
          const d = x[start + s] - m;
          sq += d * d;
        }
      }
      mean[c] = m;
      variance[c] = sq / count;
      invstd[c] = 1 / Math.sqrt(sq / count + eps);
    }
  } else {
    if (runningMean === null || runningVar === null) throw new Error('batchNorm: eval mode needs runningMean and runningVar');
    for (let c = 0; c < channels; c++) {
      mean[c] = runningMean[c];
      invstd[c] = 1 / Math.sqrt(runningVar[c] + eps);
    }
  }
  const y = allocateLike(x, x.length);
  for (let c = 0; c < channels; c++) {
    const scale = invstd[c] * (weight === null ? 1 : weight[c]);
    const shift = bias === null ? 0 : bias[c];
    const m = mean[c];
    for (let n = 0; n < batch; n++) {
      const start = (n * channels + c) * spatial;
      for (let s = 0; s < spatial; s++) y[start + s] = (x[start + s] - m) * scale + shift;
    }
  }
  return { y, mean, invstd, variance };
}

/** Moves the running statistics toward this batch's, in place (unbiased variance, as torch). */
export function batchNormUpdateRunningStats(
  runningMean: FloatArray, runningVar: FloatArray,
  mean: Float64Array, variance: Float64Array, count: number, momentum: number,
): void {
  const unbias = count / (count - 1);
  for (let c = 0; c < mean.length; c++) {
    runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
    runningVar[c] = (1 - momentum) * runningVar[c] + momentum * variance[c] * unbias;
  }
}

export interface BatchNormGradMask {
  input: boolean;
  weight: boolean;
  bias: boolean;
}

/** Gradients of batch norm given dy, the input and the mean/invstd its forward used; null where not asked for. */
export function batchNormBackward(
  dy: FloatArray, x: FloatArray, shape: readonly number[],
  mean: Float64Array, invstd: Float64Array,
  weight: FloatArray | null, training: boolean,
  mask: BatchNormGradMask = { input: true, weight: true, bias: true },
): { dx: FloatArray | null; dweight: FloatArray | null; dbias: FloatArray | null } {
  const [batch, channels, spatial] = batchNormDims(shape);
  const count = batch * spatial;
  const dx = mask.input ? allocateLike(x, x.length) : null;
  const dweight = mask.weight ? allocateLike(weight ?? x, channels) : null;
  const dbias = mask.bias ? allocateLike(weight ?? x, channels) : null;
  for (let c = 0; c < channels; c++) {
    const m = mean[c], istd = invstd[c];
    let sumDy = 0, sumDyXhat = 0;
    for (let n = 0; n < batch; n++) {
      const start = (n * channels + c) * spatial;
      for (let s = 0; s < spatial; s++) {
        const g = dy[start + s];
        sumDy += g;
        sumDyXhat += g * (x[start + s] - m) * istd;
      }
    }
    if (dweight !== null) dweight[c] = sumDyXhat;
    if (dbias !== null) dbias[c] = sumDy;
    if (dx === null) continue;
    const scale = istd * (weight === null ? 1 : weight[c]);
    const meanDy = training ? sumDy / count : 0;
    const meanDyXhat = training ? sumDyXhat / count : 0;
    for (let n = 0; n < batch; n++) {
      const start = (n * channels + c) * spatial;
      for (let s = 0; s < spatial; s++) {
        const xhat = (x[start + s] - m) * istd;
        dx[start + s] = scale * (dy[start + s] - meanDy - xhat * meanDyXhat);
      }
    }
  }
  return { dx, dweight, dbias };
}
