import { describe, expect, it } from 'vitest';
import { describeIdx, parseIdx, parseIdxHeader, writeIdx, type IdxDType } from './idx';

describe('IDX', () => {
  it('parses a hand-written ubyte file', () => {
    const bytes = new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
    const out = parseIdx(bytes);
    expect(out.dtype).toBe('uint8');
    expect(out.shape).toEqual([2, 3]);
    expect([...out.data]).toEqual([1, 2, 3, 4, 5, 255]);
    expect(out.data.buffer).not.toBe(bytes.buffer); // own buffer, so it can be transferred
    expect(out.data.byteLength).toBe(out.data.buffer.byteLength);
  });

  it.each<[IdxDType, number[]]>([
    ['uint8', [0, 1, 200, 255]],
    ['int8', [-128, -1, 0, 127]],
    ['int16', [-32768, -2, 300, 32767]],
    ['int32', [-2147483648, -5, 70000, 2147483647]],
    ['float32', [-1.5, 0, 0.25, 1048576]],
    ['float64', [-1e-300, 0, Math.PI, 1e300]],
  ])('round-trips %s through writeIdx/parseIdx', (dtype, values) => {
    const bytes = writeIdx({ dtype, shape: [2, 2], data: values });
    const out = parseIdx(bytes);
    expect(out.dtype).toBe(dtype);
    expect(out.shape).toEqual([2, 2]);
    expect([...out.data]).toEqual(values);
  });

  it('writes big-endian values and the MNIST magic', () => {
    const bytes = writeIdx({ shape: [1], data: new Int32Array([0x01020304]) });
    expect([...bytes]).toEqual([0, 0, 0x0c, 1, 0, 0, 0, 1, 1, 2, 3, 4]);
    const images = writeIdx({ shape: [2, 28, 28], data: new Uint8Array(2 * 784) });
    expect([...images.subarray(0, 4)]).toEqual([0, 0, 8, 3]);
    expect(parseIdxHeader(images)).toEqual({ dtype: 'uint8', shape: [2, 28, 28], headerBytes: 16, totalBytes: 16 + 1568 });
  });

  it('reports a wrong byte count with the expected size and shape', () => {
    const header = new Uint8Array(1000);
    header.set([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]);
    expect(() => parseIdx(header)).toThrow('IDX: expected 47040016 bytes for 60000×28×28 ubyte, got 1000');
    const ok = writeIdx({ shape: [3], data: new Uint8Array([1, 2, 3]) });
    const longer = new Uint8Array(ok.length + 1);
    longer.set(ok);
    expect(() => parseIdx(longer, { name: 'labels.idx' })).toThrow('IDX labels.idx: expected 11 bytes for 3 ubyte, got 12');
  });

  it('rejects bad magic, gzip input, unknown dtypes and short headers', () => {
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]))).toThrow('bad magic');
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]))).toThrow('gzip');
    expect(() => parseIdx(new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 0]))).toThrow('unknown dtype code 0x07');
    expect(() => parseIdx(new Uint8Array([0, 0, 8]))).toThrow('too short');
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]))).toThrow('header for 3 dimensions needs 16 bytes, got 8');
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 0]))).toThrow('number of dimensions is 0');
    expect(() => parseIdx(new Uint8Array(0), { name: 'x.idx' })).toThrow(/^IDX x.idx: file too short/);
  });

  it('checks an expected dtype and shape', () => {
    const bytes = writeIdx({ shape: [2, 4, 4], data: new Uint8Array(32) });
    expect(parseIdx(bytes, { dtype: 'uint8', shape: [null, 4, 4] }).shape).toEqual([2, 4, 4]);
    expect(() => parseIdx(bytes, { shape: [null, 28, 28] })).toThrow('expected shape N×28×28, got 2×4×4');
    expect(() => parseIdx(bytes, { shape: [null] })).toThrow('expected shape N, got 2×4×4');
    expect(() => parseIdx(bytes, { dtype: 'int32' })).toThrow('expected dtype int32, got uint8');
  });

  it('accepts empty arrays and names shapes in messages', () => {
    const empty = parseIdx(writeIdx({ shape: [0, 28, 28], data: new Uint8Array(0) }));
    expect(empty.shape).toEqual([0, 28, 28]);
    expect(empty.data.length).toBe(0);
    expect(describeIdx([10000], 'uint8')).toBe('10000 ubyte');
  });

  it('validates writer input', () => {
    expect(() => writeIdx({ shape: [2], data: [1, 2] })).toThrow('dtype is required');
    expect(() => writeIdx({ shape: [3], data: new Uint8Array(2) })).toThrow('needs 3 values, got 2');
    expect(() => writeIdx({ shape: [], data: new Uint8Array(0) })).toThrow('number of dimensions');
    expect(() => writeIdx({ shape: [1.5], data: new Uint8Array(1) })).toThrow('bad dimension');
  });

  it('copies out of a Node Buffer (whose slice() is a view)', () => {
    const bytes = Buffer.from(writeIdx({ shape: [3], data: new Uint8Array([1, 2, 3]) }));
    const out = parseIdx(bytes);
    expect(out.data.byteLength).toBe(out.data.buffer.byteLength);
    bytes[8] = 99;
    expect(out.data[0]).toBe(1);
  });

  it('parses a subarray view at an odd offset', () => {
    const bytes = writeIdx({ shape: [2], data: new Float64Array([1.25, -2]) });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect([...parseIdx(padded.subarray(3)).data]).toEqual([1.25, -2]);
  });
});
