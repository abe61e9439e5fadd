import * as z from '../../zod.js';
import { FirestoreError } from '../../model/index.js';
import { compileRules, RulesSyntaxError } from '../../rules/index.js';
import { CustomAuthorizerError, installSecurityRules, securityRulesOf } from '../../security/index.js';
import type { FirestoreService } from '../../service/index.js';
import type { Router } from './router.js';
import { readBody, sendJson } from './router.js';

const bodySchema = z.object({
  rules: z.object({
    files: z
      .array(z.object({ content: z.string(), name: z.optional(z.string().check(z.minLength(1))) }))
      .check(z.minLength(1, 'rules.files needs one file'), z.maxLength(1, 'only one rules file per ruleset is supported')),
  }),
});

function parseBody(text: string): z.output<typeof bodySchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FirestoreError('INVALID_ARGUMENT', 'The request body is not JSON; expected {"rules": {"files": [{"content": "..."}]}}.');
  }
  const parsed = z.safeParse(bodySchema, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FirestoreError('INVALID_ARGUMENT', `Invalid ruleset: ${issue.path.join('.') || 'body'}: ${issue.message}.`);
  }
  return parsed.data;
}

/**
 * Google-emulator-compatible rules endpoint (what `@firebase/rules-unit-testing` calls):
 * - `PUT /emulator/v1/projects/{p}:securityRules` with `{"rules": {"files": [{"content", "name"?}]}}`
 *   loads rules for project p; invalid rules answer 400 INVALID_ARGUMENT naming line and column.
 * - `GET` of the same URL returns the ruleset in that shape (404 when the project has none).
 */
export function addSecurityRulesRoutes(router: Router, service: FirestoreService): void {
  const url = /^\/emulator\/v1\/projects\/(?<project>[^/:]+):securityRules$/;
  router.add('PUT', url, async ({ req, res, params }) => {
    const body = parseBody(await readBody(req));
    const file = body.rules.files[0]!;
    let compiled;
    try {
      compiled = compileRules(file.content, file.name ?? 'firestore.rules');
    } catch (err) {
      if (err instanceof RulesSyntaxError) throw new FirestoreError('INVALID_ARGUMENT', err.message);
      throw err;
    }
    let rules;
    try {
      rules = installSecurityRules(service);
    } catch (err) {
      if (err instanceof CustomAuthorizerError) throw new FirestoreError('FAILED_PRECONDITION', err.message);
      throw err;
    }
    rules.set(params.project!, compiled);
    sendJson(res, 200, {});
  });
  router.add('GET', url, ({ res, params }) => {
    const compiled = securityRulesOf(service)?.for(params.project!);
    if (!compiled) throw new FirestoreError('NOT_FOUND', `Project ${params.project!} has no security rules loaded (every request is allowed).`);
    sendJson(res, 200, { rules: { files: [{ name: compiled.fileName, content: compiled.source }] } });
  });
}
