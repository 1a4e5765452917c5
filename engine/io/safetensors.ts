/**
 * safetensors ⇄ state dicts: `Record<string, Tensor>` keyed by PyTorch's names (`0.weight`, `fc1.bias`,
 * `running_mean`, `num_batches_tracked`), so a file saved here loads with `safetensors.torch.load_file` +
 * `model.load_state_dict`, and back.
 *
 * ```ts
 * const bytes = saveSafetensors(model.stateDict(), { metadata: { format: 'pt' } });
 * const { tensors, metadata } = readSafetensors(bytes);
 * ```
 *
 * dtypes on read: F32 → float32; F64 → float64; I32/I16/I8/U8/BOOL → int32; I64 → int32 (values must fit, as
 * counters and labels do); F16/BF16 → float32. On write: float32 → F32, float64 → F64, int32 → I32, unless
 * `dtypes` asks for another (e.g. `{ '1.num_batches_tracked': 'I64' }` to match torch exactly).
 */
import { Tensor, type DType } from '../tensor';
import { parseSafetensorsBytes, writeSafetensorsBytes, type RawTensor, type SafeDType } from './safetensors-format';

export { MAX_HEADER_BYTES, parseSafetensorsBytes, writeSafetensorsBytes } from './safetensors-format';
export type { RawSafetensors, RawTensor, SafeDType } from './safetensors-format';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkEndian(): void {
  // Typed arrays use the host's byte order; every platform Electron ships on is little-endian.
  if (!LITTLE_ENDIAN) throw new Error('safetensors: big-endian hosts are not supported');
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Decodes one raw tensor to engine dtypes (see the file comment for the mapping). */
export function rawToTensor(name: string, raw: RawTensor): Tensor {
  checkEndian();
  const buf = raw.bytes.buffer.slice(raw.bytes.byteOffset, raw.bytes.byteOffset + raw.bytes.byteLength) as ArrayBuffer;
  let data: Float32Array | Float64Array | Int32Array;
  switch (raw.dtype) {
    case 'F32': data = new Float32Array(buf); break;
    case 'F64': data = new Float64Array(buf); break;
    case 'I32': data = new Int32Array(buf); break;
    case 'I16': data = Int32Array.from(new Int16Array(buf)); break;
    case 'I8': data = Int32Array.from(new Int8Array(buf)); break;
    case 'U8': case 'BOOL': data = Int32Array.from(new Uint8Array(buf)); break;
    case 'I64': {
      const wide = new BigInt64Array(buf);
      data = new Int32Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = wide[i];
        if (v > 2147483647n || v < -2147483648n) {
          throw new Error(`safetensors: tensor "${name}": I64 value ${v} at index ${i} does not fit int32`);
        }
        data[i] = Number(v);
      }
      break;
    }
    case 'F16': {
      const h = new Uint16Array(buf);
      data = new Float32Array(h.length);
      for (let i = 0; i < h.length; i++) data[i] = halfToFloat(h[i]);
      break;
    }
    case 'BF16': {
      const h = new Uint16Array(buf);
      const wide = new Uint32Array(h.length);
      for (let i = 0; i < h.length; i++) wide[i] = h[i] << 16;
      data = new Float32Array(wide.buffer);
      break;
    }
  }
  return new Tensor(data, raw.shape); // the array type sets the dtype
}

const DEFAULT_SAFE: Record<DType, SafeDType> = { float32: 'F32', float64: 'F64', int32: 'I32' };

/** Encodes one tensor's values as `target` (little-endian); integer targets check the range. */
export function tensorToRaw(name: string, t: Tensor, target: SafeDType = DEFAULT_SAFE[t.dtype]): RawTensor {
  checkEndian();
  const src = t.data;
  const isFloat = t.dtype !== 'int32';
  const intRange = (lo: number, hi: number) => {
    if (isFloat) throw new Error(`safetensors: tensor "${name}": cannot write ${t.dtype} as ${target}`);
    for (let i = 0; i < src.length; i++) {
      if (src[i] < lo || src[i] > hi) throw new Error(`safetensors: tensor "${name}": value ${src[i]} does not fit ${target}`);
    }
  };
  let out: ArrayBufferView;
  switch (target) {
    case 'F32': out = Float32Array.from(src); break;
    case 'F64': out = Float64Array.from(src); break;
    case 'I32': intRange(-2147483648, 2147483647); out = Int32Array.from(src); break;
    case 'I64': intRange(-Infinity, Infinity); out = BigInt64Array.from(src as ArrayLike<number>, (v) => BigInt(v)); break;
    case 'I16': intRange(-32768, 32767); out = Int16Array.from(src); break;
    case 'I8': intRange(-128, 127); out = Int8Array.from(src); break;
    case 'U8': intRange(0, 255); out = Uint8Array.from(src); break;
    case 'BOOL': intRange(0, 1); out = Uint8Array.from(src); break;
    default: throw new Error(`safetensors: tensor "${name}": writing ${target} is not supported`);
  }
  return { dtype: target, shape: [...t.shape], bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
}

export interface ReadSafetensorsResult {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/** Reads a safetensors file into tensors (in the file's header order) and its `__metadata__`. */
export function readSafetensors(bytes: Uint8Array): ReadSafetensorsResult {
  const raw = parseSafetensorsBytes(bytes);
  const tensors: Record<string, Tensor> = {};
  for (const [name, r] of Object.entries(raw.tensors)) tensors[name] = rawToTensor(name, r);
  return { tensors, metadata: raw.metadata };
}

/** Reads just the state dict. */
export function loadSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  return readSafetensors(bytes).tensors;
}

export interface SaveSafetensorsOptions {
  /** Written as `__metadata__` (string values only). */
  metadata?: Record<string, string>;
  /** Per-name on-disk dtype overrides. */
  dtypes?: Record<string, SafeDType>;
}

/** Writes a state dict as safetensors bytes. */
export function saveSafetensors(state: Record<string, Tensor>, options: SaveSafetensorsOptions = {}): Uint8Array {
  const raw: Record<string, RawTensor> = {};
  for (const [name, t] of Object.entries(state)) raw[name] = tensorToRaw(name, t, options.dtypes?.[name]);
  for (const name of Object.keys(options.dtypes ?? {})) {
    if (!(name in state)) throw new Error(`safetensors: dtypes names "${name}", which is not in the state dict`);
  }
  return writeSafetensorsBytes(raw, options.metadata ?? null);
}
