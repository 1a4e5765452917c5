import type { Tensor } from '../tensor';

/** What loadStateDict accepts per key: a Tensor, or anything with a shape and values (e.g. a safetensors entry). */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

export type StateDict = Record<string, Tensor>;

/**
 * Called after a module's forward with the module, its arguments and its output (torch's register_forward_hook).
 * Returning something other than undefined replaces the output, as returning non-None does in torch.
 */
export type ForwardHook = (module: Module, inputs: unknown[], output: any) => unknown;

/** What registerForwardHook returns: `remove()` takes the hook off again (torch's RemovableHandle). */
export interface RemovableHandle {
  remove(): void;
}

let nextHookId = 0;

/** What loadStateDict found, as torch's `_IncompatibleKeys`. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Base class of all layers and models (torch.nn.Module).
 *
 * A subclass registers its parts in the constructor (parameters: trainable tensors; buffers: state that is
 * saved but not trained, like BatchNorm's running_mean; children: sub-modules) and writes `forward`:
 *
 * ```ts
 * class Net extends Module {
 *   readonly fc1 = this.registerModule('fc1', new Linear(784, 128));
 *   readonly fc2 = this.registerModule('fc2', new Linear(128, 10));
 *   forward(x: Tensor): Tensor { return this.fc2.forward(relu(this.fc1.forward(x))); }
 * }
 * ```
 * Names are torch's, so `stateDict()` keys (`fc1.weight`, `0.bias`, `bn.running_mean`) match a PyTorch model's.
 */
export abstract class Module {
  /** True in training mode (Dropout drops, BatchNorm uses batch statistics); set with train()/eval(). */
  training = true;
  // Maps keep insertion order, which is the order of parameters() and stateDict(), as in torch.
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffersMap = new Map<string, Tensor | null>();
  /** Buffers left out of stateDict (torch's persistent=False). */
  private readonly nonPersistent = new Set<string>();
  private readonly moduleMap = new Map<string, Module | null>();
  private readonly forwardHooks = new Map<number, ForwardHook>();
  /** While hooks are on: what `forward` was on this instance before (an own property, or none: the class's). */
  private unhookedForward: PropertyDescriptor | undefined;

  /** Runs the layer. Subclasses narrow the signature, e.g. `forward(input: Tensor): Tensor`. */
  abstract forward(...inputs: any[]): any;

  /** Adds (or replaces) a trainable tensor under `name`; null registers an absent one (Linear's bias=false). */
  registerParameter<T extends Tensor | null>(name: string, param: T): T {
    this.checkName(name, 'parameter');
    if (param !== null) param.requiresGrad = true;
    this.params.set(name, param);
    return param;
  }

  /** Adds state that is saved in stateDict but not trained (running statistics). */
  registerBuffer<T extends Tensor | null>(name: string, buffer: T, { persistent = true } = {}): T {
    this.checkName(name, 'buffer');
    this.buffersMap.set(name, buffer);
    if (persistent) this.nonPersistent.delete(name);
    else this.nonPersistent.add(name);
    return buffer;
  }

  /** Adds a child module; its parameters appear as `${name}.${childParam}`. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    this.checkName(name, 'module');
    this.moduleMap.set(name, module);
    return module;
  }

  private checkName(name: string, kind: string): void {
    if (name === '' || name.includes('.')) {
      throw new Error(`${this.constructor.name}: invalid ${kind} name '${name}' (must be non-empty and contain no '.')`);
    }
    const taken = [this.params, this.buffersMap, this.moduleMap].some((m) => m.has(name));
    const sameKind = (kind === 'parameter' ? this.params : kind === 'buffer' ? this.buffersMap : this.moduleMap).has(name);
    if (taken && !sameKind) throw new Error(`${this.constructor.name}: '${name}' is already registered as another kind`);
  }

  /** Replaces the value of a registered buffer (e.g. num_batches_tracked after an update). */
  protected setBuffer(name: string, value: Tensor): void {
    if (!this.buffersMap.has(name)) throw new Error(`${this.constructor.name}: no buffer named '${name}'`);
    this.buffersMap.set(name, value);
  }

