// OpenMetrics 1.0 text parser with the behaviour of OpenMetricsParser in prometheus/prometheus
// model/textparse/openmetricsparse.go and its lexer (openmetricslex.l): `# EOF` is required,
// blanks are single spaces, timestamps are seconds, exemplars follow ` # `, and `_created` lines
// give counters, summaries and histograms their start timestamps. Quoted UTF-8 metric and label
// names are accepted as Prometheus 3 does. The lexer is a hand-written form of that lexer's
// state machine, so token boundaries and error messages are the same.

import type { Label } from "../labels/index.ts";
import { labelsFromPairs } from "../labels/index.ts";
import type { ResultBuilder } from "./result.ts";
import type { Source } from "./source.ts";
import {
  TYPE_COUNTER,
  TYPE_HISTOGRAM,
  TYPE_NAMES,
  TYPE_SUMMARY,
  TYPE_UNKNOWN,
  isValidUtf8Text,
  quoteBytes,
  scanDecimal,
  sliceText,
  typeCode,
  unescapeLabelText,
} from "./source.ts";
import { NORMAL_NAN, goFormatF, goQuote, parsePromFloat } from "./strconv.ts";
import {
  C,
  T_BRACE_CLOSE,
  T_BRACE_OPEN,
  T_COMMA,
  T_COMMENT,
  T_EOF,
  T_EOF_WORD,
  T_EQUAL,
  T_HELP,
  T_INVALID,
  T_LINEBREAK,
  T_LNAME,
  T_LVALUE,
  T_MNAME,
  T_QSTRING,
  T_TEXT,
  T_TIMESTAMP,
  T_TYPE,
  T_UNIT,
  T_VALUE,
  CLASS,
  K_LNAME,
  K_MNAME,
  K_OM_VALUE,
  K_QUOTED_SPECIAL,
  isLabelNameStart,
  isMetricNameStart,
  scanClass,
  tokenName,
} from "./tokens.ts";
import { lineOf } from "./prom-parser.ts";
import { ExpositionError } from "./types.ts";

// Start conditions of the lexer.
const S_INIT = 0;
const S_COMMENT = 1;
const S_META1 = 2;
const S_META2 = 3;
const S_LABELS = 4;
const S_LVALUE = 5;
const S_VALUE = 6;
const S_TIMESTAMP = 7;
const S_EXEMPLAR = 8;
const S_EVALUE = 9;
const S_ETIMESTAMP = 10;

// isOMValueChar reports the characters of a value or timestamp: anything but NUL, newline, space.
function isOMValueChar(c: number): boolean {
  return c !== C.NUL && c !== C.LF && c !== C.SP;
}

/**
 * OpenMetricsLexer tokenizes OpenMetrics text, byte by byte. After a token, `start` is where it
 * began and `i` is just past it; after T_INVALID, `i` is at the byte that matched nothing.
 */
class OpenMetricsLexer {
  i = 0;
  start = 0;
  state = S_INIT;
  readonly n: number;

  constructor(readonly b: Uint8Array) {
    this.n = b.length;
  }

  // next advances one byte and returns it, or 0 at the end of input. NULs inside label values,
  // metadata text and after `# ` are skipped.
  private next(): number {
    if (++this.i >= this.n) return 0;
    let c = this.b[this.i]!;
    if (
      c === 0 &&
      (this.state === S_LVALUE || this.state === S_META2 || this.state === S_COMMENT)
    ) {
      while (c === 0) {
        if (++this.i >= this.n) return 0;
        c = this.b[this.i]!;
      }
    }
    return c;
  }

