import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { collectionPrefixSchema } from '../schema/names.js';
import { workerConfigSchema, type WorkerConfig } from '../schema/config.js';

export const HELP = `firequeue worker: runs transcription jobs from the Firestore queue

Usage: fq-worker [options]   (in this repository: node worker/bin/fq-worker.mjs, after
                              npm run build -w @fq/worker; or npm start -w @fq/worker)

Options:
  --config PATH|JSON        worker configuration (file path, or an inline JSON object); the
                            fields of EnterpriseQueueConfig, see worker/src/schema/config.ts
                            (env FQ_CONFIG)
  --concurrency N           concurrent upstream calls in this process (maxConcurrentRequests)
  --prefix P                collection name prefix (tenant / test isolation) (env FQ_PREFIX)
  --project ID              Firebase project id (env GCLOUD_PROJECT; default demo-firequeue)
  --emulator-host HOST:PORT Firestore emulator (env FIRESTORE_EMULATOR_HOST; wins when set)
  --server-id ID            this server's id (env FQ_SERVER_ID; default host-pid-random)
  --port N                  HTTP port for /healthz and /metrics (env PORT, as Cloud Run
                            sets it; default 0 = a free port; the bound port is logged as
                            {"msg":"http listening","port":N})
  --model NAME              primary Gemini model (upstream.model)
  --fake-gemini-url URL     send Gemini calls to a fake (tests, demo); else GEMINI_API_KEY
                            is required and calls go to Google (env GOOGLE_GEMINI_BASE_URL)
  --grace-ms N              on SIGTERM/SIGINT, let in-flight jobs finish this long before
                            releasing them (env FQ_GRACE_MS; default 10000)
  --final-writes-ms N       after the grace period, how long the final store writes (lease
                            releases, deregistration, analytics flush) may take (env
                            FQ_FINAL_WRITES_MS; default 2000). The process exits at the latest grace-ms + final-writes-ms
                            after the first signal, even when Firestore is unreachable: it then
                            logs what it abandoned and exits 1. A second SIGTERM/SIGINT exits
                            at once (exit 1)
  --flow fleet|static       flow control: fleet = shared circuit breaker, global budget and
                            adaptive concurrency through Firestore (default); static = a fixed
                            --concurrency against the model, nothing shared (env FQ_FLOW)
  --no-admit                do not admit browser-submitted jobs in this process
  --no-serve-prefix         do not add --prefix to the project's served prefixes
                            (firequeue_config/tenants, which the security rules read: browsers
                            may submit only into a served prefix); by default a worker adds
                            its own at start (one write). Retire one with system/tenants.ts
  (env FQ_ALERT_WEBHOOKS)    comma-separated Slack-compatible webhook URLs the leader sends
                            alerts to (replaces the config's alerts.webhooks; they are
                            secrets: only their host is logged or recorded)
  --log-level LEVEL         fatal|error|warn|info|debug|trace (env LOG_LEVEL; default info)
  -h, --help                show this help

Environment: GEMINI_API_KEY, FIRESTORE_EMULATOR_HOST, GCLOUD_PROJECT, GOOGLE_APPLICATION_CREDENTIALS,
and those named above (a flag wins over its variable). A container runtime's stop must
allow grace-ms + final-writes-ms (Cloud Run and docker stop allow 10 s).`;

/** Default of `--final-writes-ms`: the bounded allowance after the grace period. */
export const DEFAULT_FINAL_WRITES_MS = 2_000;

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

const serverIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'server id: 1-100 letters, digits, ".", "_" or "-"');

const optionsSchema = z.object({
  config: workerConfigSchema,
  projectId: z.string().regex(/^[a-z0-9-]{4,63}$/, 'project id: lowercase letters, digits and "-"'),
  emulatorHost: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'emulator host must look like host:port').nullable(),
  serverId: serverIdSchema.nullable(),
  port: z.number().int().min(0).max(65_535),
  fakeGeminiUrl: z.url({ protocol: /^https?$/ }).nullable(),
  geminiApiKey: z.string().min(1).nullable(),
  graceMs: z.number().int().nonnegative(),
  finalWritesMs: z.number().int().nonnegative(),
  admit: z.boolean(),
  servePrefix: z.boolean(),
  flow: z.enum(['fleet', 'static']),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
});
export type CliOptions = z.infer<typeof optionsSchema>;

