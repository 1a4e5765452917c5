/**
 * gpu.js kernel sources, as strings so every build tool hands gpu.js the same text (a transpiled or minified
 * function would reach its parser in a different shape). Each kernel computes ONE output element, indexed by
 * `this.thread.x` over a flat output, and reads flat float32 inputs.
 *
 * Integer maths runs in float on the GL backends, so every index division is written `Math.floor((i + 0.5) / d)`:
 * the half keeps 9/3 from landing on 2.9999 on GPUs with inexact division. Loop bounds are kernel arguments;
 * gpu.js caps them at `loopMaxIterations` (LOOP_MAX in ./runner.ts). Every loop in a kernel needs its own variable
 * name: gpu.js's WGSL translation hoists loop variables, and two loops over `p` fail to compile on WebGPU.
 */

/** op(A)·op(B) for a batch: thread i = (batch entry, row, col); aOff/bOff hold each entry's matrix offset. */
export function matmulSource(transA: boolean, transB: boolean): string {
  const aIndex = transA ? 'ao + p * m + row' : 'ao + row * k + p';
  const bIndex = transB ? 'bo + col * k + p' : 'bo + p * n + col';
  return `function (a, b, aOff, bOff, m, n, k) {
  const i = this.thread.x;
  const mn = m * n;
  const bi = Math.floor((i + 0.5) / mn);
  const r = i - bi * mn;
  const row = Math.floor((r + 0.5) / n);
  const col = r - row * n;
  const ao = aOff[bi];
  const bo = bOff[bi];
  let s = 0;
  for (let p = 0; p < k; p++) {
    s += a[${aIndex}] * b[${bIndex}];
  }
  return s;
}`;
}

/**
 * A broadcasting binary op. Each operand's element for output i is  floor(i / div) mod len  (see operandLayout in
 * ./kernels.ts): a full operand has div 1 and len n, a scalar len 1, a bias [C] against [N, C] div 1 and len C,
 * a per-channel [C, 1, 1] against [N, C, H, W] div H·W and len C.
 */
export function binarySource(expr: string): string {
  return `function (a, b, aDiv, aLen, bDiv, bLen) {
  const i = this.thread.x;
  const qa = Math.floor((i + 0.5) / aDiv);
  const qb = Math.floor((i + 0.5) / bDiv);
  const va = a[qa - Math.floor((qa + 0.5) / aLen) * aLen];
  const vb = b[qb - Math.floor((qb + 0.5) / bLen) * bLen];
  return ${expr};
}`;
}

/** y = f(x) elementwise; `p` and `q` are the op's scalar parameters (slope, ...). */
export function unarySource(expr: string): string {
  return `function (x, p, q) {
  const v = x[this.thread.x];
  return ${expr};
}`;
}

/** dx = f'(x, y) · dy elementwise. */
export function unaryGradSource(expr: string): string {
  return `function (x, y, dy, p) {
  const i = this.thread.x;
  const v = x[i];
  const w = y[i];
  const g = dy[i];
  return ${expr};
}`;
}

/** Sum over the middle axis of x viewed as [outer, len, inner]; thread i = (o, r) of the [outer, inner] output. */
export const sumSource = `function (x, len, inner) {
  const i = this.thread.x;
  const o = Math.floor((i + 0.5) / inner);
  const r = i - o * inner;
  const base = o * len * inner + r;
  let s = 0;
  for (let p = 0; p < len; p++) {
    s += x[base + p * inner];
  }
  return s;
}`;

/** Softmax (log = 0) or log-softmax (log = 1) over the middle axis of [outer, len, inner], stably (max first). */
export const softmaxSource = `function (x, len, inner, log) {
  const i = this.thread.x;
  const o = Math.floor((i + 0.5) / (len * inner));
  const rest = i - o * len * inner;
  const k = Math.floor((rest + 0.5) / inner);
  const r = rest - k * inner;
  const base = o * len * inner + r;
  let m = -3.4e38;
  for (let p = 0; p < len; p++) {
    m = Math.max(m, x[base + p * inner]);
  }
  let s = 0;
  for (let q = 0; q < len; q++) {
    s += Math.exp(x[base + q * inner] - m);
  }
  const v = x[base + k * inner] - m;
  if (log > 0) {
    return v - Math.log(s);
  }
  return Math.exp(v) / s;
}`;

