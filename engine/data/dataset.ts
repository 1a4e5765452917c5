/**
 * Datasets the PyTorch way: a Dataset maps an index to a sample; a TensorDataset wraps tensors that share their
 * first dimension; a Subset views a dataset through a list of indices (what randomSplit returns).
 *
 * Batching fast path: datasets that can produce a whole batch at once implement `getBatch(indices)` (a
 * `BatchDataset`). TensorDataset does it with one gather-copy per tensor instead of building a tensor per sample,
 * and Subset passes it through. The DataLoader uses it when present, and may pass arrays of a batch that its user
 * handed back (DataLoader.release) for the gather to write into, instead of new ones.
 */
import { Tensor } from '../tensor';

/** A sample: a tuple of tensors, typically [x, y]. */
export type Sample = Tensor[];

export abstract class Dataset<Item extends Sample = [Tensor, Tensor]> {
  abstract getItem(index: number): Item;
  abstract get length(): number;
}

/** A dataset that can gather many samples at once; each returned tensor has the batch as its first dimension. */
export interface BatchDataset<Item extends Sample = [Tensor, Tensor]> extends Dataset<Item> {
  /**
   * @param reuse per tensor of the sample, an array the batch may be gathered into instead of a new one (used only
   *   where its type and length fit; its old values are overwritten)
   * @param upcoming the indices of the batch that will be asked for next, which the dataset may start reading from
   *   memory (a hint: ByteImageDataset on the wasm backend uses it)
   */
  getBatch(indices: ArrayLike<number>, reuse?: ReadonlyArray<TypedData | null>, upcoming?: ArrayLike<number>): Item;
}

export function isBatchDataset<Item extends Sample>(dataset: Dataset<Item>): dataset is BatchDataset<Item> {
  return typeof (dataset as Partial<BatchDataset<Item>>).getBatch === 'function';
}

function checkIndex(index: number, length: number, who: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${who}: index ${index} out of range for length ${length}`);
  }
}

type Data = Float32Array | Float64Array | Int32Array;
/** The arrays a batch tensor can hold. */
export type TypedData = Data;

/**
 * Copies rows `indices` of a [N, ...rest] tensor into a new [indices.length, ...rest] tensor: into `reuse` when it
 * is of the source's type and the batch's length, else into a new array. Reusing matters on a training loop's
 * scale: a new 200 KB batch array every step (MNIST at batch 64) cost the allocator and the garbage collector's
 * threads more CPU time than Mnist_Logistic's whole forward and backward (issue #19).
 */
export function gatherRows(source: Tensor, indices: ArrayLike<number>, reuse: TypedData | null = null): Tensor {
  const n = source.shape[0];
  const rest = source.shape.slice(1);
  const row = rest.reduce((a: number, b: number) => a * b, 1);
  const src = source.data as Data;
  const size = indices.length * row;
  const out = reuse !== null && reuse.constructor === src.constructor && reuse.length === size
    ? reuse
    : new (src.constructor as new (n: number) => Data)(size);
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b];
    checkIndex(i, n, 'gatherRows');
    if (row === 1) out[b] = src[i];
    else out.set(src.subarray(i * row, (i + 1) * row), b * row);
  }
  return new Tensor(out, [indices.length, ...rest]); // wraps the fresh array: the gather is the only copy
}

/**
 * Wraps tensors that share the first dimension: sample i is [t0[i], t1[i], ...].
 * Example: `new TensorDataset(images /* [N,1,28,28] float32 *\/, labels /* [N] int32 *\/)`.
 */
export class TensorDataset<Item extends Sample = [Tensor, Tensor]> extends Dataset<Item> implements BatchDataset<Item> {
  readonly tensors: Item;

  constructor(...tensors: Item) {
    super();
    if (tensors.length === 0) throw new Error('TensorDataset: needs at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, k) => {
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${k} is a scalar; each needs a first (sample) dimension`);
      if (t.shape[0] !== n) {
        throw new Error(`TensorDataset: size mismatch, tensor 0 has ${n} samples but tensor ${k} has shape [${t.shape.join(', ')}]`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Item {
    checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => {
      const rest = t.shape.slice(1);
      const row = rest.reduce((a: number, b: number) => a * b, 1);
      const data = (t.data as Data).slice(index * row, (index + 1) * row);
      return new Tensor(data, rest);
    }) as Item;
  }

  getBatch(indices: ArrayLike<number>, reuse?: ReadonlyArray<TypedData | null>): Item {
    return this.tensors.map((t, k) => gatherRows(t, indices, reuse?.[k] ?? null)) as Item;
  }
}

/** A view of `dataset` through `indices`; sample i is dataset[indices[i]]. */
export class Subset<Item extends Sample = [Tensor, Tensor]> extends Dataset<Item> implements BatchDataset<Item> {
  readonly indices: Int32Array;

  constructor(readonly dataset: Dataset<Item>, indices: ArrayLike<number>) {
    super();
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) checkIndex(i, dataset.length, 'Subset');
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): Item {
    checkIndex(index, this.length, 'Subset');
    return this.dataset.getItem(this.indices[index]);
  }

  getBatch(indices: ArrayLike<number>, reuse?: ReadonlyArray<TypedData | null>, upcoming?: ArrayLike<number>): Item {
    const mapped = this.#map(indices);
    return isBatchDataset(this.dataset)
      ? this.dataset.getBatch(mapped, reuse, upcoming && this.#map(upcoming))
      : collate(mapped, (i) => this.dataset.getItem(i));
  }

  /** Indices into this subset as indices into the dataset under it. */
  #map(indices: ArrayLike<number>): Int32Array {
    const mapped = new Int32Array(indices.length);
    for (let b = 0; b < indices.length; b++) {
      checkIndex(indices[b], this.length, 'Subset');
      mapped[b] = this.indices[indices[b]];
    }
    return mapped;
  }
}

/**
 * Stacks per-sample tensors into batch tensors (torch's default_collate for tensor tuples): for each slot k the
 * result has shape [B, ...sample[k].shape].
 */
export function collate<Item extends Sample>(indices: ArrayLike<number>, getItem: (i: number) => Item): Item {
  const items: Item[] = [];
  for (let b = 0; b < indices.length; b++) items.push(getItem(indices[b]));
  if (items.length === 0) throw new Error('collate: empty batch');
  return items[0].map((first, k) => {
    const size = first.size;
    const out = new ((first.data as Data).constructor as new (n: number) => Data)(items.length * size);
    items.forEach((item, b) => {
      const t = item[k];
      if (t.shape.length !== first.shape.length || t.shape.some((d: number, j: number) => d !== first.shape[j])) {
        throw new Error(`collate: sample ${b} slot ${k} has shape [${t.shape.join(', ')}], expected [${first.shape.join(', ')}]`);
      }
      out.set(t.data as Data, b * size);
    });
    return new Tensor(out, [items.length, ...first.shape]);
  }) as Item;
}
