/**
 * The colour theme: the learner's choice (follow the system, or always light or dark), kept across reloads, and the
 * theme it comes to. Plain functions, so the rules test without a DOM; theme.svelte.ts applies them.
 */
export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type Theme = 'light' | 'dark';

/** Where the choice is kept (localStorage). */
export const THEME_STORAGE_KEY = 'layerlab.theme';

/** A stored value as a choice: anything unknown (nothing stored, an old or hand-edited value) follows the system. */
export function parseThemeChoice(stored: string | null): ThemeChoice {
  return (THEME_CHOICES as readonly string[]).includes(stored ?? '') ? (stored as ThemeChoice) : 'system';
}

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}
