// Series descriptions of the promqltest script language: `<series> <values>` lines with values in
// expanding notation (`0+10x3`, `_x2`, `stale`, `{{schema:0 sum:5}}x2`), and the start-timestamp
// lines (`metric@st -30s-1mx2`) of start_timestamps.test. The grammar follows the series_description
// rules of prometheus promql/parser/generated_parser.y (v3.5), which upstream's
// promql/promqltest/test.go reaches through parser.ParseSeriesDesc.
import { FloatHistogram, HistogramError } from "../../model/histogram/index.ts";
import type { Labels } from "../../model/labels/index.ts";
import { labelsFromPairs } from "../../model/labels/index.ts";
import { parseDuration } from "../../model/duration.ts";
import { parseMetricSelector } from "../parser/index.ts";

/** CounterResetHint is the `counter_reset_hint` of a native histogram literal. */
export type CounterResetHint = "unknown" | "reset" | "not_reset" | "gauge";

/**
 * HistogramLiteral is a native histogram written as `{{...}}` (upstream buildHistogramFromMap).
 * Bucket counts are absolute. Fields that the literal omits are zero or empty, except
 * counterResetHint, which is undefined when not spelled out (it is then not compared).
 */
export interface HistogramLiteral {
  schema: number;
  sum: number;
  count: number;
  /** zeroCount is `z_bucket`. */
  zeroCount: number;
  /** zeroThreshold is `z_bucket_w`. */
  zeroThreshold: number;
  /** positiveBuckets are `buckets`, starting at bucket index positiveOffset (`offset`). */
  positiveBuckets: number[];
  positiveOffset: number;
  /** negativeBuckets are `n_buckets`, starting at bucket index negativeOffset (`n_offset`). */
  negativeBuckets: number[];
  negativeOffset: number;
  /** customValues are the upper bounds of schema −53 (custom buckets) histograms. */
  customValues: number[];
  counterResetHint?: CounterResetHint;
}

/**
 * SequenceValue is one position of an expanded value sequence: no sample (`_`), a float, the
 * staleness marker (kept apart from floats because V8 does not preserve NaN payloads everywhere),
 * or a native histogram. `hintGiven` says whether the literal spelled out `counter_reset_hint`
 * (only then is the hint compared); the histogram may be shared between positions (`xK`), so
 * copy it before modifying it.
 */
export type SequenceValue =
  | { kind: "omitted" }
  | { kind: "float"; value: number }
  | { kind: "stale" }
  | { kind: "histogram"; histogram: FloatHistogram; hintGiven: boolean };

/** SeriesDesc is one parsed `<series> <values>` line. */
export interface SeriesDesc {
  labels: Labels;
  values: SequenceValue[];
}

/** StartTimestampDesc is one parsed `<series>@st <offsets>` line; null marks `_`. */
export interface StartTimestampDesc {
  labels: Labels;
  offsetsMs: (number | null)[];
}

/** SeriesDescError is a malformed series description; the script parser adds the line number. */
export class SeriesDescError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeriesDescError";
  }
}

// A repetition count bigger than this is certainly a typo, and would exhaust memory.
const MAX_REPEAT = 10_000_000;

/**
 * parseSeriesDesc parses `<series> <values>`, where `<series>` is a selector with equality matchers
 * only (`name`, `name{l="v"}`, `{__name__="n"}`, `{"my.metric", "l.1"="v"}`) and `<values>` are
 * items in expanding notation. It throws a SeriesDescError on malformed input.
 */
export function parseSeriesDesc(line: string): SeriesDesc {
  const { labels, rest } = splitSeries(line);
  if (rest !== "" && !/^\s/.test(rest)) {
    throw new SeriesDescError(`unexpected ${JSON.stringify(rest)} after series ${line}`);
  }
  const values: SequenceValue[] = [];
  for (const item of splitItems(rest)) expandItem(item, values);
  return { labels, values };
}

/**
 * isStartTimestampLine reports whether line is a start-timestamp line, one whose series is directly
 * followed by `@st`.
 */
export function isStartTimestampLine(line: string): boolean {
  try {
    return /^@st(?:\s|$)/.test(splitSeries(line).rest);
  } catch {
    return false;
  }
}

/**
 * parseStartTimestampDesc parses `<series>@st <items>`, items being `_`, `_xK`, `<dur>`,
 * `<dur>xK` and `<dur>±<dur>xK` with signed durations, into per-position offsets in ms.
 */
