// FloatHistogram, the native histogram PromQL computes with, after prometheus
// model/histogram/float_histogram.go (v3.5.3): absolute float bucket counts in spans, exponential
// schemas −4..8 (with a zero bucket and negative buckets) or custom buckets (schema −53, NHCB).
import { formatGoFloat } from "../textparse/index.ts";
import type { Bucket, BucketIterator, Span } from "./generic.ts";
import {
  HistogramError,
  addBuckets,
  compactBuckets,
  errHistogramsIncompatibleBounds,
  errHistogramsIncompatibleSchema,
  floatBucketsMatch,
  getBound,
  getBoundExponential,
  isCustomBucketsSchema,
  isExponentialSchema,
  reduceResolution,
  sameBits,
  spansMatch,
  targetIdx,
} from "./generic.ts";

/**
 * CounterResetHint says what is known about a counter reset at this histogram (spelled as in
 * the promqltest `counter_reset_hint` field): `unknown`, `reset` (there was one), `not_reset`
 * (there was none) or `gauge` (a gauge histogram, which has no counter resets).
 */
export type CounterResetHint = "unknown" | "reset" | "not_reset" | "gauge";

/** FloatHistogramInit are the fields of a FloatHistogram; all are optional. */
export interface FloatHistogramInit {
  counterResetHint?: CounterResetHint;
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  count?: number;
  sum?: number;
  positiveSpans?: Span[];
  negativeSpans?: Span[];
  positiveBuckets?: number[];
  negativeBuckets?: number[];
  customValues?: readonly number[];
}

const EMPTY: readonly number[] = Object.freeze([]);

/**
 * FloatHistogram is a native histogram with float counts. Bucket counts are absolute. Methods
 * named like upstream's mutating methods (mul, div, add, sub, compact, reduceResolution) change
 * the receiver and return it; copy first when the histogram is shared. Spans and bucket arrays
 * are replaced rather than modified in place by those methods, except mul and div, which scale
 * the bucket arrays in place. customValues is treated as immutable and shared between copies.
 */
export class FloatHistogram {
  counterResetHint: CounterResetHint;
  /** schema is −4..8 for exponential buckets or −53 for custom buckets. */
  schema: number;
  /** zeroThreshold is the width of the zero bucket (exponential schemas only). */
  zeroThreshold: number;
  /** zeroCount is the number of observations in the zero bucket. */
  zeroCount: number;
  /** count is the total number of observations. */
  count: number;
  /** sum is the sum of observations; the staleness marker NaN marks a stale histogram. */
  sum: number;
  positiveSpans: Span[];
  negativeSpans: Span[];
  positiveBuckets: number[];
  negativeBuckets: number[];
  /** customValues are the upper bounds of the custom buckets (without +Inf), shared. */
  customValues: readonly number[];

  constructor(init: FloatHistogramInit = {}) {
    this.counterResetHint = init.counterResetHint ?? "unknown";
    this.schema = init.schema ?? 0;
    this.zeroThreshold = init.zeroThreshold ?? 0;
    this.zeroCount = init.zeroCount ?? 0;
    this.count = init.count ?? 0;
    this.sum = init.sum ?? 0;
    this.positiveSpans = init.positiveSpans ?? [];
    this.negativeSpans = init.negativeSpans ?? [];
    this.positiveBuckets = init.positiveBuckets ?? [];
    this.negativeBuckets = init.negativeBuckets ?? [];
    this.customValues = init.customValues ?? EMPTY;
  }

  /** usesCustomBuckets reports whether the schema is the custom buckets schema. */
  usesCustomBuckets(): boolean {
    return isCustomBucketsSchema(this.schema);
  }

  /** copy returns a deep copy (custom values are shared, as they are immutable). */
  copy(): FloatHistogram {
    const c = new FloatHistogram({
      counterResetHint: this.counterResetHint,
      schema: this.schema,
      count: this.count,
      sum: this.sum,
      positiveSpans: copySpans(this.positiveSpans),
      positiveBuckets: this.positiveBuckets.slice(),
    });
    if (this.usesCustomBuckets()) {
      c.customValues = this.customValues;
    } else {
      c.zeroThreshold = this.zeroThreshold;
      c.zeroCount = this.zeroCount;
      c.negativeSpans = copySpans(this.negativeSpans);
      c.negativeBuckets = this.negativeBuckets.slice();
    }
    return c;
  }

