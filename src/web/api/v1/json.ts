// JSON encoding of API responses, byte-compatible with Prometheus's JSON codec
// (web/api/v1/json_codec.go and util/jsonutil/marshal.go, v3.5): sample values as strings,
// timestamps as seconds with millisecond fractions, label sets as objects, and Go's
// HTML-safe string escaping.
import type { Labels } from "../../../model/labels/index.ts";
import type { FloatHistogram } from "../../../model/histogram/index.ts";
import type { QueryValue } from "../../../promql/engine/index.ts";
import { formatGoFloat } from "../../../promql/parser/index.ts";

/** RawJson is text that encodeJson writes as is; it must be valid JSON. */
export class RawJson {
  constructor(readonly text: string) {}
}

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * jsonString encodes s as Go's encoding/json (and jsoniter's standard-library-compatible
 * configuration) does: `<`, `>`, `&`, U+2028 and U+2029 are escaped as well.
 */
export function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

/**
 * encodeJson encodes plain data (objects in insertion order, arrays, strings, finite numbers,
 * booleans, null) plus RawJson fragments. Object properties whose value is undefined are
 * omitted, like `omitempty` fields.
 */
export function encodeJson(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "string":
      return jsonString(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (Array.isArray(v)) return "[" + v.map(encodeJson).join(",") + "]";
      const parts: string[] = [];
      for (const [k, x] of Object.entries(v)) {
        if (x !== undefined) parts.push(jsonString(k) + ":" + encodeJson(x));
      }
      return "{" + parts.join(",") + "}";
    }
    default:
      throw new TypeError(`cannot encode ${typeof v} as JSON`);
  }
}

/**
 * formatSampleValue renders a sample value as jsonutil.MarshalFloat does: Go's 'f' format with
 * the shortest round-trip digits, switching to 'e' below 1e-6 and from 1e21 (the same
 * thresholds as JavaScript's), with at least two exponent digits; "+Inf", "-Inf", "NaN".
 */
export function formatSampleValue(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (Object.is(f, -0)) return "-0";
  const s = String(f);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const sign = s[e + 1]!;
  const digits = s.slice(e + 2);
  return `${s.slice(0, e)}e${sign}${digits.length < 2 ? "0" + digits : digits}`;
}

/**
 * formatTimestamp renders milliseconds as seconds the way jsonutil.MarshalTimestamp does:
 * integer seconds, then a three-digit fraction when it is not zero (1500 → 1.500).
 */
export function formatTimestamp(ms: number): string {
  const neg = ms < 0;
  const abs = Math.abs(ms);
  const sec = Math.trunc(abs / 1000);
  const frac = abs - sec * 1000;
  const out = frac === 0 ? String(sec) : `${sec}.${String(frac).padStart(3, "0")}`;
  return neg ? "-" + out : out;
}

/** encodeLabels renders a label set as a JSON object in label order. */
export function encodeLabels(ls: Labels): string {
  let out = "{";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) out += ",";
    out += jsonString(l.name) + ":" + jsonString(l.value);
  }
  return out + "}";
}

function point(t: number, f: number): string {
  return `[${formatTimestamp(t)},"${formatSampleValue(f)}"]`;
}

/**
 * encodeResult renders a query value as the `result` of /api/v1/query and /query_range:
 * vector `[{"metric":{…},"value":[t,"v"]}]`, matrix `[{"metric":{…},"values":[[t,"v"],…]}]`,
 * scalar `[t,"v"]` and string `[t,"s"]`. Scalars and strings use promql.Scalar's and
 * promql.String's own encodings (plain float seconds; the value in 'f' format).
 */
export function encodeResult(v: QueryValue): string {
  switch (v.type) {
    case "vector":
      return (
        "[" +
        v.vector
          .map((s) =>
            s.h === undefined
              ? `{"metric":${encodeLabels(s.metric)},"value":${point(s.t, s.f)}}`
              : `{"metric":${encodeLabels(s.metric)},"histogram":${histogramPoint(s.t, s.h)}}`,
          )
          .join(",") +
        "]"
      );
    case "matrix":
      return (
        "[" +
        v.matrix
          .map((s) => {
            let out = `{"metric":${encodeLabels(s.metric)}`;
            if (s.floats.length > 0 || s.histograms.length === 0) {
              out += `,"values":[${s.floats.map((p) => point(p.t, p.f)).join(",")}]`;
            }
            if (s.histograms.length > 0) {
              out += `,"histograms":[${s.histograms.map((p) => histogramPoint(p.t, p.h)).join(",")}]`;
            }
            return out + "}";
          })
          .join(",") +
        "]"
      );
    case "scalar":
      return `[${encodeJson(v.scalar.t / 1000)},${jsonString(formatGoFloat(v.scalar.f))}]`;
    case "string":
      return `[${encodeJson(v.string.t / 1000)},${jsonString(v.string.s)}]`;
  }
}

/**
 * histogramPoint renders a native histogram sample as Prometheus's API does (util/jsonutil
 * MarshalHistogram): count, sum and the non-empty buckets as [boundaries, lower, upper, count],
 * where boundaries is 0 for (l,u], 1 for [l,u), 2 for (l,u) and 3 for [l,u].
 */
function histogramPoint(t: number, h: FloatHistogram): string {
  let out = `[${formatTimestamp(t)},{"count":"${formatSampleValue(h.count)}","sum":"${formatSampleValue(h.sum)}"`;
  const buckets: string[] = [];
  const it = h.allBucketIterator();
  while (it.next()) {
    const b = it.at();
    if (b.count === 0) continue;
    const boundaries = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : b.upperInclusive ? 0 : 2;
    buckets.push(
      `[${boundaries},"${formatSampleValue(b.lower)}","${formatSampleValue(b.upper)}","${formatSampleValue(b.count)}"]`,
    );
  }
  if (buckets.length > 0) out += `,"buckets":[${buckets.join(",")}]`;
  return out + "}]";
}

/** formatGoTime renders milliseconds as Go's time.Time JSON does in UTC (RFC 3339, trimmed fraction). */
export function formatGoTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  const [head, frac = ""] = iso.slice(0, -1).split(".");
  const trimmed = frac.replace(/0+$/, "");
  return trimmed === "" ? `${head}Z` : `${head}.${trimmed}Z`;
}