export function parseStartTimestampDesc(line: string): StartTimestampDesc {
  const { labels, rest } = splitSeries(line);
  if (!rest.startsWith("@st")) throw new SeriesDescError(`missing @st in ${line}`);
  const body = rest.slice(3);
  if (body !== "" && !/^\s/.test(body)) {
    throw new SeriesDescError(`unexpected ${JSON.stringify(body)} after @st`);
  }
  const offsetsMs: (number | null)[] = [];
  for (const item of splitItems(body)) {
    if (item === "_") {
      offsetsMs.push(null);
      continue;
    }
    const blank = /^_x(\d+)$/.exec(item);
    if (blank) {
      for (let i = 0, n = repeatCount(blank[1]!); i < n; i++) offsetsMs.push(null);
      continue;
    }
    const m = ST_ITEM.exec(item);
    if (!m) throw new SeriesDescError(`invalid start timestamp item ${JSON.stringify(item)}`);
    let v = signedDuration(m[1]!);
    if (m[3] === undefined) {
      offsetsMs.push(v);
      continue;
    }
    const inc = m[2] === undefined ? 0 : signedDuration(m[2]);
    for (let i = 0, n = repeatCount(m[3]); i <= n; i++) {
      offsetsMs.push(v);
      v += inc;
    }
  }
  return { labels, offsetsMs };
}

const DUR = String.raw`(?:\d+(?:ms|[ywdhms]))+|0`;
const ST_ITEM = new RegExp(String.raw`^([+-]?(?:${DUR}))(?:([+-](?:${DUR}))?x(\d+))?$`);

function signedDuration(s: string): number {
  const neg = s.startsWith("-");
  const abs = s.startsWith("-") || s.startsWith("+") ? s.slice(1) : s;
  try {
    const ms = parseDuration(abs);
    return neg ? -ms : ms;
  } catch (err) {
    throw new SeriesDescError((err as Error).message);
  }
}

/**
 * splitSeries separates the leading series selector of line from the rest and converts the
 * selector to labels. A metric name must be followed directly by `{` for a label set to belong
 * to it.
 */
function splitSeries(line: string): { labels: Labels; rest: string } {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!) && !(i === 0 && /\d/.test(line[i]!))) {
    i++;
  }
  if (line[i] === "{") i = skipBraces(line, i);
  if (i === 0) throw new SeriesDescError(`missing series in ${JSON.stringify(line)}`);
  const selector = line.slice(0, i);
  let matchers;
  try {
    matchers = parseMetricSelector(selector);
  } catch (err) {
    throw new SeriesDescError(`invalid series ${selector}: ${(err as Error).message}`);
  }
  const pairs = [];
  for (const m of matchers) {
    if (m.type !== "=") {
      throw new SeriesDescError(`invalid series ${selector}: only "=" is allowed, got ${m}`);
    }
    pairs.push({ name: m.name, value: m.value });
  }
  return { labels: labelsFromPairs(pairs), rest: line.slice(i) };
}

// skipBraces returns the index just past the `}` that closes the `{` at line[start], skipping
// over quoted strings.
function skipBraces(line: string, start: number): number {
  let i = start + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "}") return i + 1;
    if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === "\\" && c !== "`" ? 2 : 1;
      if (i >= line.length) throw new SeriesDescError(`unterminated string in ${line}`);
    }
    i++;
  }
  throw new SeriesDescError(`unterminated label set in ${line}`);
}

// splitItems splits a value list on whitespace, keeping `{{...}}` literals (which contain spaces)
// in one piece.
function splitItems(s: string): string[] {
  const items: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    const start = i;
    while (i < s.length && !/\s/.test(s[i]!)) {
      if (s.startsWith("{{", i)) {
        const end = s.indexOf("}}", i + 2);
        if (end < 0) throw new SeriesDescError(`unterminated histogram in ${s.slice(i)}`);
        i = end + 2;
      } else i++;
    }
    items.push(s.slice(start, i));
  }
  return items;
}

