/**
 * Evaluation rules kept pure: what a gallery asks the engine for (`run-examples`), turning its answer into
 * examples with their images, and the matrix's own arithmetic.
 */
import type { EngineEvent, EngineRequest } from '../../../../common/engine-protocol';
import { TEST_SET_STATES, type EvaluatedExample, type RunStatus } from '../../../../common/training-protocol';

/** The gallery behind a confusion-matrix cell, or every misclassified example. */
export type Gallery = { kind: 'cell'; label: number; predicted: number } | { kind: 'wrong' };

export interface Example extends EvaluatedExample {
  /** height × width grey pixels, 0…255. */
  pixels: Uint8Array;
  height: number;
  width: number;
  /** One per class: the top three's probabilities, 0 for the rest (what ProbabilityBars draws). */
  probabilities: number[];
}

/**
 * A class as the evaluation views name it: the dataset's own name ('Sneaker' for Fashion-MNIST's class 7, '7' for
 * MNIST's), from the dataset catalogue (DatasetInfo.classes, the list Predict's real digits are named by); the index
 * while the list is not known.
 */
export function className(classes: readonly string[], index: number): string {
  return classes[index] ?? String(index);
}

/** Images per page of a gallery ("Show more" asks for the next one). */
export const GALLERY_PAGE = 48;

/** The `run-examples` request for a page of a gallery, starting at `offset`. */
export function galleryRequest(
  gallery: Gallery, at: { requestId: number; runId: string; split: 'validation' | 'test'; offset: number },
): Extract<EngineRequest, { type: 'run-examples' }> {
  const filter = gallery.kind === 'cell' ? { trueLabel: gallery.label, predictedLabel: gallery.predicted } : { misclassifiedOnly: true };
  return { type: 'run-examples', ...at, ...filter, limit: GALLERY_PAGE };
}

/** A `run-examples` answer as examples, each with its own image and its top-3 as a probability row. */
export function pageExamples(page: Extract<EngineEvent, { type: 'run-examples' }>, classes: number): Example[] {
  const per = page.height * page.width;
  const images = splitImages(decodeBase64(page.pixels), page.examples.length, per);
  return page.examples.map((e, i) => {
    const probabilities = new Array<number>(Math.max(classes, ...e.top.map((c) => c.class + 1))).fill(0);
    for (const c of e.top) probabilities[c.class] = c.probability;
    return { ...e, pixels: images[i], height: page.height, width: page.width, probabilities };
  });
}

/** base64 → bytes (atob exists in browsers and in Node ≥ 16). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Splits count images of `per` pixels. */
export function splitImages(bytes: Uint8Array, count: number, per: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * per, (i + 1) * per));
}

export function diagonal(confusion: readonly (readonly number[])[]): number {
  return confusion.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
}

export function total(confusion: readonly (readonly number[])[]): number {
  return confusion.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
}

/** How dark a cell is: its share of its row (so small classes read as clearly as big ones). */
export function cellShade(confusion: readonly (readonly number[])[], row: number, col: number): number {
  const rowTotal = confusion[row].reduce((a, b) => a + b, 0);
  return rowTotal > 0 ? confusion[row][col] / rowTotal : 0;
}

/** What the test-set lock shows for the followed run: whether it is open, how often it was looked at, and why. */
export interface TestSetLock {
  /** The run has ended (TEST_SET_STATES): "Evaluate on the test set" is enabled. */
  open: boolean;
  /** How many times this run's test set has been evaluated (persisted in its run.json). */
  looks: number;
  /** The message keys (and their parameters) of the explanation: the seed's split, then why not to peek. */
  why: { key: 'eval.why.split' | 'eval.why.splitDefault' | 'eval.why.generic'; params: Record<string, string | number> };
  /** 'eval.looks.none' | 'eval.looks.one' | 'eval.looks.many', with `count`. */
  looksKey: 'eval.looks.none' | 'eval.looks.one' | 'eval.looks.many';
}

/** The lock for a run as its last `run-state` reports it (null: no run followed, nothing to evaluate). */
export function testSetLock(status: RunStatus | null): TestSetLock {
  const looks = status?.testEvaluations ?? 0;
  const split = status?.split ?? null;
  const n = (v: number) => v.toLocaleString('en');
  const why: TestSetLock['why'] = !split
    ? { key: 'eval.why.generic', params: {} }
    : split.seed === null
      ? { key: 'eval.why.splitDefault', params: { train: n(split.train), validation: n(split.validation) } }
      : { key: 'eval.why.split', params: { seed: split.seed, train: n(split.train), validation: n(split.validation) } };
  return {
    open: !!status && TEST_SET_STATES.includes(status.state),
    looks,
    why,
    looksKey: looks === 0 ? 'eval.looks.none' : looks === 1 ? 'eval.looks.one' : 'eval.looks.many',
  };
}
