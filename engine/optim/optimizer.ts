import type { Tensor } from '../tensor';
import { getBackend, isDeviceData, keepArray, keepsOnDevice, keepTensor, pinArray, pinTensor, type Backend, type KernelName } from '../backend/backend';
import { neg } from '../ops/elementwise';
import { kernelInput } from '../ops/util';
import { checkOptions } from '../options';

/**
 * Numbers and typed arrays: everything an optimizer keeps per parameter (`step`, `exp_avg`, ...). On a backend that
 * keeps them on its device (`keepsOnDevice`) an array may be that backend's DeviceData, typed as the array it
 * stands for, as kernel inputs are; `stateDict` always gives CPU arrays.
 */
export type ParamState = Record<string, number | Float32Array | Float64Array>;

/** A group of parameters sharing hyper-parameters, as torch's `param_groups` entries. */
export type ParamGroup<O> = O & { params: Tensor[] };

/** What a constructor accepts: a list of parameters, or groups that may override some defaults. */
export type Params<O> = Iterable<Tensor> | Array<{ params: Iterable<Tensor> } & Partial<O>>;

/** The checkpoint form: state keyed by parameter index (flattened over groups, as torch does). */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

type FloatArray = Float32Array | Float64Array;

/**
 * Base class of all optimizers. It owns the parameter groups, zeroGrad, the outer loop of step() and the
 * checkpoint form; a subclass only writes `updateParameter`, the per-parameter update.
 *
 * Hyper-parameters live on the groups (`optimizer.paramGroups[0].lr`), so schedulers can change them.
 */
export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created lazily on the first step that sees a gradient. */
  readonly state = new Map<Tensor, ParamState>();
  /**
   * The kernel `updateParameter` hands the parameter, its gradient and its state to, when it is one kernel: the
   * gradient may then arrive as the active backend's device handle (ops/util.ts `kernelInput`) instead of a CPU
   * array, and on a backend that keeps values on its device (the GPU), the parameter and its state too.
   */
  protected readonly updateKernel: KernelName | null = null;

  /** Whether `updateParameter`'s kernel applies `maximize` itself (SGD's); otherwise step() negates the gradient. */
  protected readonly maximizeInKernel: boolean = false;
  /** The hyper-parameters a group leaves out: the subclass's defaults with the constructor's options over them. */
  readonly defaults: O;

  /**
   * @param defaults every option the optimizer knows, at torch's default; an option not among them (a torch flag
   *   the engine lacks, such as `foreach` or `fused`) is an error, never ignored.
   */
  constructor(params: Params<O>, defaults: O, options: Partial<O> = {}) {
    checkOptions(this.constructor.name, options, Object.keys(defaults));
    this.defaults = { ...defaults, ...options };
    const list = Array.from(params as Iterable<Tensor | ({ params: Iterable<Tensor> } & Partial<O>)>);
    if (list.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    const isGroup = (x: unknown): x is { params: Iterable<Tensor> } & Partial<O> =>
      typeof x === 'object' && x !== null && 'params' in x && !('shape' in x);
    if (list.every(isGroup)) for (const group of list) this.addParamGroup(group);
    else this.addParamGroup({ params: list as Tensor[] } as { params: Tensor[] } & Partial<O>);
  }

  /** Adds a group; options it leaves out take the constructor's defaults. Validates the merged options. */
  addParamGroup(group: { params: Iterable<Tensor> } & Partial<O>): void {
    const { params: _params, ...options } = group;
    checkOptions(`${this.constructor.name} parameter group`, options, Object.keys(this.defaults));
    const params = Array.from(group.params);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (seen.has(p)) throw new Error(`${this.constructor.name}: some parameters appear in more than one group`);
      seen.add(p);
    }
    const merged = { ...this.defaults, ...group, params } as ParamGroup<O>;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /** Throws an Error naming the bad hyper-parameter; called for every group. */
  protected abstract validate(options: O): void;

  /**
   * Updates one parameter in place from its gradient.
   * @param param the parameter's values (written in place)
   * @param grad its gradient's values (read only)
   * @param state this parameter's state; empty `{}` on its first step
   */
  protected abstract updateParameter(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<O>): void;

  /** Sets every gradient to zero (or drops it, with setToNone, so the next backward allocates a fresh one). */
  zeroGrad(setToNone = false): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else p.grad.data.fill(0);
      }
    }
  }

  /**
   * One optimisation step over all parameters that have a gradient. With a closure (which should zero the
   * gradients, run forward and backward, and return the loss), runs it first and returns its loss.
   */
  step(closure?: () => number): number | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        let state = this.state.get(p);
        if (state === undefined) {
          state = {};
          this.state.set(p, state);
        }
        // Into the active backend's memory, where it can hold them: pinned in wasm memory (backend.ts `pinArray`),
        // or kept on the GPU when the update runs there (`keepTensor`). Once per backend, then a lookup. The update
        // and the next forward then use them in place.
        const kernel = this.updateKernel;
        const onDevice = kernel !== null && keepsOnDevice(kernel);
        if (onDevice) keepTensor(p);
        else pinTensor(p);
        placeState(state, onDevice);
        // The gradient stays on the device when the subclass's kernel takes device input (Adam's, on wasm).
        // maximize (torch): the gradient is negated before anything else reads it.
        const g = (group as { maximize?: boolean }).maximize && !this.maximizeInKernel ? neg(p.grad) : p.grad;
        const grad = kernel && g.device ? kernelInput(kernel, g) : g.data;
        this.updateParameter((onDevice ? kernelInput(kernel!, p) : p.data) as FloatArray, grad as FloatArray, state, group);
        if (onDevice) placeState(state, true); // state made by this first update goes to the device now
      }
    }
    return loss;
  }

  /** A deep copy of hyper-parameters and state, with parameters replaced by their index (torch's format). */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const { params, ...hyper } = group;
      const indices: number[] = [];
      for (const p of params) {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = copyState(s);
        indices.push(index++);
      }
      paramGroups.push({ ...copyHyper(hyper), params: indices });
    }
    return { state, paramGroups };
  }

  /** Restores hyper-parameters and state saved by stateDict() from an optimizer over the same parameters. */
  loadStateDict(dict: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new Error(
        `${name}.loadStateDict: saved state has ${dict.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`,
      );
    }
    dict.paramGroups.forEach((saved, g) => {
      if (saved.params.length !== this.paramGroups[g].params.length) {
        throw new Error(
          `${name}.loadStateDict: group ${g} has ${saved.params.length} parameters saved, ${this.paramGroups[g].params.length} here`,
        );
      }
    });
    const newState = new Map<Tensor, ParamState>();
    dict.paramGroups.forEach((saved, g) => {
      const group = this.paramGroups[g];
      saved.params.forEach((savedIndex, k) => {
        const s = dict.state[savedIndex];
        if (s === undefined) return;
        const p = group.params[k];
        for (const [key, value] of Object.entries(s)) {
          if (typeof value !== 'number' && value.length !== p.size) {
            throw new Error(`${name}.loadStateDict: state '${key}' of parameter ${savedIndex} has ${value.length} values, the parameter has ${p.size}`);
          }
        }
        newState.set(p, copyState(s));
      });
    });
    dict.paramGroups.forEach((saved, g) => {
      const { params: _params, ...hyper } = saved;
      Object.assign(this.paramGroups[g], copyHyper(hyper));
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }
}

