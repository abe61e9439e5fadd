import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator.js';
import { startEmulator } from '../../emulator.js';
import { adminFirestore } from '../../testing/sdk-clients.js';
import { uniqueProjectId, waitFor } from '../../testing/test-env.js';
import { WebChannelClient } from './client.js';

// Protocol-level checks with a raw WebChannel client (the browser SDK's own behaviour is
// covered by the Playwright specs). Needs our emulator: it looks at session counts.
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, logLevel: 'silent', webChannel: { sessionTimeoutMs: 300, sweepIntervalMs: 50, longPollHoldMs: 200 } });
});

afterAll(async () => {
  await emu.stop();
});

const db = (projectId: string): string => `projects/${projectId}/databases/(default)`;

function listenRequest(projectId: string, collectionId: string, targetId = 2): Record<string, unknown> {
  return {
    database: db(projectId),
    addTarget: { targetId, query: { parent: `${db(projectId)}/documents`, structuredQuery: { from: [{ collectionId }], orderBy: [{ field: { fieldPath: '__name__' }, direction: 'ASCENDING' }] } } },
  };
}

type Msg = Record<string, Record<string, unknown> | undefined>;
const isGlobalNoChange = (m: unknown): boolean => {
  const tc = (m as Msg).targetChange;
  return tc !== undefined && (tc.targetChangeType ?? 'NO_CHANGE') === 'NO_CHANGE' && ((tc.targetIds as unknown[] | undefined) ?? []).length === 0;
};

async function raw(method: string, url: string, body?: string): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  const res = await fetch(url, { method, body, headers: body === undefined ? undefined : { 'content-type': 'application/x-www-form-urlencoded' } });
  return { status: res.status, text: await res.text(), headers: Object.fromEntries(res.headers) };
}

describe.each([
  ['streaming (CI=0)', false],
  ['long polling (CI=1)', true],
])('WebChannel Listen over %s', (_label, longPoll) => {
  it('delivers the initial snapshot and later changes written over gRPC', async () => {
    const projectId = uniqueProjectId('wc-listen');
    const admin = adminFirestore({ host: emu.host, port: emu.port, hostAndPort: emu.hostAndPort, url: emu.url, stop: async () => undefined }, projectId);
    await admin.db.doc('items/a').set({ text: 'héllo 𝄞 ✓' });
    const client = new WebChannelClient(emu.url, 'Listen', db(projectId), { longPoll, headers: { 'X-Goog-Api-Client': 'test-client/1' } });
    await client.open(listenRequest(projectId, 'items'));
    client.startBackchannel();
    await client.until(() => client.messages.some(isGlobalNoChange), 10_000, 'initial snapshot');
    const change = client.messages.find((m) => (m as Msg).documentChange) as Msg;
    expect((change.documentChange!.document as Record<string, unknown>).fields).toEqual({ text: { stringValue: 'héllo 𝄞 ✓' } });

    await admin.db.doc('items/b').set({ n: 1 });
    await client.until(() => client.messages.some((m) => String(((m as Msg).documentChange?.document as { name?: string } | undefined)?.name).endsWith('/items/b')), 10_000, 'change');
    // Each WebChannel session is one metered client connection.
    const meter = emu.service.meterSnapshot(projectId);
    expect(meter.connections.find((c) => c.id === `webchannel:${client.sid}`)).toMatchObject({ client: 'test-client/1', reads: 2 });
    expect(await client.terminate()).toBe(200);
    await waitFor(() => (emu.service.store.database({ projectId, databaseId: '(default)' }).listenerCount === 0 ? true : undefined), 5_000, 'listener freed');
    await admin.close();
  });
});

