// Result shapes of LogQL queries, designed so that a Loki HTTP layer can render Loki's JSON:
// `streams` (resultType "streams"), `vector`, `matrix` and `scalar`. Timestamps are bigint
// nanoseconds since the Unix epoch.
import type { Labels } from "../../model/labels/index.ts";

/** LogEntryResult is one line of a stream result, with Loki's categorized labels. */
export interface LogEntryResult {
  readonly tsNs: bigint;
  readonly line: string;
  /** structuredMetadata: the entry's structured metadata (sorted). */
  readonly structuredMetadata: Labels;
  /** parsed: labels extracted by the pipeline, error labels included (sorted). */
  readonly parsed: Labels;
}

/**
 * StreamResult is one stream of a log query: `labels` is the complete label set (stream
 * labels, structured metadata, extracted labels), as Loki returns with categorize-labels off;
 * `streamLabels` is the original stream's label set, for categorized encoding.
 */
export interface StreamResult {
  readonly labels: Labels;
  readonly streamLabels: Labels;
  readonly entries: readonly LogEntryResult[];
}

/** SampleResult is one element of an instant vector. */
export interface SampleResult {
  readonly labels: Labels;
  readonly tsNs: bigint;
  readonly value: number;
}

/** PointResult is one point of a range series. */
export interface PointResult {
  readonly tsNs: bigint;
  readonly value: number;
}

/** SeriesResult is one series of a matrix. */
export interface SeriesResult {
  readonly labels: Labels;
  readonly points: readonly PointResult[];
}

/** QueryResult is the value of a LogQL query. */
export type QueryResult =
  | { readonly type: "streams"; readonly streams: readonly StreamResult[] }
  | { readonly type: "vector"; readonly samples: readonly SampleResult[] }
  | { readonly type: "matrix"; readonly series: readonly SeriesResult[] }
  | { readonly type: "scalar"; readonly tsNs: bigint; readonly value: number };

/** Direction is the order of log lines in a log query. */
export type Direction = "forward" | "backward";

/** QueryParams describes one query evaluation. */
export interface QueryParams {
  /** startNs/endNs: the time range; equal for instant queries. */
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** stepNs: the resolution of range queries (ignored for instant queries). */
  readonly stepNs: bigint;
  /** instant: evaluate once at endNs (metric queries only). */
  readonly instant?: boolean;
  /** direction and limit apply to log queries; limit 0 means none. */
  readonly direction?: Direction;
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/** PipelineError is Loki's error for a metric query whose series carry `__error__`. */
export class PipelineError extends Error {
  readonly errorType: string;
  constructor(errorType: string, series: string) {
    super(
      `pipeline error: '${errorType}' for series: '${series}'.\n` +
        "Use a label filter to intercept this error, or use the `__error__` label to preserve " +
        "the error series.",
    );
    this.name = "PipelineError";
    this.errorType = errorType;
  }
}

/** QueryError is an evaluation error (e.g. many-to-many matching). */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}