/**
 * Convolution geometry, packed as one argument (gpu.js caps the number of kernel arguments on some backends):
 *  0 N, 1 C, 2 H, 3 W, 4 O, 5 KH, 6 KW, 7 OH, 8 OW, 9 strideH, 10 strideW, 11 padTop, 12 padLeft,
 *  13 dilationH, 14 dilationW, 15 groupIn, 16 groupOut.
 */
export const CONV_GEOMETRY_LENGTH = 17;

/** Forward: thread i = (n, o, oy, ox); a direct sum over the group's input channels and the kernel window. */
export const convForwardSource = `function (x, w, bias, geo, hasBias) {
  const C = geo[1]; const H = geo[2]; const W = geo[3]; const O = geo[4];
  const KH = geo[5]; const KW = geo[6]; const OH = geo[7]; const OW = geo[8];
  const gin = geo[15]; const gout = geo[16];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / OW);
  const ox = i - t1 * OW;
  const t2 = Math.floor((t1 + 0.5) / OH);
  const oy = t1 - t2 * OH;
  const n = Math.floor((t2 + 0.5) / O);
  const o = t2 - n * O;
  const g = Math.floor((o + 0.5) / gout);
  let s = 0;
  if (hasBias > 0) {
    s = bias[o];
  }
  for (let c = 0; c < gin; c++) {
    for (let ki = 0; ki < KH; ki++) {
      const iy = oy * geo[9] - geo[11] + ki * geo[13];
      if (iy >= 0 && iy < H) {
        for (let kj = 0; kj < KW; kj++) {
          const ix = ox * geo[10] - geo[12] + kj * geo[14];
          if (ix >= 0 && ix < W) {
            s += x[((n * C + g * gin + c) * H + iy) * W + ix] * w[((o * gin + c) * KH + ki) * KW + kj];
          }
        }
      }
    }
  }
  return s;
}`;

/**
 * dW over a run of images: thread i = (chunk, o, c, ki, kj) sums dy · x over the images chunk·per … chunk·per + per
 * (fewer in the last chunk) and every output position. With one chunk of the whole batch it is dW; split (a GPU
 * wants many short threads, not a few long ones), sumChunksSource then adds the chunks per weight. One chunk would
 * leave LeNet's first convolution at batch 64 with 150 threads of 50,176 terms each.
 */
export const convWeightGradSource = `function (dy, x, geo, per) {
  const N = geo[0]; const C = geo[1]; const H = geo[2]; const W = geo[3]; const O = geo[4];
  const KH = geo[5]; const KW = geo[6]; const OH = geo[7]; const OW = geo[8];
  const gin = geo[15]; const gout = geo[16];
  const wLen = O * gin * KH * KW;
  const i = this.thread.x;
  const chunk = Math.floor((i + 0.5) / wLen);
  const wi = i - chunk * wLen;
  const t1 = Math.floor((wi + 0.5) / KW);
  const kj = wi - t1 * KW;
  const t2 = Math.floor((t1 + 0.5) / KH);
  const ki = t1 - t2 * KH;
  const o = Math.floor((t2 + 0.5) / gin);
  const c = t2 - o * gin;
  const g = Math.floor((o + 0.5) / gout);
  let s = 0;
  for (let j = 0; j < per; j++) {
    const n = chunk * per + j;
    if (n < N) {
      for (let oy = 0; oy < OH; oy++) {
        const iy = oy * geo[9] - geo[11] + ki * geo[13];
        if (iy >= 0 && iy < H) {
          for (let ox = 0; ox < OW; ox++) {
            const ix = ox * geo[10] - geo[12] + kj * geo[14];
            if (ix >= 0 && ix < W) {
              s += dy[((n * O + o) * OH + oy) * OW + ox] * x[((n * C + g * gin + c) * H + iy) * W + ix];
            }
          }
        }
      }
    }
  }
  return s;
}`;

/**
 * dX: thread i = (n, ch, iy, ix); gathers every (o, ki, kj) whose window covers this pixel: the output position
 * oy = (iy + padTop - ki·dilationH) / strideH must be a whole number inside [0, OH) (likewise ox).
 */