describe('WebChannel sessions', () => {
  it('answers the Write stream handshake and commits writes sent as forward messages', async () => {
    const projectId = uniqueProjectId('wc-write');
    const client = new WebChannelClient(emu.url, 'Write', db(projectId));
    await client.open({ database: db(projectId) });
    client.startBackchannel();
    await client.until(() => client.messages.length >= 1);
    const { streamToken } = client.messages[0] as { streamToken: string; streamId: string };
    expect(streamToken).toBeTruthy();
    const ack = await client.send({ streamToken, writes: [{ update: { name: `${db(projectId)}/documents/c/d`, fields: { v: { integerValue: '7' } } } }] });
    expect(ack[0]).toBe(1);
    await client.until(() => client.messages.length >= 2);
    expect(client.messages[1]).toMatchObject({ commitTime: expect.any(String), writeResults: [{ updateTime: expect.any(String) }] });
    const doc = await emu.service.getDocument({ name: `${db(projectId)}/documents/c/d` }, { auth: { kind: 'owner' }, connection: { id: 't' } });
    expect(doc.fields).toEqual({ v: { integerValue: '7' } });
    await client.terminate();
  });

  it('answers "Unknown SID" with HTTP 400 (not at index 0) for ended or unknown sessions', async () => {
    const projectId = uniqueProjectId('wc-sid');
    const base = `${emu.url}/google.firestore.v1.Firestore/Listen/channel?VER=8&database=${encodeURIComponent(db(projectId))}`;
    for (const [method, url] of [
      ['GET', `${base}&RID=rpc&SID=nope&AID=0&CI=0&TYPE=xmlhttp`],
      ['POST', `${base}&RID=5&SID=nope&AID=0`],
      ['POST', `${base}&RID=5&SID=nope&TYPE=terminate`],
    ] as const) {
      const res = await raw(method, url, method === 'POST' ? 'count=0' : undefined);
      expect(res.status).toBe(400);
      expect(res.text.indexOf('Unknown SID')).toBeGreaterThan(0);
    }
    const client = new WebChannelClient(emu.url, 'Listen', db(projectId));
    await client.open();
    await client.terminate();
    await expect(client.send({ removeTarget: 2 })).rejects.toThrow(/Unknown SID/);
  });

  it('frees abandoned sessions (no backchannel, no requests) after the session timeout', async () => {
    const projectId = uniqueProjectId('wc-abandon');
    const before = emu.webChannelStats().opened;
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const c = new WebChannelClient(emu.url, 'Listen', db(projectId), { longPoll: i % 2 === 1 });
        await c.open(listenRequest(projectId, 'things'));
        if (i % 4 === 0) c.startBackchannel();
        return c;
      }),
    );
    expect(emu.webChannelStats().opened).toBe(before + 20);
    for (const c of clients) c.abandon();
    await waitFor(() => (emu.webChannelStats().sessions === 0 ? true : undefined), 10_000, 'sessions expired');
    expect(emu.service.store.database({ projectId, databaseId: '(default)' }).listenerCount).toBe(0);
  });

  it('reports stream errors as error elements: bad token, malformed message, dropped stream', async () => {
    const projectId = uniqueProjectId('wc-errors');
    const badToken = new WebChannelClient(emu.url, 'Listen', db(projectId), { headers: { Authorization: 'Bearer not-a-jwt' } });
    await badToken.open(listenRequest(projectId, 'x'));
    badToken.startBackchannel();
    await badToken.until(() => badToken.messages.length > 0);
    expect(badToken.messages[0]).toMatchObject({ error: { code: 16, status: 'UNAUTHENTICATED' } });

    const malformed = new WebChannelClient(emu.url, 'Listen', db(projectId));
    await malformed.open({ database: db(projectId), addTarget: { targetId: 'two', bogus: true } });
    malformed.startBackchannel();
    await malformed.until(() => malformed.messages.length > 0);
    expect(malformed.messages[0]).toMatchObject({ error: { code: 3, status: 'INVALID_ARGUMENT' } });

    const dropped = new WebChannelClient(emu.url, 'Listen', db(projectId));
    await dropped.open(listenRequest(projectId, 'x'));
    dropped.startBackchannel();
    await dropped.until(() => dropped.messages.some(isGlobalNoChange));
    expect(emu.faults.dropStreams(projectId)).toBe(1);
    await dropped.until(() => dropped.messages.some((m) => (m as Msg).error));
    expect(dropped.messages.at(-1)).toMatchObject({ error: { code: 14, status: 'UNAVAILABLE' } });
    await waitFor(() => (emu.webChannelStats().sessions === 0 ? true : undefined), 5_000, 'dropped session freed');
  });

  it('rejects malformed handshakes and bodies with 400 and keeps serving', async () => {
    const path = `${emu.url}/google.firestore.v1.Firestore/Listen/channel`;
    const cases: Array<[string, string, string | undefined]> = [
      ['POST', `${path}?VER=8&RID=1&CVER=22`, 'count=0'], // no database
      ['POST', `${path}?VER=8&database=nonsense&RID=1&CVER=22`, 'count=0'],
      ['POST', `${path}?VER=8&database=${encodeURIComponent(db('demo-x'))}&RID=1&CVER=22`, 'count=zz'],
      ['POST', `${path}?VER=8&database=${encodeURIComponent(db('demo-x'))}&RID=1&CVER=22`, 'headers=no-colon&count=0'],
      ['GET', `${path}?VER=8&RID=rpc`, undefined], // backchannel without SID
    ];
    for (const [method, url, body] of cases) {
      const res = await raw(method, url, body);
      expect(res.status, url).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    }
    expect((await raw('GET', `${emu.url}/`)).text).toBe('Ok');
  });

  it('exposes the session header to browsers (CORS with credentials)', async () => {
    const res = await fetch(`${emu.url}/google.firestore.v1.Firestore/Write/channel?VER=8&database=${encodeURIComponent(db('demo-cors'))}&RID=1&CVER=22`, {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1:5173', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'count=0',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-HTTP-Session-Id/);
    expect(res.headers.get('x-http-session-id')).toBeTruthy();
    const sid = (JSON.parse((await res.text()).split('\n')[1]!) as [[number, [string, string]]])[0][1][1];
    await fetch(`${emu.url}/google.firestore.v1.Firestore/Write/channel?VER=8&SID=${sid}&TYPE=terminate&RID=2`, { method: 'POST' });
  });
});
