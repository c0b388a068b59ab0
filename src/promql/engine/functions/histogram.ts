// The histogram_* functions, after prometheus promql/functions.go and
// EvalNodeHelper.resetHistograms in promql/engine.go (v3.5.3): histogram_quantile and
// histogram_fraction over native histograms and classic histograms (bucket series with an `le`
// label), and histogram_count/sum/avg/stddev/stdvar over native histograms (float samples are
// skipped).
import type { FloatHistogram } from "../../../model/histogram/index.ts";
import { METRIC_NAME, getLabel, labelsKey, metricName } from "../../../model/labels/index.ts";
import type { Labels } from "../../../model/labels/index.ts";
import type { PositionRange } from "../../parser/index.ts";
import type { Annotation } from "../annotations.ts";
import {
  badBucketLabelWarning,
  histogramQuantileForcedMonotonicityInfo,
  invalidQuantileWarning,
  mixedClassicNativeHistogramsWarning,
  nativeHistogramFractionNaNsInfo,
  nativeHistogramQuantileNaNResultInfo,
  nativeHistogramQuantileNaNSkewInfo,
} from "../annotations.ts";
import type { EvalNodeHelper, FunctionCall } from "../functions.ts";
import type { Sample, Vector } from "../value.ts";
import { argPosition, dropMetadataLabels, scalarArg, vectorArg } from "./args.ts";
import { kahanSumInc } from "./float-math.ts";
import { parseGoFloat } from "./go-compat.ts";
import {
  bucketFraction,
  bucketQuantile,
  histogramFraction as nativeFraction,
  histogramQuantile as nativeQuantile,
} from "./quantile.ts";
import type { Bucket, NativeResult } from "./quantile.ts";

/** BUCKET_LABEL is the label that holds a classic histogram bucket's upper bound. */
const BUCKET_LABEL = "le";

/** CACHE_KEY is where the bucket groups of a call node live in EvalNodeHelper.cache. */
const CACHE_KEY = "promql/functions/classicHistogramBuckets";

interface MetricWithBuckets {
  /** metric is the group's labels without `le`, fixed when the group is first seen. */
  metric: Labels;
  buckets: Bucket[];
}

/**
 * resetHistograms sorts the samples of inVec into native histogram samples and classic
 * histograms keyed by their labels without `le`, reusing the node's groups across steps (so a
 * group keeps the metric it was created with). Samples whose `le` does not parse as a float
 * raise a BadBucketLabel warning. A native histogram with the labels of a classic histogram
 * that has buckets at this step conflicts with it: both are dropped, with a warning.
 */
function resetHistograms(
  inVec: Vector,
  enh: EvalNodeHelper,
  pos: () => PositionRange,
): { native: Sample[]; classic: Map<string, MetricWithBuckets> } {
  let groups = enh.cache.get(CACHE_KEY) as Map<string, MetricWithBuckets> | undefined;
  if (groups === undefined) {
    groups = new Map();
    enh.cache.set(CACHE_KEY, groups);
  } else {
    for (const g of groups.values()) g.buckets = [];
  }
  const native: Sample[] = [];
  for (const s of inVec) {
    if (s.h !== undefined) {
      native.push(s);
      continue;
    }
    const le = getLabel(s.metric, BUCKET_LABEL);
    const upperBound = parseGoFloat(le);
    if (upperBound === null) {
      enh.annotations.add(badBucketLabelWarning(metricName(s.metric), le, pos()));
      continue;
    }
    const withoutLe = s.metric.filter((l) => l.name !== BUCKET_LABEL);
    const key = labelsKey(withoutLe);
    let group = groups.get(key);
    if (group === undefined) {
      group = { metric: withoutLe, buckets: [] };
      groups.set(key, group);
    }
    group.buckets.push({ upperBound, count: s.f });
  }
  const kept: Sample[] = [];
  for (const s of native) {
    const key = labelsKey(s.metric);
    const group = groups.get(key);
    if (group !== undefined && group.buckets.length > 0) {
      enh.annotations.add(mixedClassicNativeHistogramsWarning(metricName(s.metric), pos()));
      groups.delete(key);
      continue;
    }
    kept.push(s);
  }
  return { native: kept, classic: groups };
}

/** nativeInfo is the annotation for a NaN-observation note of a native computation. */
function nativeInfo(
  r: NativeResult,
  metric: Labels,
  pos: () => PositionRange,
): Annotation | undefined {
  const name = getLabel(metric, METRIC_NAME);
  switch (r.nanInfo) {
    case "result":
      return nativeHistogramQuantileNaNResultInfo(name, pos());
    case "skew":
      return nativeHistogramQuantileNaNSkewInfo(name, pos());
    case "fraction":
      return nativeHistogramFractionNaNsInfo(name, pos());
    default:
      return undefined;
  }
}

