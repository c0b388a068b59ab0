// histogram_quantile and histogram_fraction over classic histograms (bucket series with an `le`
// label), after prometheus promql/functions.go and EvalNodeHelper.resetHistograms in
// promql/engine.go (v3.5.3). Native histograms do not exist in our value types yet, so the
// functions that only accept them return nothing, as upstream does for float input.
import { getLabel, labelsKey, metricName } from "../../../model/labels/index.ts";
import type { Labels } from "../../../model/labels/index.ts";
import type { PositionRange } from "../../parser/index.ts";
import {
  badBucketLabelWarning,
  histogramQuantileForcedMonotonicityInfo,
  invalidQuantileWarning,
} from "../annotations.ts";
import type { EvalNodeHelper, FunctionCall } from "../functions.ts";
import type { Vector } from "../value.ts";
import { argPosition, dropMetadataLabels, scalarArg, vectorArg } from "./args.ts";
import { parseGoFloat } from "./go-compat.ts";
import { bucketFraction, bucketQuantile } from "./quantile.ts";
import type { Bucket } from "./quantile.ts";

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
 * groupBuckets sorts the samples of inVec into classic histograms keyed by their labels
 * without `le`, reusing the node's groups across steps (so a group keeps the metric it was
 * created with). Samples whose `le` does not parse as a float raise a BadBucketLabel warning.
 */
function groupBuckets(
  inVec: Vector,
  enh: EvalNodeHelper,
  pos: () => PositionRange,
): Map<string, MetricWithBuckets> {
  let groups = enh.cache.get(CACHE_KEY) as Map<string, MetricWithBuckets> | undefined;
  if (groups === undefined) {
    groups = new Map();
    enh.cache.set(CACHE_KEY, groups);
  } else {
    for (const g of groups.values()) g.buckets = [];
  }
  for (const s of inVec) {
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
  return groups;
}

const histogramQuantile: FunctionCall = (vals, args, enh) => {
  const q = scalarArg(vals, 0);
  const inVec = vectorArg(vals, 1);
  if (Number.isNaN(q) || q < 0 || q > 1) {
    enh.annotations.add(invalidQuantileWarning(q, argPosition("histogram_quantile", args, 0)));
  }
  const vecPos = () => argPosition("histogram_quantile", args, 1);
  const out: Vector = [];
  for (const group of groupBuckets(inVec, enh, vecPos).values()) {
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
  const out: Vector = [];
  for (const group of groupBuckets(inVec, enh, vecPos).values()) {
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

// The native-histogram functions skip float samples, which are all we have.
const nativeOnly: FunctionCall = () => [];

/** HISTOGRAM_FUNCTIONS are the implementations of the histogram_* functions. */
export const HISTOGRAM_FUNCTIONS: Record<string, FunctionCall> = {
  histogram_quantile: histogramQuantile,
  histogram_fraction: histogramFraction,
  histogram_avg: nativeOnly,
  histogram_count: nativeOnly,
  histogram_sum: nativeOnly,
  histogram_stddev: nativeOnly,
  histogram_stdvar: nativeOnly,
};
