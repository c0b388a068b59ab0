// Prometheus text format parser with the behaviour of TextParser in prometheus/common
// expfmt/text_parse.go, the stricter parser behind promtool, the Pushgateway and client
// libraries. Besides the per-line samples it builds the metric families expfmt returns
// (summaries and histograms merged per label set), which is what a promtool-style lint needs.
// The states below follow TextParser's state functions one to one.

import type { Label } from "../labels/index.ts";
import { METRIC_NAME } from "../labels/index.ts";
import { finishLabels } from "./result.ts";
import type { ResultBuilder } from "./result.ts";
import type { Source } from "./source.ts";
import { decodeLatin1Bytes } from "./source.ts";
import {
  NORMAL_NAN,
  formatGoFloat,
  goQuote,
  goQuoteRune,
  parseGoInt,
  parsePromFloat,
} from "./strconv.ts";
import { C } from "./tokens.ts";
import type { MetricType, NameValidation } from "./types.ts";
import { ExpositionError } from "./types.ts";
import { isUtf8 } from "node:buffer";

/** FamilyType is a metric family type as expfmt names it (dto.MetricType, lower case). */
export type FamilyType =
  "counter" | "gauge" | "summary" | "untyped" | "histogram" | "gauge_histogram";

/** Quantile is one quantile of a summary. */
export interface Quantile {
  readonly quantile: number;
  readonly value: number;
}

/** Bucket is one cumulative histogram bucket; exactly one of the two counts is set. */
export interface Bucket {
  readonly upperBound: number;
  readonly cumulativeCount?: number;
  readonly cumulativeCountFloat?: number;
}

/** FamilyMetric is one metric of a family, as expfmt builds it (dto.Metric). */
export interface FamilyMetric {
  /** labels are in exposition order; a summary's quantile and a histogram's le are not here. */
  readonly labels: readonly Label[];
  readonly timestampMs?: number;
  /** value is set for counters, gauges and untyped metrics. */
  readonly value?: number;
  readonly summary?: {
    readonly sampleCount?: number;
    readonly sampleSum?: number;
    readonly quantiles: readonly Quantile[];
  };
  /**
   * histogram counts are integers unless any count is fractional, in which case all of them are
   * floats (normalizeHistogram in expfmt/text_parse.go).
   */
  readonly histogram?: {
    readonly sampleCount?: number;
    readonly sampleCountFloat?: number;
    readonly sampleSum?: number;
    readonly buckets: readonly Bucket[];
  };
}

/** MetricFamily is a metric family as expfmt.TextParser returns it. */
export interface MetricFamily {
  readonly name: string;
  readonly type: FamilyType;
  readonly help?: string;
  readonly metrics: readonly FamilyMetric[];
}

interface MutQuantile {
  quantile: number;
  value: number;
}
interface MutBucket {
  upperBound: number;
  cumulativeCount?: number;
  cumulativeCountFloat?: number;
}
interface MutMetric {
  labels: Label[];
  timestampMs?: number;
  value?: number;
  summary?: { sampleCount?: number; sampleSum?: number; quantiles: MutQuantile[] };
  histogram?: {
    sampleCount?: number;
    sampleCountFloat?: number;
    sampleSum?: number;
    buckets: MutBucket[];
  };
}
interface MutFamily {
  name: string;
  type?: FamilyType;
  help?: string;
  metrics: MutMetric[];
}

const FAMILY_TYPES: Record<string, FamilyType> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  SUMMARY: "summary",
  UNTYPED: "untyped",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "gauge_histogram",
  // Tolerated because OpenMetrics spells it this way.
  GAUGEHISTOGRAM: "gauge_histogram",
};

const METADATA_TYPES: Record<FamilyType, MetricType> = {
  counter: "counter",
  gauge: "gauge",
  summary: "summary",
  untyped: "unknown",
  histogram: "histogram",
  gauge_histogram: "gaugehistogram",
};

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// States of the parser (the state functions of expfmt.TextParser).
const DONE = 0;
const START_OF_LINE = 1;
const START_COMMENT = 2;
const READING_METRIC_NAME = 3;
const READING_LABELS = 4;
const START_LABEL_NAME = 5;
const START_LABEL_VALUE = 6;
const READING_VALUE = 7;
const START_TIMESTAMP = 8;
const READING_HELP = 9;
const READING_TYPE = 10;

