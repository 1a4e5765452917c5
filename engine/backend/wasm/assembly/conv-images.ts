// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * A conv's input gradient, over groups of a few images:
 *
 *   per group: t = dy regrouped [O, G·P];  dcol = Wᵀ [K, O] · t  [K, G·P];  dx[n..n+G] = col2im(dcol)
 *
 * (The forward and the weight gradient need no patch matrix: ./conv-implicit.ts. The input gradient could be the
 * conv of dy with the flipped weights, but that multiplies the zero padding too, twice the work on LeNet.)
 * Groups, not the whole batch: a group's patch matrix (K·G·P floats, at most 256 KB; the TS side picks G) stays
 * in L2 from the GEMM to col2im, where the batch's (several MB) went out to memory and back.
 *
 * K = C·kh·kw (patch), P = oh·ow (positions), O = out channels. Threads take the batch's images in chunks
 * (../threads.ts), each in its own scratch region; every image's dx is written by one call alone, so the result
 * does not depend on which thread ran it. The arguments travel in a parameter block of i32s (the F_* offsets).
 */
import { aligned, field } from './blocks';
import { gemm, gemmScratchBytes } from './gemm';
import { col2imChannels, gatherGrad } from './conv';

// Offsets (in i32s) into the parameter block.
const F_DY = 0, F_WT = 1, F_DX = 2, F_GEO = 3, F_O = 4, F_K = 5, F_P = 6, F_IMAGE = 7, F_REGIONS = 8;
const F_REGION_BYTES = 9, F_GROUP = 10;
// The geometry block (./conv.ts): its batch and channel count, and its length in i32s.
const GEO_BATCH = 0, GEO_CH = 1, GEO_INTS = 14;

/** Bytes of one thread's scratch region for groups of `group` images (the TS side allocates threads × this). */
export function convRegionBytes(o: i32, k: i32, p: i32, group: i32): i32 {
  const cols = group * p;
  return aligned(k * cols * 4) + aligned(o * cols * 4) + aligned(GEO_INTS * 4) + aligned(gemmScratchBytes(k, cols, o, false, false));
}

/**
 * dx for images n0..n1 (see the header), in thread `thread`'s region: [dcol K·G·P][t O·G·P][geometry][GEMM
 * scratch]. `chunk` is unused (the signature is shared with ./conv-implicit.ts).
 */
export function convInputGradImages(pb: usize, n0: i32, n1: i32, chunk: i32, thread: i32): void {
  const dy = <usize>field(pb, F_DY), wt = <usize>field(pb, F_WT), dx = <usize>field(pb, F_DX);
  const o = field(pb, F_O), k = field(pb, F_K), p = field(pb, F_P), image = field(pb, F_IMAGE), group = field(pb, F_GROUP);
  const dcol = <usize>field(pb, F_REGIONS) + <usize>thread * <usize>field(pb, F_REGION_BYTES);
  const t = dcol + <usize>aligned(k * group * p * 4);
  const geo = t + <usize>aligned(o * group * p * 4);
  const scratch = geo + <usize>aligned(GEO_INTS * 4);
  // The thread's own copy of the geometry, whose batch each group sets.
  memory.copy(geo, <usize>field(pb, F_GEO), GEO_INTS * 4);
  const channels = load<i32>(geo + (<usize>GEO_CH << 2));
  for (let n = n0; n < n1; n += group) {
    const g = min(group, n1 - n);
    store<i32>(geo + (<usize>GEO_BATCH << 2), g);
    gatherGrad(dy + ((<usize>n * <usize>(o * p)) << 2), t, o, g, p);
    gemm(wt, t, dcol, k, g * p, o, false, false, scratch);
    const dxn = dx + ((<usize>n * <usize>image) << 2);
    memory.fill(dxn, 0, <usize>(g * image) << 2);
    col2imChannels(dcol, dxn, geo, 0, channels);
  }
}