  lex(): number {
    const b = this.b;
    const n = this.n;
    if (this.i >= n) return T_EOF;
    let c = b[this.i]!;
    this.start = this.i;
    for (;;) {
      switch (this.state) {
        case S_INIT:
          if (isMetricNameStart(c)) {
            this.i = scanClass(b, this.i + 1, n, K_MNAME);
            this.state = S_VALUE;
            return T_MNAME;
          }
          if (c === C.HASH) {
            if (this.next() !== C.SP) return T_INVALID;
            c = this.next();
            this.state = S_COMMENT;
            continue;
          }
          if (c === C.LBRACE) {
            this.i++;
            this.state = S_LABELS;
            return T_BRACE_OPEN;
          }
          return T_INVALID;
        case S_COMMENT:
          switch (c) {
            case 0x45: // EOF, optionally followed by one newline
              if (this.next() !== 0x4f || this.next() !== 0x46) return T_INVALID;
              if (this.next() === C.LF) this.next();
              this.state = S_INIT;
              return T_EOF_WORD;
            case 0x48:
              return this.keyword("ELP", T_HELP);
            case 0x54:
              return this.keyword("YPE", T_TYPE);
            case 0x55:
              return this.keyword("NIT", T_UNIT);
            default:
              return T_INVALID;
          }
        case S_META1:
          if (c === C.QUOTE) {
            if (!this.quoted(true, false)) return T_INVALID;
            this.state = S_META2;
            return T_MNAME;
          }
          if (isMetricNameStart(c)) {
            this.i = scanClass(b, this.i + 1, n, K_MNAME);
            this.state = S_META2;
            return T_MNAME;
          }
          return T_INVALID;
        case S_META2: {
          // A space, the text, and the newline that ends the line (NULs in the text are skipped).
          if (c !== C.SP) return T_INVALID;
          let i = this.i + 1;
          while (i < n && b[i] !== C.LF) i++;
          if (i >= n) {
            this.i = n;
            return T_INVALID;
          }
          this.i = i + 1;
          this.state = S_INIT;
          return T_TEXT;
        }
        case S_LABELS:
        case S_EXEMPLAR: {
          const exemplar = this.state === S_EXEMPLAR;
          if (isLabelNameStart(c)) {
            this.i = scanClass(b, this.i + 1, n, K_LNAME);
            return T_LNAME;
          }
          if (c === C.EQUAL) {
            this.i++;
            this.state = exemplar ? S_EVALUE : S_LVALUE;
            return T_EQUAL;
          }
          if (c === C.COMMA) {
            this.i++;
            return T_COMMA;
          }
          if (c === C.RBRACE) {
            this.i++;
            this.state = exemplar ? S_EVALUE : S_VALUE;
            return T_BRACE_CLOSE;
          }
          if (c === C.QUOTE) return this.quoted(!exemplar, false) ? T_QSTRING : T_INVALID;
          return T_INVALID;
        }
        case S_LVALUE:
          if (c === C.QUOTE && this.quoted(false, true)) {
            this.state = S_LABELS;
            return T_LVALUE;
          }
          return T_INVALID;
        case S_VALUE:
          if (c === C.SP) return this.spaceThenRun(S_TIMESTAMP, T_VALUE);
          if (c === C.LBRACE) {
            this.i++;
            this.state = S_LABELS;
            return T_BRACE_OPEN;
          }
          return T_INVALID;
        case S_TIMESTAMP:
          if (c === C.LF) {
            this.i++;
            this.state = S_INIT;
            return T_LINEBREAK;
          }
          if (c !== C.SP) return T_INVALID;
          c = this.next();
          if (c === C.HASH) {
            c = this.next();
            if (c === C.SP) {
              // ` # {` starts an exemplar.
              if (this.next() !== C.LBRACE) return T_INVALID;
              this.i++;
              this.state = S_EXEMPLAR;
              return T_COMMENT;
            }
          } else if (!isOMValueChar(c)) {
            return T_INVALID;
          }
          this.i = scanClass(b, this.i, n, K_OM_VALUE);
          return T_TIMESTAMP;
        case S_EVALUE:
          if (c === C.SP) return this.spaceThenRun(S_ETIMESTAMP, T_VALUE);
          if (c === C.QUOTE && this.quoted(false, false)) {
            this.state = S_EXEMPLAR;
            return T_LVALUE;
          }
          return T_INVALID;
        case S_ETIMESTAMP:
          if (c === C.LF) {
            this.i++;
            this.state = S_INIT;
            return T_LINEBREAK;
          }
          if (c === C.SP) return this.spaceThenRun(S_ETIMESTAMP, T_TIMESTAMP);
          return T_INVALID;
        default:
          throw new Error(`invalid lexer state ${this.state}`);
      }
    }
  }