function isBlank(c: number): boolean {
  return c === C.SP || c === C.TAB;
}

function isLabelNameStartByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === C.QUOTE;
}

// Continuation characters of names; inside quotes any ASCII character continues a name, but a
// non-ASCII byte never does (isValidLabelNameContinuation in expfmt/text_parse.go).
function isLabelNameContinuation(c: number, quoted: boolean): boolean {
  return isLabelNameStartByte(c) || (c >= 0x30 && c <= 0x39) || (quoted && c < 0x80);
}

function isMetricNameContinuation(c: number, quoted: boolean): boolean {
  return isLabelNameContinuation(c, quoted) || c === 0x3a;
}

/** ExpfmtResult is what parseExpfmtText produces besides the samples it adds. */
export interface ExpfmtResult {
  readonly families: MetricFamily[];
}

/**
 * parseExpfmtText parses a Prometheus text format body with the semantics of
 * expfmt.TextParser.TextToMetricFamilies: samples (one per line) and metadata go into `out`, and
 * the merged metric families are returned. Errors are ExpositionErrors with expfmt's
 * `text format parsing error in line N: ...` messages.
 */
export function parseExpfmtText(
  src: Source,
  out: ResultBuilder | undefined,
  validation: NameValidation = "utf8",
): ExpfmtResult {
  return { families: new ExpfmtParser(src, out, validation).run() };
}

class ExpfmtParser {
  private readonly b: string;
  private readonly n: number;
  private pos = 0;
  private cur = 0;
  private curPos = 0;
  private eof = false;
  private line = 0;
  private token = "";
  // Pieces of the token being read, when escapes or quotes interrupt it.
  private acc = "";
  private seg = 0;

  private readonly families = new Map<string, MutFamily>();
  private mf: MutFamily | undefined;
  private metric: MutMetric | undefined;
  private pairName = "";
  // Index in `pairs` of the pair whose value comes next, or -1 for a quantile/le label.
  private pairIndex = -1;
  private pairs: Label[] = [];
  private currentLabels = new Map<string, string>();
  private readonly summaries = new Map<string, MutMetric>();
  private readonly histograms = new Map<string, MutMetric>();
  private quantile = NaN;
  private bucket = NaN;
  private isSummaryCount = false;
  private isSummarySum = false;
  private isHistogramCount = false;
  private isHistogramSum = false;
  private insideBraces = false;
  private insideBracesPresent = false;

  // Per-line sample view.
  private lineStart = 0;
  private lineName = "";
  private linePairs: Label[] = [];
  private lineSample = -1;

  constructor(
    private readonly src: Source,
    private readonly out: ResultBuilder | undefined,
    private readonly validation: NameValidation,
  ) {
    // Bytes as latin1 characters: expfmt reads byte by byte, and so does this parser.
    this.b = src.raw;
    this.n = this.b.length;
  }

  run(): MetricFamily[] {
    let state = START_OF_LINE;
    while (state !== DONE) {
      switch (state) {
        case START_OF_LINE:
          state = this.startOfLine();
          break;
        case START_COMMENT:
          state = this.startComment();
          break;
        case READING_METRIC_NAME:
          state = this.readingMetricName();
          break;
        case READING_LABELS:
          state = this.readingLabels();
          break;
        case START_LABEL_NAME:
          state = this.startLabelName();
          break;
        case START_LABEL_VALUE:
          state = this.startLabelValue();
          break;
        case READING_VALUE:
          state = this.readingValue();
          break;
        case START_TIMESTAMP:
          state = this.startTimestamp();
          break;
        case READING_HELP:
          state = this.readingHelp();
          break;
        case READING_TYPE:
          state = this.readingType();
          break;
        default:
          throw new Error(`invalid parser state ${state}`);
      }
    }
    return this.result();
  }

  private result(): MetricFamily[] {
    const out: MetricFamily[] = [];
    for (const mf of this.families.values()) {
      if (mf.metrics.length === 0) continue;
      for (const m of mf.metrics) normalizeHistogram(m);
      out.push({
        name: mf.name,
        type: mf.type ?? "untyped",
        ...(mf.help !== undefined ? { help: mf.help } : {}),
        metrics: mf.metrics,
      });
    }
    return out;
  }