  protected getBuffer(name: string): Tensor | null {
    return this.buffersMap.get(name) ?? null;
  }

  // ---- hooks ----

  /**
   * Calls `hook(module, inputs, output)` after every `forward` of this module, until the handle's `remove()`:
   *
   * ```ts
   * const seen: Tensor[] = [];
   * const handles = [...model.children()].map((m) => m.registerForwardHook((_m, _in, out) => { seen.push(out); }));
   * model.forward(x);                  // seen: every layer's output, in the order they ran
   * for (const h of handles) h.remove();
   * ```
   * JS has no `model(x)` call to intercept, so while hooks are on, this instance's `forward` is a wrapper around
   * the class's; containers call `child.forward(x)` and so run the hooks, as torch's `__call__` does.
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    if (this.forwardHooks.size === 0) this.wrapForward();
    this.forwardHooks.set(id, hook);
    return {
      remove: () => {
        if (this.forwardHooks.delete(id) && this.forwardHooks.size === 0) this.unwrapForward();
      },
    };
  }

  private wrapForward(): void {
    this.unhookedForward = Object.getOwnPropertyDescriptor(this, 'forward');
    const inner = this.forward;
    const hooked = (...inputs: unknown[]): unknown => {
      let output = inner.apply(this, inputs);
      // A copy: a hook may remove itself (or another) while they run.
      for (const hook of [...this.forwardHooks.values()]) {
        const replaced = hook(this, inputs, output);
        if (replaced !== undefined) output = replaced;
      }
      return output;
    };
    Object.defineProperty(this, 'forward', { value: hooked, writable: true, configurable: true, enumerable: false });
  }

  private unwrapForward(): void {
    if (this.unhookedForward) Object.defineProperty(this, 'forward', this.unhookedForward);
    else delete (this as { forward?: unknown }).forward;
    this.unhookedForward = undefined;
  }

  // ---- traversal ----

  /** Direct children with their names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [name, m] of this.moduleMap) if (m !== null) yield [name, m];
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all descendants, depth first, with dotted names ('' for this one). Each appears once. */
  *namedModules(prefix = '', seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
  }

  /** This module and all descendants (torch's modules()). */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted names (`0.weight`, `fc1.bias`); shared tensors appear once. */
  namedParameters(prefix = '', recurse = true): Array<[string, Tensor]> {
    return this.collect(prefix, recurse, (m) => m.params);
  }

