/**
 * The Tensor: a shape, a dtype and a contiguous row-major typed array, plus the autograd fields.
 *
 * Storage is always contiguous, so kernels read and write `data` directly. `reshape`/`view`/`detach` share storage
 * (like torch views); every other op returns a new array.
 *
 * A tensor may instead start with its values on a device (`new Tensor(deviceData, shape)`, a backend's texture or
 * GPU buffer, see DeviceData): `device` hands that handle to the backend that made it, and the first read of
 * `data` downloads the values once and keeps them, after which the CPU array is the tensor's only storage (callers
 * may write into it, so the device copy is released rather than kept in sync). Methods mirror the functional ops in ./ops
 * (`x.add(y)` is `add(x, y)`), so either style reads like PyTorch.
 *
 *   const w = randn([3, 2], undefined, { requiresGrad: true });
 *   const loss = tensor([[1, 2, 3]]).matmul(w).relu().sum();
 *   loss.backward();   // w.grad now holds dloss/dw, shape [3, 2]
 */
import { allocate, dtypeOf, shapeStr, sizeOf } from './backend/arrays';
import type { DType, TypedArray } from './backend/arrays';
import type { DeviceData } from './backend/backend';
import { runBackward } from './autograd';
import type { GradFn } from './autograd';
import { defaultGenerator, type Random } from './random';
import * as ew from './ops/elementwise';
import * as act from './ops/activation';
import * as red from './ops/reduce';
import * as sh from './ops/shape';
import { matmul } from './ops/matmul';
import { logSoftmax, softmax } from './ops/softmax';