  // spaceThenRun matches a space followed by at least one value byte.
  private spaceThenRun(nextState: number, tok: number): number {
    const i = this.i + 1;
    if (i >= this.n || !isOMValueChar(this.b[i]!)) {
      this.i = Math.min(i, this.n);
      return T_INVALID;
    }
    this.i = scanClass(this.b, i + 1, this.n, K_OM_VALUE);
    this.state = nextState;
    return tok;
  }

  // keyword matches the rest of HELP, TYPE or UNIT and exactly one space after it.
  private keyword(rest: string, tok: number): number {
    for (let k = 0; k < rest.length; k++) {
      if (this.next() !== rest.charCodeAt(k)) return T_INVALID;
    }
    if (this.next() !== C.SP) return T_INVALID;
    this.next();
    this.state = S_META1;
    return tok;
  }

  // quoted scans a double-quoted string at the current `"`. Raw newlines are allowed only where
  // `newlines` is set (metric and label names), never right after a backslash. NULs are skipped
  // in label values (skipNul) and end the string elsewhere. It returns false, at the offending
  // byte, when the string does not end.
  private quoted(newlines: boolean, skipNul: boolean): boolean {
    const b = this.b;
    const n = this.n;
    let i = this.i + 1;
    for (;;) {
      while (i < n && (CLASS[b[i]!]! & K_QUOTED_SPECIAL) === 0) i++;
      if (i >= n) {
        this.i = n;
        return false;
      }
      const c = b[i]!;
      if (c === C.QUOTE) {
        this.i = i + 1;
        return true;
      }
      if (c === C.BACKSLASH) {
        i++;
        if (skipNul) while (i < n && b[i] === 0) i++;
        if (i >= n) {
          this.i = n;
          return false;
        }
        const e = b[i]!;
        if (e === C.LF || e === C.NUL) {
          this.i = i;
          return false;
        }
      } else if ((c === C.NUL && !skipNul) || (c === C.LF && !newlines)) {
        this.i = i;
        return false;
      }
      i++;
    }
  }
}

const OM_TYPES: Record<string, number> = {
  counter: TYPE_COUNTER,
  gauge: typeCode("gauge"),
  histogram: TYPE_HISTOGRAM,
  gaugehistogram: typeCode("gaugehistogram"),
  summary: TYPE_SUMMARY,
  info: typeCode("info"),
  stateset: typeCode("stateset"),
  unknown: TYPE_UNKNOWN,
};

// requiresStartTimestamp reports the types whose series may have a `_created` line
// (typeRequiresST in openmetricsparse.go).
function requiresStartTimestamp(code: number): boolean {
  return code === TYPE_COUNTER || code === TYPE_SUMMARY || code === TYPE_HISTOGRAM;
}

/** OpenMetricsParseOptions tunes parseOpenMetrics. */
export interface OpenMetricsParseOptions {
  /** skipCreatedSeries leaves `_created` lines of counters, summaries and histograms out. */
  skipCreatedSeries?: boolean;
}

/**
 * parseOpenMetrics parses an OpenMetrics text body into `out`, with the semantics of
 * textparse.OpenMetricsParser, including start ("created") timestamps. It throws
 * ExpositionError with OpenMetricsParser's message on the first error.
 */
export function parseOpenMetrics(
  src: Source,
  out: ResultBuilder,
  opts: OpenMetricsParseOptions = {},
): void {
  const p = new OpenMetricsParser(src, out, opts.skipCreatedSeries === true);
  p.run();
  p.resolveStartTimestamps();
}