export const convInputGradSource = `function (dy, w, geo) {
  const C = geo[1]; const H = geo[2]; const W = geo[3]; const O = geo[4];
  const KH = geo[5]; const KW = geo[6]; const OH = geo[7]; const OW = geo[8];
  const sh = geo[9]; const sw = geo[10];
  const gin = geo[15]; const gout = geo[16];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / W);
  const ix = i - t1 * W;
  const t2 = Math.floor((t1 + 0.5) / H);
  const iy = t1 - t2 * H;
  const n = Math.floor((t2 + 0.5) / C);
  const ch = t2 - n * C;
  const g = Math.floor((ch + 0.5) / gin);
  const c = ch - g * gin;
  let s = 0;
  for (let q = 0; q < gout; q++) {
    const o = g * gout + q;
    for (let ki = 0; ki < KH; ki++) {
      const ty = iy + geo[11] - ki * geo[13];
      const oy = Math.floor((ty + 0.5) / sh);
      if (ty >= 0 && oy * sh === ty && oy < OH) {
        for (let kj = 0; kj < KW; kj++) {
          const tx = ix + geo[12] - kj * geo[14];
          const ox = Math.floor((tx + 0.5) / sw);
          if (tx >= 0 && ox * sw === tx && ox < OW) {
            s += dy[((n * O + o) * OH + oy) * OW + ox] * w[((o * gin + c) * KH + ki) * KW + kj];
          }
        }
      }
    }
  }
  return s;
}`;

/** dBias: thread o; sums dy over the batch and the output positions. */
/** The second half of a split sum: thread j adds partial[k·len + j] over the chunks k. */
export const sumChunksSource = `function (partial, chunks, len) {
  const j = this.thread.x;
  let s = 0;
  for (let k = 0; k < chunks; k++) {
    s += partial[k * len + j];
  }
  return s;
}`;

/** dB over a run of images: thread i = (chunk, o) sums the chunk's images' P positions (see convWeightGradSource). */
export const convBiasGradSource = `function (dy, N, O, P, per) {
  const i = this.thread.x;
  const chunk = Math.floor((i + 0.5) / O);
  const o = i - chunk * O;
  let s = 0;
  for (let j = 0; j < per; j++) {
    const n = chunk * per + j;
    if (n < N) {
      for (let p = 0; p < P; p++) {
        s += dy[(n * O + o) * P + p];
      }
    }
  }
  return s;
}`;

/**
 * One output of the Adam/AdamW update (engine/backend/cpu/optim.ts adamStep), all three from the OLD values, so the
 * three launches can run in any order: which 0 → the new first moment m, 1 → the new second moment v, 2 → the new
 * parameter. `keep` is AdamW's decoupled decay factor, `wd` Adam's L2 penalty.
 */
export const adamSource = `function (param, grad, m, v, which, beta1, beta2, eps, wd, keep, stepSize, bc2Sqrt) {
  const i = this.thread.x;
  const p = param[i] * keep;
  const g = grad[i] + wd * p;
  const m1 = beta1 * m[i] + (1 - beta1) * g;
  if (which < 0.5) {
    return m1;
  }
  const v1 = beta2 * v[i] + (1 - beta2) * g * g;
  if (which < 1.5) {
    return v1;
  }
  return p - (stepSize * m1) / (Math.sqrt(v1) / bc2Sqrt + eps);
}`;

/**
 * One output of the SGD update (engine/backend/cpu/optim.ts sgdStep), both from the OLD values: which 0 → the new
 * momentum buffer, 1 → the new parameter. `sign` is −1 when maximizing; `first` starts the buffer at the gradient.
 */
export const sgdSource = `function (param, grad, buf, which, lr, momentum, dampening, wd, nesterov, sign, first) {
  const i = this.thread.x;
  const p = param[i];
  const g = sign * grad[i] + wd * p;
  let b = g;
  if (momentum > 0) {
    if (first < 0.5) {
      b = momentum * buf[i] + (1 - dampening) * g;
    }
  }
  if (which < 0.5) {
    return b;
  }
  let d = b;
  if (nesterov > 0.5) {
    d = g + momentum * b;
  }
  return p - lr * d;
}`;

/**
 * One output of the Adadelta update (engine/backend/cpu/optim.ts adadeltaStep), all three from the OLD values:
 * which 0 → the new square_avg v, 1 → the new acc_delta u, 2 → the new parameter. Δ needs the new v and the old u,
 * so the last two launches each recompute v and Δ rather than read what another launch writes.
 */
export const adadeltaSource = `function (param, grad, v, u, which, lr, rho, eps, wd) {
  const i = this.thread.x;
  const p = param[i];
  const g = grad[i] + wd * p;
  const v1 = rho * v[i] + (1 - rho) * g * g;
  if (which < 0.5) {
    return v1;
  }
  const u0 = u[i];
  const d = (Math.sqrt(u0 + eps) / Math.sqrt(v1 + eps)) * g;
  if (which < 1.5) {
    return rho * u0 + (1 - rho) * d * d;
  }
  return p - lr * d;
}`;

