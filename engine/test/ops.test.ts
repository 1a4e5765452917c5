/**
 * PyTorch parity of every functional op (engine/ops), forward and backward, from fixtures/ops.json.
 * Backward: out.backward(g) with torch's fixed upstream gradient g, then every input's .grad against torch's.
 * Comparisons (eq, gt, ...) return bool in torch and 0/1 floats in the engine: their values are compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, listBackends, setBackend } from '../backend/index';
import * as ops from '../ops/index';
import type { Tensor } from '../tensor';
import { expectClose, F32, F64, isTensorJSON, loadFixture, toTensor, type TensorJSON, type Tolerance } from './fixtures';

interface OpCase {
  name: string;
  op: string;
  inputs: Array<TensorJSON | number | null>;
  args: unknown[] | Record<string, unknown>;
  out: TensorJSON;
  grad_out?: TensorJSON;
  grads?: Array<TensorJSON | null>;
  after?: { running_mean: TensorJSON; running_var: TensorJSON };
}

type Input = Tensor | number | undefined;
type Call = (inputs: Input[], args: unknown) => Tensor;
const fns = ops as unknown as Record<string, ((...a: unknown[]) => Tensor) | undefined>;

/** null in a fixture's args means "left out" (clamp with only a max). */
const list = (args: unknown) => (args as unknown[]).map((a) => (a === null ? undefined : a));

/** Ops whose engine signature is not (tensors..., args...). */
const special: Record<string, Call> = {
  cat: (inputs, args) => fns.cat!(inputs, ...list(args)),
  gather: ([x, index], args) => fns.gather!(x, (args as number[])[0], index),
  conv2d: ([x, w, b], args) => fns.conv2d!(x, w, b, args),
  maxPool2d: ([x], args) => fns.maxPool2d!(x, args),
  avgPool2d: ([x], args) => fns.avgPool2d!(x, args),
  batchNorm: ([x, rm, rv, w, b], args) => {
    const { training, momentum, eps } = args as { training: boolean; momentum: number; eps: number };
    return fns.batchNorm!(x, rm, rv, w, b, training, momentum, eps);
  },
};

function call(c: OpCase, inputs: Input[]): Tensor {
  const fn = special[c.op] ?? ((xs: Input[], args: unknown) => fns[c.op]!(...xs, ...list(args)));
  return fn(inputs, c.args);
}

/** Per-op tolerances where float32 cannot give 1e-5 relative (keys: case or op names). None needed so far. */
const tolerance: Record<string, Tolerance> = {};

const fixture = loadFixture<OpCase>('ops.json');
const fixture64 = loadFixture<OpCase>('ops_f64.json');
const byOp = new Map<string, OpCase[]>();
for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
for (const c of fixture64.cases) byOp.get(c.op)!.push({ ...c, name: `${c.name} (float64)` });

// Every registered backend runs the same cases (tfjs's ALL_ENVS); today that is the CPU reference only.
describe.each(listBackends())(`ops match PyTorch ${fixture.torch} on backend %s`, (backend) => {
  const previous = getBackend().name;
  beforeAll(() => setBackend(backend));
  afterAll(() => setBackend(previous));
  for (const [op, cases] of byOp) {
    describe.skipIf(typeof fns[op] !== 'function')(op, () => {
      for (const c of cases) {
        it(c.name, () => {
          const f64 = c.out.dtype === 'float64';
          // float64 tensors (ops_f64.json, casts) are held to F64, float32 ones to the op's tolerance
          const tolFor = (j: TensorJSON) => (j.dtype === 'float64' ? F64 : (tolerance[c.name] ?? tolerance[op] ?? F32));
          const withGrad = c.grads !== undefined;
          const inputs: Input[] = c.inputs.map((j, i) =>
            j === null ? undefined : isTensorJSON(j) ? toTensor(j, { requiresGrad: withGrad && c.grads![i] !== null }) : j,
          );
          const out = call(c, inputs);
          if (c.out.dtype === 'bool') {
            expect(Array.from(out.data)).toEqual(c.out.data);
            expect([...out.shape]).toEqual(c.out.shape);
          } else if (c.out.dtype === 'int32') {
            expect(out.dtype).toBe('int32');
            expect(Array.from(out.data)).toEqual(c.out.data);
            expect([...out.shape]).toEqual(c.out.shape);
          } else {
            expect(out.dtype, `${c.name} dtype`).toBe(f64 ? 'float64' : 'float32');
            expectClose(out, c.out, `${c.name} forward`, tolFor(c.out));
          }
          if (c.after) {
            expectClose(inputs[1] as Tensor, c.after.running_mean, `${c.name} running_mean after`, tolFor(c.after.running_mean));
            expectClose(inputs[2] as Tensor, c.after.running_var, `${c.name} running_var after`, tolFor(c.after.running_var));
          }
          if (!withGrad) return;
          out.backward(toTensor(c.grad_out!));
          c.grads!.forEach((g, i) => {
            if (g === null) return;
            const grad = (inputs[i] as Tensor).grad;
            expect(grad?.dtype, `${c.name} grad ${i} dtype`).toBe((inputs[i] as Tensor).dtype);
            expectClose(grad, g, `${c.name} grad of input ${i}`, tolFor(g));
          });
        });
      }
    });
  }
});
