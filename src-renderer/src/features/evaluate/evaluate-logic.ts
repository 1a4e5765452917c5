/**
 * Evaluation rules kept pure: decoding the sample images the host sends, the examples behind a confusion-matrix
 * cell (most confident first), the misclassified ones, and the matrix's own arithmetic.
 */

export interface Example {
  /** Index in the test split. */
  index: number;
  label: number;
  /** 28×28 grey pixels, 0…255. */
  pixels: Uint8Array;
  probabilities: number[];
  predicted: number;
  confidence: number;
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

const byConfidence = (a: Example, b: Example) => b.confidence - a.confidence || a.index - b.index;

/** Examples whose true class is `label` and that the model called `predicted`, most confident first. */
export function cellExamples(examples: readonly Example[], label: number, predicted: number): Example[] {
  return examples.filter((e) => e.label === label && e.predicted === predicted).sort(byConfidence);
}

/** Every wrong answer, most confidently wrong first. */
export function misclassified(examples: readonly Example[]): Example[] {
  return examples.filter((e) => e.label !== e.predicted).sort(byConfidence);
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
