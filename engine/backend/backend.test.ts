import { afterEach, describe, expect, it } from 'vitest';
import { cpuBackend, getBackend, getKernel, listBackends, registerBackend, setBackend } from './backend';
import { cpuKernels } from './cpu/index';
import * as K from './kernel-names';
import { add, matmul } from '../ops/index';
import { tensor } from '../tensor';

describe('backend registry', () => {
  afterEach(() => setBackend('cpu'));

  it('starts with only the CPU reference backend active', () => {
    expect(getBackend()).toBe(cpuBackend);
    expect(listBackends()).toContain('cpu');
  });

  it('the CPU backend implements every declared kernel name', () => {
    const names = Object.values(K);
    for (const name of names) expect(cpuKernels).toHaveProperty(name);
    expect(Object.keys(cpuKernels).sort()).toEqual([...names].sort());
  });

  it('a partial backend overrides its kernels and falls back to CPU for the rest', () => {
    let calls = 0;
    registerBackend({
      name: 'counting',
      kernels: {
        [K.Add]: (...args: Parameters<typeof cpuKernels.Add>) => {
          calls++;
          return cpuKernels[K.Add](...args);
        },
      },
    });
    setBackend('counting');
    expect(getKernel(K.Add)).not.toBe(cpuKernels[K.Add]);
    expect(getKernel(K.Mul)).toBe(cpuKernels[K.Mul]);
    expect(add(tensor([1]), tensor([2])).toArray()).toEqual([3]);
    expect(matmul(tensor([[1, 2]]), tensor([[3], [4]])).toArray()).toEqual([11]);
    expect(calls).toBe(1);
  });

  it('setBackend rejects unknown names', () => {
    expect(() => setBackend('webgpu')).toThrow("setBackend: unknown backend 'webgpu'");
  });
});
