#!/usr/bin/env node
/**
 * Lists the collection prefixes (tenants) a deployment serves in `firequeue_config/tenants`,
 * the document the security rules read before every client write:
 *   GOOGLE_APPLICATION_CREDENTIALS=key.json npx tsx system/tenants.ts --project my-project --serve acme_
 *   npx tsx system/tenants.ts --project my-project --retire acme_
 *   npx tsx system/tenants.ts --project my-project --list
 * The default tenant is the empty prefix: `--serve ""`. Works on a real project (Application
 * Default Credentials) and on an emulator (FIRESTORE_EMULATOR_HOST set). `npm start` and the
 * e2e setup serve their own prefix the same way (`servePrefix`).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { collectionPrefixSchema } from '@fq/worker/schema';
import { retirePrefix, servePrefix, servedPrefixes } from '@fq/worker';
import { z } from 'zod';

const HELP = `tenants: the collection prefixes a deployment serves (firequeue_config/tenants)

Usage: npx tsx system/tenants.ts (--serve PREFIX | --retire PREFIX | --list) [--project ID]

  --serve PREFIX    accept client writes into PREFIX ("" is the default tenant)
  --retire PREFIX   refuse them again (documents already there stay)
  --list            print the served prefixes
  --project ID      Firebase project id (env GCLOUD_PROJECT / GOOGLE_CLOUD_PROJECT)

Accounts are bound to a prefix by their "tenant" custom claim (system/grant-admin.ts --tenant).`;

// The list's reads and writes live in the worker package (its CLI serves its own prefix).
export { servePrefix, retirePrefix, servedPrefixes };

const optionsSchema = z.object({
  projectId: z.string({ error: '--project (or GCLOUD_PROJECT) is required' }).regex(/^[a-z0-9-]{4,63}$/, '--project: lowercase letters, digits and "-"'),
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('serve'), prefix: collectionPrefixSchema }),
    z.object({ kind: z.literal('retire'), prefix: z.string() }),
    z.object({ kind: z.literal('list') }),
  ]),
});

export function parseTenantArgs(argv: string[], env: NodeJS.ProcessEnv): z.infer<typeof optionsSchema> | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { serve: { type: 'string' }, retire: { type: 'string' }, list: { type: 'boolean', default: false }, project: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return 'help';
  const chosen = [values.serve !== undefined, values.retire !== undefined, values.list].filter(Boolean).length;
  if (chosen !== 1) throw new Error('give exactly one of --serve, --retire, --list');
  const action = values.serve !== undefined ? { kind: 'serve', prefix: values.serve } : values.retire !== undefined ? { kind: 'retire', prefix: values.retire } : { kind: 'list' };
  const parsed = optionsSchema.safeParse({ projectId: values.project ?? env.GCLOUD_PROJECT ?? env.GOOGLE_CLOUD_PROJECT, action });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('\n'));
  return parsed.data;
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseTenantArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const app = initializeApp({ projectId: options.projectId }, 'tenants');
  try {
    const db = getFirestore(app);
    if (options.action.kind === 'serve') await servePrefix(db, options.action.prefix);
    if (options.action.kind === 'retire') await retirePrefix(db, options.action.prefix);
    console.log(JSON.stringify({ servedPrefixes: await servedPrefixes(db) }));
    return 0;
  } catch (error) {
    console.error(`tenants: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await deleteApp(app);
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  process.exitCode = await main();
}
