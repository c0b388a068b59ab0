// Parsing of the HTTP API's request parameters: times, durations and limits, with the
// semantics and error messages of prometheus web/api/v1/api.go (v3.5) parseTime,
// parseDuration and parseLimitParam. Times and durations come back in milliseconds.
import { parseDuration as parsePromDuration } from "../../../model/duration.ts";
import { goQuote } from "../../../promql/parser/index.ts";

/**
 * MIN_TIME_MS is upstream's MinTime (`time.Unix(math.MinInt64/1000+62135596801, 0)`), the default
 * start of optional time ranges, in milliseconds. It is below -2^53, so it is approximate here;
 * only its role as "no lower bound" matters.
 */
export const MIN_TIME_MS = Number(-(2n ** 63n) / 1000n + 62135596801n) * 1000;

/** MAX_TIME_MS is upstream's MaxTime, the default end of optional time ranges (approximate). */
export const MAX_TIME_MS = Number((2n ** 63n - 1n) / 1000n - 62135596801n) * 1000 + 999;

/** MIN_TIME_FORMATTED and MAX_TIME_FORMATTED are MinTime and MaxTime in RFC 3339, which parseTime accepts. */
export const MIN_TIME_FORMATTED = "-292273086-05-16T16:47:06Z";
export const MAX_TIME_FORMATTED = "292277025-08-18T07:12:54.999999999Z";

/** NS_PER_MS converts between Go's nanosecond durations and Vigil's milliseconds. */
const NS_PER_MS = 1e6;

/** INT64 bounds as float64, the way Go compares float durations against them. */
const MAX_INT64_F = 2 ** 63;
const MIN_INT64_F = -(2 ** 63);

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * parseGoFloat parses s as Go's strconv.ParseFloat(s, 64) does for decimal input, returning
 * undefined where Go fails: bad syntax, or a finite literal that overflows float64. It accepts
 * the specials `inf`, `infinity` (with optional sign) and `nan`, in any case. Hexadecimal
 * mantissas and digit separators (which Go also accepts) are not supported.
 */
export function parseGoFloat(s: string): number | undefined {
  if (DECIMAL_FLOAT.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  switch (s.toLowerCase()) {
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
    case "nan":
      return NaN;
    default:
      return undefined;
  }
}

/** goRound rounds half away from zero, as Go's math.Round does. */
function goRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * unixSecondsToMs converts float seconds to milliseconds exactly as upstream parseTime followed
 * by timestamp.FromTime does: the fraction is rounded to milliseconds, converted to whole
 * nanoseconds, normalised to [0, 1s) and truncated back to milliseconds.
 */
function unixSecondsToMs(t: number): number {
  if (Number.isNaN(t)) return MIN_TIME_MS;
  if (t >= MAX_INT64_F / 1000) return MAX_TIME_MS;
  if (t <= MIN_INT64_F / 1000) return MIN_TIME_MS;
  const sec = Math.trunc(t);
  const frac = goRound((t - sec) * 1000) / 1000;
  const ns = Math.trunc(frac * 1e9);
  const carry = Math.floor(ns / 1e9);
  const nsec = ns - carry * 1e9;
  return (sec + carry) * 1000 + Math.trunc(nsec / NS_PER_MS);
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * parseRfc3339 parses an RFC 3339 timestamp with optional fractional seconds, as Go's
 * time.Parse(time.RFC3339Nano, s) does (four-digit years; digits beyond nanoseconds ignored),
 * returning milliseconds truncated like timestamp.FromTime, or undefined.
 */
function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || min > 59 || sec > 59) return undefined;
  const fraction = m[7] ?? "";
  const ms = Number((fraction + "000").slice(0, 3));
  let offsetMin = 0;
  const zone = m[8]!;
  if (zone !== "Z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min, sec, ms);
  return d.getTime() - offsetMin * 60_000;
}

/**
 * parseTime parses an API time parameter, Unix seconds (a float) or RFC 3339, into
 * milliseconds, like upstream parseTime. The strings of MinTime and MaxTime are accepted too.
 * It throws `cannot parse "<s>" to a valid timestamp`.
 */
export function parseTime(s: string): number {
  const f = parseGoFloat(s);
  if (f !== undefined) return unixSecondsToMs(f);
  const t = parseRfc3339(s);
  if (t !== undefined) return t;
  if (s === MIN_TIME_FORMATTED) return MIN_TIME_MS;
  if (s === MAX_TIME_FORMATTED) return MAX_TIME_MS;
  throw new Error(`cannot parse ${goQuote(s)} to a valid timestamp`);
}

/**
 * parseDuration parses an API duration parameter, float seconds or a Prometheus duration such
 * as "5m", into milliseconds (possibly fractional), like upstream parseDuration. NaN seconds
 * become the most negative duration, as Go's conversion does on amd64.
 */
export function parseDuration(s: string): number {
  const f = parseGoFloat(s);
  if (f !== undefined) {
    const ns = f * 1e9;
    if (ns > MAX_INT64_F || ns < MIN_INT64_F) {
      throw new Error(`cannot parse ${goQuote(s)} to a valid duration. It overflows int64`);
    }
    if (Number.isNaN(ns)) return MIN_INT64_F / NS_PER_MS;
    return Math.trunc(ns) / NS_PER_MS;
  }
  try {
    return parsePromDuration(s);
  } catch {
    throw new Error(`cannot parse ${goQuote(s)} to a valid duration`);
  }
}

/**
 * parseGoAtoi parses a decimal integer as Go's strconv.Atoi does, throwing its messages
 * (`strconv.Atoi: parsing "x": invalid syntax` / `value out of range`).
 */
export function parseGoAtoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) {
    throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  }
  return Number(v);
}

/** parseLimit parses a `limit` parameter like upstream parseLimitParam; 0 means no limit. */
export function parseLimit(s: string): number {
  if (s === "") return 0;
  const limit = parseGoAtoi(s);
  if (limit < 0) throw new Error("limit must be non-negative");
  return limit;
}
