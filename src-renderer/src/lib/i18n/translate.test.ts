import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ko } from './ko';
import { CATALOGS, format, pickLocale } from './translate';

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogs', () => {
  it('have the same keys in every locale', () => {
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty messages', () => {
    for (const [locale, catalog] of Object.entries(CATALOGS)) {
      for (const [key, message] of Object.entries(catalog)) {
        expect(message.trim(), `${locale}:${key}`).not.toBe('');
      }
    }
  });

  it('use the same parameters in every locale', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(ko[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('keep the English engine state words the DOM contract relies on', () => {
    expect([en['engine.state.starting'], en['engine.state.ready'], en['engine.state.restarting'], en['engine.state.failed']])
      .toEqual(['Starting', 'Ready', 'Restarting', 'Failed']);
  });
});

describe('format', () => {
  it('fills parameters and leaves unknown ones visible', () => {
    expect(format('{state}: {reason}', { state: 'Failed', reason: 'exit 1' })).toBe('Failed: exit 1');
    expect(format('{count}×', { count: 2 })).toBe('2×');
    expect(format('hi {who}')).toBe('hi {who}');
  });
});

describe('pickLocale', () => {
  it('prefers ?lang, then the browser languages, then English', () => {
    expect(pickLocale('?lang=ko', ['en-US'])).toBe('ko');
    expect(pickLocale('?token=x&lang=en', ['ko-KR'])).toBe('en');
    expect(pickLocale('?lang=fr', ['ko-KR', 'en'])).toBe('ko');
    expect(pickLocale('', ['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLocale('', ['fr-FR'])).toBe('en');
    expect(pickLocale('', [])).toBe('en');
  });
});
