import { spawn } from 'node:child_process';

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
  const child = spawn(process.execPath, ['--import', 'tsx', options.script, ...options.args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The scripts start their own emulator; an inherited host would redirect their workers.
    env: { ...process.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr = (stderr + c).slice(-8_000);
    for (const line of c.split('\n')) if (line.trim()) options.log?.(line.trim());
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (c, s) => resolve({ code: c, signal: s })),
  );
  clearTimeout(timer);
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
