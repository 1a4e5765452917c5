/**
 * The dropout mask as a kernel: element i is 1/keep (kept) or 0 (dropped), from a counter-based hash of i and two
 * seeds. A GPU computes every element at once, without a random draw per element on the CPU (pytorch/examples'
 * Net drew 590k numbers a step there, 3.9 ms) or a mask upload (2.4 MB a step).
 *
 * GPUs compute in float32 and gpu.js has no exact 32-bit integer arithmetic, so the hash uses only integers below
 * 2^24, which float32 and float64 both hold exactly: every backend draws the same mask, bit for bit.
 *
 *   lo = i mod P1, hi = ⌊i / P1⌋                     (P1 = 4093, P2 = 4091, primes; i < 2^24 on a GPU)
 *   x = (lo + seedA) mod P1, y = (hi + seedB) mod P2
 *   4 rounds r = 1..4:  x ← (x² + y + 17r) mod P1;  y ← (y² + x + 31r) mod P2
 *   kept ⇔ x·P2 + y < round(keep · P1 · P2)
 *
 * So p is honoured to 1/(P1·P2) ≈ 6e-8. The masks do not match torch's generator (nor did the per-element draws).
 */
import { allocateFloat, type FloatArray, type FloatDType } from '../arrays';

export const MASK_P1 = 4093;
export const MASK_P2 = 4091;

export interface DropoutMaskAttrs {
  /** 1 − p. */
  keep: number;
  /** In [0, MASK_P1) and [0, MASK_P2): two draws of the engine's seeded generator per call. */
  seedA: number;
  seedB: number;
  dtype: FloatDType;
}

/** round(keep · P1 · P2): the hash values below it are kept. */
export const maskThreshold = (keep: number): number => Math.round(keep * MASK_P1 * MASK_P2);

export function dropoutMask(size: number, { keep, seedA, seedB, dtype }: DropoutMaskAttrs): FloatArray {
  const mask = allocateFloat(dtype, size);
  const threshold = maskThreshold(keep);
  const scale = keep > 0 ? 1 / keep : 0;
  for (let i = 0; i < size; i++) {
    const hi = Math.floor(i / MASK_P1);
    let x = (i - hi * MASK_P1 + seedA) % MASK_P1;
    let y = (hi + seedB) % MASK_P2;
    for (let r = 1; r <= 4; r++) {
      x = (x * x + y + 17 * r) % MASK_P1;
      y = (y * y + x + 31 * r) % MASK_P2;
    }
    mask[i] = x * MASK_P2 + y < threshold ? scale : 0;
  }
  return mask;
}
