// Exposition lint for `vigil check metrics`: the rules of promtool's linter (client_golang
// prometheus/testutil/promlint v1.22, which prometheus v3.5 builds promtool with), then the team
// conventions of DESIGN.md as extra problems.
import type { MetricFamily } from "../model/textparse/index.ts";
import { parseMetricFamilies } from "../model/textparse/index.ts";

/** Problem is one lint finding, printed as `<metric> <text>` like promtool. */
export interface Problem {
  readonly metric: string;
  readonly text: string;
}

/** LintOptions select the checks beyond promtool's. */
export interface LintOptions {
  /** conventions adds the team conventions; default true. */
  readonly conventions?: boolean;
  /** maxSeries is the most series one target may expose; default 5000. */
  readonly maxSeries?: number;
}

/** DEFAULT_MAX_SERIES is the team convention's limit of series per target. */
export const DEFAULT_MAX_SERIES = 5000;

/** TARGET is the "metric" name of problems about the whole exposition. */
export const TARGET = "(target)";

/**
 * lintExposition parses a Prometheus text format body as promtool does (expfmt.TextParser with
 * legacy name validation, as promtool 3.5 runs it) and
 * returns the problems, sorted by metric and text. Throws the parser's ExpositionError.
 */
export function lintExposition(body: string | Uint8Array, opts: LintOptions = {}): Problem[] {
  return lintFamilies(parseMetricFamilies(body, { nameValidation: "legacy" }), opts);
}

