/**
 * Requests Firestore refuses, refused the same way on every transport (gRPC, REST,
 * WebChannel): INVALID_ARGUMENT, nothing written, never INTERNAL (which the web SDK retries
 * forever) and never a silently different value. From Firestore's documented limits
 * ("Quotas and limits": 10 MiB per API request; field names must be valid UTF-8 and must
 * not match __.*__; at most 20 levels of maps and arrays) and proto3's UTF-8 strings and
 * int64 integers. Raw requests: the SDKs refuse much of this before sending it.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { jsonConvertersFor } from '../../src/frontends/grpc/codec.js';
import { loadFirestoreRoot } from '../../src/frontends/grpc/protos.js';
import { WebChannelClient } from '../../src/frontends/webchannel/client.js';
import { uniqueProjectId } from '../../src/testing/test-env.js';
import { randomId, useTarget } from './harness.js';

const env = useTarget();
const projectId = uniqueProjectId('conf-strict');
const database = `projects/${projectId}/databases/(default)`;
const collectionId = randomId('strict');
const docName = (id: string): string => `${database}/documents/${collectionId}/${id}`;

type Json = Record<string, unknown>;
interface Outcome {
  status: string;
  message: string;
}

const commitType = loadFirestoreRoot().lookupType('google.firestore.v1.CommitRequest');

/** A CommitRequest as protocol buffers; `patch` swaps marker bytes for what JSON cannot say. */
function commitBytes(writes: Json[], patch?: { from: string; to: Buffer }): Buffer {
  const message = jsonConvertersFor(commitType).fromJson({ database, writes });
  const bytes = Buffer.from(commitType.encode(message).finish());
  if (!patch) return bytes;
  const at = bytes.indexOf(patch.from);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(patch.to.length).toBe(Buffer.byteLength(patch.from));
  patch.to.copy(bytes, at);
  return bytes;
}

const STATUS_NAMES = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [v, k]));

