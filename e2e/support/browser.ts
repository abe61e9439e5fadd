import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

// Flags that let Chromium run as root in a container without reaching for the closed network.
const CONTAINER_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Chromium at $CHROMIUM_PATH, else Debian's /usr/bin/chromium when present, else Playwright's
 * own downloaded browser (a developer laptop after `npx playwright install chromium`).
 */
export function chromiumLaunchOptions(): LaunchOptions {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return { executablePath: explicit, args: CONTAINER_FLAGS };
  if (existsSync('/usr/bin/chromium')) return { executablePath: '/usr/bin/chromium', args: CONTAINER_FLAGS };
  return { args: CONTAINER_FLAGS };
}
