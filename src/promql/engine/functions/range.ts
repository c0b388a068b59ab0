// Functions over a range-vector argument, after prometheus promql/functions.go (v3.5.3):
// rate/increase/delta (extrapolatedRate), irate/idelta (instantValue), the *_over_time family,
// changes, resets, deriv, predict_linear and double_exponential_smoothing. Each is called once
// per series and step with the points of the current window, (ts - offset - range,
// ts - offset], and returns [] or one sample whose metric the evaluator replaces.
import { invalidQuantileWarning } from "../annotations.ts";
import { QueryError } from "../errors.ts";
import type { EvalNodeHelper, FunctionCall } from "../functions.ts";
import type { FPoint, Series, Vector } from "../value.ts";
import { argPosition, scalarArg, seriesArg } from "./args.ts";
import { kahanSumInc, linearRegression } from "./float-math.ts";
import { durationSeconds, formatGoFixed6 } from "./go-compat.ts";
import { quantile } from "./quantile.ts";

function one(series: Series, f: number, enh: EvalNodeHelper): Vector {
  return [{ metric: series.metric, t: enh.ts, f, dropName: false }];
}

/**
 * extrapolatedRate computes the increase over the window, adding back the value before each
 * counter reset when isCounter, and extrapolates it to the window boundaries: all the way when
 * the first/last point is within 1.1 average sample intervals of the boundary, otherwise by half
 * an interval; for counters never below the point where the counter would have been zero.
 * isRate divides by the range in seconds.
 */
function extrapolatedRate(
  series: Series,
  enh: EvalNodeHelper,
  isCounter: boolean,
  isRate: boolean,
): Vector {
  const points = series.floats;
  if (points.length < 2) return [];
  const rangeStart = enh.ts - (enh.rangeMs + enh.offsetMs);
  const rangeEnd = enh.ts - enh.offsetMs;
  const numSamplesMinusOne = points.length - 1;
  const firstT = points[0]!.t;
  const lastT = points[numSamplesMinusOne]!.t;
  let result = points[numSamplesMinusOne]!.f - points[0]!.f;
  if (isCounter) {
    let prev = points[0]!.f;
    for (let i = 1; i < points.length; i++) {
      const cur = points[i]!.f;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }

  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne;
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;

  if (durationToStart >= extrapolationThreshold) {
    durationToStart = averageDurationBetweenSamples / 2;
  }
  if (isCounter && result > 0 && points[0]!.f >= 0) {
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
  return one(series, result * factor, enh);
}

/**
 * instantValue looks at the last two points only: their difference (idelta), or per-second
 * rate (irate, where a decrease counts as a reset and the result is the last value).
 */
function instantValue(series: Series, enh: EvalNodeHelper, isRate: boolean): Vector {
  const points = series.floats;
  if (points.length < 2) return [];
  const prev = points[points.length - 2]!;
  const last = points[points.length - 1]!;
  const sampledInterval = last.t - prev.t;
  if (sampledInterval === 0) return [];
  let f = last.f;
  if (!isRate || !(last.f < prev.f)) f = last.f - prev.f;
  if (isRate) f /= sampledInterval / 1000;
  return one(series, f, enh);
}

function overTime(fn: (points: readonly FPoint[], series: Series) => number): FunctionCall {
  return (vals, _args, enh) => {
    const series = seriesArg(vals, 0);
    if (series.floats.length === 0) return [];
    return one(series, fn(series.floats, series), enh);
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
  better: (cur: number, best: number) => boolean,
  returnTimestamp: boolean,
): FunctionCall {
  return overTime((points) => {
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

const doubleExponentialSmoothing: FunctionCall = (vals, _args, enh) => {
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
  const points = series.floats;
  const l = points.length;
  if (l < 2) return [];
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
  return one(
    series,
    quantile(
      q,
      series.floats.map((p) => p.f),
    ),
    enh,
  );
};

const deriv: FunctionCall = (vals, _args, enh) => {
  const series = seriesArg(vals, 0);
  const points = series.floats;
  if (points.length < 2) return [];
  // Regress around the first sample's time to keep x small (prometheus#2674).
  const [slope] = linearRegression(points, points[0]!.t);
  return one(series, slope, enh);
};

const predictLinear: FunctionCall = (vals, _args, enh) => {
  const series = seriesArg(vals, 0);
  const duration = scalarArg(vals, 1);
  const points = series.floats;
  if (points.length < 2) return [];
  const [slope, intercept] = linearRegression(points, enh.ts);
  return one(series, slope * duration + intercept, enh);
};

const changes: FunctionCall = overTime((points) => {
  let n = 0;
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]!.f;
    const cur = points[i]!.f;
    if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
  }
  return n;
});

const resets: FunctionCall = overTime((points) => {
  let n = 0;
  for (let i = 1; i < points.length; i++) if (points[i]!.f < points[i - 1]!.f) n++;
  return n;
});

/**
 * RANGE_FUNCTIONS are the implementations of the functions with a range-vector argument.
 * absent_over_time only reports 1 for a window with points; the evaluator turns the per-series
 * results into the absent series (see FUNCTION_CALLS).
 */
export const RANGE_FUNCTIONS: Record<string, FunctionCall> = {
  rate: (vals, _args, enh) => extrapolatedRate(seriesArg(vals, 0), enh, true, true),
  increase: (vals, _args, enh) => extrapolatedRate(seriesArg(vals, 0), enh, true, false),
  delta: (vals, _args, enh) => extrapolatedRate(seriesArg(vals, 0), enh, false, false),
  irate: (vals, _args, enh) => instantValue(seriesArg(vals, 0), enh, true),
  idelta: (vals, _args, enh) => instantValue(seriesArg(vals, 0), enh, false),
  avg_over_time: overTime(avgOverTime),
  sum_over_time: overTime(sumOverTime),
  count_over_time: overTime((points) => points.length),
  // Go's max(tf, th) with no histogram points compares against th = 0, so a window that
  // ends before the epoch reports 0.
  ts_of_last_over_time: overTime((points) => Math.max(points[points.length - 1]!.t, 0) / 1000),
  last_over_time: overTime((points) => points[points.length - 1]!.f),
  max_over_time: compareOverTime((cur, best) => cur > best || Number.isNaN(best), false),
  min_over_time: compareOverTime((cur, best) => cur < best || Number.isNaN(best), false),
  ts_of_max_over_time: compareOverTime((cur, best) => cur >= best || Number.isNaN(best), true),
  ts_of_min_over_time: compareOverTime((cur, best) => cur <= best || Number.isNaN(best), true),
  stddev_over_time: overTime((points) => Math.sqrt(variance(points))),
  stdvar_over_time: overTime(variance),
  mad_over_time: overTime(madOverTime),
  quantile_over_time: quantileOverTime,
  present_over_time: (vals, _args, enh) => one(seriesArg(vals, 0), 1, enh),
  absent_over_time: (vals, _args, enh) => one(seriesArg(vals, 0), 1, enh),
  changes,
  resets,
  deriv,
  predict_linear: predictLinear,
  double_exponential_smoothing: doubleExponentialSmoothing,
};
