/**
 * The theme, app-wide like the locale (one instance, shared by import): the learner's choice, stored in
 * localStorage, and the theme it resolves to, following the system's light/dark while the choice is 'system'.
 * Applying it sets <html data-theme>, whose color-scheme app.css's light-dark() tokens follow; the charts, drawn in
 * workers, re-read the tokens when `resolved` changes.
 */
import { parseThemeChoice, resolveTheme, THEME_STORAGE_KEY, type Theme, type ThemeChoice } from './theme';

function stored(): string | null {
  try {
    return localStorage.getItem(THEME_STORAGE_KEY);
  } catch {
    return null; // storage refused (a locked-down browser): the choice lasts for this page
  }
}

class ThemeState {
  #choice = $state<ThemeChoice>(parseThemeChoice(stored()));
  #systemDark = $state(false);

  constructor() {
    if (typeof matchMedia !== 'function') return;
    const query = matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = query.matches;
    query.addEventListener('change', (event) => (this.#systemDark = event.matches));
  }

  get choice(): ThemeChoice {
    return this.#choice;
  }

  set choice(choice: ThemeChoice) {
    this.#choice = choice;
    try {
      localStorage.setItem(THEME_STORAGE_KEY, choice);
    } catch {
      // not stored: see stored()
    }
    this.apply();
  }

  /** The theme shown now. */
  get resolved(): Theme {
    return resolveTheme(this.#choice, this.#systemDark);
  }

  /** Sets <html data-theme>; 'system' removes it, so the OS's colour scheme rules. */
  apply(): void {
    if (this.#choice === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = this.#choice;
  }
}

export const theme = new ThemeState();
