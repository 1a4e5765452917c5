/**
 * The page's colour tokens (app.css), resolved to plain colours for the charts' canvases, so charts follow light and
 * dark. The tokens are light-dark() pairs, which only an element's computed colour resolves (a custom property's
 * own value is the unresolved pair): each is read through a probe inside `element`, under its color-scheme.
 */
export const PALETTE_TOKENS = {
  text: '--text',
  muted: '--muted',
  border: '--border',
  surface: '--surface',
  accent: '--accent',
  accent2: '--accent-2',
  bad: '--bad',
  warn: '--warn',
} as const;

export type Palette = Record<keyof typeof PALETTE_TOKENS, string>;

export function palette(element: Element): Palette {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  element.appendChild(probe);
  try {
    const out = {} as Palette;
    for (const [name, token] of Object.entries(PALETTE_TOKENS) as [keyof Palette, string][]) {
      probe.style.color = `var(${token})`;
      out[name] = getComputedStyle(probe).color;
    }
    return out;
  } finally {
    probe.remove();
  }
}
