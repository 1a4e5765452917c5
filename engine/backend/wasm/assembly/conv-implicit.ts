// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Implicit-GEMM convolution: the products of a conv without a patch matrix. im2col writes K·P floats per image
 * in rows as short as the output width (4 to 28 floats), and at those lengths its per-row work cost as much as
 * the GEMM itself (LeNet's second conv: 0.7 ms of im2col beside 1.0 ms of GEMM per batch). Here the GEMM reads
 * the input where it lies: patch entry p of output position pos is x[pos_base[pos] + off[p]], two small tables
 * (pos_base from stride, off from channel, kernel offset and dilation) over a zero-padded copy of the image.
 *
 *   forward   y[n][o, pos] = bias[o] + Σ_p W[o, p] · x[pos_base[pos] + off[p]]
 *             4 positions × 8 output channels per register block: per p, two loads of W's panel (8 channels)
 *             and four broadcasts of input values, 8 multiply-adds; a 4×4 transpose writes NCHW rows.
 *   dW        dW[o, p] += Σ_pos dy[n][o, pos] · x[pos_base[pos] + off[p]]
 *             4 patch entries × 8 output channels per block, over positions: dy[n] regrouped into panels of 8
 *             channels per position, four broadcasts of input values.
 *
 * Any stride, padding and dilation. Channel panels are 8 wide (zeros past O), except a last one of at most 4
 * channels, which is 4 wide (Mnist_CNN's 10 = 8 + 2): O = 6 leaves a quarter of the lanes idle, still cheaper than
 * the patch matrix. A strided conv's input gradient runs the forward's register block,
 * phase by phase (./conv-images.ts).
 *
 * A batch's images are taken in chunks by the threads (../threads.ts), each thread with its own scratch region;
 * dW is summed per chunk and the chunks added in order (`implicitWeightGradReduce`), so the result does not
 * depend on which thread ran which chunk, nor on how many threads there were. Arguments travel in a parameter
 * block.
 */

import { aligned, field, madd } from './blocks';

// Offsets (in i32s) into the parameter block.
const F_X = 0, F_PANELS = 1, F_BIAS = 2, F_OUT = 3, F_OFF = 4, F_POS = 5, F_O = 6, F_K = 7, F_P = 8;
const F_C = 9, F_H = 10, F_W = 11, F_PT = 12, F_PL = 13, F_HP = 14, F_WP = 15, F_REGIONS = 16, F_REGION_BYTES = 17;
const F_DY = 18, F_PARTIALS = 19;

/** 8-channel panels of O channels. */
// @ts-ignore: decorator
@inline
function panelsOf(o: i32): i32 {
  return (o + 7) >> 3;
}

/**
 * Panel jb's width: 8, or 4 for a last panel of at most 4 channels. Mnist_CNN's last conv has 10 = 8 + 2 output
 * channels, and a second 8-wide panel would multiply 6 lanes of zeros. A panel starts at jb·K·8 floats whatever the
 * width (the narrow one is last), and sizes stay those of 8-wide panels.
 */
// @ts-ignore: decorator
@inline
function panelWidth(o: i32, jb: i32): i32 {
  const rest = o - jb * 8;
  return rest <= 4 ? 4 : 8;
}

/**
 * A thread's scratch region: [padded image C·Hp·Wp][dy panels P·8·panels]. Bytes of one, for the TS side to
 * allocate threads × this.
 */
export function implicitRegionBytes(c: i32, hp: i32, wp: i32, o: i32, p: i32): i32 {
  return aligned(c * hp * wp * 4) + aligned(p * panelsOf(o) * 32);
}

/** Bytes of one chunk's partial dW sum (panels [O/8][K][8]); the TS side allocates chunks × this. */
export function implicitPartialBytes(o: i32, k: i32): i32 {
  return aligned(k * panelsOf(o) * 32);
}

// @ts-ignore: decorator
@inline
function region(pb: usize, thread: i32): usize {
  return <usize>field(pb, F_REGIONS) + <usize>thread * <usize>field(pb, F_REGION_BYTES);
}

// @ts-ignore: decorator
@inline
function partial(pb: usize, chunk: i32): usize {
  return <usize>field(pb, F_PARTIALS) + <usize>chunk * <usize>implicitPartialBytes(field(pb, F_O), field(pb, F_K));
}

/**
 * W [O, K] (row-major) as panels [O/8][K][8], zero past O: each p's 8 channels are one 32-byte row (4 channels, 16
 * bytes, in a narrow last panel: panelWidth). Also the bias into [panels·8], zero-padded (bias 0: no bias).
 */
export function packWeightPanels(w: usize, o: i32, k: i32, dst: usize, bias: usize, biasDst: usize): void {
  const panels = panelsOf(o);
  for (let jb = 0; jb < panels; jb++) {
    const width = panelWidth(o, jb);
    for (let p = 0; p < k; p++) {
      const row = dst + ((<usize>(jb * k * 8 + p * width)) << 2);
      for (let q = 0; q < width; q++) {
        const ch = jb * 8 + q;
        store<f32>(row + (<usize>q << 2), ch < o ? load<f32>(w + (<usize>(ch * k + p) << 2)) : 0);
      }
    }
  }
  for (let ch = 0; ch < panels * 8; ch++) {
    store<f32>(biasDst + (<usize>ch << 2), bias != 0 && ch < o ? load<f32>(bias + (<usize>ch << 2)) : 0);
  }
}

/**
 * Image n's input, zero-padded into the thread's region (or in place when there is no padding). The border is
 * zeroed once per range (`first`) and stays zero, since every later image writes the interior only.
 */
function paddedImage(pb: usize, n: i32, thread: i32, first: bool): usize {
  const c = field(pb, F_C), h = field(pb, F_H), w = field(pb, F_W), hp = field(pb, F_HP), wp = field(pb, F_WP);
  const x = <usize>field(pb, F_X) + ((<usize>n * <usize>(c * h * w)) << 2);
  if (hp == h && wp == w) return x;
  const dst = region(pb, thread);
  copyPadded(x, c, h, w, dst, hp, wp, field(pb, F_PT), field(pb, F_PL), first);
  return dst;
}

/**
 * x [C, H, W] into the interior of dst [C, Hp, Wp] at (pt, pl); with `zeroBorder`, all of dst is zeroed first.
 * Rows are copied in SIMD blocks, the last block overlapping the one before. (A fill of the whole region and a
 * memory.copy per row, 7 to 28 floats each, cost 0.29 ms of Mnist_CNN's ~2.4 ms step.)
 */
export function copyPadded(x: usize, c: i32, h: i32, w: i32, dst: usize, hp: i32, wp: i32, pt: i32, pl: i32, zeroBorder: bool): void {
  if (zeroBorder) memory.fill(dst, 0, <usize>(c * hp * wp) << 2);
  if (c <= 0 || h <= 0 || w <= 0) return;
  const rowBytes = <usize>w << 2, dstRow = <usize>wp << 2, planeGap = <usize>((hp - h) * wp) << 2;
  let from = x, to = dst + (<usize>(pt * wp + pl) << 2);
  if (w < 4) {
    for (let ch = 0; ch < c; ch++, to += planeGap) {
      for (let y = 0; y < h; y++, from += rowBytes, to += dstRow) {
        for (let i = 0; i < w; i++) store<f32>(to + (<usize>i << 2), load<f32>(from + (<usize>i << 2)));
      }
    }
    return;
  }
  // Do-whiles, with pointers stepped rather than recomputed, for V8 (see block4's loop): as for loops, each of
  // the 7 to 28 float rows reloaded five spilled values and multiplied out its two addresses.
  let ch = 0;
  do {
    let y = 0;
    do {
      let at: usize = 0;
      if (rowBytes > 16) {
        do {
          v128.store(to + at, v128.load(from + at));
          at += 16;
        } while (at + 16 < rowBytes);
      }
      v128.store(to + rowBytes - 16, v128.load(from + rowBytes - 16));
      from += rowBytes;
      to += dstRow;
    } while (++y < h);
    to += planeGap;
  } while (++ch < c);
}

/** Forward for images n0..n1 (see the header): y[n] [O, P] in NCHW. `chunk` is unused (the signature is shared). */
export function implicitForward(pb: usize, n0: i32, n1: i32, chunk: i32, thread: i32): void {
  const panels = <usize>field(pb, F_PANELS), bias = <usize>field(pb, F_BIAS), out = <usize>field(pb, F_OUT);
  const offs = <usize>field(pb, F_OFF), pos = <usize>field(pb, F_POS);
  const o = field(pb, F_O), k = field(pb, F_K), p = field(pb, F_P);
  for (let n = n0; n < n1; n++) {
    const xp = paddedImage(pb, n, thread, n == n0);
    const y = out + ((<usize>n * <usize>(o * p)) << 2);
    for (let jb = 0; jb < panelsOf(o); jb++) {
      const panel = panels + ((<usize>(jb * k)) << 5);
      const b0 = v128.load(bias + (<usize>jb << 5)), b1 = v128.load(bias + (<usize>jb << 5), 16);
      let s = 0;
      if (panelWidth(o, jb) == 4) {
        for (; s + 4 <= p; s += 4) narrow4(xp, pos + (<usize>s << 2), offs, k, panel, true, b0, y, p, s, jb * 8, o, 0);
        for (; s < p; s++) forward1Narrow(xp, offs, pos + (<usize>s << 2), panel, k, b0, y, p, s, jb * 8, o);
        continue;
      }
      for (; s + 4 <= p; s += 4) block4(xp, offs, pos + (<usize>s << 2), panel, k, b0, b1, y, p, s, jb * 8, o, false);
      for (; s < p; s++) forward1(xp, offs, pos + (<usize>s << 2), panel, k, b0, b1, y, p, s, jb * 8, o);
    }
  }
}

/**
 * The register block of the forward and of a strided conv's input gradient (./conv-images.ts): 4 positions × 8
 * channels o0..o0+7 (those below o are stored), their sums started at b0, b1. `scatter` is a constant at each call,
 * so inlining keeps one of its two stores:
 *   false (forward): the positions are s..s+3, their bases i32s at `pos`; channel ch's four values are one store at
 *         y + ch·rowFloats + s (storeChannels);
 *   true (phases): `pos` holds 4 pairs (base, pixel); each pixel's channels go to y + ch·rowFloats + pixel.
 */
// @ts-ignore: decorator
@inline
export function block4(xp: usize, offs: usize, pos: usize, panel: usize, k: i32, b0: v128, b1: v128, y: usize, rowFloats: i32, s: i32, o0: i32, o: i32, scatter: bool): void {
  const step: usize = scatter ? 8 : 4;
  const a0 = xp + (<usize>load<i32>(pos) << 2), a1 = xp + (<usize>load<i32>(pos + step) << 2);
  const a2 = xp + (<usize>load<i32>(pos + 2 * step) << 2), a3 = xp + (<usize>load<i32>(pos + 3 * step) << 2);
  let c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
  // A do-while, as every product loop in this file: V8 hoists a loop's invariant values only out of a loop whose
  // body dominates its exit (./optim.ts's adam), which a test at the top prevents. As for loops they added xp to
  // each of the four bases in every step and reloaded spilled registers (Mnist_CNN's convs: 4% less time).
  let pw = panel, q = 0;
  if (k > 0) {
    do {
      const off = <usize>load<i32>(offs + (<usize>q << 2)) << 2;
      const w0 = v128.load(pw), w1 = v128.load(pw, 16);
      let v = v128.load32_splat(a0 + off);
      c00 = madd(v, w0, c00);
      c01 = madd(v, w1, c01);
      v = v128.load32_splat(a1 + off);
      c10 = madd(v, w0, c10);
      c11 = madd(v, w1, c11);
      v = v128.load32_splat(a2 + off);
      c20 = madd(v, w0, c20);
      c21 = madd(v, w1, c21);
      v = v128.load32_splat(a3 + off);
      c30 = madd(v, w0, c30);
      c31 = madd(v, w1, c31);
      pw += 32;
    } while (++q < k);
  }
  if (scatter) {
    const at = y + (<usize>o0 * <usize>rowFloats << 2);
    storePixel(at + (<usize>load<i32>(pos, 4) << 2), rowFloats, o0, o, c00, c01);
    storePixel(at + (<usize>load<i32>(pos, 12) << 2), rowFloats, o0, o, c10, c11);
    storePixel(at + (<usize>load<i32>(pos, 20) << 2), rowFloats, o0, o, c20, c21);
    storePixel(at + (<usize>load<i32>(pos, 28) << 2), rowFloats, o0, o, c30, c31);
  } else {
    storeChannels(y, rowFloats, s, o0, o, c00, c10, c20, c30);
    storeChannels(y, rowFloats, s, o0 + 4, o, c01, c11, c21, c31);
  }
}

/**
 * One pixel's channels c0..c0+7 (lanes of lo, hi; those below c, c0 itself always) into planes `plane` floats
 * apart, from `at`.
 */
// @ts-ignore: decorator
@inline
function storePixel(at: usize, plane: i32, c0: i32, c: i32, lo: v128, hi: v128): void {
  const step = <usize>plane << 2;
  store<f32>(at, f32x4.extract_lane(lo, 0));
  if (c0 + 1 < c) store<f32>(at + step, f32x4.extract_lane(lo, 1));
  if (c0 + 2 < c) store<f32>(at + 2 * step, f32x4.extract_lane(lo, 2));
  if (c0 + 3 < c) store<f32>(at + 3 * step, f32x4.extract_lane(lo, 3));
  if (c0 + 4 < c) store<f32>(at + 4 * step, f32x4.extract_lane(hi, 0));
  if (c0 + 5 < c) store<f32>(at + 5 * step, f32x4.extract_lane(hi, 1));
  if (c0 + 6 < c) store<f32>(at + 6 * step, f32x4.extract_lane(hi, 2));
  if (c0 + 7 < c) store<f32>(at + 7 * step, f32x4.extract_lane(hi, 3));
}

/**
 * The narrow panel's register block (4 channels, rows of 16 bytes), for the forward and dW alike, which walk the
 * same products with the two tables' roles swapped: four bases a0..a3 (i32s at `bases`), and per step q < count
 * an offset (at `steps`) and a row of `rows`. The forward's bases are 4 positions and its steps the patch entries,
 * starting at the bias, stored as NCHW rows; dW's bases are 4 patch entries and its steps the positions, starting
 * at and stored into `acc`. `forward` is a constant at each call, so inlining keeps one start and one store.
 */
// @ts-ignore: decorator
@inline
function narrow4(xp: usize, bases: usize, steps: usize, count: i32, rows: usize, forward: bool, b0: v128, y: usize, p: i32, s: i32, o0: i32, o: i32, acc: usize): void {
  const a0 = xp + (<usize>load<i32>(bases) << 2), a1 = xp + (<usize>load<i32>(bases, 4) << 2);
  const a2 = xp + (<usize>load<i32>(bases, 8) << 2), a3 = xp + (<usize>load<i32>(bases, 12) << 2);
  let c0 = b0, c1 = b0, c2 = b0, c3 = b0;
  if (!forward) {
    c0 = v128.load(acc);
    c1 = v128.load(acc, 16);
    c2 = v128.load(acc, 32);
    c3 = v128.load(acc, 48);
  }
  let row = rows, q = 0;
  if (count > 0) {
    do {
      const off = <usize>load<i32>(steps + (<usize>q << 2)) << 2;
      const w = v128.load(row);
      c0 = madd(v128.load32_splat(a0 + off), w, c0);
      c1 = madd(v128.load32_splat(a1 + off), w, c1);
      c2 = madd(v128.load32_splat(a2 + off), w, c2);
      c3 = madd(v128.load32_splat(a3 + off), w, c3);
      row += 16;
    } while (++q < count);
  }
  if (forward) {
    storeChannels(y, p, s, o0, o, c0, c1, c2, c3);
  } else {
    v128.store(acc, c0);
    v128.store(acc, c1, 16);
    v128.store(acc, c2, 32);
    v128.store(acc, c3, 48);
  }
}

/** forward1 over a narrow panel. */
function forward1Narrow(xp: usize, offs: usize, pos: usize, panel: usize, k: i32, b0: v128, y: usize, p: i32, s: i32, o0: i32, o: i32): void {
  const a0 = xp + (<usize>load<i32>(pos) << 2);
  let c = b0;
  let pw = panel, q = 0;
  if (k > 0) {
    do {
      c = madd(v128.load32_splat(a0 + (<usize>load<i32>(offs + (<usize>q << 2)) << 2)), v128.load(pw), c);
      pw += 16;
    } while (++q < k);
  }
  const at = y + (<usize>(o0 * p + s) << 2), row = <usize>p << 2;
  if (o0 < o) store<f32>(at, f32x4.extract_lane(c, 0));
  if (o0 + 1 < o) store<f32>(at + row, f32x4.extract_lane(c, 1));
  if (o0 + 2 < o) store<f32>(at + 2 * row, f32x4.extract_lane(c, 2));
  if (o0 + 3 < o) store<f32>(at + 3 * row, f32x4.extract_lane(c, 3));
}

/**
 * Four positions' values of four channels (r_i = position s+i, lanes = channels ch0..ch0+3), transposed in
 * registers so that each channel's four positions are one store into its NCHW row.
 */
// @ts-ignore: decorator
@inline
function storeChannels(y: usize, p: i32, s: i32, ch0: i32, o: i32, r0: v128, r1: v128, r2: v128, r3: v128): void {
  if (ch0 >= o) return;
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  const at = y + (<usize>(ch0 * p + s) << 2), row = <usize>p << 2;
  v128.store(at, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  if (ch0 + 1 < o) v128.store(at + row, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  if (ch0 + 2 < o) v128.store(at + 2 * row, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  if (ch0 + 3 < o) v128.store(at + 3 * row, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** One position s (the last P mod 4), channels o0..o0+7. */
function forward1(xp: usize, offs: usize, pos: usize, panel: usize, k: i32, b0: v128, b1: v128, y: usize, p: i32, s: i32, o0: i32, o: i32): void {
  const a0 = xp + (<usize>load<i32>(pos) << 2);
  let c0 = b0, c1 = b1;
  let pw = panel, q = 0;
  if (k > 0) {
    do {
      const v = v128.load32_splat(a0 + (<usize>load<i32>(offs + (<usize>q << 2)) << 2));
      c0 = madd(v, v128.load(pw), c0);
      c1 = madd(v, v128.load(pw, 16), c1);
      pw += 32;
    } while (++q < k);
  }
  storePixel(y + (<usize>(o0 * p + s) << 2), p, o0, o, c0, c1);
}

/** dW's partial sum over images n0..n1 (one chunk) into chunk `chunk`'s dW panels [O/8][K][8] (zeroed first). */
export function implicitWeightGrad(pb: usize, n0: i32, n1: i32, chunk: i32, thread: i32): void {
  const offs = <usize>field(pb, F_OFF), pos = <usize>field(pb, F_POS), dyAll = <usize>field(pb, F_DY);
  const o = field(pb, F_O), k = field(pb, F_K), p = field(pb, F_P);
  const c = field(pb, F_C), hp = field(pb, F_HP), wp = field(pb, F_WP);
  const panels = panelsOf(o);
  const dyPanels = region(pb, thread) + <usize>aligned(c * hp * wp * 4);
  const dw = partial(pb, chunk);
  memory.fill(dw, 0, <usize>(k * panels) << 5);
  for (let n = n0; n < n1; n++) {
    const xp = paddedImage(pb, n, thread, n == n0);
    toPanels(dyAll + ((<usize>n * <usize>(o * p)) << 2), o, p, dyPanels);
    for (let jb = 0; jb < panels; jb++) {
      const g = dyPanels + ((<usize>(jb * p)) << 5);
      const acc = dw + ((<usize>(jb * k)) << 5);
      let e = 0;
      if (panelWidth(o, jb) == 4) {
        for (; e + 4 <= k; e += 4) narrow4(xp, offs + (<usize>e << 2), pos, p, g, false, f32x4.splat(0), 0, 0, 0, 0, 0, acc + (<usize>e << 4));
        for (; e < k; e++) weightGrad1Narrow(xp, offs + (<usize>e << 2), pos, g, p, acc + (<usize>e << 4));
        continue;
      }
      for (; e + 4 <= k; e += 4) weightGrad4(xp, offs + (<usize>e << 2), pos, g, p, acc + (<usize>e << 5));
      for (; e < k; e++) weightGrad1(xp, offs + (<usize>e << 2), pos, g, p, acc + (<usize>e << 5));
    }
  }
}

/**
 * dy[n] [O, P] → panels [O/8][P][8] (a narrow last panel [P][4]: panelWidth), zero past O: four positions of four
 * channels at a time, transposed in registers (a scalar loop here cost a third as much as the products on LeNet's
 * first conv).
 */
function toPanels(dy: usize, o: i32, p: i32, dst: usize): void {
  const zero = f32x4.splat(0);
  const row = <usize>p << 2;
  for (let jb = 0; jb < panelsOf(o); jb++) {
    const panel = dst + ((<usize>(jb * p)) << 5);
    const width = panelWidth(o, jb), halves = width >> 2, stride = <usize>width << 2;
    for (let half = 0; half < halves; half++) {
      const ch = jb * 8 + half * 4;
      const src = dy + (<usize>(ch * p) << 2);
      let s = 0;
      for (; s + 4 <= p; s += 4) {
        const at = src + (<usize>s << 2);
        const r0 = ch < o ? v128.load(at) : zero;
        const r1 = ch + 1 < o ? v128.load(at + row) : zero;
        const r2 = ch + 2 < o ? v128.load(at + 2 * row) : zero;
        const r3 = ch + 3 < o ? v128.load(at + 3 * row) : zero;
        // r_c holds channel ch+c at positions s..s+3; the panel wants position-major rows.
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const out = panel + <usize>s * stride + (<usize>half << 4);
        v128.store(out, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(out + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(out + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(out + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
      for (; s < p; s++) {
        const out = panel + <usize>s * stride + (<usize>half << 4);
        for (let q = 0; q < 4; q++) store<f32>(out + (<usize>q << 2), ch + q < o ? load<f32>(src + (<usize>(q * p + s) << 2)) : 0);
      }
    }
  }
}

/** Patch entries e..e+3 (their offsets at `offs`), 8 channels: acc rows += Σ_pos x[...] · dy panel row. */
// @ts-ignore: decorator
@inline
function weightGrad4(xp: usize, offs: usize, pos: usize, g: usize, p: i32, acc: usize): void {
  const a0 = xp + (<usize>load<i32>(offs) << 2), a1 = xp + (<usize>load<i32>(offs, 4) << 2);
  const a2 = xp + (<usize>load<i32>(offs, 8) << 2), a3 = xp + (<usize>load<i32>(offs, 12) << 2);
  let c00 = v128.load(acc), c01 = v128.load(acc, 16), c10 = v128.load(acc, 32), c11 = v128.load(acc, 48);
  let c20 = v128.load(acc, 64), c21 = v128.load(acc, 80), c30 = v128.load(acc, 96), c31 = v128.load(acc, 112);
  let pg = g, s = 0;
  if (p > 0) {
    do {
      const at = <usize>load<i32>(pos + (<usize>s << 2)) << 2;
      const g0 = v128.load(pg), g1 = v128.load(pg, 16);
      let v = v128.load32_splat(a0 + at);
      c00 = madd(v, g0, c00);
      c01 = madd(v, g1, c01);
      v = v128.load32_splat(a1 + at);
      c10 = madd(v, g0, c10);
      c11 = madd(v, g1, c11);
      v = v128.load32_splat(a2 + at);
      c20 = madd(v, g0, c20);
      c21 = madd(v, g1, c21);
      v = v128.load32_splat(a3 + at);
      c30 = madd(v, g0, c30);
      c31 = madd(v, g1, c31);
      pg += 32;
    } while (++s < p);
  }
  v128.store(acc, c00); v128.store(acc, c01, 16); v128.store(acc, c10, 32); v128.store(acc, c11, 48);
  v128.store(acc, c20, 64); v128.store(acc, c21, 80); v128.store(acc, c30, 96); v128.store(acc, c31, 112);
}

function weightGrad1(xp: usize, offs: usize, pos: usize, g: usize, p: i32, acc: usize): void {
  const a0 = xp + (<usize>load<i32>(offs) << 2);
  let c0 = v128.load(acc), c1 = v128.load(acc, 16);
  let pg = g, s = 0;
  if (p > 0) {
    do {
      const v = v128.load32_splat(a0 + (<usize>load<i32>(pos + (<usize>s << 2)) << 2));
      c0 = madd(v, v128.load(pg), c0);
      c1 = madd(v, v128.load(pg, 16), c1);
      pg += 32;
    } while (++s < p);
  }
  v128.store(acc, c0);
  v128.store(acc, c1, 16);
}

function weightGrad1Narrow(xp: usize, offs: usize, pos: usize, g: usize, p: i32, acc: usize): void {
  const a0 = xp + (<usize>load<i32>(offs) << 2);
  let c = v128.load(acc);
  let pg = g, s = 0;
  if (p > 0) {
    do {
      c = madd(v128.load32_splat(a0 + (<usize>load<i32>(pos + (<usize>s << 2)) << 2)), v128.load(pg), c);
      pg += 16;
    } while (++s < p);
  }
  v128.store(acc, c);
}

/** dW [O, K] = Σ of the `chunks` chunks' partial sums, in chunk order. */
export function implicitWeightGradReduce(pb: usize, chunks: i32, dw: usize): void {
  const o = field(pb, F_O), k = field(pb, F_K);
  const first = partial(pb, 0);
  const floats = k * panelsOf(o) * 8;
  for (let c = 1; c < chunks; c++) {
    const other = partial(pb, c);
    for (let i = 0; i < floats; i += 4) {
      const q = <usize>i << 2;
      v128.store(first + q, f32x4.add(v128.load(first + q), v128.load(other + q)));
    }
  }
  for (let ch = 0; ch < o; ch++) {
    const jb = ch >> 3, q = ch & 7, width = panelWidth(o, jb);
    for (let e = 0; e < k; e++) store<f32>(dw + (<usize>(ch * k + e) << 2), load<f32>(first + (<usize>(jb * k * 8 + e * width + q) << 2)));
  }
}
