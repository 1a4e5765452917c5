/**
 * Typed-array plumbing shared by the tensor class and every kernel: dtypes, allocation, strides.
 * Kernels work on plain contiguous row-major typed arrays; these helpers keep them free of Tensor.
 */

/** float32 is the default; float64 exists for gradient checks; int32 holds labels and indices. */
export type DType = 'float32' | 'float64' | 'int32';
export type FloatDType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** The dtype a typed array stores. */
export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/** A zeroed array of `dtype` with `size` elements. */
export function allocate(dtype: DType, size: number): TypedArray {
  if (dtype === 'float32') return new Float32Array(size);
  if (dtype === 'float64') return new Float64Array(size);
  return new Int32Array(size);
}

/** A zeroed float array: float64 for 'float64', float32 otherwise. */
export function allocateFloat(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** A zeroed array of the same type as `like`. */
export function allocateLike<T extends TypedArray>(like: T, size: number): T {
  return allocate(dtypeOf(like), size) as T;
}

/** Number of elements of a shape (1 for the scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides: strides([2,3,4]) = [12,4,1]. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Strides of `shape` read as if broadcast to `outShape` (right-aligned): a broadcast dimension gets stride 0,
 * so walking the output with these strides visits the right input element.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  const result = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) result[i + offset] = shape[i] === 1 ? 0 : own[i];
  return result;
}

/** "[2,3]" — how errors print shapes. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