  /**
   * copyToSchema returns a deep copy at the lower (or equal) targetSchema; the counter reset
   * hint is not copied unless the schema is unchanged (CopyToSchema). Custom buckets cannot be
   * converted.
   */
  copyToSchema(targetSchema: number): FloatHistogram {
    if (targetSchema === this.schema) return this.copy();
    if (this.usesCustomBuckets()) {
      throw new HistogramError(
        "invalid",
        `cannot reduce resolution to ${targetSchema} when there are custom buckets`,
      );
    }
    if (isCustomBucketsSchema(targetSchema)) {
      throw new HistogramError("invalid", "cannot reduce resolution to custom buckets schema");
    }
    if (targetSchema > this.schema) {
      throw new HistogramError(
        "invalid",
        `cannot copy from schema ${this.schema} to ${targetSchema}`,
      );
    }
    const [ps, pb] = reduceResolution(
      this.positiveSpans,
      this.positiveBuckets,
      this.schema,
      targetSchema,
    );
    const [ns, nb] = reduceResolution(
      this.negativeSpans,
      this.negativeBuckets,
      this.schema,
      targetSchema,
    );
    return new FloatHistogram({
      schema: targetSchema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      count: this.count,
      sum: this.sum,
      positiveSpans: ps,
      positiveBuckets: pb,
      negativeSpans: ns,
      negativeBuckets: nb,
    });
  }

  /**
   * toString renders the histogram as upstream's String(): `{count:C, sum:S, <buckets>}` with the
   * populated buckets from the lowest up, each as `[lower,upper]:count` with `(`/`)` for
   * exclusive bounds. count_values uses it as the label value.
   */
  toString(): string {
    let s = `{count:${formatGoFloat(this.count)}, sum:${formatGoFloat(this.sum)}`;
    const neg: Bucket[] = [];
    for (const it = this.negativeBucketIterator(); it.next();) {
      const b = it.at();
      if (b.count !== 0) neg.push(b);
    }
    for (let i = neg.length - 1; i >= 0; i--) s += `, ${bucketString(neg[i]!)}`;
    if (this.zeroCount !== 0) s += `, ${bucketString(this.zeroBucket())}`;
    for (const it = this.positiveBucketIterator(); it.next();) {
      const b = it.at();
      if (b.count !== 0) s += `, ${bucketString(b)}`;
    }
    return s + "}";
  }

  /**
   * testExpression renders the histogram in the promqltest `{{...}}` notation (TestExpression),
   * compacted to one span per side.
   */
  testExpression(): string {
    const m = this.copy().compact(Number.MAX_SAFE_INTEGER);
    const res: string[] = [];
    if (m.schema !== 0) res.push(`schema:${m.schema}`);
    if (m.count !== 0) res.push(`count:${formatGoFloat(m.count)}`);
    if (m.sum !== 0) res.push(`sum:${formatGoFloat(m.sum)}`);
    if (m.zeroCount !== 0) res.push(`z_bucket:${formatGoFloat(m.zeroCount)}`);
    if (m.zeroThreshold !== 0) res.push(`z_bucket_w:${formatGoFloat(m.zeroThreshold)}`);
    if (m.usesCustomBuckets()) {
      res.push(`custom_values:[${m.customValues.map(formatGoFloat).join(" ")}]`);
    }
    if (m.counterResetHint !== "unknown") res.push(`counter_reset_hint:${m.counterResetHint}`);
    const add = (bucketsKey: string, offsetKey: string, buckets: number[], spans: Span[]) => {
      for (const span of spans) if (span.offset !== 0) res.push(`${offsetKey}:${span.offset}`);
      if (buckets.length > 0) res.push(`${bucketsKey}:[${buckets.map(formatGoFloat).join(" ")}]`);
    };
    add("buckets", "offset", m.positiveBuckets, m.positiveSpans);
    add("n_buckets", "n_offset", m.negativeBuckets, m.negativeSpans);
    return `{{${res.join(" ")}}}`;
  }

  /** zeroBucket returns the zero bucket [−threshold, threshold]; not for custom buckets. */
  zeroBucket(): Bucket {
    if (this.usesCustomBuckets()) {
      throw new HistogramError("invalid", "histograms with custom buckets have no zero bucket");
    }
    return {
      lower: -this.zeroThreshold,
      upper: this.zeroThreshold,
      lowerInclusive: true,
      upperInclusive: true,
      count: this.zeroCount,
      index: 0,
    };
  }

  /** mul scales every count and the sum by factor, in place. */
  mul(factor: number): this {
    this.zeroCount *= factor;
    this.count *= factor;
    this.sum *= factor;
    for (let i = 0; i < this.positiveBuckets.length; i++) this.positiveBuckets[i]! *= factor;
    for (let i = 0; i < this.negativeBuckets.length; i++) this.negativeBuckets[i]! *= factor;
    return this;
  }

  /**
   * div divides every count and the sum by scalar, in place. Dividing by 0 removes all buckets
   * (and leaves ±Inf or NaN in count, sum and the zero count).
   */
  div(scalar: number): this {
    this.zeroCount /= scalar;
    this.count /= scalar;
    this.sum /= scalar;
    if (scalar === 0) {
      this.positiveBuckets = [];
      this.negativeBuckets = [];
      this.positiveSpans = [];
      this.negativeSpans = [];
      return this;
    }
    for (let i = 0; i < this.positiveBuckets.length; i++) this.positiveBuckets[i]! /= scalar;
    for (let i = 0; i < this.negativeBuckets.length; i++) this.negativeBuckets[i]! /= scalar;
    return this;
  }

