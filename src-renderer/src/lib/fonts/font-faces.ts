/**
 * The bundled faces on a FontFaceSet, the page's or a chart worker's (chart-font.ts says why): read from the page's
 * @font-face rules, added to a worker's set, loaded for the text a chart draws, counted for tests.
 */
import { absoluteSrc, BUNDLED_FAMILY, type FaceSource } from './chart-font';

let faces: FaceSource[] | null = null;

/** The bundled family's @font-face rules in the page's stylesheets (read once: the stylesheets do not change). */
export function bundledFaces(doc: Document = document): FaceSource[] {
  if (faces?.length) return faces;
  faces = [];
  for (const sheet of doc.styleSheets) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // a sheet of another origin (none today) cannot be read
    }
    for (const rule of rules) {
      if (!(rule instanceof CSSFontFaceRule)) continue;
      const style = rule.style;
      if (style.getPropertyValue('font-family').replace(/["']/g, '').trim() !== BUNDLED_FAMILY) continue;
      faces.push({
        src: absoluteSrc(style.getPropertyValue('src'), sheet.href ?? doc.baseURI),
        unicodeRange: style.getPropertyValue('unicode-range') || 'U+0-10FFFF',
        weight: style.getPropertyValue('font-weight') || 'normal',
        style: style.getPropertyValue('font-style') || 'normal',
      });
    }
  }
  return faces;
}

/** Adds the bundled faces to a worker's FontFaceSet; each file is fetched only when text needs it. */
export function addBundledFaces(set: FontFaceSet, sources: readonly FaceSource[]): void {
  for (const face of sources) {
    set.add(new FontFace(BUNDLED_FAMILY, face.src, { unicodeRange: face.unicodeRange, weight: face.weight, style: face.style }));
  }
}

/** The CSS font a chart's text is checked and loaded with (the size does not matter to which faces load). */
export const fontFor = (family: string) => `12px ${family}`;

/** Digits and signs: the ticks are drawn in the same stack as the labels. */
const withNumbers = (text: string) => `${text}0123456789.,-+e%`;

/** Whether `text` (and numbers) would draw in `family` with every face it needs loaded. */
export const fontsLoaded = (set: FontFaceSet, family: string, text: string): boolean => set.check(fontFor(family), withNumbers(text));

/**
 * True when `text` draws in `family` with every face it needs loaded; if not, loads them and resolves once they are
 * (or failed to: the caller draws then, whatever it has).
 */
export function fontReady(set: FontFaceSet, family: string, text: string): true | Promise<unknown> {
  if (fontsLoaded(set, family, text)) return true;
  return set.load(fontFor(family), withNumbers(text)).catch(() => undefined);
}

/** How many of the bundled family's faces `set` holds loaded: a figure a test reads (check() alone is vacuously true on an empty set). */
export function loadedBundledFaces(set: FontFaceSet): number {
  let loaded = 0;
  set.forEach((face) => {
    if (face.family.replace(/["']/g, '') === BUNDLED_FAMILY && face.status === 'loaded') loaded++;
  });
  return loaded;
}
