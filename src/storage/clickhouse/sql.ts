import type { Matcher } from "../../model/labels/index.ts";
import { METRIC_NAME } from "../../model/labels/index.ts";

/**
 * quote renders a ClickHouse string literal. Only backslash and the single quote need escaping
 * (https://clickhouse.com/docs/sql-reference/syntax#string); other bytes are taken literally.
 */
export function quote(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** ident renders an identifier in backquotes. */
export function ident(s: string): string {
  return "`" + s.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}

/**
 * anchoredRegex turns a PromQL regex into the pattern ClickHouse's `match` (RE2) must see:
 * fully anchored and with `.` matching newlines, as Prometheus compiles it
 * (`model/labels/regexp.go`: `^(?s:...)$`).
 */
export function anchoredRegex(re: string): string {
  return `^(?s:${re})$`;
}

/**
 * matcherSql renders one matcher as a condition on the series table, where `metric_name` holds
 * `__name__` and the `labels` map holds every other label (a missing key reads as '').
 */
export function matcherSql(m: Matcher): string {
  const col = m.name === METRIC_NAME ? "metric_name" : `labels[${quote(m.name)}]`;
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

/**
 * metricNameSql returns a condition on `metric_name` implied by the matchers, usable on the
 * samples table where it prunes by primary key; "1" when the matchers do not constrain it.
 */
export function metricNameSql(matchers: readonly Matcher[]): string {
  const conds = matchers.filter((m) => m.name === METRIC_NAME).map(matcherSql);
  return conds.length ? conds.join(" AND ") : "1";
}

/** matchersSql joins matchers into one WHERE condition ("1" for none). */
export function matchersSql(matchers: readonly Matcher[]): string {
  return matchers.length ? matchers.map(matcherSql).join(" AND ") : "1";
}

/** msLiteral renders milliseconds as a DateTime64(3) literal usable in comparisons with `t`. */
export function msLiteral(ms: number): string {
  return `fromUnixTimestamp64Milli(toInt64(${Math.trunc(ms)}), 'UTC')`;
}

/** dayLiteral renders the UTC day holding `ms` as a Date expression. */
export function dayLiteral(ms: number): string {
  return `toDate(${msLiteral(ms)}, 'UTC')`;
}