export type { DType, FloatArray, TypedArray } from './backend/arrays';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** Whether gradients flow to this tensor. Set it on leaves (parameters, inputs); ops set it on results. */
  requiresGrad = false;
  /** dL/d(this), filled by backward() on leaves (and on tensors that called retainGrad()). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for a leaf. */
  gradFn: GradFn | null = null;
  /** Set by retainGrad(): keep .grad on a non-leaf tensor during backward. */
  retainsGrad = false;
  /** The CPU values; null while they live only on a device (then `onDevice` holds them). */
  private storage: TypedArray | null;
  private onDevice: DeviceData | null;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`; the dtype follows the array type. `data` may be a backend's
   * DeviceData instead, downloaded on the first read of `.data`.
   */
  constructor(data: TypedArray | DeviceData, shape: readonly number[], requiresGrad = false) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`Tensor: invalid shape ${shapeStr(shape)}`);
    }
    const size = sizeOf(shape);
    if (size !== data.length) {
      throw new Error(`Tensor: shape ${shapeStr(shape)} needs ${size} elements, got ${data.length}`);
    }
    if (ArrayBuffer.isView(data)) {
      this.storage = data;
      this.onDevice = null;
      this.dtype = dtypeOf(data);
    } else {
      this.storage = null;
      this.onDevice = data;
      this.dtype = data.dtype;
    }
    this.shape = Object.freeze([...shape]);
    this.size = size;
    if (requiresGrad) this.requiresGrad_(true);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /**
   * The contiguous row-major storage (a view, not a copy: writing to it changes the tensor). A tensor whose values
   * are on a device downloads them here, once.
   */
  get data(): TypedArray {
    return this.storage ?? this.download();
  }

  /** The device handle while the values live only on a device (for the backend that made it); null once on the CPU. */
  get device(): DeviceData | null {
    return this.onDevice;
  }

  /**
   * Makes `next` (same length and dtype, already holding the values, or about to: they are copied) this tensor's
   * storage. For a backend that keeps long-lived arrays in its own memory (backend.ts `pinTensor`); views taken
   * of the old `.data` no longer follow the tensor.
   */
  moveStorageTo(next: TypedArray): void {
    const current = this.data;
    if (next.length !== this.size || dtypeOf(next) !== this.dtype) {
      throw new Error(`Tensor: cannot move ${this.size} ${this.dtype} values into ${next.length} ${dtypeOf(next)}`);
    }
    if (next !== current) next.set(current as never);
    this.storage = next;
  }

  /**
   * Makes a backend's long-lived device value this tensor's storage (backend.ts `keepTensor`: a parameter kept on
   * the GPU). The CPU copy is dropped; the next read of `.data` downloads, as for any device tensor.
   */
  moveStorageToDevice(next: DeviceData): void {
    if (next.length !== this.size || next.dtype !== this.dtype) {
      throw new Error(`Tensor: cannot move ${this.size} ${this.dtype} values onto a device value of ${next.length} ${next.dtype}`);
    }
    if (this.onDevice !== null && this.onDevice !== next) this.onDevice.release?.();
    this.storage = null;
    this.onDevice = next;
  }

  /** The CPU array if the values are already on the CPU, else null: `.data` without the download. */
  get hostData(): TypedArray | null {
    return this.storage;
  }

  private download(): TypedArray {
    const device = this.onDevice!;
    const data = device.read();
    if (data.length !== this.size || dtypeOf(data) !== this.dtype) {
      throw new Error(`Tensor: device data from '${device.backend}' read back ${data.length} ${dtypeOf(data)} values, expected ${this.size} ${this.dtype}`);
    }
    this.storage = data;
    this.onDevice = null;
    device.release?.();
    return data;
  }

  /** True for tensors not produced by a recorded op (parameters, inputs, detached results). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  requiresGrad_(on = true): this {
    if (on && this.dtype === 'int32') throw new Error('requiresGrad_: only float tensors can require grad (got int32)');
    this.requiresGrad = on;
    return this;
  }

  /** Keep this (non-leaf) tensor's gradient in .grad during backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Backpropagates from this tensor; see runBackward. Gradients accumulate: zero them between steps. */
  backward(gradient?: Tensor): void {
    runBackward(this, gradient);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: only one-element tensors can be converted, got shape ${shapeStr(this.shape)}`);
    return this.data[0];
  }

  /** The elements as a flat number[] in row-major order. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** The elements as nested arrays (a number for a 0-d tensor), like torch's tolist(). */
  toNested(): unknown {
    const storage = this.data;
    if (this.ndim === 0) return storage[0];
    const build = (dim: number, offset: number, stride: number): unknown[] => {
      const n = this.shape[dim];
      const inner = stride / Math.max(n, 1);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? storage[offset + i] : build(dim + 1, offset + i * inner, inner));
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  /** Same storage, cut from the graph: no grad flows through the result (device values are downloaded first). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage; differentiable (the gradient passes through unchanged), like torch.clone. */
  clone(): Tensor {
    return ew.cast(this, this.dtype, true);
  }

  /** A copy converted to `dtype` (differentiable between float dtypes); returns this if already that dtype. */
  to(dtype: DType): Tensor {
    return dtype === this.dtype ? this : ew.cast(this, dtype);
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  int(): Tensor {
    return this.to('int32');
  }

  toString(): string {
    const grad = this.gradFn ? `, gradFn=${this.gradFn.name}` : this.requiresGrad ? ', requiresGrad=true' : '';
    const fmt = (v: unknown): string =>
      Array.isArray(v) ? `[${v.map(fmt).join(', ')}]` : Number.isInteger(v) ? String(v) : (v as number).toFixed(4);
    const values = this.size <= 64 ? `${fmt(this.toNested())}, ` : '';
    return `tensor(${values}shape=${shapeStr(this.shape)}, dtype=${this.dtype}${grad})`;
  }

  // Elementwise (ops/elementwise.ts)
  add(other: Tensor | number): Tensor { return ew.add(this, other); }
  sub(other: Tensor | number): Tensor { return ew.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ew.mul(this, other); }
  div(other: Tensor | number): Tensor { return ew.div(this, other); }
  pow(exponent: Tensor | number): Tensor { return ew.pow(this, exponent); }
  maximum(other: Tensor | number): Tensor { return ew.maximum(this, other); }
  minimum(other: Tensor | number): Tensor { return ew.minimum(this, other); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  sign(): Tensor { return ew.sign(this); }
  clamp(min?: number, max?: number): Tensor { return ew.clamp(this, min, max); }
  /** torch's x.where(cond, other): x where cond is nonzero, else other. */
  where(cond: Tensor, other: Tensor | number): Tensor { return ew.where(cond, this, other); }
  eq(other: Tensor | number): Tensor { return ew.eq(this, other); }
  gt(other: Tensor | number): Tensor { return ew.gt(this, other); }
  ge(other: Tensor | number): Tensor { return ew.ge(this, other); }
  lt(other: Tensor | number): Tensor { return ew.lt(this, other); }
  le(other: Tensor | number): Tensor { return ew.le(this, other); }

  // Activations (ops/activation.ts)
  relu(): Tensor { return act.relu(this); }
  leakyRelu(negativeSlope?: number): Tensor { return act.leakyRelu(this, negativeSlope); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  tanh(): Tensor { return act.tanh(this); }
  gelu(approximate?: 'none' | 'tanh'): Tensor { return act.gelu(this, approximate); }
  elu(alpha?: number): Tensor { return act.elu(this, alpha); }
  silu(): Tensor { return act.silu(this); }
  softplus(beta?: number, threshold?: number): Tensor { return act.softplus(this, beta, threshold); }

  // Reductions (ops/reduce.ts)
  sum(dim?: number | readonly number[], keepdim?: boolean): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | readonly number[], keepdim?: boolean): Tensor { return red.mean(this, dim, keepdim); }
  max(dim?: number, keepdim?: boolean): Tensor { return red.max(this, dim, keepdim); }
  min(dim?: number, keepdim?: boolean): Tensor { return red.min(this, dim, keepdim); }
  argmax(dim?: number, keepdim?: boolean): Tensor { return red.argmax(this, dim, keepdim); }

  // Linear algebra (ops/matmul.ts)
  matmul(other: Tensor): Tensor { return matmul(this, other); }

  // Shape (ops/shape.ts)
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return sh.view(this, shape); }
  flatten(startDim?: number, endDim?: number): Tensor { return sh.flatten(this, startDim, endDim); }
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  transpose(dim0: number, dim1: number): Tensor { return sh.transpose(this, dim0, dim1); }
  /** The transpose of a 2-D tensor (torch's x.t()). */
  t(): Tensor { return sh.transpose(this, 0, -1); }
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  expand(shape: readonly number[]): Tensor { return sh.expand(this, shape); }
  slice(dim: number, start?: number, end?: number, step?: number): Tensor { return sh.slice(this, dim, start, end, step); }
  gather(dim: number, index: Tensor): Tensor { return sh.gather(this, dim, index); }

  // Softmax (ops/softmax.ts)
  softmax(dim: number): Tensor { return softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return logSoftmax(this, dim); }
}

type Nested = number | boolean | readonly Nested[];

function inferShape(values: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v.length > 0 ? (v as readonly Nested[])[0] : 0;
  }
  return shape;
}

