/**
 * The catalogue's help texts through the i18n catalog: `help.Linear`, `help.Linear.inFeatures`, `help.SGD.lr`, …
 * The English entries repeat common/spec's catalogue word for word (a test keeps them in step), so a new op or
 * param without an entry still shows the catalogue's English.
 */
import { en } from '../../lib/i18n/en';

export function helpKey(owner: string, param?: string): string {
  return param ? `help.${owner}.${param}` : `help.${owner}`;
}

/** `translate` is i18n's t(); help texts take no parameters. */
export function helpText(translate: (key: never) => string, owner: string, param?: string, fallback = ''): string {
  const key = helpKey(owner, param);
  return Object.hasOwn(en, key) ? (translate as unknown as (k: string) => string)(key) : fallback;
}
