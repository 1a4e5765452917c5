/**
 * The examples behind a run's last evaluation of a split, kept in memory so the confusion matrix's cell galleries
 * and the misclassified gallery cover the whole split, not a sample: one small record per image (10,000 test images
 * are well under a megabyte), sorted once, most confident first, and the split's pixels, which the run's dataset
 * holds anyway. A query filters, pages, and copies the page's images out.
 *
 * The images travel with the answer rather than through main's dataset API: the engine host already holds the very
 * pixels it evaluated, so one request gives the renderer a consistent page, and main does not inflate the dataset
 * files again for every page.
 */
import type { DatasetImages, EvaluatedExample, TrainingRequest } from '../../../common/training-protocol';
import { RUN_EXAMPLES_DEFAULT } from '../../../common/training-protocol';

const TOP = 3;

/** The `k` most probable classes of one probability row, most probable first (ties: the lower class). */
export function topClasses(row: ArrayLike<number>, k = TOP): EvaluatedExample['top'] {
  const order = Array.from({ length: row.length }, (_, j) => j).sort((a, b) => row[b] - row[a] || a - b);
  return order.slice(0, k).map((j) => ({ class: j, probability: row[j] }));
}

export type ExampleQuery = Pick<
  Extract<TrainingRequest, { type: 'run-examples' }>, 'trueLabel' | 'predictedLabel' | 'misclassifiedOnly' | 'offset' | 'limit'
>;

export interface ExamplePage {
  total: number;
  offset: number;
  examples: EvaluatedExample[];
  height: number;
  width: number;
  /** examples.length × height × width bytes, base64. */
  pixels: string;
}

export class EvaluatedExamples {
  readonly #sorted: EvaluatedExample[];

  /** `images`: the file the indices point into (the training file for validation, the test file for test). */
  constructor(examples: EvaluatedExample[], readonly images: DatasetImages) {
    this.#sorted = [...examples].sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  }

  get size(): number {
    return this.#sorted.length;
  }

  query(q: ExampleQuery): ExamplePage {
    const matching = this.#sorted.filter((e) =>
      (q.trueLabel === undefined || e.label === q.trueLabel)
      && (q.predictedLabel === undefined || e.predicted === q.predictedLabel)
      && (!q.misclassifiedOnly || e.label !== e.predicted));
    const offset = q.offset ?? 0;
    const examples = matching.slice(offset, offset + (q.limit ?? RUN_EXAMPLES_DEFAULT));
    const { height, width } = this.images;
    const per = height * width;
    const pixels = Buffer.alloc(examples.length * per);
    examples.forEach((e, i) => pixels.set(this.images.images.subarray(e.index * per, (e.index + 1) * per), i * per));
    return { total: matching.length, offset, examples, height, width, pixels: pixels.toString('base64') };
  }
}
