// The `logs.ingest` section of vigil.yml: the limits Loki's distributor and ingester apply to
// pushed logs (pkg/validation/limits.go), under Loki's own key names. Defaults are Loki's,
// except the request size limits, which are sized for one process rather than a cluster.
//
// Sizes use Vigil's units, where KB is 1000 bytes and KiB 1024; Loki reads "256KB" as 256 KiB,
// so its defaults appear here as KiB and MiB.
import { z } from "zod";
import { describeValue } from "../../config/errors.ts";
import { parseBytes } from "../../config/units.ts";
import { parseDuration } from "../../model/duration.ts";
import { errorMessage } from "../../util/errors.ts";

/** LogIngestConfig is the validated `logs.ingest` section; 0 disables a size or rate limit. */
export interface LogIngestConfig {
  /** maxRecvMsgSizeBytes: largest request body as sent (compressed); 413 above it. */
  readonly maxRecvMsgSizeBytes: number;
  /** maxDecompressedSizeBytes: largest request body after decompression; 413 above it. */
  readonly maxDecompressedSizeBytes: number;
  /** maxLineSizeBytes: longest accepted line (0: no limit). */
  readonly maxLineSizeBytes: number;
  /** maxLineSizeTruncate: truncate longer lines instead of rejecting them. */
  readonly maxLineSizeTruncate: boolean;
  /** maxLineSizeTruncateIdentifier is appended to a truncated line. */
  readonly maxLineSizeTruncateIdentifier: string;
  readonly maxLabelNamesPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  readonly rejectOldSamples: boolean;
  readonly rejectOldSamplesMaxAgeMs: number;
  /** creationGracePeriodMs: how far in the future an entry may lie. */
  readonly creationGracePeriodMs: number;
  /** ingestionRateBytes: bytes per second for all streams together (0: no limit). */
  readonly ingestionRateBytes: number;
  readonly ingestionBurstSizeBytes: number;
  /** perStreamRateLimitBytes: bytes per second per stream (0: no limit). */
  readonly perStreamRateLimitBytes: number;
  readonly perStreamRateLimitBurstBytes: number;
  readonly allowStructuredMetadata: boolean;
  /** maxStructuredMetadataSizeBytes: names plus values per entry (0: no limit). */
  readonly maxStructuredMetadataSizeBytes: number;
  /** maxStructuredMetadataEntriesCount: pairs per entry (0: no limit). */
  readonly maxStructuredMetadataEntriesCount: number;
  /**
   * discoverServiceName: labels whose value becomes `service_name` when a stream has none,
   * first match wins; `unknown_service` when none matches. Empty disables discovery.
   */
  readonly discoverServiceName: readonly string[];
  /** discoverLogLevels adds a `detected_level` structured metadata pair to every entry. */
  readonly discoverLogLevels: boolean;
  /** logLevelFields: label, metadata and line fields that hold a level, in order of preference. */
  readonly logLevelFields: readonly string[];
  /** logLevelFromJsonMaxDepth: how deep to look into JSON lines (0: no limit). */
  readonly logLevelFromJsonMaxDepth: number;
  /** incrementDuplicateTimestamp moves equal timestamps of different lines 1ns apart. */
  readonly incrementDuplicateTimestamp: boolean;
}

/** DEFAULT_DISCOVER_SERVICE_NAME is Loki's default `discover_service_name` list. */
export const DEFAULT_DISCOVER_SERVICE_NAME: readonly string[] = [
  "service",
  "app",
  "application",
  "app_name",
  "name",
  "app_kubernetes_io_name",
  "container",
  "container_name",
  "k8s_container_name",
  "component",
  "workload",
  "job",
  "k8s_job_name",
];

/** DEFAULT_LOG_LEVEL_FIELDS is Loki's DefaultAllowedLevelFields. */
export const DEFAULT_LOG_LEVEL_FIELDS: readonly string[] = [
  "level",
  "LEVEL",
  "Level",
  "log.level",
  "severity",
  "SEVERITY",
  "Severity",
  "SeverityText",
  "lvl",
  "LVL",
  "Lvl",
  "severity_text",
  "Severity_Text",
  "SEVERITY_TEXT",
];

const MIB = 1 << 20;

/** DEFAULT_LOG_INGEST_CONFIG holds the defaults of every `logs.ingest` key. */
export const DEFAULT_LOG_INGEST_CONFIG: LogIngestConfig = Object.freeze({
  maxRecvMsgSizeBytes: 10 * MIB,
  maxDecompressedSizeBytes: 100 * MIB,
  maxLineSizeBytes: 256 * 1024,
  maxLineSizeTruncate: false,
  maxLineSizeTruncateIdentifier: "",
  maxLabelNamesPerSeries: 15,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  rejectOldSamples: true,
  rejectOldSamplesMaxAgeMs: 7 * 24 * 3600 * 1000,
  creationGracePeriodMs: 10 * 60 * 1000,
  ingestionRateBytes: 4 * MIB,
  ingestionBurstSizeBytes: 6 * MIB,
  perStreamRateLimitBytes: 3 * MIB,
  perStreamRateLimitBurstBytes: 15 * MIB,
  allowStructuredMetadata: true,
  maxStructuredMetadataSizeBytes: 64 * 1024,
  maxStructuredMetadataEntriesCount: 128,
  discoverServiceName: DEFAULT_DISCOVER_SERVICE_NAME,
  discoverLogLevels: true,
  logLevelFields: DEFAULT_LOG_LEVEL_FIELDS,
  logLevelFromJsonMaxDepth: 2,
  incrementDuplicateTimestamp: false,
});

