// The remote write 1.0 protobuf schema (prometheus/prometheus prompb/remote.proto and
// prompb/types.proto, the messages a WriteRequest uses), as a .proto string that protobufjs reads
// at start-up: no generated code. The receiver decodes requests with decodeWriteRequest
// (decode.ts), which walks the wire format itself; this schema serves encoding (tests, the
// benchmark, senders) and documents the field numbers that decoder relies on.
import protobuf from "protobufjs";

/** PROMPB_PROTO is the subset of prompb that remote write 1.0 sends. */
export const PROMPB_PROTO = `
syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
  repeated MetricMetadata metadata = 3;
}

message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0;
    COUNTER = 1;
    GAUGE = 2;
    HISTOGRAM = 3;
    GAUGEHISTOGRAM = 4;
    SUMMARY = 5;
    INFO = 6;
    STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}

message Sample {
  double value = 1;
  int64 timestamp = 2;
}

message Exemplar {
  repeated Label labels = 1;
  double value = 2;
  int64 timestamp = 3;
}

message BucketSpan {
  sint32 offset = 1;
  uint32 length = 2;
}

message Histogram {
  enum ResetHint {
    UNKNOWN = 0;
    YES = 1;
    NO = 2;
    GAUGE = 3;
  }
  oneof count {
    uint64 count_int = 1;
    double count_float = 2;
  }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count {
    uint64 zero_count_int = 6;
    double zero_count_float = 7;
  }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  ResetHint reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;
}

message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Exemplar exemplars = 3;
  repeated Histogram histograms = 4;
}

message Label {
  string name = 1;
  string value = 2;
}
`;

const root = protobuf.parse(PROMPB_PROTO, { keepCase: true }).root;

/** WriteRequestType is the protobufjs type of prometheus.WriteRequest (field names as in the .proto). */
export const WriteRequestType: protobuf.Type = root.lookupType("prometheus.WriteRequest");

/** PromLabel is a prompb Label as protobufjs encodes it. */
export interface PromLabel {
  name: string;
  value: string;
}

/** PromSample is a prompb Sample; timestamp in milliseconds. */
export interface PromSample {
  value: number;
  timestamp: number;
}

/** PromTimeSeries is a prompb TimeSeries with float samples (and optionally other parts). */
export interface PromTimeSeries {
  labels: PromLabel[];
  samples?: PromSample[];
  exemplars?: { labels: PromLabel[]; value: number; timestamp: number }[];
  histograms?: Record<string, unknown>[];
}

/** PromWriteRequest is a prompb WriteRequest as encodeWriteRequest takes it. */
export interface PromWriteRequest {
  timeseries: PromTimeSeries[];
  metadata?: {
    type?: number;
    metric_family_name?: string;
    help?: string;
    unit?: string;
  }[];
}

/**
 * encodeWriteRequest serialises a WriteRequest to protobuf bytes (not yet snappy-compressed).
 * Values pass through protobufjs's float writer, which keeps NaN payloads such as the staleness
 * marker intact.
 */
export function encodeWriteRequest(req: PromWriteRequest): Uint8Array {
  return WriteRequestType.encode(WriteRequestType.fromObject(req)).finish();
}
