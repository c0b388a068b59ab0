// Warnings and infos a query returns alongside its result, after prometheus
// util/annotations/annotations.go (v3.5): the same texts, each tied to the position of the
// sub-expression it is about, rendered as "<text> (<line>:<col>)".
import { HistogramError } from "../../model/histogram/index.ts";
import { formatPosition, goQuote } from "../parser/index.ts";
import type { PositionRange } from "../parser/index.ts";
import { formatGoG } from "./format.ts";

/** AnnotationKind separates warnings (results may be wrong) from infos (hints). */
export type AnnotationKind = "warning" | "info";

/** Annotation is one warning or info. `text` starts with "PromQL warning: " or "PromQL info: ". */
export interface Annotation {
  readonly kind: AnnotationKind;
  readonly text: string;
  readonly pos: PositionRange | null;
}

/** Annotations is a de-duplicated, ordered set of annotations (keyed on text and position). */
export class Annotations {
  readonly #items = new Map<string, Annotation>();

  add(a: Annotation): this {
    const key = `${a.text}\u0000${a.pos ? `${a.pos.start}:${a.pos.end}` : ""}`;
    if (!this.#items.has(key)) this.#items.set(key, a);
    return this;
  }

  merge(other: Annotations | undefined): this {
    if (other) for (const a of other.#items.values()) this.add(a);
    return this;
  }

  get size(): number {
    return this.#items.size;
  }

  [Symbol.iterator](): IterableIterator<Annotation> {
    return this.#items.values();
  }

  /**
   * asStrings renders the annotations against the query text as the API returns them
   * (AsStrings): at most maxWarnings warnings and maxInfos infos (0 = unlimited), followed by
   * "N more warning annotations omitted" lines.
   */
  asStrings(query: string, maxWarnings = 0, maxInfos = 0): { warnings: string[]; infos: string[] } {
    const warnings: string[] = [];
    const infos: string[] = [];
    let warnSkipped = 0;
    let infoSkipped = 0;
    for (const a of this.#items.values()) {
      const s = renderAnnotation(a, query);
      if (a.kind === "warning") {
        if (maxWarnings === 0 || warnings.length < maxWarnings) warnings.push(s);
        else warnSkipped++;
      } else if (maxInfos === 0 || infos.length < maxInfos) infos.push(s);
      else infoSkipped++;
    }
    if (warnSkipped > 0) warnings.push(`${warnSkipped} more warning annotations omitted`);
    if (infoSkipped > 0) infos.push(`${infoSkipped} more info annotations omitted`);
    return { warnings, infos };
  }
}

/** renderAnnotation renders a as "<text> (<line>:<col>)" when query is given. */
export function renderAnnotation(a: Annotation, query: string): string {
  if (query === "" || a.pos === null) return a.text;
  return `${a.text} (${formatPosition(query, a.pos.start)})`;
}

const WARN = "PromQL warning: ";
const INFO = "PromQL info: ";

function warning(text: string, pos: PositionRange | null): Annotation {
  return { kind: "warning", text: WARN + text, pos };
}
function info(text: string, pos: PositionRange | null): Annotation {
  return { kind: "info", text: INFO + text, pos };
}

const q = goQuote;

export const invalidQuantileWarning = (v: number, pos: PositionRange): Annotation =>
  warning(`quantile value should be between 0 and 1, got ${formatGoG(v)}`, pos);

export const invalidRatioWarning = (v: number, to: number, pos: PositionRange): Annotation =>
  warning(
    `ratio value should be between -1 and 1, got ${formatGoG(v)}, capping to ${formatGoG(to)}`,
    pos,
  );

export const badBucketLabelWarning = (
  metricName: string,
  label: string,
  pos: PositionRange,
): Annotation =>
  warning(
    `bucket label "le" is missing or has a malformed value of ${q(label)} for metric name ${q(metricName)}`,
    pos,
  );

export const mixedFloatsHistogramsWarning = (metricName: string, pos: PositionRange): Annotation =>
  warning(`encountered a mix of histograms and floats for metric name ${q(metricName)}`, pos);

export const mixedFloatsHistogramsAggWarning = (pos: PositionRange): Annotation =>
  warning(`encountered a mix of histograms and floats for aggregation`, pos);

export const mixedClassicNativeHistogramsWarning = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  warning(
    `vector contains a mix of classic and native histograms for metric name ${q(metricName)}`,
    pos,
  );

export const possibleNonCounterInfo = (metricName: string, pos: PositionRange): Annotation =>
  info(
    `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${q(metricName)}`,
    pos,
  );

export const histogramQuantileForcedMonotonicityInfo = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  info(
    `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${q(metricName)}`,
    pos,
  );

export const incompatibleTypesInBinOpInfo = (
  lhsType: string,
  operator: string,
  rhsType: string,
  pos: PositionRange,
): Annotation =>
  info(
    `incompatible sample types encountered for binary operator ${q(operator)}: ${lhsType} ${operator} ${rhsType}`,
    pos,
  );

export const histogramIgnoredInAggregationInfo = (
  aggregation: string,
  pos: PositionRange,
): Annotation => info(`ignored histogram in ${aggregation} aggregation`, pos);

export const histogramIgnoredInMixedRangeInfo = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  info(
    `ignored histograms in a range containing both floats and histograms for metric name ${q(metricName)}`,
    pos,
  );

export const nativeHistogramNotCounterWarning = (
  metricName: string,
  pos: PositionRange,
): Annotation => warning(`this native histogram metric is not a counter: ${q(metricName)}`, pos);

export const nativeHistogramNotGaugeWarning = (
  metricName: string,
  pos: PositionRange,
): Annotation => warning(`this native histogram metric is not a gauge: ${q(metricName)}`, pos);

export const mixedExponentialCustomHistogramsWarning = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  warning(
    `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${q(metricName)}`,
    pos,
  );

export const incompatibleCustomBucketsHistogramsWarning = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  warning(
    `vector contains histograms with incompatible custom buckets for metric name ${q(metricName)}`,
    pos,
  );

export const incompatibleBucketLayoutInBinOpWarning = (
  operator: string,
  pos: PositionRange,
): Annotation =>
  warning(`incompatible bucket layout encountered for binary operator ${operator}`, pos);

export const nativeHistogramQuantileNaNResultInfo = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  info(
    `input to histogram_quantile has NaN observations, result is NaN for metric name ${q(metricName)}`,
    pos,
  );

export const nativeHistogramQuantileNaNSkewInfo = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  info(
    `input to histogram_quantile has NaN observations, result is skewed higher for metric name ${q(metricName)}`,
    pos,
  );

export const nativeHistogramFractionNaNsInfo = (
  metricName: string,
  pos: PositionRange,
): Annotation =>
  info(
    `input to histogram_fraction has NaN observations, which are excluded from all fractions for metric name ${q(metricName)}`,
    pos,
  );

/**
 * histogramErrorWarning turns an incompatibility error of histogram arithmetic into its
 * warning (upstream's handling of ErrHistogramsIncompatibleSchema/Bounds), or undefined for
 * other errors.
 */
export function histogramErrorWarning(
  err: unknown,
  metricName: string,
  pos: PositionRange,
): Annotation | undefined {
  if (!(err instanceof HistogramError)) return undefined;
  if (err.kind === "incompatible_schema") {
    return mixedExponentialCustomHistogramsWarning(metricName, pos);
  }
  if (err.kind === "incompatible_bounds") {
    return incompatibleCustomBucketsHistogramsWarning(metricName, pos);
  }
  return undefined;
}
