// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/** Small helpers every kernel file shares: reading argument blocks, aligning scratch, the multiply-add. */

/** The i-th i32 of a block the TS side wrote (a geometry or parameter block). */
// @ts-ignore: decorator
@inline
export function field(block: usize, i: i32): i32 {
  return load<i32>(block + (<usize>i << 2));
}

/** bytes rounded up to a whole 64-byte line, so that scratch regions of different threads never share one. */
// @ts-ignore: decorator
@inline
export function aligned(bytes: i32): i32 {
  return (bytes + 63) & ~63;
}

/**
 * c + a·b: one fused multiply-add where the build has relaxed SIMD (rounding once, and about twice the
 * throughput), a multiply and an add otherwise. ASC_FEATURE_RELAXED_SIMD is a compile-time constant.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
