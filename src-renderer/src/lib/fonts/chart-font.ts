/**
 * The font the canvases draw their text in. A canvas does not take the page's CSS font stack: chart.js draws in
 * its own (`Chart.defaults.font.family`), which names no face with Hangul, so on a machine without a CJK font
 * Korean axis titles and legends came out as boxes. The charts draw in the bundled Noto Sans KR instead (first in
 * Korean, as the page does; after chart.js's Latin faces in English, which keeps its look), and wait for its faces
 * to load before trusting what they drew.
 *
 * A chart in a Web Worker has its own FontFaceSet (`self.fonts`), empty of the page's @font-face rules: the page
 * hands the worker the bundled faces as `FaceSource`s, read from its own stylesheet (app.css imports them), so the
 * worker fetches the same files from the same origin (font-faces.ts). This file holds the rules without the DOM, so
 * e2e and unit tests import them too.
 */
import type { Locale } from '../i18n/translate';

/** The family @fontsource-variable/noto-sans-kr declares (app.css imports it). */
export const BUNDLED_FAMILY = 'Noto Sans KR Variable';

/** chart.js's own `Chart.defaults.font.family` (chart-font.test.ts holds it to chart.js's). */
export const CHART_JS_FAMILY = "'Helvetica Neue', 'Helvetica', 'Arial', sans-serif";

/** The stack a chart draws in: the bundled face first in Korean, before the generic fallback in English. */
export function chartFontFamily(locale: Locale): string {
  const bundled = `'${BUNDLED_FAMILY}'`;
  if (locale === 'ko') return `${bundled}, ${CHART_JS_FAMILY}`;
  return CHART_JS_FAMILY.replace(/, sans-serif$/, `, ${bundled}, sans-serif`);
}

/** One @font-face of the bundled family, as a FontFace is made from it. */
export interface FaceSource {
  /** The rule's `src`, its url()s made absolute (a worker resolves relative ones against its own script). */
  src: string;
  unicodeRange: string;
  weight: string;
  style: string;
}

/** `src` with every url() resolved against `base` (the stylesheet's address). */
export function absoluteSrc(src: string, base: string): string {
  return src.replace(/url\(\s*(['"]?)(.*?)\1\s*\)/g, (_all, _quote, url: string) => `url("${new URL(url, base).href}")`);
}
