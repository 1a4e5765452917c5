/**
 * The reactive locale. The locale is app-wide, like the document's lang, so one instance is shared by import
 * rather than handed down by context. t() reads `locale`, so any template that calls it re-renders on a switch.
 */
import type { MessageKey } from './en';
import { CATALOGS, format, type Locale, type ParamsOf } from './translate';

class I18n {
  locale = $state<Locale>('en');

  t = <K extends MessageKey>(key: K, ...params: ParamsOf<K>): string =>
    format(CATALOGS[this.locale][key], params[0] as Record<string, string | number> | undefined);
}

export const i18n = new I18n();
export const t = i18n.t;
