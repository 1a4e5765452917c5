import { describe, expect, it } from 'vitest';
import { PIECES } from '../../../../common/model-spec';
import { en } from '../../lib/i18n/en';
import { koHelp } from '../../lib/i18n/ko';
import { helpKey, helpText } from './help';

/** Every key the catalogue has help for: each piece, and each of its params. */
const catalogueKeys = () => Object.entries(PIECES).flatMap(([name, info]) => [helpKey(name), ...info.params.map((p) => helpKey(name, p.name))]);

describe('catalogue help in English and Korean', () => {
  it('has Korean for every catalogue piece and param, and none for anything else', () => {
    expect(Object.keys(koHelp).sort()).toEqual(catalogueKeys().sort());
    for (const [key, text] of Object.entries(koHelp)) expect(text.trim(), key).not.toBe('');
  });

  it("takes the English from the catalogue's rows, so en.ts does not repeat it", () => {
    expect(helpText('en', 'Linear')).toBe(PIECES.Linear.help);
    expect(helpText('en', 'SGD', 'lr')).toBe('Learning rate: step size of each update.');
    expect(Object.keys(en).filter((k) => k.startsWith('help.'))).toEqual([]);
  });

  it('gives the Korean in Korean', () => {
    expect(helpText('ko', 'Linear', 'inFeatures')).toBe(koHelp['help.Linear.inFeatures']);
    expect(helpText('ko', 'Linear', 'inFeatures')).not.toBe(helpText('en', 'Linear', 'inFeatures'));
  });

  it('says nothing for a name the catalogue does not know', () => {
    expect(helpText('en', 'NoSuchOp')).toBe('');
    expect(helpText('ko', 'Linear', 'noSuchParam')).toBe('');
  });
});