/**
 * A row's max m and z = Σ_c exp(x_c − m), for both halves of the fused cross-entropy (x, classes, base and negInf in
 * scope; its loops use a and b, which WGSL then hoists, so the kernel must not). The max is taken as the CPU kernel
 * does: a NaN wins, and an all −∞ row takes m = 0.
 */
const ROW_SHIFTED_SUM = `
  let m = negInf;
  for (let a = 0; a < classes; a++) {
    const v = x[base + a];
    if (v > m || v !== v) {
      m = v;
    }
  }
  if (m === negInf) {
    m = 0;
  }
  let z = 0;
  for (let b = 0; b < classes; b++) {
    z += Math.exp(x[base + b] - m);
  }`;

/**
 * The fused softmax cross-entropy (engine/backend/cpu/loss.ts), one row per thread: which 0 → the row's
 * log Σ_c exp(x_c) (the backward's input), which 1 → its loss, 0 where the target is ignoreIndex. The loss is
 * (m − x_t) + log Σ exp(x − m), not lse − x_t, so a confident row's small loss survives float32's cancellation.
 * The max is taken as the CPU kernel does (a NaN wins, an all −∞ row takes m = 0); −∞ comes in as `negInf`, since
 * WGSL spells an Infinity literal as the largest float.
 */
export const crossEntropySource = `function (x, targets, classes, ignoreIndex, which, negInf) {
  const row = this.thread.x;
  const base = row * classes;${ROW_SHIFTED_SUM}
  if (which < 0.5) {
    return m + Math.log(z);
  }
  const t = targets[row];
  if (t === ignoreIndex) {
    return 0;
  }
  return (m - x[base + t]) + Math.log(z);
}`;

/**
 * dlogits: thread i = (row, c); scale[row]·(softmax − onehot), 0 on an ignored row (one launch, no scatter). The
 * softmax is renormalised here, exp(x − m) / Σ exp(x − m), rather than exp(x − lse) with the forward's lse: with the
 * same (approximate) exp above and below, each row's gradient sums to 0. A GPU's exp may be off by a few ulps
 * (WGSL allows it; SwiftShader's is), and exp(x − lse) then leaves a bias that SGD accumulates: MNIST logistic
 * regression on WebGPU drifted off torch's weight sum after an epoch that way. `lse` stays in the signature.
 */
/**
 * `target = value mod m` for integers below 2^24, exactly in float32: the quotient may round across an integer
 * (float32 division is not exact), so the remainder is brought back into [0, m) once either way.
 */
function exactMod(target: string, value: string, m: number): string {
  return `${target} = ${value} - Math.floor(${value} / ${m}) * ${m};
    if (${target} < 0) {
      ${target} = ${target} + ${m};
    }
    if (${target} >= ${m}) {
      ${target} = ${target} - ${m};
    }`;
}

/**
 * The dropout mask (engine/backend/cpu/dropout.ts says the hash): every value is an integer below 2^24, so float32
 * gives the CPU's mask bit for bit. A quotient may round across an integer (float32 division is not exact), so
 * each remainder is brought back into [0, m) once.
 */
export const dropoutMaskSource = `function (seedA, seedB, threshold, scale) {
  const i = this.thread.x;
  let hi = Math.floor(i / 4093);
  let lo = i - hi * 4093;
  if (lo < 0) {
    hi = hi - 1;
    lo = lo + 4093;
  }
  if (lo >= 4093) {
    hi = hi + 1;
    lo = lo - 4093;
  }
  let x = lo + seedA;
  if (x >= 4093) {
    x = x - 4093;
  }
  let y = hi + seedB;
  ${exactMod('y', 'y', 4091)}
  for (let r = 1; r <= 4; r++) {
    const tx = x * x + y + 17 * r;
    ${exactMod('x', 'tx', 4093)}
    const ty = y * y + x + 31 * r;
    ${exactMod('y', 'ty', 4091)}
  }
  if (x * 4091 + y < threshold) {
    return scale;
  }
  return 0;
}`;

