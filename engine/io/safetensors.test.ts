import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '../tensor';
import { loadSafetensors, readSafetensors, saveSafetensors, writeSafetensorsBytes } from './index';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('safetensors state dicts', () => {
  it('loads the state dict PyTorch wrote, with its names and values', () => {
    const { tensors, metadata } = readSafetensors(new Uint8Array(readFileSync(fixture('torch-state.safetensors'))));
    const expected = JSON.parse(readFileSync(fixture('torch-state.json'), 'utf8')) as Record<
      string,
      { dtype: string; shape: number[]; values: number[] }
    >;
    expect(metadata?.format).toBe('pt');
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    const engineDType: Record<string, string> = {
      'torch.float32': 'float32', 'torch.float64': 'float64', 'torch.int32': 'int32', 'torch.int64': 'int32', 'torch.uint8': 'int32',
    };
    for (const [name, want] of Object.entries(expected)) {
      const t = tensors[name];
      expect(t.dtype, name).toBe(engineDType[want.dtype]);
      expect([...t.shape], name).toEqual(want.shape);
      const got = [...t.data];
      want.values.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    }
    expect(tensors['1.num_batches_tracked'].item()).toBe(1);
  });

  it('round-trips a state dict with all engine dtypes and metadata', () => {
    const state = {
      'fc1.weight': tensor(new Float32Array([0.5, -1, 2, 3.25]), [2, 2], { dtype: 'float32' }),
      'fc1.bias': tensor(new Float64Array([1e-300, -7]), [2], { dtype: 'float64' }),
      labels: tensor(new Int32Array([0, -5, 2147483647]), [3], { dtype: 'int32' }),
    };
    const bytes = saveSafetensors(state, { metadata: { epoch: '3' } });
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ epoch: '3' });
    for (const [k, t] of Object.entries(state)) {
      expect(tensors[k].dtype).toBe(t.dtype);
      expect([...tensors[k].shape]).toEqual([...t.shape]);
      expect([...tensors[k].data]).toEqual([...t.data]);
    }
  });

  it('writes requested on-disk dtypes, checking ranges', () => {
    const counter = tensor(new Int32Array([12]), [], { dtype: 'int32' });
    const bytes = saveSafetensors({ n: counter, u: tensor(new Int32Array([0, 255]), [2], { dtype: 'int32' }) }, { dtypes: { n: 'I64', u: 'U8' } });
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(header.n).toEqual({ dtype: 'I64', shape: [], data_offsets: [0, 8] });
    expect(header.u.dtype).toBe('U8');
    expect(loadSafetensors(bytes).n.item()).toBe(12);
    const big = tensor(new Int32Array([256]), [1], { dtype: 'int32' });
    expect(() => saveSafetensors({ big }, { dtypes: { big: 'U8' } })).toThrow('tensor "big": value 256 does not fit U8');
    const w = tensor(new Float32Array([1]), [1], { dtype: 'float32' });
    expect(() => saveSafetensors({ w }, { dtypes: { w: 'I32' } })).toThrow('cannot write float32 as I32');
    expect(() => saveSafetensors({ w }, { dtypes: { nope: 'I32' } })).toThrow('"nope", which is not in the state dict');
  });

  it('decodes F16, BF16 and narrow ints; refuses I64 beyond int32', () => {
    const bytes = writeSafetensorsBytes({
      h: { dtype: 'F16', shape: [3], bytes: new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer) },
      b: { dtype: 'BF16', shape: [1], bytes: new Uint8Array(new Uint16Array([0x3fc0]).buffer) },
      i8: { dtype: 'I8', shape: [2], bytes: new Uint8Array([0xff, 5]) },
      ok: { dtype: 'BOOL', shape: [2], bytes: new Uint8Array([1, 0]) },
    });
    const t = loadSafetensors(bytes);
    expect([...t.h.data][0]).toBe(1);
    expect([...t.h.data][1]).toBe(-2);
    expect([...t.h.data][2]).toBeCloseTo(1 / 3, 3);
    expect([...t.b.data]).toEqual([1.5]);
    expect([...t.i8.data]).toEqual([-1, 5]);
    expect(t.ok.dtype).toBe('int32');
    const wide = writeSafetensorsBytes({ n: { dtype: 'I64', shape: [1], bytes: new Uint8Array(new BigInt64Array([2n ** 40n]).buffer) } });
    expect(() => loadSafetensors(wide)).toThrow('tensor "n": I64 value 1099511627776 at index 0 does not fit int32');
  });
});
