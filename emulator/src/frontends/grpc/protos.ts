import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

type JsonDescriptor = {
  nested: Record<string, { nested?: Record<string, unknown> } & Record<string, unknown>>;
};

interface JsonMethod {
  requestStream?: boolean;
  responseStream?: boolean;
}

/** One RPC of google.firestore.v1.Firestore, as far as routing a call needs it. */
export interface FirestoreMethod {
  name: string;
  requestStream: boolean;
  responseStream: boolean;
}

let descriptor: JsonDescriptor | undefined;
let methods: FirestoreMethod[] | undefined;
let loaded: protobuf.Root | undefined;

/**
 * The google.firestore.v1 descriptor (copied from @google-cloud/firestore into
 * emulator/protos) with `Write.verify` (field 5 of the `operation` oneof), which the
 * published descriptor lacks but the client SDK's transactions send. Parsed once per
 * process (JSON.parse of 47 kB, about a millisecond).
 */
function firestoreDescriptor(): JsonDescriptor {
  if (descriptor) return descriptor;
  const url = new URL('../../../protos/firestore-v1.json', import.meta.url);
  const json = JSON.parse(readFileSync(url, 'utf8')) as JsonDescriptor;
  const write = v1Of(json).nested.Write!;
  if (!write.fields!.verify) {
    write.fields!.verify = { type: 'string', id: 5 };
    write.oneofs!.operation!.oneof.push('verify');
  }
  descriptor = json;
  return json;
}

function v1Of(json: JsonDescriptor): { nested: Record<string, { fields?: Record<string, unknown>; oneofs?: Record<string, { oneof: string[] }>; methods?: Record<string, JsonMethod> }> } {
  return (json.nested.google!.nested!.firestore as JsonDescriptor).nested.v1 as never;
}

/**
 * The service's methods read straight from the descriptor, without building protobufjs
 * types: enough to register every route with the gRPC server at start, while the types
 * that encode and decode them are built on the first call (`loadFirestoreRoot`).
 */
export function firestoreMethods(): FirestoreMethod[] {
  methods ??= Object.entries(v1Of(firestoreDescriptor()).nested.Firestore!.methods!).map(([name, m]) => ({
    name,
    requestStream: m.requestStream === true,
    responseStream: m.responseStream === true,
  }));
  return methods;
}

/**
 * The descriptor as protobufjs types, built on first use (about 40 ms, a tenth of a cold
 * start, spent by the first gRPC call or REST/WebChannel request rather than by the start)
 * and shared: its users only look types up.
 */
export function loadFirestoreRoot(): protobuf.Root {
  loaded ??= protobuf.Root.fromJSON(firestoreDescriptor() as unknown as protobuf.INamespace);
  return loaded;
}

export const FIRESTORE_SERVICE = 'google.firestore.v1.Firestore';
