// Public API of the Loki push receiver and of the log ingestion pipeline it shares with OTLP.
export { addRawBodyParser, decompressBody, snappyDecode, tooLarge } from "./body.ts";
export type { LogIngestConfig } from "./config.ts";
export {
  DEFAULT_DISCOVER_SERVICE_NAME,
  DEFAULT_LOG_INGEST_CONFIG,
  DEFAULT_LOG_LEVEL_FIELDS,
  count,
  durationMs,
  logIngestSchema,
  sizeBytes,
} from "./config.ts";
export type { RawPushRequest, RawStream } from "./decode.ts";
export {
  decodeLegacyJson,
  decodeLokiJson,
  decodeLokiProto,
  parseRFC3339Nano,
  toPushStreams,
} from "./decode.ts";
export { DETECTED_LEVEL, LevelDetector, normalizeLevel } from "./detect-level.ts";
export type { LogDistributorOptions, PushOutcome, PushStream } from "./distributor.ts";
export {
  LogDistributor,
  MISSING_STREAMS,
  PushError,
  SERVICE_NAME,
  SERVICE_UNKNOWN,
  TENANT,
  byteLen,
  discoverServiceName,
  formatGoTime,
  formatRFC3339,
  metadataSize,
  normalizeMetadataName,
} from "./distributor.ts";
export {
  LabelParseError,
  formatLabelMap,
  formatStreamLabels,
  parseStreamLabels,
} from "./labels.ts";
export type { LokiLabelPair, LokiProtoEntry, LokiProtoStream } from "./logproto.ts";
export { LOGPROTO_PROTO, PushRequestType, encodeLokiPushRequest } from "./logproto.ts";
export type { DiscardReason, IngestFormat, LogIngestMetrics } from "./metrics.ts";
export { logIngestMetrics } from "./metrics.ts";
export { StreamRateLimiters, TokenBucket } from "./rate-limit.ts";
export type { LokiPushOptions } from "./receiver.ts";
export {
  LEGACY_PUSH_PATH,
  LOKI_PUSH_PATH,
  newLogDistributor,
  registerLokiPushReceiver,
} from "./receiver.ts";
