/**
 * IDX files (the MNIST container format): parse and write, bytes in and bytes out.
 *
 * Layout (all header integers big-endian):
 *   byte 0..1  0x00 0x00
 *   byte 2     dtype code: 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte 3     number of dimensions
 *   then one uint32 per dimension, then the values row-major, big-endian.
 *
 * Example: MNIST train images are `00 00 08 03 | 60000 | 28 | 28 | 47,040,000 pixels` = 47,040,016 bytes.
 *
 * Pure (no Node built-ins): the main process uses it to validate downloads and imports, the engine to build
 * datasets. Gzip is the host's job; pass the inflated bytes.
 */

export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  /** Values row-major in host order; always a fresh buffer of its own (transferable). */
  data: IdxData;
}

export interface IdxHeader {
  dtype: IdxDType;
  shape: number[];
  /** 4 + 4 × ndims. */
  headerBytes: number;
  /** The size the whole file must have: header + product(shape) × itemsize. */
  totalBytes: number;
}

interface DTypeInfo {
  code: number;
  dtype: IdxDType;
  /** The traditional IDX name, used in messages ("ubyte"). */
  label: string;
  itemsize: number;
}

const DTYPES: DTypeInfo[] = [
  { code: 0x08, dtype: 'uint8', label: 'ubyte', itemsize: 1 },
  { code: 0x09, dtype: 'int8', label: 'sbyte', itemsize: 1 },
  { code: 0x0b, dtype: 'int16', label: 'short', itemsize: 2 },
  { code: 0x0c, dtype: 'int32', label: 'int', itemsize: 4 },
  { code: 0x0d, dtype: 'float32', label: 'float', itemsize: 4 },
  { code: 0x0e, dtype: 'float64', label: 'double', itemsize: 8 },
];

const byCode = (code: number) => DTYPES.find((d) => d.code === code);
const byName = (dtype: IdxDType) => DTYPES.find((d) => d.dtype === dtype);

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}

/** "60000×28×28 ubyte", the way messages name an array. */
export function describeIdx(shape: readonly number[], dtype: IdxDType): string {
  const label = byName(dtype)?.label ?? dtype;
  return `${shape.length ? shape.join('×') : 'scalar'} ${label}`;
}

/**
 * Reads and checks the header only (magic, dtype, dims), so a caller holding just the first bytes can validate.
 * Does not check the total length; see `parseIdx`.
 */
export function parseIdxHeader(bytes: Uint8Array): IdxHeader {
  if (bytes.length < 4) {
    throw new Error(`IDX: file too short for a header (${bytes.length} bytes, need at least 4)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this looks gzip-compressed; inflate it first)' : '';
    throw new Error(`IDX: bad magic: first two bytes must be 0x00 0x00, got ${hex(bytes[0])} ${hex(bytes[1])}${gz}`);
  }
  const info = byCode(bytes[2]);
  if (!info) {
    throw new Error(`IDX: unknown dtype code ${hex(bytes[2])} (expected one of ${DTYPES.map((d) => hex(d.code)).join(', ')})`);
  }
  const ndims = bytes[3];
  if (ndims === 0) throw new Error('IDX: number of dimensions is 0');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(`IDX: header for ${ndims} dimensions needs ${headerBytes} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const dim = view.getUint32(4 + 4 * i, false);
    shape.push(dim);
    count *= dim;
  }
  const totalBytes = headerBytes + count * info.itemsize;
  if (!Number.isSafeInteger(totalBytes)) {
    throw new Error(`IDX: dims ${shape.join('×')} are too large`);
  }
  return { dtype: info.dtype, shape, headerBytes, totalBytes };
}

export interface ParseIdxOptions {
  /** Name used in error messages, e.g. the file name. */
  name?: string;
  /** Required dtype. */
  dtype?: IdxDType;
  /** Required shape; `null` entries match any size (e.g. `[null, 28, 28]`). */
  shape?: readonly (number | null)[];
}

/** Parses a whole IDX file, checking magic, dtype, dims and that the byte count matches exactly. */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const prefix = options.name ? `IDX ${options.name}` : 'IDX';
  let header: IdxHeader;
  try {
    header = parseIdxHeader(bytes);
  } catch (err) {
    throw options.name ? new Error((err as Error).message.replace(/^IDX/, prefix)) : err;
  }
  const { dtype, shape, headerBytes, totalBytes } = header;
  if (bytes.length !== totalBytes) {
    throw new Error(`${prefix}: expected ${totalBytes} bytes for ${describeIdx(shape, dtype)}, got ${bytes.length}`);
  }
  if (options.dtype && options.dtype !== dtype) {
    throw new Error(`${prefix}: expected dtype ${options.dtype}, got ${dtype}`);
  }
  if (options.shape) {
    const want = options.shape;
    const ok = want.length === shape.length && want.every((d, i) => d === null || d === shape[i]);
    if (!ok) {
      const wanted = want.map((d) => (d === null ? 'N' : String(d))).join('×');
      throw new Error(`${prefix}: expected shape ${wanted}, got ${shape.join('×')}`);
    }
  }
  return { dtype, shape, data: decode(bytes.subarray(headerBytes), dtype) };
}

function decode(body: Uint8Array, dtype: IdxDType): IdxData {
  switch (dtype) {
    // new Uint8Array(view) copies; view.slice() would not on a Node Buffer, whose slice is a view.
    case 'uint8':
      return new Uint8Array(body);
    case 'int8':
      return new Int8Array(new Uint8Array(body).buffer);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const n = body.length / byName(dtype)!.itemsize;
  switch (dtype) {
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

const ARRAY_DTYPE: [new (n: number) => IdxData, IdxDType][] = [
  [Uint8Array, 'uint8'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
];

/**
 * Writes an IDX file. `dtype` defaults to the typed array's own type; a plain number array needs it.
 * Values are converted with the typed array's usual rules when dtype differs from the array type.
 */
export function writeIdx(array: {
  shape: readonly number[];
  data: IdxData | ArrayLike<number>;
  dtype?: IdxDType;
}): Uint8Array {
  const { shape, data } = array;
  const dtype = array.dtype ?? ARRAY_DTYPE.find(([ctor]) => data instanceof ctor)?.[1];
  if (!dtype) throw new Error('IDX write: dtype is required for a plain array');
  const info = byName(dtype);
  if (!info) throw new Error(`IDX write: unknown dtype ${dtype}`);
  if (shape.length === 0 || shape.length > 255) {
    throw new Error(`IDX write: number of dimensions must be 1..255, got ${shape.length}`);
  }
  let count = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new Error(`IDX write: bad dimension ${d} in [${shape.join(', ')}]`);
    count *= d;
  }
  if (data.length !== count) {
    throw new Error(`IDX write: shape ${shape.join('×')} needs ${count} values, got ${data.length}`);
  }
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + count * info.itemsize);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const o = headerBytes;
  if (dtype === 'uint8' && data instanceof Uint8Array) {
    out.set(data, o);
    return out;
  }
  for (let i = 0; i < count; i++) {
    const v = data[i];
    switch (dtype) {
      case 'uint8': view.setUint8(o + i, v); break;
      case 'int8': view.setInt8(o + i, v); break;
      case 'int16': view.setInt16(o + 2 * i, v, false); break;
      case 'int32': view.setInt32(o + 4 * i, v, false); break;
      case 'float32': view.setFloat32(o + 4 * i, v, false); break;
      case 'float64': view.setFloat64(o + 8 * i, v, false); break;
    }
  }
  return out;
}
