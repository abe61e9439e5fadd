import { parseArgs } from 'node:util';
import * as z from './zod.js';

export const USAGE = `Usage: fq-firestore-emulator [options]

A Java-free Firestore emulator (gRPC + HTTP on one port).

Options:
  --host <host>        interface to bind (default: firebase.json's emulators.firestore.host,
                       else 127.0.0.1)
  --port <port>        port to bind, 0 = any free port (default: firebase.json's
                       emulators.firestore.port, else 8080)
  --project <id>       default project id (default demo-firequeue)
  --log-level <level>  fatal|error|warn|info|debug|trace|silent (default info)
  --rules <file>       Firestore security rules for every project (reloaded when the file changes)
  --config <file>      firebase.json whose firestore.rules to load (default: the nearest
                       firebase.json in the working directory or above)
  --no-rules           load no rules (every request allowed until rules are PUT)
  --import <dir>       load the data exported to <dir> before listening
  --export-on-exit [dir]  export all data to <dir> on SIGINT/SIGTERM (default: the --import dir)
  -h, --help           show this help
`;

const nonEmpty = (): z.ZodMiniOptional<z.ZodMiniString> => z.optional(z.string().check(z.minLength(1)));

const schema = z.object({
  host: nonEmpty(),
  port: z.optional(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535))),
  project: z.string().check(z.regex(/^[a-z0-9-]{1,63}$/i, 'project ids use letters, digits and dashes')),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  rules: nonEmpty(),
  config: nonEmpty(),
  noRules: z.boolean(),
  importDir: nonEmpty(),
  exportOnExit: nonEmpty(),
});

export type CliOptions = z.output<typeof schema>;

export type ParsedCli = { help: true } | { help: false; options: CliOptions };

/** `--export-on-exit` may come without a directory (then the --import one), as in the Firebase CLI. */
function withExportDirectory(argv: string[]): { args: string[]; exportToImportDir: boolean } {
  const args: string[] = [];
  let exportToImportDir = false;
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--export-on-exit' && (next === undefined || next.startsWith('-'))) exportToImportDir = true;
    else args.push(argv[i]!);
  }
  return { args, exportToImportDir };
}

/** Parses argv; throws an Error with a readable message on bad flags. */
export function parseCli(argv: string[]): ParsedCli {
  let values: Record<string, string | boolean | undefined>;
  const { args, exportToImportDir } = withExportDirectory(argv);
  try {
    ({ values } = parseArgs({
      args,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        project: { type: 'string' },
        'log-level': { type: 'string' },
        rules: { type: 'string' },
        config: { type: 'string' },
        'no-rules': { type: 'boolean' },
        import: { type: 'string' },
        'export-on-exit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n\n${USAGE}`, { cause: err });
  }
  if (values.help) return { help: true };
  const result = z.safeParse(schema, {
    host: values.host,
    port: values.port,
    project: values.project ?? process.env.GCLOUD_PROJECT ?? 'demo-firequeue',
    logLevel: values['log-level'] ?? 'info',
    rules: values.rules,
    config: values.config,
    noRules: values['no-rules'] === true,
    importDir: values.import,
    exportOnExit: exportToImportDir ? values.import : values['export-on-exit'],
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag = { logLevel: 'log-level', importDir: 'import', exportOnExit: 'export-on-exit' }[String(issue.path[0])] ?? String(issue.path[0]);
    throw new Error(`Invalid --${flag}: ${issue.message}\n\n${USAGE}`);
  }
  if (exportToImportDir && values.import === undefined) {
    throw new Error(`--export-on-exit needs a directory when there is no --import.\n\n${USAGE}`);
  }
  const { rules, config, noRules } = result.data;
  if ([rules !== undefined, config !== undefined, noRules].filter(Boolean).length > 1) {
    throw new Error(`--rules, --config and --no-rules exclude each other.\n\n${USAGE}`);
  }
  return { help: false, options: result.data };
}
