import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliOptions } from '../cli/options.js';
import { startHttpServer, type HttpServerHandle } from '../runtime/http-server.js';
import type { WorkerStatus } from '../runtime/worker.js';
import { dockerignore, durationMs, envOf, execForm, healthcheckOf, instructionsOf, parseDockerfile, stage } from './dockerfile.js';

/**
 * Docker cannot run here, so the production image (the repository's Dockerfile) is held to
 * the worker by reading it: its stages, user, signal, health check, entry point and variables
 * must name real files, flags and behaviour of this package. `npm run rehearse:image -w
 * @fq/worker` runs its commands for real (without Docker).
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const WORKER = join(REPO, 'worker');
const dockerfile = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(WORKER, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
};
/** Cloud Run's and `docker stop`'s time between SIGTERM and SIGKILL. */
const PLATFORM_STOP_MS = 10_000;

const runs = (s: ReturnType<typeof stage>) => instructionsOf(s, 'RUN').map((r) => r.args);

let server: HttpServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('the production Dockerfile', () => {
  it('builds in one stage with dev dependencies and runs the packed worker with production dependencies only', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const build = stage(dockerfile, 'build');
    const runtime = stage(dockerfile, 'runtime');
    expect(build.from).toBe(runtime.from);
    expect(build.from).toMatch(/^node:20[.-]/); // the repository's Node (package.json engines)

    // Build: the worker's dependencies from the lockfile, its build script, the pack script.
    expect(runs(build)[0]).toMatch(/^npm ci --workspace @fq\/worker\b/);
    const scripts = runs(build).flatMap((run) => [...run.matchAll(/node (worker\/scripts\/\S+)/g)].map((m) => m[1]!));
    expect(scripts).toEqual(['worker/scripts/build.mjs', 'worker/scripts/pack-for-image.mjs']);
    for (const script of scripts) expect(existsSync(join(REPO, script)), script).toBe(true);
    const packedTo = /pack-for-image\.mjs (\S+)/.exec(runs(build).join('\n'))![1]!;

    // Runtime: only what the build stage packed, installed with --omit=dev.
    const copies = instructionsOf(runtime, 'COPY').map((c) => c.args);
    expect(copies).toEqual([`--from=build ${packedTo}/ ./`]);
    expect(runs(runtime)).toHaveLength(1);
    expect(runs(runtime)[0]).toMatch(/^npm ci --omit=dev --ignore-scripts\b/);
    expect(envOf(runtime).NODE_ENV).toBe('production');
  });

  it('starts the package bin with node as a non-root user', () => {
    const runtime = stage(dockerfile, 'runtime');
    const user = instructionsOf(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]!.args).not.toMatch(/^(root|0)(:|$)/);
    // The install runs as root (files owned by root, read-only to the process), the process does not.
    expect(user[0]!.line).toBeGreaterThan(instructionsOf(runtime, 'RUN').at(-1)!.line);

    const [entrypoint] = instructionsOf(runtime, 'ENTRYPOINT');
    const workdir = instructionsOf(runtime, 'WORKDIR').at(-1)!.args;
    const bin = pkg.bin['fq-worker']!.replace(/^\.\//, '');
    expect(execForm(entrypoint!.args)).toEqual(['node', `${workdir}/node_modules/${pkg.name}/${bin}`]);
    expect(existsSync(join(WORKER, bin))).toBe(true);
    expect(pkg.files.some((f) => bin === f || bin.startsWith(`${f.replace(/\/$/, '')}/`)), `${bin} is in "files"`).toBe(true);
  });

  it('sets the variables the CLI reads: the HTTP port it exposes, and a shutdown that fits the platform stop timeout', () => {
    const runtime = stage(dockerfile, 'runtime');
    const env = envOf(runtime);
    const options = parseCliOptions(execForm(instructionsOf(runtime, 'CMD').at(-1)!.args).concat('--fake-gemini-url', 'http://127.0.0.1:1'), env);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.port).toBeGreaterThan(0);
    expect(instructionsOf(runtime, 'EXPOSE').map((e) => Number(e.args))).toEqual([options.port]);
    expect(instructionsOf(runtime, 'STOPSIGNAL').map((s) => s.args)).toEqual(['SIGTERM']);
    // The CLI exits at the latest grace + final writes after SIGTERM: before SIGKILL comes.
    expect(options.graceMs + options.finalWritesMs).toBeLessThanOrEqual(PLATFORM_STOP_MS - 500);
    expect(options.graceMs).toBeGreaterThan(0);
  });

  it("health-checks the worker's /healthz: its command passes while the worker runs and fails while it drains or is gone", async () => {
    const runtime = stage(dockerfile, 'runtime');
    const { options, command } = healthcheckOf(runtime);
    expect(command[0]).toBe('node');
    // Longer than a worker's start-up (registration, first election) on a cold instance.
    expect(durationMs(options['start-period']!)).toBeGreaterThanOrEqual(30_000);
    // Docker kills a check after --timeout; node's start alone takes a good part of a second.
    expect(durationMs(options.timeout!)).toBeGreaterThanOrEqual(3_000);

    let state: WorkerStatus['state'] = 'running';
    server = await startHttpServer({
      port: 0,
      registry: new Registry(),
      status: () => ({ serverId: 's', state, inFlight: 0, jobsCompleted: 0, jobsFailed: 0, leadership: { isLeader: false, term: 0, holder: null }, pausedPriorities: [] }),
    });
    const check = (port: number) =>
      new Promise<number>((resolve) => {
        execFile(command[0] === 'node' ? process.execPath : command[0]!, command.slice(1), { env: { ...envOf(runtime), PORT: String(port) }, timeout: 30_000 }, (error) =>
          resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0),
        );
      });
    expect(await check(server.port)).toBe(0);
    state = 'draining';
    expect(await check(server.port)).toBe(1);
    const { port } = server;
    await server.close();
    server = null;
    expect(await check(port)).toBe(1);
  });

  it('leaves installed and built files, test output and secrets out of the build context, and keeps what the build needs', () => {
    const ignored = dockerignore(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
    for (const path of ['node_modules/zod/package.json', 'worker/node_modules/x', 'worker/dist/cli.js', 'emulator/dist/cli.cjs', '.git/HEAD', '.env', '.env.production', 'test-results/x.json', '.tsbuild/worker.tsbuildinfo']) {
      expect(ignored(path), `${path} is ignored`).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.base.json', 'worker/package.json', 'worker/tsconfig.json', 'worker/src/cli.ts', 'worker/src/schema/index.ts', 'worker/scripts/build.mjs', 'worker/scripts/pack-for-image.mjs', 'worker/bin/fq-worker.mjs', 'worker/README.md']) {
      expect(ignored(path), `${path} is in the context`).toBe(false);
    }
  });
});
