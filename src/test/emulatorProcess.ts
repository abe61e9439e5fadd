/// <reference types="node" />
// Node-only test helper (integration tests run in the node environment).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface EmulatorTarget {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Our Firestore emulator in a child process on a free port, or the one named by
 * FIRESTORE_EMULATOR_HOST (ours or Google's) when it is set.
 */
export async function startFirestoreEmulator(timeoutMs = 60_000): Promise<EmulatorTarget> {
  const external = process.env.FIRESTORE_EMULATOR_HOST;
  if (external) {
    const i = external.lastIndexOf(':');
    return { host: external.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(external.slice(i + 1)), stop: async () => undefined };
  }
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'emulator/src/cli.ts', '--port', '0', '--log-level', 'info'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /FIRESTORE_EMULATOR_HOST=([^\s"]+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${output}`));
    });
  });
  const i = address.lastIndexOf(':');
  return {
    host: address.slice(0, i),
    port: Number(address.slice(i + 1)),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
