// Self-metrics of log ingestion, shared by the Loki push and OTLP receivers. They mirror Loki's
// loki_distributor_bytes_received_total, loki_distributor_lines_received_total,
// loki_discarded_samples_total / loki_discarded_bytes_total (same `reason` values, see
// pkg/validation/validate.go) and loki_mutated_samples_total, with a `format` label
// (loki or otlp) in place of Loki's tenant.
import { Counter } from "prom-client";
import type { Registry } from "prom-client";

/** DiscardReason is a `reason` label value of the discarded counters (Loki's names). */
export type DiscardReason =
  | "request_body_too_large"
  | "invalid_labels"
  | "missing_labels"
  | "rate_limited"
  | "line_too_long"
  | "per_stream_rate_limit"
  | "greater_than_max_sample_age"
  | "too_far_in_future"
  | "max_label_names_per_series"
  | "label_name_too_long"
  | "label_value_too_long"
  | "duplicate_label_names"
  | "disallowed_structured_metadata"
  | "structured_metadata_too_large"
  | "structured_metadata_too_many";

/** IngestFormat says which protocol a push came in by. */
export type IngestFormat = "loki" | "otlp";

/** LogIngestMetrics are the counters both receivers update. */
export interface LogIngestMetrics {
  readonly receivedBytes: Counter<"format">;
  readonly receivedLines: Counter<"format">;
  readonly discardedLines: Counter<"reason" | "format">;
  readonly discardedBytes: Counter<"reason" | "format">;
  readonly mutatedLines: Counter<"reason" | "format">;
  readonly mutatedBytes: Counter<"reason" | "format">;
}

const byRegistry = new WeakMap<Registry, LogIngestMetrics>();

/**
 * logIngestMetrics returns the ingestion counters registered in `registry`, creating them on
 * the first call for that registry (both receivers share them); unregistered ones without one.
 */
export function logIngestMetrics(registry: Registry | undefined): LogIngestMetrics {
  if (registry) {
    const m = byRegistry.get(registry);
    if (m) return m;
  }
  const registers = registry ? [registry] : [];
  const m: LogIngestMetrics = {
    receivedBytes: new Counter({
      name: "vigil_logs_received_bytes_total",
      help: "Uncompressed bytes of log lines and structured metadata received, before validation.",
      labelNames: ["format"],
      registers,
    }),
    receivedLines: new Counter({
      name: "vigil_logs_received_lines_total",
      help: "Log lines received, before validation.",
      labelNames: ["format"],
      registers,
    }),
    discardedLines: new Counter({
      name: "vigil_logs_discarded_total",
      help: "Log lines refused, by reason (the reasons of loki_discarded_samples_total).",
      labelNames: ["reason", "format"],
      registers,
    }),
    discardedBytes: new Counter({
      name: "vigil_logs_discarded_bytes_total",
      help: "Bytes of log lines and structured metadata refused, by reason.",
      labelNames: ["reason", "format"],
      registers,
    }),
    mutatedLines: new Counter({
      name: "vigil_logs_mutated_total",
      help: "Log lines stored changed (truncated), by reason.",
      labelNames: ["reason", "format"],
      registers,
    }),
    mutatedBytes: new Counter({
      name: "vigil_logs_mutated_bytes_total",
      help: "Bytes removed from log lines stored changed (truncated), by reason.",
      labelNames: ["reason", "format"],
      registers,
    }),
  };
  if (registry) byRegistry.set(registry, m);
  return m;
}
