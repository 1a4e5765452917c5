/**
 * dropout: inverted dropout, as torch.nn.functional.dropout.
 *
 *   training: y = x · mask / (1 − p), mask ~ Bernoulli(1 − p) per element (drawn from `rng`);
 *             p = 1 gives zeros (no division by 0), p = 0 returns x
 *   eval:     y = x (the 1/(1 − p) scaling at train time keeps the expected activation the same)
 *
 * Composed from `mul` with a constant mask tensor, so the backward is g · mask / (1 − p) with the same mask.
 * The mask is the DropoutMask kernel's (backend/cpu/dropout.ts): a hash of each element's index and two seeds
 * drawn from `rng`, the same bits on every backend, made on a GPU's device where a GPU runs. It will not match
 * torch's RNG value by value.
 */
import { getKernel } from '../backend/backend';
import { MASK_P1, MASK_P2 } from '../backend/cpu/dropout';
import * as K from '../backend/kernel-names';
import { defaultGenerator, type Random } from '../random';
import { Tensor } from '../tensor';
import { mul } from './elementwise';
import { floatDType } from './util';

export function dropout(x: Tensor, p = 0.5, training = true, rng: Random = defaultGenerator()): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability p must be between 0 and 1, got ${p}`);
  if (!training || p === 0) return x;
  return mul(x, keepMask(x.shape, p, x, rng));
}

/** A mask of `shape`: each entry 1/(1 − p) (kept) or 0, with two fresh seeds from `rng`. */
function keepMask(shape: readonly number[], p: number, like: Tensor, rng: Random): Tensor {
  const seedA = Math.floor(rng.next() * MASK_P1);
  const seedB = Math.floor(rng.next() * MASK_P2);
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(getKernel(K.DropoutMask)(size, { keep: 1 - p, seedA, seedB, dtype: floatDType(like.dtype) }), shape);
}

/**
 * dropout2d: channel-wise dropout, as torch.nn.functional.dropout2d. In training each channel of each sample (a
 * whole feature map) is zeroed with probability p and the others scaled by 1/(1 − p): neighbouring pixels of a map
 * are correlated, so dropping them one by one barely regularises a conv net. Eval returns x.
 *   x [N, C, H, W], or [N, C, L], which torch 1.13 reads as channel-wise 1-D dropout (with a warning)
 *   y = x · mask, mask [N, C, 1, 1] (or [N, C, 1]) broadcast over the positions; the backward is g · mask
 */
export function dropout2d(x: Tensor, p = 0.5, training = true, rng: Random = defaultGenerator()): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout2d: probability p must be between 0 and 1, got ${p}`);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`dropout2d: expects input [N, C, H, W] or [N, C, L], got [${x.shape}]; use dropout for other shapes`);
  }
  if (!training || p === 0) return x;
  return mul(x, keepMask([x.shape[0], x.shape[1], ...Array<number>(x.ndim - 2).fill(1)], p, x, rng));
}