  // --- errors -----------------------------------------------------------------------------

  private fail(msg: string): ExpositionError {
    return new ExpositionError(`text format parsing error in line ${this.line}: ${msg}`, this.line);
  }

  private unexpectedEnd(): ExpositionError {
    return this.fail("unexpected end of input stream");
  }

  // q renders a token (latin1 characters standing for bytes) as Go's %q does.
  private q(s: string): string {
    return goQuote(s, true);
  }

  // --- reading ----------------------------------------------------------------------------

  private readByte(): void {
    if (this.pos >= this.n) {
      this.eof = true;
      this.cur = 0;
      this.curPos = this.n;
      return;
    }
    this.curPos = this.pos;
    this.cur = this.b.charCodeAt(this.pos++);
  }

  private skipBlankTab(): void {
    do this.readByte();
    while (!this.eof && isBlank(this.cur));
  }

  private skipBlankTabIfCurrentBlankTab(): void {
    if (isBlank(this.cur)) this.skipBlankTab();
  }

  private tokenStart(pos: number): void {
    this.acc = "";
    this.seg = pos;
  }

  // tokenDrop ends the current piece before pos and skips the character at pos.
  private tokenDrop(pos: number): void {
    this.acc += this.b.slice(this.seg, pos);
    this.seg = pos + 1;
  }

  private tokenEnd(pos: number): string {
    const raw = this.acc + this.b.slice(this.seg, pos);
    return raw;
  }

  // text decodes a token (latin1 characters standing for bytes) as UTF-8.
  private text(raw: string): string {
    return this.src.ascii ? raw : decodeLatin1Bytes(raw);
  }

  private isValidText(raw: string): boolean {
    return !this.src.binary || isUtf8(Buffer.from(raw, "latin1"));
  }

  private readTokenUntilWhitespace(): void {
    const start = this.curPos;
    while (!this.eof && !isBlank(this.cur) && this.cur !== C.LF) this.readByte();
    this.token = this.b.slice(start, this.curPos);
  }

  // readTokenUntilNewline reads the rest of the line. With escapes, `\\`, `\n` and `\"` are
  // recognised and any other escape is an error; without, backslashes are dropped (as expfmt
  // does).
  private readTokenUntilNewline(escapes: boolean): void {
    this.tokenStart(this.curPos);
    let escaped = false;
    while (!this.eof) {
      const c = this.cur;
      if (escapes && escaped) {
        if (c === C.BACKSLASH || c === C.QUOTE) {
          // Keep the character itself; the backslash was dropped.
        } else if (c === 0x6e) {
          this.tokenDrop(this.curPos);
          this.acc += "\n";
        } else {
          throw this.fail(`invalid escape sequence '\\${String.fromCharCode(c)}'`);
        }
        escaped = false;
      } else if (c === C.LF) {
        this.token = this.tokenEnd(this.curPos);
        return;
      } else if (c === C.BACKSLASH) {
        this.tokenDrop(this.curPos);
        escaped = true;
      }
      this.readByte();
    }
    this.token = this.tokenEnd(this.n);
  }

  // readName reads a metric or label name, bare or quoted, starting at the current character.
  private readName(metric: boolean): void {
    this.token = "";
    const startOk = metric
      ? isLabelNameStartByte(this.cur) || this.cur === 0x3a
      : isLabelNameStartByte(this.cur);
    if (!startOk) return;
    this.tokenStart(this.curPos);
    let quoted = false;
    let escaped = false;
    while (!this.eof) {
      const c = this.cur;
      if (escaped) {
        if (c === 0x6e) {
          this.tokenDrop(this.curPos);
          this.acc += "\n";
        } else if (c !== C.BACKSLASH && c !== C.QUOTE) {
          throw this.fail(`invalid escape sequence '\\${String.fromCharCode(c)}'`);
        }
        escaped = false;
      } else if (c === C.QUOTE) {
        this.tokenDrop(this.curPos);
        quoted = !quoted;
        if (!quoted) {
          this.token = this.tokenEnd(this.curPos + 1);
          this.readByte();
          return;
        }
      } else if (c === C.LF) {
        const what = metric ? "metric name" : "label name";
        throw this.fail(
          `${what} ${this.q(this.tokenEnd(this.curPos))} contains unescaped new-line`,
        );
      } else if (c === C.BACKSLASH) {
        this.tokenDrop(this.curPos);
        escaped = true;
      }
      this.readByte();
      const cont = metric
        ? isMetricNameContinuation(this.cur, quoted)
        : isLabelNameContinuation(this.cur, quoted);
      if (!cont || (!quoted && this.cur === (metric ? C.SP : C.EQUAL))) break;
    }
    this.token = this.tokenEnd(this.curPos);
  }

