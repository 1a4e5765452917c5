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
  const seedA = Math.floor(rng.next() * MASK_P1);
  const seedB = Math.floor(rng.next() * MASK_P2);
  const mask = getKernel(K.DropoutMask)(x.size, { keep: 1 - p, seedA, seedB, dtype: floatDType(x.dtype) });
  return mul(x, new Tensor(mask, x.shape));
}
