// Conversion of classic histograms (cumulative `_bucket{le=...}` series plus `_count` and
// `_sum`) into native histograms with custom buckets (NHCB), after prometheus
// util/convertnhcb/convertnhcb.go (v3.5.3).
import { formatGoFloat } from "../textparse/index.ts";
import { FloatHistogram } from "./float-histogram.ts";
import { CUSTOM_BUCKETS_SCHEMA } from "./generic.ts";

interface TempBucket {
  le: number;
  count: number;
}

/**
 * TempHistogram collects the samples of one classic histogram at one timestamp, in any order,
 * and converts them into a custom-buckets FloatHistogram. The first inconsistency (a negative or
 * non-cumulative bucket count, a negative count) is remembered and reported by convert().
 */
export class TempHistogram {
  private buckets: TempBucket[] = [];
  private count = 0;
  private sum = 0;
  private err: Error | undefined;
  private hasCount = false;

  /** setBucketCount records the cumulative count of the bucket with upper bound `boundary`. */
  setBucketCount(boundary: number, count: number): void {
    if (this.err) return;
    if (count < 0) {
      this.err = new Error(
        `bucket count must be non-negative: le=${formatGoFloat(boundary)}, count=${formatGoFloat(count)}`,
      );
      return;
    }
    const bs = this.buckets;
    const last = bs[bs.length - 1];
    if (last === undefined) {
      bs.push({ le: boundary, count });
    } else if (last.le < boundary) {
      if (count < last.count) {
        this.err = notCumulative(`${formatGoFloat(count)} < ${formatGoFloat(last.count)}`);
        return;
      }
      bs.push({ le: boundary, count });
    } else if (last.le === boundary) {
      // A duplicate sample: ignored.
    } else {
      let i = 0;
      while (i < bs.length && !(bs[i]!.le >= boundary)) i++;
      if (bs[i]!.le === boundary) return; // Duplicate.
      if (i > 0 && count < bs[i - 1]!.count) {
        this.err = notCumulative(`${formatGoFloat(count)} < ${formatGoFloat(bs[i - 1]!.count)}`);
        return;
      }
      if (count > bs[i]!.count) {
        this.err = notCumulative(`${formatGoFloat(count)} > ${formatGoFloat(bs[i]!.count)}`);
        return;
      }
      bs.splice(i, 0, { le: boundary, count });
    }
  }

  /** setCount records the `_count` sample. */
  setCount(count: number): void {
    if (this.err) return;
    if (count < 0) {
      this.err = new Error(`count must be non-negative: count=${formatGoFloat(count)}`);
      return;
    }
    this.count = count;
    this.hasCount = true;
  }

  /** setSum records the `_sum` sample. */
  setSum(sum: number): void {
    if (this.err) return;
    this.sum = sum;
  }

  /**
   * convert builds the native histogram. Without a `_count` the highest bucket's count is used;
   * without a +Inf bucket one is added holding the count. Throws when the collected samples were
   * inconsistent or the count differs from the +Inf bucket's. Histograms with only integral
   * counts are compacted as upstream's integer histograms are (Compact(2)), others with
   * Compact(0).
   */
  convert(): FloatHistogram {
    if (this.err) throw this.err;
    const buckets = this.buckets.slice();
    let count = this.count;
    if (!this.hasCount && buckets.length > 0) count = buckets[buckets.length - 1]!.count;
    if (buckets.length === 0 || buckets[buckets.length - 1]!.le !== Infinity) {
      buckets.push({ le: Infinity, count });
    }
    const integral = buckets.every((b) => isIntegral(b.count)) && isIntegral(count);
    const positiveBuckets: number[] = [];
    const customValues: number[] = [];
    let prev = 0;
    for (const b of buckets) {
      positiveBuckets.push(b.count - prev);
      prev = b.count;
      if (b.le !== Infinity) customValues.push(b.le);
    }
    const last = buckets[buckets.length - 1]!;
    if (count !== last.count) {
      throw new Error(
        `count mismatch: count=${formatGoFloat(count)} != le=${formatGoFloat(last.le)} count=${formatGoFloat(last.count)}`,
      );
    }
    const h = new FloatHistogram({
      schema: CUSTOM_BUCKETS_SCHEMA,
      count,
      sum: this.sum,
      positiveSpans: [{ offset: 0, length: buckets.length }],
      positiveBuckets,
      customValues,
    });
    return h.compact(integral ? 2 : 0);
  }
}

function notCumulative(detail: string): Error {
  return new Error(`count is not cumulative: ${detail}`);
}

// isIntegral mirrors upstream's test `b.count != float64(int64(math.Round(b.count)))`.
function isIntegral(v: number): boolean {
  return Number.isFinite(v) && Math.round(v) === v;
}