  // readLabelValue reads a quoted label value; the opening quote is the current character.
  private readLabelValue(): void {
    this.tokenStart(this.curPos + 1);
    let escaped = false;
    for (;;) {
      this.readByte();
      if (this.eof) return;
      const c = this.cur;
      if (escaped) {
        if (c === 0x6e) {
          this.tokenDrop(this.curPos);
          this.acc += "\n";
        } else if (c !== C.QUOTE && c !== C.BACKSLASH) {
          this.pairs = [];
          throw this.fail(`invalid escape sequence '\\${String.fromCharCode(c)}'`);
        }
        escaped = false;
        continue;
      }
      if (c === C.QUOTE) {
        this.token = this.tokenEnd(this.curPos);
        return;
      }
      if (c === C.LF) {
        throw this.fail(
          `label value ${this.q(this.tokenEnd(this.curPos))} contains unescaped new-line`,
        );
      }
      if (c === C.BACKSLASH) {
        this.tokenDrop(this.curPos);
        escaped = true;
      }
    }
  }

  // --- names and families ------------------------------------------------------------------

  private isValidMetricName(name: string): boolean {
    if (this.validation === "legacy") return LEGACY_METRIC_NAME.test(name);
    return name.length > 0 && this.isValidText(name);
  }

  private isValidLabelName(name: string): boolean {
    if (this.validation === "legacy") return LEGACY_LABEL_NAME.test(name);
    return name.length > 0 && this.isValidText(name);
  }

  private mfType(): FamilyType {
    // dto's GetType on a family without a type (or no family) reports COUNTER.
    return this.mf?.type ?? "counter";
  }

  private setOrCreateCurrentMF(): void {
    this.isSummaryCount = false;
    this.isSummarySum = false;
    this.isHistogramCount = false;
    this.isHistogramSum = false;
    const raw = this.token;
    if (!this.isValidMetricName(raw)) throw this.fail(`invalid metric name ${this.q(raw)}`);
    const name = this.text(raw);
    this.lineName = name;
    let mf = this.families.get(name);
    if (mf !== undefined) {
      this.mf = mf;
      return;
    }
    mf = this.families.get(summaryMetricName(name));
    if (mf !== undefined && mf.type === "summary") {
      this.mf = mf;
      this.isSummaryCount = isCount(name);
      this.isSummarySum = isSum(name);
      return;
    }
    mf = this.families.get(histogramMetricName(name));
    if (mf !== undefined && (mf.type === "histogram" || mf.type === "gauge_histogram")) {
      this.mf = mf;
      this.isHistogramCount = isCount(name);
      this.isHistogramSum = isSum(name);
      return;
    }
    this.mf = { name, metrics: [] };
    this.families.set(name, this.mf);
  }

  private newMetric(): void {
    const mf = this.mf!;
    mf.type ??= "untyped";
    this.metric = { labels: [] };
  }

  // --- states -----------------------------------------------------------------------------

  private startOfLine(): number {
    this.line++;
    this.insideBraces = false;
    this.insideBracesPresent = false;
    this.skipBlankTab();
    if (this.eof) return DONE;
    this.lineStart = this.curPos;
    this.lineName = "";
    this.linePairs = [];
    this.lineSample = -1;
    switch (this.cur) {
      case C.HASH:
        return START_COMMENT;
      case C.LF:
        return START_OF_LINE;
      case C.LBRACE:
        this.insideBraces = true;
        return READING_LABELS;
      default:
        return READING_METRIC_NAME;
    }
  }

