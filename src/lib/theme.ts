/**
 * Light/dark theme: an explicit choice is stored; "system" follows prefers-color-scheme.
 * index.html applies the stored choice before first paint (no flash); this module keeps
 * it in sync afterwards.
 */
export type ThemeChoice = 'light' | 'dark' | 'system';
export const THEME_STORAGE_KEY = 'firequeue.theme';

export function readThemeChoice(storage: Pick<Storage, 'getItem'> = localStorage): ThemeChoice {
  try {
    const v = storage.getItem(THEME_STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function resolveTheme(choice: ThemeChoice, prefersDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (prefersDark ? 'dark' : 'light') : choice;
}

export function applyTheme(theme: 'light' | 'dark', root: HTMLElement = document.documentElement): void {
  root.classList.toggle('dark', theme === 'dark');
  root.style.colorScheme = theme;
}

export function nextChoice(choice: ThemeChoice): ThemeChoice {
  return choice === 'system' ? 'light' : choice === 'light' ? 'dark' : 'system';
}