// SeriesLine describes one series line for the start-timestamp pass: the sample it produced (or
// -1 when skipped), its run (lines between two metadata lines), whether it is a `_created` line,
// and what the key computation needs.
interface SeriesLine {
  sample: number;
  run: number;
  created: boolean;
  mfNameLen: number;
  // Key and value of a skipped `_created` line, computed while its offsets were at hand.
  key?: string;
  value?: number;
}

class OpenMetricsParser {
  private readonly l: OpenMetricsLexer;
  private readonly b: Uint8Array;
  private readonly raw: string;
  private start = 0;
  private mtype = TYPE_UNKNOWN;
  private mfNameLen = 0;
  private readonly offs: number[] = [];
  private offN = 0;
  private readonly eoffs: number[] = [];
  private eoffN = 0;
  private value = 0;
  private ts: number | undefined;
  private hasExemplar = false;
  private exValue = 0;
  private exTs: number | undefined;
  private run_ = 0;
  private readonly lines: SeriesLine[] = [];
  private sawCreated = false;

  constructor(
    private readonly src: Source,
    private readonly out: ResultBuilder,
    private readonly skipCreated: boolean,
  ) {
    this.b = src.bytes;
    this.raw = src.raw;
    this.l = new OpenMetricsLexer(this.b);
  }

  run(): void {
    const l = this.l;
    for (;;) {
      this.start = l.i;
      this.offN = 0;
      this.eoffN = 0;
      this.hasExemplar = false;
      const t = l.lex();
      switch (t) {
        case T_EOF_WORD:
          if (l.lex() !== T_EOF) throw this.error("unexpected data after # EOF");
          return;
        case T_EOF:
          throw this.error("data does not end with # EOF");
        case T_HELP:
        case T_TYPE:
        case T_UNIT:
          this.metadata(t);
          this.run_++;
          continue;
        case T_BRACE_OPEN:
          this.offs[0] = -1;
          this.offs[1] = -1;
          this.offN = 2;
          this.parseLabels(false);
          this.series(l.i, l.lex());
          continue;
        case T_MNAME: {
          this.offs[0] = this.start;
          this.offs[1] = l.i;
          this.offN = 2;
          let seriesEnd = l.i;
          let t2 = l.lex();
          if (t2 === T_BRACE_OPEN) {
            this.parseLabels(false);
            seriesEnd = l.i;
            t2 = l.lex();
          }
          this.series(seriesEnd, t2);
          continue;
        }
        default:
          throw this.parseError("expected a valid start token", t);
      }
    }
  }

  private metadata(t: number): void {
    const l = this.l;
    const t2 = l.lex();
    if (t2 !== T_MNAME) throw this.parseError(`expected metric name after ${tokenName(t)}`, t2);
    let mStart = l.start;
    let mEnd = l.i;
    if (this.b[mStart] === C.QUOTE && this.b[mEnd - 1] === C.QUOTE) {
      mStart++;
      mEnd--;
    }
    this.mfNameLen = mEnd - mStart;
    if (l.lex() !== T_TEXT) throw this.error(`expected text in ${tokenName(t)}`);
    // The text token is the separating space, the text and the newline.
    const textStart = l.i - l.start > 1 ? l.start + 1 : l.i;
    const textEnd = l.i - l.start > 1 ? l.i - 1 : l.i;
    const raw = this.raw.slice(textStart, textEnd);
    const family = (): string => unescapeLabelText(sliceText(this.src, mStart, mEnd));
    switch (t) {
      case T_TYPE: {
        const code = OM_TYPES[raw];
        if (code === undefined) throw this.error(`invalid metric type ${this.quote(raw)}`);
        this.mtype = code;
        this.out.metadataFor(family()).type = TYPE_NAMES[code]!;
        return;
      }
      case T_HELP:
        if (!isValidUtf8Text(this.src, textStart, textEnd)) {
          throw this.error(`help text ${this.quote(raw)} is not a valid utf8 string`);
        }
        this.out.metadataFor(family()).help = unescapeLabelText(
          sliceText(this.src, textStart, textEnd),
        );
        return;
      default: {
        // UNIT must be a `_<unit>` suffix of the family name.
        const m = this.raw.slice(mStart, mEnd);
        if (
          raw !== "" &&
          (!m.endsWith(raw) || m.length < raw.length + 1 || this.b[mEnd - raw.length - 1] !== 0x5f)
        ) {
          throw this.error(`unit ${this.quote(raw)} not a suffix of metric ${this.quote(m)}`);
        }
        this.out.metadataFor(family()).unit = sliceText(this.src, textStart, textEnd);
      }
    }
  }