  private startComment(): number {
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    if (this.cur === C.LF) return START_OF_LINE;
    this.readTokenUntilWhitespace();
    if (this.eof) throw this.unexpectedEnd();
    if (this.cur === C.LF) return START_OF_LINE;
    const keyword = this.token;
    if (keyword !== "HELP" && keyword !== "TYPE") {
      // A plain comment: skip to the end of the line.
      while (this.cur !== C.LF) {
        this.readByte();
        if (this.eof) throw this.unexpectedEnd();
      }
      return START_OF_LINE;
    }
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    this.readName(true);
    if (this.eof) throw this.unexpectedEnd();
    if (this.cur === C.LF) return START_OF_LINE;
    if (!isBlank(this.cur)) throw this.fail("invalid metric name in comment");
    this.setOrCreateCurrentMF();
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    if (this.cur === C.LF) return START_OF_LINE;
    return keyword === "HELP" ? READING_HELP : READING_TYPE;
  }

  private readingMetricName(): number {
    this.readName(true);
    if (this.eof) throw this.unexpectedEnd();
    if (this.token.length === 0) throw this.fail("invalid metric name");
    this.setOrCreateCurrentMF();
    this.newMetric();
    this.skipBlankTabIfCurrentBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    return READING_LABELS;
  }

  private readingLabels(): number {
    const t = this.mfType();
    if (t === "summary" || t === "histogram" || t === "gauge_histogram") {
      this.currentLabels = new Map([[METRIC_NAME, this.mf!.name]]);
      this.quantile = NaN;
      this.bucket = NaN;
    }
    if (this.cur !== C.LBRACE) return READING_VALUE;
    return START_LABEL_NAME;
  }

  private closeLabels(): number {
    if (this.metric === undefined) throw this.fail("invalid metric name");
    this.metric.labels.push(...this.pairs);
    this.pairs = [];
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    return READING_VALUE;
  }

  private startLabelName(): number {
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    if (this.cur === C.RBRACE) {
      if (this.mf === undefined) {
        this.pairs = [];
        throw this.fail("invalid metric name");
      }
      return this.closeLabels();
    }
    this.readName(false);
    if (this.eof) throw this.unexpectedEnd();
    if (this.token.length === 0) {
      throw this.fail(`invalid label name for metric ${goQuote(this.mf?.name ?? "")}`);
    }
    this.skipBlankTabIfCurrentBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    if (this.cur !== C.EQUAL) {
      if (this.insideBraces) {
        // A quoted name without `=` inside the braces is the metric name.
        if (this.insideBracesPresent) {
          throw this.fail(`multiple metric names for metric ${goQuote(this.mf?.name ?? "")}`);
        }
        switch (this.cur) {
          case C.COMMA:
            this.setOrCreateCurrentMF();
            this.newMetric();
            this.insideBracesPresent = true;
            return START_LABEL_NAME;
          case C.RBRACE:
            this.setOrCreateCurrentMF();
            this.newMetric();
            return this.closeLabels();
          default:
            throw this.fail(`unexpected end of metric name ${goQuoteRune(this.cur)}`);
        }
      }
      this.pairs = [];
      throw this.fail(`expected '=' after label name, found ${goQuoteRune(this.cur)}`);
    }
    const name = this.token;
    if (name === METRIC_NAME) {
      this.pairs = [];
      throw this.fail(`label name ${goQuote(METRIC_NAME)} is reserved`);
    }
    if (!this.isValidLabelName(name)) {
      this.pairs = [];
      throw this.fail(`invalid label name ${this.q(name)}`);
    }
    this.pairName = this.text(name);
    const t = this.mfType();
    const special =
      (t === "summary" && this.pairName === "quantile") ||
      ((t === "histogram" || t === "gauge_histogram") && this.pairName === "le");
    this.pairIndex = -1;
    if (!special) {
      for (const p of this.pairs) {
        if (p.name === this.pairName) {
          this.pairs = [];
          throw this.fail(`duplicate label names for metric ${goQuote(this.mf?.name ?? "")}`);
        }
      }
      // The value is filled in by startLabelValue.
      this.pairIndex = this.pairs.length;
      this.pairs.push({ name: this.pairName, value: "" });
    }
    return START_LABEL_VALUE;
  }