  /** All trainable tensors, in registration order: what an optimizer takes. */
  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = '', recurse = true): Array<[string, Tensor]> {
    return this.collect(prefix, recurse, (m) => m.buffersMap);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  private collect(prefix: string, recurse: boolean, pick: (m: Module) => Map<string, Tensor | null>): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    const modules: Array<[string, Module]> = recurse ? [...this.namedModules(prefix)] : [[prefix, this]];
    for (const [modulePrefix, m] of modules) {
      for (const [name, t] of pick(m)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([modulePrefix ? `${modulePrefix}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** Total number of trainable values, e.g. 101770 for Linear(784,128)+Linear(128,10). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Calls fn on every descendant and then on this module (torch's order), e.g. for custom initialisation. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ----

  /**
   * Sets training mode here and in every descendant (each once, as modules()). A plain walk rather than through
   * modules()'s generators and dotted names: the Trainer calls it every batch (Mnist_Logistic: ~1 µs of a ~100 µs step).
   */
  train(mode = true): this {
    this.setTraining(mode, new Set());
    return this;
  }

  private setTraining(mode: boolean, seen: Set<Module>): void {
    if (seen.has(this)) return;
    seen.add(this);
    this.training = mode;
    for (const child of this.moduleMap.values()) child?.setTraining(mode, seen);
  }

  /** Evaluation mode: Dropout passes through, BatchNorm uses its running statistics. Same as train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Zeroes every parameter's gradient (or drops it with setToNone). Optimizer.zeroGrad does the same. */
  zeroGrad(setToNone = false): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else p.grad.data.fill(0);
    }
  }

  /**
   * Re-draws this module's own parameters from their default initialisation (called by constructors).
   * Layers with parameters override it; resetting a whole model is `model.apply((m) => m.resetParameters())`.
   */
  resetParameters(): void {}

  // ---- checkpoints ----

  /**
   * Every parameter and persistent buffer under its dotted torch name, in torch's order (own parameters, own
   * buffers, then children). The tensors are the module's own: save them, don't mutate them.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m.params) if (p !== null) out[key(name)] = p;
      for (const [name, b] of m.buffersMap) if (b !== null && !m.nonPersistent.has(name)) out[key(name)] = b;
    }
    return out;
  }

  /**
   * Copies values into the module's tensors in place (so an optimizer holding them keeps working).
   *
   * Any shape mismatch throws, naming every mismatched key. With `strict` (the default), keys the module has
   * but `state` lacks (missing) or the other way round (unexpected) also throw; with `strict: false` they are
   * returned instead, and nothing is silently skipped: the caller sees exactly what was not loaded.
   *
   * `checkDtype` also refuses a tensor whose dtype differs from the module's (a float64 or int32 tensor for a
   * float32 weight): a file from outside (a learner's .safetensors) should say so, not be quietly converted.
   */
  loadStateDict(
    state: Record<string, TensorLike>, { strict = true, checkDtype = false }: { strict?: boolean; checkDtype?: boolean } = {},
  ): LoadResult {
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !(k in own));
    const mismatches: string[] = [];
    for (const [key, target] of Object.entries(own)) {
      const source = state[key];
      if (source === undefined) continue;
      if (!sameShape(source.shape, target.shape) || source.data.length !== target.size) {
        mismatches.push(`size mismatch for ${key}: copying a param with shape [${source.shape}], the shape in this model is [${target.shape}]`);
      }
      const dtype = (source as { dtype?: unknown }).dtype;
      if (checkDtype && dtype !== undefined && dtype !== target.dtype) {
        mismatches.push(`dtype mismatch for ${key}: copying a param with dtype ${String(dtype)}, the dtype in this model is ${target.dtype}`);
      }
    }
    const problems = [...mismatches];
    if (strict) {
      if (missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    }
    if (problems.length > 0) {
      throw new Error(`${this.constructor.name}.loadStateDict: ${problems.join('; ')}`);
    }
    for (const [key, target] of Object.entries(own)) {
      const source = state[key];
      if (source !== undefined) copyInto(target, source.data);
    }
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** The text inside the parentheses of toString(), e.g. `in_features=784, out_features=10, bias=True`. */
  extraRepr(): string {
    return '';
  }

  /**
   * torch's repr: one line for a leaf (`Linear(in_features=784, out_features=10, bias=True)`), and an indented
   * list of named children for containers.
   */
  toString(): string {
    const name = this.constructor.name;
    const children = [...this.namedChildren()];
    const extra = this.extraRepr();
    if (children.length === 0) return `${name}(${extra})`;
    const lines = extra ? extra.split('\n') : [];
    for (const [childName, child] of children) {
      lines.push(`(${childName}): ${indent(child.toString())}`);
    }
    return `${name}(\n${lines.map((l) => `  ${l}`).join('\n')}\n)`;
  }
}

function indent(text: string): string {
  return text.split('\n').join('\n  ');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function copyInto(target: Tensor, values: ArrayLike<number>): void {
  const data = target.data;
  for (let i = 0; i < data.length; i++) data[i] = values[i];
}

/** A float as Python's repr prints it: 1.0, 0.1, 1e-05. */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  const abs = Math.abs(v);
  if (abs < 1e-4 || abs >= 1e16) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}

/** Formats a value the way torch's repr does (True/False/None, tuples as (a, b)); numbers print as given. */
export function pyRepr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `(${value.map(pyRepr).join(', ')})`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}