  /**
   * add adds other to this histogram (Add): counts, sum and buckets, inserting buckets that are
   * missing here. Different zero thresholds and exponential schemas are reconciled (towards the
   * wider zero bucket and the lower resolution). The counter reset hints are merged: gauge wins,
   * then unknown. Throws a HistogramError, before changing anything, when one histogram uses
   * custom buckets and the other does not (kind `incompatible_schema`) or their custom bounds
   * differ (`incompatible_bounds`). The result may hold empty buckets; see compact.
   */
  add(other: FloatHistogram): this {
    this.checkCompatible(other);
    const a = this.counterResetHint;
    const b = other.counterResetHint;
    if (a === b || a === "gauge") {
      // Nothing to change.
    } else if (b === "gauge") {
      this.counterResetHint = "gauge";
    } else if (a === "unknown") {
      // Stays unknown.
    } else {
      // other is unknown, or reset and not_reset collide: unknown.
      this.counterResetHint = "unknown";
    }
    return this.combine(other, false);
  }

  /** sub subtracts other from this histogram; otherwise as add, but hints are left alone. */
  sub(other: FloatHistogram): this {
    this.checkCompatible(other);
    return this.combine(other, true);
  }

  private checkCompatible(other: FloatHistogram): void {
    if (this.usesCustomBuckets() !== other.usesCustomBuckets()) {
      throw errHistogramsIncompatibleSchema();
    }
    if (this.usesCustomBuckets() && !floatBucketsMatch(this.customValues, other.customValues)) {
      throw errHistogramsIncompatibleBounds();
    }
  }

  private combine(other: FloatHistogram, negative: boolean): this {
    const sign = negative ? -1 : 1;
    if (!this.usesCustomBuckets()) {
      const otherZeroCount = this.reconcileZeroBuckets(other);
      this.zeroCount += sign * otherZeroCount;
    }
    this.count += sign * other.count;
    this.sum += sign * other.sum;

    let hPos: { spans: Span[]; buckets: number[] } = {
      spans: this.positiveSpans,
      buckets: this.positiveBuckets,
    };
    let oPos: { spans: readonly Span[]; buckets: readonly number[] } = {
      spans: other.positiveSpans,
      buckets: other.positiveBuckets,
    };
    if (this.usesCustomBuckets()) {
      [this.positiveSpans, this.positiveBuckets] = addBuckets(
        this.schema,
        this.zeroThreshold,
        negative,
        hPos.spans,
        hPos.buckets,
        oPos.spans,
        oPos.buckets,
      );
      return this;
    }
    let hNeg: { spans: Span[]; buckets: number[] } = {
      spans: this.negativeSpans,
      buckets: this.negativeBuckets,
    };
    let oNeg: { spans: readonly Span[]; buckets: readonly number[] } = {
      spans: other.negativeSpans,
      buckets: other.negativeBuckets,
    };
    if (other.schema < this.schema) {
      const [ps, pb] = reduceResolution(hPos.spans, hPos.buckets, this.schema, other.schema);
      const [ns, nb] = reduceResolution(hNeg.spans, hNeg.buckets, this.schema, other.schema);
      hPos = { spans: ps, buckets: pb };
      hNeg = { spans: ns, buckets: nb };
      this.schema = other.schema;
    } else if (other.schema > this.schema) {
      const [ps, pb] = reduceResolution(oPos.spans, oPos.buckets, other.schema, this.schema);
      const [ns, nb] = reduceResolution(oNeg.spans, oNeg.buckets, other.schema, this.schema);
      oPos = { spans: ps, buckets: pb };
      oNeg = { spans: ns, buckets: nb };
    }
    [this.positiveSpans, this.positiveBuckets] = addBuckets(
      this.schema,
      this.zeroThreshold,
      negative,
      hPos.spans,
      hPos.buckets,
      oPos.spans,
      oPos.buckets,
    );
    [this.negativeSpans, this.negativeBuckets] = addBuckets(
      this.schema,
      this.zeroThreshold,
      negative,
      hNeg.spans,
      hNeg.buckets,
      oNeg.spans,
      oNeg.buckets,
    );
    return this;
  }

  /**
   * equals reports whether h2 has exactly the same data (Equals): schema, bit-identical count,
   * sum, zero count and bucket counts, the same zero threshold and custom bounds, and the same
   * bucket layout (zero-length spans are ignored, empty buckets are not). The hint is ignored.
   */
  equals(h2: FloatHistogram | undefined): boolean {
    if (h2 === undefined) return false;
    if (
      this.schema !== h2.schema ||
      !sameBits(this.count, h2.count) ||
      !sameBits(this.sum, h2.sum)
    ) {
      return false;
    }
    if (this.usesCustomBuckets() && !floatBucketsMatch(this.customValues, h2.customValues)) {
      return false;
    }
    if (this.zeroThreshold !== h2.zeroThreshold || !sameBits(this.zeroCount, h2.zeroCount)) {
      return false;
    }
    return (
      spansMatch(this.negativeSpans, h2.negativeSpans) &&
      floatBucketsMatch(this.negativeBuckets, h2.negativeBuckets) &&
      spansMatch(this.positiveSpans, h2.positiveSpans) &&
      floatBucketsMatch(this.positiveBuckets, h2.positiveBuckets)
    );
  }