// NUM is a series value: a decimal float with optional sign, Inf or NaN (any case).
const NUM = String.raw`[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])`;
const SIGNED = String.raw`[+-](?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])`;
const FLOAT_ITEM = new RegExp(`^(${NUM})(?:(${SIGNED})?x(\\d+))?$`);
// A hexadecimal value is accepted only when it cannot be read as a repetition: `0x10` is 0 eleven
// times (as upstream reads it), `0x1F` is 31 (upstream rejects it).
const HEX_ITEM = /^([+-]?)0[xX]([0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*)$/;
const HIST_ITEM = /^(\{\{.*?\}\})(?:x(\d+)|([+-])(\{\{.*?\}\})x(\d+))?$/s;

function expandItem(item: string, out: SequenceValue[]): void {
  if (item === "_") {
    out.push({ kind: "omitted" });
    return;
  }
  const blank = /^_x(\d+)$/.exec(item);
  if (blank) {
    // `_xK` is K omitted positions, not K+1 (generated_parser.y series_item: BLANK TIMES uint).
    for (let i = 0, n = repeatCount(blank[1]!); i < n; i++) out.push({ kind: "omitted" });
    return;
  }
  if (item === "stale") {
    out.push({ kind: "stale" });
    return;
  }
  const hex = HEX_ITEM.exec(item);
  if (hex) {
    const v = parseInt(hex[2]!, 16);
    out.push({ kind: "float", value: hex[1] === "-" ? -v : v });
    return;
  }
  const f = FLOAT_ITEM.exec(item);
  if (f) {
    let v = parseSeriesNumber(f[1]!);
    if (f[3] === undefined) {
      out.push({ kind: "float", value: v });
      return;
    }
    const inc = f[2] === undefined ? 0 : parseSeriesNumber(f[2]);
    // Upstream adds the increment step by step rather than computing N+i*D, and the rounding of
    // the two differs; do the same so that expected values match to the bit.
    for (let i = 0, n = repeatCount(f[3]); i <= n; i++) {
      out.push({ kind: "float", value: v });
      v += inc;
    }
    return;
  }
  const h = HIST_ITEM.exec(item);
  if (h) {
    const firstLit = parseHistogramLiteral(h[1]!);
    const first = histogramFromLiteral(firstLit);
    const hintGiven = firstLit.counterResetHint !== undefined;
    if (h[2] !== undefined) {
      for (let i = 0, n = repeatCount(h[2]); i <= n; i++) {
        out.push({ kind: "histogram", histogram: first, hintGiven });
      }
      return;
    }
    if (h[3] === undefined) {
      out.push({ kind: "histogram", histogram: first, hintGiven });
      return;
    }
    // `{{a}}+{{b}}xK` and `{{a}}-{{b}}xK` use histogram arithmetic (upstream histogramsSeries):
    // schemas and zero buckets are reconciled as FloatHistogram.add/sub do.
    const inc = histogramFromLiteral(parseHistogramLiteral(h[4]!));
    let cur = first;
    out.push({ kind: "histogram", histogram: cur, hintGiven });
    for (let i = 1, n = repeatCount(h[5]!); i <= n; i++) {
      if (cur.schema > inc.schema) {
        throw new SeriesDescError(
          `error combining histograms: cannot merge from schema ${inc.schema} to ${cur.schema}`,
        );
      }
      try {
        cur = h[3] === "-" ? cur.copy().sub(inc) : cur.copy().add(inc);
      } catch (err) {
        if (err instanceof HistogramError) throw new SeriesDescError(err.message);
        throw err;
      }
      out.push({ kind: "histogram", histogram: cur, hintGiven });
    }
    return;
  }
  throw new SeriesDescError(`invalid value ${JSON.stringify(item)}`);
}

function repeatCount(s: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n > MAX_REPEAT) {
    throw new SeriesDescError(`repetition count ${s} is too large`);
  }
  return n;
}

/** parseSeriesNumber parses a series value number: decimal with sign, Inf or NaN (any case). */
export function parseSeriesNumber(s: string): number {
  const sign = s.startsWith("-") ? -1 : 1;
  const abs = s.startsWith("-") || s.startsWith("+") ? s.slice(1) : s;
  const lower = abs.toLowerCase();
  if (lower === "inf") return sign * Infinity;
  if (lower === "nan") return NaN;
  const v = Number(abs);
  if (abs === "" || Number.isNaN(v)) throw new SeriesDescError(`invalid number ${s}`);
  return sign * v;
}

const HIST_KEYS = new Set([
  "schema",
  "sum",
  "count",
  "z_bucket",
  "z_bucket_w",
  "buckets",
  "offset",
  "n_buckets",
  "n_offset",
  "counter_reset_hint",
  "custom_values",
]);
const HINTS: ReadonlySet<string> = new Set(["unknown", "reset", "not_reset", "gauge"]);

