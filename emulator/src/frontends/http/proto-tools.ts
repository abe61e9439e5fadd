import type protobuf from 'protobufjs';
import type { ProtoJson } from './proto-json.js';

/** What the REST and WebChannel front ends need of protobuf: the types and the strict JSON reader. */
export interface ProtoTools {
  root: protobuf.Root;
  protoJson: ProtoJson;
}

let tools: Promise<ProtoTools> | undefined;

/**
 * Loads protobufjs, the Firestore types and the JSON reader on the first REST or WebChannel
 * request rather than at start (the health check and the emulator endpoints need none of
 * them); shared by every emulator in the process, like the types themselves.
 */
export function loadProtoTools(): Promise<ProtoTools> {
  tools ??= Promise.all([import('../grpc/protos.js'), import('./proto-json.js')]).then(([protos, json]) => {
    const root = protos.loadFirestoreRoot();
    return { root, protoJson: new json.ProtoJson(root) };
  });
  return tools;
}
