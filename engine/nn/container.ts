import { Tensor } from '../tensor';
import { Module } from './module';

/**
 * Runs its modules in order, each one's output feeding the next (torch.nn.Sequential). Children are named
 * '0', '1', ..., so parameters are `0.weight`, `0.bias`, `2.weight`, ... as in PyTorch.
 *
 * @example
 * const model = new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
 * model.forward(x);  // x: (N, 1, 28, 28) → (N, 10)
 */
export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...modules: Module[]) {
    super();
    this.layers = modules;
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** The i-th module (negative counts from the end). */
  at(index: number): Module {
    const m = this.layers.at(index);
    if (m === undefined) throw new Error(`Sequential: index ${index} is out of range for ${this.layers.length} modules`);
    return m;
  }

  get length(): number {
    return this.layers.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  /** Appends a module named by its position. */
  append(module: Module): this {
    this.registerModule(String(this.layers.length), module);
    this.layers.push(module);
    return this;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    this.layers.forEach((layer, i) => {
      const out: unknown = layer.forward(x);
      if (!(out instanceof Tensor)) {
        const hint = 'returnLastStep' in layer ? '; give it returnLastStep: true to pass on the last step only' : '';
        throw new Error(`Sequential: layer ${i} (${layer.constructor.name}) returned ${Array.isArray(out) ? 'a tuple' : typeof out}, not a tensor${hint}`);
      }
      x = out;
    });
    return x;
  }
}

/** A list of modules whose parameters are registered (named '0', '1', ...) but which has no forward of its own. */
export class ModuleList extends Module {
  private readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(module: Module): this {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  at(index: number): Module {
    const m = this.items.at(index);
    if (m === undefined) throw new Error(`ModuleList: index ${index} is out of range for ${this.items.length} modules`);
    return m;
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  forward(): never {
    throw new Error('ModuleList: has no forward; call its modules yourself');
  }
}
