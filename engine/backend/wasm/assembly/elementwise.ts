// @ts-nocheck: AssemblyScript (compiled by scripts/build-wasm.mjs); the engine's tsc config cannot type its builtins.
/**
 * The hot elementwise kernels of a training step, four lanes at a time: binary ops in their three cheap layouts
 * (same shape, scalar operand, a row vector broadcast over rows: the bias add), relu and its gradient, column
 * sums (the bias gradient) and softmax / log-softmax over the last dim. Everything else stays on the CPU kernels.
 */

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;

// @ts-ignore: decorator
@inline
function apply4(op: i32, x: v128, y: v128): v128 {
  if (op == OP_ADD) return f32x4.add(x, y);
  if (op == OP_SUB) return f32x4.sub(x, y);
  if (op == OP_MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

// @ts-ignore: decorator
@inline
function apply1(op: i32, x: f32, y: f32): f32 {
  if (op == OP_ADD) return x + y;
  if (op == OP_SUB) return x - y;
  if (op == OP_MUL) return x * y;
  return x / y;
}

/**
 * out[r, c] = a[r·sar + c·sac] ∘ b[r·sbr + c·sbc] for an rows × cols output, where each operand's strides are
 * either (cols, 1) (full), (0, 1) (a row vector broadcast over rows) or (0, 0) (a scalar).
 * Same-shape operands are one row of rows·cols.
 */
export function binary(op: i32, a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const pa = aMode == 0 ? a + (<usize>(r * cols) << 2) : a;
    const pb = bMode == 0 ? b + (<usize>(r * cols) << 2) : b;
    const po = out + (<usize>(r * cols) << 2);
    let c = 0;
    if (aMode == 2) {
      const x = v128.load32_splat(pa);
      for (; c + 4 <= cols; c += 4) {
        const q = <usize>c << 2;
        v128.store(po + q, apply4(op, x, v128.load(pb + q)));
      }
    } else if (bMode == 2) {
      const y = v128.load32_splat(pb);
      for (; c + 4 <= cols; c += 4) {
        const q = <usize>c << 2;
        v128.store(po + q, apply4(op, v128.load(pa + q), y));
      }
    } else {
      for (; c + 4 <= cols; c += 4) {
        const q = <usize>c << 2;
        v128.store(po + q, apply4(op, v128.load(pa + q), v128.load(pb + q)));
      }
    }
    for (; c < cols; c++) {
      const x = load<f32>(pa + (aMode == 2 ? 0 : <usize>c << 2));
      const y = load<f32>(pb + (bMode == 2 ? 0 : <usize>c << 2));
      store<f32>(po + (<usize>c << 2), apply1(op, x, y));
    }
  }
}

/** y = x <= 0 ? 0 : x (NaN passes through, as the CPU kernel: pmax would drop it). */
export function relu(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = <usize>i << 2;
    const v = v128.load(x + q);
    // keep v where !(v <= 0): that is v > 0 or NaN
    v128.store(y + q, v128.andnot(v, f32x4.le(v, zero)));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v <= 0 ? 0 : v);
  }
}

/** dx = x > 0 ? dy : 0. */
export function reluGrad(x: usize, dy: usize, dx: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = <usize>i << 2;
    v128.store(dx + q, v128.and(v128.load(dy + q), f32x4.gt(v128.load(x + q), zero)));
  }
  for (; i < n; i++) {
    const q = <usize>i << 2;
    store<f32>(dx + q, load<f32>(x + q) > 0 ? load<f32>(dy + q) : 0);
  }
}

/** out[c] = Σ_r x[r, c] (x [rows, cols]): the gradient of a bias broadcast over rows. */
export function sumRows(x: usize, out: usize, rows: i32, cols: i32): void {
  memory.fill(out, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>(r * cols) << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const q = <usize>c << 2;
      v128.store(out + q, f32x4.add(v128.load(out + q), v128.load(src + q)));
    }
    for (; c < cols; c++) {
      const q = <usize>c << 2;
      store<f32>(out + q, load<f32>(out + q) + load<f32>(src + q));
    }
  }
}

/** Softmax (log = false) or log-softmax (log = true) of each row of x [rows, cols], stabilised by the row max. */
export function softmaxRows(x: usize, y: usize, rows: i32, cols: i32, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>(r * cols) << 2);
    const py = y + (<usize>(r * cols) << 2);
    let m: f32 = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = load<f32>(px + (<usize>c << 2));
      if (v > m || v != v) m = v;
    }
    if (m == -Infinity) m = 0;
    // Sum in f64, as the CPU reference does (its sums are JS numbers).
    let s: f64 = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(<f64>load<f32>(px + (<usize>c << 2)) - <f64>m);
    if (log) {
      const lse = <f64>m + Math.log(s);
      for (let c = 0; c < cols; c++) store<f32>(py + (<usize>c << 2), <f32>(<f64>load<f32>(px + (<usize>c << 2)) - lse));
    } else {
      for (let c = 0; c < cols; c++) {
        store<f32>(py + (<usize>c << 2), <f32>(Math.exp(<f64>load<f32>(px + (<usize>c << 2)) - <f64>m) / s));
      }
    }
  }
}

/** out[r] = Σ_c x[r, c] (x [rows, cols]): a conv bias gradient, over one channel's row of dy'. */
export function rowSums(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>(r * cols) << 2);
    let acc = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) acc = f32x4.add(acc, v128.load(src + (<usize>c << 2)));
    let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; c < cols; c++) s += load<f32>(src + (<usize>c << 2));
    store<f32>(out + (<usize>r << 2), s);
  }
}

/**
 * relu / reluGrad over elements i0..i1 only, their pointers in a parameter block ([x, y] / [x, dy, dx]): threads
 * share a large activation in ranges (elementwise: the same bits however it is split). i0 is a multiple of 4.
 */
export function reluRange(pb: usize, i0: i32, i1: i32, chunk: i32, thread: i32): void {
  const o = <usize>i0 << 2;
  relu(<usize>load<i32>(pb) + o, <usize>load<i32>(pb, 4) + o, i1 - i0);
}

export function reluGradRange(pb: usize, i0: i32, i1: i32, chunk: i32, thread: i32): void {
  const o = <usize>i0 << 2;
  reluGrad(<usize>load<i32>(pb) + o, <usize>load<i32>(pb, 4) + o, <usize>load<i32>(pb, 8) + o, i1 - i0);
}

/**
 * The max of each row of x [rows, cols] and its first index, NaN winning as in the CPU kernel (cpu/reduce.ts
 * maxDim): argmax over a resident Linear output (a step's accuracy) without downloading it.
 */
export function maxRows(x: usize, values: usize, indices: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>(r * cols) << 2);
    let best = load<f32>(px);
    let bestIndex = 0;
    for (let c = 1; c < cols; c++) {
      const v = load<f32>(px + (<usize>c << 2));
      if (best == best && (v > best || v != v)) {
        best = v;
        bestIndex = c;
      }
    }
    store<f32>(values + (<usize>r << 2), best);
    store<i32>(indices + (<usize>r << 2), bestIndex);
  }
}
