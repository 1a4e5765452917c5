// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Adam's per-parameter update (torch.optim.Adam without amsgrad), four lanes at a time, in place:
 *   g = grad + l2·param
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²
 *   param −= stepSize · m / (√v / √bc2 + eps),   stepSize = lr / bc1
 * The JS loop (engine/optim/adam.ts) runs at ~8 ns per parameter (float64 sqrt and division per element);
 * this runs at well under 1 ns.
 */
/**
 * Subnormal moments become zero. On real MNIST the weights of pixels that are almost always 0 get a gradient
 * now and then, and their first moment decays by β1 each step into the subnormal range within an epoch; x86
 * handles subnormal operands in microcode, ~100× slower, and this loop became 14% of the MLP's epoch. Wasm has
 * no flush-to-zero mode, so the check is on the bits (an integer compare, itself free of that penalty). The
 * update is unchanged: a subnormal m moves a parameter by < 1e-30, far below its float32 spacing, and a
 * subnormal v is far below eps in the denominator.
 */
// @ts-ignore: decorator
@inline
function flushSubnormals(x: v128): v128 {
  const magnitude = v128.and(x, i32x4.splat(0x7fffffff));
  return v128.andnot(x, i32x4.lt_s(magnitude, i32x4.splat(0x00800000)));
}

export function adam(
  p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f32, beta2: f32, eps: f32, l2: f32, stepSize: f32, bc2Sqrt: f32,
): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const e = f32x4.splat(eps), wd = f32x4.splat(l2), s = f32x4.splat(stepSize), inv = f32x4.splat(1 / bc2Sqrt);
  let i = 0;
  // A do-while, not a for loop: V8's optimizing compiler moves the splats above (and the 1 / bc2Sqrt division)
  // out of a loop only when the loop's body dominates its exit. With the test at the top, they were computed again
  // in every iteration: eight broadcasts, two constants built from immediates and a scalar division, which shares
  // the divider with the sqrt and the division that bound this loop. The same bits, 0.87 → 0.66 ns per parameter
  // (a loop of only the sqrt and the division runs at 0.57).
  if (n >= 4) {
    do {
      const o = <usize>i << 2;
      const pv = v128.load(p + o);
      const gv = f32x4.add(v128.load(g + o), f32x4.mul(wd, pv));
      const mv = flushSubnormals(f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, gv)));
      const vv = flushSubnormals(f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(gv, gv))));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vv), inv), e);
      v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(s, mv), denom)));
      i += 4;
    } while (i + 4 <= n);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const gv = load<f32>(g + o) + l2 * pv;
    let mv = beta1 * load<f32>(m + o) + (1 - beta1) * gv;
    let vv = beta2 * load<f32>(v + o) + (1 - beta2) * gv * gv;
    if (abs(mv) < 1.17549435e-38) mv = 0;
    if (vv < 1.17549435e-38) vv = 0;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, pv - (stepSize * mv) / (Mathf.sqrt(vv) / bc2Sqrt + eps));
  }
}

// The parameter block of `adamRange` (i32 pointers and count, then f32 hyper-parameters), in 4-byte slots.
const A_P = 0, A_G = 1, A_M = 2, A_V = 3, A_BETA1 = 4, A_BETA2 = 5, A_EPS = 6, A_L2 = 7, A_STEP = 8, A_BC2 = 9;

/**
 * `adam` over elements i0..i1 only, its arguments in a parameter block: threads share a large parameter's update
 * in ranges (elementwise, so the result does not depend on the split). i0 is a multiple of 4.
 */
export function adamRange(pb: usize, i0: i32, i1: i32, chunk: i32, thread: i32): void {
  const o = <usize>i0 << 2;
  adam(
    <usize>load<i32>(pb + (A_P << 2)) + o, <usize>load<i32>(pb + (A_G << 2)) + o, <usize>load<i32>(pb + (A_M << 2)) + o,
    <usize>load<i32>(pb + (A_V << 2)) + o, i1 - i0, load<f32>(pb + (A_BETA1 << 2)), load<f32>(pb + (A_BETA2 << 2)),
    load<f32>(pb + (A_EPS << 2)), load<f32>(pb + (A_L2 << 2)), load<f32>(pb + (A_STEP << 2)), load<f32>(pb + (A_BC2 << 2)),
  );
}
