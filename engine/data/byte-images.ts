/**
 * Images kept as their uint8 pixels and normalised batch by batch, as torchvision's MNIST keeps `data` as uint8 and
 * applies ToTensor and Normalize to each sample it hands out.
 *
 * ```ts
 * const train = new ByteImageDataset(pixels /* N·28·28 uint8 *\/, [1, 28, 28], labels, 'mnist');
 * const [x, y] = train.getBatch([3, 1, 4]);   // x [3,1,28,28] float32, normalised; y [3] int32
 * ```
 *
 * Why bytes (issue #19): the training set is 47 MB instead of 188 MB of floats, and a batch of 64 random images
 * reads 50 KB instead of 200 KB. A backend with its own K.GatherBytes (wasm) keeps the pixels in its memory,
 * writes the normalised batch where the step's first kernel reads it, and starts fetching the next batch's rows
 * (`upcoming`, which the DataLoader passes) so that they are in the cache when that batch is gathered. Other backends
 * (the CPU reference, gpu.js) gather rows of floats converted once on the first batch, as a float dataset did: in
 * JS a per-byte loop costs twice a float row copy. Both give the bits of `pixelsToFloat32`.
 */
import { getKernel, hasOwnKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { Tensor } from '../tensor';
import { Dataset, gatherRows, type BatchDataset, type TypedData } from './dataset';
import { normalizationAffine, pixelsToFloat32, type ImagesToTensorOptions, type Normalization } from './transforms';

export class ByteImageDataset extends Dataset<[Tensor, Tensor]> implements BatchDataset<[Tensor, Tensor]> {
  /** Each sample's shape, e.g. [1, 28, 28] or [784]. */
  readonly sampleShape: readonly number[];
  /** The labels, int32 [N] (torchvision's `targets`). */
  readonly targets: Tensor;
  private readonly rowLength: number;
  private readonly scale: number;
  private readonly shift: number;
  /** Every image converted to float32 on the first batch of a backend without its own gather, then kept. */
  private floats: Tensor | null = null;

  /**
   * @param pixels N samples of `sampleShape` uint8 values each, sample after sample; not copied, and must not change
   *   afterwards (a backend may keep a copy)
   * @param labels N class indices
   */
  constructor(
    readonly pixels: Uint8Array, sampleShape: readonly number[], labels: ArrayLike<number>, readonly normalize: Normalization = 'scale',
  ) {
    super();
    this.sampleShape = [...sampleShape];
    this.rowLength = sampleShape.reduce((a, b) => a * b, 1);
    if (!(this.rowLength > 0) || pixels.length !== labels.length * this.rowLength) {
      throw new Error(`ByteImageDataset: ${labels.length} labels need ${labels.length * this.rowLength} pixels of [${sampleShape.join(', ')}], got ${pixels.length}`);
    }
    this.targets = new Tensor(Int32Array.from(labels), [labels.length]);
    ({ scale: this.scale, shift: this.shift } = normalizationAffine(normalize));
  }

  get length(): number {
    return this.targets.shape[0];
  }

  getItem(index: number): [Tensor, Tensor] {
    const [x, y] = this.getBatch([index]);
    return [new Tensor(x.data, this.sampleShape), new Tensor(y.data, [])];
  }

  getBatch(indices: ArrayLike<number>, reuse?: ReadonlyArray<TypedData | null>, upcoming?: ArrayLike<number>): [Tensor, Tensor] {
    const rows = this.#checked(indices);
    const y = gatherRows(this.targets, rows, reuse?.[1] ?? null);
    if (!hasOwnKernel(K.GatherBytes)) {
      this.floats ??= new Tensor(pixelsToFloat32(this.pixels, this.normalize), [this.length, ...this.sampleShape]);
      return [gatherRows(this.floats, rows, reuse?.[0] ?? null), y];
    }
    const size = rows.length * this.rowLength;
    const spare = reuse?.[0];
    const out = spare instanceof Float32Array && spare.length === size ? spare : new Float32Array(size);
    getKernel(K.GatherBytes)(this.pixels, this.rowLength, rows, this.scale, this.shift, out, upcoming ? this.#checked(upcoming) : null);
    return [new Tensor(out, [rows.length, ...this.sampleShape]), y];
  }

  #checked(indices: ArrayLike<number>): Int32Array {
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b];
      if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new Error(`ByteImageDataset: index ${i} out of range for length ${this.length}`);
    }
    return Int32Array.from(indices);
  }
}

/**
 * An [x, y] dataset from IDX images and labels, checking that the counts agree: the pixels stay uint8 and each batch
 * is normalised as it is gathered (ByteImageDataset), x as [N,1,H,W] or [N,H·W] per `layout`.
 */
export function imageDataset(
  images: { shape: readonly number[]; data: ArrayLike<number> },
  labels: { shape: readonly number[]; data: ArrayLike<number> },
  options: ImagesToTensorOptions = {},
): ByteImageDataset {
  if (images.shape.length !== 3) throw new Error(`imageDataset: expected images of shape [N,H,W], got [${images.shape.join(', ')}]`);
  if (images.shape[0] !== labels.shape[0]) {
    throw new Error(`imageDataset: ${images.shape[0]} images but ${labels.shape[0]} labels`);
  }
  if (!(images.data instanceof Uint8Array)) throw new Error('imageDataset: expected uint8 pixels (an IDX file of dtype uint8)');
  const [, h, w] = images.shape;
  const sampleShape = (options.layout ?? 'nchw') === 'flat' ? [h * w] : [1, h, w];
  return new ByteImageDataset(images.data, sampleShape, labels.data, options.normalize ?? 'scale');
}
