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
}

/**
 * LogLines are entries as columns whose lines are UTF-8 byte ranges of one buffer (a push
 * body): the form ingestion hands to storage, which copies the bytes without making a string of
 * each line or an object of each entry. Entry i < count has the line data[start[i], end[i]);
 * the arrays may be longer than count.
 */
export interface LogLines {
  readonly count: number;
  readonly data: Uint8Array;
  /** ts[i]: nanoseconds since the Unix epoch. */
  readonly ts: BigInt64Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** metadata[i]: structured metadata (sorted, unique names); empty when there is none. */
  readonly metadata: readonly Labels[];
}

/**
 * tsBefore says whether the time with 32-bit words (ah, al) is earlier than (bh, bl), as an
 * Int32Array view of a BigInt64Array holds them (low word first): high words compare signed,
 * low words unsigned (flipping the sign bit orders them as signed numbers).
 */
export function tsBefore(ah: number, al: number, bh: number, bl: number): boolean {
  return ah < bh || (ah === bh && (al ^ 0x80000000) < (bl ^ 0x80000000));
}

/** tsWords returns a time's high and low 32-bit words (signed, as an Int32Array holds them). */
export function tsWords(ns: bigint): [hi: number, lo: number] {
  return [Number(BigInt.asIntN(32, ns >> 32n)), Number(BigInt.asIntN(32, ns))];
}

/** tsFromWords joins a time's 32-bit words. */
export function tsFromWords(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

const TWO_32 = 2 ** 32;
const TWO_33 = 2 ** 33;
/** INT64_MIN and INT64_MAX bound the nanosecond times that LogLines (and ClickHouse) hold. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** clampInt64 returns ns, or the bound of the Int64 range it lies beyond. */
export function clampInt64(ns: bigint): bigint {
  return ns > INT64_MAX ? INT64_MAX : ns < INT64_MIN ? INT64_MIN : ns;
}

/**
 * LogLinesBuilder collects entries into LogLines. Over a given buffer it takes byte ranges of it
 * (addRange); without one it copies lines (add) into a buffer of its own.
 */
export class LogLinesBuilder {
  count = 0;
  private ts: BigInt64Array;
  /** ts32 views ts as (low, high) 32-bit words, for timestamps set without a bigint. */
  private ts32: Int32Array;
  private start: Int32Array;
  private end: Int32Array;
  private md: Labels[];
  private data: Buffer;
  /** wide: the exact times of entries clamped to the Int64 range of nanoseconds. */
  wide: Map<number, bigint> | undefined;
  private len = 0;

  /** capacity: the entries expected (the columns grow past it as needed). */
  constructor(data?: Uint8Array, capacity = 16) {
    this.data = data
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.allocUnsafe(1024);
    const cap = Math.max(1, capacity);
    this.ts = new BigInt64Array(cap);
    this.ts32 = new Int32Array(this.ts.buffer);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.md = new Array<Labels>(cap);
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const ts = new BigInt64Array(cap);
    ts.set(this.ts);
    this.ts = ts;
    this.ts32 = new Int32Array(ts.buffer);
    const start = new Int32Array(cap);
    start.set(this.start);
    this.start = start;
    const end = new Int32Array(cap);
    end.set(this.end);
    this.end = end;
  }

  /**
   * addRange adds the line data[start, end) at `seconds` (a safe integer) and `nanos` (below
   * 1e9) past it. Times outside the Int64 range of nanoseconds are clamped to it (see wide).
   */
  addRange(seconds: number, nanos: number, start: number, end: number, metadata: Labels): void {
    const i = this.count;
    if (i === this.ts.length) this.grow();
    if (seconds >= 0 && seconds < TWO_33) {
      // seconds * 1e9 + nanos in 32-bit words without a bigint; every step is exact in a double:
      // with seconds = sh * 2^16 + sl, the time is (sh * 1e9) * 2^16 + (sl * 1e9 + nanos).
      const sh = Math.floor(seconds / 65536);
      const x = (seconds - sh * 65536) * 1e9 + nanos;
      const y = sh * 1e9;
      const yh = Math.floor(y / 65536);
      const z = (y - yh * 65536) * 65536 + x;
      const carry = Math.floor(z / TWO_32);
      this.ts32[2 * i] = z - carry * TWO_32;
      this.ts32[2 * i + 1] = yh + carry;
    } else {
      this.setWide(i, BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
    }
    this.start[i] = start;
    this.end[i] = end;
    this.md[i] = metadata;
    this.count++;
  }

  /** add copies a line (a string is written as UTF-8) into the builder's own buffer. */
  add(tsNs: bigint, line: string | Uint8Array, metadata: Labels): void {
    const max = typeof line === "string" ? 3 * line.length : line.length;
    if (this.len + max > this.data.length) {
      const b = Buffer.allocUnsafe(Math.max(2 * this.data.length, this.len + max));
      this.data.copy(b, 0, 0, this.len);
      this.data = b;
    }
    const start = this.len;
    if (typeof line === "string") this.len += this.data.write(line, start, "utf8");
    else {
      this.data.set(line, start);
      this.len += line.length;
    }
    const i = this.count;
    if (i === this.ts.length) this.grow();
    this.setWide(i, tsNs);
    this.start[i] = start;
    this.end[i] = this.len;
    this.md[i] = metadata;
    this.count++;
  }

  /** setWide sets entry i's time, clamped to the Int64 range (wide keeps it exactly then). */
  private setWide(i: number, ns: bigint): void {
    const clamped = clampInt64(ns);
    if (clamped !== ns) (this.wide ??= new Map()).set(i, ns);
    this.ts[i] = clamped;
  }

  build(): LogLines {
    return {
      count: this.count,
      data: this.data,
      ts: this.ts,
      start: this.start,
      end: this.end,
      metadata: this.md,
    };
  }
}

/**
 * replaceLines returns `lines` with some lines replaced (index → new UTF-8 bytes), all lines
 * copied into a new buffer; timestamps and metadata are kept.
 */
export function replaceLines(lines: LogLines, replace: ReadonlyMap<number, Uint8Array>): LogLines {
  const b = new LogLinesBuilder();
  for (let i = 0; i < lines.count; i++) {
    const line = replace.get(i) ?? lines.data.subarray(lines.start[i]!, lines.end[i]!);
    b.add(lines.ts[i]!, line, lines.metadata[i]!);
  }
  return b.build();
}

/** entriesToLines returns entries as LogLines (their lines copied into one buffer). */
export function entriesToLines(entries: readonly LogEntry[]): LogLines {
  const b = new LogLinesBuilder();
  for (const e of entries) b.add(e.tsNs, e.line, e.metadata);
  return b.build();
}

/** linesToEntries turns LogLines into LogEntry values. */
export function linesToEntries(lines: LogLines): LogEntry[] {
  const d = lines.data;
  const buf = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const out: LogEntry[] = [];
  for (let i = 0; i < lines.count; i++) {
    out.push({
      tsNs: lines.ts[i]!,
      line: buf.toString("utf8", lines.start[i]!, lines.end[i]!),
      metadata: lines.metadata[i]!,
    });
  }
  return out;
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
   * appendLines is append for entries as columns (lines valid UTF-8), whose arrays and bytes
   * must not change until commit settles.
   */
  appendLines(labels: Labels, lines: LogLines): void;
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
