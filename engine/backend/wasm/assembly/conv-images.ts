// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * A conv's input gradient, over groups of a few images:
 *
 *   per group: t = dy regrouped [O, G·P];  dcol = Wᵀ [K, O] · t  [K, G·P];  dx[n..n+G] = col2im(dcol)
 *
 * A strided conv (Mnist_CNN's 3×3 stride-2 layers) takes the channels-last form instead: col2im's rows there
 * are every other float (scalar adds, as costly as the GEMM), while with the patch entries ordered (i, j, c) and
 * the group's dx accumulated as [G, H, W, C], each (position, i, j) adds C contiguous floats, in SIMD:
 *
 *   dcolᵀ = tᵀ · W' [O, (i, j, c)]  [G·P, K];  nhwc += dcolᵀ rows;  dx[n..n+G] = nhwc transposed to [C, H·W]
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
import { gemm, gemmScratchBytes, transpose } from './gemm';
import { col2imChannels, gatherGrad } from './conv';

// Offsets (in i32s) into the parameter block.
const F_DY = 0, F_WT = 1, F_DX = 2, F_GEO = 3, F_O = 4, F_K = 5, F_P = 6, F_IMAGE = 7, F_REGIONS = 8;
const F_REGION_BYTES = 9, F_GROUP = 10, F_CHANNELS_LAST = 11;
// The geometry block (./conv.ts): its batch and channel count, and its length in i32s.
const GEO_BATCH = 0, GEO_CH = 1, GEO_H = 2, GEO_W = 3, GEO_KH = 4, GEO_KW = 5, GEO_OH = 6, GEO_OW = 7;
const GEO_SH = 8, GEO_SW = 9, GEO_PT = 10, GEO_PL = 11, GEO_DH = 12, GEO_DW = 13, GEO_INTS = 14;

/** Bytes of one thread's scratch region for groups of `group` images (the TS side allocates threads × this). */
export function convRegionBytes(o: i32, k: i32, p: i32, group: i32, image: i32, channelsLast: bool): i32 {
  const cols = group * p;
  const gemmBytes = channelsLast ? gemmScratchBytes(cols, k, o, true, false) : gemmScratchBytes(k, cols, o, false, false);
  const nhwcBytes = channelsLast ? aligned(group * image * 4) : 0;
  return aligned(k * cols * 4) + aligned(o * cols * 4) + aligned(GEO_INTS * 4) + nhwcBytes + aligned(gemmBytes);
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
  let scratch = geo + <usize>aligned(GEO_INTS * 4);
  // The thread's own copy of the geometry, whose batch each group sets.
  memory.copy(geo, <usize>field(pb, F_GEO), GEO_INTS * 4);
  const channels = load<i32>(geo + (<usize>GEO_CH << 2));
  if (field(pb, F_CHANNELS_LAST) != 0) {
    const nhwc = scratch;
    scratch += <usize>aligned(group * image * 4);
    for (let n = n0; n < n1; n += group) {
      const g = min(group, n1 - n);
      gatherGrad(dy + ((<usize>n * <usize>(o * p)) << 2), t, o, g, p);
      gemm(t, wt, dcol, g * p, k, o, true, false, scratch); // wt holds W' [O, (i, j, c)] here
      memory.fill(nhwc, 0, <usize>(g * image) << 2);
      col2imChannelsLast(dcol, nhwc, geo, g, k);
      const hw = image / channels;
      for (let m = 0; m < g; m++) {
        const at = <usize>(m * image) << 2;
        transpose(nhwc + at, hw, channels, dx + ((<usize>n * <usize>image) << 2) + at);
      }
    }
    return;
  }
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

/**
 * nhwc [G, H, W, C] += the adjoint of a channels-last im2col of dcol [G·P, (i, j, c)]: each output position's row
 * adds, per kernel tap (i, j) inside the image, its C floats to the input pixel the tap reads.
 */
function col2imChannelsLast(dcol: usize, nhwc: usize, geo: usize, images: i32, k: i32): void {
  const ch = field(geo, GEO_CH), h = field(geo, GEO_H), w = field(geo, GEO_W), kh = field(geo, GEO_KH), kw = field(geo, GEO_KW);
  const oh = field(geo, GEO_OH), ow = field(geo, GEO_OW), sh = field(geo, GEO_SH), sw = field(geo, GEO_SW);
  const pt = field(geo, GEO_PT), pl = field(geo, GEO_PL), dh = field(geo, GEO_DH), dw = field(geo, GEO_DW);
  const ch4 = ch & ~3;
  let row = dcol;
  for (let m = 0; m < images; m++) {
    const plane = nhwc + (<usize>(m * h * w * ch) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row += <usize>k << 2) {
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw - pl + j * dw;
            if (ix < 0 || ix >= w) continue;
            const dst = plane + (<usize>((iy * w + ix) * ch) << 2);
            const src = row + (<usize>((i * kw + j) * ch) << 2);
            let c = 0;
            for (; c < ch4; c += 4) {
              const o = <usize>c << 2;
              v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
            }
            for (; c < ch; c++) {
              const o = <usize>c << 2;
              store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
            }
          }
        }
      }
    }
  }
}
