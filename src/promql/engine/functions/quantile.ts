// Quantiles over native histograms, classic histogram buckets and plain values, after
// prometheus promql/quantile.go (v3.5.3): HistogramQuantile, HistogramFraction, BucketQuantile,
// BucketFraction, coalesceBuckets, ensureMonotonicAndIgnoreSmallDeltas and quantile.
import type { Bucket as HistogramBucket, FloatHistogram } from "../../../model/histogram/index.ts";
import { almostEqual } from "./float-math.ts";
import { goExp2, goLog2 } from "./go-math.ts";
import { goSearch, goSort } from "./go-sort.ts";

/** Bucket is one bucket of a classic histogram: its `le` bound and cumulative count. */
export interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * SMALL_DELTA_TOLERANCE is the relative difference between neighbouring cumulative bucket
 * counts below which histogram_quantile treats them as equal (floating-point noise, e.g. from
 * sharded summation).
 */
export const SMALL_DELTA_TOLERANCE = 1e-12;

/** BucketQuantileResult is the quantile and whether the buckets had to be repaired. */
export interface BucketQuantileResult {
  value: number;
  /** forcedMonotonicity: some cumulative count decreased and was raised to its predecessor. */
  forcedMonotonicity: boolean;
  /** fixedPrecision: some tiny differences between counts were ignored. */
  fixedPrecision: boolean;
}

function sortByUpperBound(buckets: Bucket[]): void {
  // A NaN bound compares equal to everything, as in the original comparator.
  goSort(buckets, (a, b) => a.upperBound < b.upperBound);
}

/**
 * bucketQuantile estimates the q-quantile from classic buckets by linear interpolation within
 * the bucket that holds the rank, assuming a lower bound of 0 for the first bucket when its
 * upper bound is positive. Special results: NaN for q = NaN, no +Inf bucket, fewer than two
 * buckets, or no observations; -Inf for q < 0 and +Inf for q > 1; the upper bound of the
 * second-highest bucket when the rank falls into the +Inf bucket. The array is sorted, merged
 * and repaired in place; use the returned length-independent result only.
 */
export function bucketQuantile(q: number, buckets: Bucket[]): BucketQuantileResult {
  const plain = (value: number): BucketQuantileResult => ({
    value,
    forcedMonotonicity: false,
    fixedPrecision: false,
  });
  if (Number.isNaN(q)) return plain(NaN);
  if (q < 0) return plain(-Infinity);
  if (q > 1) return plain(Infinity);
  sortByUpperBound(buckets);
  if (buckets[buckets.length - 1]!.upperBound !== Infinity) return plain(NaN);

  const bs = coalesceBuckets(buckets);
  const [forcedMonotonicity, fixedPrecision] = ensureMonotonicAndIgnoreSmallDeltas(
    bs,
    SMALL_DELTA_TOLERANCE,
  );
  if (bs.length < 2) return plain(NaN);
  const observations = bs[bs.length - 1]!.count;
  if (observations === 0) return plain(NaN);
  let rank = q * observations;
  const b = goSearch(bs.length - 1, (i) => bs[i]!.count >= rank);
  const result = (value: number): BucketQuantileResult => ({
    value,
    forcedMonotonicity,
    fixedPrecision,
  });
  if (b === bs.length - 1) return result(bs[bs.length - 2]!.upperBound);
  if (b === 0 && bs[0]!.upperBound <= 0) return result(bs[0]!.upperBound);
  let bucketStart = 0;
  const bucketEnd = bs[b]!.upperBound;
  let count = bs[b]!.count;
  if (b > 0) {
    bucketStart = bs[b - 1]!.upperBound;
    count -= bs[b - 1]!.count;
    rank -= bs[b - 1]!.count;
  }
  return result(bucketStart + (bucketEnd - bucketStart) * (rank / count));
}

/**
 * bucketFraction estimates the fraction of observations between lower and upper from classic
 * buckets, interpolating linearly inside buckets (the first bucket reaches down to -Inf).
 * NaN without a +Inf bucket, without observations, or for a NaN bound; 0 when lower >= upper.
 */