  /**
   * size is the memory footprint upstream attributes to the histogram (Size, 64-bit): 168 bytes
   * for the struct plus 8 per span, bucket and custom value. The engine weighs histogram samples
   * by it when counting samples.
   */
  size(): number {
    return (
      168 +
      8 *
        (this.positiveSpans.length +
          this.negativeSpans.length +
          this.positiveBuckets.length +
          this.negativeBuckets.length +
          this.customValues.length)
    );
  }

  /**
   * compact removes empty buckets at the ends of spans, merges spans at most maxEmptyBuckets apart
   * and splits spans with more consecutive empty buckets than that (Compact).
   */
  compact(maxEmptyBuckets: number): this {
    [this.positiveBuckets, this.positiveSpans] = compactBuckets(
      this.positiveBuckets,
      this.positiveSpans,
      maxEmptyBuckets,
    );
    [this.negativeBuckets, this.negativeSpans] = compactBuckets(
      this.negativeBuckets,
      this.negativeSpans,
      maxEmptyBuckets,
    );
    return this;
  }

  /**
   * detectReset reports whether this histogram, following previous, marks a counter reset
   * (DetectReset): the hints `reset` and `not_reset` decide at once; otherwise a lower count, a
   * change between exponential and custom buckets or of the custom bounds, a higher resolution,
   * a narrower zero bucket, a zero bucket boundary inside a populated bucket of previous, or any
   * bucket (or the zero bucket) with a lower count than in previous is a reset. A lower
   * resolution or a wider zero bucket alone is not: previous is mapped onto this layout first.
   */
  detectReset(previous: FloatHistogram): boolean {
    if (this.counterResetHint === "reset") return true;
    if (this.counterResetHint === "not_reset") return false;
    // Unknown and gauge histograms get the full check (PromQL may apply counter functions to
    // gauges; they warn about it elsewhere).
    if (this.count < previous.count) return true;
    if (
      this.usesCustomBuckets() !== previous.usesCustomBuckets() ||
      (this.usesCustomBuckets() && !floatBucketsMatch(this.customValues, previous.customValues))
    ) {
      return true;
    }
    if (this.schema > previous.schema) return true;
    if (this.zeroThreshold < previous.zeroThreshold) return true;
    const [previousZeroCount, newThreshold] = previous.zeroCountForLargerThreshold(
      this.zeroThreshold,
    );
    if (newThreshold !== this.zeroThreshold) return true;
    if (this.zeroCount < previousZeroCount) return true;
    if (
      detectBucketReset(
        this.floatBucketIterator(true, this.zeroThreshold, this.schema),
        previous.floatBucketIterator(true, this.zeroThreshold, this.schema),
      )
    ) {
      return true;
    }
    return detectBucketReset(
      this.floatBucketIterator(false, this.zeroThreshold, this.schema),
      previous.floatBucketIterator(false, this.zeroThreshold, this.schema),
    );
  }

  /** positiveBucketIterator iterates the positive buckets from the zero bucket upwards. */
  positiveBucketIterator(): BucketIterator {
    return this.floatBucketIterator(true, 0, this.schema);
  }

  /** negativeBucketIterator iterates the negative buckets from the zero bucket downwards. */
  negativeBucketIterator(): BucketIterator {
    return this.floatBucketIterator(false, 0, this.schema);
  }

  /** positiveReverseBucketIterator iterates the positive buckets from the highest down. */
  positiveReverseBucketIterator(): BucketIterator {
    return new ReverseFloatBucketIterator(
      this.positiveSpans,
      this.positiveBuckets,
      this.schema,
      true,
      this.customValues,
    );
  }

  /** negativeReverseBucketIterator iterates the negative buckets from the lowest up. */
  negativeReverseBucketIterator(): BucketIterator {
    return new ReverseFloatBucketIterator(
      this.negativeSpans,
      this.negativeBuckets,
      this.schema,
      false,
      EMPTY,
    );
  }

  /**
   * allBucketIterator iterates all buckets in ascending order: negative, the zero bucket (when
   * populated), positive. Buckets overlapping the zero bucket are cut at its threshold.
   */
  allBucketIterator(): BucketIterator {
    return new AllFloatBucketIterator(
      this,
      new ReverseFloatBucketIterator(
        this.negativeSpans,
        this.negativeBuckets,
        this.schema,
        false,
        EMPTY,
      ),
      this.floatBucketIterator(true, 0, this.schema),
    );
  }

