/**
 * The catalogue's help texts in the learner's language: `help.Linear`, `help.Linear.inFeatures`, `help.SGD.lr`, …
 * The English is the catalogue row's own (common/model-spec/catalogue.ts), so a new piece needs no English here; the
 * Korean is written by hand in ko.ts's `koHelp` (help.test.ts checks that every row and param has it).
 */
import { PIECES } from '../../../../common/model-spec';
import { koHelp } from '../../lib/i18n/ko';
import type { Locale } from '../../lib/i18n/translate';

export function helpKey(owner: string, param?: string): string {
  return param ? `help.${owner}.${param}` : `help.${owner}`;
}

/** The catalogue's English for a piece or one of its params; '' for a name the catalogue does not know. */
export function englishHelp(owner: string, param?: string): string {
  const piece = Object.hasOwn(PIECES, owner) ? PIECES[owner] : undefined;
  if (!piece) return '';
  return param === undefined ? piece.help : (piece.params.find((p) => p.name === param)?.help ?? '');
}

/** The help text in `locale`, falling back to the catalogue's English (e.g. `helpText(i18n.locale, 'SGD', 'lr')`). */
export function helpText(locale: Locale, owner: string, param?: string): string {
  const key = helpKey(owner, param);
  if (locale === 'ko' && Object.hasOwn(koHelp, key)) return koHelp[key];
  return englishHelp(owner, param);
}
