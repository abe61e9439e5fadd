import { spawn } from 'node:child_process';

/** Process groups of the scripts running now: killed with this process, however it ends. */
const groups = new Set<number>();
let hooked = false;
function killGroups(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Runs one of the repository's measurement scripts as a child process (`node --import tsx
 * <script> <args>`) and parses the JSON document it prints on stdout. The bench calls the
 * existing scripts instead of copying their logic, so both stay one implementation.
 */
export async function runJsonScript<T>(options: {
  script: string;
  args: readonly string[];
  cwd: string;
  timeoutMs: number;
  log?: (line: string) => void;
}): Promise<T> {
  // Its own process group: the script's worker processes go down with it (timeout, Ctrl-C).
  // Workspace packages from their sources (their "development" exports), as `npm run bench` runs.
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', options.script, ...options.args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (!hooked) {
    hooked = true;
    process.on('exit', killGroups);
  }
  if (child.pid) groups.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr = (stderr + c).slice(-8_000);
    for (const line of c.split('\n')) if (line.trim()) options.log?.(line.trim());
  });
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), options.timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (c, s) => resolve({ code: c, signal: s })),
  );
  clearTimeout(timer);
  if (child.pid) {
    // Anything the script left behind (a worker it did not stop) goes with it.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is empty
    }
    groups.delete(child.pid);
  }
  if (code !== 0) {
    const why = signal === 'SIGKILL' ? `timed out after ${Math.round(options.timeoutMs / 1000)} s` : `exited with ${code ?? signal}`;
    throw new Error(`${options.script} ${why}\n${stderr.slice(-3_000)}`);
  }
  return parseLastJsonDocument<T>(stdout, options.script);
}

/** The last top-level JSON object in a script's output (scripts may print lines before it). */
export function parseLastJsonDocument<T>(text: string, what = 'output'): T {
  for (let start = text.lastIndexOf('\n{'); ; start = text.lastIndexOf('\n{', start - 1)) {
    const from = start < 0 ? text.indexOf('{') : start + 1;
    if (from < 0) break;
    try {
      return JSON.parse(text.slice(from)) as T;
    } catch {
      if (start < 0) break;
    }
  }
  throw new Error(`${what} printed no JSON document: ${text.slice(-500)}`);
}
