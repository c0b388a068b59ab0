import type { FloatHistogram } from "../model/histogram/index.ts";
import type { Labels, Matcher } from "../model/labels/index.ts";
import type { LogStore } from "./logs.ts";

/**
 * SeriesRef is an opaque handle for a series inside one Storage. `0` means "unknown": the
 * storage resolves the series from its labels. Refs are only valid for the storage (and the
 * process) that returned them.
 */
export type SeriesRef = number;

/**
 * Appender collects samples for one transaction.
 *
 * `append` only buffers: nothing is visible to queriers and nothing is durable until `commit`
 * resolves. `commit` resolves after every sample of the transaction has been written to the
 * storage's durable medium (for ClickHouse: the INSERT holding them returned), and rejects when
 * that write failed, in which case none of the transaction's samples may be assumed stored.
 * An appender is single-use: after `commit` or `rollback` it must not be used again.
 */
export interface Appender {
  /**
   * append adds one sample. `tMs` is a Unix timestamp in milliseconds (an integer); `value` is a
   * float64, and NaN payloads — in particular the staleness marker STALE_NAN — are preserved bit
   * for bit. Pass the ref a previous append returned for the same labels to skip resolving the
   * series; pass 0 otherwise. Labels must be valid: sorted, unique names, non-empty `__name__`.
   * Returns the series' ref.
   */
  append(ref: SeriesRef, labels: Labels, tMs: number, value: number): SeriesRef;
  /**
   * appendHistogram adds one native histogram sample, like `append` otherwise. A histogram whose
   * `sum` is STALE_NAN is a staleness marker. The storage keeps its own copy, so the caller may
   * reuse `h`; an invalid histogram (FloatHistogram.validate) is rejected with an Error. A series
   * may hold floats and histograms, but at most one sample per timestamp: a histogram replaces a
   * float at the same timestamp and vice versa.
   *
   * Optional: backends that cannot store native histograms leave it out, and callers must then
   * fail with an error that says so.
   */
  appendHistogram?(ref: SeriesRef, labels: Labels, tMs: number, h: FloatHistogram): SeriesRef;
  /** commit makes the transaction durable; see the interface comment. */
  commit(): Promise<void>;
  /** rollback discards everything appended. */
  rollback(): void;
}

/**
 * Series is one selected series with its samples in ascending timestamp order, without
 * duplicate timestamps. Values live in a Float64Array because plain JS arrays of doubles
 * canonicalize NaN payloads and would destroy stale markers.
 *
 * `histograms` holds the series' native histogram samples, when it has any in the range (absent
 * otherwise): timestamps ascending and disjoint from the float timestamps. The histograms belong
 * to the storage and must not be modified (copy them first).
 */
export interface Series {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly histograms?: HistogramSamples;
}

/** HistogramSamples are the native histogram samples of a Series (parallel arrays). */
export interface HistogramSamples {
  readonly timestamps: Float64Array;
  readonly values: readonly FloatHistogram[];
}

/** SelectHints narrows what a select has to return. */
export interface SelectHints {
  /** seriesOnly: return labels with empty sample arrays (as for /api/v1/series). */
  readonly seriesOnly?: boolean;
  /** limit: return at most this many series (0 or absent: no limit). */
  readonly limit?: number;
  /** signal aborts the read; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Querier reads series from a fixed inclusive time range [mintMs, maxtMs] (milliseconds).
 *
 * `select` returns every series that matches all matchers and has at least one sample in the
 * range, sorted by labels (`compareLabels`), each with exactly its samples in the range.
 * Matchers follow Prometheus: a missing label matches as ""; regexes are RE2, fully anchored.
 * `labelNames` and `labelValues` answer for series that have samples in the range (backends may
 * widen that to whole days; Prometheus widens it to whole blocks) and return sorted, unique
 * strings. Passing no matchers means "all series".
 */
export interface Querier {
  readonly mintMs: number;
  readonly maxtMs: number;
  select(matchers: readonly Matcher[], hints?: SelectHints): Promise<Series[]>;
  labelNames(matchers?: readonly Matcher[]): Promise<string[]>;
  labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]>;
}

/** StorageStats summarises what the storage holds. */
export interface StorageStats {
  /** numSeries: distinct series with at least one sample in storage. */
  readonly numSeries: number;
  /** numSamples: stored samples (ClickHouse may count duplicates not yet merged away). */
  readonly numSamples: number;
  /** minTimeMs / maxTimeMs: oldest and newest sample timestamps, or null when empty. */
  readonly minTimeMs: number | null;
  readonly maxTimeMs: number | null;
  /** bytesOnDisk: compressed size of the stored data, 0 for memory. */
  readonly bytesOnDisk: number;
}

/** StorageEngine names a backend, as in `storage.engine` of vigil.yml. */
export type StorageEngine = "memory" | "embedded" | "clickhouse";

/**
 * Storage is the seam between Vigil's subsystems and where data lives (DESIGN.md "Storage").
 * Writers take an Appender per transaction; readers take a Querier per time range.
 * `close` flushes pending batches (waiting for their commits) and releases the backend; after
 * it, appenders reject and queriers fail.
 */
export interface Storage {
  readonly engine: StorageEngine;
  /** logs is the log half of the storage (streams and entries, logs.ts); closed with it. */
  readonly logs: LogStore;
  /**
   * appender starts a transaction. `sizeHint`, when known (a scrape's previous sample count),
   * lets the storage size its buffers once instead of growing them.
   */
  appender(sizeHint?: number): Appender;
  querier(mintMs: number, maxtMs: number): Querier;
  stats(): Promise<StorageStats>;
  close(): Promise<void>;
}