/** lintFamilies lints parsed families; see lintExposition. */
export function lintFamilies(families: readonly MetricFamily[], opts: LintOptions = {}): Problem[] {
  const problems: Problem[] = [];
  for (const mf of families) {
    for (const v of PROMLINT) for (const text of v(mf)) problems.push({ metric: mf.name, text });
    if (opts.conventions !== false) {
      for (const v of CONVENTIONS)
        for (const text of v(mf)) problems.push({ metric: mf.name, text });
    }
  }
  if (opts.conventions !== false) {
    problems.push(...targetProblems(families, opts.maxSeries ?? DEFAULT_MAX_SERIES));
  }
  // Stable, like promlint's sort.SliceStable.
  return problems.sort((a, b) =>
    a.metric === b.metric ? cmp(a.text, b.text) : cmp(a.metric, b.metric),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type Validation = (mf: MetricFamily) => string[];

// promlint/validations/units.go
const UNITS: Readonly<Record<string, string>> = {
  amperes: "amperes",
  bytes: "bytes",
  celsius: "celsius",
  grams: "grams",
  joules: "joules",
  kelvin: "kelvin",
  meters: "meters",
  metres: "metres",
  seconds: "seconds",
  volts: "volts",
  minutes: "seconds",
  hours: "seconds",
  days: "seconds",
  weeks: "seconds",
  kelvins: "kelvin",
  fahrenheit: "celsius",
  rankine: "celsius",
  inches: "meters",
  yards: "meters",
  miles: "meters",
  bits: "bytes",
  calories: "joules",
  pounds: "grams",
  ounces: "grams",
};

const UNIT_PREFIXES = [
  "pico",
  "nano",
  "micro",
  "milli",
  "centi",
  "deci",
  "deca",
  "hecto",
  "kilo",
  "kibi",
  "mega",
  "mibi",
  "giga",
  "gibi",
  "tera",
  "tebi",
  "peta",
  "pebi",
];

const UNIT_ABBREVIATIONS = [
  "s",
  "ms",
  "us",
  "ns",
  "sec",
  "b",
  "kb",
  "mb",
  "gb",
  "tb",
  "pb",
  "m",
  "h",
  "d",
];

function metricUnits(name: string): { unit: string; base: string } | undefined {
  for (const s of name.split("_")) {
    const base = UNITS[s];
    if (base !== undefined && Object.hasOwn(UNITS, s)) return { unit: s, base };
    for (const p of UNIT_PREFIXES) {
      if (s.startsWith(p)) {
        const rest = s.slice(p.length);
        if (Object.hasOwn(UNITS, rest)) return { unit: s, base: UNITS[rest]! };
      }
    }
  }
  return undefined;
}

const CAMEL_CASE = /[a-z][A-Z]/;

function labelNames(mf: MetricFamily): string[] {
  const out: string[] = [];
  for (const m of mf.metrics) for (const l of m.labels) out.push(l.name);
  return out;
}

/** PROMLINT are promlint's defaultValidations, in order (promlint/validation.go). */
const PROMLINT: readonly Validation[] = [
  // LintHelp
  (mf) => (mf.help === undefined ? ["no help text"] : []),
  // LintMetricUnits
  (mf) => {
    const u = metricUnits(mf.name);
    if (!u || u.unit === u.base) return [];
    return [`use base unit ${JSON.stringify(u.base)} instead of ${JSON.stringify(u.unit)}`];
  },
  // LintCounter
  (mf) => {
    const total = mf.name.endsWith("_total");
    if (mf.type === "counter" && !total) return ['counter metrics should have "_total" suffix'];
    if (mf.type !== "untyped" && mf.type !== "counter" && total) {
      return ['non-counter metrics should not have "_total" suffix'];
    }
    return [];
  },
  // LintHistogramSummaryReserved
  (mf) => {
    if (mf.type === "untyped") return [];
    const out: string[] = [];
    const hist = mf.type === "histogram";
    const summary = mf.type === "summary";
    if (!hist && mf.name.endsWith("_bucket")) {
      out.push('non-histogram metrics should not have "_bucket" suffix');
    }
    if (!hist && !summary && mf.name.endsWith("_count")) {
      out.push('non-histogram and non-summary metrics should not have "_count" suffix');
    }
    if (!hist && !summary && mf.name.endsWith("_sum")) {
      out.push('non-histogram and non-summary metrics should not have "_sum" suffix');
    }
    for (const ln of labelNames(mf)) {
      if (!hist && ln === "le") out.push('non-histogram metrics should not have "le" label');
      if (!summary && ln === "quantile") {
        out.push('non-summary metrics should not have "quantile" label');
      }
    }
    return out;
  },
  // LintMetricTypeInName
  (mf) => {
    if (mf.type === "untyped") return [];
    const n = mf.name.toLowerCase();
    const t = mf.type;
    return n.includes(`_${t}_`) || n.endsWith(`_${t}`)
      ? [`metric name should not include type '${t}'`]
      : [];
  },
  // LintReservedChars
  (mf) => (mf.name.includes(":") ? ["metric names should not contain ':'"] : []),
  // LintCamelCase
  (mf) => {
    const out: string[] = [];
    if (CAMEL_CASE.test(mf.name)) {
      out.push("metric names should be written in 'snake_case' not 'camelCase'");
    }
    for (const ln of labelNames(mf)) {
      if (CAMEL_CASE.test(ln)) {
        out.push("label names should be written in 'snake_case' not 'camelCase'");
      }
    }
    return out;
  },
  // LintUnitAbbreviations
  (mf) => {
    const n = mf.name.toLowerCase();
    const out: string[] = [];
    for (const s of UNIT_ABBREVIATIONS) {
      if (n.includes(`_${s}_`) || n.endsWith(`_${s}`)) {
        out.push("metric names should not contain abbreviated units");
      }
    }
    return out;
  },
  // LintDuplicateMetric
  (mf) => {
    const out: string[] = [];
    const ms = mf.metrics;
    for (let i = 0; i < ms.length; i++) {
      for (let j = i + 1; j < ms.length; j++) {
        if (sameLabels(ms[i]!.labels, ms[j]!.labels)) {
          out.push("metric not unique");
          break;
        }
      }
    }
    return out;
  },
];

function sameLabels(
  a: readonly { name: string; value: string }[],
  b: readonly { name: string; value: string }[],
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  }
  return true;
}

// Team conventions (DESIGN.md "The team conventions Vigil makes real").

const UPPER = /[A-Z]/;

/** Unit spellings promlint lets through, with the base unit the convention wants instead. */
const NON_BASE_UNITS: Readonly<Record<string, string>> = {
  msec: "seconds",
  msecs: "seconds",
  millis: "seconds",
  usec: "seconds",
  usecs: "seconds",
  micros: "seconds",
  nanos: "seconds",
  secs: "seconds",
  second: "seconds",
  min: "seconds",
  mins: "seconds",
  minute: "seconds",
  hour: "seconds",
  hrs: "seconds",
  day: "seconds",
  byte: "bytes",
  kib: "bytes",
  mib: "bytes",
  gib: "bytes",
  kbytes: "bytes",
  mbytes: "bytes",
  gbytes: "bytes",
  kilobytes: "bytes",
  megabytes: "bytes",
  gigabytes: "bytes",
};

const CONVENTIONS: readonly Validation[] = [
  // Lower snake_case names (promlint only catches camelCase).
  (mf) => {
    const out: string[] = [];
    if (UPPER.test(mf.name) && !CAMEL_CASE.test(mf.name)) {
      out.push("metric names should be lower snake_case");
    }
    const seen = new Set<string>();
    for (const ln of labelNames(mf)) {
      if (UPPER.test(ln) && !CAMEL_CASE.test(ln) && !seen.has(ln)) {
        seen.add(ln);
        out.push(`label name ${JSON.stringify(ln)} should be lower snake_case`);
      }
    }
    return out;
  },
  // Base units in the name.
  (mf) => {
    const out: string[] = [];
    for (const part of mf.name.toLowerCase().split("_")) {
      const base = NON_BASE_UNITS[part];
      if (base !== undefined && Object.hasOwn(NON_BASE_UNITS, part)) {
        out.push(`use base unit ${JSON.stringify(base)} instead of ${JSON.stringify(part)}`);
      }
      if (part === "percent" || part === "pct") {
        out.push(`use a ratio from 0 to 1 ("_ratio") instead of ${JSON.stringify(part)}`);
      }
    }
    return out;
  },
];

/** seriesCount is how many series a family stores when scraped (Prometheus's flattening). */
export function seriesCount(mf: MetricFamily): number {
  let n = 0;
  for (const m of mf.metrics) {
    if (m.summary) n += m.summary.quantiles.length + 2;
    else if (m.histogram) {
      const inf = m.histogram.buckets.some((b) => b.upperBound === Infinity);
      n += m.histogram.buckets.length + (inf ? 0 : 1) + 2;
    } else n++;
  }
  return n;
}

function targetProblems(families: readonly MetricFamily[], maxSeries: number): Problem[] {
  const out: Problem[] = [];
  let total = 0;
  for (const mf of families) total += seriesCount(mf);
  if (maxSeries > 0 && total > maxSeries) {
    out.push({
      metric: TARGET,
      text: `${total} series exceed the limit of ${maxSeries} series per target`,
    });
  }
  const hasVersionInfo = families.some(
    (mf) =>
      mf.name.endsWith("_info") &&
      mf.metrics.some((m) => m.labels.some((l) => l.name === "version")),
  );
  if (!hasVersionInfo) {
    out.push({
      metric: TARGET,
      text: 'no version info metric: expose <service>_info{version="..."} 1',
    });
  }
  return out;
}
