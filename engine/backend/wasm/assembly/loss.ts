// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Softmax cross-entropy over class indices, row by row: the CPU reference's passes (engine/backend/cpu/loss.ts) in
 * its f64 arithmetic, on float32 logits read where they lie (a Linear layer's output, left resident), so a step's
 * logits and their gradient never leave wasm memory. Mnist_Logistic's [64, 10] loss took ~30 µs a step in JS,
 * most of it in Math.exp.
 *
 *   lse_i  = m + log Σ_c exp(x_ic − m),  m = max_c x_ic  (NaN wins, an all −inf row takes m = 0)
 *   loss_i = lse_i − x_i,t_i                              (0 where t_i is ignoreIndex)
 *   dx_ic  = s_i · (exp(x_ic − lse_i) − [c = t_i])       (0 on an ignored row)
 */

export function crossEntropyRows(
  x: usize, targets: usize, rows: i32, classes: i32, ignoreIndex: i32, losses: usize, lse: usize,
): void {
  for (let i = 0; i < rows; i++) {
    const px = x + (<usize>(i * classes) << 2);
    let m: f64 = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = <f64>load<f32>(px + (<usize>c << 2));
      if (v > m || v != v) m = v;
    }
    if (m == -Infinity) m = 0;
    let s: f64 = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(<f64>load<f32>(px + (<usize>c << 2)) - m);
    const l = m + Math.log(s);
    store<f64>(lse + (<usize>i << 3), l);
    const t = load<i32>(targets + (<usize>i << 2));
    store<f64>(losses + (<usize>i << 3), t == ignoreIndex ? 0 : l - <f64>load<f32>(px + (<usize>t << 2)));
  }
}

/** dx for upstream shares `scale` (f64, one per row), from the forward's `lse`. */
export function crossEntropyRowsBackward(
  x: usize, targets: usize, rows: i32, classes: i32, ignoreIndex: i32, lse: usize, scale: usize, dx: usize,
): void {
  for (let i = 0; i < rows; i++) {
    const px = x + (<usize>(i * classes) << 2);
    const pd = dx + (<usize>(i * classes) << 2);
    const t = load<i32>(targets + (<usize>i << 2));
    if (t == ignoreIndex) {
      memory.fill(pd, 0, <usize>classes << 2);
      continue;
    }
    const s = load<f64>(scale + (<usize>i << 3));
    const l = load<f64>(lse + (<usize>i << 3));
    for (let c = 0; c < classes; c++) {
      store<f32>(pd + (<usize>c << 2), <f32>(s * Math.exp(<f64>load<f32>(px + (<usize>c << 2)) - l)));
    }
    const at = pd + (<usize>t << 2);
    store<f32>(at, <f32>(<f64>load<f32>(at) - s));
  }
}
