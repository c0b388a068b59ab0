// Schemas, spans, bucket bounds and the span/bucket algorithms shared by the histogram types,
// after prometheus model/histogram/generic.go (v3.5.3). Only absolute bucket counts (as in
// FloatHistogram) are supported; upstream's delta-encoded variants are left out.
import { EXPONENTIAL_BOUNDS } from "./exponential-bounds.ts";

/** EXPONENTIAL_SCHEMA_MAX is the highest resolution of the exponential schemas. */
export const EXPONENTIAL_SCHEMA_MAX = 8;
/** EXPONENTIAL_SCHEMA_MIN is the lowest resolution of the exponential schemas. */
export const EXPONENTIAL_SCHEMA_MIN = -4;
/** CUSTOM_BUCKETS_SCHEMA marks a histogram whose bucket bounds are its custom values (NHCB). */
export const CUSTOM_BUCKETS_SCHEMA = -53;

/** isCustomBucketsSchema reports whether s is the custom buckets schema. */
export function isCustomBucketsSchema(s: number): boolean {
  return s === CUSTOM_BUCKETS_SCHEMA;
}

/** isExponentialSchema reports whether s is one of the exponential schemas −4..8. */
export function isExponentialSchema(s: number): boolean {
  return s >= EXPONENTIAL_SCHEMA_MIN && s <= EXPONENTIAL_SCHEMA_MAX;
}

/**
 * HistogramError is the class of the errors histogram arithmetic raises. `kind` lets callers
 * tell them apart without comparing messages (upstream compares with errors.Is).
 */
export class HistogramError extends Error {
  readonly kind: "incompatible_schema" | "incompatible_bounds" | "invalid";
  constructor(kind: HistogramError["kind"], message: string) {
    super(message);
    this.name = "HistogramError";
    this.kind = kind;
  }
}

/** errHistogramsIncompatibleSchema is ErrHistogramsIncompatibleSchema (a fresh instance). */
export function errHistogramsIncompatibleSchema(): HistogramError {
  return new HistogramError(
    "incompatible_schema",
    "cannot apply this operation on histograms with a mix of exponential and custom bucket schemas",
  );
}

/** errHistogramsIncompatibleBounds is ErrHistogramsIncompatibleBounds (a fresh instance). */
export function errHistogramsIncompatibleBounds(): HistogramError {
  return new HistogramError(
    "incompatible_bounds",
    "cannot apply this operation on custom buckets histograms with different custom bounds",
  );
}

/**
 * Span describes a run of consecutive buckets: `offset` is the gap (in bucket indexes) to the
 * end of the previous span, or the index of the first bucket for the first span, and `length`
 * the number of buckets. Upstream's int32/uint32 pair.
 */
export interface Span {
  offset: number;
  length: number;
}

/**
 * Bucket is one decoded bucket: its bounds, whether they are inclusive, its absolute count and
 * its index within the schema (irrelevant for the zero bucket).
 */
export interface Bucket {
  lower: number;
  upper: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  count: number;
  index: number;
}

/** BucketIterator walks decoded buckets: call next() until it returns false, reading at(). */
export interface BucketIterator {
  next(): boolean;
  at(): Bucket;
}

/**
 * floatBucketsMatch reports whether two bucket (or custom bound) lists are bit-identical
 * (FloatBucketsMatch).
 */
export function floatBucketsMatch(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameBits(a[i]!, b[i]!)) return false;
  return true;
}

const bitsView = new DataView(new ArrayBuffer(16));

/** sameBits compares two floats by their bit patterns (math.Float64bits equality). */
export function sameBits(a: number, b: number): boolean {
  if (a === b) return a !== 0 || Object.is(a, b);
  if (!Number.isNaN(a) || !Number.isNaN(b)) return false;
  bitsView.setFloat64(0, a);
  bitsView.setFloat64(8, b);
  return bitsView.getBigUint64(0) === bitsView.getBigUint64(8);
}

/**
 * spansMatch reports whether two span lists describe the same bucket layout, ignoring spans of
 * length zero (spansMatch in histogram.go).
 */
