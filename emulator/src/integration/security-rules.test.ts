import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collection, doc, getDoc, onSnapshot, setDoc, writeBatch } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../emulator.js';
import { startEmulator } from '../emulator.js';
import { RulesSyntaxError } from '../rules/index.js';
import { RulesFileError } from '../security/index.js';
import { adminFirestore, clientFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { uniqueProjectId } from '../testing/test-env.js';

// Loading rules and the start options are ours to test: always an in-process emulator.
let emulator: RunningEmulator;
let target: TestTarget;
const dir = mkdtempSync(join(tmpdir(), 'fq-rules-'));

const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /notes/{id} {
      allow read: if request.auth != null && resource.data.owner == request.auth.uid;
      allow create: if request.auth != null && request.resource.data.owner == request.auth.uid;
    }
  }
}
`;
const BROKEN = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /notes/{id} {
      allow read: if request.auth.uid ==
    }
  }
}
`;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, logLevel: 'silent' });
  target = { host: emulator.host, port: emulator.port, hostAndPort: emulator.hostAndPort, url: emulator.url, stop: () => emulator.stop() };
});

afterAll(async () => {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

function putRules(projectId: string, body: unknown): Promise<Response> {
  return fetch(`${emulator.url}/emulator/v1/projects/${projectId}:securityRules`, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('PUT /emulator/v1/projects/P:securityRules', () => {
  it('loads rules the client SDK then meets as PERMISSION_DENIED naming the rule; the admin SDK bypasses them', async () => {
    const projectId = uniqueProjectId('rules-put');
    const res = await putRules(projectId, { rules: { files: [{ content: RULES }] } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});

    const alice = clientFirestore(target, projectId, { sub: 'alice', user_id: 'alice' } as never);
    await setDoc(doc(alice.db, 'notes/mine'), { owner: 'alice' });
    const denied = await setDoc(doc(alice.db, 'notes/forged'), { owner: 'bob' }).catch((e: unknown) => e as { code: string; message: string });
    expect(denied).toMatchObject({ code: 'permission-denied' });
    expect((denied as { message: string }).message).toMatch(/false for 'create' @ L6/);
    expect((await getDoc(doc(alice.db, 'notes/mine'))).get('owner')).toBe('alice');

    // A listener on a query the rules cannot prove safe fails with the same code.
    const listenError = await new Promise<{ code?: string }>((resolve) => {
      const stop = onSnapshot(collection(alice.db, 'notes'), () => undefined, (e) => {
        stop();
        resolve(e as { code?: string });
      });
    });
    expect(listenError.code).toBe('permission-denied');
    await alice.close();

    const admin = adminFirestore(target, projectId);
    await admin.db.doc('notes/by-admin').set({ owner: 'nobody' });
    await admin.db.doc('elsewhere/x').set({ a: 1 });
    await admin.close();

    const back = await fetch(`${emulator.url}/emulator/v1/projects/${projectId}:securityRules`);
    expect(await back.json()).toEqual({ rules: { files: [{ name: 'firestore.rules', content: RULES }] } });
  });

  it('denies browser REST calls the same way (HTTP 403, PERMISSION_DENIED, the rule evaluation)', async () => {
    const projectId = uniqueProjectId('rules-rest');
    await putRules(projectId, { rules: { files: [{ content: RULES }] } });
    const jwt = (claims: object) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const commit = (owner: string) =>
      fetch(`${emulator.url}/v1/projects/${projectId}/databases/(default)/documents:commit`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${jwt({ sub: 'alice', user_id: 'alice' })}` },
        body: JSON.stringify({ writes: [{ update: { name: `projects/${projectId}/databases/(default)/documents/notes/n1`, fields: { owner: { stringValue: owner } } } }] }),
      });
    const denied = await commit('bob');
    expect(denied.status).toBe(403);
    const body = (await denied.json()) as { error: { status: string; message: string } };
    expect(body.error.status).toBe('PERMISSION_DENIED');
    expect(body.error.message).toMatch(/false for 'create' @ L6/);
    expect((await commit('alice')).status).toBe(200);
  });

  it('answers a syntax error with 400 INVALID_ARGUMENT naming line and column, and keeps the rules in force', async () => {
    const projectId = uniqueProjectId('rules-bad');
    await putRules(projectId, { rules: { files: [{ content: RULES }] } });
    const res = await putRules(projectId, { rules: { files: [{ name: 'team.rules', content: BROKEN }] } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.message).toMatch(/^team\.rules:6:\d+: /);
    const back = (await (await fetch(`${emulator.url}/emulator/v1/projects/${projectId}:securityRules`)).json()) as { rules: { files: Array<{ content: string }> } };
    expect(back.rules.files[0]!.content).toBe(RULES);
  });

  it('refuses malformed rulesets with 400 and a reason', async () => {
    const projectId = uniqueProjectId('rules-shape');
    const cases: Array<[unknown, RegExp]> = [
      ['{ not json', /not JSON/],
      [{ rules: { files: [] } }, /rules\.files/],
      [{ rules: { files: [{ content: RULES }, { content: RULES }] } }, /only one rules file/],
      [{ rules: { files: [{ name: 'x' }] } }, /content/],
      [{ files: [{ content: RULES }] }, /rules/],
    ];
    for (const [body, message] of cases) {
      const res = await putRules(projectId, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await fetch(`${emulator.url}/emulator/v1/projects/${projectId}:securityRules`)).status).toBe(404);
  });
});

describe('rules given at start', () => {
  it('apply to every project without rules of its own (text or file)', async () => {
    const file = join(dir, 'firestore.rules');
    writeFileSync(file, RULES);
    for (const rules of [RULES, { file }]) {
      const emu = await startEmulator({ port: 0, logLevel: 'silent', rules });
      try {
        const t: TestTarget = { host: emu.host, port: emu.port, hostAndPort: emu.hostAndPort, url: emu.url, stop: () => emu.stop() };
        const anon = clientFirestore(t, uniqueProjectId('rules-start'));
        await expect(setDoc(doc(anon.db, 'notes/x'), { owner: 'x' })).rejects.toMatchObject({ code: 'permission-denied' });
        await anon.close();
      } finally {
        await emu.stop();
      }
    }
  });

  it('refuse to start on invalid rules or an unreadable file, and do not mix with a custom authorizer', async () => {
    await expect(startEmulator({ port: 0, logLevel: 'silent', rules: BROKEN })).rejects.toThrow(RulesSyntaxError);
    await expect(startEmulator({ port: 0, logLevel: 'silent', rules: BROKEN })).rejects.toThrow(/^firestore\.rules:6:\d+: /);
    await expect(startEmulator({ port: 0, logLevel: 'silent', rules: { file: join(dir, 'missing.rules') } })).rejects.toThrow(RulesFileError);
    await expect(startEmulator({ port: 0, logLevel: 'silent', rules: RULES, authorizer: { authorize: () => true } })).rejects.toThrow(/either rules or a custom authorizer/);
  });

  it('an emulator with a custom authorizer refuses to load rules instead of ignoring them', async () => {
    const emu = await startEmulator({ port: 0, logLevel: 'silent', authorizer: { authorize: () => true } });
    try {
      expect(emu.securityRules).toBeUndefined();
      const res = await fetch(`${emu.url}/emulator/v1/projects/demo-x:securityRules`, { method: 'PUT', body: JSON.stringify({ rules: { files: [{ content: RULES }] } }) });
      expect(((await res.json()) as { error: { status: string } }).error.status).toBe('FAILED_PRECONDITION');
    } finally {
      await emu.stop();
    }
  });
});

describe('the rules expression budget (1,000 per evaluation)', () => {
  // About 600 expressions: 300 comparisons joined by 299 `&&`, counted as operators.
  const burn = Array.from({ length: 300 }, () => '1 == 1').join(' && ');
  const rules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function costly() { return ${burn}; }
    match /cheap/{id} { allow read, write: if costly(); }
    match /dear/{id} { allow read, write: if costly() && costly(); }
  }
}
`;

  it('counts per document evaluation: a batch of writes that each stay under it passes, one over it is denied', async () => {
    const projectId = uniqueProjectId('rules-budget');
    expect((await putRules(projectId, { rules: { files: [{ content: rules }] } })).status).toBe(200);
    const user = clientFirestore(target, projectId, { sub: 'u', user_id: 'u' } as never);
    try {
      const batch = writeBatch(user.db);
      for (const id of ['a', 'b', 'c']) batch.set(doc(user.db, 'cheap', id), { v: 1 });
      await batch.commit();
      const denied = await setDoc(doc(user.db, 'dear', 'x'), { v: 1 }).then(
        () => undefined,
        (err: { code: string; message: string }) => err,
      );
      expect(denied?.code).toBe('permission-denied');
      expect(denied?.message).toMatch(/maximum of 1000 expressions/);
    } finally {
      await user.close();
    }
  });
});