  /** allReverseBucketIterator iterates all buckets in descending order. */
  allReverseBucketIterator(): BucketIterator {
    return new AllFloatBucketIterator(
      this,
      new ReverseFloatBucketIterator(
        this.positiveSpans,
        this.positiveBuckets,
        this.schema,
        true,
        this.customValues,
      ),
      this.floatBucketIterator(false, 0, this.schema),
    );
  }

  /**
   * validate checks the histogram for consistency (Validate): spans and bucket counts agree,
   * counts are not negative, and custom buckets have strictly increasing finite bounds, enough
   * of them for the spans, and no zero or negative buckets. Throws a HistogramError.
   */
  validate(): void {
    if (this.usesCustomBuckets()) {
      checkCustomBounds(this.customValues, this.positiveSpans, this.positiveBuckets.length);
      if (this.zeroCount !== 0) fail("custom buckets: must have zero count of 0");
      if (this.zeroThreshold !== 0) fail("custom buckets: must have zero threshold of 0");
      if (this.negativeSpans.length > 0) fail("custom buckets: must not have negative spans");
      if (this.negativeBuckets.length > 0) fail("custom buckets: must not have negative buckets");
    } else {
      checkSpans("positive side", this.positiveSpans, this.positiveBuckets.length);
      checkSpans("negative side", this.negativeSpans, this.negativeBuckets.length);
      checkBuckets("negative side", this.negativeBuckets);
      if (this.customValues.length > 0) {
        fail("histogram with exponential schema must not have custom bounds");
      }
    }
    checkBuckets("positive side", this.positiveBuckets);
  }

  /**
   * reduceResolution lowers the resolution to targetSchema in place (ReduceResolution); only for
   * exponential schemas and a lower target.
   */
  reduceResolution(targetSchema: number): this {
    if (this.usesCustomBuckets()) {
      throw new HistogramError("invalid", "cannot reduce resolution when there are custom buckets");
    }
    if (isCustomBucketsSchema(targetSchema)) {
      throw new HistogramError("invalid", "cannot reduce resolution to custom buckets schema");
    }
    if (targetSchema >= this.schema) {
      throw new HistogramError(
        "invalid",
        `cannot reduce resolution from schema ${this.schema} to ${targetSchema}`,
      );
    }
    [this.positiveSpans, this.positiveBuckets] = reduceResolution(
      this.positiveSpans,
      this.positiveBuckets,
      this.schema,
      targetSchema,
    );
    [this.negativeSpans, this.negativeBuckets] = reduceResolution(
      this.negativeSpans,
      this.negativeBuckets,
      this.schema,
      targetSchema,
    );
    this.schema = targetSchema;
    return this;
  }

  /**
   * zeroCountForLargerThreshold returns the zero count this histogram would have with the given
   * larger (or equal) threshold, and that threshold, raised to the upper bound of a populated
   * bucket it would fall into (zeroCountForLargerThreshold).
   */
  zeroCountForLargerThreshold(largerThresholdIn: number): [count: number, threshold: number] {
    let largerThreshold = largerThresholdIn;
    if (largerThreshold === this.zeroThreshold) return [this.zeroCount, largerThreshold];
    if (largerThreshold < this.zeroThreshold) {
      throw new HistogramError(
        "invalid",
        `new threshold ${largerThreshold} is less than old threshold ${this.zeroThreshold}`,
      );
    }
    outer: for (;;) {
      let count = this.zeroCount;
      for (const it = this.positiveBucketIterator(); it.next();) {
        const b = it.at();
        if (b.lower >= largerThreshold) break;
        count += b.count; // Merged into the zero bucket.
        if (b.upper > largerThreshold) {
          // The new threshold is inside this bucket: move it up if the bucket is populated.
          if (b.count !== 0) largerThreshold = b.upper;
          break;
        }
      }
      for (const it = this.negativeBucketIterator(); it.next();) {
        const b = it.at();
        if (b.upper <= -largerThreshold) break;
        count += b.count;
        if (b.lower < -largerThreshold) {
          // Inside a populated negative bucket: widen and redo the positive side too.
          if (b.count !== 0) {
            largerThreshold = -b.lower;
            continue outer;
          }
          break;
        }
      }
      return [count, largerThreshold];
    }
  }

  /**
   * trimBucketsInZeroBucket empties the buckets inside the zero bucket (whose counts must
   * already be part of the zero count) and compacts them away.
   */
  private trimBucketsInZeroBucket(): void {
    this.positiveBuckets = this.positiveBuckets.slice();
    this.negativeBuckets = this.negativeBuckets.slice();
    let idx = 0;
    for (const it = this.positiveBucketIterator(); it.next();) {
      if (it.at().lower >= this.zeroThreshold) break;
      this.positiveBuckets[idx++] = 0;
    }
    idx = 0;
    for (const it = this.negativeBucketIterator(); it.next();) {
      if (it.at().upper <= -this.zeroThreshold) break;
      this.negativeBuckets[idx++] = 0;
    }
    this.compact(0);
  }

