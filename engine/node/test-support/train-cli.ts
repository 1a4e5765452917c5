/**
 * For tests that drive the engine's train CLI in process and compare its batch losses with the PyTorch twin's: run
 * it (failing the test on a `train:` error or a non-zero exit) and read the JSON batch lines either side prints.
 */
import { expect } from 'vitest';
import { runTrain } from '../train';

/** `npm run train -- …argv`, in process: its stdout lines. */
export function train(...argv: string[]): string[] {
  const out: string[] = [], err: string[] = [];
  const code = runTrain(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  expect(err.filter((l) => l.startsWith('train:')), err.join('\n')).toEqual([]);
  expect(code).toBe(0);
  return out;
}

/** One `--log-batches` line, from the engine CLI or the twin (which adds `rank` under torchrun). */
export interface BatchLine { epoch: number; batch: number; batches: number; loss: number; rank?: number }

export const batchLines = (lines: string[]): BatchLine[] =>
  lines.filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l)).filter((b) => 'batch' in b);
