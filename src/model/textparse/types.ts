// Public vocabulary of the exposition parsers: metric types, metadata, exemplars, the parse result
// and its entries, parse options and the error type.

import type { Labels } from "../labels/index.ts";
import type { ScrapeProtocol } from "./negotiate.ts";

/**
 * MetricType is a metric family's type as Prometheus records it (model.MetricType in
 * prometheus/common). The text format's `untyped` is reported as `unknown`, and expfmt's
 * `gauge_histogram` as `gaugehistogram`.
 */
export type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "gaugehistogram"
  | "summary"
  | "info"
  | "stateset"
  | "unknown";

/**
 * ExpositionFormat names the text formats the parsers read: the Prometheus text format
 * (`text/plain`, versions 0.0.4 and 1.0.0) and OpenMetrics text (`application/openmetrics-text`,
 * versions 0.0.1 and 1.0.0).
 */
export type ExpositionFormat = "prometheus-text" | "openmetrics-text";

/** Exemplar is the exemplar an OpenMetrics sample line may carry after ` # `. */
export interface Exemplar {
  /** labels are the exemplar's own labels (for example trace_id), sorted by name. */
  readonly labels: Labels;
  readonly value: number;
  /** timestampMs is the exemplar's timestamp, converted from seconds and truncated to ms. */
  readonly timestampMs?: number;
}

/**
 * MetricMetadata is what TYPE, HELP and UNIT lines say about a metric family. Fields that no
 * line set keep their defaults: type `unknown`, help and unit empty.
 */