  /**
   * reconcileZeroBuckets widens this histogram's zero bucket until it covers other's and does
   * not cut through a populated bucket of either, and returns the zero count other would have
   * with that threshold (other is not changed).
   */
  private reconcileZeroBuckets(other: FloatHistogram): number {
    let otherZeroCount = other.zeroCount;
    let otherZeroThreshold = other.zeroThreshold;
    while (otherZeroThreshold !== this.zeroThreshold) {
      if (this.zeroThreshold > otherZeroThreshold) {
        [otherZeroCount, otherZeroThreshold] = other.zeroCountForLargerThreshold(
          this.zeroThreshold,
        );
      }
      if (otherZeroThreshold > this.zeroThreshold) {
        [this.zeroCount, this.zeroThreshold] = this.zeroCountForLargerThreshold(otherZeroThreshold);
        this.trimBucketsInZeroBucket();
      }
    }
    return otherZeroCount;
  }

  /**
   * floatBucketIterator iterates the positive or negative buckets merged to targetSchema (<= the
   * histogram's schema), skipping exponential buckets whose upper bound is <= absoluteStartValue.
   */
  floatBucketIterator(
    positive: boolean,
    absoluteStartValue: number,
    targetSchema: number,
  ): FloatBucketIterator {
    if (this.usesCustomBuckets() && targetSchema !== this.schema) {
      throw new HistogramError(
        "invalid",
        "cannot merge from custom buckets schema to exponential schema",
      );
    }
    if (!this.usesCustomBuckets() && isCustomBucketsSchema(targetSchema)) {
      throw new HistogramError(
        "invalid",
        "cannot merge from exponential buckets schema to custom schema",
      );
    }
    if (targetSchema > this.schema) {
      throw new HistogramError(
        "invalid",
        `cannot merge from schema ${this.schema} to ${targetSchema}`,
      );
    }
    return new FloatBucketIterator(
      this.schema,
      positive ? this.positiveSpans : this.negativeSpans,
      positive ? this.positiveBuckets : this.negativeBuckets,
      positive,
      positive ? this.customValues : EMPTY,
      targetSchema,
      absoluteStartValue,
    );
  }
}

function copySpans(spans: readonly Span[]): Span[] {
  return spans.map((s) => ({ offset: s.offset, length: s.length }));
}

/** bucketString renders a bucket as `[lower,upper]:count` (Bucket.String). */
export function bucketString(b: Bucket): string {
  return (
    (b.lowerInclusive ? "[" : "(") +
    `${formatGoFloat(b.lower)},${formatGoFloat(b.upper)}` +
    (b.upperInclusive ? "]" : ")") +
    `:${formatGoFloat(b.count)}`
  );
}

function fail(msg: string): never {
  throw new HistogramError("invalid", msg);
}

function checkSpans(side: string, spans: readonly Span[], numBuckets: number): void {
  let spanBuckets = 0;
  spans.forEach((span, n) => {
    if (n > 0 && span.offset < 0) {
      fail(
        `${side}: span number ${n + 1} with offset ${span.offset}: histogram has a span whose offset is negative`,
      );
    }
    spanBuckets += span.length;
  });
  if (spanBuckets !== numBuckets) {
    fail(
      `${side}: spans need ${spanBuckets} buckets, have ${numBuckets} buckets: histogram spans specify different number of buckets than provided`,
    );
  }
}

function checkBuckets(side: string, buckets: readonly number[]): void {
  buckets.forEach((c, i) => {
    if (c < 0) {
      fail(
        `${side}: bucket number ${i + 1} has observation count of ${formatGoFloat(c)}: histogram has a bucket whose observation count is negative`,
      );
    }
  });
}

function checkCustomBounds(
  bounds: readonly number[],
  spans: readonly Span[],
  numBuckets: number,
): void {
  let prev = -Infinity;
  for (const curr of bounds) {
    if (!(curr > prev)) {
      fail(
        `custom buckets: previous bound is ${prev} and current is ${curr}: histogram custom bounds must be in strictly increasing order`,
      );
    }
    prev = curr;
  }
  if (prev === Infinity) {
    fail(
      "custom buckets: last +Inf bound must not be explicitly defined: histogram custom bounds must be finite",
    );
  }
  let spanBuckets = 0;
  let totalSpanLength = 0;
  spans.forEach((span, n) => {
    if (span.offset < 0) {
      fail(
        `custom buckets: span number ${n + 1} with offset ${span.offset}: histogram has a span whose offset is negative`,
      );
    }
    spanBuckets += span.length;
    totalSpanLength += span.length + span.offset;
  });
  if (spanBuckets !== numBuckets) {
    fail(
      `custom buckets: spans need ${spanBuckets} buckets, have ${numBuckets} buckets: histogram spans specify different number of buckets than provided`,
    );
  }
  if (bounds.length + 1 < totalSpanLength) {
    fail(
      `custom buckets: only ${bounds.length} custom bounds defined which is insufficient to cover total span length of ${totalSpanLength}: histogram custom bounds are too few`,
    );
  }
}

