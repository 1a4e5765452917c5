import { describe, expect, it } from 'vitest';
import { LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE, type TypedInfo } from '../../../../common/spec';
import { en } from '../../lib/i18n/en';
import { ko } from '../../lib/i18n/ko';
import { helpKey, helpText } from './help';

describe('catalogue help through i18n', () => {
  it('has an English entry equal to the catalogue text, and a Korean one, for every op, loss, optimizer and scheduler', () => {
    const catalogues: Record<string, { help: string; params: { name: string; help: string }[] }>[] = [
      OP_CATALOGUE, LOSS_CATALOGUE as Record<string, TypedInfo>, OPTIMIZER_CATALOGUE as Record<string, TypedInfo>,
      SCHEDULER_CATALOGUE as Record<string, TypedInfo>,
    ];
    const table = en as Record<string, string>;
    for (const catalogue of catalogues) {
      for (const [name, info] of Object.entries(catalogue)) {
        expect(table[helpKey(name)]).toBe(info.help);
        for (const p of info.params) expect(table[helpKey(name, p.name)], `${name}.${p.name}`).toBe(p.help);
      }
    }
    expect(Object.keys(ko).filter((k) => k.startsWith('help.'))).toEqual(Object.keys(en).filter((k) => k.startsWith('help.')));
  });

  it('falls back to the given text for an unknown key', () => {
    const translate = (key: string) => `T(${key})`;
    expect(helpText(translate as (key: never) => string, 'Linear', 'inFeatures')).toBe('T(help.Linear.inFeatures)');
    expect(helpText(translate as (key: never) => string, 'NoSuchOp', undefined, 'fallback')).toBe('fallback');
  });
});
