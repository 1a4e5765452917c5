/**
 * The app's own words for page objects, in either language: names come from the renderer's i18n catalogue
 * (src-renderer/src/lib/i18n), so a page object finds a region by the name a learner reads, in English or Korean,
 * and a catalogue edit cannot leave a spec searching for the old wording.
 *
 *   const words = wordsIn('ko');
 *   words.t('inside.layer', { name: 'conv1', op: 'Conv2d' });   // 'conv1 층 (Conv2d)'
 *   words.pattern('inside.channel', { layer: 'conv1' });         // /^conv1 채널 .+$/: any channel of conv1
 */
import type { MessageKey } from '../../src-renderer/src/lib/i18n/en';
import { CATALOGS, format, type Locale } from '../../src-renderer/src/lib/i18n/translate';

export type { Locale };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Words {
  locale: Locale;
  /** The message, its `{params}` filled in. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** The whole message as a RegExp: the params given are literal, any other `{param}` matches any text. */
  pattern(key: MessageKey, params?: Record<string, string | number>): RegExp;
}

export function wordsIn(locale: Locale): Words {
  const catalog = CATALOGS[locale];
  return {
    locale,
    t: (key, params) => format(catalog[key], params),
    pattern: (key, params = {}) => new RegExp(`^${catalog[key].split(/(\{\w+\})/).map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return escape(part);
      return name in params ? escape(String(params[name])) : '.+';
    }).join('')}$`),
  };
}
