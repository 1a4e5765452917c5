/**
 * Reverse-mode automatic differentiation: grad mode, the graph record (`recordOp`) and the backward pass.
 *
 * Every differentiable op computes its forward with a kernel, then calls `recordOp` with a backward closure that
 * maps the output's gradient to its inputs' gradients. `Tensor.backward()` sorts the graph topologically (an
 * iterative DFS over arrays, so deep graphs cannot overflow the JS stack and the order is deterministic), walks it
 * from the output to the leaves, and accumulates into `.grad` of leaves that require grad.
 *
 * Backward closures run under `noGrad`, so they can be written with ordinary ops (no double backward).
 */
import { deviceInput, getKernel } from './backend/backend';
import * as K from './backend/kernel-names';
import { shapeStr } from './backend/arrays';
import type { FloatArray, TypedArray } from './backend/arrays';
import { Tensor } from './tensor';

/** One recorded op: its inputs and how to turn the output's gradient into theirs (null = no gradient). */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward(grad: Tensor): readonly (Tensor | null | undefined)[];
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Sets grad mode and returns the previous one (prefer `noGrad`/`enableGrad`, which restore it). */
export function setGradEnabled(on: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = on;
  return previous;
}

/** Runs `fn` without recording ops (like `with torch.no_grad():`). Synchronous: do not pass an async function. */
export function noGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` with recording on, even inside `noGrad` (like `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(true);
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Records `out` as the result of op `name` on `inputs`, if grad mode is on and some input requires grad; returns
 * `out`. This is the one helper every op uses: forward via a kernel, backward as a closure right beside it.
 *
 * `backward(g)` receives dL/d(out) (same shape as out) and returns dL/d(input) for each input, in order, each with
 * that input's shape (broadcast inputs: sum the gradient back with `sumToShape`). Return null for an input that
 * needs no gradient; check `input.requiresGrad` to skip costly ones. It runs under noGrad, so use ops freely.
 *
 * Worked example, y = x² (elementwise):
 *
 *   export function square(x: Tensor): Tensor {
 *     const out = new Tensor(getKernel(K.PowScalar)(floatData(x), { exponent: 2 }), x.shape);  // forward
 *     return recordOp(out, 'square', [x], (g) => [mul(g, mul(x, 2))]);                       // dy/dx = 2x
 *   }
 *
 * The closure captures what it needs (x here; often `out` itself, e.g. exp's gradient is g·out).
 */
export function recordOp(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor) => readonly (Tensor | null | undefined)[],
): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  out.gradFn = { name, inputs, backward };
  return out;
}

/** Tensors reachable from `root` through inputs that require grad, ordered so each comes before its inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const postorder: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: Tensor[] = [root];
  const nextInput: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top];
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (nextInput[top] < inputs.length) {
      const child = inputs[nextInput[top]++];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push(child);
        nextInput.push(0);
      }
    } else {
      stack.pop();
      nextInput.pop();
      postorder.push(t);
    }
  }
  return postorder.reverse();
}

/**
 * Whether a leaf may take a gradient's array as its `.grad` instead of a copy, as PyTorch's AccumulateGrad steals a
 * gradient nothing else holds. With `zeroGrad(true)` between steps that saves a copy of every parameter's gradient
 * per step (the MLP's 109k values: a tenth of its step on the wasm backend), and a gradient still on a device (a
 * wasm matmul's dW) stays there for the optimizer's kernel. Only an array no one else can see is
 * taken: not the seed (the caller's `gradient`), not any array of the forward graph (a backward may hand back a
 * tensor it saved), and not one already given to another leaf (an `add` hands the same gradient to both inputs).
 * Leaves only: a retained non-leaf gradient may still be sliced for the leaves below it.
 */
function adoptionGuard(order: Tensor[], seed: Tensor): (g: Tensor, leaf: Tensor) => boolean {
  const seen = new Set<unknown>([storage(seed)]);
  for (const t of order) {
    seen.add(storage(t));
    for (const input of t.gradFn?.inputs ?? []) seen.add(storage(input));
  }
  // By buffer, not by array: two views of one buffer (a cat's backward slices) are not two owners.
  return (g, leaf) => {
    const values = storage(g);
    if (values === undefined || leaf.gradFn !== null || g.dtype !== leaf.dtype || seen.has(values)) return false;
    if (g.hostData === null && !sameShape(g, leaf)) return false;
    seen.add(values);
    return true;
  };
}

