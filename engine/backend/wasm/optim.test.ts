/** The wasm Adam update against engine/optim's Adam (the reference loop) on the same parameters. */
import { describe, expect, it } from 'vitest';
import { Adam, AdamW } from '../../optim/index';
import { cpuKernels } from '../cpu/index';
import { Random } from '../../random';
import { Tensor } from '../../tensor';
import { wasmAdamStep } from './optim';
import { WasmRuntime } from './runtime';

describe('wasm Adam step', () => {
  for (const weightDecay of [0, 0.01]) {
    it(`matches engine/optim's Adam over 5 steps (weight decay ${weightDecay}), odd length`, () => {
      const rng = new Random(5);
      const n = 1027;
      const init = Float32Array.from({ length: n }, () => rng.normal());
      const grads = Array.from({ length: 5 }, () => Float32Array.from({ length: n }, () => rng.normal()));
      const ref = new Tensor(init.slice(), [n], true);
      const adam = new Adam([ref], { lr: 0.01, weightDecay });
      const step = wasmAdamStep(new WasmRuntime());
      const p = init.slice(), m = new Float32Array(n), v = new Float32Array(n);
      for (let t = 1; t <= 5; t++) {
        ref.grad = new Tensor(grads[t - 1].slice(), [n]);
        adam.step();
        step(p, grads[t - 1], m, v, null, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step: t });
      }
      const want = ref.data;
      for (let i = 0; i < n; i++) expect(Math.abs(p[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]) + 1e-6);
    });
  }

  it("matches engine/optim's AdamW (decoupled decay) over 3 steps", () => {
    const rng = new Random(6);
    const n = 2051;
    const init = Float32Array.from({ length: n }, () => rng.normal());
    const ref = new Tensor(init.slice(), [n], true);
    const adamw = new AdamW([ref], { lr: 0.01, weightDecay: 0.1 });
    const step = wasmAdamStep(new WasmRuntime());
    const p = init.slice(), m = new Float32Array(n), v = new Float32Array(n);
    for (let t = 1; t <= 3; t++) {
      const g = Float32Array.from({ length: n }, () => rng.normal());
      ref.grad = new Tensor(g.slice(), [n]);
      adamw.step();
      step(p, g, m, v, null, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledDecay: 0.001, step: t });
    }
    const want = ref.data;
    for (let i = 0; i < n; i++) expect(Math.abs(p[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]) + 1e-6);
  });

  it('hands float64, AMSGrad and small parameters to the CPU kernel (bit for bit)', () => {
    const step = wasmAdamStep(new WasmRuntime());
    const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    const cases: [Float32Array | Float64Array, boolean][] = [[new Float64Array(2000), false], [new Float32Array(2000), true], [new Float32Array(10), false]];
    for (const [like, ams] of cases) {
      const make = () => {
        const rng = new Random(7);
        const arr = () => { const a = like.slice(); for (let i = 0; i < a.length; i++) a[i] = rng.normal(); return a; };
        return [arr(), arr(), like.slice(), like.slice(), ams ? like.slice() : null] as const;
      };
      const [p1, g1, m1, v1, x1] = make();
      const [p2, g2, m2, v2, x2] = make();
      step(p1, g1, m1, v1, x1, attrs);
      cpuKernels.AdamStep(p2, g2, m2, v2, x2, attrs);
      expect(Array.from(p1)).toEqual(Array.from(p2));
      expect(Array.from(v1)).toEqual(Array.from(v2));
    }
  });
});

describe('wasm adam kernel on short lengths', () => {
  // Threads hand the kernel ranges of any length (a large update's last chunk), and its SIMD loop tests its bound
  // at the bottom (assembly/optim.ts): below 4 values it must not run at all.
  it('updates exactly n values for every n from 0 to 11, as the CPU kernel does', () => {
    const rt = new WasmRuntime({ shared: true });
    const rng = new Random(11);
    const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 2 };
    const stepSize = attrs.lr / (1 - attrs.beta1 ** 2), bc2Sqrt = Math.sqrt(1 - attrs.beta2 ** 2);
    for (let n = 0; n < 12; n++) {
      const size = n + 8; // 8 guard values past the end, which must stay as they are
      const init = [0, 1, 2, 3].map(() => Float32Array.from({ length: size }, () => Math.abs(rng.normal())));
      const [p, g, m, v] = init.map((a) => rt.pin(a.slice())!);
      const ptr = (a: Float32Array) => rt.pinnedPointer(a)!;
      rt.exports.adam(ptr(p), ptr(g), ptr(m), ptr(v), n, attrs.beta1, attrs.beta2, attrs.eps, attrs.weightDecay, stepSize, bc2Sqrt);
      const cpu = init.map((a) => a.slice(0, n));
      cpuKernels.AdamStep(cpu[0], cpu[1], cpu[2], cpu[3], null, attrs);
      for (const [k, out] of [p, m, v].entries()) {
        const want = cpu[k === 0 ? 0 : k + 1];
        for (let i = 0; i < n; i++) expect(Math.abs(out[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]) + 1e-6);
        expect(Array.from(out.subarray(n))).toEqual(Array.from(init[k === 0 ? 0 : k + 1].subarray(n)));
      }
      expect(Array.from(g)).toEqual(Array.from(init[1]));
    }
  });
});

describe('wasm Adam step on decaying moments', () => {
  // From 128 values (MIN_ADAM_VALUES: the MLP's first bias) the update is the wasm kernel's.
  for (const n of [128, 2048]) {
    it(`flushes subnormal moments to zero and moves the parameters exactly as the CPU kernel does (${n} values)`, () => {
      const rng = new Random(9);
      const init = Float32Array.from({ length: n }, () => rng.normal());
      // Moments as a pixel that is almost always 0 leaves them: decayed to just above the smallest normal float32,
      // so that this step takes them below it.
      const m0 = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1.2e-38 : -1.25e-38));
      const v0 = Float32Array.from({ length: n }, () => 1.176e-38); // just above the smallest normal: one step takes both below
      const grad = new Float32Array(n);
      grad[7] = 0.5; // one live gradient among the zeros
      const attrs = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 500 };
      const cpu = { p: init.slice(), m: m0.slice(), v: v0.slice() };
      cpuKernels.AdamStep(cpu.p, grad, cpu.m, cpu.v, null, attrs);
      const wasm = { p: init.slice(), m: m0.slice(), v: v0.slice() };
      wasmAdamStep(new WasmRuntime())(wasm.p, grad, wasm.m, wasm.v, null, attrs);
      expect(Array.from(wasm.p)).toEqual(Array.from(cpu.p));
      expect(cpu.m.some((x) => x !== 0 && Math.abs(x) < 1.17549435e-38)).toBe(true); // the CPU kernel keeps subnormals
      expect(wasm.m.every((x, i) => (i === 7 ? x !== 0 : x === 0))).toBe(true);
      expect(wasm.v.every((x, i) => (i === 7 ? x !== 0 : x === 0))).toBe(true);
    });
  }
});