export function spansMatch(s1: readonly Span[], s2: readonly Span[]): boolean {
  if (s1.length === 0 && s2.length === 0) return true;
  let i1 = 0;
  let i2 = 0;
  for (;;) {
    if (i1 >= s1.length) return allEmptySpans(s2, i2);
    if (i2 >= s2.length) return allEmptySpans(s1, i1);
    const c1 = { ...s1[i1]! };
    const c2 = { ...s2[i2]! };
    i1++;
    i2++;
    if (c1.length === 0) {
      // Add up consecutive zero-length spans until a non-empty one.
      for (; i1 < s1.length && s1[i1]!.length === 0; i1++) c1.offset += s1[i1]!.offset;
      if (i1 < s1.length) {
        c1.offset += s1[i1]!.offset;
        c1.length = s1[i1]!.length;
        i1++;
      }
    }
    if (c2.length === 0) {
      for (; i2 < s2.length && s2[i2]!.length === 0; i2++) c2.offset += s2[i2]!.offset;
      if (i2 < s2.length) {
        c2.offset += s2[i2]!.offset;
        c2.length = s2[i2]!.length;
        i2++;
      }
    }
    // The last spans of both sets are zero length; everything before matched.
    if (c1.length === 0 && c2.length === 0) return true;
    if (c1.offset !== c2.offset || c1.length !== c2.length) return false;
  }
}

function allEmptySpans(s: readonly Span[], from: number): boolean {
  for (let i = from; i < s.length; i++) if (s[i]!.length > 0) return false;
  return true;
}

/**
 * ldexp is Go's math.Ldexp(frac, exp) = frac·2^exp with a single rounding, also where 2^exp alone
 * would overflow or underflow.
 */
export function ldexp(frac: number, exp: number): number {
  if (exp > 1000) return frac * 2 ** (exp - 100) * 2 ** 100;
  if (exp < -1000) return frac * 2 ** (exp + 100) * 2 ** -100;
  return frac * 2 ** exp;
}

/**
 * getBound returns the upper bound of the bucket with index idx (getBound): a custom value for
 * the custom buckets schema (−Inf for idx −1, +Inf past the last value), else the exponential
 * bound.
 */
export function getBound(idx: number, schema: number, customValues: readonly number[]): number {
  if (isCustomBucketsSchema(schema)) {
    const length = customValues.length;
    if (idx > length || idx < -1) {
      throw new HistogramError(
        "invalid",
        `index ${idx} out of bounds for custom bounds of length ${length}`,
      );
    }
    if (idx === length) return Infinity;
    if (idx === -1) return -Infinity;
    return customValues[idx]!;
  }
  return getBoundExponential(idx, schema);
}

/**
 * getBoundExponential returns the upper bound of bucket idx in an exponential schema. The bucket
 * just below the one for ±Inf observations ends at MaxFloat64 rather than +Inf.
 */
