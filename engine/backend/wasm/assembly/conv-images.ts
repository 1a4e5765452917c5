// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * A conv's input gradient, over a range of images, in one of two forms.
 *
 * Patches (stride 1), per group of a few images:
 *
 *   t = dy regrouped [O, G·P];  dcol = Wᵀ [K, O] · t  [K, G·P];  dx[n..n+G] = col2im(dcol)
 *
 * Groups, not the whole batch: a group's patch matrix (K·G·P floats, at most 256 KB; the TS side picks G) stays in
 * L2 from the GEMM to col2im, where the batch's (several MB) went out to memory and back. (The input gradient
 * could be the conv of dy with the flipped weights, but that multiplies the zero padding too, twice the work on
 * LeNet's second conv.)
 *
 * Phases (stride > 1, Mnist_CNN's 3×3 stride-2 layers): a direct implicit GEMM, with no patch matrix and no
 * col2im. With stride s, the input pixels (iy, ix) fall into s×s phases by ((iy + pt) mod s, (ix + pl) mod s), and
 * the kernel taps that reach a pixel depend on its phase alone: in a 3×3 stride-2 conv, 1, 2, 2 or 4 of the 9
 * taps. Within a phase, every pixel reads dy at the same offsets from its own base, so
 *
 *   dx[n][c, pixel] = Σ_(o,i,j) in phase  W[o, c, i, j] · dyp[base(pixel) + off(o, i, j)]
 *
 * over dy zero-padded (dyp) so that taps past dy's edges read zeros. This is ./conv-implicit.ts's forward block
 * (block4: 4 pixels × 8 channels, weight panels per phase) with its outputs scattered to the phase's pixels, each
 * written once. It multiplies only the products that exist, where col2im's GEMM computed them as well but then added
 * every other float of its rows, and then transposed (Mnist_CNN conv2's dx: GEMM, col2im and transpose took
 * 0.96 ms of a 2.6 ms step). The TS side (../kernels.ts) builds the phase tables and the panels.
 *
 * K = C·kh·kw (patch), P = oh·ow (positions), O = out channels. Threads take the batch's images in chunks
 * (../threads.ts), each in its own scratch region; every image's dx is written by one call alone, so the result
 * does not depend on which thread ran it. The arguments travel in a parameter block of i32s (the F_* offsets).
 */
import { aligned, field } from './blocks';
import { gemm, gemmScratchBytes } from './gemm';
import { col2imChannels, gatherGrad } from './conv';
import { block4, copyPadded } from './conv-implicit';

// Offsets (in i32s) into the parameter block.
const F_DY = 0, F_WT = 1, F_DX = 2, F_GEO = 3, F_O = 4, F_K = 5, F_P = 6, F_IMAGE = 7, F_REGIONS = 8;
const F_REGION_BYTES = 9, F_GROUP = 10, F_FORM = 11;
// The phases form's own fields (F_WT is its weight panels there; F_K and F_GROUP are unused).
const F_PHASES = 12, F_PHASE_COUNT = 13, F_OFFSETS = 14, F_POSITIONS = 15, F_DY_HP = 16, F_DY_WP = 17, F_DY_PT = 18;
const F_DY_PL = 19;
/** F_FORM's values. */
const FORM_PATCHES = 0, FORM_PHASES = 1;
/** A phase's row in the phase table (i32s): entries K, first offset, first position, positions, first panel float. */
const PH_K = 0, PH_OFF = 1, PH_POS = 2, PH_COUNT = 3, PH_PANELS = 4, PH_INTS = 5;
// The geometry block (./conv.ts): its batch, channel count and output size, and its length in i32s.
const GEO_BATCH = 0, GEO_CH = 1, GEO_OH = 6, GEO_OW = 7, GEO_INTS = 14;

/**
 * Bytes of one thread's scratch region (the TS side allocates threads × this). Patches: groups of `group` images.
 * Phases: dy's image zero-padded to [O, dyHp, dyWp] (`group`, `k` and `p` unused).
 */
export function convRegionBytes(o: i32, k: i32, p: i32, group: i32, image: i32, form: i32, dyHp: i32, dyWp: i32): i32 {
  if (form == FORM_PHASES) return aligned(o * dyHp * dyWp * 4);
  const cols = group * p;
  return aligned(k * cols * 4) + aligned(o * cols * 4) + aligned(GEO_INTS * 4) + aligned(gemmScratchBytes(k, cols, o, false, false));
}

/**
 * dx for images n0..n1 (see the header), in thread `thread`'s region: patches [dcol K·G·P][t O·G·P][geometry][GEMM
 * scratch], phases [padded dy]. `chunk` is unused (the signature is shared with ./conv-implicit.ts).
 */
export function convInputGradImages(pb: usize, n0: i32, n1: i32, chunk: i32, thread: i32): void {
  if (field(pb, F_FORM) == FORM_PHASES) {
    inputGradPhases(pb, n0, n1, thread);
    return;
  }
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

/**
 * The phases form (see the header) for images n0..n1. Per phase, the table gives its entries (o, i, j) as
 * offsets into the padded dy, its pixels as pairs (base in the padded dy, index in dx's plane), a multiple of 4
 * (the TS side repeats the last pixel, which only writes its value again), and its weight panels [C/8][K][8].
 */
function inputGradPhases(pb: usize, n0: i32, n1: i32, thread: i32): void {
  const dy = <usize>field(pb, F_DY), panels = <usize>field(pb, F_WT), dx = <usize>field(pb, F_DX), geo = <usize>field(pb, F_GEO);
  const o = field(pb, F_O), image = field(pb, F_IMAGE);
  const c = field(geo, GEO_CH), oh = field(geo, GEO_OH), ow = field(geo, GEO_OW);
  const hp = field(pb, F_DY_HP), wp = field(pb, F_DY_WP), pt = field(pb, F_DY_PT), pl = field(pb, F_DY_PL);
  const phases = <usize>field(pb, F_PHASES), phaseCount = field(pb, F_PHASE_COUNT);
  const offsets = <usize>field(pb, F_OFFSETS), positions = <usize>field(pb, F_POSITIONS);
  const padded = <usize>field(pb, F_REGIONS) + <usize>thread * <usize>field(pb, F_REGION_BYTES);
  const plane = image / c, channelPanels = (c + 7) >> 3, zero = f32x4.splat(0);
  for (let n = n0; n < n1; n++) {
    let dyp = dy + ((<usize>n * <usize>(o * oh * ow)) << 2);
    if (hp != oh || wp != ow) {
      copyPadded(dyp, o, oh, ow, padded, hp, wp, pt, pl, n == n0);
      dyp = padded;
    }
    const dxn = dx + ((<usize>n * <usize>image) << 2);
    for (let ph = 0; ph < phaseCount; ph++) {
      const row = phases + (<usize>(ph * PH_INTS) << 2);
      const k = field(row, PH_K), count = field(row, PH_COUNT);
      const offs = offsets + (<usize>field(row, PH_OFF) << 2);
      const pos = positions + (<usize>field(row, PH_POS) << 3);
      const phasePanels = panels + (<usize>field(row, PH_PANELS) << 2);
      for (let jb = 0; jb < channelPanels; jb++) {
        const panel = phasePanels + ((<usize>(jb * k)) << 5);
        for (let s = 0; s < count; s += 4) block4(dyp, offs, pos + (<usize>s << 3), panel, k, zero, zero, dxn, plane, 0, jb * 8, c, true);
      }
    }
  }
}
