/**
 * The charts' colours in both themes, from app.css's real tokens: the legend and axis text must be readable on the
 * chart's surface (WCAG AA, 4.5:1), and grid lines and markers must stand out from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartColors } from './chart-theme';
import { PALETTE_TOKENS, type Palette } from './palette';

type RGBA = [number, number, number, number];

/** app.css's tokens as [light, dark] hex pairs, read from its light-dark() declarations. */
function tokens(): Map<string, [string, string]> {
  const css = readFileSync(join(import.meta.dirname, '../../app.css'), 'utf8');
  return new Map([...css.matchAll(/(--[\w-]+): light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\);/gi)].map((m) => [m[1], [m[2], m[3]]]));
}

function paletteOf(theme: 0 | 1): Palette {
  const all = tokens();
  return Object.fromEntries(Object.entries(PALETTE_TOKENS).map(([name, token]) => {
    const pair = all.get(token);
    if (!pair) throw new Error(`app.css has no light-dark() pair for ${token}`);
    return [name, pair[theme]];
  })) as Palette;
}

const hex = (h: string): RGBA => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)).concat(1) as RGBA;

/** A colour chart-theme writes: a hex, or color-mix(in srgb, #hex N%, transparent). */
function parse(color: string): RGBA {
  const mix = /^color-mix\(in srgb, (#[0-9a-f]{6}) (\d+)%, transparent\)$/i.exec(color);
  if (mix) {
    const [r, g, b] = hex(mix[1]);
    return [r, g, b, Number(mix[2]) / 100];
  }
  return hex(color);
}

/** `top` drawn over the opaque `under`. */
const over = ([r, g, b, a]: RGBA, [R, G, B]: RGBA): RGBA => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a), 1];

function luminance([r, g, b]: RGBA): number {
  const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(color: string, background: string): number {
  const bg = parse(background);
  const [a, b] = [luminance(over(parse(color), bg)), luminance(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

describe.each([['light', 0], ['dark', 1]] as const)('chart colours in the %s theme', (_name, theme) => {
  const palette = paletteOf(theme);
  const colors = chartColors(palette, 'loss');

  it('draw legend and axis text readable on the surface', () => {
    expect(contrast(colors.legend, palette.surface)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colors.ticks, palette.surface)).toBeGreaterThanOrEqual(4.5);
  });

  it('draw grid lines that can be seen, but quieter than the text', () => {
    const grid = contrast(colors.grid, palette.surface);
    expect(grid).toBeGreaterThanOrEqual(1.3);
    expect(grid).toBeLessThan(contrast(colors.ticks, palette.surface));
  });

  it('draw markers and curves that stand out from the surface', () => {
    expect(contrast(colors.markers.muted, colors.markers.surface)).toBeGreaterThanOrEqual(3);
    expect(contrast(colors.markers.bad, colors.markers.surface)).toBeGreaterThanOrEqual(3);
    for (const set of colors.datasets.slice(1)) expect(contrast(set.borderColor, palette.surface)).toBeGreaterThanOrEqual(3);
  });

  it('take every colour from the palette, so a theme change re-colours everything', () => {
    const other = chartColors(paletteOf(theme === 0 ? 1 : 0), 'loss');
    expect(other.legend).not.toBe(colors.legend);
    expect(other.grid).not.toBe(colors.grid);
    expect(other.markers).not.toEqual(colors.markers);
    colors.datasets.forEach((set, i) => expect(other.datasets[i].borderColor).not.toBe(set.borderColor));
  });
});
