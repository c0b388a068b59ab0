// Public API of the OTLP/HTTP logs receiver.
export type { AttributeAction, AttributeRule, OtlpLogsConfig } from "./config.ts";
export {
  DEFAULT_OTLP_LOGS_CONFIG,
  DEFAULT_RESOURCE_ATTRIBUTES_AS_INDEX_LABELS,
  actionFor,
  otlpLogsSchema,
} from "./config.ts";
export type {
  AnyValue,
  KeyValue,
  OtlpLogRecord,
  OtlpLogsRequest,
  OtlpResourceLogs,
  OtlpScopeLogs,
} from "./decode.ts";
export { decodeOtlpJson, decodeOtlpProto } from "./decode.ts";
export type { OtlpMappingOptions } from "./mapping.ts";
export { asString, otlpToStreams } from "./mapping.ts";
export {
  ExportLogsServiceRequestType,
  ExportLogsServiceResponseType,
  OTLP_LOGS_PROTO,
  StatusType,
  encodeExportLogsRequest,
} from "./proto.ts";
export type { OtlpLogsOptions } from "./receiver.ts";
export { OTLP_LOGS_PATH, registerOtlpLogsReceiver } from "./receiver.ts";
