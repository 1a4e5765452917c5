/**
 * The reactive locale. The locale is app-wide, like the document's lang, so one instance is shared by import
 * rather than handed down by context. t() reads `locale`, so any template that calls it re-renders on a switch.
 */
import type { MessageKey } from './en';
import type { EngineText } from '../../../../common/engine-text';
import { CATALOGS, engineSays, errorSays, format, type ErrorFrame, type HostError, type Locale, type ParamsOf } from './translate';

class I18n {
  locale = $state<Locale>('en');

  t = <K extends MessageKey>(key: K, ...params: ParamsOf<K>): string =>
    format(CATALOGS[this.locale][key], params[0] as Record<string, string | number> | undefined);

  /** The engine host's sentences in this language; its English text when it sent no codes (translate.ts). */
  engine = (texts: readonly EngineText[] | undefined, english: string, separator = ' '): string =>
    engineSays(CATALOGS[this.locale], texts, english, separator);

  /** An error the host sent, in this language: its coded sentence, else its own words framed (translate.ts). */
  error = (error: HostError, frame?: ErrorFrame): string => errorSays(CATALOGS[this.locale], error, frame);
}

export const i18n = new I18n();
export const t = i18n.t;
export const sayEngine = i18n.engine;
export const sayError = i18n.error;
