// The checks of an eval against a query outcome, after prometheus promql/promqltest/test.go
// (checkExpectedFailure, checkAnnotations, compareResult, assertMatrixSorted) and util/almost
// (Equal). Each check returns undefined when it passes and a reason when it does not.
import type { FloatHistogram } from "../../model/histogram/index.ts";
import { floatBucketsMatch, spansMatch } from "../../model/histogram/index.ts";
import { compareLabels, formatLabels, labelsKey } from "../../model/labels/index.ts";
import { isStaleNaN } from "../../model/value/index.ts";
import type { Annotation } from "../engine/annotations.ts";
import { renderAnnotation } from "../engine/annotations.ts";
import type { FPoint, HPoint, Matrix, QueryValue, Series, Vector } from "../engine/value.ts";
import type { EvalCommand, ExpectedSeries, TextMatch, TimeRange } from "./script.ts";
import type { SequenceValue } from "./series.ts";

/** EPSILON is the relative error allowed between expected and actual values. */
export const EPSILON = 1e-6;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * almostEqual reports whether a and b are equal within relative error epsilon (util/almost.Equal):
 * bit-equal, or both NaN — where a staleness marker only equals another staleness marker — or, near
 * zero, an absolute difference below epsilon·MinNormal, or else a relative difference below epsilon.
 */
