// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * SGD's per-parameter update (torch.optim.SGD), four lanes at a time, in place, in float32 as torch computes it
 * (the CPU reference, engine/backend/cpu/optim.ts sgdStep, computes in f64 and rounds once):
 *   g = ±grad + weightDecay·θ
 *   b = g on the first step, else momentum·b + (1 − dampening)·g       (only with momentum: b ≠ 0)
 *   g = g + momentum·b if nesterov, else b
 *   θ −= lr·g
 * The flags are the same for every element; the branches on them are taken the same way every time.
 */
export function sgd(
  p: usize, g: usize, b: usize, n: i32, lr: f32, momentum: f32, dampening: f32, weightDecay: f32,
  nesterov: bool, maximize: bool, first: bool,
): void {
  const sign = f32x4.splat(maximize ? -1 : 1), wd = f32x4.splat(weightDecay), rate = f32x4.splat(lr);
  const mom = f32x4.splat(momentum), keep = f32x4.splat(1 - dampening);
  let i = 0;
  if (weightDecay == 0 && b == 0) {
    // Plain SGD (Mnist_Logistic's): the loop below with its tests on the flags taken out, ~2× faster.
    const step = f32x4.mul(sign, rate);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(step, v128.load(g + o))));
    }
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = f32x4.mul(sign, v128.load(g + o));
    if (weightDecay != 0) gv = f32x4.add(gv, f32x4.mul(wd, pv));
    if (b != 0) {
      const bv = first ? gv : f32x4.add(f32x4.mul(mom, v128.load(b + o)), f32x4.mul(keep, gv));
      v128.store(b + o, bv);
      gv = nesterov ? f32x4.add(gv, f32x4.mul(mom, bv)) : bv;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(rate, gv)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let gv = maximize ? -load<f32>(g + o) : load<f32>(g + o);
    if (weightDecay != 0) gv += weightDecay * pv;
    if (b != 0) {
      const bv: f32 = first ? gv : momentum * load<f32>(b + o) + (1 - dampening) * gv;
      store<f32>(b + o, bv);
      gv = nesterov ? gv + momentum * bv : bv;
    }
    store<f32>(p + o, pv - lr * gv);
  }
}
