// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * Softmax cross-entropy over class indices (engine/backend/cpu/loss.ts is the reference), on float32 logits read
 * where they lie (a Linear layer's output, left resident), so a step's logits and their gradient never leave wasm
 * memory:
 *
 *   lse_i  = m + log Σ_c exp(x_ic − m),  m = max_c x_ic  (NaN wins, an all −inf row takes m = 0)
 *   loss_i = lse_i − x_i,t_i                              (0 where t_i is ignoreIndex)
 *   dx_ic  = s_i · (exp(x_ic − lse_i) − [c = t_i])       (0 on an ignored row)
 *
 * Four rows at a time, one per lane: a row has few classes (10 on MNIST), so lanes along the classes would sit
 * mostly empty. The exponentials are float32 (exp4), as torch computes them; the log, the loss and the target's
 * −s are f64 as in the reference. On Mnist_Logistic's [64, 10] logits (thread CPU per call, load ~11): the JS
 * reference 8.1 µs forward and 7.1 back, the reference's f64 passes here (Math.exp) 5.5 and 5.2, these 2.7 and
 * 2.0 (3.8 and 3.7 with the kernels' copies in and out).
 */

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two, so that x − n·ln 2 loses nothing (Cephes expf).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/** Below this, exp(x) is subnormal or 0 in float32; taken as 0. */
const EXP_MIN: f32 = -87.33654;
/** Above this, exp(x) overflows 2^127·2; every caller here passes x ≤ ~0. */
const EXP_MAX: f32 = 88.0;

/**
 * exp of four floats (Cephes expf: x = n·ln 2 + r with |r| ≤ ln 2 / 2, exp(r) by a degree-6 polynomial, 2^n
 * through the exponent bits), within ~2 ulp; NaN stays NaN (min, max and the product carry it), −inf gives 0.
 */
// @ts-ignore: decorator
@inline
function exp4(x: v128): v128 {
  const underflow = f32x4.lt(x, f32x4.splat(EXP_MIN));
  x = f32x4.max(f32x4.min(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(y, scale), underflow);
}

/** Element c of four rows whose starts are p0..p3. */
// @ts-ignore: decorator
@inline
function column(p0: usize, p1: usize, p2: usize, p3: usize, c: i32): v128 {
  const o = <usize>c << 2;
  let v = f32x4.splat(load<f32>(p0 + o));
  v = f32x4.replace_lane(v, 1, load<f32>(p1 + o));
  v = f32x4.replace_lane(v, 2, load<f32>(p2 + o));
  return f32x4.replace_lane(v, 3, load<f32>(p3 + o));
}

/** The start of row i + lane, or of the last row past the end (a lane computed and dropped). */
// @ts-ignore: decorator
@inline
function rowStart(x: usize, i: i32, lane: i32, rows: i32, classes: i32): usize {
  return x + (<usize>(min(i + lane, rows - 1) * classes) << 2);
}

export function crossEntropyRows(
  x: usize, targets: usize, rows: i32, classes: i32, ignoreIndex: i32, losses: usize, lse: usize,
): void {
  for (let i = 0; i < rows; i += 4) {
    const p0 = rowStart(x, i, 0, rows, classes), p1 = rowStart(x, i, 1, rows, classes);
    const p2 = rowStart(x, i, 2, rows, classes), p3 = rowStart(x, i, 3, rows, classes);
    let m = f32x4.splat(-Infinity);
    for (let c = 0; c < classes; c++) m = f32x4.max(m, column(p0, p1, p2, p3, c));
    m = v128.andnot(m, f32x4.eq(m, f32x4.splat(-Infinity)));
    let s = f32x4.splat(0);
    for (let c = 0; c < classes; c++) s = f32x4.add(s, exp4(f32x4.sub(column(p0, p1, p2, p3, c), m)));
    const last = min(4, rows - i);
    for (let j = 0; j < last; j++) {
      const row = i + j;
      const px = x + (<usize>(row * classes) << 2);
      const l = <f64>laneOf(m, j) + Math.log(<f64>laneOf(s, j));
      store<f64>(lse + (<usize>row << 3), l);
      const t = load<i32>(targets + (<usize>row << 2));
      store<f64>(losses + (<usize>row << 3), t == ignoreIndex ? 0 : l - <f64>load<f32>(px + (<usize>t << 2)));
    }
  }
}

/** dx for upstream shares `scale` (f64, one per row), from the forward's `lse`. */
export function crossEntropyRowsBackward(
  x: usize, targets: usize, rows: i32, classes: i32, ignoreIndex: i32, lse: usize, scale: usize, dx: usize,
): void {
  for (let i = 0; i < rows; i += 4) {
    const p0 = rowStart(x, i, 0, rows, classes), p1 = rowStart(x, i, 1, rows, classes);
    const p2 = rowStart(x, i, 2, rows, classes), p3 = rowStart(x, i, 3, rows, classes);
    const l = fourRows(lse, i, rows), s = fourRows(scale, i, rows);
    const last = min(4, rows - i);
    for (let c = 0; c < classes; c++) {
      const d = f32x4.mul(s, exp4(f32x4.sub(column(p0, p1, p2, p3, c), l)));
      const at = dx + (<usize>(i * classes + c) << 2), rowBytes = <usize>classes << 2;
      if (last == 4) {
        store<f32>(at, f32x4.extract_lane(d, 0));
        store<f32>(at + rowBytes, f32x4.extract_lane(d, 1));
        store<f32>(at + 2 * rowBytes, f32x4.extract_lane(d, 2));
        store<f32>(at + 3 * rowBytes, f32x4.extract_lane(d, 3));
      } else {
        for (let j = 0; j < last; j++) store<f32>(at + <usize>j * rowBytes, laneOf(d, j));
      }
    }
    for (let j = 0; j < last; j++) {
      const row = i + j;
      const pd = dx + (<usize>(row * classes) << 2);
      const t = load<i32>(targets + (<usize>row << 2));
      if (t == ignoreIndex) {
        memory.fill(pd, 0, <usize>classes << 2);
        continue;
      }
      const at = pd + (<usize>t << 2);
      store<f32>(at, <f32>(<f64>load<f32>(at) - load<f64>(scale + (<usize>row << 3))));
    }
  }
}

/** f64 values i..i+3 (the last repeated past `rows`) as four floats. */
// @ts-ignore: decorator
@inline
function fourRows(values: usize, i: i32, rows: i32): v128 {
  let v = f32x4.splat(rowValue(values, i, rows));
  v = f32x4.replace_lane(v, 1, rowValue(values, i + 1, rows));
  v = f32x4.replace_lane(v, 2, rowValue(values, i + 2, rows));
  return f32x4.replace_lane(v, 3, rowValue(values, i + 3, rows));
}

// @ts-ignore: decorator
@inline
function rowValue(values: usize, row: i32, rows: i32): f32 {
  return <f32>load<f64>(values + (<usize>min(row, rows - 1) << 3));
}

/** Lane j (0..3) of v, j not a constant. */
// @ts-ignore: decorator
@inline
function laneOf(v: v128, j: i32): f32 {
  return j == 0 ? f32x4.extract_lane(v, 0) : j == 1 ? f32x4.extract_lane(v, 1) : j == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}