/** A non-negative integer from a flag, else from its environment variable (named in the error). */
function int(name: string, value: string | undefined, env?: { variable: string; value: string | undefined }): number | undefined {
  const [source, text] = value !== undefined ? [`--${name}`, value] : [env?.variable, env?.value];
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new CliUsageError(`${source} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

function readConfig(source: string | undefined): Record<string, unknown> {
  if (!source) return {};
  let text = source.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      throw new CliUsageError(`cannot read config file ${source}: ${(error as Error).message}`);
    }
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new CliUsageError(`config is not a JSON object: ${(error as Error).message}`);
  }
}

/** Flags and environment -> validated options (throws CliUsageError with a clear message). */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        concurrency: { type: 'string' },
        prefix: { type: 'string' },
        project: { type: 'string' },
        'emulator-host': { type: 'string' },
        'server-id': { type: 'string' },
        port: { type: 'string' },
        model: { type: 'string' },
        'fake-gemini-url': { type: 'string' },
        'grace-ms': { type: 'string' },
        'final-writes-ms': { type: 'string' },
        'no-admit': { type: 'boolean' },
        'no-serve-prefix': { type: 'boolean' },
        flow: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const fileConfig = readConfig(values.config ?? env.FQ_CONFIG);
  const concurrency = int('concurrency', values.concurrency);
  const prefix = values.prefix ?? env.FQ_PREFIX;
  if (prefix !== undefined && !collectionPrefixSchema.safeParse(prefix).success) {
    throw new CliUsageError(`--prefix may only contain letters, digits, "_" and "-", got "${prefix}"`);
  }
  const upstream = (fileConfig.upstream ?? {}) as Record<string, unknown>;
  const alerts = (fileConfig.alerts ?? {}) as Record<string, unknown>;
  // A webhook URL is a secret: from the environment (a secret manager), not from a flag that
  // shows in `ps`. Set, it replaces the file's list; set and empty, it turns delivery off.
  const alertWebhooks = env.FQ_ALERT_WEBHOOKS?.split(',').map((u) => u.trim()).filter((u) => u.length > 0);
  const configInput = {
    ...fileConfig,
    ...(concurrency !== undefined ? { maxConcurrentRequests: concurrency } : {}),
    ...(prefix !== undefined ? { collectionPrefix: prefix } : {}),
    ...(values.model ? { upstream: { ...upstream, model: values.model } } : {}),
    ...(alertWebhooks !== undefined ? { alerts: { ...alerts, webhooks: alertWebhooks } } : {}),
  };
  const fakeGeminiUrl = values['fake-gemini-url'] ?? null;
  const candidate = {
    config: configInput,
    projectId: values.project ?? env.GCLOUD_PROJECT ?? 'demo-firequeue',
    emulatorHost: env.FIRESTORE_EMULATOR_HOST ?? values['emulator-host'] ?? null,
    serverId: values['server-id'] ?? env.FQ_SERVER_ID ?? null,
    port: int('port', values.port, { variable: 'PORT', value: env.PORT }) ?? 0,
    fakeGeminiUrl,
    geminiApiKey: env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY ?? (fakeGeminiUrl ? 'fake-gemini-key' : null),
    graceMs: int('grace-ms', values['grace-ms'], { variable: 'FQ_GRACE_MS', value: env.FQ_GRACE_MS }) ?? 10_000,
    finalWritesMs: int('final-writes-ms', values['final-writes-ms'], { variable: 'FQ_FINAL_WRITES_MS', value: env.FQ_FINAL_WRITES_MS }) ?? DEFAULT_FINAL_WRITES_MS,
    admit: !values['no-admit'],
    servePrefix: !values['no-serve-prefix'],
    flow: values.flow ?? env.FQ_FLOW ?? 'fleet',
    logLevel: values['log-level'] ?? env.LOG_LEVEL ?? 'info',
  };
  const parsed = optionsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new CliUsageError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('\n'),
    );
  }
  if (!parsed.data.geminiApiKey) {
    throw new CliUsageError('no Gemini API key: set GEMINI_API_KEY, or pass --fake-gemini-url for a fake');
  }
  return parsed.data;
}

export type { WorkerConfig };