/** NLL's per-row loss: −x[i, t_i], 0 on an ignored row (the CPU kernel's nllLoss). */
export const nllLossSource = `function (x, targets, classes, ignoreIndex) {
  const i = this.thread.x;
  const t = targets[i];
  if (t === ignoreIndex) {
    return 0;
  }
  return -x[i * classes + t];
}`;

/** NLL's dx: thread i = (row, c) is −scale[row] at the row's target, 0 elsewhere and on ignored rows. */
export const nllLossBackwardSource = `function (targets, scale, classes, ignoreIndex) {
  const i = this.thread.x;
  const row = Math.floor((i + 0.5) / classes);
  const c = i - row * classes;
  const t = targets[row];
  if (t === ignoreIndex) {
    return 0;
  }
  if (c === t) {
    return -scale[row];
  }
  return 0;
}`;

export const crossEntropyBackwardSource = `function (x, targets, scale, classes, ignoreIndex, negInf) {
  const i = this.thread.x;
  const row = Math.floor((i + 0.5) / classes);
  const c = i - row * classes;
  const t = targets[row];
  if (t === ignoreIndex) {
    return 0;
  }
  const base = row * classes;${ROW_SHIFTED_SUM}
  const s = scale[row];
  const p = s * (Math.exp(x[i] - m) / z);
  if (c === t) {
    return p - s;
  }
  return p;
}`;

/**
 * Max-pool geometry, packed as one argument: 0 H, 1 W, 2 OH, 3 OW, 4 KH, 5 KW, 6 strideH, 7 strideW, 8 padH,
 * 9 padW, 10 dilationH, 11 dilationW.
 */
export const POOL_GEOMETRY_LENGTH = 12;

/**
 * Max pool forward: thread i = (plane, oy, ox); which 0 → the max, which 1 → its index iy·W + ix in the plane (a
 * float, exact below 2^24), for the backward. As the CPU kernel: padding never wins, ties keep the first cell in
 * row-major order, a NaN wins, and an all −∞ window keeps its first cell inside the input.
 */
export const maxPoolSource = `function (x, geo, which, negInf) {
  const H = geo[0]; const W = geo[1]; const OH = geo[2]; const OW = geo[3];
  const KH = geo[4]; const KW = geo[5]; const dh = geo[10]; const dw = geo[11];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / OW);
  const ox = i - t1 * OW;
  const plane = Math.floor((t1 + 0.5) / OH);
  const oy = t1 - plane * OH;
  const sy = oy * geo[6] - geo[8];
  const sx = ox * geo[7] - geo[9];
  let y0 = sy;
  if (sy < 0) {
    y0 = sy + Math.floor((dh - 1 - sy + 0.5) / dh) * dh;
  }
  let x0 = sx;
  if (sx < 0) {
    x0 = sx + Math.floor((dw - 1 - sx + 0.5) / dw) * dw;
  }
  const base = plane * H * W;
  let best = negInf;
  let bestIndex = y0 * W + x0;
  for (let ki = 0; ki < KH; ki++) {
    const iy = sy + ki * dh;
    if (iy >= 0 && iy < H) {
      for (let kj = 0; kj < KW; kj++) {
        const ix = sx + kj * dw;
        if (ix >= 0 && ix < W) {
          const v = x[base + iy * W + ix];
          if (v > best || v !== v) {
            best = v;
            bestIndex = iy * W + ix;
          }
        }
      }
    }
  }
  if (which > 0.5) {
    return bestIndex;
  }
  return best;
}`;

/**
 * Max pool backward as a gather (gpu.js has no atomics): thread i = (plane, iy, ix) sums dy over the windows that
 * cover the cell and chose it (indices from the forward). The windows are visited in ascending (oy, ox), the order
 * in which the CPU kernel accumulates, so overlapping windows give the same float sums.
 */
export const maxPoolBackwardSource = `function (dy, indices, geo) {
  const H = geo[0]; const W = geo[1]; const OH = geo[2]; const OW = geo[3];
  const KH = geo[4]; const KW = geo[5]; const sh = geo[6]; const sw = geo[7];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / W);
  const ix = i - t1 * W;
  const plane = Math.floor((t1 + 0.5) / H);
  const iy = t1 - plane * H;
  const cell = iy * W + ix;
  const out = plane * OH * OW;
  let s = 0;
  for (let a = 0; a < KH; a++) {
    const ty = iy + geo[8] - (KH - 1 - a) * geo[10];
    const oy = Math.floor((ty + 0.5) / sh);
    if (ty >= 0 && oy * sh === ty && oy < OH) {
      for (let b = 0; b < KW; b++) {
        const tx = ix + geo[9] - (KW - 1 - b) * geo[11];
        const ox = Math.floor((tx + 0.5) / sw);
        if (tx >= 0 && ox * sw === tx && ox < OW) {
          const o = out + oy * OW + ox;
          if (indices[o] === cell) {
            s += dy[o];
          }
        }
      }
    }
  }
  return s;
}`;

