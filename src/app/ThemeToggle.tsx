import { useEffect, useState, useSyncExternalStore } from 'react';
import { focusRing } from '../components/ui/Button';
import { THEME_STORAGE_KEY, applyTheme, nextChoice, readThemeChoice, resolveTheme, type ThemeChoice } from '../lib/theme';

function subscribeScheme(cb: () => void): () => void {
  const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
  mq?.addEventListener('change', cb);
  return () => mq?.removeEventListener('change', cb);
}

function prefersDark(): boolean {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

const LABEL: Record<ThemeChoice, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

/** Cycles system -> light -> dark; "system" follows prefers-color-scheme live. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(() => readThemeChoice());
  const dark = useSyncExternalStore(subscribeScheme, prefersDark, () => false);
  useEffect(() => {
    applyTheme(resolveTheme(choice, dark));
  }, [choice, dark]);
  const change = () => {
    const next = nextChoice(choice);
    setChoice(next);
    try {
      if (next === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
  };
  return (
    <button
      type="button"
      onClick={change}
      data-testid="theme-toggle"
      aria-label={`${LABEL[choice]} (change theme)`}
      title={`${LABEL[choice]}: click to change`}
      className={`rounded-md px-2 py-1 text-sm hover:bg-slate-200 dark:hover:bg-slate-800 ${focusRing}`}
    >
      {choice === 'dark' ? '☾' : choice === 'light' ? '☀' : '◐'}
    </button>
  );
}