/**
 * detectBucketReset reports whether any bucket populated in prevIt is missing or lower in
 * currIt (detectReset); both iterate the same schema.
 */
function detectBucketReset(currIt: FloatBucketIterator, prevIt: FloatBucketIterator): boolean {
  if (!prevIt.next()) return false; // No buckets before: nothing can have been reset.
  let prevIndex = prevIt.currIdx;
  let prevCount = prevIt.currCount;
  // Upstream's loops for "current has no more buckets" only look at the previous bucket they
  // stopped at (they advance the iterator without reading it), so a populated bucket further
  // up in previous does not count. Kept for identical results.
  if (!currIt.next()) return prevCount !== 0;
  let currIndex = currIt.currIdx;
  let currCount = currIt.currCount;
  for (;;) {
    // Move currIt forward to the bucket corresponding to the previous one.
    while (currIndex < prevIndex) {
      if (!currIt.next()) return prevCount !== 0;
      currIndex = currIt.currIdx;
      currCount = currIt.currCount;
    }
    if (currIndex > prevIndex) {
      // previous has a bucket that is missing now; a reset if it was populated.
      if (prevCount !== 0) return true;
    } else if (currCount < prevCount) {
      return true;
    }
    if (!prevIt.next()) return false;
    prevIndex = prevIt.currIdx;
    prevCount = prevIt.currCount;
  }
}

/** BaseBucketIterator holds the state shared by the forward and reverse iterators. */
abstract class BaseBucketIterator implements BucketIterator {
  protected readonly schema: number;
  protected readonly spans: readonly Span[];
  protected readonly buckets: readonly number[];
  protected readonly positive: boolean;
  protected readonly customValues: readonly number[];
  protected spansIdx = 0;
  protected idxInSpan = 0;
  protected bucketsIdx = 0;
  /** currCount and currIdx describe the current bucket. */
  currCount = 0;
  currIdx = 0;

  constructor(
    schema: number,
    spans: readonly Span[],
    buckets: readonly number[],
    positive: boolean,
    customValues: readonly number[],
  ) {
    this.schema = schema;
    this.spans = spans;
    this.buckets = buckets;
    this.positive = positive;
    this.customValues = customValues;
  }

  abstract next(): boolean;

  at(): Bucket {
    return this.atSchema(this.schema);
  }

  protected atSchema(schema: number): Bucket {
    const b: Bucket = {
      lower: 0,
      upper: 0,
      lowerInclusive: false,
      upperInclusive: false,
      count: this.currCount,
      index: this.currIdx,
    };
    if (this.positive) {
      b.upper = getBound(this.currIdx, schema, this.customValues);
      b.lower = getBound(this.currIdx - 1, schema, this.customValues);
    } else {
      b.lower = -getBound(this.currIdx, schema, this.customValues);
      b.upper = -getBound(this.currIdx - 1, schema, this.customValues);
    }
    if (isCustomBucketsSchema(schema)) {
      b.lowerInclusive = this.currIdx === 0;
      b.upperInclusive = true;
    } else {
      b.lowerInclusive = b.lower < 0;
      b.upperInclusive = b.upper > 0;
    }
    return b;
  }
}

/**
 * FloatBucketIterator iterates buckets in ascending index order, merging buckets into a lower
 * targetSchema on the fly and skipping buckets up to absoluteStartValue (floatBucketIterator).
 */
export class FloatBucketIterator extends BaseBucketIterator {
  private readonly targetSchema: number;
  private origIdx = 0;
  private readonly absoluteStartValue: number;
  private boundReachedStartValue: boolean;

  constructor(
    schema: number,
    spans: readonly Span[],
    buckets: readonly number[],
    positive: boolean,
    customValues: readonly number[],
    targetSchema: number,
    absoluteStartValue: number,
  ) {
    super(schema, spans, buckets, positive, customValues);
    this.targetSchema = targetSchema;
    this.absoluteStartValue = absoluteStartValue;
    this.boundReachedStartValue = absoluteStartValue === 0;
  }

  override at(): Bucket {
    return this.atSchema(this.targetSchema);
  }

  next(): boolean {
    for (;;) {
      if (!this.advance()) return false;
      // Skip buckets below absoluteStartValue for exponential schemas.
      if (
        !this.boundReachedStartValue &&
        isExponentialSchema(this.targetSchema) &&
        getBoundExponential(this.currIdx, this.targetSchema) <= this.absoluteStartValue
      ) {
        continue;
      }
      this.boundReachedStartValue = true;
      return true;
    }
  }