/**
 * Average-pool geometry, packed as one argument: 0 H, 1 W, 2 OH, 3 OW, 4 KH, 5 KW, 6 strideH, 7 strideW, 8 padH,
 * 9 padW, 10 countIncludePad (1 or 0), 11 divisorOverride (0: none; the CPU kernel refuses an override of 0).
 */
export const AVG_POOL_GEOMETRY_LENGTH = 12;

/**
 * One window's divisor, as the CPU kernel's avgWindow: the override, else the window clipped to the padded input
 * (countIncludePad) or to the input itself. Expects sy, sx (the window's first row and column, maybe negative).
 */
const AVG_DIVISOR = `
  const ey = Math.min(sy + KH, H + geo[8]);
  const ex = Math.min(sx + KW, W + geo[9]);
  let div = (ey - sy) * (ex - sx);
  if (geo[10] < 0.5) {
    div = (Math.min(ey, H) - Math.max(sy, 0)) * (Math.min(ex, W) - Math.max(sx, 0));
  }
  if (geo[11] !== 0) {
    div = geo[11];
  }`;

/**
 * Average pool forward: thread i = (plane, oy, ox) sums the window's cells inside the input and divides by the
 * window's divisor. A window with no cell inside the input gives 0, as the CPU kernel and torch.
 */
export const avgPoolSource = `function (x, geo) {
  const H = geo[0]; const W = geo[1]; const OH = geo[2]; const OW = geo[3];
  const KH = geo[4]; const KW = geo[5];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / OW);
  const ox = i - t1 * OW;
  const plane = Math.floor((t1 + 0.5) / OH);
  const oy = t1 - plane * OH;
  const sy = oy * geo[6] - geo[8];
  const sx = ox * geo[7] - geo[9];
  const base = plane * H * W;
  let s = 0;
  let cells = 0;
  for (let ki = 0; ki < KH; ki++) {
    const iy = sy + ki;
    if (iy >= 0 && iy < H) {
      for (let kj = 0; kj < KW; kj++) {
        const ix = sx + kj;
        if (ix >= 0 && ix < W) {
          s += x[base + iy * W + ix];
          cells += 1;
        }
      }
    }
  }
  if (cells < 0.5) {
    return 0;
  }${AVG_DIVISOR}
  return s / div;
}`;

/**
 * Average pool backward as a gather (gpu.js has no atomics): thread i = (plane, iy, ix) adds dy / divisor of every
 * window that covers the cell, visited in ascending (oy, ox), the order in which the CPU kernel accumulates.
 */
export const avgPoolBackwardSource = `function (dy, geo) {
  const H = geo[0]; const W = geo[1]; const OH = geo[2]; const OW = geo[3];
  const KH = geo[4]; const KW = geo[5]; const sh = geo[6]; const sw = geo[7];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / W);
  const ix = i - t1 * W;
  const plane = Math.floor((t1 + 0.5) / H);
  const iy = t1 - plane * H;
  const out = plane * OH * OW;
  let s = 0;
  for (let a = 0; a < KH; a++) {
    const ty = iy + geo[8] - (KH - 1 - a);
    const oy = Math.floor((ty + 0.5) / sh);
    if (ty >= 0 && oy * sh === ty && oy < OH) {
      for (let b = 0; b < KW; b++) {
        const tx = ix + geo[9] - (KW - 1 - b);
        const ox = Math.floor((tx + 0.5) / sw);
        if (tx >= 0 && ox * sw === tx && ox < OW) {
          const sy = oy * sh - geo[8];
          const sx = ox * sw - geo[9];${AVG_DIVISOR.replace(/\n/g, '\n      ')}
          s += dy[out + oy * OW + ox] / div;
        }
      }
    }
  }
  return s;
}`;

/**
 * Adaptive average-pool geometry, packed as one argument: 0 H, 1 W, 2 OH, 3 OW, 4 the tallest bin, 5 the widest,
 * 6 the most bins covering one input row, 7 the most covering one input column (loop bounds, from the host).
 */