  // parseLabels reads a label set after `{` up to and including `}`, into offs (series labels)
  // or eoffs (exemplar labels).
  private parseLabels(exemplar: boolean): void {
    const l = this.l;
    let t = l.lex();
    for (;;) {
      let curStart = l.start;
      let curEnd = l.i;
      let isQuoted = false;
      switch (t) {
        case T_BRACE_CLOSE:
          return;
        case T_LNAME:
          break;
        case T_QSTRING:
          isQuoted = true;
          break;
        default:
          throw this.parseError("expected label name", t);
      }
      t = l.lex();
      // A quoted string followed by a comma or `}` is the metric name (not in exemplars).
      if (isQuoted && (t === T_COMMA || t === T_BRACE_CLOSE)) {
        if (exemplar) throw this.parseError("expected label name", t);
        if (this.offs[0] !== -1 || this.offs[1] !== -1) {
          throw this.error(`metric name already set while parsing: ${this.slice(this.start, l.i)}`);
        }
        this.offs[0] = curStart + 1;
        this.offs[1] = curEnd - 1;
        if (t === T_BRACE_CLOSE) return;
        t = l.lex();
        continue;
      }
      if (this.b[curStart] === C.QUOTE) {
        curStart++;
        curEnd--;
      }
      const target = exemplar ? this.eoffs : this.offs;
      let n = exemplar ? this.eoffN : this.offN;
      target[n++] = curStart;
      target[n++] = curEnd;
      if (t !== T_EQUAL) throw this.parseError("expected equal", t);
      const t2 = l.lex();
      if (t2 !== T_LVALUE) throw this.parseError("expected label value", t2);
      if (!isValidUtf8Text(this.src, l.start, l.i)) {
        throw this.error(`invalid UTF-8 label value: ${this.slice(l.start, l.i)}`);
      }
      target[n++] = l.start + 1;
      target[n++] = l.i - 1;
      if (exemplar) this.eoffN = n;
      else this.offN = n;
      t = l.lex();
      if (t === T_COMMA) t = l.lex();
      else if (t !== T_BRACE_CLOSE) throw this.parseError("expected comma or brace close", t);
    }
  }

  // series reads the rest of a series line (value, optional timestamp, optional exemplar) starting
  // with token t, then records the sample.
  private series(seriesEnd: number, t: number): void {
    const l = this.l;
    if (this.offs[0] === -1) {
      throw this.error(`metric name not set while parsing: ${this.slice(this.start, l.i)}`);
    }
    this.value = this.floatValue(t, "metric");
    this.ts = undefined;
    const t2 = l.lex();
    switch (t2) {
      case T_EOF:
        throw this.error("data does not end with # EOF");
      case T_LINEBREAK:
        break;
      case T_COMMENT:
        this.parseExemplar();
        break;
      case T_TIMESTAMP: {
        const ts = this.parseTimestamp();
        if (Number.isNaN(ts) || !Number.isFinite(ts)) {
          throw this.error(`invalid timestamp ${goFormatF(ts)}`);
        }
        this.ts = Math.trunc(ts * 1000);
        const t3 = l.lex();
        if (t3 === T_COMMENT) this.parseExemplar();
        else if (t3 !== T_LINEBREAK) {
          throw this.parseError("expected next entry after timestamp", t3);
        }
        break;
      }
      default:
        // OpenMetricsParser does not check other tokens here; the next entry then fails.
        break;
    }
    this.record(seriesEnd);
  }

