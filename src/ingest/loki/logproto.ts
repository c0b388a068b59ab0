// Loki's push protobuf (grafana/loki pkg/push/push.proto, package logproto), read by protobufjs
// from the .proto text at start-up: no generated code. google.protobuf.Timestamp is declared
// inside the package under the same field numbers; the wire format does not carry type names.
// The receiver decodes pushes with its own wire reader (decode.ts), whose tests check it
// against this schema; protobufjs encodes, for senders, tests and benchmarks.
import protobuf from "protobufjs";

/** LOGPROTO_PROTO is the subset of logproto that a push request uses. */
export const LOGPROTO_PROTO = `
syntax = "proto3";
package logproto;

message PushRequest {
  repeated StreamAdapter streams = 1;
  string format = 2;
}

message PushResponse {}

message StreamAdapter {
  string labels = 1;
  repeated EntryAdapter entries = 2;
  uint64 hash = 3;
}

message LabelPairAdapter {
  string name = 1;
  string value = 2;
}

message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
  repeated LabelPairAdapter parsed = 4;
}

// google.protobuf.Timestamp
message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

const root = protobuf.parse(LOGPROTO_PROTO, { keepCase: true }).root;

/** PushRequestType is the protobufjs type of logproto.PushRequest. */
export const PushRequestType: protobuf.Type = root.lookupType("logproto.PushRequest");

/** LokiLabelPair is a LabelPairAdapter. */
export interface LokiLabelPair {
  name: string;
  value: string;
}

/** LokiProtoEntry is an EntryAdapter as encodeLokiPushRequest takes it. */
export interface LokiProtoEntry {
  /** timestamp: seconds and nanoseconds since the epoch; absent means the zero Timestamp. */
  timestamp?: { seconds: number | string; nanos: number };
  line: string;
  structuredMetadata?: LokiLabelPair[];
}

/** LokiProtoStream is a StreamAdapter: the labels as text, e.g. `{app="api"}`. */
export interface LokiProtoStream {
  labels: string;
  entries: LokiProtoEntry[];
}

/** encodeLokiPushRequest serialises a PushRequest (not yet snappy-compressed), for senders and tests. */
export function encodeLokiPushRequest(req: { streams: LokiProtoStream[] }): Uint8Array {
  return PushRequestType.encode(PushRequestType.fromObject(req)).finish();
}