/** A raw gRPC Commit (bytes in, status out), as an SDK's channel would send it. */
function grpcCommit(body: Buffer): Promise<Outcome> {
  const client = new grpc.Client(env.target.hostAndPort, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  const metadata = new grpc.Metadata();
  metadata.set('authorization', 'Bearer owner');
  return new Promise<Outcome>((resolve) => {
    client.makeUnaryRequest(
      '/google.firestore.v1.Firestore/Commit',
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      metadata,
      (err) => {
        client.close();
        resolve(err ? { status: String(STATUS_NAMES[err.code]), message: err.details } : { status: 'OK', message: '' });
      },
    );
  });
}

async function restCommit(body: string | Buffer): Promise<Outcome> {
  const res = await fetch(`${env.target.url}/v1/${database}/documents:commit`, { method: 'POST', headers: { Authorization: 'Bearer owner' }, body });
  const json = (await res.json()) as { error?: { status: string; message: string; code: number } };
  if (!json.error) return { status: 'OK', message: '' };
  expect(json.error.code).toBe(res.status);
  return { status: json.error.status, message: json.error.message };
}

/** One write sent on a fresh WebChannel Write stream (`data`: the form-encoded message). */
async function webChannelWrite(data: (streamToken: string) => string): Promise<Outcome> {
  const client = new WebChannelClient(env.target.url, 'Write', database, { headers: { Authorization: 'Bearer owner' } });
  await client.open({ database });
  client.startBackchannel();
  await client.until(() => client.messages.length >= 1, 10_000, 'the stream token');
  const { streamToken } = client.messages[0] as { streamToken: string };
  // A body that is not even well-formed is refused with HTTP 400 as well as the stream error.
  await client.sendEncoded(data(streamToken)).catch(() => undefined);
  await client.until(() => client.messages.length >= 2, 20_000, 'the write result');
  const answer = client.messages[1] as { error?: { status: string; message: string } };
  client.abandon();
  return answer.error ? { status: answer.error.status, message: answer.error.message } : { status: 'OK', message: '' };
}

const writeStreamMessage = (streamToken: string, writes: Json[]): string => encodeURIComponent(JSON.stringify({ streamToken, writes }));
const update = (id: string, fields: Json): Json => ({ update: { name: docName(id), fields } });

/** The same writes on all three transports. */
async function everywhere(id: string, fields: Json): Promise<Record<'grpc' | 'rest' | 'webchannel', Outcome>> {
  return {
    grpc: await grpcCommit(commitBytes([update(`${id}-grpc`, fields)])),
    rest: await restCommit(JSON.stringify({ writes: [update(`${id}-rest`, fields)] })),
    webchannel: await webChannelWrite((token) => writeStreamMessage(token, [update(`${id}-wc`, fields)])),
  };
}

async function exists(id: string): Promise<boolean> {
  const res = await fetch(`${env.target.url}/v1/${docName(id)}`, { headers: { Authorization: 'Bearer owner' } });
  return res.status === 200;
}

const invalid = (pattern: RegExp): Outcome => ({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(pattern) as unknown as string });
const ok: Outcome = { status: 'OK', message: '' };

describe('request size: at most 10 MiB, as protocol buffers', () => {
  const bigWrites = (id: string, count: number): Json[] => Array.from({ length: count }, (_, i) => update(`${id}-${i}`, { s: { stringValue: 'x'.repeat(1_000_000) } }));

  it('refuses a commit over 10 MiB on every transport, and takes one just under it', async () => {
    const tooBig = /Request payload size exceeds the limit: 10485760 bytes/;
    expect(await grpcCommit(commitBytes(bigWrites('big-grpc', 11)))).toEqual(invalid(tooBig));
    expect(await restCommit(JSON.stringify({ writes: bigWrites('big-rest', 11) }))).toEqual(invalid(tooBig));
    expect(await webChannelWrite((token) => writeStreamMessage(token, bigWrites('big-wc', 11)))).toEqual(invalid(tooBig));
    expect(await exists('big-rest-0')).toBe(false);
    expect(await grpcCommit(commitBytes(bigWrites('fits-grpc', 10)))).toEqual(ok);
    expect(await restCommit(JSON.stringify({ writes: bigWrites('fits-rest', 10) }))).toEqual(ok);
  });
});

describe('integers outside int64 are refused, never wrapped', () => {
  it('REST and WebChannel refuse integerValue strings past int64 and inexact JSON numbers', async () => {
    for (const integerValue of ['9223372036854775808', '-9223372036854775809', 2 ** 60]) {
      const fields = { n: { integerValue } };
      expect(await restCommit(JSON.stringify({ writes: [update('int-rest', fields)] }))).toEqual(invalid(/TYPE_INT64/));
      expect(await webChannelWrite((token) => writeStreamMessage(token, [update('int-wc', fields)]))).toEqual(invalid(/TYPE_INT64/));
    }
    expect(await exists('int-rest')).toBe(false);
    const edges = { max: { integerValue: '9223372036854775807' }, min: { integerValue: '-9223372036854775808' } };
    expect(await restCommit(JSON.stringify({ writes: [update('int-edges', edges)] }))).toEqual(ok);
    const doc = (await (await fetch(`${env.target.url}/v1/${docName('int-edges')}`, { headers: { Authorization: 'Bearer owner' } })).json()) as { fields: Json };
    expect(doc.fields).toEqual(edges);
  });
});

describe('reserved field names (__.*__) are refused, never dropped', () => {
  it('refuses "__proto__" as a field name on every transport', async () => {
    const reserved = /__proto__.*reserved/;
    const fields = { a: { integerValue: '1' }, __pXoto__: { integerValue: '2' } };
    const grpcBody = commitBytes([update('proto-grpc', fields)], { from: '__pXoto__', to: Buffer.from('__proto__') });
    expect(await grpcCommit(grpcBody)).toEqual(invalid(reserved));
    const json = JSON.stringify({ writes: [update('proto-rest', fields)] }).replace('__pXoto__', '__proto__');
    expect(await restCommit(json)).toEqual(invalid(reserved));
    expect(await webChannelWrite((token) => encodeURIComponent(json.replace('{"writes"', `{"streamToken":"${token}","writes"`)))).toEqual(invalid(reserved));
    expect(await exists('proto-rest')).toBe(false);
  });

  it('refuses other reserved names, nested ones included; a vector keeps its __type__', async () => {
    const nested = { m: { mapValue: { fields: { __secret__: { stringValue: 'x' } } } } };
    const outcomes = await everywhere('nested-reserved', nested);
    for (const outcome of Object.values(outcomes)) expect(outcome).toEqual(invalid(/__secret__.*reserved/));
    const vector = { v: { mapValue: { fields: { __type__: { stringValue: '__vector__' }, value: { arrayValue: { values: [{ doubleValue: 1 }] } } } } } };
    expect(await everywhere('vector', vector)).toEqual({ grpc: ok, rest: ok, webchannel: ok });
  });

  it('refuses a reserved name in an update mask or a transform', async () => {
    const masked = { writes: [{ ...update('mask', {}), updateMask: { fieldPaths: ['__x__'] } }] };
    expect(await restCommit(JSON.stringify(masked))).toEqual(invalid(/__x__.*reserved/));
    const transform = { writes: [{ transform: { document: docName('transform'), fieldTransforms: [{ fieldPath: 'a.__x__', increment: { integerValue: '1' } }] } }] };
    expect(await restCommit(JSON.stringify(transform))).toEqual(invalid(/__x__.*reserved/));
  });
});

describe('strings must be valid UTF-8', () => {
  it('refuses invalid UTF-8 bytes on every transport and an unpaired surrogate escape in JSON', async () => {
    const badBytes = Buffer.from([0xc3, 0x28]);
    const fields = { s: { stringValue: 'ok@@' } };
    expect(await grpcCommit(commitBytes([update('utf8-grpc', fields)], { from: '@@', to: badBytes }))).toEqual(invalid(/UTF-8/));
    const restJson = Buffer.from(JSON.stringify({ writes: [update('utf8-rest', fields)] }));
    badBytes.copy(restJson, restJson.indexOf('@@'));
    expect(await restCommit(restJson)).toEqual(invalid(/UTF-8/));
    expect(await restCommit(JSON.stringify({ writes: [update('utf8-escape', { s: { stringValue: 'a\ud800b' } })] }))).toEqual(invalid(/UTF-8/));
    expect(await webChannelWrite((token) => writeStreamMessage(token, [update('utf8-wc', fields)]).replace('%40%40', '%C3%28'))).toEqual(invalid(/UTF-8/));
    for (const id of ['utf8-rest', 'utf8-escape']) expect(await exists(id)).toBe(false);
  });
});

describe('nesting: at most 20 levels of maps and arrays, INVALID_ARGUMENT before any recursion', () => {
  const nestedMaps = (levels: number): Json => {
    let v: Json = { integerValue: '1' };
    for (let i = 0; i < levels; i++) v = { mapValue: { fields: { a: v } } };
    return v;
  };

  it('takes 20 levels and refuses 21 on every transport', async () => {
    expect(await everywhere('depth20', { d: nestedMaps(20) })).toEqual({ grpc: ok, rest: ok, webchannel: ok });
    const outcomes = await everywhere('depth21', { d: nestedMaps(21) });
    for (const outcome of Object.values(outcomes)) expect(outcome).toEqual(invalid(/maximum depth of 20/));
  });

  /** A CommitRequest whose field `d` nests `levels` maps, encoded by hand (protobufjs refuses to). */
  function deepCommitBytes(levels: number): Buffer {
    const varint = (n: number): number[] => {
      const out: number[] = [];
      for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
      out.push(n);
      return out;
    };
    const field = (tag: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([(tag << 3) | 2, ...varint(bytes.length)]), bytes]);
    const entry = (key: string, value: Buffer): Buffer => Buffer.concat([field(1, Buffer.from(key)), field(2, value)]);
    let value: Buffer = Buffer.from([0x10, 0x01]); // Value.integer_value = 1
    for (let i = 0; i < levels; i++) value = field(6, field(1, entry('a', value))); // Value.map_value.fields
    const document = Buffer.concat([field(1, Buffer.from(docName('deep-grpc'))), field(2, entry('d', value))]);
    return Buffer.concat([field(1, Buffer.from(database)), field(2, field(1, document))]);
  }

  it('refuses absurd nesting with INVALID_ARGUMENT, not INTERNAL', async () => {
    expect(await grpcCommit(deepCommitBytes(300))).toEqual(invalid(/nesting depth/));
    const levels = 100_000;
    const deep = `${'{"mapValue":{"fields":{"a":'.repeat(levels)}{"integerValue":"1"}${'}}}'.repeat(levels)}`;
    const body = `{"writes":[{"update":{"name":"${docName('deep-rest')}","fields":{"d":${deep}}}}]}`;
    expect(await restCommit(body)).toEqual(invalid(/nests more than/));
    expect(await webChannelWrite((token) => encodeURIComponent(body.replace('{"writes"', `{"streamToken":"${token}","writes"`)))).toEqual(invalid(/nests more than/));
  });
});