export function bucketFraction(lower: number, upper: number, buckets: Bucket[]): number {
  sortByUpperBound(buckets);
  if (buckets[buckets.length - 1]!.upperBound !== Infinity) return NaN;
  const bs = coalesceBuckets(buckets);
  const count = bs[bs.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;

  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < bs.length; i++) {
    const b = bs[i]!;
    const lowerBound = i > 0 ? bs[i - 1]!.upperBound : -Infinity;
    const upperBound = b.upperBound;
    const interpolateLinearly = (v: number): number =>
      rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);

    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolateLinearly(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolateLinearly(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

/**
 * coalesceBuckets merges neighbouring buckets with the same upper bound (e.g. le="0.2" and
 * le="2e-1") by adding their counts. buckets must be sorted; it is compacted in place and
 * returned shortened.
 */
export function coalesceBuckets(buckets: Bucket[]): Bucket[] {
  let last = { ...buckets[0]! };
  let i = 0;
  for (let j = 1; j < buckets.length; j++) {
    const b = buckets[j]!;
    if (b.upperBound === last.upperBound) {
      last.count += b.count;
    } else {
      buckets[i] = last;
      last = { ...b };
      i++;
    }
  }
  buckets[i] = last;
  buckets.length = i + 1;
  return buckets;
}

/**
 * ensureMonotonicAndIgnoreSmallDeltas makes cumulative counts non-decreasing: differences
 * within the relative tolerance are flattened silently, and real decreases are raised to the
 * previous count. It returns [forcedMonotonic, fixedPrecision].
 */
export function ensureMonotonicAndIgnoreSmallDeltas(
  buckets: Bucket[],
  tolerance: number,
): [boolean, boolean] {
  let forcedMonotonic = false;
  let fixedPrecision = false;
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i]!.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, tolerance)) {
      buckets[i]!.count = prev;
      fixedPrecision = true;
      continue;
    }
    if (curr < prev) {
      buckets[i]!.count = prev;
      forcedMonotonic = true;
      continue;
    }
    prev = curr;
  }
  return [forcedMonotonic, fixedPrecision];
}

/**
 * quantile returns the q-quantile of values, interpolating linearly between the two nearest
 * ranks: NaN for no values or q = NaN, -Inf for q < 0, +Inf for q > 1. values is sorted in
 * place (NaNs first, as Prometheus orders them).
 */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  goSort(values, (a, b) => Number.isNaN(a) || a < b);
  const n = values.length;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  return values[lowerIndex]! * (1 - weight) + values[upperIndex]! * weight;
}

/** NativeResult is a value computed from a native histogram, with the info it raised. */
export interface NativeResult {
  value: number;
  /** nanInfo: "result" (NaN because of NaN observations), "skew" or "fraction", if any. */
  nanInfo?: "result" | "skew" | "fraction";
}

/**
 * histogramQuantile estimates the q-quantile of a native histogram (HistogramQuantile): the
 * bucket holding the rank is found from below (q < 0.5, or a NaN sum) or from above, and the
 * value interpolated linearly for custom buckets and the zero bucket, exponentially otherwise.
 * The zero bucket reaches only down (up) to 0 when all other buckets are positive (negative);
 * the first custom bucket starts at 0 unless its upper bound is <= 0; the +Inf custom bucket
 * yields its lower bound. -Inf for q < 0, +Inf for q > 1, NaN without observations.
 */