export function getBoundExponential(idx: number, schema: number): number {
  if (schema < 0) {
    const exp = idx << -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const fracIdx = idx & ((1 << schema) - 1);
  const frac = EXPONENTIAL_BOUNDS[schema]![fracIdx]!;
  const exp = (idx >> schema) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

/** targetIdx maps bucket index idx of originSchema to its index in the (lower) targetSchema. */
export function targetIdx(idx: number, originSchema: number, targetSchema: number): number {
  return ((idx - 1) >> (originSchema - targetSchema)) + 1;
}

/**
 * compactBuckets removes empty buckets at the start and end of spans, merges spans that are at
 * most maxEmptyBuckets apart, splits spans with more than maxEmptyBuckets consecutive empty
 * buckets and drops zero-length spans (compactBuckets for absolute counts). The inputs may be
 * modified; use the returned arrays.
 */
export function compactBuckets(
  bucketsIn: number[],
  spansIn: Span[],
  maxEmptyBuckets: number,
): [number[], Span[]] {
  let buckets = bucketsIn;
  let spans = spansIn;
  // Fast path: no empty bucket, no small offset and no empty span: nothing to do.
  let nothingToDo = true;
  for (const b of buckets) {
    if (b === 0) {
      nothingToDo = false;
      break;
    }
  }
  if (nothingToDo) {
    for (const s of spans) {
      if (s.offset <= maxEmptyBuckets || s.length === 0) {
        nothingToDo = false;
        break;
      }
    }
    if (nothingToDo) return [buckets, spans];
  }
  // Work on copies of the spans: they are shared with other histograms after a shallow copy.
  spans = spans.map((s) => ({ offset: s.offset, length: s.length }));

  let iBucket = 0;
  let iSpan = 0;
  let posInSpan = 0;
  let current = 0;

  const emptyBucketsHere = (): number => {
    let i = 0;
    let abs = current;
    while (i + posInSpan < spans[iSpan]!.length && abs === 0) {
      i++;
      if (i + iBucket >= buckets.length) break;
      abs = buckets[i + iBucket]!;
    }
    return i;
  };

  // Merge spans with zero offset to avoid special cases later.
  if (spans.length > 1) {
    for (let i = 0; i < spans.length - 1; i++) {
      const span = spans[i + 1]!;
      if (span.offset === 0) {
        spans[iSpan]!.length += span.length;
        continue;
      }
      iSpan++;
      if (i + 1 !== iSpan) spans[iSpan] = span;
    }
    spans = spans.slice(0, iSpan + 1);
    iSpan = 0;
  }

  // Merge spans with zero length to avoid special cases later.
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (span.length === 0) {
      if (i + 1 < spans.length) spans[i + 1]!.offset += span.offset;
      continue;
    }
    if (i !== iSpan) spans[iSpan] = span;
    iSpan++;
  }
  spans = spans.slice(0, iSpan);
  iSpan = 0;

  // Cut out empty buckets from the start and end of spans, no matter what, and from the middle
  // of a span when there are more than maxEmptyBuckets consecutive ones.
  buckets = buckets.slice();
  while (iBucket < buckets.length) {
    current = buckets[iBucket]!;
    const nEmpty = emptyBucketsHere();
    if (nEmpty > 0) {
      if (posInSpan > 0 && nEmpty < spans[iSpan]!.length - posInSpan && nEmpty <= maxEmptyBuckets) {
        // Few enough empty buckets in the middle of a span: keep them.
        iBucket += nEmpty;
        posInSpan += nEmpty;
        continue;
      }
      buckets.splice(iBucket, nEmpty);
      if (posInSpan === 0) {
        // Start of span.
        if (nEmpty === spans[iSpan]!.length) {
          // The whole span is empty.
          const offset = spans[iSpan]!.offset;
          spans.splice(iSpan, 1);
          if (spans.length > iSpan) spans[iSpan]!.offset += offset + nEmpty;
          continue;
        }
        spans[iSpan]!.length -= nEmpty;
        spans[iSpan]!.offset += nEmpty;
        continue;
      }
      // In the middle or at the end of the span: split it.
      const newSpan: Span = { offset: nEmpty, length: spans[iSpan]!.length - posInSpan - nEmpty };
      spans[iSpan]!.length = posInSpan;
      iSpan++;
      posInSpan = 0;
      if (newSpan.length === 0) {
        // We were at the end of the span; just move the next span's offset.
        if (iSpan < spans.length) spans[iSpan]!.offset += nEmpty;
        continue;
      }
      spans.splice(iSpan, 0, newSpan);
      continue;
    }
    iBucket++;
    posInSpan++;
    if (posInSpan >= spans[iSpan]!.length) {
      posInSpan = 0;
      iSpan++;
    }
  }
  if (maxEmptyBuckets === 0 || buckets.length === 0) return [buckets, spans];

  // Finally, merge spans whose gap is small enough, inserting empty buckets.
  iBucket = spans[0]!.length;
  iSpan = 1;
  while (iSpan < spans.length) {
    if (spans[iSpan]!.offset > maxEmptyBuckets) {
      iBucket += spans[iSpan]!.length;
      iSpan++;
      continue;
    }
    const offset = spans[iSpan]!.offset;
    spans[iSpan - 1]!.length += offset + spans[iSpan]!.length;
    spans.splice(iSpan, 1);
    buckets.splice(iBucket, 0, ...new Array<number>(offset).fill(0));
    iBucket += offset;
  }
  return [buckets, spans];
}

/**
 * reduceResolution merges the buckets of originSchema into the lower targetSchema
 * (reduceResolution for absolute counts). It returns new arrays.
 */
export function reduceResolution(
  originSpans: readonly Span[],
  originBuckets: readonly number[],
  originSchema: number,
  targetSchema: number,
): [Span[], number[]] {
  const targetSpans: Span[] = [];
  const targetBuckets: number[] = [];
  let bucketIdx = 0;
  let bucketCountIdx = 0;
  let lastTargetBucketIdx = 0;
  for (const span of originSpans) {
    bucketIdx += span.offset;
    for (let j = 0; j < span.length; j++) {
      const targetBucketIdx = targetIdx(bucketIdx, originSchema, targetSchema);
      const count = originBuckets[bucketCountIdx]!;
      if (targetSpans.length === 0) {
        targetSpans.push({ offset: targetBucketIdx, length: 1 });
        targetBuckets.push(count);
        lastTargetBucketIdx = targetBucketIdx;
      } else if (lastTargetBucketIdx === targetBucketIdx) {
        targetBuckets[targetBuckets.length - 1]! += count;
      } else if (lastTargetBucketIdx + 1 === targetBucketIdx) {
        targetSpans[targetSpans.length - 1]!.length++;
        lastTargetBucketIdx++;
        targetBuckets.push(count);
      } else if (lastTargetBucketIdx + 1 < targetBucketIdx) {
        targetSpans.push({ offset: targetBucketIdx - lastTargetBucketIdx - 1, length: 1 });
        lastTargetBucketIdx = targetBucketIdx;
        targetBuckets.push(count);
      }
      bucketIdx++;
      bucketCountIdx++;
    }
  }
  return [targetSpans, targetBuckets];
}

/**
 * addBuckets adds (or, when negative, subtracts) the buckets B to the buckets A, creating
 * missing buckets in A. All buckets use `schema`; for exponential schemas, buckets of B whose
 * upper bound is <= threshold (inside the zero bucket) are ignored. A's arrays are not modified;
 * new ones are returned.
 */
export function addBuckets(
  schema: number,
  threshold: number,
  negative: boolean,
  spansAIn: readonly Span[],
  bucketsAIn: readonly number[],
  spansB: readonly Span[],
  bucketsB: readonly number[],
): [Span[], number[]] {
  const spansA: Span[] = spansAIn.map((s) => ({ offset: s.offset, length: s.length }));
  const bucketsA: number[] = bucketsAIn.slice();
  let iSpan = -1;
  let iBucket = -1;
  let iInSpan = 0;
  let indexA = 0;
  let indexB = 0;
  let bIdxB = 0;
  let lowerThanThreshold = true;
  const exponential = isExponentialSchema(schema);

  for (const spanB of spansB) {
    indexB += spanB.offset;
    for (let j = 0; j < spanB.length; j++) {
      // The body of upstream's loop jumps to nextLoop; here each case `break`s out of `body`.
      body: {
        if (lowerThanThreshold && exponential && getBoundExponential(indexB, schema) <= threshold) {
          break body;
        }
        lowerThanThreshold = false;
        let bucketB = bucketsB[bIdxB]!;
        if (negative) bucketB *= -1;

        if (iSpan === -1) {
          if (spansA.length === 0 || spansA[0]!.offset > indexB) {
            // Add bucket before all others.
            bucketsA.unshift(bucketB);
            if (spansA.length > 0 && spansA[0]!.offset === indexB + 1) {
              spansA[0]!.length++;
              spansA[0]!.offset--;
              break body;
            }
            spansA.unshift({ offset: indexB, length: 1 });
            if (spansA.length > 1) {
              // Make the absolute offset of the formerly first span relative.
              spansA[1]!.offset -= indexB + 1;
            }
            break body;
          } else if (spansA[0]!.offset === indexB) {
            // Just add to the first bucket.
            bucketsA[0]! += bucketB;
            break body;
          }
          iSpan = 0;
          iBucket = 0;
          iInSpan = 0;
          indexA = spansA[0]!.offset;
        }
        let deltaIndex = indexB - indexA;
        for (;;) {
          const remainingInSpan = spansA[iSpan]!.length - iInSpan;
          if (deltaIndex < remainingInSpan) {
            // Bucket is in the current span.
            iBucket += deltaIndex;
            iInSpan += deltaIndex;
            bucketsA[iBucket]! += bucketB;
            break;
          }
          deltaIndex -= remainingInSpan;
          iBucket += remainingInSpan;
          iSpan++;
          if (iSpan === spansA.length || deltaIndex < spansA[iSpan]!.offset) {
            // Bucket is in the gap behind the previous span (or there are no further spans).
            bucketsA.splice(iBucket, 0, bucketB);
            if (deltaIndex === 0) {
              // Directly after the previous span: extend it.
              if (iSpan < spansA.length) spansA[iSpan]!.offset--;
              iSpan--;
              iInSpan = spansA[iSpan]!.length;
              spansA[iSpan]!.length++;
            } else if (iSpan < spansA.length && deltaIndex === spansA[iSpan]!.offset - 1) {
              // Directly before the next span: extend that one.
              iInSpan = 0;
              spansA[iSpan]!.offset--;
              spansA[iSpan]!.length++;
            } else {
              // Not adjacent to any span: add a new one.
              iInSpan = 0;
              if (iSpan < spansA.length) spansA[iSpan]!.offset -= deltaIndex + 1;
              spansA.splice(iSpan, 0, { offset: deltaIndex, length: 1 });
            }
            break;
          }
          // Try the start of the next span.
          deltaIndex -= spansA[iSpan]!.offset;
          iInSpan = 0;
        }
      }
      indexA = indexB;
      indexB++;
      bIdxB++;
    }
  }
  return [spansA, bucketsA];
}
