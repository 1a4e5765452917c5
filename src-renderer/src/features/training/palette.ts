/** The page's colour tokens (app.css), read from an element so charts follow light and dark. */
export type Palette = Record<'text' | 'muted' | 'border' | 'accent' | 'accent2' | 'bad' | 'warn', string>;

export function palette(element: Element): Palette {
  const style = getComputedStyle(element);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1b1f2e'),
    muted: v('--muted', '#5b6378'),
    border: v('--border', '#e1e4ee'),
    accent: v('--accent', '#5b5bd6'),
    accent2: v('--accent-2', '#12a594'),
    bad: v('--bad', '#c0262d'),
    warn: v('--warn', '#a35200'),
  };
}
