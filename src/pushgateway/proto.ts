// The protobuf exposition format (io.prometheus.client.MetricFamily, prometheus/client_model
// io/prometheus/client/metrics.proto), read by protobufjs from a .proto string: no generated code.
// google.protobuf.Timestamp is declared locally with the same wire layout.
import protobuf from "protobufjs";

/** METRICS_PROTO is client_model's metrics.proto, as the Pushgateway accepts it. */
export const METRICS_PROTO = `
syntax = "proto2";
package io.prometheus.client;

message Timestamp {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}

message LabelPair {
  optional string name = 1;
  optional string value = 2;
}

enum MetricType {
  COUNTER = 0;
  GAUGE = 1;
  SUMMARY = 2;
  UNTYPED = 3;
  HISTOGRAM = 4;
  GAUGE_HISTOGRAM = 5;
}

message Gauge {
  optional double value = 1;
}

message Counter {
  optional double value = 1;
  optional Exemplar exemplar = 2;
  optional Timestamp created_timestamp = 3;
}

message Quantile {
  optional double quantile = 1;
  optional double value = 2;
}

message Summary {
  optional uint64 sample_count = 1;
  optional double sample_sum = 2;
  repeated Quantile quantile = 3;
  optional Timestamp created_timestamp = 4;
}

message Untyped {
  optional double value = 1;
}

message Histogram {
  optional uint64 sample_count = 1;
  optional double sample_count_float = 4;
  optional double sample_sum = 2;
  repeated Bucket bucket = 3;
  optional Timestamp created_timestamp = 15;
  optional sint32 schema = 5;
  optional double zero_threshold = 6;
  optional uint64 zero_count = 7;
  optional double zero_count_float = 8;
  repeated BucketSpan negative_span = 9;
  repeated sint64 negative_delta = 10;
  repeated double negative_count = 11;
  repeated BucketSpan positive_span = 12;
  repeated sint64 positive_delta = 13;
  repeated double positive_count = 14;
  repeated Exemplar exemplars = 16;
}

message Bucket {
  optional uint64 cumulative_count = 1;
  optional double cumulative_count_float = 4;
  optional double upper_bound = 2;
  optional Exemplar exemplar = 3;
}

message BucketSpan {
  optional sint32 offset = 1;
  optional uint32 length = 2;
}

message Exemplar {
  repeated LabelPair label = 1;
  optional double value = 2;
  optional Timestamp timestamp = 3;
}

message Metric {
  repeated LabelPair label = 1;
  optional Gauge gauge = 2;
  optional Counter counter = 3;
  optional Summary summary = 4;
  optional Untyped untyped = 5;
  optional Histogram histogram = 7;
  optional int64 timestamp_ms = 6;
}

message MetricFamily {
  optional string name = 1;
  optional string help = 2;
  optional MetricType type = 3;
  repeated Metric metric = 4;
  optional string unit = 5;
}
`;

const root = protobuf.parse(METRICS_PROTO, { keepCase: true }).root;

/** MetricFamilyType is the protobufjs type of io.prometheus.client.MetricFamily. */
export const MetricFamilyType: protobuf.Type = root.lookupType("io.prometheus.client.MetricFamily");

/** The media type of delimited protobuf expositions, with its required parameters. */
export const PROTO_MEDIA_TYPE = "application/vnd.google.protobuf";
export const PROTO_MESSAGE = "io.prometheus.client.MetricFamily";

/** DtoLabelPair and the interfaces below are MetricFamily as protobufjs decodes it (toObject). */
export interface DtoLabelPair {
  name?: string;
  value?: string;
}

export interface DtoMetric {
  label?: DtoLabelPair[];
  gauge?: { value?: number };
  counter?: { value?: number };
  untyped?: { value?: number };
  summary?: {
    sample_count?: number;
    sample_sum?: number;
    quantile?: { quantile?: number; value?: number }[];
  };
  histogram?: {
    sample_count?: number;
    sample_count_float?: number;
    sample_sum?: number;
    bucket?: { cumulative_count?: number; cumulative_count_float?: number; upper_bound?: number }[];
  };
  timestamp_ms?: number;
}

export interface DtoMetricFamily {
  name?: string;
  help?: string;
  type?: string;
  metric?: DtoMetric[];
}

/**
 * decodeDelimitedFamilies reads length-delimited MetricFamily messages until the end of buf.
 * Enum values come back as their names, 64-bit integers as numbers; absent optional fields stay
 * absent. Throws on malformed input.
 */
export function decodeDelimitedFamilies(buf: Uint8Array): DtoMetricFamily[] {
  const reader = protobuf.Reader.create(buf);
  const out: DtoMetricFamily[] = [];
  while (reader.pos < reader.len) {
    const msg = MetricFamilyType.decodeDelimited(reader);
    out.push(
      MetricFamilyType.toObject(msg, {
        enums: String,
        longs: Number,
        defaults: false,
      }) as DtoMetricFamily,
    );
  }
  return out;
}

/** encodeDelimitedFamilies writes families as length-delimited MetricFamily messages. */
export function encodeDelimitedFamilies(families: readonly DtoMetricFamily[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) MetricFamilyType.encodeDelimited(MetricFamilyType.fromObject(f), w);
  return w.finish();
}
