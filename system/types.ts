import type { MeterSnapshot, FaultsClient } from '@fq/emulator';
import type { WorkerConfigInput } from '@fq/worker';
import type { FakeGeminiClient, FakeGeminiOptions } from '@fq/fake-gemini';
import type { ExitInfo } from './process/child.js';
import type { TrafficOptions } from './traffic/plan.js';
import type { TrafficStats } from './traffic/generator.js';

export type { ExitInfo, TrafficOptions, TrafficStats };

/** An email/password account seeded into the Auth emulator. */
export interface Account {
  email: string;
  password: string;
}

export interface SystemPorts {
  /** Our Firestore emulator (ignored when an external emulator is used). */
  firestore?: number;
  /** Firebase Auth emulator (ignored when FIREBASE_AUTH_EMULATOR_HOST is used). */
  auth?: number;
  dashboard?: number;
  gemini?: number;
  control?: number;
}

/**
 * What to bring up. Every field is optional; the defaults give the demo `npm start` runs,
 * except ports (free ports unless given) and traffic (off unless given).
 */
export interface SystemOptions {
  /** Firebase project id (default: env GCLOUD_PROJECT, else demo-firequeue). */
  projectId?: string;
  /** Collection prefix shared by workers, dashboard and traffic (default ""). */
  prefix?: string;
  /** Interface the local services bind (default 127.0.0.1). */
  host?: string;
  /**
   * Preferred ports. 0 or missing = a free port. A port that is taken falls back to a free
   * one, unless `strictPorts` is set (then start-up fails with a clear error).
   */
  ports?: SystemPorts;
  strictPorts?: boolean;
  /** An external Firestore emulator (Google's, or ours run elsewhere). Default: env FIRESTORE_EMULATOR_HOST; null = always start ours. */
  firestoreEmulatorHost?: string | null;
  /** An external Auth emulator. Default: env FIREBASE_AUTH_EMULATOR_HOST; null = always start one. */
  authEmulatorHost?: string | null;
  /** Real Gemini key (then no fake is started). Default: env GEMINI_API_KEY; null = always the fake. */
  geminiApiKey?: string | null;
  /** Behaviour of the fake Gemini (capacity, latency, ...). */
  fakeGemini?: Omit<FakeGeminiOptions, 'port' | 'host'>;
  /** Worker processes at start (default 3). */
  workers?: number;
  /** Concurrent upstream calls per worker (maxConcurrentRequests; default from workerConfig or 4). */
  workerConcurrency?: number;
  /** Worker configuration (EnterpriseQueueConfig fields); the prefix is set from `prefix`. */
  workerConfig?: WorkerConfigInput;
  /** On stop, how long a worker may finish in-flight jobs before releasing them (default 5000). */
  workerGraceMs?: number;
  /** Demo traffic; null or ratePerSec 0 = off (default off). */
  traffic?: TrafficOptions | null;
  /** Serve the dashboard (Vite dev server; default true). */
  dashboard?: boolean;
  /** Serve the HTTP control API so other processes (e2e specs) can operate the system (default false). */
  control?: boolean;
  /** The operator account (custom claim admin: true). */
  admin?: Account;
  /** End-user accounts (no claim). */
  users?: Account[];
  /** Where each child's output goes, one file per child (default: a new temp directory). */
  logDir?: string;
  /** Security rules our emulator enforces (default: the repository's firestore.rules). */
  rulesFile?: string;
  /** Environment read for the standard Firebase variables and given to children (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Progress, exits and failures, as they happen. */
  onEvent?: (event: SystemEvent) => void;
  /** Time each component gets to become ready (default 180 s; the Auth emulator is slow to load). */
  startTimeoutMs?: number;
  /** Aborting it during start-up stops what already runs and rejects with SystemStartError. */
  signal?: AbortSignal;
}

export interface SystemFailure {
  component: string;
  /** An essential component (emulators, fake Gemini, dashboard): the system no longer works. */
  essential: boolean;
  at: number;
  message: string;
  exit: ExitInfo | null;
  logFile: string | null;
}

export type SystemEvent =
  | { type: 'starting'; component: string; detail?: string }
  | { type: 'ready'; component: string; detail: string }
  | { type: 'exited'; component: string; exit: ExitInfo; expected: boolean }
  | { type: 'failure'; failure: SystemFailure }
  | { type: 'traffic'; message: string }
  | { type: 'warning'; component: string; message: string }
  | { type: 'stopping' }
  | { type: 'stopped' };