  private advance(): boolean {
    if (this.spansIdx >= this.spans.length) return false;
    if (this.schema === this.targetSchema) {
      // Fast path for the common case.
      let span = this.spans[this.spansIdx]!;
      if (this.bucketsIdx === 0) this.currIdx = span.offset;
      else this.currIdx++;
      while (this.idxInSpan >= span.length) {
        // Exhausted the current span (even handles spans of length 0).
        this.idxInSpan = 0;
        this.spansIdx++;
        if (this.spansIdx >= this.spans.length) return false;
        span = this.spans[this.spansIdx]!;
        this.currIdx += span.offset;
      }
      this.currCount = this.buckets[this.bucketsIdx]!;
      this.idxInSpan++;
      this.bucketsIdx++;
      return true;
    }
    // Merge all buckets of the original schema that fall into one target bucket, working on
    // local copies so that we can stop before the first bucket of the next target bucket.
    let origIdx = this.origIdx;
    let spansIdx = this.spansIdx;
    let idxInSpan = this.idxInSpan;
    let span = this.spans[spansIdx]!;
    let firstPass = true;
    this.currCount = 0;
    for (;;) {
      if (this.bucketsIdx === 0) origIdx = span.offset;
      else origIdx++;
      let exhausted = false;
      while (idxInSpan >= span.length) {
        idxInSpan = 0;
        spansIdx++;
        if (spansIdx >= this.spans.length) {
          if (firstPass) return false;
          exhausted = true;
          break;
        }
        span = this.spans[spansIdx]!;
        origIdx += span.offset;
      }
      if (exhausted) break;
      const currIdx = targetIdx(origIdx, this.schema, this.targetSchema);
      if (firstPass) {
        this.currIdx = currIdx;
        firstPass = false;
      } else if (currIdx !== this.currIdx) {
        // Reached the next target bucket; do not consume it.
        break;
      }
      this.currCount += this.buckets[this.bucketsIdx]!;
      idxInSpan++;
      this.bucketsIdx++;
      this.origIdx = origIdx;
      this.spansIdx = spansIdx;
      this.idxInSpan = idxInSpan;
    }
    return true;
  }
}

/** ReverseFloatBucketIterator iterates buckets in descending index order. */
class ReverseFloatBucketIterator extends BaseBucketIterator {
  constructor(
    spans: readonly Span[],
    buckets: readonly number[],
    schema: number,
    positive: boolean,
    customValues: readonly number[],
  ) {
    super(schema, spans, buckets, positive, customValues);
    this.spansIdx = spans.length - 1;
    this.bucketsIdx = buckets.length - 1;
    if (this.spansIdx >= 0) this.idxInSpan = spans[this.spansIdx]!.length - 1;
    this.currIdx = 0;
    for (const s of spans) this.currIdx += s.offset + s.length;
  }

  next(): boolean {
    this.currIdx--;
    if (this.bucketsIdx < 0) return false;
    while (this.idxInSpan < 0) {
      // Exhausted the current span (even handles spans of length 0).
      this.spansIdx--;
      this.idxInSpan = this.spans[this.spansIdx]!.length - 1;
      this.currIdx -= this.spans[this.spansIdx + 1]!.offset;
    }
    this.currCount = this.buckets[this.bucketsIdx]!;
    this.bucketsIdx--;
    this.idxInSpan--;
    return true;
  }
}

/**
 * AllFloatBucketIterator chains a reverse iterator over one side, the zero bucket and a forward
 * iterator over the other side (allFloatBucketIterator).
 */
class AllFloatBucketIterator implements BucketIterator {
  private readonly h: FloatHistogram;
  private readonly leftIter: ReverseFloatBucketIterator;
  private readonly rightIter: FloatBucketIterator;
  /** state: −1 left side, 0 zero bucket, 1 right side, anything else done. */
  private state = -1;
  private currBucket: Bucket | undefined;

  constructor(h: FloatHistogram, left: ReverseFloatBucketIterator, right: FloatBucketIterator) {
    this.h = h;
    this.leftIter = left;
    this.rightIter = right;
  }

  next(): boolean {
    for (;;) {
      switch (this.state) {
        case -1:
          if (this.leftIter.next()) {
            this.currBucket = this.clip(this.leftIter.at());
            return true;
          }
          this.state = 0;
          continue;
        case 0:
          this.state = 1;
          if (this.h.zeroCount > 0) {
            this.currBucket = this.h.zeroBucket();
            return true;
          }
          continue;
        case 1:
          if (this.rightIter.next()) {
            this.currBucket = this.clip(this.rightIter.at());
            return true;
          }
          this.state = 42;
          return false;
        default:
          return false;
      }
    }
  }

  private clip(b: Bucket): Bucket {
    const zt = this.h.zeroThreshold;
    if (b.upper < 0 && b.upper > -zt) b.upper = -zt;
    else if (b.lower > 0 && b.lower < zt) b.lower = zt;
    return b;
  }

  at(): Bucket {
    return this.currBucket!;
  }
}