  private record(seriesEnd: number): void {
    const nameStart = this.offs[0]!;
    const nameEnd = this.offs[1]!;
    const created =
      requiresStartTimestamp(this.mtype) &&
      nameEnd - nameStart >= 8 &&
      this.raw.startsWith("_created", nameEnd - 8);
    if (created) this.sawCreated = true;
    const line: SeriesLine = {
      sample: -1,
      run: this.run_,
      created,
      mfNameLen: this.mfNameLen,
    };
    this.lines.push(line);
    if (created && this.skipCreated) {
      line.key = this.createdKey(this.offs, 0, this.offN, this.mtype);
      line.value = this.value;
      return;
    }
    const i = this.out.addSample(
      this.start,
      seriesEnd,
      this.offs,
      this.offN,
      this.mtype,
      this.value,
      this.ts,
    );
    line.sample = i;
    if (this.hasExemplar) {
      const pairs: Label[] = [];
      for (let k = 0; k < this.eoffN; k += 4) {
        pairs.push({
          name: unescapeLabelText(sliceText(this.src, this.eoffs[k]!, this.eoffs[k + 1]!)),
          value: unescapeLabelText(sliceText(this.src, this.eoffs[k + 2]!, this.eoffs[k + 3]!)),
        });
      }
      this.out.setExemplar(
        i,
        this.exTs === undefined
          ? { labels: labelsFromPairs(pairs), value: this.exValue }
          : { labels: labelsFromPairs(pairs), value: this.exValue, timestampMs: this.exTs },
      );
    }
  }

  private parseExemplar(): void {
    const l = this.l;
    this.parseLabels(true);
    this.hasExemplar = true;
    this.exValue = this.floatValue(l.lex(), "exemplar labels");
    this.exTs = undefined;
    const t2 = l.lex();
    switch (t2) {
      case T_EOF:
        throw this.error("data does not end with # EOF");
      case T_LINEBREAK:
        return;
      case T_TIMESTAMP: {
        const ts = this.parseTimestamp();
        if (Number.isNaN(ts) || !Number.isFinite(ts)) {
          throw this.error(`invalid exemplar timestamp ${goFormatF(ts)}`);
        }
        this.exTs = Math.trunc(ts * 1000);
        const t3 = l.lex();
        if (t3 !== T_LINEBREAK) {
          throw this.parseError("expected next entry after exemplar timestamp", t3);
        }
        return;
      }
      default:
        throw this.parseError("expected timestamp or comment", t2);
    }
  }

  // parseTimestamp parses the current timestamp token (after its leading space), in seconds.
  private parseTimestamp(): number {
    return this.parseNumber(this.l.start + 1, this.l.i);
  }

  private floatValue(t: number, after: string): number {
    if (t !== T_VALUE) throw this.parseError(`expected value after ${after}`, t);
    const v = this.parseNumber(this.l.start + 1, this.l.i);
    return v !== v ? NORMAL_NAN : v;
  }

  private parseNumber(a: number, e: number): number {
    const v = scanDecimal(this.b, a, e);
    if (v !== undefined) return v;
    try {
      return parsePromFloat(this.raw.slice(a, e), true);
    } catch (err) {
      throw this.wrap(err);
    }
  }