/**
 * durationMs accepts a Prometheus duration ("7d", "10m", "0") and yields milliseconds. A YAML
 * number is read as its decimal text, so `0` works while `60` is an invalid duration.
 */
export function durationMs() {
  return z.unknown().transform((value, ctx): number => {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string") {
      ctx.addIssue({ code: "custom", message: `expected a duration, got ${describeValue(value)}` });
      return z.NEVER;
    }
    try {
      return parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: errorMessage(err) });
      return z.NEVER;
    }
  });
}

/** sizeBytes accepts a byte size ("256KiB", "3MiB" or a plain integer), 0 included. */
export function sizeBytes() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
    if (typeof value === "string") {
      try {
        return parseBytes(value);
      } catch (err) {
        const units = "B, KB, KiB, MB, MiB, GB, GiB";
        ctx.addIssue({ code: "custom", message: `${errorMessage(err)} (units: ${units})` });
        return z.NEVER;
      }
    }
    ctx.addIssue({
      code: "custom",
      message: `expected a size such as 256KiB, got ${describeValue(value)}`,
    });
    return z.NEVER;
  });
}

/** count accepts a non-negative integer. */
export function count() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      ctx.addIssue({
        code: "custom",
        message: `expected a non-negative integer, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    return value;
  });
}

/** megabytes accepts Loki's `*_mb` rates (a non-negative number of MiB) and yields bytes. */
function megabytes() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      ctx.addIssue({
        code: "custom",
        message: `expected a non-negative number of MiB, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    return Math.round(value * MIB);
  });
}

const D = DEFAULT_LOG_INGEST_CONFIG;

/**
 * logIngestSchema validates the `logs.ingest` section (snake_case keys as in Loki's
 * limits_config) and yields a LogIngestConfig. Every key is optional.
 */
export const logIngestSchema = z
  .object({
    max_recv_msg_size: sizeBytes().prefault("10MiB"),
    max_decompressed_size: sizeBytes().prefault("100MiB"),
    max_line_size: sizeBytes().prefault("256KiB"),
    max_line_size_truncate: z.boolean().default(D.maxLineSizeTruncate),
    max_line_size_truncate_identifier: z.string().default(D.maxLineSizeTruncateIdentifier),
    max_label_names_per_series: count().prefault(D.maxLabelNamesPerSeries),
    max_label_name_length: count().prefault(D.maxLabelNameLength),
    max_label_value_length: count().prefault(D.maxLabelValueLength),
    reject_old_samples: z.boolean().default(D.rejectOldSamples),
    reject_old_samples_max_age: durationMs().prefault("7d"),
    creation_grace_period: durationMs().prefault("10m"),
    ingestion_rate_mb: megabytes().prefault(4),
    ingestion_burst_size_mb: megabytes().prefault(6),
    per_stream_rate_limit: sizeBytes().prefault("3MiB"),
    per_stream_rate_limit_burst: sizeBytes().prefault("15MiB"),
    allow_structured_metadata: z.boolean().default(D.allowStructuredMetadata),
    max_structured_metadata_size: sizeBytes().prefault("64KiB"),
    max_structured_metadata_entries_count: count().prefault(D.maxStructuredMetadataEntriesCount),
    discover_service_name: z.array(z.string()).default([...D.discoverServiceName]),
    discover_log_levels: z.boolean().default(D.discoverLogLevels),
    log_level_fields: z.array(z.string()).default([...D.logLevelFields]),
    log_level_from_json_max_depth: count().prefault(D.logLevelFromJsonMaxDepth),
    increment_duplicate_timestamp: z.boolean().default(D.incrementDuplicateTimestamp),
  })
  .strict()
  .transform((c): LogIngestConfig => ({
    maxRecvMsgSizeBytes: c.max_recv_msg_size,
    maxDecompressedSizeBytes: c.max_decompressed_size,
    maxLineSizeBytes: c.max_line_size,
    maxLineSizeTruncate: c.max_line_size_truncate,
    maxLineSizeTruncateIdentifier: c.max_line_size_truncate_identifier,
    maxLabelNamesPerSeries: c.max_label_names_per_series,
    maxLabelNameLength: c.max_label_name_length,
    maxLabelValueLength: c.max_label_value_length,
    rejectOldSamples: c.reject_old_samples,
    rejectOldSamplesMaxAgeMs: c.reject_old_samples_max_age,
    creationGracePeriodMs: c.creation_grace_period,
    ingestionRateBytes: c.ingestion_rate_mb,
    ingestionBurstSizeBytes: c.ingestion_burst_size_mb,
    perStreamRateLimitBytes: c.per_stream_rate_limit,
    perStreamRateLimitBurstBytes: c.per_stream_rate_limit_burst,
    allowStructuredMetadata: c.allow_structured_metadata,
    maxStructuredMetadataSizeBytes: c.max_structured_metadata_size,
    maxStructuredMetadataEntriesCount: c.max_structured_metadata_entries_count,
    discoverServiceName: c.discover_service_name,
    discoverLogLevels: c.discover_log_levels,
    logLevelFields: c.log_level_fields.length > 0 ? c.log_level_fields : D.logLevelFields,
    logLevelFromJsonMaxDepth: c.log_level_from_json_max_depth,
    incrementDuplicateTimestamp: c.increment_duplicate_timestamp,
  }));
