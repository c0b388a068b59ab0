// Functions over a range-vector argument, after prometheus promql/functions.go (v3.5.3):
// rate/increase/delta (extrapolatedRate, histogramRate), irate/idelta (instantValue), the
// *_over_time family, changes, resets, deriv, predict_linear and double_exponential_smoothing.
// Each is called once per series and step with the float and native histogram points of the
// current window, (ts - offset - range, ts - offset], and returns [] or one sample (a float, or
// a histogram in `h`) whose metric the evaluator replaces. Functions that only work on floats
// ignore histograms with an info, or return nothing for a window without floats.
import type { FloatHistogram } from "../../../model/histogram/index.ts";
import { FloatHistogram as NewHistogram } from "../../../model/histogram/index.ts";
import { metricName } from "../../../model/labels/index.ts";
import type { Expr, PositionRange } from "../../parser/index.ts";
import type { Annotation } from "../annotations.ts";
import {
  histogramErrorWarning,
  histogramIgnoredInMixedRangeInfo,
  invalidQuantileWarning,
  mixedExponentialCustomHistogramsWarning,
  mixedFloatsHistogramsWarning,
  nativeHistogramNotCounterWarning,
  nativeHistogramNotGaugeWarning,
} from "../annotations.ts";
import { QueryError } from "../errors.ts";
import type { EvalNodeHelper, FunctionCall } from "../functions.ts";
import type { FPoint, HPoint, Series, Vector } from "../value.ts";
import { argPosition, scalarArg, seriesArg } from "./args.ts";
import { kahanSumInc, linearRegression } from "./float-math.ts";
import { durationSeconds, formatGoFixed6 } from "./go-compat.ts";
import { quantile } from "./quantile.ts";

function one(series: Series, f: number, enh: EvalNodeHelper): Vector {
  return [{ metric: series.metric, t: enh.ts, f, dropName: false }];
}

function oneHistogram(series: Series, h: FloatHistogram, enh: EvalNodeHelper): Vector {
  return [{ metric: series.metric, t: enh.ts, f: 0, h, dropName: false }];
}

/**
 * extrapolatedRate computes the increase over the window, adding back the value before each
 * counter reset when isCounter, and extrapolates it to the window boundaries: all the way when
 * the first/last point is within 1.1 average sample intervals of the boundary, otherwise by half
 * an interval; for float counters never below the point where the counter would have been
 * zero. isRate divides by the range in seconds. A window needs two floats or two histograms;
 * with both kinds it yields nothing and a warning.
 */
