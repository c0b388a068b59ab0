// Histogram statistics decoding, after prometheus promql/engine.go detectHistogramStatsDecoding
// and promql/histogram_stats_iterator.go (v3.5.3): a selector whose histograms only feed
// histogram_count, histogram_sum or histogram_avg is given histograms reduced to count and sum,
// with the counter reset each one represents spelled out in its hint. Besides saving work, this
// decides results: reduced histograms carry no bucket layout, so mixing exponential and custom
// buckets under those functions is no error, as in Prometheus.
import { FloatHistogram } from "../../model/histogram/index.ts";
import { isStaleNaN } from "../../model/value/index.ts";
import type { Expr, VectorSelector } from "../parser/index.ts";
import { inspect } from "../parser/index.ts";
import type { RawSeries } from "./evaluator.ts";

/**
 * histogramStatsSelector returns the selector whose histograms may be reduced to statistics,
 * if any. Like upstream, only the first vector selector of the query is considered, and of its
 * ancestors the nearest call decides, the root excepted: histogram_count/sum/avg allow it,
 * histogram_quantile/fraction forbid it, other calls are looked through.
 */
export function histogramStatsSelector(expr: Expr): VectorSelector | undefined {
  let first: { vs: VectorSelector; path: Expr[] } | undefined;
  inspect(expr, (node, path) => {
    if (first !== undefined) return false;
    if (node.type === "VectorSelector") first = { vs: node, path: [...path] };
    return undefined;
  });
  if (first === undefined) return undefined;
  for (let i = first.path.length - 1; i > 0; i--) {
    const n = first.path[i]!;
    if (n.type !== "Call") continue;
    switch (n.func.name) {
      case "histogram_count":
      case "histogram_sum":
      case "histogram_avg":
        return first.vs;
      case "histogram_quantile":
      case "histogram_fraction":
        return undefined;
      default:
        continue;
    }
  }
  return undefined;
}

/**
 * statsSeries reduces the histograms of s to count and sum (HistogramStatsIterator). A hint of
 * `unknown` is resolved against the previous histogram of the series: `reset` or `not_reset`
 * (the first histogram stays `unknown`). Stale markers stay markers.
 */
export function statsSeries(s: RawSeries): RawSeries {
  const hs = s.histograms;
  if (hs === undefined || hs.values.length === 0) return s;
  let last: FloatHistogram | undefined;
  const values = hs.values.map((h) => {
    if (isStaleNaN(h.sum)) return new FloatHistogram({ sum: h.sum });
    let hint = h.counterResetHint;
    if (hint === "unknown" && last !== undefined) {
      hint = h.detectReset(last) ? "reset" : "not_reset";
    }
    last = h;
    return new FloatHistogram({ counterResetHint: hint, count: h.count, sum: h.sum });
  });
  return { ...s, histograms: { timestamps: hs.timestamps, values } };
}
