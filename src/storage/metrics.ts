import { Counter, Histogram, Gauge } from "prom-client";
import type { Registry } from "prom-client";

/**
 * StorageMetrics are the storage's self-metrics (`vigil_storage_*`). Backends take an instance
 * in their options; `newStorageMetrics()` without a registry gives unregistered instruments for
 * tests and tools.
 */
export interface StorageMetrics {
  readonly batches: Counter;
  readonly rows: Counter<"table">;
  readonly bytes: Counter<"table">;
  readonly errors: Counter;
  readonly insertDuration: Histogram;
  readonly pendingRows: Gauge;
  /** head: samples, series and span of the in-memory head, set at each truncation. */
  readonly headSamples: Gauge;
  readonly headSeries: Gauge;
  readonly headSpanSeconds: Gauge;
  /** logHeadBytes: log line bytes acknowledged from the write-ahead log, not yet in ClickHouse. */
  readonly logHeadBytes: Gauge;
}

/** newStorageMetrics creates the storage instruments, registered in `registry` when given. */
export function newStorageMetrics(registry?: Registry): StorageMetrics {
  const registers = registry ? [registry] : [];
  return {
    batches: new Counter({
      name: "vigil_storage_batches_total",
      help: "Insert batches committed to storage.",
      registers,
    }),
    rows: new Counter({
      name: "vigil_storage_rows_total",
      help: "Rows committed to storage, by table.",
      labelNames: ["table"],
      registers,
    }),
    bytes: new Counter({
      name: "vigil_storage_bytes_total",
      help: "Uncompressed bytes sent to storage in inserts, by table.",
      labelNames: ["table"],
      registers,
    }),
    errors: new Counter({
      name: "vigil_storage_errors_total",
      help: "Insert batches that failed.",
      registers,
    }),
    insertDuration: new Histogram({
      name: "vigil_storage_insert_duration_seconds",
      help: "Time to commit one insert batch.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    pendingRows: new Gauge({
      name: "vigil_storage_pending_rows",
      help: "Samples appended and committed by callers but not yet written in a batch.",
      registers,
    }),
    headSamples: new Gauge({
      name: "vigil_storage_head_samples",
      help: "Samples held in the in-memory head (storage.head_duration).",
      registers,
    }),
    headSeries: new Gauge({
      name: "vigil_storage_head_series",
      help: "Series with samples in the in-memory head.",
      registers,
    }),
    headSpanSeconds: new Gauge({
      name: "vigil_storage_head_span_seconds",
      help: "How far back the head keeps samples (less than head_duration when over head_max_samples).",
      registers,
    }),
    logHeadBytes: new Gauge({
      name: "vigil_storage_log_head_bytes",
      help: "Log line bytes acknowledged from the write-ahead log and not yet written to ClickHouse.",
      registers,
    }),
  };
}
