import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Chart } from 'chart.js';
import { describe, expect, it } from 'vitest';
import { absoluteSrc, BUNDLED_FAMILY, CHART_JS_FAMILY, chartFontFamily } from './chart-font';

describe('the charts\' font stack', () => {
  it("is chart.js's own stack, which the English charts keep for Latin", () => {
    expect(CHART_JS_FAMILY).toBe(Chart.defaults.font.family);
  });

  it('names the family the bundled package declares, the one app.css imports', () => {
    const css = readFileSync(join(__dirname, '../../app.css'), 'utf8');
    // The stylesheet app.css imports, e.g. @fontsource-variable/noto-sans-kr/wght.css.
    const imported = css.split('\n').find((line) => line.startsWith('@import') && line.includes('@fontsource'))!.split("'")[1];
    const pkg = dirname(createRequire(__filename).resolve(`${imported.split('/').slice(0, 2).join('/')}/package.json`));
    const declared = readFileSync(join(pkg, imported.split('/').slice(2).join('/')), 'utf8');
    const families = new Set([...declared.matchAll(/font-family: '([^']+)'/g)].map((m) => m[1]));
    expect([...families]).toEqual([BUNDLED_FAMILY]);
  });

  it('puts the bundled Korean face first in Korean, so Hangul and Latin both draw in it', () => {
    expect(chartFontFamily('ko')).toBe("'Noto Sans KR Variable', 'Helvetica Neue', 'Helvetica', 'Arial', sans-serif");
  });

  it("keeps chart.js's Latin faces first in English, with the bundled face before the generic fallback", () => {
    expect(chartFontFamily('en')).toBe("'Helvetica Neue', 'Helvetica', 'Arial', 'Noto Sans KR Variable', sans-serif");
  });
});

describe('absoluteSrc', () => {
  const sheet = 'http://127.0.0.1:5000/assets/index-abc.css';

  it("resolves a built stylesheet's url()s against the stylesheet, keeping the format()", () => {
    expect(absoluteSrc('url("./noto-sans-kr-0-wght-normal-x1.woff2") format("woff2-variations")', sheet))
      .toBe('url("http://127.0.0.1:5000/assets/noto-sans-kr-0-wght-normal-x1.woff2") format("woff2-variations")');
  });

  it('resolves root-relative and unquoted url()s, and each of several sources', () => {
    expect(absoluteSrc("url(/node_modules/a.woff2) format('woff2'), url('b.woff')", sheet))
      .toBe(`url("http://127.0.0.1:5000/node_modules/a.woff2") format('woff2'), url("http://127.0.0.1:5000/assets/b.woff")`);
  });

  it('leaves absolute addresses as they are', () => {
    expect(absoluteSrc('url("app://layerlab/assets/f.woff2")', sheet)).toBe('url("app://layerlab/assets/f.woff2")');
  });
});
