import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSafetensorsBytes, writeSafetensorsBytes, type RawTensor } from './safetensors-format';

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

/** Builds a file from a header object and a data section, to craft malformed inputs. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), declared?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors container', () => {
  it('round-trips tensors and metadata, aligned and padded', () => {
    const tensors: Record<string, RawTensor> = {
      'a.bias': { dtype: 'U8', shape: [3], bytes: new Uint8Array([1, 2, 3]) },
      'a.weight': { dtype: 'F32', shape: [2, 2], bytes: f32([1, 2, 3, 4]) },
      big: { dtype: 'F64', shape: [1], bytes: new Uint8Array(new Float64Array([Math.PI]).buffer) },
    };
    const bytes = writeSafetensorsBytes(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.big.data_offsets).toEqual([0, 8]); // F64 first: aligned
    expect(header['a.weight'].data_offsets).toEqual([8, 24]);
    expect(header['a.bias'].data_offsets).toEqual([24, 27]);
    const back = parseSafetensorsBytes(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(Object.keys(back.tensors)).toEqual(['a.bias', 'a.weight', 'big']);
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.tensors[k].dtype).toBe(t.dtype);
      expect(back.tensors[k].shape).toEqual(t.shape);
      expect([...back.tensors[k].bytes]).toEqual([...t.bytes]);
    }
  });

  it('handles an empty file and zero-size tensors', () => {
    expect(parseSafetensorsBytes(writeSafetensorsBytes({}))).toEqual({ tensors: {}, metadata: null });
    const empty = parseSafetensorsBytes(writeSafetensorsBytes({ e: { dtype: 'F32', shape: [0, 3], bytes: new Uint8Array(0) } }));
    expect(empty.tensors.e.shape).toEqual([0, 3]);
  });

  it('reads the file PyTorch wrote', () => {
    const bytes = readFileSync(new URL('./fixtures/torch-state.safetensors', import.meta.url));
    const { tensors, metadata } = parseSafetensorsBytes(new Uint8Array(bytes));
    expect(metadata?.format).toBe('pt');
    expect(tensors['1.num_batches_tracked']).toMatchObject({ dtype: 'I64', shape: [] });
    expect(tensors['0.weight']).toMatchObject({ dtype: 'F32', shape: [2, 3] });
  });

  it.each<[string, Uint8Array, string]>([
    ['too short', new Uint8Array(5), 'file too short (5 bytes)'],
    ['header past end', craft({}, new Uint8Array(0), 100), 'header length 100 runs past the end of the file (10 bytes)'],
    ['huge header length', craft({}, new Uint8Array(0), 2 ** 40), 'exceeds the 100000000-byte limit'],
    ['bad JSON', craft('{"a":'), 'header is not valid UTF-8 JSON'],
    ['array header', craft('[]'), 'header must be a JSON object'],
    ['bad dtype', craft({ a: { dtype: 'X9', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), 'tensor "a": unsupported dtype "X9"'],
    ['bad shape', craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), 'tensor "a": shape must be an array'],
    ['bad offsets', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, new Uint8Array(4)), 'data_offsets must be [begin, end]'],
    ['reversed offsets', craft({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), 'end before begin'],
    ['offsets past end', craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), 'run past the data section (4 bytes)'],
    ['size mismatch', craft({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 8] } }, new Uint8Array(8)), 'F32 [2, 2] needs 16 bytes, data_offsets [0, 8] give 8'],
    ['overlap', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, new Uint8Array(6)), 'overlap'],
    ['gap', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), 'gap in the data section: bytes 0..4'],
    ['trailing bytes', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(6)), 'data section has 6 bytes but the tensors cover 4'],
    ['bad metadata', craft({ __metadata__: { n: 1 } }), '__metadata__.n must be a string'],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => parseSafetensorsBytes(bytes)).toThrow(message);
    expect(() => parseSafetensorsBytes(bytes)).toThrow(/^safetensors: /);
  });

  it('validates what it writes', () => {
    expect(() => writeSafetensorsBytes({ a: { dtype: 'F32', shape: [2], bytes: new Uint8Array(4) } })).toThrow('needs 8 bytes, got 4');
    expect(() => writeSafetensorsBytes({ __metadata__: { dtype: 'U8', shape: [0], bytes: new Uint8Array(0) } })).toThrow('reserved');
  });
});

describe('utf8', async () => {
  const { utf8Decode, utf8Encode } = await import('./safetensors-format');
  it('round-trips names with non-ASCII and rejects malformed bytes', () => {
    for (const s of ['', 'fc1.weight', 'é', '€', '𝔵', 'naïve→𝔵']) {
      expect(utf8Encode(s)).toEqual(new Uint8Array(Buffer.from(s, 'utf8')));
      expect(utf8Decode(utf8Encode(s))).toBe(s);
    }
    expect(() => utf8Decode(new Uint8Array([0xc3]))).toThrow('invalid UTF-8');
    expect(() => utf8Decode(new Uint8Array([0xc0, 0x80]))).toThrow('invalid UTF-8');
    expect(() => utf8Decode(new Uint8Array([0xed, 0xa0, 0x80]))).toThrow('invalid UTF-8');
    expect(() => parseSafetensorsBytes(craft('{"\u00e9":1}'.replace('\u00e9', 'x'), new Uint8Array(0)))).toThrow('entry must be an object');
  });
});
