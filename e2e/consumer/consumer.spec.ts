import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import type * as FakeGemini from '@fq/fake-gemini';
import { packAll, type PackedPackage } from '../../scripts/pack-packages.mjs';
import { freePort } from '../../system/process/ports.js';
import { listeningUrl } from '../../system/components/listening-line.js';
import { waitForHttp } from '../../system/components/http-wait.js';
import { copyApp, installPackedPackage, linkThirdPartyPackages, type InstalledPackage } from './support/install.js';
import { ProcessGroup, runNode } from './support/processes.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP_TEMPLATE = fileURLToPath(new URL('./app', import.meta.url));
const LOG_DIR = join(REPO_ROOT, 'e2e', 'artifacts', 'consumer', 'logs');
const PROJECT = 'demo-fq-consumer';
const HOST = '127.0.0.1';
const READY_MS = 90_000;

/** JSON log lines of the worker (pino): `{"msg": "worker ready", ...}`. */
function logMessage(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return (JSON.parse(line) as { msg?: string }).msg;
  } catch {
    return undefined;
  }
}

/**
 * Issue 16's consumer test: what an app developer gets from the packages. Every workspace
 * package is packed (`npm pack`, building when stale), the tarballs are installed into a
 * scratch project outside the workspace (no download: third-party packages are the
 * repository's, linked), the project's Vite + React page (e2e/consumer/app) is type-checked
 * and built there, and its processes run from the packages' bins with plain node: the
 * Firestore emulator (with the project's rules), the fake Gemini, one worker (through the
 * project's start script), beside firebase-tools' Auth emulator. Chromium opens the page, which
 * signs in anonymously, submits one audio file through the hook and shows, in the status
 * component, the transcript the fake returns. Then issue 17's design-document snippets: the
 * Node ones (Quick Start, Key Metrics, Migration; type-checked with the app) run against the
 * same worker, and the browser ones (the React hook's component, the admin page with
 * `<EnterpriseQueueMonitor />`) run in Chromium as user123 with the admin claim: the monitor
 * shows the one worker, a job the hook submits while the queue is paused, and the queue
 * emptying once it is resumed. Independent of the system e2e (own config).
 */