  private startLabelValue(): number {
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    if (this.cur !== C.QUOTE) {
      throw this.fail(`expected '"' at start of label value, found ${goQuoteRune(this.cur)}`);
    }
    this.readLabelValue();
    if (this.eof) throw this.unexpectedEnd();
    if (!this.isValidText(this.token)) throw this.fail(`invalid label value ${this.q(this.token)}`);
    const name = this.pairName;
    const value = this.text(this.token);
    if (this.pairIndex >= 0) this.pairs[this.pairIndex] = { name, value };
    let lineValue = value;
    const t = this.mfType();
    if (t === "summary") {
      if (name === "quantile") {
        try {
          this.quantile = parsePromFloat(value);
        } catch {
          this.pairs = [];
          throw this.fail(`expected float as value for 'quantile' label, got ${goQuote(value)}`);
        }
        lineValue = formatGoFloat(this.quantile);
      } else {
        this.currentLabels.set(name, value);
      }
    }
    if (t === "histogram" || t === "gauge_histogram") {
      if (name === "le") {
        try {
          this.bucket = parsePromFloat(value);
        } catch {
          throw this.fail(`expected float as value for 'le' label, got ${goQuote(value)}`);
        }
        lineValue = formatGoFloat(this.bucket);
      } else {
        this.currentLabels.set(name, value);
      }
    }
    this.linePairs.push({ name, value: lineValue });
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    switch (this.cur as number) {
      case C.COMMA:
        return START_LABEL_NAME;
      case C.RBRACE:
        if (this.mf === undefined) throw this.fail("invalid metric name");
        return this.closeLabels();
      default:
        this.pairs = [];
        throw this.fail(`unexpected end of label value ${goQuote(value)}`);
    }
  }

  private readingValue(): number {
    const mf = this.mf!;
    let metric = this.metric!;
    const t = this.mfType();
    if (t === "summary" || t === "histogram" || t === "gauge_histogram") {
      const index = t === "summary" ? this.summaries : this.histograms;
      const sig = signature(this.currentLabels);
      const existing = index.get(sig);
      if (existing !== undefined) metric = existing;
      else {
        index.set(sig, metric);
        mf.metrics.push(metric);
      }
      this.metric = metric;
    } else {
      mf.metrics.push(metric);
    }
    const valueStart = this.curPos;
    this.readTokenUntilWhitespace();
    if (this.eof) throw this.unexpectedEnd();
    let value: number;
    try {
      value = parsePromFloat(this.token);
    } catch {
      throw this.fail(`expected float as value, got ${this.q(this.token)}`);
    }
    if (value !== value) value = NORMAL_NAN;
    switch (t) {
      case "counter":
      case "gauge":
      case "untyped":
        metric.value = value;
        break;
      case "summary": {
        const s = (metric.summary ??= { quantiles: [] });
        if (this.isSummaryCount) s.sampleCount = toUint(value);
        else if (this.isSummarySum) s.sampleSum = value;
        else if (!Number.isNaN(this.quantile)) s.quantiles.push({ quantile: this.quantile, value });
        break;
      }
      case "histogram":
      case "gauge_histogram": {
        const h = (metric.histogram ??= { buckets: [] });
        if (this.isHistogramCount) {
          if (isUint(value)) h.sampleCount = value;
          else {
            if (value < 0) throw this.fail(`negative count for histogram ${goQuote(mf.name)}`);
            h.sampleCountFloat = value;
          }
        } else if (this.isHistogramSum) {
          h.sampleSum = value;
        } else if (!Number.isNaN(this.bucket)) {
          if (isUint(value)) h.buckets.push({ upperBound: this.bucket, cumulativeCount: value });
          else {
            if (value < 0) {
              throw this.fail(`negative bucket population for histogram ${goQuote(mf.name)}`);
            }
            h.buckets.push({ upperBound: this.bucket, cumulativeCountFloat: value });
          }
        }
        break;
      }
    }
    if (this.out !== undefined) {
      const series = this.text(this.b.slice(this.lineStart, valueStart)).trimEnd();
      const labels = finishLabels([{ name: METRIC_NAME, value: this.lineName }, ...this.linePairs]);
      this.lineSample = this.out.addBuiltSample(series, labels, value, undefined);
    }
    if (this.cur === C.LF) return START_OF_LINE;
    return START_TIMESTAMP;
  }