/** A tensor's values: its host buffer or, while on a device, its device handle. */
function storage(t: Tensor): unknown {
  return t.hostData?.buffer ?? t.device ?? undefined;
}

/**
 * g as the leaf's gradient: the same tensor, or its host array in the leaf's shape. (A device handle belongs to one
 * tensor: it is released when that tensor downloads it. adoptionGuard lets only a same-shaped one through.)
 */
function adopt(g: Tensor, leaf: Tensor): Tensor {
  if (sameShape(g, leaf)) return g;
  return new Tensor(g.hostData!, leaf.shape);
}

function sameShape(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) if (a.shape[i] !== b.shape[i]) return false;
  return true;
}

/** A float copy of `g` in `dtype`, owning its storage (so later in-place updates cannot alias another grad). */
function ownedCopy(g: Tensor, like: Tensor): Tensor {
  const data = like.dtype === 'float64' ? new Float64Array(g.size) : new Float32Array(g.size);
  data.set(g.data);
  return new Tensor(data, like.shape);
}

function accumulate(a: Tensor, b: Tensor): Tensor {
  const dtype = a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
  // Two paths' gradients meet here (a tensor used twice): on a device backend they are added where they are.
  const values = (t: Tensor): TypedArray => (deviceInput(K.Add, t.device) as TypedArray | null) ?? t.data;
  return new Tensor(getKernel(K.Add)(values(a), a.shape, values(b), b.shape, a.shape, dtype), a.shape);
}

/**
 * Backpropagates from `root`. `gradient` defaults to 1 for a one-element root. Leaf gradients accumulate into
 * `.grad` (in place once it exists); non-leaf tensors get `.grad` only if `retainGrad()` was called on them.
 */
export function runBackward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error('backward: tensor does not require grad (no input had requiresGrad, or it ran under noGrad)');
  }
  let seed: Tensor;
  if (gradient) {
    if (gradient.shape.length !== root.shape.length || gradient.shape.some((d, i) => d !== root.shape[i])) {
      throw new Error(`backward: gradient shape ${shapeStr(gradient.shape)} does not match tensor shape ${shapeStr(root.shape)}`);
    }
    seed = gradient;
  } else {
    if (root.size !== 1) {
      throw new Error(`backward: grad can be implicitly created only for one-element outputs, got shape ${shapeStr(root.shape)}`);
    }
    seed = new Tensor(root.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]), root.shape);
  }

  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const adoptable = adoptionGuard(order, seed);
  const previous = setGradEnabled(false);
  try {
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t); // free intermediate gradients as soon as they are used
      if (!t.gradFn || t.retainsGrad) {
        if (t.grad === null) t.grad = adoptable(g, t) ? adopt(g, t) : ownedCopy(g, t);
        else addInPlace(t.grad.data as FloatArray, g.data);
      }
      if (!t.gradFn) continue;
      const { name, inputs } = t.gradFn;
      const inputGrads = t.gradFn.backward(g);
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i];
        const ig = inputGrads[i];
        if (!input.requiresGrad || ig === null || ig === undefined) continue;
        if (ig.size !== input.size || ig.shape.length !== input.shape.length) {
          throw new Error(
            `backward: ${name} returned a gradient of shape ${shapeStr(ig.shape)} for input ${i} of shape ${shapeStr(input.shape)}`,
          );
        }
        const existing = grads.get(input);
        grads.set(input, existing ? accumulate(existing, ig) : ig);
      }
    }
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * target += source, once per leaf per backward (every parameter's gradient, every step). One loop per array type:
 * a single loop over `ArrayLike<number>` sees Float32Array and Float64Array and runs about 5× slower.
 */
function addInPlace(target: FloatArray, source: ArrayLike<number>): void {
  if (target instanceof Float32Array && source instanceof Float32Array) addFloat32(target, source);
  else if (target instanceof Float64Array && source instanceof Float64Array) addFloat64(target, source);
  else for (let i = 0; i < target.length; i++) target[i] += source[i];
}

function addFloat32(target: Float32Array, source: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}

function addFloat64(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}
