import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];

export interface CliArgs<O extends ParseArgsOptionsConfig> {
  values: Values<O>;
  /** Prints the message and the help, exits 2. */
  usage(message: string): never;
  /** A number flag (`integer`: no fraction), or `fallback` when absent; a usage error otherwise. */
  number(name: keyof O & string, fallback: number, kind?: 'integer' | 'number'): number;
}

/**
 * The bench, chaos and fuzz commands' argument handling: strict flags plus `-h/--help`; a
 * usage error prints the message and the help and exits 2, `--help` prints it and exits 0.
 */
export function cliArgs<O extends ParseArgsOptionsConfig>(options: O, help: string): CliArgs<O> {
  const usage = (message: string): never => {
    process.stderr.write(`${message}\n\n${help}\n`);
    process.exit(2);
  };
  let raw: Record<string, unknown>;
  try {
    raw = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return usage((error as Error).message);
  }
  if (raw.help) {
    console.log(help);
    process.exit(0);
  }
  const number = (name: string, fallback: number, kind: 'integer' | 'number' = 'integer'): number => {
    const value = raw[name];
    if (value === undefined) return fallback;
    const ok = typeof value === 'string' && (kind === 'integer' ? /^\d+$/ : /^\d+(\.\d+)?$/).test(value);
    if (!ok) return usage(`--${name} must be a non-negative ${kind}, got ${String(value)}`);
    return Number(value);
  };
  return { values: raw as Values<O>, usage, number };
}