export function histogramQuantile(q: number, h: FloatHistogram): NativeResult {
  if (q < 0) return { value: -Infinity };
  if (q > 1) return { value: Infinity };
  if (h.count === 0 || Number.isNaN(q)) return { value: NaN };
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const it = forward ? h.allBucketIterator() : h.allReverseBucketIterator();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let bucket: HistogramBucket | undefined;
  while (it.next()) {
    bucket = it.at();
    if (bucket.count === 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  // Go's zero Bucket when the histogram has no buckets at all.
  const b: HistogramBucket = bucket
    ? { ...bucket }
    : { lower: 0, upper: 0, lowerInclusive: false, upperInclusive: false, count: 0, index: 0 };
  if (!h.usesCustomBuckets() && b.lower < 0 && b.upper > 0) {
    if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) b.lower = 0;
    else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) b.upper = 0;
  } else if (h.usesCustomBuckets()) {
    if (b.lower === -Infinity) {
      // The first bucket, from -Inf.
      if (b.upper <= 0) return { value: b.upper };
      b.lower = 0;
    } else if (b.upper === Infinity) {
      // The last bucket, up to +Inf.
      return { value: b.lower };
    }
  }
  // Rounding may overshoot the total count.
  if (count > h.count) count = h.count;
  if (count < rank) {
    // Only NaN observations make the buckets hold less than the count.
    if (Number.isNaN(h.sum)) return { value: NaN, nanInfo: "result" };
    return { value: b.upper };
  }
  if (forward) rank -= count - b.count;
  else rank = count - rank;
  let nanInfo: NativeResult["nanInfo"];
  if (Number.isNaN(h.sum)) {
    // More observations than in the buckets means NaN observations: the result is skewed.
    while (it.next()) count += it.at().count;
    if (count < h.count) nanInfo = "skew";
  }
  const fraction = rank / b.count;
  const withInfo = (value: number): NativeResult =>
    nanInfo === undefined ? { value } : { value, nanInfo };
  if (h.usesCustomBuckets() || (b.lower <= 0 && b.upper >= 0)) {
    return withInfo(b.lower + (b.upper - b.lower) * fraction);
  }
  // Exponential buckets are linear on a logarithmic scale.
  const logLower = goLog2(Math.abs(b.lower));
  const logUpper = goLog2(Math.abs(b.upper));
  if (b.lower > 0) return withInfo(goExp2(logLower + (logUpper - logLower) * fraction));
  return withInfo(-goExp2(logUpper + (logLower - logUpper) * (1 - fraction)));
}

/**
 * histogramFraction estimates the fraction of a native histogram's observations between lower
 * and upper (HistogramFraction), interpolating as histogramQuantile does. NaN without
 * observations or for a NaN bound, 0 when lower >= upper. NaN observations count in the total
 * but in no bucket (reported with nanInfo "fraction").
 */
export function histogramFraction(lower: number, upper: number, h: FloatHistogram): NativeResult {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return { value: NaN };
  if (lower >= upper) return { value: 0 };
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  const it = h.allBucketIterator();
  while (it.next()) {
    const b = { ...it.at() };
    count += b.count;
    let zeroBucket = false;
    const interpolateLinearly = (v: number): number =>
      rank + (b.count * (v - b.lower)) / (b.upper - b.lower);
    const interpolateExponentially = (v: number): number => {
      const logLower = goLog2(Math.abs(b.lower));
      const logUpper = goLog2(Math.abs(b.upper));
      const logV = goLog2(Math.abs(v));
      const fraction =
        v > 0
          ? (logV - logLower) / (logUpper - logLower)
          : 1 - (logV - logUpper) / (logLower - logUpper);
      return rank + b.count * fraction;
    };
    if (b.lower <= 0 && b.upper >= 0) {
      zeroBucket = true;
      if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) b.lower = 0;
      else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) b.upper = 0;
    }
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    const linear = h.usesCustomBuckets() || zeroBucket;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = linear ? interpolateLinearly(lower) : interpolateExponentially(lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = linear ? interpolateLinearly(upper) : interpolateExponentially(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  let nanInfo: NativeResult["nanInfo"];
  if (Number.isNaN(h.sum)) {
    // There may be NaN observations: count only the observations in buckets.
    while (it.next()) count += it.at().count;
    if (count < h.count) nanInfo = "fraction";
  } else {
    count = h.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  const value = (upperRank - lowerRank) / h.count;
  return nanInfo === undefined ? { value } : { value, nanInfo };
}
