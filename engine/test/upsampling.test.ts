/**
 * nn.ConvTranspose2d and nn.Upsample against PyTorch 1.13 (gen_upsampling_fixtures.py writes fixtures/upsampling.json):
 * forward, input and parameter gradients, state-dict names and shapes, and torch's repr.
 */
import { describe, expect, it } from 'vitest';
import { Tensor } from '../tensor';
import { expectCloseToFlat, loadFixture, type FlatTensor } from './fixtures';
import { mul, sum } from '../ops/index';
import { ConvTranspose2d, Upsample, type ConvTranspose2dOptions, type Module } from '../nn/index';

type Flat = FlatTensor;
interface Case {
  name: string; options: Record<string, unknown> & { args?: [number, number, number | [number, number]] }; repr: string;
  state: Record<string, Flat>; input: Flat; output: Flat; inputGrad: Flat; paramGrads: Record<string, Flat>;
}
// Through loadFixture, as every engine/test file: the browser parity suite serves fixtures by that path.
const fixtures = loadFixture<Case>('upsampling.json');

const toTensor = (f: Flat, requiresGrad = false) => new Tensor(Float32Array.from(f.data), f.shape, requiresGrad);

const expectClose = (actual: Tensor | null, expected: Flat, what: string, tol = 1e-5) => expectCloseToFlat(actual, expected, what, tol);

function make(c: Case): Module {
  const { args, ...options } = c.options;
  if (args) return new ConvTranspose2d(args[0], args[1], args[2], options as ConvTranspose2dOptions);
  return new Upsample(options);
}

describe('ConvTranspose2d and Upsample match torch 1.13', () => {
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const m = make(c);
      expect(m.toString()).toBe(c.repr);
      const names = Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]);
      expect(names).toEqual(Object.entries(c.state).map(([k, t]) => [k, t.shape]));
      expect(m.loadStateDict(c.state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      const x = toTensor(c.input, true);
      const out = m.forward(x) as Tensor;
      expectClose(out, c.output, 'output');
      const coef = new Tensor(Float32Array.from({ length: out.size }, (_, i) => Math.sin(0.37 * i + 0.1)), out.shape);
      sum(mul(out, coef)).backward();
      expectClose(x.grad, c.inputGrad, 'input grad');
      for (const [name, p] of m.namedParameters()) expectClose(p.grad, c.paramGrads[name], `grad of ${name}`);
    });
  }
});

describe('options torch refuses are errors', () => {
  it('ConvTranspose2d: output_padding must be smaller than the stride; padding_mode is not an option', () => {
    expect(() => new ConvTranspose2d(1, 1, 3, { stride: 2, outputPadding: 2 })).toThrow(/output_padding \(2, 2\) must be smaller than stride \(2, 2\)/);
    expect(() => new ConvTranspose2d(3, 4, 3, { groups: 2 })).toThrow(/in_channels 3 must be divisible by groups 2/);
    expect(() => new ConvTranspose2d(1, 1, 3, { paddingMode: 'reflect' } as never)).toThrow(/paddingMode/);
  });

  it('Upsample: exactly one of size and scale_factor, align_corners with bilinear only, no other mode', () => {
    expect(() => new Upsample({})).toThrow(/either size or scale_factor should be defined/);
    expect(() => new Upsample({ size: 4, scaleFactor: 2 })).toThrow(/only one of size or scale_factor/);
    expect(() => new Upsample({ scaleFactor: 2, alignCorners: true })).toThrow(/align_corners option can only be set with the interpolating modes/);
    expect(() => new Upsample({ scaleFactor: 2, mode: 'bicubic' as never })).toThrow(/mode 'bicubic' is not supported/);
    expect(() => new Upsample({ scaleFactor: -1 })).toThrow(/scale_factor must be positive/);
  });
});