  /**
   * resolveStartTimestamps gives counters, summaries and histograms the start timestamp of their
   * `_created` line, reproducing OpenMetricsParser.StartTimestamp as the scrape loop calls it for
   * every sample: the first `_created` line after the sample, before the next metadata line,
   * must have the same labels (ignoring `le` of histograms and `quantile` of summaries) and the
   * family name; the last match is remembered, so later samples of the same series reuse it.
   */
  resolveStartTimestamps(): void {
    if (!this.sawCreated) return;
    const lines = this.lines;
    const nextCreated = new Int32Array(lines.length);
    let following = -1;
    for (let j = lines.length - 1; j >= 0; j--) {
      if (j + 1 < lines.length && lines[j + 1]!.run !== lines[j]!.run) following = -1;
      nextCreated[j] = following;
      if (lines[j]!.created) following = j;
    }
    let cacheKey: string | undefined;
    let cacheSt = 0;
    for (let j = 0; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.created || line.sample < 0) continue;
      const type = this.out.sampleType(line.sample);
      if (!requiresStartTimestamp(type)) {
        cacheKey = undefined;
        continue;
      }
      const key = this.sampleKey(line);
      if (key === cacheKey && cacheSt > 0) {
        this.out.setCreated(line.sample, cacheSt);
        continue;
      }
      const k = nextCreated[j]!;
      const c = k >= 0 ? lines[k]! : undefined;
      if (c === undefined || this.createdLineKey(c) !== key) {
        cacheKey = undefined;
        continue;
      }
      const v = c.sample >= 0 ? this.out.sampleValue(c.sample) : c.value!;
      const st = Math.trunc(v * 1000);
      cacheKey = key;
      cacheSt = st;
      if (st !== 0 && Number.isFinite(st)) this.out.setCreated(line.sample, st);
    }
  }

  // sampleKey identifies a sample's series for start-timestamp matching: its labels (without
  // le/quantile) and the first mfNameLen characters of its name, as seriesHash in
  // openmetricsparse.go computes it.
  private sampleKey(line: SeriesLine): string {
    const { offs, start, end } = this.out.sampleOffsets(line.sample);
    const [seriesStart] = this.out.seriesRange(line.sample);
    const quotedName = this.b[seriesStart] === C.LBRACE && this.b[seriesStart + 1] === C.QUOTE;
    const from = offs[start]!;
    const to = seriesStart + line.mfNameLen + (quotedName ? 2 : 0);
    const type = this.out.sampleType(line.sample);
    return this.labelKey(offs, start + 2, end, type) + this.raw.slice(from, Math.max(from, to));
  }

  private createdLineKey(line: SeriesLine): string {
    if (line.key !== undefined) return line.key;
    const { offs, start, end } = this.out.sampleOffsets(line.sample);
    return this.createdKey(offs, start, end - start, this.out.sampleType(line.sample));
  }

  // createdKey is the key of a `_created` line: its labels and its name without `_created`.
  private createdKey(offs: ArrayLike<number>, start: number, count: number, type: number): string {
    return (
      this.labelKey(offs, start + 2, start + count, type) +
      this.raw.slice(offs[start]!, offs[start + 1]! - 8)
    );
  }

  private labelKey(offs: ArrayLike<number>, from: number, to: number, type: number): string {
    let key = "";
    for (let k = from; k < to; k += 4) {
      const name = this.raw.slice(offs[k]!, offs[k + 1]!);
      if (type === TYPE_SUMMARY && name === "quantile") continue;
      if (type === TYPE_HISTOGRAM && name === "le") continue;
      key += name + "\xff" + this.raw.slice(offs[k + 2]!, offs[k + 3]!) + "\xfe";
    }
    return key;
  }

  // quote renders a latin1 slice of the body as Go's %q does.
  private quote(s: string): string {
    return goQuote(s, true);
  }

  private slice(a: number, b: number): string {
    return quoteBytes(this.src, a, b);
  }

  private wrap(err: unknown): ExpositionError {
    const msg = err instanceof Error ? err.message : String(err);
    return this.error(`${msg} while parsing: ${this.slice(this.start, this.l.i)}`);
  }

  private parseError(exp: string, got: number): ExpositionError {
    const l = this.l;
    const e = Math.min(l.n, l.i + 1);
    return this.error(
      `${exp}, got ${this.slice(l.start, e)} (${goQuote(tokenName(got))}) while parsing: ${this.slice(this.start, e)}`,
    );
  }

  private error(msg: string): ExpositionError {
    return new ExpositionError(msg, lineOf(this.b, this.start));
  }
}
