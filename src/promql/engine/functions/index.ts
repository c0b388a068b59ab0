// The PromQL function library: a port of the semantics of prometheus promql/functions.go and
// promql/quantile.go (v3.5.3) for float samples, native histograms and classic histograms.
//
// Contract with the evaluator, beyond the FunctionCall convention in ../functions.ts:
//  - label_replace, label_join and info are not here; the evaluator implements them.
//  - A sample with `h` set is a native histogram (its `f` is meaningless); functions that only
//    work on floats skip such samples, as upstream does. Histograms they receive are shared:
//    copy before changing one (FloatHistogram's arithmetic works in place).
//  - Range-vector functions get the window's float and histogram points (Series.floats and
//    .histograms, either may be empty but not both) and return at most one sample, a float or a
//    histogram; the evaluator labels it with the series' metric, with __name__ (and __type__,
//    __unit__) dropped (or dropName set) for every function but last_over_time, and calls them
//    only for windows that hold at least one point.
//  - absent_over_time returns 1 for every window with points; the evaluator turns that into the
//    steps without any series, labelled with labelsForAbsent(call.args[0]).
//  - timestamp() reads each sample's `t`; for a plain vector selector argument the evaluator
//    must pass the timestamps of the selected samples, not the step time.
//  - rate and increase leave the PossibleNonCounterInfo annotation to the evaluator (it needs
//    the raw series name and only applies to float results), as upstream does.
//  - double_exponential_smoothing throws a QueryError for invalid factors.
//  - sort, sort_desc and sort_by_label(_desc) return a new, ordered vector; the evaluator keeps
//    that order for instant queries. Inputs should arrive in upstream's series order (label
//    order for a selector): Go's unstable sort and some non-strict comparators make ties, NaN
//    and missing labels order-dependent, as is the float sum of equal `le` buckets.
//  - `args` are the call's argument expressions as parsed (parentheses included): annotation
//    positions are derived from them the way upstream's evaluator leaves them.
//  - enh.cache is per call node; histogram_quantile/histogram_fraction keep bucket groups there.
//  - With delayed name removal off, the evaluator still rejects duplicate label sets after a
//    call (rangeEval's "vector cannot contain metrics with the same labelset").
import type { FunctionCall } from "../functions.ts";
import { HISTOGRAM_FUNCTIONS } from "./histogram.ts";
import { INSTANT_FUNCTIONS, labelsForAbsent } from "./instant.ts";
import { RANGE_FUNCTIONS } from "./range.ts";

/**
 * FUNCTION_CALLS maps every function name of the parser's FUNCTIONS table except label_replace,
 * label_join and info to its implementation.
 */
export const FUNCTION_CALLS: Readonly<Record<string, FunctionCall>> = Object.freeze({
  ...INSTANT_FUNCTIONS,
  ...RANGE_FUNCTIONS,
  ...HISTOGRAM_FUNCTIONS,
});

export { labelsForAbsent };
export { dropMetadataLabels, isMetadataLabel, AT_MODIFIER_UNSAFE_FUNCTIONS } from "./args.ts";
export { kahanSumInc } from "./float-math.ts";
export { goSort } from "./go-sort.ts";
export { quantile, bucketQuantile } from "./quantile.ts";
export type { Bucket, BucketQuantileResult } from "./quantile.ts";