export function almostEqual(a: number, b: number, epsilon = EPSILON): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return isStaleNaN(a) === isStaleNaN(b);
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** formatValue renders a float for messages; the staleness marker shows as "stale". */
export function formatValue(v: number): string {
  if (isStaleNaN(v)) return "stale";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function formatSequenceValue(v: SequenceValue): string {
  switch (v.kind) {
    case "omitted":
      return "_";
    case "stale":
      return "stale";
    case "float":
      return formatValue(v.value);
    case "histogram":
      return v.histogram.testExpression();
  }
}

/**
 * histogramsMatch compares an expected histogram with an actual one, both compacted
 * (compareNativeHistogram): same schema, zero threshold and custom bounds, the same bucket
 * layout, and count, sum, zero count and bucket counts equal within EPSILON. The counter reset
 * hint is compared only when the expected literal spelled it out.
 */
export function histogramsMatch(
  expected: FloatHistogram,
  actual: FloatHistogram,
  hintGiven: boolean,
): boolean {
  const exp = expected.copy().compact(0);
  const cur = actual.copy().compact(0);
  if (hintGiven && expected.counterResetHint !== actual.counterResetHint) return false;
  if (
    exp.schema !== cur.schema ||
    !almostEqual(exp.count, cur.count) ||
    !almostEqual(exp.sum, cur.sum)
  ) {
    return false;
  }
  if (exp.usesCustomBuckets() && !floatBucketsMatch(exp.customValues, cur.customValues)) {
    return false;
  }
  if (exp.zeroThreshold !== cur.zeroThreshold || !almostEqual(exp.zeroCount, cur.zeroCount)) {
    return false;
  }
  const bucketsMatch = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((x, i) => almostEqual(x, b[i]!));
  return (
    spansMatch(exp.negativeSpans, cur.negativeSpans) &&
    bucketsMatch(exp.negativeBuckets, cur.negativeBuckets) &&
    spansMatch(exp.positiveSpans, cur.positiveSpans) &&
    bucketsMatch(exp.positiveBuckets, cur.positiveBuckets)
  );
}

// matchesFloat compares an expected position with an actual float. An omitted position stands
// for 0, as upstream's zero SequenceValue does.
function matchesFloat(expected: SequenceValue, actual: number): boolean {
  switch (expected.kind) {
    case "omitted":
      return almostEqual(0, actual);
    case "stale":
      return isStaleNaN(actual);
    case "float":
      return !isStaleNaN(actual) && almostEqual(expected.value, actual);
    case "histogram":
      return false;
  }
}

/** textMatches reports whether s satisfies m (exact for msg, unanchored search for regex). */
export function textMatches(m: TextMatch, s: string): boolean {
  switch (m.kind) {
    case "any":
      return true;
    case "message":
      return m.text === s;
    case "regex":
      return m.re.test(s);
  }
}

function describeMatch(m: TextMatch): string {
  switch (m.kind) {
    case "any":
      return "anything";
    case "message":
      return `message ${JSON.stringify(m.text)}`;
    case "regex":
      return `pattern ${JSON.stringify(m.source)}`;
  }
}

/** checkExpectedFailure checks the error text of a query that failed as expected. */
export function checkExpectedFailure(ev: EvalCommand, message: string): string | undefined {
  for (const m of ev.failMatches) {
    if (!textMatches(m, message)) {
      return `expected error matching ${describeMatch(m)}, but got: ${message}`;
    }
  }
  return undefined;
}

/**
 * checkAnnotations checks warnings and infos against the eval's expectations. An annotation is
 * matched both as its bare text ("PromQL warning: ...", which is what upstream's scripts spell
 * out) and rendered with its position against query ("... (1:5)"), so either form of `msg:` works.
 */
export function checkAnnotations(
  ev: EvalCommand,
  annotations: Iterable<Annotation>,
  query: string,
): string | undefined {
  const warnings: string[][] = [];
  const infos: string[][] = [];
  for (const a of annotations) {
    const forms = [a.text, renderAnnotation(a, query)];
    (a.kind === "warning" ? warnings : infos).push(forms);
  }
  const all = () => JSON.stringify([...warnings, ...infos].map((f) => f[f.length - 1]));
  if (ev.anyWarn && warnings.length === 0) return "expected warnings but got none";
  if (ev.anyInfo && infos.length === 0) return "expected info annotations but got none";
  for (const [kind, expected, actual] of [
    ["warn", ev.expectWarn, warnings],
    ["info", ev.expectInfo, infos],
  ] as const) {
    if (expected.length === 0) continue;
    if (actual.length === 0) return `expected ${kind} annotations but none were found`;
    for (const e of expected) {
      if (!actual.some((forms) => forms.some((s) => textMatches(e, s)))) {
        return `expected ${kind} annotation matching ${describeMatch(e)} but no matching annotation was found, found: ${all()}`;
      }
    }
    for (const forms of actual) {
      if (!expected.some((e) => forms.some((s) => textMatches(e, s)))) {
        return `unexpected ${kind} annotation ${JSON.stringify(forms[forms.length - 1])}`;
      }
    }
  }
  if (ev.noWarn && warnings.length > 0) return `unexpected warning annotations: ${all()}`;
  if (ev.noInfo && infos.length > 0) return `unexpected info annotations: ${all()}`;
  return undefined;
}

/** assertMatrixSorted checks that a matrix is sorted by labels, as range results must be. */
export function assertMatrixSorted(m: Matrix): string | undefined {
  for (let i = 0; i + 1 < m.length; i++) {
    if (compareLabels(m[i]!.metric, m[i + 1]!.metric) > 0) {
      return (
        `matrix results should always be sorted by labels, but matrix is not sorted: series at ` +
        `index ${i + 1} with labels ${formatLabels(m[i + 1]!.metric)} sorts before series at ` +
        `index ${i} with labels ${formatLabels(m[i]!.metric)}`
      );
    }
  }
  return undefined;
}

function formatPoints(points: readonly FPoint[]): string {
  const shown = points.slice(0, 20).map((p) => `${formatValue(p.f)} @[${p.t}]`);
  if (points.length > 20) shown.push(`... ${points.length - 20} more`);
  return `${points.length} float point${points.length === 1 ? "" : "s"} [${shown.join(" ")}]`;
}

function formatHPoints(points: readonly HPoint[]): string {
  const shown = points.slice(0, 10).map((p) => `${p.h.testExpression()} @[${p.t}]`);
  if (points.length > 10) shown.push(`... ${points.length - 10} more`);
  return `${points.length} histogram point${points.length === 1 ? "" : "s"} [${shown.join(" ")}]`;
}

function formatSeriesPoints(s: Series): string {
  return `${formatPoints(s.floats)} and ${formatHPoints(s.histograms)}`;
}

function describeValue(v: QueryValue): string {
  switch (v.type) {
    case "scalar":
      return `scalar ${formatValue(v.scalar.f)}`;
    case "string":
      return `string ${JSON.stringify(v.string.s)}`;
    case "vector":
      return `vector of ${v.vector.length} sample${v.vector.length === 1 ? "" : "s"}`;
    case "matrix":
      return `matrix of ${v.matrix.length} series`;
  }
}

/**
 * compareResult compares a query result with the eval's expectations. `range` places the values
 * of expected series when the result is a matrix: value i is expected at startMs + i·stepMs.
 */
export function compareResult(
  ev: EvalCommand,
  value: QueryValue,
  range: TimeRange,
): string | undefined {
  switch (value.type) {
    case "matrix":
      if (ev.ordered) return "expected ordered result, but query returned a matrix";
      if (ev.scalar !== undefined) return `expected scalar result, but got ${describeValue(value)}`;
      return compareMatrix(ev, value.matrix, range);
    case "vector":
      if (ev.scalar !== undefined) return `expected scalar result, but got ${describeValue(value)}`;
      return compareVector(ev, value.vector);
    case "scalar":
      if (ev.scalar === undefined) {
        return `expected vector or matrix result, but got ${describeValue(value)}`;
      }
      if (!almostEqual(ev.scalar, value.scalar.f)) {
        return `expected scalar ${formatValue(ev.scalar)} but got ${formatValue(value.scalar.f)}`;
      }
      return undefined;
    case "string": {
      const want = ev.expectedString ?? "";
      if (want !== value.string.s) {
        return `expected string ${JSON.stringify(want)} but got ${JSON.stringify(value.string.s)}`;
      }
      return undefined;
    }
  }
}

function expectedByKey(ev: EvalCommand): Map<string, ExpectedSeries> {
  return new Map(ev.series.map((s) => [labelsKey(s.labels), s]));
}

function compareVector(ev: EvalCommand, vec: Vector): string | undefined {
  const expected = expectedByKey(ev);
  const seen = new Set<string>();
  for (let pos = 0; pos < vec.length; pos++) {
    const s = vec[pos]!;
    const key = labelsKey(s.metric);
    const exp = expected.get(key);
    if (!exp) {
      return `unexpected metric ${formatLabels(s.metric)} in result, has value ${formatValue(s.f)}`;
    }
    if (ev.ordered && exp.position !== pos + 1) {
      return `expected metric ${formatLabels(s.metric)} at position ${exp.position} but was at ${pos + 1}`;
    }
    const want = exp.values[0] ?? { kind: "omitted" };
    if (s.h !== undefined) {
      if (want.kind !== "histogram") {
        return `expected float value ${formatSequenceValue(want)} for ${formatLabels(s.metric)} but got histogram ${s.h.testExpression()}`;
      }
      if (!histogramsMatch(want.histogram, s.h, want.hintGiven)) {
        return `expected ${formatSequenceValue(want)} for ${formatLabels(s.metric)} but got ${s.h.testExpression()}`;
      }
    } else if (want.kind === "histogram") {
      return `expected histogram ${formatSequenceValue(want)} for ${formatLabels(s.metric)} but got float value ${formatValue(s.f)}`;
    } else if (!matchesFloat(want, s.f)) {
      return `expected ${formatSequenceValue(want)} for ${formatLabels(s.metric)} but got ${formatValue(s.f)}`;
    }
    seen.add(key);
  }
  for (const [key, exp] of expected) {
    if (!seen.has(key)) {
      return `expected metric ${formatLabels(exp.labels)} with ${exp.values.map(formatSequenceValue).join(" ")} not found`;
    }
  }
  return undefined;
}

function compareMatrix(ev: EvalCommand, mat: Matrix, range: TimeRange): string | undefined {
  const sorted = assertMatrixSorted(mat);
  if (sorted) return sorted;
  const expected = expectedByKey(ev);
  const seen = new Set<string>();
  for (const s of mat) {
    const key = labelsKey(s.metric);
    const exp = expected.get(key);
    if (!exp) {
      return `unexpected metric ${formatLabels(s.metric)} in result, has ${formatSeriesPoints(s)}`;
    }
    seen.add(key);
    const floats: { t: number; v: SequenceValue }[] = [];
    const histograms: { t: number; v: SequenceValue & { kind: "histogram" } }[] = [];
    for (let i = 0; i < exp.values.length; i++) {
      const t = range.startMs + i * range.stepMs;
      if (t > range.endMs) {
        return `expected ${exp.values.length} points for ${formatLabels(exp.labels)}, but query time range cannot return this many points`;
      }
      const v = exp.values[i]!;
      if (v.kind === "histogram") histograms.push({ t, v });
      else if (v.kind !== "omitted") floats.push({ t, v });
    }
    if (floats.length !== s.floats.length || histograms.length !== s.histograms.length) {
      return `expected ${floats.length} float points and ${histograms.length} histogram points for ${formatLabels(exp.labels)}, but got ${formatSeriesPoints(s)}`;
    }
    for (let i = 0; i < floats.length; i++) {
      const want = floats[i]!;
      const got = s.floats[i]!;
      if (want.t !== got.t) {
        return `expected float value at index ${i} for ${formatLabels(exp.labels)} to have timestamp ${want.t}, but it had timestamp ${got.t} (result has ${formatSeriesPoints(s)})`;
      }
      if (!matchesFloat(want.v, got.f)) {
        return `expected float value at index ${i} (t=${got.t}) for ${formatLabels(exp.labels)} to be ${formatSequenceValue(want.v)}, but got ${formatValue(got.f)} (result has ${formatSeriesPoints(s)})`;
      }
    }
    for (let i = 0; i < histograms.length; i++) {
      const want = histograms[i]!;
      const got = s.histograms[i]!;
      if (want.t !== got.t) {
        return `expected histogram value at index ${i} for ${formatLabels(exp.labels)} to have timestamp ${want.t}, but it had timestamp ${got.t} (result has ${formatSeriesPoints(s)})`;
      }
      if (!histogramsMatch(want.v.histogram, got.h, want.v.hintGiven)) {
        return `expected histogram value at index ${i} (t=${got.t}) for ${formatLabels(exp.labels)} to be ${formatSequenceValue(want.v)}, but got ${got.h.testExpression()} (result has ${formatSeriesPoints(s)})`;
      }
    }
  }
  for (const [key, exp] of expected) {
    if (!seen.has(key)) return `expected metric ${formatLabels(exp.labels)} not found`;
  }
  return undefined;
}