/**
 * parseHistogramLiteral parses `{{key:value ...}}` (all keys optional, in any order; bucket lists
 * are `[n n ...]`) into a HistogramLiteral.
 */
export function parseHistogramLiteral(text: string): HistogramLiteral {
  if (!text.startsWith("{{") || !text.endsWith("}}")) {
    throw new SeriesDescError(`invalid histogram ${text}`);
  }
  const h: HistogramLiteral = {
    schema: 0,
    sum: 0,
    count: 0,
    zeroCount: 0,
    zeroThreshold: 0,
    positiveBuckets: [],
    positiveOffset: 0,
    negativeBuckets: [],
    negativeOffset: 0,
    customValues: [],
  };
  const body = text.slice(2, -2);
  const seen = new Set<string>();
  const re = /\s*([a-z_]+):\s*(\[[^\]]*\]|[^\s\]]+)\s*/y;
  let i = 0;
  while (i < body.length) {
    if (/^\s*$/.test(body.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(body);
    if (!m) throw new SeriesDescError(`invalid histogram description ${text}`);
    i = re.lastIndex;
    const key = m[1]!;
    const raw = m[2]!;
    if (!HIST_KEYS.has(key)) throw new SeriesDescError(`unknown histogram field ${key} in ${text}`);
    if (seen.has(key)) throw new SeriesDescError(`duplicate histogram field ${key} in ${text}`);
    seen.add(key);
    switch (key) {
      case "schema":
        h.schema = histInt(raw, key);
        break;
      case "offset":
        h.positiveOffset = histInt(raw, key);
        break;
      case "n_offset":
        h.negativeOffset = histInt(raw, key);
        break;
      case "sum":
        h.sum = histNumber(raw, key);
        break;
      case "count":
        h.count = histNumber(raw, key);
        break;
      case "z_bucket":
        h.zeroCount = histNumber(raw, key);
        break;
      case "z_bucket_w":
        h.zeroThreshold = histNumber(raw, key);
        break;
      case "buckets":
        h.positiveBuckets = histList(raw, key);
        break;
      case "n_buckets":
        h.negativeBuckets = histList(raw, key);
        break;
      case "custom_values":
        h.customValues = histList(raw, key);
        break;
      case "counter_reset_hint":
        if (!HINTS.has(raw)) throw new SeriesDescError(`invalid counter_reset_hint ${raw}`);
        h.counterResetHint = raw as CounterResetHint;
        break;
    }
  }
  return h;
}

function histNumber(raw: string, key: string): number {
  if (!new RegExp(`^${NUM}$`).test(raw)) {
    throw new SeriesDescError(`invalid number ${raw} for histogram field ${key}`);
  }
  return parseSeriesNumber(raw);
}

function histInt(raw: string, key: string): number {
  if (!/^[+-]?\d+$/.test(raw)) {
    throw new SeriesDescError(`invalid integer ${raw} for histogram field ${key}`);
  }
  return Number(raw);
}

function histList(raw: string, key: string): number[] {
  if (!raw.startsWith("[")) throw new SeriesDescError(`expected [...] for histogram field ${key}`);
  const inner = raw.slice(1, -1).trim();
  return inner === "" ? [] : inner.split(/\s+/).map((s) => histNumber(s, key));
}

/**
 * histogramFromLiteral builds the FloatHistogram a literal describes (upstream
 * buildHistogramFromMap): one span per side starting at the offset, when there are buckets.
 */
export function histogramFromLiteral(lit: HistogramLiteral): FloatHistogram {
  const span = (buckets: number[], offset: number) =>
    buckets.length > 0 ? [{ offset, length: buckets.length }] : [];
  return new FloatHistogram({
    schema: lit.schema,
    sum: lit.sum,
    count: lit.count,
    zeroCount: lit.zeroCount,
    zeroThreshold: lit.zeroThreshold,
    positiveSpans: span(lit.positiveBuckets, lit.positiveOffset),
    positiveBuckets: lit.positiveBuckets.slice(),
    negativeSpans: span(lit.negativeBuckets, lit.negativeOffset),
    negativeBuckets: lit.negativeBuckets.slice(),
    customValues: lit.customValues.slice(),
    counterResetHint: lit.counterResetHint ?? "unknown",
  });
}
