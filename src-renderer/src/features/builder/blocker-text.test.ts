import { describe, expect, it } from 'vitest';
import { getPreset, validateSpec, type ModelSpec } from '../../../../common/model-spec';
import { CATALOGS, format, type Locale } from '../../lib/i18n/translate';
import { blockerText } from './blocker-text';
import type { Translate } from './diagnostics-i18n';

const translator = (locale: Locale) =>
  ((key: string, params?: Record<string, string | number>) => format((CATALOGS[locale] as Record<string, string>)[key], params)) as unknown as Translate;

describe('the line beside a disabled Train button', () => {
  it('ends with one full stop when the diagnostic is a whole sentence of its own', () => {
    const spec: ModelSpec = { ...getPreset('Mnist_Logistic')!, scheduler: { type: 'OneCycleLR', params: { maxLr: 0.5, epochs: 3 } } };
    const [error] = validateSpec(spec);
    expect(error.message).toMatch(/per epoch\.$/);
    for (const locale of ['en', 'ko'] as const) {
      const line = blockerText(translator(locale), { kind: 'spec', message: error.message, error });
      expect(line, locale).toMatch(/[^.]\.$/);
      expect(line, locale).not.toContain('..');
    }
    expect(blockerText(translator('en'), { kind: 'spec', message: error.message, error })).toBe(`Can't train: ${error.message}`);
  });
});