test('an app that installs the packed packages runs one job from the browser hook to a transcript', async ({ page }) => {
  // Generous: packing builds every stale package first (declarations included, ten minutes on a
  // loaded machine), then the job, the Node snippets and the monitor run.
  test.setTimeout(1_500_000);
  // Each run's logs only (the processes append to their files).
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'fq-consumer-'));
  const scratch = join(work, 'app');
  const processes = new ProcessGroup(scratch, LOG_DIR);
  const timings: [string, number][] = [];
  const started = performance.now();
  async function timed<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings.push([name, (performance.now() - t0) / 1000]);
    }
  }
  let passed = false;

  try {
    // The scratch project first, with its third-party packages and firebase.json, so the Auth
    // emulator (firebase-tools, slow to start: it compiles the Auth API's schema) starts now
    // and gets ready while the packages are packed and built.
    copyApp(APP_TEMPLATE, scratch);
    // The project's own rules and indexes, as an app deploys them (firebase.json names them).
    copyFileSync(join(REPO_ROOT, 'firestore.rules'), join(scratch, 'firestore.rules'));
    copyFileSync(join(REPO_ROOT, 'firestore.indexes.json'), join(scratch, 'firestore.indexes.json'));
    linkThirdPartyPackages(REPO_ROOT, scratch);
    const modules = join(scratch, 'node_modules');
    // Ports firebase-tools needs named in firebase.json; the others are chosen by the processes.
    const ports = { auth: await freePort(HOST), hub: await freePort(HOST), logging: await freePort(HOST), preview: await freePort(HOST) };
    writeFileSync(
      join(scratch, 'firebase.json'),
      JSON.stringify({
        firestore: { rules: 'firestore.rules', indexes: 'firestore.indexes.json' },
        emulators: { auth: { host: HOST, port: ports.auth }, hub: { host: HOST, port: ports.hub }, logging: { host: HOST, port: ports.logging }, ui: { enabled: false }, singleProjectMode: true },
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true' };
    for (const name of ['FIRESTORE_EMULATOR_HOST', 'FIREBASE_AUTH_EMULATOR_HOST', 'GCLOUD_PROJECT', 'FQ_PREFIX', 'FQ_CONFIG', 'PORT', 'GEMINI_API_KEY', 'GOOGLE_API_KEY']) delete env[name];
    const authStart = performance.now();
    const authEmulator = processes.start('Auth emulator', 'auth-emulator', [join(modules, 'firebase-tools', 'lib', 'bin', 'firebase.js'), 'emulators:start', '--only', 'auth', '--project', PROJECT], env);
    const authReady = authEmulator.waitForLine((line) => line.includes('All emulators ready'), '"All emulators ready"', 240_000).then(() => {
      timings.push(['auth emulator ready (from the start)', (performance.now() - authStart) / 1000]);
    });
    authReady.catch(() => undefined); // awaited below; a failure before then must not go unhandled

    const packed: PackedPackage[] = await test.step('npm pack every package', () => timed('pack', () => packAll(REPO_ROOT, join(work, 'tarballs'))));
    const installed = await test.step('install the tarballs into the scratch project', () =>
      timed('install', () => new Map<string, InstalledPackage>(packed.map((p) => [p.name, installPackedPackage(REPO_ROOT, scratch, p)]))),
    );
    const bin = (name: string) => {
      const link = [...installed.values()].find((p) => p.bins[name])?.bins[name];
      if (!link) throw new Error(`no installed package has the bin ${name}`);
      return link;
    };

    // The build and the back end start side by side: the machine's two cores serve both.
    const build = test.step('type-check and vite build the app', () =>
      timed('app build', async () => {
        await runNode('type-check the app against the installed packages', join(modules, 'typescript', 'bin', 'tsc'), ['-p', scratch], scratch, env);
        // The design document's Node snippets (Quick Start, Key Metrics, Migration) and the ops script.
        await runNode('type-check the Node snippets', join(modules, 'typescript', 'bin', 'tsc'), ['-p', join(scratch, 'node')], scratch, env);
        await runNode('vite build', join(modules, 'vite', 'bin', 'vite.js'), ['build', '--logLevel', 'warn'], scratch, env);
      }),
    );
    const backend = test.step('start the emulator, the fake Gemini and a worker from their bins', async () => {
      // The emulator reads its rules from the project's firebase.json (cwd); --port 0: any free port.
      const emulatorStart = performance.now();
      const emulator = processes.start('Firestore emulator', 'firestore-emulator', [bin('fq-firestore-emulator'), '--host', HOST, '--port', '0', '--project', PROJECT], env);
      const firestore = await emulator.waitForLine((line) => /FIRESTORE_EMULATOR_HOST=([^\s"]+)/.exec(line)?.[1], 'FIRESTORE_EMULATOR_HOST line', READY_MS);
      timings.push(['emulator answering', (performance.now() - emulatorStart) / 1000]);
      const fake = processes.start('fake Gemini', 'fake-gemini', [bin('fq-fake-gemini'), '--host', HOST, '--port', '0', '--base-latency-ms', '50'], env);
      const geminiUrl = await fake.waitForLine(listeningUrl, 'listening line', READY_MS);
      const worker = await timed('worker ready', async () => {
        const child = processes.start('worker', 'worker', [join(scratch, 'scripts', 'start-worker.mjs'), '--server-id', 'consumer-w1', '--port', '0', '--concurrency', '2', '--grace-ms', '2000', '--fake-gemini-url', geminiUrl], {
          ...env,
          FIRESTORE_EMULATOR_HOST: firestore,
          GCLOUD_PROJECT: PROJECT,
          FQ_PREFIX: '',
        });
        await child.waitForLine((line) => logMessage(line) === 'worker ready', '"worker ready" log line', READY_MS);
        return child;
      });
      return { firestore, worker, geminiUrl };
    });
    const [, { firestore, geminiUrl }] = await Promise.all([build, backend]);
    await test.step('wait for the Auth emulator', () => authReady);

    const preview = processes.start('vite preview', 'vite-preview', [join(modules, 'vite', 'bin', 'vite.js'), 'preview', '--host', HOST, '--port', String(ports.preview), '--strictPort'], env);
    await Promise.race([
      waitForHttp(`http://${HOST}:${ports.preview}/`, { timeoutMs: READY_MS, ok: true, what: 'vite preview' }),
      preview.exited.then((exit) => Promise.reject(new Error(`vite preview exited (${exit.signal ?? exit.code}): ${preview.lastOutput()}`))),
    ]);

    await test.step('submit audio in Chromium and see the transcript', () =>
      timed('browser job', async () => {
        const text = 'A transcript from the packed packages.';
        // The test audio comes from the installed @fq/fake-gemini, resolved as the project resolves it.
        const fakeGeminiEntry = createRequire(join(scratch, 'package.json')).resolve('@fq/fake-gemini');
        const fakeGemini = (await import(pathToFileURL(fakeGeminiEntry).href)) as typeof FakeGemini;
        const audio = Buffer.from(fakeGemini.makeTestWav({ durationSec: 1, text, sampleRate: 8_000 }));
        const query = new URLSearchParams({ project: PROJECT, firestore, auth: `${HOST}:${ports.auth}`, prefix: '' });
        await page.goto(`http://${HOST}:${ports.preview}/?${query}`);
        await expect(page.getByTestId('ready')).toBeVisible({ timeout: 30_000 });
        await page.getByLabel('Audio file').setInputFiles({ name: 'speech.wav', mimeType: 'audio/wav', buffer: audio });
        await page.getByRole('button', { name: 'Transcribe' }).click();
        // The status component watching the submitted id, and the hook's list of requests.
        const watched = page.getByTestId('submitted').locator('.fq-status');
        await expect(watched).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
        await expect(watched.locator('.fq-status__transcript')).toHaveText(text);
        await expect(page.getByTestId('requests').locator('.fq-status[data-status="succeeded"] .fq-status__transcript')).toHaveText(text);
      }),
    );
    // Node processes of the app (the snippets, the ops script): the enterprise singleton over
    // the emulator through firebase-admin, phase 1 and the direct call on the fake Gemini.
    // NO_COLOR: Playwright sets FORCE_COLOR, and console.log would wrap the printed numbers in colour codes.
    const nodeEnv: NodeJS.ProcessEnv = { ...env, FIRESTORE_EMULATOR_HOST: firestore, GCLOUD_PROJECT: PROJECT, FQ_PREFIX: '', FAKE_GEMINI_URL: geminiUrl, GEMINI_API_KEY: 'fake-gemini-key', NO_COLOR: '1' };
    delete nodeEnv.FORCE_COLOR;
    const tsx = (step: string, script: string, args: string[] = []) => runNode(step, join(modules, 'tsx', 'dist', 'cli.mjs'), [script, ...args], scratch, nodeEnv);

    await test.step("run the design document's Node snippets (Quick Start, Key Metrics, Migration)", () =>
      timed('node snippets', async () => {
        const out = await tsx('node snippets', 'node/snippets/run.ts');
        console.log(`[consumer] snippets said:\n${out.trim()}`);
        // Quick Start 2: the result's fields, as the document prints them.
        expect(out).toMatch(/^Request ID: [A-Za-z0-9_-]+$/m);
        expect(out).toMatch(/^Queue Position: \d+$/m);
        expect(out).toMatch(/^Estimated Wait: \d+(\.\d+)? seconds$/m);
        expect(out).toMatch(/^Rate Limit Remaining: \d+$/m);
        // Key Metrics: `stats.servers.length` is a number (the one worker), not undefined.
        expect(out).toMatch(/^Active Servers: 1$/m);
        expect(out).toMatch(/^Queue Size: \d+$/m);
        expect(out).toMatch(/^Success Rate: (null|[\d.]+)$/m);
        expect(out).toMatch(/^Circuit Breaker: closed$/m);
        // Migration: the old direct call and phase 1 (in memory) transcribe through the fake;
        // the requests queued by Quick Start and Migration are transcribed by the worker.
        expect(out).toContain('Direct transcript: Spoken through the enterprise queue.');
        expect(out).toContain('Phase 1 transcript: Spoken through the enterprise queue.');
        expect(out.match(/^Transcript of [A-Za-z0-9_-]+: Spoken through the enterprise queue\.$/gm)).toHaveLength(3);
        const summary = JSON.parse(/^SUMMARY (.*)$/m.exec(out)![1]!) as { servers: number; serversAfter: number; successRateAfter: number | null };
        expect(summary).toMatchObject({ servers: 1, serversAfter: 1 });
      }),
    );

    await test.step("the document's hook and <EnterpriseQueueMonitor /> in Chromium: live servers and queue size", () =>
      timed('monitor', async () => {
        // user123 (the uid the document's hook names), an admin (the monitor reads the fleet)
        // with the priority tier (the hook asks for 'high'): a custom token from the Auth emulator.
        process.env.FIREBASE_AUTH_EMULATOR_HOST = `${HOST}:${ports.auth}`;
        const admin = initializeApp({ projectId: PROJECT }, 'consumer-token');
        const token = await getAuth(admin).createCustomToken('user123', { admin: true, tier: 'priority' });
        await deleteApp(admin);
        const fakeGeminiEntry = createRequire(join(scratch, 'package.json')).resolve('@fq/fake-gemini');
        const fakeGemini = (await import(pathToFileURL(fakeGeminiEntry).href)) as typeof FakeGemini;
        const text = 'The monitor saw this job queued.';
        const audioDataUri = `data:audio/wav;base64,${Buffer.from(fakeGemini.makeTestWav({ durationSec: 1, text, sampleRate: 8_000 })).toString('base64')}`;
        // The hook snippet's `audioData`.
        await page.addInitScript((uri) => {
          (globalThis as unknown as { fqAudioData: string }).fqAudioData = uri;
        }, audioDataUri);
        const logs: string[] = [];
        page.on('console', (message) => logs.push(message.text()));
        const query = new URLSearchParams({ project: PROJECT, firestore, auth: `${HOST}:${ports.auth}`, prefix: '', view: 'snippets', token });
        await page.goto(`http://${HOST}:${ports.preview}/?${query}`);
        await expect(page.getByRole('heading', { name: 'System Administration' })).toBeVisible({ timeout: 30_000 });

        const monitor = page.getByTestId('admin-snippet').locator('.fq-monitor');
        await expect(monitor).toHaveAttribute('data-loading', 'false', { timeout: 30_000 });
        await expect(monitor.getByRole('alert')).toHaveCount(0);
        // The one worker process, live, and its leadership.
        await expect(monitor).toHaveAttribute('data-servers', '1');
        await expect(monitor.locator('[data-server-id="consumer-w1"]')).toHaveAttribute('data-state', 'active');
        await expect(monitor.locator('.fq-monitor__leader')).toHaveText('consumer-w1');
        await expect(monitor).toHaveAttribute('data-queue-size', '0', { timeout: 30_000 });

        // Paused, the job the hook submits stays in the queue where the monitor shows it. (An
        // idle leader refreshes the figures when a job appears, not on a control: the pause
        // shows on the monitor with the job.)
        await tsx('pause the queue', 'node/queue-control.ts', ['pause']);
        const hook = page.getByTestId('hook-snippet');
        await expect(hook).toContainText('Queue Size: 0');
        await hook.getByRole('button', { name: 'Transcribe Audio' }).click();
        await expect.poll(() => logs.some((l) => l.startsWith('Queued request:')), { timeout: 30_000 }).toBe(true);
        await expect(monitor).toHaveAttribute('data-queue-size', '1', { timeout: 60_000 });
        await expect(monitor).toHaveAttribute('data-paused', 'true');
        await expect(monitor.getByTestId('fq-monitor-queue-size')).toHaveText('1');
        await expect(monitor.locator('[data-section="queue"] [data-priority="high"] td')).toHaveText('1');
        await expect(hook.getByRole('button', { name: 'Processing...' })).toBeVisible();

        // Resumed: the worker transcribes it, the queue empties, the hook reports completion.
        await tsx('resume the queue', 'node/queue-control.ts', ['resume']);
        await expect(monitor).toHaveAttribute('data-queue-size', '0', { timeout: 60_000 });
        await expect.poll(() => logs.some((l) => l.startsWith('Transcription completed:')), { timeout: 60_000 }).toBe(true);
        await expect(hook.getByRole('button', { name: 'Transcribe Audio' })).toBeVisible();
        await expect(monitor.getByTestId('fq-monitor-success-rate')).toHaveText('100%', { timeout: 60_000 });
        await expect(monitor).toHaveAttribute('data-servers', '1');
        expect(logs.filter((l) => l.startsWith('Transcription failed:') || l.startsWith('Failed to queue:'))).toEqual([]);
        await page.screenshot({ path: join(REPO_ROOT, 'e2e', 'artifacts', 'consumer', 'monitor.png'), fullPage: true });
      }),
    );
    passed = true;
  } finally {
    const ended = await test.step('stop everything', () => timed('stop', () => processes.stopAll({ 'Auth emulator': 'SIGINT' })));
    const total = (performance.now() - started) / 1000;
    console.log(
      `[consumer] ${total.toFixed(1)} s: ${timings.map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(', ')}; ` +
        `exits: ${ended.map((e) => `${e.name} ${e.signal ?? e.code}`).join(', ')}; logs ${LOG_DIR}`,
    );
    if (passed) {
      rmSync(work, { recursive: true, force: true });
      // The worker drains and exits 0 on SIGTERM through the project's script and the bin.
      expect(ended.find((e) => e.name === 'worker')).toMatchObject({ code: 0 });
    } else console.log(`[consumer] scratch project kept for inspection: ${work}`);
  }
});
