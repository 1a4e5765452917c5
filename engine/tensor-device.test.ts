/**
 * Tensors whose values start on a device (DeviceData): the handle is visible until the first CPU read, which
 * downloads once, keeps the CPU copy and releases the device memory; ops see ordinary data.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceData } from './backend/backend';
import { Tensor, tensor } from './tensor';

function fakeDevice(values: number[]): DeviceData & { reads: number; released: number } {
  return {
    backend: 'fake',
    dtype: 'float32',
    length: values.length,
    reads: 0,
    released: 0,
    read() {
      this.reads++;
      return Float32Array.from(values);
    },
    release() {
      this.released++;
    },
  };
}

describe('Tensor on a device', () => {
  it('holds the handle until the first CPU read, then downloads once and releases the device copy', () => {
    const device = fakeDevice([1, 2, 3, 4]);
    const t = new Tensor(device, [2, 2]);
    expect(t.device).toBe(device);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(4);
    expect(device.reads).toBe(0);
    expect(t.toArray()).toEqual([1, 2, 3, 4]);
    expect(t.device).toBeNull();
    expect(device.reads).toBe(1);
    expect(device.released).toBe(1);
    const data = t.data;
    data[0] = 10; // the CPU copy is now the storage: writes stick
    expect(t.data).toBe(data);
    expect(t.toNested()).toEqual([[10, 2], [3, 4]]);
    expect(device.reads).toBe(1);
  });

  it('works as an op input and through backward like any tensor', () => {
    const w = new Tensor(fakeDevice([1, -2, 3]), [3]).requiresGrad_();
    const loss = w.mul(tensor([2, 2, 2])).relu().sum();
    expect(loss.item()).toBe(8);
    loss.backward();
    expect(w.grad!.toArray()).toEqual([2, 0, 2]);
  });

  it('checks the length up front and the read-back values', () => {
    expect(() => new Tensor(fakeDevice([1, 2, 3]), [2, 2])).toThrow('needs 4 elements, got 3');
    const liar: DeviceData = { backend: 'liar', dtype: 'float32', length: 2, read: () => new Float32Array(3) };
    expect(() => new Tensor(liar, [2]).data).toThrow("device data from 'liar' read back 3 float32 values, expected 2 float32");
  });

  it('detach of a device tensor downloads first, so the two share one CPU array', () => {
    const t = new Tensor(fakeDevice([5, 6]), [2]);
    const d = t.detach();
    expect(d.data).toBe(t.data);
  });
});
