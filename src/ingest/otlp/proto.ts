// The OTLP logs protobuf (open-telemetry/opentelemetry-proto: collector/logs/v1/logs_service.proto,
// logs/v1/logs.proto, common/v1/common.proto, resource/v1/resource.proto) and google.rpc.Status,
// read by protobufjs from .proto text at start-up: no generated code. All messages live in one
// package here; the wire format does not carry package names. Enums are declared as int32,
// which has the same encoding.
import protobuf from "protobufjs";

/** OTLP_LOGS_PROTO is the subset of OTLP that logs export uses, plus google.rpc.Status. */
export const OTLP_LOGS_PROTO = `
syntax = "proto3";
package otlp;

message ExportLogsServiceRequest {
  repeated ResourceLogs resource_logs = 1;
}

message ExportLogsServiceResponse {
  ExportLogsPartialSuccess partial_success = 1;
}

message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}

message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}

message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}

message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}

message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}

message ArrayValue {
  repeated AnyValue values = 1;
}

message KeyValueList {
  repeated KeyValue values = 1;
}

message KeyValue {
  string key = 1;
  AnyValue value = 2;
}

// google.rpc.Status
message Status {
  int32 code = 1;
  string message = 2;
  repeated ProtoAny details = 3;
}

// google.protobuf.Any
message ProtoAny {
  string type_url = 1;
  bytes value = 2;
}
`;

const root = protobuf.parse(OTLP_LOGS_PROTO, { keepCase: true }).root;

/** ExportLogsServiceRequestType is the protobufjs type of the OTLP logs export request. */
export const ExportLogsServiceRequestType: protobuf.Type = root.lookupType(
  "otlp.ExportLogsServiceRequest",
);

/** ExportLogsServiceResponseType is the protobufjs type of the OTLP logs export response. */
export const ExportLogsServiceResponseType: protobuf.Type = root.lookupType(
  "otlp.ExportLogsServiceResponse",
);

/** StatusType is the protobufjs type of google.rpc.Status, OTLP's error body. */
export const StatusType: protobuf.Type = root.lookupType("otlp.Status");

/** encodeExportLogsRequest serialises a request given in protobufjs's object form (snake_case). */
export function encodeExportLogsRequest(req: Record<string, unknown>): Uint8Array {
  return ExportLogsServiceRequestType.encode(ExportLogsServiceRequestType.fromObject(req)).finish();
}
