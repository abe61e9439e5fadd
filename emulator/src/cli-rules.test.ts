import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './testing/test-env.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
// The CLI runs in a project directory of its own, where `--import tsx` would not resolve.
const tsx = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'fq-cli-rules-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const rules = (collection: string) =>
  `rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /${collection}/{id} {\n      allow read: if true;\n    }\n  }\n}\n`;

function start(args: string[], cwd: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', tsx, cli, '--port', '0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function rulesServed(url: string): Promise<string | undefined> {
  const res = await fetch(`${url}/emulator/v1/projects/demo-any:securityRules`);
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { rules: { files: Array<{ content: string }> } }).rules.files[0]!.content;
}

describe('the CLI loads security rules', () => {
  it("from the nearest firebase.json's firestore.rules, and reloads the file when it changes", async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'tools'), { recursive: true });
    writeFileSync(join(project, 'firebase.json'), JSON.stringify({ firestore: { rules: 'firestore.rules' } }));
    const file = join(project, 'firestore.rules');
    writeFileSync(file, rules('first'));
    const run = start(['--log-level', 'info'], join(project, 'tools'));
    const host = await waitFor(() => /FIRESTORE_EMULATOR_HOST=([^ "]+)/.exec(run.output())?.[1], 60_000, 'the emulator to listen');
    const url = `http://${host}`;
    expect(run.output()).toMatch(/security rules loaded/);
    expect(await rulesServed(url)).toBe(rules('first'));

    writeFileSync(file, rules('second'));
    await waitFor(async () => ((await rulesServed(url)) === rules('second') ? true : undefined), 20_000, 'the reload');

    // A broken edit is reported and the rules in force stay.
    writeFileSync(file, 'rules_version = \'2\';\nservice cloud.firestore {\n');
    await waitFor(() => (/Invalid security rules: firestore\.rules:\d+:\d+/.test(run.output()) ? true : undefined), 20_000, 'the error log');
    expect(await rulesServed(url)).toBe(rules('second'));
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 120_000);

  it('exits 1 naming file, line and column when --rules does not compile', async () => {
    const bad = join(dir, 'bad.rules');
    writeFileSync(bad, "rules_version = '2';\nservice cloud.firestore {\n  match /x { allow read: if ; }\n}\n");
    const run = start(['--rules', bad, '--log-level', 'error'], dir);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`Invalid security rules in ${bad}: bad.rules:3:`);
  }, 60_000);

  it('--no-rules starts an open emulator even inside a project', async () => {
    const run = start(['--no-rules', '--log-level', 'info'], join(dir, 'project'));
    const host = await waitFor(() => /FIRESTORE_EMULATOR_HOST=([^ "]+)/.exec(run.output())?.[1], 60_000, 'the emulator to listen');
    expect(run.output()).toMatch(/no security rules \(--no-rules\)/);
    expect(await rulesServed(`http://${host}`)).toBeUndefined();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 60_000);
});