function extrapolatedRate(
  name: string,
  vals: Parameters<FunctionCall>[0],
  args: Expr[],
  enh: EvalNodeHelper,
  isCounter: boolean,
  isRate: boolean,
): Vector {
  const series = seriesArg(vals, 0);
  const points = series.floats;
  const hpoints = series.histograms;
  // Positions are computed only when needed: closures here would cost on every call.
  if (hpoints.length > 0 && points.length > 0) {
    enh.annotations.add(
      mixedFloatsHistogramsWarning(metricName(series.metric), argPosition(name, args, 0)),
    );
    return [];
  }
  let firstT: number;
  let lastT: number;
  let numSamplesMinusOne: number;
  let result = 0;
  let resultHistogram: FloatHistogram | undefined;
  if (hpoints.length > 1) {
    numSamplesMinusOne = hpoints.length - 1;
    firstT = hpoints[0]!.t;
    lastT = hpoints[numSamplesMinusOne]!.t;
    const [h, annos] = histogramRate(
      hpoints,
      isCounter,
      metricName(series.metric),
      argPosition(name, args, 0),
    );
    for (const a of annos) enh.annotations.add(a);
    if (h === undefined) return []; // The histograms are not compatible with each other.
    resultHistogram = h;
  } else if (points.length > 1) {
    numSamplesMinusOne = points.length - 1;
    firstT = points[0]!.t;
    lastT = points[numSamplesMinusOne]!.t;
    result = points[numSamplesMinusOne]!.f - points[0]!.f;
    if (isCounter) {
      let prev = points[0]!.f;
      for (let i = 1; i < points.length; i++) {
        const cur = points[i]!.f;
        if (cur < prev) result += prev;
        prev = cur;
      }
    }
  } else {
    return [];
  }
  const rangeStart = enh.ts - (enh.rangeMs + enh.offsetMs);
  const rangeEnd = enh.ts - enh.offsetMs;

  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne;
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;

  if (durationToStart >= extrapolationThreshold) {
    durationToStart = averageDurationBetweenSamples / 2;
  }
  if (isCounter && result > 0 && points.length > 0 && points[0]!.f >= 0) {
    const durationToZero = sampledInterval * (points[0]!.f / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  extrapolateToInterval += durationToStart;

  if (durationToEnd >= extrapolationThreshold) {
    durationToEnd = averageDurationBetweenSamples / 2;
  }
  extrapolateToInterval += durationToEnd;

  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= durationSeconds(enh.rangeMs);
  if (resultHistogram !== undefined) return oneHistogram(series, resultHistogram.mul(factor), enh);
  return one(series, result * factor, enh);
}

/**
 * histogramRate computes the increase between the first and last histogram of a window
 * (histogramRate): at the lowest schema in the window, adding back the previous histogram at
 * every counter reset when isCounter (a reset between the first two histograms makes the first
 * one count as empty). It warns about gauge histograms in counter functions and counter
 * histograms in delta, and returns no histogram when custom and exponential buckets or
 * different custom bounds meet (then only that warning is returned, as upstream does). The
 * result is a compacted gauge histogram.
 */
function histogramRate(
  points: readonly HPoint[],
  isCounter: boolean,
  name: string,
  pos: PositionRange,
): [FloatHistogram | undefined, Annotation[]] {
  let prev = points[0]!.h;
  let usingCustomBuckets = prev.usesCustomBuckets();
  const last = points[points.length - 1]!.h;
  const annos: Annotation[] = [];
  if (isCounter && (prev.counterResetHint === "gauge" || last.counterResetHint === "gauge")) {
    annos.push(nativeHistogramNotCounterWarning(name, pos));
  }
  if (isCounter && points.length > 1) {
    // A reset between the first two histograms: ignore the first one's layout entirely.
    const second = points[1]!.h;
    if (second.detectReset(prev)) {
      prev = new NewHistogram({ schema: second.schema, customValues: second.customValues });
      usingCustomBuckets = second.usesCustomBuckets();
    }
  }
  if (last.usesCustomBuckets() !== usingCustomBuckets) {
    annos.push(mixedExponentialCustomHistogramsWarning(name, pos));
    return [undefined, annos];
  }
  let minSchema = Math.min(prev.schema, last.schema);
  for (let i = 1; i < points.length - 1; i++) {
    if (!isCounter) continue;
    const curr = points[i]!.h;
    if (curr.counterResetHint === "gauge") annos.push(nativeHistogramNotCounterWarning(name, pos));
    if (curr.schema < minSchema) minSchema = curr.schema;
    if (curr.usesCustomBuckets() !== usingCustomBuckets) {
      return [undefined, [mixedExponentialCustomHistogramsWarning(name, pos)]];
    }
  }
  const h = last.copyToSchema(minSchema);
  const fail = (err: unknown): [undefined, Annotation[]] => {
    const w = histogramErrorWarning(err, name, pos);
    if (w === undefined) throw err;
    return [undefined, [w]];
  };
  try {
    h.sub(prev);
  } catch (err) {
    return fail(err);
  }
  if (isCounter) {
    for (let i = 1; i < points.length; i++) {
      const curr = points[i]!.h;
      if (curr.detectReset(prev)) {
        try {
          h.add(prev);
        } catch (err) {
          return fail(err);
        }
      }
      prev = curr;
    }
  } else if (
    points[0]!.h.counterResetHint !== "gauge" ||
    points[points.length - 1]!.h.counterResetHint !== "gauge"
  ) {
    annos.push(nativeHistogramNotGaugeWarning(name, pos));
  }
  h.counterResetHint = "gauge";
  return [h.compact(0), annos];
}

interface Point {
  t: number;
  f: number;
  h: FloatHistogram | undefined;
}

/**
 * instantValue looks at the last two points only (floats or histograms): their difference
 * (idelta), or per-second rate (irate, where a decrease counts as a reset and the result is the
 * last value). A float and a histogram cannot be combined.
 */
function instantValue(
  name: string,
  vals: Parameters<FunctionCall>[0],
  args: Expr[],
  enh: EvalNodeHelper,
  isRate: boolean,
): Vector {
  const series = seriesArg(vals, 0);
  const floats = series.floats;
  const hists = series.histograms;
  if (floats.length + hists.length < 2) return [];
  const ss: Point[] = [];
  for (let i = Math.max(0, floats.length - 2); i < floats.length; i++) {
    ss.push({ t: floats[i]!.t, f: floats[i]!.f, h: undefined });
  }
  // Put the last two histograms into their place by time.
  for (let i = Math.max(0, hists.length - 2); i < hists.length; i++) {
    const s: Point = { t: hists[i]!.t, f: 0, h: hists[i]!.h };
    if (ss.length === 0) ss.push(s);
    else if (ss.length === 1) {
      if (s.t < ss[0]!.t) ss.unshift(s);
      else ss.push(s);
    } else if (s.t < ss[0]!.t) {
      // Older than both: discard.
    } else if (s.t > ss[1]!.t) {
      ss[0] = ss[1]!;
      ss[1] = s;
    } else {
      ss[0] = s;
    }
  }
  const [p0, p1] = [ss[0]!, ss[1]!];
  const sampledInterval = p1.t - p0.t;
  if (sampledInterval === 0) return [];
  if (p0.h === undefined && p1.h === undefined) {
    let f = p1.f;
    if (!isRate || !(p1.f < p0.f)) f = p1.f - p0.f;
    if (isRate) f /= sampledInterval / 1000;
    return one(series, f, enh);
  }
  const mn = metricName(series.metric);
  const pos = argPosition(name, args, 0);
  if (p0.h === undefined || p1.h === undefined) {
    enh.annotations.add(mixedFloatsHistogramsWarning(mn, pos));
    return [];
  }
  const h = p1.h.copy();
  if (isRate && (p1.h.counterResetHint === "gauge" || p0.h.counterResetHint === "gauge")) {
    enh.annotations.add(nativeHistogramNotCounterWarning(mn, pos));
  }
  if (!isRate && (p1.h.counterResetHint !== "gauge" || p0.h.counterResetHint !== "gauge")) {
    enh.annotations.add(nativeHistogramNotGaugeWarning(mn, pos));
  }
  if (!isRate || !p1.h.detectReset(p0.h)) {
    try {
      h.sub(p0.h);
    } catch (err) {
      const w = histogramErrorWarning(err, mn, pos);
      if (w === undefined) throw err;
      enh.annotations.add(w);
      return [];
    }
  }
  h.counterResetHint = "gauge";
  h.compact(0);
  if (isRate) h.div(sampledInterval / 1000);
  return oneHistogram(series, h, enh);
}

/**
 * floatsOverTime wraps a function of the window's floats: a window without floats yields
 * nothing, and histograms next to floats are ignored with an info at argument infoArg.
 */
function floatsOverTime(
  name: string,
  fn: (points: readonly FPoint[], series: Series) => number,
  infoArg = 0,
): FunctionCall {
  return (vals, args, enh) => {
    const series = seriesArg(vals, 0);
    if (series.floats.length === 0) return [];
    if (series.histograms.length > 0) {
      enh.annotations.add(
        histogramIgnoredInMixedRangeInfo(
          metricName(series.metric),
          argPosition(name, args, infoArg),
        ),
      );
    }
    return one(series, fn(series.floats, series), enh);
  };
}

/**
 * histogramsOverTime implements avg_over_time and sum_over_time: floats with floatFn,
 * histograms with histFn, a mix of both yields nothing and a warning, and incompatible bucket
 * layouts yield nothing and their warning.
 */
function histogramsOverTime(
  name: string,
  floatFn: (points: readonly FPoint[]) => number,
  histFn: (points: readonly HPoint[]) => FloatHistogram,
): FunctionCall {
  return (vals, args, enh) => {
    const series = seriesArg(vals, 0);
    if (series.floats.length > 0 && series.histograms.length > 0) {
      enh.annotations.add(
        mixedFloatsHistogramsWarning(metricName(series.metric), argPosition(name, args, 0)),
      );
      return [];
    }
    if (series.floats.length === 0) {
      try {
        return oneHistogram(series, histFn(series.histograms), enh);
      } catch (err) {
        const w = histogramErrorWarning(err, metricName(series.metric), argPosition(name, args, 0));
        if (w === undefined) throw err;
        enh.annotations.add(w);
        return [];
      }
    }
    return one(series, floatFn(series.floats), enh);
  };
}

/** avgHistograms is the incremental mean of histograms, without Kahan summation. */
function avgHistograms(points: readonly HPoint[]): FloatHistogram {
  const mean = points[0]!.h.copy();
  for (let i = 1; i < points.length; i++) {
    const count = i + 1;
    const left = points[i]!.h.copy().div(count);
    const right = mean.copy().div(count);
    mean.add(left.sub(right));
  }
  return mean;
}

function sumHistograms(points: readonly HPoint[]): FloatHistogram {
  const sum = points[0]!.h.copy();
  for (let i = 1; i < points.length; i++) sum.add(points[i]!.h);
  return sum;
}

/**
 * forEachInTimeOrder walks the window's floats and histograms merged by time (the loops of
 * funcResets and funcChanges).
 */
function forEachInTimeOrder(series: Series, fn: (p: Point) => void): void {
  const fs = series.floats;
  const hs = series.histograms;
  let i = 0;
  let j = 0;
  while (i < fs.length || j < hs.length) {
    if (j >= hs.length || (i < fs.length && fs[i]!.t < hs[j]!.t)) {
      fn({ t: fs[i]!.t, f: fs[i]!.f, h: undefined });
      i++;
    } else {
      fn({ t: hs[j]!.t, f: 0, h: hs[j]!.h });
      j++;
    }
  }
}

/**
 * pairwise counts the consecutive pairs of the window for which counts(prev, cur) holds; a
 * switch between a float and a histogram always counts.
 */
function pairwise(
  countsFloat: (prev: number, cur: number) => boolean,
  countsHist: (prev: FloatHistogram, cur: FloatHistogram) => boolean,
): FunctionCall {
  return (vals, _args, enh) => {
    const series = seriesArg(vals, 0);
    if (series.floats.length === 0 && series.histograms.length === 0) return [];
    let n = 0;
    let prev: Point | undefined;
    forEachInTimeOrder(series, (cur) => {
      if (prev !== undefined) {
        if (prev.h === undefined && cur.h === undefined) {
          if (countsFloat(prev.f, cur.f)) n++;
        } else if (prev.h === undefined || cur.h === undefined) {
          n++;
        } else if (countsHist(prev.h, cur.h)) {
          n++;
        }
      }
      prev = cur;
    });
    return one(series, n, enh);
  };
}

function avgOverTime(points: readonly FPoint[]): number {
  // Direct mean with Kahan summation, switching to an incremental mean once the running sum
  // would overflow.
  let sum = points[0]!.f;
  let count = 1;
  let mean = 0;
  let kahanC = 0;
  let incrementalMean = false;
  for (let i = 1; i < points.length; i++) {
    const f = points[i]!.f;
    count = i + 1;
    if (!incrementalMean) {
      const [newSum, newC] = kahanSumInc(f, sum, kahanC);
      if (newSum !== Infinity && newSum !== -Infinity) {
        sum = newSum;
        kahanC = newC;
        continue;
      }
      incrementalMean = true;
      mean = sum / (count - 1);
      kahanC /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, kahanC] = kahanSumInc(f / count, q * mean, q * kahanC);
  }
  if (incrementalMean) return mean + kahanC;
  return sum / count + kahanC / count;
}

function sumOverTime(points: readonly FPoint[]): number {
  let sum = 0;
  let c = 0;
  for (const p of points) [sum, c] = kahanSumInc(p.f, sum, c);
  if (sum === Infinity || sum === -Infinity) return sum;
  return sum + c;
}

function variance(points: readonly FPoint[]): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (const p of points) {
    count++;
    const delta = p.f - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (p.f - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

/**
 * compareOverTime keeps the point for which better(cur, best) holds last, starting from the
 * first point; a NaN best is always replaced, so NaNs are ignored unless all values are NaN.
 */
function compareOverTime(
  name: string,
  better: (cur: number, best: number) => boolean,
  returnTimestamp: boolean,
): FunctionCall {
  return floatsOverTime(name, (points) => {
    let best = points[0]!.f;
    let tsOfBest = points[0]!.t;
    for (const p of points) {
      if (better(p.f, best)) {
        best = p.f;
        tsOfBest = p.t;
      }
    }
    return returnTimestamp ? tsOfBest / 1000 : best;
  });
}

function madOverTime(points: readonly FPoint[]): number {
  const values = points.map((p) => p.f);
  const median = quantile(0.5, values);
  return quantile(
    0.5,
    points.map((p) => Math.abs(p.f - median)),
  );
}

// trendValue is calcTrendValue: the trend at index i from the last smoothed values s0, s1 and
// the previous trend b.
function trendValue(i: number, tf: number, s0: number, s1: number, b: number): number {
  if (i === 0) return b;
  const x = tf * (s1 - s0);
  const y = (1 - tf) * b;
  return x + y;
}

/**
 * floatsWithInfo reports whether a window has at least `min` floats; histograms next to floats
 * (if the window has any float) raise the mixed-range info (deriv, predict_linear and
 * double_exponential_smoothing).
 */
function floatsWithInfo(
  name: string,
  series: Series,
  args: Expr[],
  enh: EvalNodeHelper,
  min: number,
): boolean {
  const n = series.floats.length;
  if (n >= 1 && series.histograms.length > 0) {
    enh.annotations.add(
      histogramIgnoredInMixedRangeInfo(metricName(series.metric), argPosition(name, args, 0)),
    );
  }
  return n >= min;
}

const doubleExponentialSmoothing: FunctionCall = (vals, args, enh) => {
  const series = seriesArg(vals, 0);
  const sf = scalarArg(vals, 1);
  const tf = scalarArg(vals, 2);
  if (sf <= 0 || sf >= 1) {
    throw new QueryError(
      "execution",
      `invalid smoothing factor. Expected: 0 < sf < 1, got: ${formatGoFixed6(sf)}`,
    );
  }
  if (tf <= 0 || tf >= 1) {
    throw new QueryError(
      "execution",
      `invalid trend factor. Expected: 0 < tf < 1, got: ${formatGoFixed6(tf)}`,
    );
  }
  if (!floatsWithInfo("double_exponential_smoothing", series, args, enh, 2)) return [];
  const points = series.floats;
  const l = points.length;
  let s0 = 0;
  let s1 = points[0]!.f;
  let b = points[1]!.f - points[0]!.f;
  for (let i = 1; i < l; i++) {
    const x = sf * points[i]!.f;
    b = trendValue(i - 1, tf, s0, s1, b);
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return one(series, s1, enh);
};

const quantileOverTime: FunctionCall = (vals, args, enh) => {
  const q = scalarArg(vals, 0);
  const series = seriesArg(vals, 1);
  if (series.floats.length === 0) return [];
  if (Number.isNaN(q) || q < 0 || q > 1) {
    enh.annotations.add(invalidQuantileWarning(q, argPosition("quantile_over_time", args, 0)));
  }
  if (series.histograms.length > 0) {
    // Upstream reports this at the quantile argument.
    enh.annotations.add(
      histogramIgnoredInMixedRangeInfo(
        metricName(series.metric),
        argPosition("quantile_over_time", args, 0),
      ),
    );
  }
  return one(
    series,
    quantile(
      q,
      series.floats.map((p) => p.f),
    ),
    enh,
  );
};

const deriv: FunctionCall = (vals, args, enh) => {
  const series = seriesArg(vals, 0);
  if (!floatsWithInfo("deriv", series, args, enh, 2)) return [];
  const points = series.floats;
  // Regress around the first sample's time to keep x small (prometheus#2674).
  const [slope] = linearRegression(points, points[0]!.t);
  return one(series, slope, enh);
};

const predictLinear: FunctionCall = (vals, args, enh) => {
  const series = seriesArg(vals, 0);
  const duration = scalarArg(vals, 1);
  if (!floatsWithInfo("predict_linear", series, args, enh, 2)) return [];
  const points = series.floats;
  const [slope, intercept] = linearRegression(points, enh.ts);
  return one(series, slope * duration + intercept, enh);
};

const changes = pairwise(
  (prev, cur) => cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev)),
  (prev, cur) => !cur.equals(prev),
);

const resets = pairwise(
  (prev, cur) => cur < prev,
  (prev, cur) => cur.detectReset(prev),
);

const lastOverTime: FunctionCall = (vals, _args, enh) => {
  const series = seriesArg(vals, 0);
  const f = series.floats[series.floats.length - 1];
  const h = series.histograms[series.histograms.length - 1];
  if (h === undefined || (f !== undefined && h.t < f.t)) {
    return f === undefined ? [] : one(series, f.f, enh);
  }
  return oneHistogram(series, h.h.copy(), enh);
};

/**
 * RANGE_FUNCTIONS are the implementations of the functions with a range-vector argument.
 * absent_over_time only reports 1 for a window with points; the evaluator turns the per-series
 * results into the absent series (see FUNCTION_CALLS).
 */
export const RANGE_FUNCTIONS: Record<string, FunctionCall> = {
  rate: (vals, args, enh) => extrapolatedRate("rate", vals, args, enh, true, true),
  increase: (vals, args, enh) => extrapolatedRate("increase", vals, args, enh, true, false),
  delta: (vals, args, enh) => extrapolatedRate("delta", vals, args, enh, false, false),
  irate: (vals, args, enh) => instantValue("irate", vals, args, enh, true),
  idelta: (vals, args, enh) => instantValue("idelta", vals, args, enh, false),
  avg_over_time: histogramsOverTime("avg_over_time", avgOverTime, avgHistograms),
  sum_over_time: histogramsOverTime("sum_over_time", sumOverTime, sumHistograms),
  count_over_time: (vals, _args, enh) => {
    const series = seriesArg(vals, 0);
    return one(series, series.floats.length + series.histograms.length, enh);
  },
  // Go's max(tf, th) treats a missing kind as time 0, so a window that ends before the epoch
  // reports 0.
  ts_of_last_over_time: (vals, _args, enh) => {
    const series = seriesArg(vals, 0);
    const tf = series.floats[series.floats.length - 1]?.t ?? 0;
    const th = series.histograms[series.histograms.length - 1]?.t ?? 0;
    return one(series, Math.max(tf, th) / 1000, enh);
  },
  last_over_time: lastOverTime,
  max_over_time: compareOverTime(
    "max_over_time",
    (cur, best) => cur > best || Number.isNaN(best),
    false,
  ),
  min_over_time: compareOverTime(
    "min_over_time",
    (cur, best) => cur < best || Number.isNaN(best),
    false,
  ),
  ts_of_max_over_time: compareOverTime(
    "ts_of_max_over_time",
    (cur, best) => cur >= best || Number.isNaN(best),
    true,
  ),
  ts_of_min_over_time: compareOverTime(
    "ts_of_min_over_time",
    (cur, best) => cur <= best || Number.isNaN(best),
    true,
  ),
  stddev_over_time: floatsOverTime("stddev_over_time", (points) => Math.sqrt(variance(points))),
  stdvar_over_time: floatsOverTime("stdvar_over_time", variance),
  mad_over_time: floatsOverTime("mad_over_time", madOverTime),
  quantile_over_time: quantileOverTime,
  present_over_time: (vals, _args, enh) => one(seriesArg(vals, 0), 1, enh),
  absent_over_time: (vals, _args, enh) => one(seriesArg(vals, 0), 1, enh),
  changes,
  resets,
  deriv,
  predict_linear: predictLinear,
  double_exponential_smoothing: doubleExponentialSmoothing,
};
