/**
 * Runs the production Dockerfile's commands without Docker (which this machine cannot run),
 * in a scratch directory, with its container paths (/repo, /image, /app) mapped into it:
 *
 *   npm run rehearse:image -w @fq/worker        (or: tsx --conditions=development <this file>)
 *
 * 1. build stage: copies the repository as `COPY . .` would (honouring .dockerignore) and
 *    runs the stage's RUN lines verbatim (npm ci of the worker, its build, pack-for-image);
 * 2. runtime stage: copies what the build packed, runs its RUN line verbatim
 *    (`npm ci --omit=dev ...`), then as the image would, with its ENV:
 *    `node <ENTRYPOINT> --help`, and a worker against our Firestore emulator, as an
 *    unprivileged user when this runs as root, until the HEALTHCHECK command passes; then
 *    SIGTERM, which must end the worker with exit 0 within FQ_GRACE_MS + FQ_FINAL_WRITES_MS.
 * npm uses a cache inside the scratch directory (the runtime stage empties its cache), so
 * the rehearsal downloads the worker's dependencies once. Prints one JSON line of figures;
 * exits 1 with the failing step otherwise. --keep leaves the scratch directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerignore, envOf, execForm, healthcheckOf, instructionsOf, parseDockerfile, stage } from './dockerfile.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const keep = process.argv.includes('--keep');
const dockerfile = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const build = stage(dockerfile, 'build');
const runtime = stage(dockerfile, 'runtime');

const scratch = mkdtempSync(join(tmpdir(), 'fq-image-'));
// Readable by the unprivileged user the worker runs as below (mkdtemp makes it 0700).
chmodSync(scratch, 0o755);
const dirs: Record<string, string> = { '/repo': join(scratch, 'repo'), '/image': join(scratch, 'image'), '/app': join(scratch, 'app') };
/** A container path -> its scratch directory, in a command or a path. */
const mapPaths = (text: string) => text.replace(/(^|[\s"'=])(\/repo|\/image|\/app)(?=\/|\s|$|")/g, (_, before: string, path: string) => `${before}${dirs[path]}`);
const npmEnv = { ...process.env, npm_config_cache: join(scratch, 'npm-cache'), npm_config_update_notifier: 'false' };

function step<T>(name: string, run: () => T): T {
  const started = performance.now();
  try {
    const value = run();
    console.error(`rehearse-image: ${name} (${Math.round(performance.now() - started)} ms)`);
    return value;
  } catch (error) {
    console.error(`rehearse-image: FAILED at ${name}: ${error instanceof Error ? error.message : String(error)}`);
    if (!keep) rmSync(scratch, { recursive: true, force: true });
    process.exit(1);
  }
}

function workdir(s: typeof build): string {
  return mapPaths(instructionsOf(s, 'WORKDIR').at(-1)!.args);
}

function runStage(s: typeof build) {
  for (const run of instructionsOf(s, 'RUN')) {
    step(`${s.name}: RUN ${run.args}`, () => execFileSync('/bin/sh', ['-c', mapPaths(run.args)], { cwd: workdir(s), env: npmEnv, stdio: ['ignore', 'inherit', 'inherit'] }));
  }
}

function duBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += duBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

// ---- build stage ----
step('build: COPY . . (honouring .dockerignore)', () => {
  const ignored = dockerignore(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
  if (instructionsOf(build, 'COPY').map((c) => c.args).join() !== '. .') throw new Error('the build stage no longer copies the whole context (`COPY . .`): update this rehearsal');
  cpSync(REPO, workdir(build), { recursive: true, filter: (source) => source === REPO || !ignored(relative(REPO, source).split('\\').join('/')) });
});
runStage(build);

// ---- runtime stage ----
step('runtime: COPY --from=build', () => {
  for (const copy of instructionsOf(runtime, 'COPY')) {
    const match = /^--from=build (\S+) (\S+)$/.exec(copy.args);
    if (!match) throw new Error(`unexpected COPY ${copy.args}`);
    cpSync(mapPaths(match[1]!), join(workdir(runtime), match[2]!), { recursive: true });
  }
});
runStage(runtime);

const env = envOf(runtime);
const entrypoint = execForm(instructionsOf(runtime, 'ENTRYPOINT')[0]!.args).map(mapPaths);
if (entrypoint[0] !== 'node') throw new Error('the entry point no longer starts with node');
const bin = entrypoint.slice(1);
const imageEnv = { PATH: process.env.PATH, HOME: scratch, ...env };
const help = step('runtime: fq-worker --help', () => execFileSync(process.execPath, [...bin, '--help'], { env: imageEnv, encoding: 'utf8' }));
if (!help.includes('Usage: fq-worker')) throw new Error(`--help printed no usage:\n${help}`);
const nodeModules = join(workdir(runtime), 'node_modules');
const installed = readdirSync(nodeModules).flatMap((name) => (name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((n) => `${name}/${n}`) : [name])).filter((n) => !n.startsWith('.'));
const forbidden = installed.filter((name) => ['tsx', 'esbuild', 'typescript', 'vitest', '@fq/emulator', '@fq/fake-gemini'].includes(name));
if (forbidden.length > 0) throw new Error(`the runtime install holds dev tooling: ${forbidden.join(', ')}`);

// ---- the image's process against the emulator ----
const { startEmulator } = await import('@fq/emulator');
const emulator = await startEmulator({ port: 0, host: '127.0.0.1', projectId: 'demo-fq-image', logLevel: 'warn' });
const port = await new Promise<number>((resolve) => {
  // A free port for PORT (the image's default, 8080, may be taken on this machine).
  void import('node:net').then(({ createServer }) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
});
const asRoot = process.getuid?.() === 0;
const started = performance.now();
const worker = spawn(process.execPath, [...bin, '--fake-gemini-url', 'http://127.0.0.1:9', '--prefix', 'image_'], {
  cwd: workdir(runtime),
  env: { ...imageEnv, PORT: String(port), GCLOUD_PROJECT: 'demo-fq-image', FIRESTORE_EMULATOR_HOST: emulator.hostAndPort },
  stdio: ['ignore', 'pipe', 'pipe'],
  // As the image's USER would: not root, files it cannot write (they are root's).
  ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
});
let output = '';
worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => worker.once('exit', (code, signal) => resolve({ code, signal })));

const { command } = healthcheckOf(runtime);
const healthcheck = () => {
  try {
    execFileSync(command[0] === 'node' ? process.execPath : command[0]!, command.slice(1), { env: { ...imageEnv, PORT: String(port) }, stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
};
let healthyAfterMs = -1;
for (let waited = 0; waited < 60_000 && worker.exitCode === null; waited += 250) {
  if (healthcheck()) {
    healthyAfterMs = Math.round(performance.now() - started);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
if (healthyAfterMs < 0) {
  worker.kill('SIGKILL');
  await emulator.stop();
  step('runtime: HEALTHCHECK passes', () => {
    throw new Error(`the health check never passed:\n${output.slice(-3000)}`);
  });
}
const deadlineMs = Number(env.FQ_GRACE_MS) + Number(env.FQ_FINAL_WRITES_MS);
const signalled = performance.now();
worker.kill('SIGTERM');
const timer = setTimeout(() => worker.kill('SIGKILL'), deadlineMs + 5_000);
const exit = await exited;
clearTimeout(timer);
const stopMs = Math.round(performance.now() - signalled);
await emulator.stop();
step('runtime: SIGTERM ends the worker with exit 0 within FQ_GRACE_MS + FQ_FINAL_WRITES_MS', () => {
  if (exit.code !== 0 || stopMs > deadlineMs) throw new Error(`exit ${exit.code ?? exit.signal} after ${stopMs} ms (deadline ${deadlineMs} ms):\n${output.slice(-3000)}`);
});

const tarball = statSync(join(dirs['/image']!, 'fq-worker.tgz')).size;
console.log(
  JSON.stringify({
    node: process.version,
    tarballBytes: tarball,
    runtimePackages: installed.length,
    runtimeNodeModulesBytes: duBytes(nodeModules),
    ranAs: asRoot ? 'uid 65534 (nobody)' : `uid ${process.getuid?.()}`,
    healthyAfterMs,
    stopMs,
    exit: exit.code,
  }),
);
if (keep) console.error(`rehearse-image: kept ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