export interface MetricMetadata {
  readonly metricFamily: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

/**
 * MetadataEntry is one metadata record in exposition order. Consecutive TYPE, HELP and UNIT lines
 * for the same family, with no sample between them, make one record; `sampleIndex` is the number
 * of samples that come before it, so the record precedes sample `sampleIndex`.
 */
export interface MetadataEntry extends MetricMetadata {
  readonly kind: "metadata";
  readonly sampleIndex: number;
}

/** SampleEntry is one float sample, as ParseResult.entries() yields it. */
export interface SampleEntry {
  readonly kind: "sample";
  /** series is the raw series text, see ParseResult.series. */
  readonly series: string;
  /** labels include `__name__`; see ParseResult.labels. */
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs?: number;
  readonly exemplar?: Exemplar;
  readonly createdTimestampMs?: number;
}

/** ExpositionEntry is an entry of ParseResult.entries(): a sample or a metadata record. */
export type ExpositionEntry = SampleEntry | MetadataEntry;

/**
 * ParseResult holds the samples of one exposition in a columnar form a scrape loop can use without
 * allocating per sample: values in a Float64Array (which keeps NaN payloads intact), the raw
 * series text for cache look-ups, and labels built only on request.
 *
 * Typical use, mirroring Prometheus's scrape loop (scrape/scrape.go, `append`): look up
 * `series(i)` in a cache of series references, call `labels(i)` only on a miss, and append
 * `values[i]` at `timestampMs(i) ?? scrapeTimeMs`.
 */
export interface ParseResult {
  /** format is the format that was parsed (after content negotiation and fallback). */
  readonly format: ExpositionFormat;
  /** length is the number of samples. */
  readonly length: number;
  /**
   * values[i] is sample i's value. A `NaN` in the exposition is NORMAL_NAN (Prometheus's
   * value.NormalNaN), never the staleness marker. Read values from this array (or one at a
   * time); do not copy them into plain JS arrays, which canonicalise NaN payloads.
   */
  readonly values: Float64Array;
  /** metadata lists TYPE/HELP/UNIT records in exposition order (see MetadataEntry). */
  readonly metadata: readonly MetadataEntry[];
  /** warnings are non-fatal notes, such as a content type replaced by the fallback protocol. */
  readonly warnings: readonly string[];
  /**
   * series(i) is the exposition text that identifies sample i's series: the metric name and label
   * set exactly as written (textparse.Parser.Series in Prometheus), such as `a_total{b="c"}`.
   * Equal text means equal labels, so it is a good cache key. It may be a slice of the whole
   * body; copy it before keeping it long-term if the body should be freed.
   */
  series(i: number): string;
  /**
   * seriesKey(i) is a string that identifies sample i's series text for a cache: the text's
   * bytes one per character (latin1). The other series* methods work on those bytes without
   * making a string, so that a cache keeping series texts as bytes looks a sample up without
   * allocating (scrape loops look up every sample of every scrape): seriesLength(i) is their
   * number, seriesHash(i) is their 32-bit FNV-1a hash, seriesIs(i, b, off) tells whether
   * b[off, off + seriesLength(i)) holds them, and copySeries(i, b, off) writes them there.
   */
  seriesKey(i: number): string;
  seriesLength(i: number): number;
  seriesHash(i: number): number;
  seriesIs(i: number, b: Uint8Array, off: number): boolean;
  copySeries(i: number, b: Uint8Array, off: number): void;
  /** seriesExpected(i) tells whether sample i's series text is ParseOptions.expect's text i. */
  seriesExpected(i: number): boolean;
  /**
   * labels(i) builds sample i's labels: `__name__` plus the written labels, unescaped, sorted,
   * with empty values dropped (as Prometheus's label builder does in the scrape loop). `le` of
   * histograms and `quantile` of summaries are respelled canonically (`1` becomes `1.0`, as
   * normalizeFloatsInLabelValues in model/textparse). Throws ExpositionError when a label name
   * repeats, which Prometheus rejects when appending (`label name "x" is not unique`).
   */
  labels(i: number): Labels;
  /** timestampMs(i) is sample i's explicit timestamp in milliseconds, if it has one. */
  timestampMs(i: number): number | undefined;
  /** exemplar(i) is sample i's exemplar (OpenMetrics only). */
  exemplar(i: number): Exemplar | undefined;
  /**
   * createdTimestampMs(i) is the start ("created") timestamp of sample i's series from a matching
   * `_created` line, for OpenMetrics counters, summaries and histograms, found the way
   * OpenMetricsParser.StartTimestamp finds it (model/textparse/openmetricsparse.go).
   */
  createdTimestampMs(i: number): number | undefined;
  /** entries yields metadata records and samples in exposition order. */
  entries(): IterableIterator<ExpositionEntry>;
}

/** TextParser selects the implementation behind the Prometheus text format. */
export type TextParser = "promparse" | "expfmt";

/** NameValidation selects the metric and label name rules of the expfmt parser. */
export type NameValidation = "utf8" | "legacy";

/** ParseOptions tunes parseExposition. */
export interface ParseOptions {
  /**
   * fallbackScrapeProtocol is used when the content type is missing, unparsable or unsupported,
   * like a scrape config's `fallback_scrape_protocol`. Without it such a body is an error, as in
   * Prometheus 3.
   */
  fallbackScrapeProtocol?: ScrapeProtocol;
  /**
   * textParser picks the Prometheus text format parser. `promparse` (default) behaves like
   * model/textparse PromParser, which Prometheus's scrape loop uses. `expfmt` behaves like
   * prometheus/common expfmt.TextParser (used by promtool and the Pushgateway): stricter (a final
   * newline is required, TYPE after samples, a second HELP, bad escapes and negative histogram
   * counts are errors) with `text format parsing error in line N: ...` messages.
   */
  textParser?: TextParser;
  /** nameValidation applies to the expfmt parser only: `utf8` (default) or `legacy` names. */
  nameValidation?: NameValidation;
  /**
   * skipCreatedSeries drops OpenMetrics `_created` lines of counters, summaries and histograms
   * from the samples (they still feed createdTimestampMs), as Prometheus does when it ingests
   * created timestamps (WithOMParserSTSeriesSkipped). Default false: they are ordinary samples.
   */
  skipCreatedSeries?: boolean;
  /**
   * expect lists the series texts a caller expects at each sample position, such as a scrape
   * cache's view of the target's last scrape. The Prometheus text parser compares a sample line
   * that starts at position k with text k, a word at a time, and when the line starts with it and
   * a blank follows, records the sample without lexing its series; seriesExpected(k) then tells
   * so. Anything else is parsed as usual.
   */
  expect?: ExpectedSeries;
}

/** ExpectedSeries: text k is bytes[off[k], off[k] + len[k]); len[k] < 0 expects nothing. */
export interface ExpectedSeries {
  readonly bytes: Uint8Array;
  readonly off: Int32Array;
  readonly len: Int32Array;
  readonly count: number;
}

/**
 * ExpositionError reports an exposition that cannot be parsed. Its message is the one
 * Prometheus gives for the same input; `line` is the 1-based line where the failing entry starts,
 * when known.
 */
export class ExpositionError extends Error {
  override readonly name = "ExpositionError";
  readonly line: number | undefined;

  constructor(message: string, line?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.line = line;
  }
}
