// Native histograms (model/histogram in Prometheus): the FloatHistogram PromQL computes with,
// its bucket layout helpers and the conversion of classic histograms into custom buckets.
export type { CounterResetHint, FloatHistogramInit } from "./float-histogram.ts";
export { FloatHistogram, FloatBucketIterator, bucketString } from "./float-histogram.ts";
export type { Bucket, BucketIterator, Span } from "./generic.ts";
export {
  CUSTOM_BUCKETS_SCHEMA,
  EXPONENTIAL_SCHEMA_MAX,
  EXPONENTIAL_SCHEMA_MIN,
  HistogramError,
  errHistogramsIncompatibleBounds,
  errHistogramsIncompatibleSchema,
  floatBucketsMatch,
  getBound,
  getBoundExponential,
  isCustomBucketsSchema,
  isExponentialSchema,
  sameBits,
  spansMatch,
} from "./generic.ts";
export { TempHistogram } from "./nhcb.ts";