export type WorkerState = 'starting' | 'running' | 'stopping' | 'exited';

export interface WorkerInfo {
  /** Server id the worker registers under (a restart gets a new one in the same slot). */
  serverId: string;
  /** Stable slot number (1-based); a restarted worker keeps its slot. */
  slot: number;
  incarnation: number;
  pid: number;
  state: WorkerState;
  /** Port of the worker's /healthz and /metrics (null until it listens). */
  httpPort: number | null;
  startedAt: number;
  exit: ExitInfo | null;
  /** The orchestrator ended it (stop, kill, restart) rather than a crash. */
  expectedExit: boolean;
  logFile: string;
}

/** Everything a client needs to reach the system; plain JSON (passed to e2e workers). */
export interface SystemInfo {
  projectId: string;
  prefix: string;
  host: string;
  firestore: {
    /** For FIRESTORE_EMULATOR_HOST and the dashboard config. */
    hostAndPort: string;
    url: string;
    /** Started by this orchestrator (false: FIRESTORE_EMULATOR_HOST). */
    embedded: boolean;
    /** Ours (meter and fault endpoints available), whoever started it. */
    ours: boolean;
  };
  auth: { hostAndPort: string; url: string; embedded: boolean };
  gemini: { fake: boolean; url: string | null; model: string };
  dashboard: { url: string; appUrl: string } | null;
  control: { url: string } | null;
  accounts: { admin: Account; users: Account[] };
  /** The configuration every worker was started with (prefix included). */
  workerConfig: WorkerConfigInput;
  logDir: string;
}

/** The operations tests and the chaos harness use; in process (SystemHandle) or over HTTP (SystemClient). */
export interface SystemOperations {
  readonly info: SystemInfo;
  workers(): Promise<WorkerInfo[]>;
  /** Ends a worker and waits for it: SIGKILL (kill -9, the default) or SIGTERM/SIGINT (graceful). */
  killWorker(serverId: string, signal?: 'SIGKILL' | 'SIGTERM' | 'SIGINT'): Promise<WorkerInfo>;
  /** SIGSTOP freezes a worker (its leases expire while it cannot notice), SIGCONT thaws it. */
  signalWorker(serverId: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<WorkerInfo>;
  /** Stops the worker (graceful) if it runs and starts a new process in its slot. */
  restartWorker(serverId: string): Promise<WorkerInfo>;
  /** Starts more workers; resolves once they are ready. */
  addWorkers(count: number): Promise<WorkerInfo[]>;
  /** Unexpected exits so far (crashes of essential children, workers that died on their own). */
  failures(): Promise<SystemFailure[]>;
  /** null when traffic was not configured. */
  trafficStats(): Promise<TrafficStats | null>;
  /** Changes the demo traffic rate (0 pauses it); starts the generator if it was off. */
  setTrafficRate(ratePerSec: number): Promise<TrafficStats>;
  /** The fake Gemini's control API (stats, configure, failNext, reset); null with real Gemini. */
  readonly gemini: FakeGeminiClient | null;
  /** Our emulator's fault injection for this project; null on another emulator. */
  readonly faults: FaultsClient | null;
  /** Our emulator's operations meter for this project (throws NotAvailableError elsewhere). */
  meter(): Promise<MeterSnapshot>;
  resetMeter(): Promise<void>;
}

export interface SystemHandle extends SystemOperations {
  /** Stops everything (traffic, workers gracefully, then the rest); safe to call twice. */
  stop(): Promise<void>;
  /** Resolves with the first failure of an essential component (never rejects). */
  readonly essentialFailure: Promise<SystemFailure>;
}

/** The operation needs our emulator (meter, faults) or the fake Gemini, and this system has another. */
export class NotAvailableError extends Error {
  override readonly name = 'NotAvailableError';
}

/** Start-up failed; everything that had started was stopped again. */
export class SystemStartError extends Error {
  override readonly name = 'SystemStartError';
  constructor(
    readonly component: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`could not start ${component}: ${message}`, options);
  }
}

/** A worker id that this system does not know. */
export class UnknownWorkerError extends Error {
  override readonly name = 'UnknownWorkerError';
  constructor(readonly serverId: string) {
    super(`no worker with server id "${serverId}"`);
  }
}
