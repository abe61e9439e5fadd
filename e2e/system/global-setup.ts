import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSystem, SYSTEM_INFO_ENV } from '../../system/index.js';
import { e2eSystemOptions } from './support/system-config.js';
import { startWebhookReceiver, WEBHOOK_RECEIVER_ENV } from './support/webhook-receiver.js';

// E2E_SYSTEM_LOG_DIR: a run's own directory. Two runs in one checkout must not share it: each
// empties it at start, and the dashboard reads its config file (the emulators' ports) from it.
const LOG_DIR = process.env.E2E_SYSTEM_LOG_DIR || fileURLToPath(new URL('../artifacts/system-logs', import.meta.url));

/**
 * Boots ONE system for the whole Playwright run (emulators, fake Gemini, three workers, the
 * dashboard, the control API) on free ports, and hands its description to the specs through
 * an environment variable (Playwright's workers inherit the runner's environment). A local
 * webhook receiver stands in for Slack: the workers' `alerts.webhooks` points at it, and
 * specs read what it got through WEBHOOK_RECEIVER_ENV. Honours
 * FIRESTORE_EMULATOR_HOST / FIREBASE_AUTH_EMULATOR_HOST / GCLOUD_PROJECT, so QA can run the
 * suite under `firebase emulators:exec`. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const started = Date.now();
  const prefix = `e2e${randomBytes(3).toString('hex')}_`;
  const receiver = await startWebhookReceiver();
  process.env[WEBHOOK_RECEIVER_ENV] = receiver.url;
  const system = await startSystem({
    ...e2eSystemOptions(LOG_DIR, prefix, { alertWebhooks: [receiver.hookUrl] }),
    onEvent: (event) => {
      if (event.type === 'failure') console.error(`[system] ${event.failure.message}`);
    },
  });
  process.env[SYSTEM_INFO_ENV] = JSON.stringify(system.info);
  const { dashboard, firestore, auth } = system.info;
  console.log(
    `[system] up in ${((Date.now() - started) / 1000).toFixed(1)} s: dashboard ${dashboard?.url}, Firestore ${firestore.hostAndPort}` +
      `${firestore.embedded ? '' : ' (external)'}, Auth ${auth.hostAndPort}${auth.embedded ? '' : ' (external)'}, prefix ${prefix}, logs ${LOG_DIR}`,
  );
  return async () => {
    // The receiver last: the last worker to stop sends "no live server" to it.
    await system.stop();
    await receiver.close();
  };
}
