import { useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Button, focusRing } from '../../components/ui/Button';
import { Dialog } from '../../components/ui/Dialog';
import { IDLE, SHORTCUTS, describeKeys, isTypingTarget, pressKey, type KeyState, type Shortcut } from './keymap';

/** The job search field, wherever the page puts it (the Queues & jobs page's search form). */
export const SEARCH_FIELD = '[role="search"] input:not([type="hidden"]), input[type="search"]';

/** The page with the job search. */
const JOBS_PATH = '/queues';

/** How long `/` waits for the jobs page (a lazy chunk) to show its search field. */
const SEARCH_WAIT_MS = 5_000;

/**
 * A search field the user can see: a page React keeps hidden (Suspense hides the page being
 * left with `display: none` while the next one loads) may still hold one.
 */
export function shownSearchField(root: Document): HTMLInputElement | null {
  const shown = (el: HTMLElement) => {
    for (let n: HTMLElement | null = el; n; n = n.parentElement) if (n.hidden || n.style.display === 'none') return false;
    return true;
  };
  return [...root.querySelectorAll<HTMLInputElement>(SEARCH_FIELD)].find(shown) ?? null;
}

function focusSearchWhenReady(root: Document, timeoutMs: number): () => void {
  const tryFocus = () => {
    const field = shownSearchField(root);
    if (!field) return false;
    field.focus();
    field.select?.();
    return true;
  };
  if (tryFocus()) return () => undefined;
  const observer = new MutationObserver(() => {
    if (tryFocus()) stop();
  });
  const timer = setTimeout(() => stop(), timeoutMs);
  function stop() {
    observer.disconnect();
    clearTimeout(timer);
  }
  observer.observe(root.body, { childList: true, subtree: true });
  return stop;
}

/**
 * Global shortcuts for the console (see `SHORTCUTS`), mounted once by the layout: a keydown
 * listener on the document and the `?` help dialog. Keys are ignored while typing in a field,
 * with a modifier held (the browser's own shortcuts), and while a dialog is open (its keys
 * are its own; Escape closes it).
 */
const performanceNow = () => performance.now();

export function KeyboardShortcuts({ now = performanceNow }: { now?: () => number }) {
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [helpOpen, setHelpOpen] = useState(false);
  const state = useRef<KeyState>(IDLE);
  const stopWaiting = useRef<() => void>(() => undefined);
  // Latest navigate/clock without re-subscribing: the listener (and a pending "/" waiting for
  // the jobs page) must outlive the navigation it starts, which gives `navigate` a new identity.
  const latest = useRef({ navigate, now, pathname });
  useEffect(() => {
    latest.current = { navigate, now, pathname };
  }, [navigate, now, pathname]);

  useEffect(() => {
    const navigate = (to: string) => latest.current.navigate(to);
    const run = (s: Shortcut) => {
      switch (s.action.kind) {
        case 'navigate':
          void navigate(s.action.to);
          return;
        case 'help':
          setHelpOpen(true);
          return;
        case 'focusSearch':
          stopWaiting.current();
          // By the route, not by what is on screen: right after "g q" then "g b" the jobs page
          // can still be on screen while the next page loads, and its field would be focused
          // just before it goes away.
          if (latest.current.pathname !== JOBS_PATH) void navigate(JOBS_PATH);
          stopWaiting.current = focusSearchWhenReady(document, SEARCH_WAIT_MS);
          return;
      }
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTypingTarget(e.target) || document.querySelector('[aria-modal="true"]')) {
        state.current = IDLE;
        return;
      }
      const r = pressKey(state.current, e.key, latest.current.now());
      state.current = r.state;
      if (!r.match) return;
      e.preventDefault();
      run(r.match);
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      stopWaiting.current();
    };
  }, []);

  return (
    <>
      <button
        type="button"
        onClick={() => setHelpOpen(true)}
        className={`text-xs text-slate-500 underline-offset-2 hover:underline dark:text-slate-400 ${focusRing}`}
        data-testid="shortcuts-hint"
      >
        Keyboard shortcuts: press ?
      </button>
      <Dialog open={helpOpen} title="Keyboard shortcuts" onClose={() => setHelpOpen(false)} testId="shortcuts-help">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {SHORTCUTS.map((s) => (
            <div key={s.keys.join(' ')} className="contents">
              <dt>
                {s.keys.map((k, i) => (
                  <span key={i}>
                    {i > 0 && <span className="px-1 text-xs text-slate-500">then</span>}
                    <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-800">{k}</kbd>
                  </span>
                ))}
                <span className="sr-only">{describeKeys(s.keys)}</span>
              </dt>
              <dd>{s.label}</dd>
            </div>
          ))}
          <div className="contents">
            <dt>
              <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-800">Esc</kbd>
            </dt>
            <dd>Close this help (or any dialog)</dd>
          </div>
        </dl>
        <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">Shortcuts are off while you type in a field.</p>
        <div className="mt-4 flex justify-end">
          <Button onClick={() => setHelpOpen(false)}>Close</Button>
        </div>
      </Dialog>
    </>
  );
}
