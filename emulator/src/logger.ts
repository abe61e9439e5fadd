import { pino } from 'pino';
import type { Logger, LevelWithSilent } from 'pino';

export type LogLevel = LevelWithSilent;

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ name: 'firestore-emulator', level });
}

export type { Logger };
