/**
 * The catalogue is the one registry of pieces (catalogue.ts): no other file may hold a `switch` over piece names,
 * since a second copy of a fact drifts. Facts about a piece go on its row; the engine's factories are keyed by name
 * (engine/model-spec/registry.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_OPS, LAYER_OPS, LOSS_CATALOGUE, MERGE_OPS, OP_CATALOGUE, OPS, OPTIMIZER_CATALOGUE, PIECES, SCHEDULER_CATALOGUE, idPrefix,
} from './index';

const root = join(__dirname, '..', '..');
const WINGS = ['common', 'engine', 'src-main', 'src-renderer/src', 'scripts'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

describe('the catalogue is the single registry', () => {
  it('gives every piece a distinct name across ops, losses, optimizers and schedulers', () => {
    const total = [OP_CATALOGUE, LOSS_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE].reduce((n, c) => n + Object.keys(c).length, 0);
    expect(Object.keys(PIECES)).toHaveLength(total);
  });

  it('leaves no switch over piece names outside the registry', () => {
    const names = Object.keys(PIECES).join('|');
    const caseOfPiece = new RegExp(`\\bcase\\s+['"](${names})['"]\\s*:`);
    const offenders = WINGS.flatMap((wing) => sources(join(root, wing)))
      .filter((file) => caseOfPiece.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('takes the op names from the rows: each row is keyed by its op, and the lists group them by category', () => {
    for (const [key, info] of Object.entries(OP_CATALOGUE)) expect(info.op).toBe(key);
    expect([...OPS].sort()).toEqual(Object.keys(OP_CATALOGUE).sort());
    expect(ACTIVATION_OPS).toContain('ReLU');
    expect(ACTIVATION_OPS.every((op) => OP_CATALOGUE[op].category === 'activation')).toBe(true);
    expect(LAYER_OPS).toEqual(expect.arrayContaining(['Input', 'Conv2d', 'LSTM']));
    expect(LAYER_OPS).not.toContain('ReLU');
    expect(MERGE_OPS).toEqual(['Add', 'Concat']);
  });

  it('names nodes by the row prefix, or the op in lower case', () => {
    expect(idPrefix('Conv2d')).toBe('conv');
    expect(idPrefix('LSTM')).toBe('lstm');
    expect(idPrefix('LeakyReLU')).toBe('leakyrelu');
  });
});
