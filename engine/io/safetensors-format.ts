/**
 * The safetensors container, bytes in and bytes out (no tensors here; see safetensors.ts for the state-dict layer).
 *
 * Layout: 8-byte little-endian header length N | N bytes of UTF-8 JSON | data.
 *   JSON: { "__metadata__"?: {str: str}, "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] } }
 *   Offsets are relative to the start of the data section; values are little-endian and row-major. The entries
 *   must tile the data section exactly (no gaps, no overlap), as the reference implementation insists.
 */

export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const ITEMSIZE: Record<SafeDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface RawTensor {
  dtype: SafeDType;
  shape: number[];
  /** Little-endian bytes of the values; a copy with its own, aligned buffer. */
  bytes: Uint8Array;
}

export interface RawSafetensors {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string> | null;
}

/** Headers above this are refused before parsing, as the reference implementation does (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/*
 * UTF-8 by hand: the engine's lib has no TextEncoder/TextDecoder (no DOM, no Node types), and headers are small.
 */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Strict decoder: throws on malformed or overlong sequences and on surrogates. */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) throw new Error(`invalid UTF-8 at byte ${i}`);
    let c = len === 1 ? b : b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) throw new Error(`invalid UTF-8 at byte ${i + k}`);
      c = (c << 6) | (next & 63);
    }
    const min = [0, 0, 0x80, 0x800, 0x10000][len];
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) throw new Error(`invalid UTF-8 at byte ${i}`);
    out += String.fromCodePoint(c);
    i += len;
  }
  return out;
}

const fail = (message: string): never => {
  throw new Error(`safetensors: ${message}`);
};

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and validates the container; every error names the tensor and the numbers that disagree. */
export function parseSafetensorsBytes(bytes: Uint8Array): RawSafetensors {
  if (bytes.length < 8) fail(`file too short (${bytes.length} bytes); need at least 8 for the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(headerLength);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(utf8Decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;

  let metadata: Record<string, string> | null = null;
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: Record<string, RawTensor> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry as object)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} must be a string, got ${typeof v}`);
      }
      metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    if (typeof entry !== 'object' || entry === null) fail(`tensor "${name}": entry must be an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in ITEMSIZE)) fail(`tensor "${name}": unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isUint)) fail(`tensor "${name}": shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isUint)) {
      fail(`tensor "${name}": data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`tensor "${name}": data_offsets [${begin}, ${end}] end before begin`);
    if (end > dataLength) fail(`tensor "${name}": data_offsets [${begin}, ${end}] run past the data section (${dataLength} bytes)`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = count * ITEMSIZE[dtype as SafeDType];
    if (end - begin !== expected) {
      fail(`tensor "${name}": ${dtype} [${(shape as number[]).join(', ')}] needs ${expected} bytes, data_offsets [${begin}, ${end}] give ${end - begin}`);
    }
    spans.push({ name, begin, end });
    tensors[name] = {
      dtype: dtype as SafeDType,
      shape: [...(shape as number[])],
      bytes: new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)), // a copy, even from a Node Buffer
    };
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin < at) fail(`tensor "${s.name}": data_offsets [${s.begin}, ${s.end}] overlap the previous tensor (ends at ${at})`);
    if (s.begin > at) fail(`gap in the data section: bytes ${at}..${s.begin} belong to no tensor (before "${s.name}")`);
    at = s.end;
  }
  if (at !== dataLength) fail(`data section has ${dataLength} bytes but the tensors cover ${at}`);
  return { tensors, metadata };
}

/**
 * Writes the container. The header is space-padded to a multiple of 8 and the data is laid out by descending item
 * size, so every tensor starts aligned to its item size (readers can view the bytes without copying).
 */
export function writeSafetensorsBytes(
  tensors: Record<string, RawTensor>,
  metadata?: Record<string, string> | null,
): Uint8Array {
  const names = Object.keys(tensors);
  if (names.includes('__metadata__')) fail('"__metadata__" is reserved and cannot name a tensor');
  const layout = names
    .map((name, k) => ({ name, k, size: ITEMSIZE[tensors[name].dtype] }))
    .sort((a, b) => b.size - a.size || a.k - b.k);
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') fail(`__metadata__.${k} must be a string`);
    header.__metadata__ = metadata;
  }
  const offsets = new Map<string, [number, number]>();
  let at = 0;
  for (const { name } of layout) {
    const t = tensors[name];
    if (!(t.dtype in ITEMSIZE)) fail(`tensor "${name}": unsupported dtype ${t.dtype}`);
    const expected = t.shape.reduce((a, b) => a * b, 1) * ITEMSIZE[t.dtype];
    if (t.bytes.length !== expected) fail(`tensor "${name}": ${t.dtype} [${t.shape.join(', ')}] needs ${expected} bytes, got ${t.bytes.length}`);
    offsets.set(name, [at, at + expected]);
    at += expected;
  }
  for (const name of names) {
    header[name] = { dtype: tensors[name].dtype, shape: tensors[name].shape, data_offsets: offsets.get(name) };
  }
  let json = utf8Encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  for (const { name } of layout) out.set(tensors[name].bytes, 8 + json.length + offsets.get(name)![0]);
  return out;
}
