/** The wasm Adam update against engine/optim's Adam (the reference loop) on the same parameters. */
import { describe, expect, it } from 'vitest';
import { Adam } from '../../optim/index';
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
        step(p, grads[t - 1], m, v, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step: t });
      }
      const want = ref.data;
      for (let i = 0; i < n; i++) expect(Math.abs(p[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]) + 1e-6);
    });
  }
});