function flattenNested(values: Nested, shape: readonly number[], out: number[]): void {
  // Iterative, and checks that the nesting is rectangular.
  const stack: [Nested, number][] = [[values, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new Error(`tensor: nested arrays are not rectangular (expected shape ${shapeStr(shape)})`);
      out.push(Number(v));
      continue;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(`tensor: nested arrays are not rectangular (expected shape ${shapeStr(shape)})`);
    }
    for (let i = v.length - 1; i >= 0; i--) stack.push([(v as readonly Nested[])[i], depth + 1]);
  }
}

/**
 * A tensor from a number, nested arrays, a flat number[] or a typed array (always copied, like torch.tensor).
 * The shape is inferred from nesting unless given; the dtype defaults to float32 (or the typed array's own).
 *
 *   tensor([[1, 2], [3, 4]])                         // float32 [2,2]
 *   tensor([1, 2, 3, 4, 5, 6], [2, 3])               // reshaped flat values
 *   tensor([0, 2, 1], { dtype: 'int32' })            // labels
 *   tensor(new Float64Array(6), [2, 3], { requiresGrad: true })
 */
export function tensor(values: Nested | TypedArray, shape?: readonly number[] | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (shape !== undefined && !Array.isArray(shape)) return tensor(values, undefined, shape as TensorOptions);
  const given = shape as readonly number[] | undefined;
  let flat: ArrayLike<number>;
  let inferred: number[];
  let dtype = opts.dtype;
  if (ArrayBuffer.isView(values)) {
    flat = values;
    inferred = [values.length];
    dtype ??= dtypeOf(values);
  } else {
    inferred = inferShape(values as Nested);
    const out: number[] = [];
    flattenNested(values as Nested, inferred, out);
    flat = out;
  }
  const data = allocate(dtype ?? 'float32', flat.length);
  if (data instanceof Int32Array) for (let i = 0; i < flat.length; i++) data[i] = Math.trunc(flat[i]);
  else data.set(flat);
  return new Tensor(data, given ?? inferred, opts.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  const data = allocate(opts.dtype ?? 'float32', sizeOf(shape));
  data.fill(value);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** Zeros with t's shape and dtype (opts override). */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

/** Standard normal samples from `rng` (default: the global generator, see manualSeed). */
export function randn(shape: readonly number[], rng: Random = defaultGenerator(), opts: TensorOptions = {}): Tensor {
  const data = allocate(opts.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** Uniform samples in [0, 1) from `rng` (default: the global generator). */
export function rand(shape: readonly number[], rng: Random = defaultGenerator(), opts: TensorOptions = {}): Tensor {
  const data = allocate(opts.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/**
 * 0, 1, ..., n-1 (float32 unless opts.dtype), or start, start+step, ... below end with the (start, end, step) form.
 *   arange(4)           // [0,1,2,3]
 *   arange(1, 2, 0.25)  // [1,1.25,1.5,1.75]
 */
export function arange(n: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, step?: number, opts?: TensorOptions): Tensor;
export function arange(a: number, b?: number | TensorOptions, c?: number | TensorOptions, d?: TensorOptions): Tensor {
  let start = 0;
  let end = a;
  let step = 1;
  let opts: TensorOptions = {};
  if (typeof b === 'number') {
    start = a;
    end = b;
    if (typeof c === 'number') step = c;
    else if (c) opts = c;
    if (d) opts = d;
  } else if (b) {
    opts = b;
  }
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: invalid step ${step}`);
  const count = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(opts.dtype ?? 'float32', count);
  for (let i = 0; i < count; i++) data[i] = start + i * step;
  return new Tensor(data, [count], opts.requiresGrad ?? false);
}
