/**
 * Pure i18n helpers: formatting a message and choosing the starting locale. The reactive part lives in
 * i18n.svelte.ts; these stay plain so they test without Svelte.
 */
import { isEngineText, wordedParams, type EngineText } from '../../../../common/engine-text';
import { en, type MessageKey } from './en';
import { ko } from './ko';

export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];

export const CATALOGS: Record<Locale, Record<MessageKey, string>> = { en, ko };

/** Each locale's name in its own language, for the picker. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ko: '한국어' };

/** A message chosen by logic that has no t() of its own, worded by the component that shows it: t(w.key, w.params). */
export interface Words {
  key: MessageKey;
  params: Record<string, string | number>;
}

/**
 * An engine host's sentence (common/engine-text.ts) in `catalog`'s language: its code is its key under
 * `engineText.`, and a sentence nested in a parameter is worded from its own code the same way.
 */
function sayOne(catalog: Record<MessageKey, string>, text: EngineText): string {
  return format(catalog[`engineText.${text.code}`], wordedParams(text, (nested) => sayOne(catalog, nested)));
}

/**
 * What to show for a reason or message the engine host sent: its sentence codes worded in `catalog`'s language when
 * it sent them (and every code is known here), else its English text as it came (an older run.json).
 */
export function engineSays(
  catalog: Record<MessageKey, string>, texts: readonly EngineText[] | undefined, english: string, separator = ' ',
): string {
  if (!texts?.length || !texts.every(isEngineText)) return english;
  return texts.map((text) => sayOne(catalog, text)).join(separator);
}

/**
 * An error as the host sent it (an engine `error` event, an API envelope's error, a dataset's problem): its English
 * message, and the same sentence as a code where the host has one.
 */
export interface HostError {
  message: string;
  text?: EngineText;
}

/** The parts of an error worth keeping (an event or envelope carries more). */
export const hostError = ({ message, text }: HostError): HostError => (text ? { message, text } : { message });

/** The messages that frame an error the host had no code for; `{message}` is its own words, kept as they came. */
export type ErrorFrame = Extract<MessageKey, `error.frame.${string}`>;

/**
 * What to show for an error in `catalog`'s language: the sentence its code says, or, for one the host had no code
 * for (a bug, an exception nobody foresaw), its own words inside a framing sentence of this language.
 *
 *   errorSays(ko, { message: 'Conv2d: bad stride' })  // '엔진이 이 일을 하지 못했습니다: Conv2d: bad stride'
 */
export function errorSays(catalog: Record<MessageKey, string>, error: HostError, frame: ErrorFrame = 'error.frame.engine'): string {
  if (error.text && isEngineText(error.text)) return sayOne(catalog, error.text);
  return format(catalog[frame], { message: error.message });
}

/** The `{param}` names in a message, e.g. Placeholders<'{a} of {b}'> = 'a' | 'b'. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** t()'s trailing arguments: none for a plain message, one object with exactly its parameters otherwise. */
export type ParamsOf<K extends MessageKey> = [Placeholders<(typeof en)[K]>] extends [never]
  ? []
  : [params: Record<Placeholders<(typeof en)[K]>, string | number>];

/** Fills `{name}` placeholders; an unknown one is left as is so the mistake shows on screen, not as a crash. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/**
 * `?lang=en|ko` wins (handy for screenshots and tests), then the browser's preferred languages, then English.
 * Example: pickLocale('?lang=ko', ['en-US']) === 'ko'; pickLocale('', ['ko-KR', 'en']) === 'ko'.
 */
export function pickLocale(search: string, languages: readonly string[]): Locale {
  const fromUrl = new URLSearchParams(search).get('lang');
  if (isLocale(fromUrl)) return fromUrl;
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}
