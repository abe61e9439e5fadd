import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

type JsonDescriptor = {
  nested: Record<string, { nested?: Record<string, unknown> } & Record<string, unknown>>;
};

let loaded: protobuf.Root | undefined;

/**
 * The google.firestore.v1 descriptor (copied from @google-cloud/firestore into
 * emulator/protos) with `Write.verify` (field 5 of the `operation` oneof), which the
 * published descriptor lacks but the client SDK's transactions send. Built once per process
 * (about 50 ms, a sixth of a cold start) and shared: its users only look types up.
 */
export function loadFirestoreRoot(): protobuf.Root {
  loaded ??= buildFirestoreRoot();
  return loaded;
}

function buildFirestoreRoot(): protobuf.Root {
  const url = new URL('../../../protos/firestore-v1.json', import.meta.url);
  const json = JSON.parse(readFileSync(url, 'utf8')) as JsonDescriptor;
  const v1 = (json.nested.google!.nested!.firestore as JsonDescriptor).nested.v1 as {
    nested: Record<string, { fields: Record<string, unknown>; oneofs?: Record<string, { oneof: string[] }> }>;
  };
  const write = v1.nested.Write!;
  if (!write.fields.verify) {
    write.fields.verify = { type: 'string', id: 5 };
    write.oneofs!.operation!.oneof.push('verify');
  }
  return protobuf.Root.fromJSON(json as unknown as protobuf.INamespace);
}

export const FIRESTORE_SERVICE = 'google.firestore.v1.Firestore';
