// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * A training batch gathered from uint8 images (K.GatherBytes): rows `indices` of the pixels, each byte p turned
 * into the float32 of p·scale + shift (the normalisation, engine/data/transforms.ts), written where the step's
 * first kernel reads it. The pixels are a quarter of the floats they stand for, so a batch of random rows reads
 * 50 KB of a 47 MB set instead of 200 KB of a 188 MB one.
 *
 * The arithmetic is the CPU's, operation for operation: the product and the sum in float64, each rounded, then one
 * rounding to float32 (two lanes per f64x2, no fused multiply-add), so a batch has the same bits on every backend.
 */

// @ts-ignore: decorator
@inline
function affine4(quad: v128, a: v128, c: v128): v128 {
  const low = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_u(quad), a), c));
  const high = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_u(v128.shuffle<i32>(quad, quad, 2, 3, 2, 3)), a), c));
  return v128.shuffle<i32>(low, high, 0, 1, 4, 5);
}

/**
 * out[b·row + j] = f32(src[idx[b]·row + j] · scale + shift) for b < count, j < row. Returns a value made from a
 * byte of each of the cache lines it touched ahead (below), so that no optimiser drops those reads.
 */
export function gatherBytes(src: usize, row: i32, idx: usize, count: i32, scale: f64, shift: f64, out: usize): u32 {
  const a = f64x2.splat(scale);
  const c = f64x2.splat(shift);
  let touched: u32 = 0;
  for (let b = 0; b < count; b++) {
    const s = src + <usize>(load<i32>(idx + (<usize>b << 2)) * row);
    const o = out + (<usize>(b * row) << 2);
    // The rows are random images, so each of their cache lines is a trip to memory: one read per line of the next
    // row first lets those trips overlap this row's arithmetic (a batch from a cold cache: p50 74 → 64 µs; from
    // L1/L2 the whole batch takes 14 µs). Reading further ahead gained nothing more.
    if (b + 1 < count) {
      const next = src + <usize>(load<i32>(idx + (<usize>(b + 1) << 2)) * row);
      for (let j = 0; j < row; j += 64) touched += load<u8>(next + <usize>j);
    }
    let j = 0;
    for (; j + 16 <= row; j += 16) {
      const bytes = v128.load(s + <usize>j);
      const low = i16x8.extend_low_i8x16_u(bytes);
      const high = i16x8.extend_high_i8x16_u(bytes);
      const q = o + (<usize>j << 2);
      v128.store(q, affine4(i32x4.extend_low_i16x8_u(low), a, c));
      v128.store(q, affine4(i32x4.extend_high_i16x8_u(low), a, c), 16);
      v128.store(q, affine4(i32x4.extend_low_i16x8_u(high), a, c), 32);
      v128.store(q, affine4(i32x4.extend_high_i16x8_u(high), a, c), 48);
    }
    for (; j < row; j++) store<f32>(o + (<usize>j << 2), <f32>(<f64>load<u8>(s + <usize>j) * scale + shift));
  }
  return touched;
}

/**
 * One read per cache line of rows idx[0..count), the next batch's: a training step between two batches touches a
 * few MB at most, so those rows are still in the last-level cache when the next gather reads them. With the cost of
 * these reads counted, a batch then took 24-28 µs instead of 38-42 (p50 of 936 batches of 64 random MNIST rows,
 * 1-4 MB touched between them, load 16). Returns what `gatherBytes` returns.
 */
export function touchRows(src: usize, row: i32, idx: usize, count: i32): u32 {
  let touched: u32 = 0;
  for (let b = 0; b < count; b++) {
    const s = src + <usize>(load<i32>(idx + (<usize>b << 2)) * row);
    for (let j = 0; j < row; j += 64) touched += load<u8>(s + <usize>j);
  }
  return touched;
}
