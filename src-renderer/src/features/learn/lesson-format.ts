/**
 * A lesson print as the tutorial's notebook shows it: `tensor(2.2729)`, `torch.Size([50000, 784])`,
 * `tensor(0) tensor(9)`, `0 tensor(0.3012)`. Four decimals, as PyTorch prints a float tensor.
 */
import type { LessonPrint } from '../../../../common/lesson-protocol';

const tensor = (v: number) => `tensor(${fixed(v)})`;

/** PyTorch's default: 4 decimals; whole numbers (an accuracy of 1) keep a trailing point: `tensor(1.)`. */
export function fixed(v: number): string {
  if (Number.isInteger(v)) return `${v}.`;
  if (v !== 0 && Math.abs(v) < 1e-4) return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  return v.toFixed(4);
}

export function formatPrint(print: LessonPrint): string {
  const { values } = print;
  switch (print.format) {
    case 'shape':
      return `torch.Size([${values.join(', ')}])`;
    case 'float':
      return String(values[0]);
    case 'ints':
      return values.map((v) => `tensor(${v})`).join(' ');
    case 'row':
      // an epoch and its loss, or one row of a tensor
      return print.id.includes('valid') ? `${values[0]} ${tensor(values[1])}` : `tensor([${values.map(fixed).join(', ')}])`;
    default:
      return tensor(values[0]);
  }
}

/** The figure a test or a reader compares: the print's last number with PyTorch's 4 decimals. */
export function printedValue(print: LessonPrint): string {
  return fixed(print.values[print.values.length - 1]);
}

/** The `?lessonBatches=N` test setting (LessonState.maxBatches), or null. */
export function lessonBatchesFrom(search: string): number | null {
  const n = Number(new URLSearchParams(search).get('lessonBatches'));
  return Number.isInteger(n) && n >= 1 ? n : null;
}
