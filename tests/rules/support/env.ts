import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initializeTestEnvironment, type RulesTestEnvironment } from '@firebase/rules-unit-testing';
import { startEmulator, type RunningEmulator } from '@fq/emulator';
import {
  collectionNames,
  decodeDoc,
  encodeDoc,
  PRIORITY_TIER,
  SERVED_PREFIXES_DOC,
  SINGLETON_IDS,
  TENANT_CLAIM,
  TIER_CLAIM,
  type CollectionNames,
  type SubmissionQuota,
} from '@fq/worker/schema';
import { doc, setDoc, Timestamp, type Firestore } from 'firebase/firestore';

export const RULES_FILE = fileURLToPath(new URL('../../../firestore.rules', import.meta.url));

/**
 * The identities of every suite: two end users and an operator with the admin claim, all of
 * the suite's tenant (the `tenant` claim names its prefix). Alice has the priority tier (she
 * may submit `high` and `urgent`), Bob has not.
 */
export const UID = { alice: 'alice', bob: 'bob', admin: 'ops-admin' } as const;
export const ADMIN_EMAIL = 'ops@example.com';

export type Role = 'anonymous' | 'alice' | 'bob' | 'admin';
export const ROLES: readonly Role[] = ['anonymous', 'alice', 'bob', 'admin'];

export interface RulesEnv {
  testEnv: RulesTestEnvironment;
  projectId: string;
  names: CollectionNames;
  /** The client SDK (web SDK, Node build) signed in as `role`. */
  db(role: Role): Firestore;
  /** The client SDK signed in as `uid` with these custom claims (cross-tenant and tier tests). */
  dbAs(uid: string, claims: Record<string, unknown>): Firestore;
  /** Replaces the project's list of served prefixes (`firequeue_config/tenants`). */
  serve(prefixes: readonly string[]): Promise<void>;
  /**
   * Publishes a submission quota in the stats document of `names`' tenant, as the leader does
   * (the suites start with ROOMY_QUOTA in their own tenant).
   */
  publishQuota(quota: SubmissionQuota, names?: CollectionNames): Promise<void>;
  /** Runs `fn` with rules bypassed (`Bearer owner`), for seeding and inspection. */
  asOwner<T>(fn: (db: Firestore) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

function emulatorHost(): { host: string; port: number } | undefined {
  const external = process.env.FIRESTORE_EMULATOR_HOST;
  if (!external) return undefined;
  const i = external.lastIndexOf(':');
  return { host: external.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(external.slice(i + 1)) };
}

/**
 * The quota every suite starts with in its tenant: its users submit far more often than a
 * person would, and only `submission-gates.test.ts` is about the quota.
 */
export const ROOMY_QUOTA: SubmissionQuota = { perWindow: 1_000_000, windowMs: 1_000 };

/**
 * Starts our emulator on a free port (or uses FIRESTORE_EMULATOR_HOST), then sets up
 * `@firebase/rules-unit-testing` exactly as documented: its own project id, the project's
 * firestore.rules loaded through the emulator endpoint. The suite's prefix is listed as
 * served (a deployment would do that), so its writes are not refused for that.
 */
export async function startRulesEnv(tag: string, prefix = ''): Promise<RulesEnv> {
  let emulator: RunningEmulator | undefined;
  let target = emulatorHost();
  if (!target) {
    emulator = await startEmulator({ port: 0, logLevel: 'silent' });
    target = { host: emulator.host, port: emulator.port };
  }
  const projectId = `demo-rules-${tag}-${randomBytes(4).toString('hex')}`.slice(0, 30);
  let testEnv: RulesTestEnvironment;
  try {
    testEnv = await initializeTestEnvironment({
      projectId,
      firestore: { host: target.host, port: target.port, rules: readFileSync(RULES_FILE, 'utf8') },
    });
  } catch (err) {
    await emulator?.stop();
    throw err;
  }
  const tenant = prefix ? { [TENANT_CLAIM]: prefix } : {};
  const contexts = {
    anonymous: testEnv.unauthenticatedContext(),
    alice: testEnv.authenticatedContext(UID.alice, { email: 'alice@example.com', [TIER_CLAIM]: PRIORITY_TIER, ...tenant }),
    bob: testEnv.authenticatedContext(UID.bob, { email: 'bob@example.com', ...tenant }),
    admin: testEnv.authenticatedContext(UID.admin, { email: ADMIN_EMAIL, admin: true, ...tenant }),
  };
  // The compat instance these contexts hand out is accepted by every modular function.
  const asModular = (db: unknown): Firestore => db as Firestore;
  const dbs = new Map<Role, Firestore>();
  const others = new Map<string, Firestore>();
  const serve = (prefixes: readonly string[]) =>
    testEnv.withSecurityRulesDisabled(async (ctx) => {
      const db = asModular(ctx.firestore());
      await setDoc(doc(db, SERVED_PREFIXES_DOC.collection, SERVED_PREFIXES_DOC.id), { servedPrefixes: [...prefixes], updatedAt: Timestamp.now() });
    });
  const publishQuota = (quota: SubmissionQuota, names = collectionNames(prefix)) =>
    testEnv.withSecurityRulesDisabled(async (ctx) => {
      const db = asModular(ctx.firestore());
      const stats = decodeDoc('stats', {
        at: Date.now(), leaderId: 'server-1', leaderTerm: 1, queuedByPriority: {}, byStatus: {}, throughputPerMin: 0, successRate: null,
        p50Ms: null, p95Ms: null, avgServiceMs: null, fleetConcurrency: 0, oldestQueuedAt: null, firestoreOpsPerJob: null, submissionQuota: quota,
      });
      await setDoc(doc(db, names.stats, SINGLETON_IDS.queueStats), encodeDoc('stats', stats));
    });
  try {
    await serve([prefix]);
    await publishQuota(ROOMY_QUOTA);
  } catch (err) {
    await testEnv.cleanup();
    await emulator?.stop();
    throw err;
  }
  return {
    testEnv,
    projectId,
    names: collectionNames(prefix),
    db(role) {
      // firestore() connects to the emulator on every call: connect each context once.
      let db = dbs.get(role);
      if (!db) {
        db = asModular(contexts[role].firestore());
        dbs.set(role, db);
      }
      return db;
    },
    dbAs(uid, claims) {
      const key = JSON.stringify([uid, claims]);
      let db = others.get(key);
      if (!db) {
        db = asModular(testEnv.authenticatedContext(uid, claims).firestore());
        others.set(key, db);
      }
      return db;
    },
    serve,
    publishQuota,
    async asOwner(fn) {
      let out: Awaited<ReturnType<typeof fn>> | undefined;
      await testEnv.withSecurityRulesDisabled(async (ctx) => {
        out = await fn(asModular(ctx.firestore()));
      });
      return out as Awaited<ReturnType<typeof fn>>;
    },
    async stop() {
      await testEnv.cleanup();
      await emulator?.stop();
    },
  };
}
