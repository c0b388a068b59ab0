// The log side of the storage seam (DESIGN.md "Storage": LogAppender, LogQuerier). Logs are
// streams (a label set) of entries (nanosecond timestamp, line, structured metadata), as in Loki.
// Timestamps are bigint nanoseconds since the Unix epoch: a double cannot hold them exactly.
import type { Labels, Matcher } from "../model/labels/index.ts";

/** LogEntry is one log line of a stream. */
export interface LogEntry {
  /** tsNs: nanoseconds since the Unix epoch. */
  readonly tsNs: bigint;
  readonly line: string;
  /** metadata: structured metadata (sorted, unique names); empty when there is none. */
  readonly metadata: Labels;
  /**
   * lineBytes: the UTF-8 length of `line`, when its producer knows it (a decoder read it off
   * the wire), so that storage need not measure it again. It must be exact.
   */
  readonly lineBytes?: number;
}

/**
 * LogLine is an entry whose line is the UTF-8 bytes [start, end) of a buffer that holds many
 * (a push body): the form ingestion hands to storage, which copies the bytes without making a
 * string of each line.
 */
export interface LogLine {
  /** tsNs: nanoseconds since the Unix epoch. */
  readonly tsNs: bigint;
  readonly start: number;
  readonly end: number;
  /** metadata: structured metadata (sorted, unique names); empty when there is none. */
  readonly metadata: Labels;
}

/** linesToEntries turns appendLines' entries into LogEntry values. */
export function linesToEntries(data: Uint8Array, lines: readonly LogLine[]): LogEntry[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return lines.map((e) => ({
    tsNs: e.tsNs,
    line: buf.toString("utf8", e.start, e.end),
    metadata: e.metadata,
  }));
}

/**
 * LogAppender collects entries for one transaction, like the metrics Appender: nothing is
 * visible or durable until `commit` resolves, and a rejected commit stored nothing that may be
 * relied upon. Single-use.
 */
export interface LogAppender {
  /**
   * append adds entries to the stream with `labels` (valid, sorted, no empty values; no
   * `__name__` requirement). Entries need not be sorted. An entry whose (stream, tsNs, line)
   * equals one already stored is a duplicate and is stored once (Loki de-duplicates them).
   */
  append(labels: Labels, entries: readonly LogEntry[]): void;
  /**
   * appendLines is append for entries whose lines are byte ranges of `data` (valid UTF-8),
   * which must not change until commit settles.
   */
  appendLines(labels: Labels, data: Uint8Array, lines: readonly LogLine[]): void;
  commit(): Promise<void>;
  rollback(): void;
}

/**
 * LineFilterOp is a line filter that storage can run: contains, not contains, RE2 match, RE2 no
 * match (unanchored, as Loki's `|~`). Pattern filters (`|>`) and ip() stay in the engine.
 */
export type LineFilterOp = "|=" | "!=" | "|~" | "!~";

/**
 * LineFilter is one filter stage. `values` holds its `or` alternatives: a positive filter keeps
 * a line that matches any of them, a negative one keeps a line that matches none.
 */
export interface LineFilter {
  readonly op: LineFilterOp;
  readonly values: readonly string[];
}

/** LogOrder says how `select` returns rows. */
export type LogOrder =
  /** forward: ascending timestamp across all streams (ties by stream labels). */
  | "forward"
  /** backward: descending timestamp across all streams. */
  | "backward"
  /** stream: grouped by stream (streams in any order), ascending timestamp within a stream. */
  | "stream";

/** LogSelect says which entries to read. */
export interface LogSelect {
  /** matchers select streams (at least one; Prometheus matcher semantics, RE2 fully anchored). */
  readonly matchers: readonly Matcher[];
  /** startNs inclusive, endNs exclusive. */
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** lineFilters: every filter must keep a line (they are ANDed), in this order. */
  readonly lineFilters?: readonly LineFilter[];
  readonly order: LogOrder;
  /** limit: at most this many rows in `order` (absent or 0: no limit). */
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/** LogRow is one entry with its stream. Rows of one stream share the same `stream` object. */
export interface LogRow extends LogEntry {
  readonly stream: Labels;
}

/** LogStats answers Loki's /index/stats. */
export interface LogStats {
  readonly streams: number;
  readonly chunks: number;
  readonly entries: number;
  readonly bytes: number;
}

/** LogVolume is one row of Loki's /index/volume: a label set and the bytes of its entries. */
export interface LogVolume {
  readonly labels: Labels;
  readonly bytes: number;
}

/** LogQuerier reads log data. */
export interface LogQuerier {
  /** select yields rows in batches, in `order`, stopping after `limit` rows. */
  select(q: LogSelect): AsyncIterable<readonly LogRow[]>;
  /** streams returns the label sets of streams with entries in [startNs, endNs), sorted. */
  streams(matchers: readonly Matcher[], startNs: bigint, endNs: bigint): Promise<Labels[]>;
  /** labelNames / labelValues: sorted, unique, over streams with entries in the range. */
  labelNames(startNs: bigint, endNs: bigint, matchers?: readonly Matcher[]): Promise<string[]>;
  labelValues(
    name: string,
    startNs: bigint,
    endNs: bigint,
    matchers?: readonly Matcher[],
  ): Promise<string[]>;
  /** stats sums streams, entries and line bytes of matching streams in the range. */
  stats(matchers: readonly Matcher[], startNs: bigint, endNs: bigint): Promise<LogStats>;
  /**
   * volume groups line bytes of matching streams by `targetLabels` (or, when empty, by the
   * matchers' label names), largest first, at most `limit` rows.
   */
  volume(
    matchers: readonly Matcher[],
    startNs: bigint,
    endNs: bigint,
    targetLabels: readonly string[],
    limit: number,
  ): Promise<LogVolume[]>;
}

/** LogStore is the log half of a Storage. */
export interface LogStore {
  logAppender(): LogAppender;
  logQuerier(): LogQuerier;
}
