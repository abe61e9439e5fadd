import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator.js';
import { startEmulator } from '../../emulator.js';

// Random, mostly-wrong input to the REST and WebChannel front ends: every answer must be a
// client error or success, never an internal error, and the process must keep serving.
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, logLevel: 'silent', webChannel: { longPollHoldMs: 500 } });
});

afterAll(async () => {
  await emu.stop();
});

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DB = 'projects/demo-fuzz/databases/(default)';
const KEYS = ['writes', 'update', 'name', 'fields', 'integerValue', 'stringValue', 'mapValue', 'arrayValue', 'values', 'documents', 'structuredQuery', 'from', 'collectionId', 'where', 'fieldFilter', 'field', 'fieldPath', 'op', 'value', 'orderBy', 'limit', 'transaction', 'readTime', 'newTransaction', 'readOnly', 'addTarget', 'targetId', 'query', 'parent', 'removeTarget', 'mask', 'fieldPaths', 'currentDocument', 'exists', 'updateTime', 'updateTransforms', 'increment', 'aggregations', 'count', 'structuredAggregationQuery', 'delete', 'verify', 'streamToken', 'database', 'x'];
const STRINGS = ['', 'a', `${DB}/documents/c/d`, `${DB}/documents`, `${DB}/documents/c`, 'projects/other/databases/(default)/documents/c/d', '__name__', 'EQUAL', 'LESS_THAN', 'ARRAY_CONTAINS', 'NULL_VALUE', 'AAAA', '2026-01-01T00:00:00Z', '-1', '9999999999999999999999', 'NaN', '\u0000', '𝄞'];

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0:
      return STRINGS[Math.floor(r() * STRINGS.length)];
    case 1:
      return Math.floor(r() * 2000) - 1000;
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return r() * 1e6;
    case 5:
    case 6: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)]!] = value(r, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: Math.floor(r() * 3) }, () => value(r, depth + 1));
  }
}

describe('HTTP front ends under random input', () => {
  it('answer REST requests with client errors or results, never internal errors', async () => {
    const r = rng(20260101);
    const paths = [':commit', ':batchGet', ':runQuery', ':runAggregationQuery', ':beginTransaction', ':rollback', ':batchWrite', ':listCollectionIds', ':partitionQuery', '/c/d', '/c', '/c/d/e/f:runQuery'];
    const problems: string[] = [];
    for (let i = 0; i < 300; i++) {
      const path = paths[Math.floor(r() * paths.length)]!;
      const method = path.includes(':') ? 'POST' : (['GET', 'POST', 'PATCH', 'DELETE'] as const)[Math.floor(r() * 4)]!;
      const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(value(r, 0));
      const res = await fetch(`${emu.url}/v1/${DB}/documents${path}`, { method, body });
      const text = await res.text();
      if (res.status >= 500 && res.status !== 501) problems.push(`${method} ${path} ${body} -> ${res.status} ${text}`);
    }
    expect(problems).toEqual([]);
    expect(await (await fetch(`${emu.url}/`)).text()).toBe('Ok');
  });

  it('answer WebChannel handshakes carrying random messages without internal errors', async () => {
    const r = rng(7);
    const problems: string[] = [];
    for (let i = 0; i < 150; i++) {
      const kind = r() < 0.5 ? 'Listen' : 'Write';
      const message = r() < 0.8 ? JSON.stringify(value(r, 0)) : '{broken';
      const body = `count=1&ofs=0&req0___data__=${encodeURIComponent(message)}`;
      const res = await fetch(`${emu.url}/google.firestore.v1.Firestore/${kind}/channel?VER=8&database=${encodeURIComponent(DB)}&RID=1&CVER=22`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const text = await res.text();
      if (res.status !== 200) problems.push(`${kind} ${message} -> ${res.status} ${text}`);
      const sid = (JSON.parse(text.slice(text.indexOf('\n') + 1)) as [[number, [string, string]]])[0][1][1];
      // Read what the stream said (an error element or responses), then end the session.
      const back = await fetch(`${emu.url}/google.firestore.v1.Firestore/${kind}/channel?VER=8&database=${encodeURIComponent(DB)}&RID=rpc&SID=${sid}&AID=0&CI=1&TYPE=xmlhttp`);
      const answer = await back.text();
      if (/"code":13|INTERNAL/.test(answer)) problems.push(`${kind} ${message} -> ${answer}`);
      await fetch(`${emu.url}/google.firestore.v1.Firestore/${kind}/channel?VER=8&SID=${sid}&TYPE=terminate&RID=2`, { method: 'POST' });
    }
    expect(problems).toEqual([]);
    expect(emu.webChannelStats().sessions).toBe(0);
  });
});
