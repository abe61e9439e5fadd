/**
 * zod for the emulator's own request shapes (CLI flags, the faults and rules endpoints):
 * `zod/mini`, whose functions tree-shake, rather than the classic API. The classic `zod`
 * module builds every schema class and its English messages when it loads, which in the
 * built CLI cost as much as loading gRPC; the mini API with the same English messages
 * (configured here, once) adds a few kilobytes. Same checks, same messages.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

// Re-exported by name (`import * as z from './zod.js'`), never as one namespace object,
// which would keep every export in the bundle.
export * from 'zod/mini';