const histogramQuantile: FunctionCall = (vals, args, enh) => {
  const q = scalarArg(vals, 0);
  const inVec = vectorArg(vals, 1);
  const qPos = () => argPosition("histogram_quantile", args, 0);
  if (Number.isNaN(q) || q < 0 || q > 1) enh.annotations.add(invalidQuantileWarning(q, qPos()));
  const vecPos = () => argPosition("histogram_quantile", args, 1);
  const { native, classic } = resetHistograms(inVec, enh, vecPos);
  const out: Vector = [];
  for (const s of native) {
    const metric = enh.enableDelayedNameRemoval ? s.metric : dropMetadataLabels(s.metric);
    const r = nativeQuantile(q, s.h!);
    const info = nativeInfo(r, s.metric, qPos);
    if (info !== undefined) enh.annotations.add(info);
    out.push({ metric, t: enh.ts, f: r.value, dropName: true });
  }
  for (const group of classic.values()) {
    if (group.buckets.length === 0) continue;
    const res = bucketQuantile(q, group.buckets);
    if (res.forcedMonotonicity) {
      enh.annotations.add(
        histogramQuantileForcedMonotonicityInfo(metricName(group.metric), vecPos()),
      );
    }
    if (!enh.enableDelayedNameRemoval) group.metric = dropMetadataLabels(group.metric);
    out.push({ metric: group.metric, t: enh.ts, f: res.value, dropName: true });
  }
  return out;
};

const histogramFraction: FunctionCall = (vals, args, enh) => {
  const lower = scalarArg(vals, 0);
  const upper = scalarArg(vals, 1);
  const inVec = vectorArg(vals, 2);
  const vecPos = () => argPosition("histogram_fraction", args, 2);
  const { native, classic } = resetHistograms(inVec, enh, vecPos);
  const out: Vector = [];
  for (const s of native) {
    const metric = enh.enableDelayedNameRemoval ? s.metric : dropMetadataLabels(s.metric);
    const r = nativeFraction(lower, upper, s.h!);
    const info = nativeInfo(r, s.metric, () => argPosition("histogram_fraction", args, 0));
    if (info !== undefined) enh.annotations.add(info);
    out.push({ metric, t: enh.ts, f: r.value, dropName: true });
  }
  for (const group of classic.values()) {
    if (group.buckets.length === 0) continue;
    if (!enh.enableDelayedNameRemoval) group.metric = dropMetadataLabels(group.metric);
    out.push({
      metric: group.metric,
      t: enh.ts,
      f: bucketFraction(lower, upper, group.buckets),
      dropName: true,
    });
  }
  return out;
};

/**
 * simpleHistogramFunc applies fn to every native histogram sample, skipping floats
 * (simpleHistogramFunc). Without delayed name removal only `__name__` is dropped, as upstream
 * does here.
 */
function simpleHistogramFunc(fn: (h: FloatHistogram) => number): FunctionCall {
  return (vals, _args, enh) => {
    const out: Vector = [];
    for (const el of vectorArg(vals, 0)) {
      if (el.h === undefined) continue;
      const metric = enh.enableDelayedNameRemoval
        ? el.metric
        : el.metric.filter((l) => l.name !== METRIC_NAME);
      out.push({ metric, t: enh.ts, f: fn(el.h), dropName: true });
    }
    return out;
  };
}

/**
 * histogramVariance estimates the variance of a native histogram's observations from its
 * buckets, each observation at its bucket's midpoint: arithmetic for custom buckets, 0 in the
 * zero bucket, geometric for exponential buckets (histogramVariance).
 */
function histogramVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0;
  let c = 0;
  for (const it = h.allBucketIterator(); it.next();) {
    const b = it.at();
    if (b.count === 0) continue;
    let val: number;
    if (h.usesCustomBuckets()) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    [variance, c] = kahanSumInc(b.count * delta * delta, variance, c);
  }
  variance += c;
  return variance / h.count;
}

/** HISTOGRAM_FUNCTIONS are the implementations of the histogram_* functions. */
export const HISTOGRAM_FUNCTIONS: Record<string, FunctionCall> = {
  histogram_quantile: histogramQuantile,
  histogram_fraction: histogramFraction,
  histogram_avg: simpleHistogramFunc((h) => h.sum / h.count),
  histogram_count: simpleHistogramFunc((h) => h.count),
  histogram_sum: simpleHistogramFunc((h) => h.sum),
  histogram_stddev: simpleHistogramFunc((h) => Math.sqrt(histogramVariance(h))),
  histogram_stdvar: simpleHistogramFunc(histogramVariance),
};