export const ADAPTIVE_POOL_GEOMETRY_LENGTH = 8;

/**
 * Adaptive average pool forward: thread i = (plane, oy, ox) averages torch's bin, rows floor(oy·H/OH) to
 * ceil((oy+1)·H/OH) − 1 (columns likewise). Integer quotients as the header says: floor((a + 0.5) / b), and
 * ceil(a / b) = floor((a + b − 0.5) / b).
 */
export const adaptiveAvgPoolSource = `function (x, geo) {
  const H = geo[0]; const W = geo[1]; const OH = geo[2]; const OW = geo[3];
  const KH = geo[4]; const KW = geo[5];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / OW);
  const ox = i - t1 * OW;
  const plane = Math.floor((t1 + 0.5) / OH);
  const oy = t1 - plane * OH;
  const y0 = Math.floor((oy * H + 0.5) / OH);
  const y1 = Math.floor(((oy + 1) * H + OH - 0.5) / OH);
  const x0 = Math.floor((ox * W + 0.5) / OW);
  const x1 = Math.floor(((ox + 1) * W + OW - 0.5) / OW);
  const base = plane * H * W;
  let s = 0;
  for (let ki = 0; ki < KH; ki++) {
    const iy = y0 + ki;
    if (iy < y1) {
      for (let kj = 0; kj < KW; kj++) {
        const ix = x0 + kj;
        if (ix < x1) {
          s += x[base + iy * W + ix];
        }
      }
    }
  }
  return s / ((y1 - y0) * (x1 - x0));
}`;

/**
 * Adaptive average pool backward as a gather: thread i = (plane, iy, ix) adds dy / bin size of every bin covering
 * the cell, in ascending (oy, ox) as the CPU kernel. The bins covering row iy are oy = floor(iy·OH/H) up to
 * ceil((iy+1)·OH/H) − 1 (columns likewise).
 */
export const adaptiveAvgPoolBackwardSource = `function (dy, geo) {
  const H = geo[0]; const W = geo[1]; const OH = geo[2]; const OW = geo[3];
  const CH = geo[6]; const CW = geo[7];
  const i = this.thread.x;
  const t1 = Math.floor((i + 0.5) / W);
  const ix = i - t1 * W;
  const plane = Math.floor((t1 + 0.5) / H);
  const iy = t1 - plane * H;
  const oyFirst = Math.floor((iy * OH + 0.5) / H);
  const oyEnd = Math.floor(((iy + 1) * OH + H - 0.5) / H);
  const oxFirst = Math.floor((ix * OW + 0.5) / W);
  const oxEnd = Math.floor(((ix + 1) * OW + W - 0.5) / W);
  const out = plane * OH * OW;
  let s = 0;
  for (let a = 0; a < CH; a++) {
    const oy = oyFirst + a;
    if (oy < oyEnd) {
      const y0 = Math.floor((oy * H + 0.5) / OH);
      const y1 = Math.floor(((oy + 1) * H + OH - 0.5) / OH);
      for (let b = 0; b < CW; b++) {
        const ox = oxFirst + b;
        if (ox < oxEnd) {
          const x0 = Math.floor((ox * W + 0.5) / OW);
          const x1 = Math.floor(((ox + 1) * W + OW - 0.5) / OW);
          s += dy[out + oy * OW + ox] / ((y1 - y0) * (x1 - x0));
        }
      }
    }
  }
  return s;
}`;

/**
 * A step's metrics, [loss, correct] (two threads): thread 0 copies the loss; thread 1 counts the rows whose largest
 * logit along the class axis of [rows / inner, classes, inner] is at the row's label, with the CPU's maxDim rule
 * (the first index on ties; a NaN wins, the first one). One thread for the count: a batch is a few thousand
 * logits, and the step's one read wants both values in one array.
 */
export const stepMetricsSource = `function (loss, x, labels, rows, classes, inner) {
  if (this.thread.x < 0.5) {
    return loss[0];
  }
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    const o = Math.floor((r + 0.5) / inner);
    const base = o * classes * inner + (r - o * inner);
    let best = x[base];
    let bestIndex = 0;
    for (let k = 1; k < classes; k++) {
      const v = x[base + k * inner];
      if (best === best && (v > best || v !== v)) {
        best = v;
        bestIndex = k;
      }
    }
    if (bestIndex === labels[r]) {
      hits = hits + 1;
    }
  }
  return hits;
}`;
