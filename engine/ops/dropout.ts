/**
 * dropout: inverted dropout, as torch.nn.functional.dropout.
 *
 *   training: y = x · mask / (1 − p), mask ~ Bernoulli(1 − p) per element (drawn from `rng`);
 *             p = 1 gives zeros (no division by 0), p = 0 returns x
 *   eval:     y = x (the 1/(1 − p) scaling at train time keeps the expected activation the same)
 *
 * Composed from `mul` with a constant mask tensor, so the backward is g · mask / (1 − p) with the same mask.
 * The mask comes from the engine's seeded Random, so it will not match torch's RNG value by value.
 */
import { allocateFloat } from '../backend/arrays';
import { defaultGenerator, type Random } from '../random';
import { Tensor } from '../tensor';
import { mul } from './elementwise';
import { floatDType } from './util';

export function dropout(x: Tensor, p = 0.5, training = true, rng: Random = defaultGenerator()): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability p must be between 0 and 1, got ${p}`);
  if (!training || p === 0) return x;
  const mask = allocateFloat(floatDType(x.dtype), x.size);
  if (p < 1) {
    const keep = 1 - p, scale = 1 / keep;
    for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < keep ? scale : 0;
  }
  return mul(x, new Tensor(mask, x.shape));
}