  private startTimestamp(): number {
    this.skipBlankTab();
    if (this.eof) throw this.unexpectedEnd();
    this.readTokenUntilWhitespace();
    if (this.eof) throw this.unexpectedEnd();
    let ts: number;
    try {
      ts = parseGoInt(this.token);
    } catch {
      throw this.fail(`expected integer as timestamp, got ${this.q(this.token)}`);
    }
    this.metric!.timestampMs = ts;
    this.readTokenUntilNewline(false);
    if (this.eof) throw this.unexpectedEnd();
    if (this.token.length > 0) {
      throw this.fail(`spurious string after timestamp: ${this.q(this.token)}`);
    }
    if (this.out !== undefined && this.lineSample >= 0) this.out.setTimestamp(this.lineSample, ts);
    return START_OF_LINE;
  }

  private readingHelp(): number {
    const mf = this.mf!;
    if (mf.help !== undefined) {
      throw this.fail(`second HELP line for metric name ${goQuote(mf.name)}`);
    }
    this.readTokenUntilNewline(true);
    if (this.eof) throw this.unexpectedEnd();
    mf.help = this.text(this.token);
    if (this.out !== undefined) this.out.metadataFor(mf.name).help = mf.help;
    return START_OF_LINE;
  }

  private readingType(): number {
    const mf = this.mf!;
    if (mf.type !== undefined) {
      throw this.fail(
        `second TYPE line for metric name ${goQuote(mf.name)}, or TYPE reported after samples`,
      );
    }
    this.readTokenUntilNewline(false);
    if (this.eof) throw this.unexpectedEnd();
    const type = FAMILY_TYPES[this.token.toUpperCase()];
    if (type === undefined) throw this.fail(`unknown metric type ${this.q(this.token)}`);
    mf.type = type;
    if (this.out !== undefined) this.out.metadataFor(mf.name).type = METADATA_TYPES[type];
    return START_OF_LINE;
  }
}

function isCount(name: string): boolean {
  return name.length > 6 && name.endsWith("_count");
}

function isSum(name: string): boolean {
  return name.length > 4 && name.endsWith("_sum");
}

function isBucket(name: string): boolean {
  return name.length > 7 && name.endsWith("_bucket");
}

function summaryMetricName(name: string): string {
  if (isCount(name)) return name.slice(0, -6);
  if (isSum(name)) return name.slice(0, -4);
  return name;
}

function histogramMetricName(name: string): string {
  if (isBucket(name)) return name.slice(0, -7);
  return summaryMetricName(name);
}

const TWO_64 = 2 ** 64;

// isUint reports whether Go's `float64(uint64(v)) == v` holds: v is a whole number in uint64 range.
function isUint(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < TWO_64;
}

// toUint approximates Go's uint64(v) for the summary count.
function toUint(v: number): number {
  return Number.isFinite(v) && v >= 0 ? Math.trunc(v) : 0;
}

// signature identifies a summary or histogram by its labels other than quantile/le
// (model.LabelsToSignature): equal label maps give equal strings.
function signature(labels: Map<string, string>): string {
  const names = [...labels.keys()].sort();
  let s = "";
  for (const n of names) s += n + "\xff" + labels.get(n)! + "\xfe";
  return s;
}

// normalizeHistogram makes a histogram's counts all integers or, if any is fractional, all
// floats (normalizeHistogram in expfmt/text_parse.go).
function normalizeHistogram(m: MutMetric): void {
  const h = m.histogram;
  if (h === undefined) return;
  const anyFloats =
    (h.sampleCountFloat ?? 0) !== 0 || h.buckets.some((b) => (b.cumulativeCountFloat ?? 0) !== 0);
  if (!anyFloats) return;
  if ((h.sampleCountFloat ?? 0) === 0) {
    h.sampleCountFloat = h.sampleCount ?? 0;
    delete h.sampleCount;
  }
  for (const b of h.buckets) {
    if ((b.cumulativeCountFloat ?? 0) === 0) {
      b.cumulativeCountFloat = b.cumulativeCount ?? 0;
      delete b.cumulativeCount;
    }
  }
}
