// SQL fragments for the log tables: stream matchers on the labels map, time bounds in
// nanoseconds and line filters.
import type { Matcher } from "../../model/labels/index.ts";
import type { LineFilter } from "../logs.ts";
import { DAY_NS, MAX_TS_NS } from "../memory/logs-common.ts";
import { anchoredRegex, quote } from "./sql.ts";

/** clampNs limits a bound to the storable range [0, 2^63). */
export function clampNs(ns: bigint): bigint {
  return ns < 0n ? 0n : ns > MAX_TS_NS ? MAX_TS_NS : ns;
}

/** nsLiteral renders nanoseconds as a DateTime64(9) expression comparable with `ts`. */
export function nsLiteral(ns: bigint): string {
  return `fromUnixTimestamp64Nano(toInt64(${clampNs(ns)}), 'UTC')`;
}

/** dayOf returns the UTC day number (days since the epoch) of a nanosecond timestamp. */
export function dayOf(ns: bigint): number {
  return Number(clampNs(ns) / DAY_NS);
}

/** dateLiteral renders a UTC day number as a Date literal. */
export function dateLiteral(day: number): string {
  return `toDate('${new Date(day * 86_400_000).toISOString().slice(0, 10)}')`;
}

/**
 * streamMatcherSql renders a matcher as a condition on the streams table's `labels` map, where
 * a missing key reads as '' (Prometheus semantics); regexes are RE2, fully anchored.
 */
export function streamMatcherSql(m: Matcher): string {
  const col = `labels[${quote(m.name)}]`;
  switch (m.type) {
    case "=":
      return `${col} = ${quote(m.value)}`;
    case "!=":
      return `${col} != ${quote(m.value)}`;
    case "=~":
      return `match(${col}, ${quote(anchoredRegex(m.value))})`;
    case "!~":
      return `NOT match(${col}, ${quote(anchoredRegex(m.value))})`;
  }
}

/** streamMatchersSql joins matchers into one condition ("1" for none). */
export function streamMatchersSql(matchers: readonly Matcher[]): string {
  return matchers.length ? matchers.map(streamMatcherSql).join(" AND ") : "1";
}

/**
 * likeContains renders "line contains v" as a LIKE pattern, which ClickHouse runs as a plain
 * substring search. LIKE's wildcards and its escape character are escaped. (The line blooms of
 * logs-bloom.ts narrow the rows first.)
 */
export function likeContains(v: string): string {
  return quote(`%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/**
 * lineRegex makes `.` stop at newlines, as in Loki (Go's regexp defaults), where ClickHouse's
 * match() lets it match them.
 */
export function lineRegex(re: string): string {
  return quote(`(?-s:${re})`);
}

/**
 * lineFilterSql renders one line filter: a positive filter is the OR of its alternatives, a
 * negative one the AND of their negations. `|= ""` keeps every line and `!= ""` none, as a
 * substring test does.
 */
export function lineFilterSql(f: LineFilter): string {
  // With no alternatives, "matches any" is false and "matches none" true.
  if (f.values.length === 0) return f.op === "|=" || f.op === "|~" ? "0" : "1";
  switch (f.op) {
    case "|=":
      if (f.values.includes("")) return "1";
      return or(f.values.map((v) => `line LIKE ${likeContains(v)}`));
    case "!=":
      if (f.values.includes("")) return "0";
      return f.values.map((v) => `line NOT LIKE ${likeContains(v)}`).join(" AND ");
    case "|~":
      return or(f.values.map((v) => `match(line, ${lineRegex(v)})`));
    case "!~":
      return f.values.map((v) => `NOT match(line, ${lineRegex(v)})`).join(" AND ");
  }
}

function or(conds: string[]): string {
  return conds.length === 1 ? conds[0]! : `(${conds.join(" OR ")})`;
}

/** lineFiltersSql ANDs line filters ("1" for none). */
export function lineFiltersSql(filters: readonly LineFilter[] | undefined): string {
  return filters?.length ? filters.map(lineFilterSql).join(" AND ") : "1";
}
