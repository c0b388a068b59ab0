// Input checks, ordering rules and grouping shared by every LogStore backend, so that memory and
// ClickHouse reject the same input and answer the same way. (It lives here because only
// memory/ and clickhouse/ use it; it may move next to storage/logs.ts.)
import { RE2JS } from "re2js";
import type { Label, Labels, Matcher } from "../../model/labels/index.ts";
import { compareLabels, labelsKey } from "../../model/labels/index.ts";
import type { LineFilter, LogEntry, LogLines, LogVolume } from "../logs.ts";

/** MAX_TS_NS is the largest storable timestamp: ClickHouse's DateTime64(9) ends in 2262. */
export const MAX_TS_NS = 2n ** 63n - 1n;

/**
 * validateLogAppend checks one append before it is buffered and throws an Error that names the
 * problem: labels must be non-empty, sorted and unique with non-empty values; timestamps are
 * bigint nanoseconds in [0, 2^63); metadata names are sorted and unique.
 */
export function validateLogAppend(labels: Labels, entries: readonly LogEntry[]): void {
  validateStream(labels);
  for (const e of entries) {
    checkTimestamp(e.tsNs);
    if (typeof e.line !== "string") throw new Error("log line must be a string");
    if (e.metadata.length > 0) checkSorted(e.metadata, "structured metadata");
  }
}

function validateStream(labels: Labels): void {
  if (labels.length === 0) throw new Error("log stream without labels");
  checkSorted(labels, "stream labels");
  for (const l of labels) {
    if (l.value === "") throw new Error(`stream label "${l.name}" has an empty value`);
  }
}

function checkTimestamp(tsNs: bigint): void {
  if (typeof tsNs !== "bigint" || tsNs < 0n || tsNs > MAX_TS_NS) {
    throw new Error(`log timestamp must be a bigint of nanoseconds in [0, 2^63), got ${tsNs}`);
  }
}

/**
 * validateLogLines is validateLogAppend for appendLines: the same checks, and every line's
 * byte range must lie within `data`.
 */
export function validateLogLines(labels: Labels, lines: LogLines): void {
  validateStream(labels);
  const { count, data, ts, start, end, metadata } = lines;
  if (!(count >= 0 && ts.length >= count && start.length >= count && end.length >= count)) {
    throw new Error(`log lines: ${count} entries do not fit their columns`);
  }
  if (metadata.length < count) throw new Error(`log lines: ${count} entries, fewer metadata`);
  // A timestamp is in [0, 2^63) when its high word is not negative (read without a bigint).
  const ts32 = new Int32Array(ts.buffer, ts.byteOffset, 2 * count);
  for (let i = 0; i < count; i++) {
    if (ts32[2 * i + 1]! < 0) checkTimestamp(ts[i]!);
    const s = start[i]!;
    const e = end[i]!;
    if (!(s >= 0 && s <= e && e <= data.length)) {
      throw new Error(`log line bytes [${s}, ${e}) outside a buffer of ${data.length}`);
    }
    const md = metadata[i]!;
    if (md.length > 0) checkSorted(md, "structured metadata");
  }
}

function checkSorted(ls: Labels, what: string): void {
  for (let i = 1; i < ls.length; i++) {
    if (ls[i - 1]!.name >= ls[i]!.name) {
      throw new Error(`${what} not sorted or not unique at "${ls[i]!.name}"`);
    }
  }
}

/**
 * compileLineFilters returns a predicate that keeps a line when every filter keeps it. `|=` and
 * `!=` test for a substring, `|~` and `!~` for an unanchored RE2 match in which `.` does not match
 * a newline (Loki compiles line filter regexes with Go's regexp defaults). Throws an Error naming
 * a regex that does not compile.
 */
export function compileLineFilters(filters: readonly LineFilter[]): (line: string) => boolean {
  const preds = filters.map((f): ((line: string) => boolean) => {
    switch (f.op) {
      case "|=":
        return (line) => f.values.some((v) => line.includes(v));
      case "!=":
        return (line) => !f.values.some((v) => line.includes(v));
      case "|~": {
        const res = f.values.map(compileLineRegex);
        return (line) => res.some((re) => re.test(line));
      }
      case "!~": {
        const res = f.values.map(compileLineRegex);
        return (line) => !res.some((re) => re.test(line));
      }
    }
  });
  return (line) => preds.every((p) => p(line));
}

function compileLineRegex(re: string): RE2JS {
  try {
    return RE2JS.compile(re);
  } catch (err) {
    throw new Error(`invalid line filter regex ${JSON.stringify(re)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** compareStrings orders strings by code unit, as `<` does. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** compareBigints orders bigints. */
export function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RowKey is what the ordering of `LogQuerier.select` looks at. */
export interface RowKey {
  readonly tsNs: bigint;
  readonly line: string;
  readonly stream: Labels;
}

/**
 * compareForward is the `forward` order of select: timestamp, then stream labels, then line.
 * `backward` is its exact reverse; `stream` order sorts a stream's entries by timestamp, then line.
 */
export function compareForward(a: RowKey, b: RowKey): number {
  return (
    compareBigints(a.tsNs, b.tsNs) ||
    (a.stream === b.stream ? 0 : compareLabels(a.stream, b.stream)) ||
    compareStrings(a.line, b.line)
  );
}

/** utf8Length returns the UTF-8 byte length of s (what Loki counts as a line's bytes). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** DAY_NS is one day in nanoseconds. */
export const DAY_NS = 86_400_000_000_000n;

/**
 * groupVolume groups per-stream byte counts by `targetLabels` (or, when empty, by the label
 * names of the matchers), as Loki's /index/volume does, largest first (ties by labels), and
 * keeps `limit` rows (0: all).
 */
export function groupVolume(
  perStream: readonly { labels: Labels; bytes: number }[],
  matchers: readonly Matcher[],
  targetLabels: readonly string[],
  limit: number,
): LogVolume[] {
  const by = new Set(targetLabels.length > 0 ? targetLabels : matchers.map((m) => m.name));
  const groups = new Map<string, { labels: Labels; bytes: number }>();
  for (const { labels, bytes } of perStream) {
    const kept: Label[] = labels.filter((l) => by.has(l.name));
    const key = labelsKey(kept);
    const g = groups.get(key);
    if (g) g.bytes += bytes;
    else groups.set(key, { labels: kept, bytes });
  }
  const out = [...groups.values()].sort(
    (a, b) => b.bytes - a.bytes || compareLabels(a.labels, b.labels),
  );
  return limit > 0 ? out.slice(0, limit) : out;
}
