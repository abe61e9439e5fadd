import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LogEvent {
  serverId: string;
  time: number;
  level: number;
  msg: string;
}

/**
 * The JSON log lines of every worker process the orchestrator started (one file per
 * process in its log directory, killed ones included), filtered by message.
 */
export function workerLogEvents(logDir: string, pattern: RegExp): LogEvent[] {
  const out: LogEvent[] = [];
  for (const file of readdirSync(logDir).filter((f) => /^worker-.*\.log$/.test(f))) {
    const serverId = file.replace(/^worker-|\.log$/g, '');
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as { time?: unknown; level?: unknown; msg?: unknown };
        const msg = String(parsed.msg ?? '');
        if (pattern.test(msg)) out.push({ serverId, time: Number(parsed.time ?? 0), level: Number(parsed.level ?? 0), msg });
      } catch {
        // not a log line (stack traces, tsx notices)
      }
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Warnings and errors (pino level >= 40) by server and message, most frequent first. */
export function workerWarnings(logDir: string, limit = 20): { serverId: string; msg: string; count: number }[] {
  const counts = new Map<string, { serverId: string; msg: string; count: number }>();
  for (const e of workerLogEvents(logDir, /.*/)) {
    if (e.level < 40) continue;
    const key = `${e.serverId}\u0000${e.msg}`;
    const entry = counts.get(key) ?? { serverId: e.serverId, msg: e.msg, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count).slice(0, limit);
}
