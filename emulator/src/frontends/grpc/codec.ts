import type protobuf from 'protobufjs';
import { fromProto3JSON, toProto3JSON } from 'proto3-json-serializer';
import { invalidArgument } from '../../model/index.js';

type Json = Record<string, unknown>;

/** protobuf bytes <-> proto3-JSON objects for one message type. */
export interface Codec {
  decode(buffer: Buffer): Json;
  encode(json: Json): Buffer;
}

export function codecFor(type: protobuf.Type): Codec {
  return {
    decode(buffer) {
      let message: protobuf.Message;
      try {
        message = type.decode(buffer);
      } catch (err) {
        throw invalidArgument(`Malformed ${type.name} message: ${(err as Error).message}`);
      }
      return toProto3JSON(message) as Json;
    },
    encode(json) {
      const message = fromProto3JSON(type, json as never);
      if (!message) return Buffer.alloc(0);
      return Buffer.from(type.encode(message).finish());
    },
  };
}
