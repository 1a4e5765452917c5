/**
 * The wasm SGD update against the CPU kernel (engine/backend/cpu/optim.ts sgdStep) over several steps, every option:
 * float32 arithmetic against the reference's f64, so within 1e-5 relative. Pinned arrays are updated in place, a
 * resident gradient is read in place, and what the kernel cannot take goes to the CPU kernel.
 */
import { describe, expect, it } from 'vitest';
import { cpuKernels } from '../cpu/index';
import type { SgdStepAttrs } from '../cpu/optim';
import { Random } from '../../random';
import { ResidentStore, WasmData } from './resident';
import { WasmRuntime } from './runtime';
import { MIN_SGD_VALUES, wasmSgdStep } from './sgd';

const rng = new Random(11);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 * Math.abs(expected[i]) + 1e-6)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const options: Array<[string, Omit<SgdStepAttrs, 'first'>]> = [
  ['plain', { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }],
  ['momentum, dampening', { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0, nesterov: false, maximize: false }],
  ['nesterov, weight decay', { lr: 0.05, momentum: 0.8, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: false }],
  ['maximize, weight decay', { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.1, nesterov: false, maximize: true }],
];

describe('wasm SGD step', () => {
  for (const [name, attrs] of options) {
    it(`matches the CPU kernel over 4 steps (${name}), odd length, copied or pinned`, () => {
      const n = 1031;
      const init = randn(n);
      const grads = Array.from({ length: 4 }, () => randn(n));
      const buffer = attrs.momentum !== 0;
      const ref = { p: init.slice(), b: buffer ? new Float32Array(n) : null };
      for (let t = 0; t < 4; t++) cpuKernels.SgdStep(ref.p, grads[t], ref.b, { ...attrs, first: t === 0 });
      for (const pinned of [false, true]) {
        const rt = new WasmRuntime({ shared: true });
        const step = wasmSgdStep(rt);
        const p = pinned ? rt.pin(init.slice())! : init.slice();
        const b = buffer ? (pinned ? rt.pin(new Float32Array(n))! : new Float32Array(n)) : null;
        for (let t = 0; t < 4; t++) step(p, grads[t], b, { ...attrs, first: t === 0 });
        expect(rt.pinnedPointer(p) !== undefined).toBe(pinned);
        expectNear(p, ref.p);
        if (b) expectNear(b, ref.b!);
      }
    });
  }

  it('reads a resident gradient (a Linear weight\'s, from its matmul) in place', () => {
    const n = 7840;
    const rt = new WasmRuntime({ shared: true });
    const store = new ResidentStore(rt, 'wasm');
    const g = randn(n);
    rt.reset();
    const handle = store.alloc(n);
    rt.f32.set(g, handle.ptr >> 2);
    const p = rt.pin(randn(n))!;
    const want = p.slice();
    const attrs = { ...options[0][1], first: false };
    cpuKernels.SgdStep(want, g, null, attrs);
    wasmSgdStep(rt)(p, handle as unknown as Float32Array, null, attrs);
    expect(handle).toBeInstanceOf(WasmData);
    expect(handle.resident).toBe(true); // not downloaded
    expectNear(p, want);
  });

  it('leaves float64 and small parameters to the CPU kernel, with its exact values', () => {
    const rt = new WasmRuntime({ shared: true });
    const attrs = { ...options[2][1], first: true };
    for (const [p, g] of [[Float64Array.from(randn(2000)), Float64Array.from(randn(2000))], [randn(MIN_SGD_VALUES - 1), randn(MIN_SGD_VALUES - 1)]]) {
      const want = p.slice(), wantBuffer = new (p.constructor as Float32ArrayConstructor)(p.length);
      const buffer = new (p.constructor as Float32ArrayConstructor)(p.length);
      cpuKernels.SgdStep(want, g, wantBuffer, attrs);
      wasmSgdStep(rt)(p, g, buffer, attrs);
      expect(Array.from(p)).toEqual(Array.from(want));
      expect(Array.from(buffer)).toEqual(Array.from(wantBuffer));
    }
  });
});
