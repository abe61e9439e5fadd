import type { SystemEvent, SystemInfo } from '../types.js';

/** What `npm start` prints once everything is up: where to go and how to sign in. */
export function banner(info: SystemInfo, workers: readonly string[]): string {
  const lines = [
    '',
    'Firequeue is running.',
    '',
    ...(info.dashboard
      ? [`  Dashboard (admin console)   ${info.dashboard.url}`, `  End-user page               ${info.dashboard.appUrl}`]
      : ['  Dashboard                   off']),
    '',
    `  Admin sign-in               ${info.accounts.admin.email} / ${info.accounts.admin.password}`,
    ...info.accounts.users.map((u) => `  End-user sign-in            ${u.email} / ${u.password}`),
    '',
    `  Firestore emulator          ${info.firestore.hostAndPort}${info.firestore.embedded ? ' (ours, enforcing firestore.rules)' : ' (external)'}`,
    `  Auth emulator               ${info.auth.hostAndPort}${info.auth.embedded ? '' : ' (external)'}`,
    `  Gemini                      ${info.gemini.fake ? `fake at ${info.gemini.url} (control API: ${info.gemini.url}/__fake/stats)` : "Google's API (GEMINI_API_KEY)"}`,
    `  Workers                     ${workers.join(', ') || 'none'} (project ${info.projectId}${info.prefix ? `, prefix "${info.prefix}"` : ''})`,
    ...(info.control ? [`  Control API                 ${info.control.url}/workers`] : []),
    `  Logs                        ${info.logDir}`,
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}

/** One line per event worth a human's attention while the system starts and runs. */
export function describeEvent(event: SystemEvent): string | null {
  switch (event.type) {
    case 'starting':
      return `starting ${event.component}${event.detail ? ` (${event.detail})` : ''}…`;
    case 'ready':
      return `${event.component} ready: ${event.detail}`;
    case 'exited':
      return event.expected ? null : `${event.component} exited (${event.exit.signal ?? `code ${event.exit.code}`})`;
    case 'failure':
      return `${event.failure.essential ? 'FAILED' : 'problem'}: ${event.failure.message}${event.failure.logFile ? `\n  (log: ${event.failure.logFile})` : ''}`;
    case 'traffic':
      return `traffic: ${event.message}`;
    case 'warning':
      return `warning (${event.component}): ${event.message}`;
    case 'stopping':
      return 'stopping: workers first (they finish or release their jobs), then the rest…';
    case 'stopped':
      return 'stopped; no child process left.';
  }
}