/** The backend each parameter's state was last placed on: one walk over its arrays per backend, not per step. */
const placedOn = new WeakMap<ParamState, Backend>();

/**
 * A parameter's state arrays into the active backend's memory: kept on its device (`onDevice`) or pinned. A value
 * another backend kept comes back to the CPU first (after a switch of backend), so no kernel reads a handle it
 * does not understand.
 */
function placeState(s: ParamState, onDevice: boolean): void {
  const backend = getBackend();
  if (placedOn.get(s) === backend) return;
  let arrays = 0;
  for (const [key, value] of Object.entries(s)) {
    if (typeof value === 'number') continue;
    let array: FloatArray = value;
    if (isDeviceData(value)) {
      if (value.backend === backend.name && onDevice) continue;
      array = value.read() as FloatArray;
      value.release?.();
    }
    if (array instanceof Float32Array) s[key] = (onDevice ? keepArray(array) : pinArray(array)) as Float32Array;
    else s[key] = array;
    arrays++;
  }
  if (arrays > 0) placedOn.set(s, backend); // state is created on the first update, after this
}

/** A CPU copy of a parameter's state (device values downloaded). */
function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [key, value] of Object.entries(s)) {
    if (typeof value === 'number') out[key] = value;
    else out[key] = isDeviceData(value) ? (value.read() as FloatArray) : value.slice();
  }
  return out;
}

/** Hyper-parameters are numbers, booleans, strings or small tuples (betas); copy the tuples. */
function copyHyper(hyper: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(hyper)) out[key] = Array.isArray(value) ? [...value] : value;
  return out;
}

/** A zero-filled array of the same type and length as `like`. */
export function zerosLike(like: FloatArray): FloatArray {
  return like instanceof Float64Array ? new Float64Array(like.length) : new Float32Array(like.length);
}

/**
 * Validation helper: throws `${optimizer}: invalid ${name} ${value}, expected ${expected}` unless ok.
 * NaN fails every comparison, so `ok` written as a comparison rejects it too.
 */
export function check(optimizer: string, name: string, value: number, ok: boolean, expected: string): void {
  if (!ok || Number.isNaN(value)) throw new Error(`${optimizer}: invalid ${name} ${value}, expected ${expected}`);
}

/** The checks every optimizer makes on lr, eps and weightDecay. */
export function checkCommon(optimizer: string, o: { lr: number; eps?: number; weightDecay?: number }): void {
  check(optimizer, 'learning rate', o.lr, o.lr >= 0, 'lr >= 0');
  if (o.eps !== undefined) check(optimizer, 'eps', o.eps, o.eps >= 0, 'eps >= 0');
  if (o.weightDecay !== undefined) check(optimizer, 'weightDecay', o.weightDecay, o.weightDecay >= 0, 'weightDecay >= 0');
}
