/**
 * `in` / `not-in` lists whose elements are arrays: firebase-js-sdk
 * packages/firestore/test/integration/api/query.test.ts ("can use IN filters",
 * "can use NOT_IN filters", and their document-ID / OR variants) query
 * `where('zip', 'in', [[98101, 98102], ...])`; Firestore accepts such a list and matches
 * documents whose field equals one of the arrays. Pinned on every transport: gRPC (Node
 * client SDK), REST (lite SDK) and WebChannel (a raw Listen channel, as the browser SDK's).
 */
import { deleteApp, initializeApp } from 'firebase/app';
import { getDocs, query, where } from 'firebase/firestore';
import { collection as liteCollection, connectFirestoreEmulator, getDocs as liteGetDocs, getFirestore, query as liteQuery, terminate, where as liteWhere } from 'firebase/firestore/lite';
import { describe, expect, it } from 'vitest';
import { WebChannelClient } from '../../src/frontends/webchannel/client.js';
import { toIds, useClient, withDocs } from './harness.js';

const env = useClient('conf-in-arrays');

const zips = {
  a: { zip: [98101, 98102] },
  b: { zip: [98101] },
  c: { zip: 98101 },
  d: { zip: [98102, 98101] },
  e: { zip: { code: [98101] } },
};

describe('query.test.ts: in / not-in with arrays as list elements', () => {
  it('gRPC (client SDK): in matches documents whose field equals one of the arrays', async () => {
    const coll = await withDocs(env, zips);
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [[98101, 98102], [98101]]))))).toEqual(['a', 'b']);
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [[98101], 98101]))))).toEqual(['b', 'c']);
  });

  it('gRPC (client SDK): not-in excludes documents whose field equals one of the arrays', async () => {
    const coll = await withDocs(env, zips);
    expect(toIds(await getDocs(query(coll, where('zip', 'not-in', [[98101, 98102], [98101]]))))).toEqual(['c', 'd', 'e']);
  });

  it('REST (lite SDK): the same list is accepted by runQuery', async () => {
    const coll = await withDocs(env, zips);
    const app = initializeApp({ projectId: env.projectId, apiKey: 'fake-api-key' }, `lite-${coll.id}`);
    const lite = getFirestore(app);
    connectFirestoreEmulator(lite, env.target.host, env.target.port);
    try {
      const snap = await liteGetDocs(liteQuery(liteCollection(lite, coll.id), liteWhere('zip', 'in', [[98101, 98102], [98101]])));
      expect(snap.docs.map((d) => d.id)).toEqual(['a', 'b']);
    } finally {
      await terminate(lite);
      await deleteApp(app);
    }
  });

  it('WebChannel (Listen): a target with the list is current with the matching documents', async () => {
    const coll = await withDocs(env, zips);
    const database = `projects/${env.projectId}/databases/(default)`;
    const ints = (...n: number[]): unknown => ({ arrayValue: { values: n.map((i) => ({ integerValue: String(i) })) } });
    const client = new WebChannelClient(env.target.url, 'Listen', database);
    await client.open({
      database,
      addTarget: {
        targetId: 2,
        query: {
          parent: `${database}/documents`,
          structuredQuery: {
            from: [{ collectionId: coll.id }],
            where: { fieldFilter: { field: { fieldPath: 'zip' }, op: 'IN', value: { arrayValue: { values: [ints(98101, 98102), ints(98101)] } } } },
          },
        },
      },
    });
    client.startBackchannel();
    const current = (m: unknown): boolean => (m as { targetChange?: { targetChangeType?: string } }).targetChange?.targetChangeType === 'CURRENT';
    await client.until(() => client.messages.some(current), 10_000, 'CURRENT');
    const names = client.messages.flatMap((m) => {
      const name = (m as { documentChange?: { document: { name: string } } }).documentChange?.document.name;
      return name ? [name.slice(name.lastIndexOf('/') + 1)] : [];
    });
    expect(names.sort()).toEqual(['a', 'b']);
    expect(client.messages.some((m) => (m as { targetChange?: { cause?: unknown } }).targetChange?.cause)).toBe(false);
    await client.terminate();
  });
});
