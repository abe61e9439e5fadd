#!/usr/bin/env node
/**
 * Grants (or revokes) the dashboard's `admin` custom claim:
 *   GOOGLE_APPLICATION_CREDENTIALS=key.json npx tsx system/grant-admin.ts --project my-project --email ops@example.com
 * Works on a real project (Application Default Credentials: a service account key, or
 * workload identity / gcloud auth application-default login) and on the Auth emulator
 * (FIREBASE_AUTH_EMULATOR_HOST set). The user sees the change after "Refresh access" or the
 * next sign-in.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { z } from 'zod';
import { collectionPrefixSchema } from '@fq/worker/schema';
import { ensureAccount } from './auth/accounts.js';

const HELP = `grant-admin: give an account the dashboard's admin claim

Usage: npx tsx system/grant-admin.ts --email EMAIL [options]

Options:
  --email EMAIL        the account (required)
  --project ID         Firebase project id (env GCLOUD_PROJECT / GOOGLE_CLOUD_PROJECT)
  --revoke             remove the claim instead of granting it
  --create             create the account when it does not exist (needs --password)
  --password PW        set this password (new accounts, or a reset)
  --tenant PREFIX      bind the account to this tenant's collections ("" = the default tenant);
                       an admin administers only its own tenant
  -h, --help

Credentials: GOOGLE_APPLICATION_CREDENTIALS or workload identity for a real project;
FIREBASE_AUTH_EMULATOR_HOST=host:port for the Auth emulator.`;

const optionsSchema = z.object({
  email: z.email('--email must be an email address'),
  projectId: z.string().regex(/^[a-z0-9-]{4,63}$/, '--project: lowercase letters, digits and "-"'),
  revoke: z.boolean(),
  create: z.boolean(),
  password: z.string().min(6, '--password: at least 6 characters').optional(),
  tenant: collectionPrefixSchema.optional(),
});

export function parseGrantArgs(argv: string[], env: NodeJS.ProcessEnv): z.infer<typeof optionsSchema> | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      email: { type: 'string' },
      project: { type: 'string' },
      revoke: { type: 'boolean', default: false },
      create: { type: 'boolean', default: false },
      password: { type: 'string' },
      tenant: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const parsed = optionsSchema.safeParse({
    email: values.email,
    projectId: values.project ?? env.GCLOUD_PROJECT ?? env.GOOGLE_CLOUD_PROJECT,
    revoke: values.revoke,
    create: values.create,
    password: values.password,
    tenant: values.tenant,
  });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => (i.path[0] === 'projectId' && i.code === 'invalid_type' ? '--project (or GCLOUD_PROJECT) is required' : i.message)).join('\n'));
  }
  if (parsed.data.create && !parsed.data.password) throw new Error('--create needs --password');
  return parsed.data;
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseGrantArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const app = initializeApp({ projectId: options.projectId }, 'grant-admin');
  try {
    const result = await ensureAccount(getAuth(app), {
      email: options.email,
      admin: !options.revoke,
      create: options.create,
      ...(options.password ? { password: options.password } : {}),
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    });
    const where = process.env.FIREBASE_AUTH_EMULATOR_HOST ? `Auth emulator ${process.env.FIREBASE_AUTH_EMULATOR_HOST}` : `project ${options.projectId}`;
    const tenant = result.tenant ? `tenant ${result.tenant}` : 'the default tenant';
    console.log(`${result.email} (uid ${result.uid}${result.created ? ', created' : ''}) ${result.admin ? 'is now an admin' : 'is no longer an admin'} of ${tenant} on ${where}.`);
    return 0;
  } catch (error) {
    console.error(`grant-admin: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await deleteApp(app);
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  process.exitCode = await main();
}
