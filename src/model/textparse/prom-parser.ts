// Prometheus text format (0.0.4 and 1.0.0) parser with the behaviour of PromParser in
// prometheus/prometheus model/textparse/promparse.go, the parser Prometheus's scrape loop uses,
// and of its lexer (promlex.l): the same token boundaries, the same accepted inputs and the same
// error messages. The lexer below is a hand-written form of that lexer's state machine.

import type { ResultBuilder } from "./result.ts";
import type { Source } from "./source.ts";
import {
  TYPE_NAMES,
  TYPE_UNKNOWN,
  isValidUtf8Text,
  quoteBytes,
  scanDecimal,
  scanInt,
  sliceText,
  typeCode,
  unescapeHelpText,
  unescapeLabelText,
} from "./source.ts";
import { NORMAL_NAN, goQuote, parseGoInt, parsePromFloat } from "./strconv.ts";
import {
  C,
  T_BRACE_CLOSE,
  T_BRACE_OPEN,
  T_COMMA,
  T_COMMENT,
  T_EOF,
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
  T_VALUE,
  T_WHITESPACE,
  CLASS,
  K_BLANK,
  K_DIGIT,
  K_LNAME,
  K_LNAME_START,
  K_MNAME,
  K_MNAME_START,
  K_PROM_VALUE,
  K_QUOTED_SPECIAL,
  isDigit,
  isLabelNameStart,
  isMetricNameStart,
  scanClass,
  tokenName,
} from "./tokens.ts";
import type { ExpectedSeries } from "./types.ts";
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

function isBlank(c: number): boolean {
  return c === C.SP || c === C.TAB;
}

/**
 * PromLexer tokenizes the Prometheus text format, byte by byte. After a token, `start` is where it
 * began and `i` is just past it; after T_INVALID, `i` is at the byte that matched nothing. Hot
 * loops scan with local indexes; they skip NUL bytes exactly where Prometheus's lexer does
 * (inside label values, metadata text and comments).
 */
class PromLexer {
  i = 0;
  start = 0;
  state = S_INIT;
  readonly n: number;

  constructor(readonly b: Uint8Array) {
    this.n = b.length;
  }

  // next advances one byte and returns it, or 0 at the end of input. Inside label values,
  // metadata text and comments, NUL bytes are skipped here (they are allowed there).
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
          if (c === C.LF) {
            this.i++;
            return T_LINEBREAK;
          }
          if (isBlank(c)) return this.whitespace();
          if (c === C.HASH) {
            c = this.next();
            if (!isBlank(c)) return this.consumeComment();
            do c = this.next();
            while (isBlank(c));
            // `#` and blanks: look for HELP or TYPE at the current byte.
            this.state = S_COMMENT;
            continue;
          }
          if (c === C.LBRACE) {
            this.i++;
            this.state = S_LABELS;
            return T_BRACE_OPEN;
          }
          if (c === C.NUL) {
            this.i++;
            return T_EOF;
          }
          return T_INVALID;
        case S_COMMENT:
          if (c === 0x48 && this.keyword("ELP")) {
            this.state = S_META1;
            return T_HELP;
          }
          if (c === 0x54 && this.keyword("YPE")) {
            this.state = S_META1;
            return T_TYPE;
          }
          if (isBlank(c)) return this.whitespace();
          // Any other comment, including one that merely starts like HELP or TYPE.
          return this.consumeComment();
        case S_META1:
          if (c === C.QUOTE) {
            if (!this.quoted(false)) return T_INVALID;
            this.state = S_META2;
            return T_MNAME;
          }
          if (isMetricNameStart(c)) {
            this.i = scanClass(b, this.i + 1, n, K_MNAME);
            this.state = S_META2;
            return T_MNAME;
          }
          if (isBlank(c)) return this.whitespace();
          return T_INVALID;
        case S_META2: {
          let i = this.i;
          if (isBlank(c)) {
            // Blanks followed by nothing are whitespace; the empty text comes next.
            i = this.skipBlanks(i + 1);
            if (i >= n || b[i] === C.LF) {
              this.i = i;
              return T_WHITESPACE;
            }
          } else if (c === C.NUL || c === C.LF) {
            this.state = S_INIT;
            return T_TEXT;
          }
          // The text runs to the end of the line; NULs in it are skipped, not ends.
          while (i < n && b[i] !== C.LF) i++;
          this.i = i;
          this.state = S_INIT;
          return T_TEXT;
        }
        case S_LABELS:
          if (isLabelNameStart(c)) {
            this.i = scanClass(b, this.i + 1, n, K_LNAME);
            return T_LNAME;
          }
          if (c === C.EQUAL) {
            this.i++;
            this.state = S_LVALUE;
            return T_EQUAL;
          }
          if (c === C.COMMA) {
            this.i++;
            return T_COMMA;
          }
          if (c === C.RBRACE) {
            this.i++;
            this.state = S_VALUE;
            return T_BRACE_CLOSE;
          }
          if (c === C.QUOTE) return this.quoted(false) ? T_QSTRING : T_INVALID;
          if (isBlank(c)) return this.whitespace();
          return T_INVALID;
        case S_LVALUE:
          if (c === C.QUOTE) {
            if (!this.quoted(true)) return T_INVALID;
            this.state = S_LABELS;
            return T_LVALUE;
          }
          if (isBlank(c)) return this.whitespace();
          return T_INVALID;
        case S_VALUE:
          if (isBlank(c)) return this.whitespace();
          if (c === C.LBRACE) {
            this.i++;
            this.state = S_LABELS;
            return T_BRACE_OPEN;
          }
          if (isValueChar(c)) {
            this.i = scanClass(b, this.i + 1, n, K_PROM_VALUE);
            this.state = S_TIMESTAMP;
            return T_VALUE;
          }
          return T_INVALID;
        case S_TIMESTAMP:
          if (c === C.LF) {
            this.i++;
            this.state = S_INIT;
            return T_LINEBREAK;
          }
          if (isBlank(c)) return this.whitespace();
          if (isDigit(c)) {
            this.i = scanClass(b, this.i + 1, n, K_DIGIT);
            return T_TIMESTAMP;
          }
          return T_INVALID;
        default:
          throw new Error(`invalid lexer state ${this.state}`);
      }
    }
  }

  // whitespace consumes blanks (and NULs where NULs are skipped) after the current blank.
  private whitespace(): number {
    this.i = this.skipBlanks(this.i + 1);
    return T_WHITESPACE;
  }

  private skipBlanks(i: number): number {
    const skipNul = this.state === S_LVALUE || this.state === S_META2 || this.state === S_COMMENT;
    const b = this.b;
    while (i < this.n) {
      const c = b[i]!;
      if (c === C.SP || c === C.TAB || (skipNul && c === C.NUL)) i++;
      else break;
    }
    return i;
  }

  // keyword matches the rest of HELP or TYPE and the blanks after it. On a mismatch the comment
  // is consumed as a plain comment by the caller.
  private keyword(rest: string): boolean {
    for (let k = 0; k < rest.length; k++) {
      if (this.next() !== rest.charCodeAt(k)) return false;
    }
    let c = this.next();
    if (!isBlank(c)) return false;
    do c = this.next();
    while (isBlank(c));
    return true;
  }

  // quoted scans a double-quoted string starting at the current `"`; newlines may appear in it,
  // but not right after a backslash. NULs are skipped in label values (skipNul) and end the
  // string elsewhere. It returns false, at the offending byte, when the string does not end.
  private quoted(skipNul: boolean): boolean {
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
      } else if (c === C.NUL && !skipNul) {
        this.i = i;
        return false;
      }
      i++;
    }
  }

  // consumeComment skips to the end of the line; the newline is left for the next token. A NUL
  // (or the end of input) ends the input instead.
  private consumeComment(): number {
    const b = this.b;
    const n = this.n;
    let i = this.i;
    if (i >= n || b[i] === C.NUL) return T_EOF;
    if (this.state === S_COMMENT) {
      // NULs are skipped inside a `# ` comment.
      while (i < n && b[i] !== C.LF) i++;
    } else {
      while (i < n && b[i] !== C.LF && b[i] !== C.NUL) i++;
    }
    this.i = i;
    if (i >= n || b[i] === C.NUL) return T_EOF;
    this.state = S_INIT;
    return T_COMMENT;
  }
}

// isValueChar reports the characters of a sample value: anything but NUL, blanks, newline and `{`.
function isValueChar(c: number): boolean {
  return c !== C.NUL && c !== C.TAB && c !== C.LF && c !== C.SP && c !== C.LBRACE;
}

const PROM_TYPES: Record<string, number> = {
  counter: typeCode("counter"),
  gauge: typeCode("gauge"),
  histogram: typeCode("histogram"),
  summary: typeCode("summary"),
  untyped: TYPE_UNKNOWN,
};

/**
 * parsePromText parses a Prometheus text format body into `out`, with the semantics of
 * textparse.PromParser: blank lines and comments are skipped, and a NUL at the start of a line
 * ends the input. The source must end with PROM_EXTRA (PromParser appends a newline, so a last
 * line without one is fine). It throws ExpositionError with PromParser's message on the first
 * error.
 */
export function parsePromText(
  src: Source,
  out: ResultBuilder,
  opts: { lexerOnly?: boolean; expect?: ExpectedSeries | undefined } = {},
): void {
  const fast = opts.lexerOnly !== true && !src.binary;
  new PromParser(src, out, fast, fast ? opts.expect : undefined).run();
}

/**
 * seriesOffsets returns the offsets (as ResultBuilder.addSample takes them) of the series of the
 * sample line at `start`, parsed again by the lexer; the line must parse.
 */
export function seriesOffsets(src: Source, start: number): number[] {
  const p = new PromParser(src, undefined, false, undefined);
  p.line(start);
  return p.lineOffsets();
}

/** PROM_EXTRA is what PromParser appends to a body before parsing: a newline. */
export const PROM_EXTRA = "\n";

class PromParser {
  private readonly l: PromLexer;
  private readonly b: Uint8Array;
  private start = 0;
  private mtype = TYPE_UNKNOWN;
  private readonly offs: number[] = [];
  private offN = 0;

  private readonly view: DataView;
  private readonly expView: DataView | undefined;

  constructor(
    private readonly src: Source,
    /** out receives the samples; without it the parser only checks (seriesOffsets). */
    private readonly out: ResultBuilder | undefined,
    /** fast tries sampleLine before the lexer on lines that start with a metric name. */
    private readonly fast: boolean,
    private readonly expect: ExpectedSeries | undefined,
  ) {
    this.b = src.bytes;
    this.l = new PromLexer(this.b);
    this.view = new DataView(this.b.buffer, this.b.byteOffset, this.b.length);
    this.expView =
      expect && new DataView(expect.bytes.buffer, expect.bytes.byteOffset, expect.bytes.length);
  }

  /** line parses the one line at `start` with the lexer (seriesOffsets). */
  line(start: number): void {
    this.l.i = start;
    this.l.state = S_INIT;
    this.start = start;
    this.offN = 0;
    const t = this.nextToken();
    if (t === T_BRACE_OPEN) {
      this.push(-1, -1);
      this.parseLabels();
    } else if (t === T_MNAME) {
      this.push(this.start, this.l.i);
      if (this.nextToken() === T_BRACE_OPEN) this.parseLabels();
    } else {
      throw this.parseError("expected a valid start token", t);
    }
  }

  lineOffsets(): number[] {
    return this.offs.slice(0, this.offN);
  }

  private nextToken(): number {
    for (;;) {
      const t = this.l.lex();
      if (t !== T_WHITESPACE) return t;
    }
  }

  run(): void {
    const l = this.l;
    const b = this.b;
    for (;;) {
      this.start = l.i;
      this.offN = 0;
      if (this.fast && l.i < l.n && (CLASS[b[l.i]!]! & K_MNAME_START) !== 0) {
        let next = this.expected(l.i);
        if (next < 0) next = this.sampleLine(l.i);
        if (next >= 0) {
          l.i = next;
          continue;
        }
      }
      const t = this.nextToken();
      switch (t) {
        case T_EOF:
          return;
        case T_LINEBREAK:
          continue;
        case T_HELP:
        case T_TYPE:
          this.metadata(t);
          continue;
        case T_COMMENT: {
          const t2 = this.nextToken();
          if (t2 !== T_LINEBREAK) throw this.parseError("linebreak expected after comment", t2);
          continue;
        }
        case T_BRACE_OPEN: {
          // The metric name may come inside the braces; -1 marks it as not yet seen.
          this.push(-1, -1);
          this.parseLabels();
          const seriesEnd = l.i;
          this.sample(this.nextToken(), seriesEnd);
          continue;
        }
        case T_MNAME: {
          // As in PromParser, the name is taken from the start of the line, so blanks that
          // indent the line become part of the metric name.
          this.push(this.start, l.i);
          let seriesEnd = l.i;
          let t2 = this.nextToken();
          if (t2 === T_BRACE_OPEN) {
            this.parseLabels();
            seriesEnd = l.i;
            t2 = this.nextToken();
          }
          this.sample(t2, seriesEnd);
          continue;
        }
        default:
          throw this.parseError("expected a valid start token", t);
      }
    }
  }

  /**
   * sampleLine parses the common form of a sample line starting at s, a metric name start:
   * `name{label="value",...} value [timestamp]` with blanks only between the parts, plain
   * label names, a value scanDecimal can read and a timestamp scanInt can read. It records the
   * sample exactly as the token path would and returns the index after the line's newline, or
   * -1 (recording nothing) for any other line, which the token path then parses from the start,
   * with its errors. The state of the lexer is S_INIT before and after.
   */
  private sampleLine(s: number): number {
    const b = this.b;
    const n = this.l.n;
    const offs = this.offs;
    let i = scanClass(b, s + 1, n, K_MNAME);
    offs[0] = s;
    offs[1] = i;
    let offN = 2;
    let seriesEnd = i;
    if (b[i] === C.LBRACE) {
      i++;
      for (;;) {
        if (i >= n) return -1;
        let c = b[i]!;
        if (c === C.RBRACE) break;
        if ((CLASS[c]! & K_LNAME_START) === 0) return -1;
        const nameStart = i;
        i = scanClass(b, i + 1, n, K_LNAME);
        if (b[i] !== C.EQUAL || b[i + 1] !== C.QUOTE) return -1;
        const valueStart = i + 2;
        offs[offN++] = nameStart;
        offs[offN++] = i;
        i = valueStart;
        for (;;) {
          while (i < n && (CLASS[b[i]!]! & K_QUOTED_SPECIAL) === 0) i++;
          if (i >= n) return -1;
          c = b[i]!;
          if (c === C.QUOTE) break;
          if (c !== C.BACKSLASH) return -1;
          // An escape: any byte but a newline or NUL may follow the backslash.
          c = b[i + 1] ?? C.NUL;
          if (c === C.LF || c === C.NUL) return -1;
          i += 2;
        }
        offs[offN++] = valueStart;
        offs[offN++] = i;
        c = b[++i] ?? C.NUL;
        if (c === C.COMMA) i++;
        else if (c !== C.RBRACE) return -1;
      }
      seriesEnd = i + 1;
    }
    return this.sampleRest(s, seriesEnd, offN, false);
  }

  /**
   * expected checks whether the sample line at s starts with the series text that `expect`
   * names for the next sample, followed by a blank; if so it parses the rest as sampleLine does.
   * The text was a series text of an earlier parse, so equal bytes are an equal series.
   */
  private expected(s: number): number {
    const exp = this.expect;
    if (exp === undefined) return -1;
    const k = this.out!.count;
    if (k >= exp.count) return -1;
    const len = exp.len[k]!;
    const e = s + len;
    if (len <= 0 || e >= this.l.n) return -1;
    const c = this.b[e];
    if (c !== C.SP && c !== C.TAB) return -1;
    if (!viewsEqual(this.view, s, this.expView!, exp.off[k]!, len)) return -1;
    return this.sampleRest(s, e, 0, true);
  }

  /**
   * sampleRest parses ` value [timestamp]` and the newline after the series text [s, seriesEnd)
   * (it must start with a blank) and records the sample; or returns -1.
   */
  private sampleRest(s: number, seriesEnd: number, offN: number, expected: boolean): number {
    const b = this.b;
    const n = this.l.n;
    let i = seriesEnd;
    if (b[i] !== C.SP && b[i] !== C.TAB) return -1;
    i = scanClass(b, i + 1, n, K_BLANK);
    const valueStart = i;
    i = scanClass(b, i, n, K_PROM_VALUE);
    if (i === valueStart) return -1;
    const value = scanDecimal(b, valueStart, i);
    if (value === undefined) return -1;
    let ts: number | undefined;
    if (b[i] !== C.LF) {
      if (b[i] !== C.SP && b[i] !== C.TAB) return -1;
      i = scanClass(b, i + 1, n, K_BLANK);
      if (b[i] !== C.LF) {
        const tsStart = i;
        i = scanClass(b, i, n, K_DIGIT);
        ts = scanInt(b, tsStart, i);
        if (ts === undefined) return -1;
        i = scanClass(b, i, n, K_BLANK);
        if (b[i] !== C.LF) return -1;
      }
    }
    this.offN = offN;
    this.out!.addSample(s, seriesEnd, this.offs, offN, this.mtype, value, ts, expected);
    return i + 1;
  }

  private push(a: number, b: number): void {
    this.offs[this.offN++] = a;
    this.offs[this.offN++] = b;
  }

  private metadata(t: number): void {
    const l = this.l;
    const t2 = this.nextToken();
    if (t2 !== T_MNAME) throw this.parseError(`expected metric name after ${tokenName(t)}`, t2);
    let mStart = l.start;
    let mEnd = l.i;
    if (this.b[mStart] === C.QUOTE && this.b[mEnd - 1] === C.QUOTE) {
      mStart++;
      mEnd--;
    }
    const t3 = this.nextToken();
    if (t3 !== T_TEXT) {
      throw this.error(`expected text in ${tokenName(t)}, got ${tokenName(t3)}`);
    }
    // The text token includes the blank that separates it from the name.
    const textStart = l.i - l.start > 1 ? l.start + 1 : l.i;
    const textEnd = l.i;
    let code = 0;
    if (t === T_TYPE) {
      const s = (this.src.bytes as Buffer).toString("latin1", textStart, textEnd);
      const c = Object.hasOwn(PROM_TYPES, s) ? PROM_TYPES[s] : undefined;
      if (c === undefined) throw this.error(`invalid metric type ${goQuote(s, true)}`);
      code = c;
      this.mtype = c;
    } else if (!isValidUtf8Text(this.src, textStart, textEnd)) {
      throw this.error(
        `help text ${quoteBytes(this.src, textStart, textEnd)} is not a valid utf8 string`,
      );
    }
    const t4 = this.nextToken();
    if (t4 !== T_LINEBREAK) throw this.parseError("linebreak expected after metadata", t4);
    const m = this.out!.metadataFor(unescapeLabelText(sliceText(this.src, mStart, mEnd)));
    if (t === T_TYPE) m.type = TYPE_NAMES[code]!;
    else m.help = unescapeHelpText(sliceText(this.src, textStart, textEnd));
  }

  // parseLabels reads the label set after `{`, up to and including `}`.
  private parseLabels(): void {
    const l = this.l;
    const b = this.b;
    let t = this.nextToken();
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
      t = this.nextToken();
      // A quoted string followed by a comma or `}` is the metric name.
      if (isQuoted && (t === T_COMMA || t === T_BRACE_CLOSE)) {
        if (this.offs[0] !== -1 || this.offs[1] !== -1) {
          throw this.error(`metric name already set while parsing: ${this.quote(this.start, l.i)}`);
        }
        this.offs[0] = curStart + 1;
        this.offs[1] = curEnd - 1;
        if (t === T_BRACE_CLOSE) return;
        t = this.nextToken();
        continue;
      }
      if (b[curStart] === C.QUOTE) {
        curStart++;
        curEnd--;
      }
      this.push(curStart, curEnd);
      if (t !== T_EQUAL) throw this.parseError("expected equal", t);
      const t2 = this.nextToken();
      if (t2 !== T_LVALUE) throw this.parseError("expected label value", t2);
      if (!isValidUtf8Text(this.src, l.start, l.i)) {
        throw this.error(`invalid UTF-8 label value: ${this.quote(l.start, l.i)}`);
      }
      this.push(l.start + 1, l.i - 1);
      // A trailing comma is allowed; so are blanks between labels.
      t = this.nextToken();
      if (t === T_COMMA) t = this.nextToken();
    }
  }

  // sample reads the value and optional timestamp after the series, starting with token t, and
  // records the sample.
  private sample(t: number, seriesEnd: number): void {
    const l = this.l;
    if (this.offs[0] === -1) {
      throw this.error(`metric name not set while parsing: ${this.quote(this.start, l.i)}`);
    }
    if (t !== T_VALUE) throw this.parseError("expected value after metric", t);
    let value = scanDecimal(this.b, l.start, l.i);
    if (value === undefined) {
      try {
        value = parsePromFloat((this.src.bytes as Buffer).toString("latin1", l.start, l.i), true);
      } catch (err) {
        throw this.wrap(err);
      }
      if (value !== value) value = NORMAL_NAN;
    }
    let ts: number | undefined;
    const t2 = this.nextToken();
    if (t2 === T_TIMESTAMP) {
      ts = scanInt(this.b, l.start, l.i);
      if (ts === undefined) {
        try {
          ts = parseGoInt((this.src.bytes as Buffer).toString("latin1", l.start, l.i), true);
        } catch (err) {
          throw this.wrap(err);
        }
      }
      const t3 = this.nextToken();
      if (t3 !== T_LINEBREAK) throw this.parseError("expected next entry after timestamp", t3);
    } else if (t2 !== T_LINEBREAK) {
      throw this.parseError("expected timestamp or new record", t2);
    }
    this.out!.addSample(this.start, seriesEnd, this.offs, this.offN, this.mtype, value, ts, false);
  }

  private quote(a: number, b: number): string {
    return quoteBytes(this.src, a, b);
  }

  private wrap(err: unknown): ExpositionError {
    const msg = err instanceof Error ? err.message : String(err);
    return this.error(`${msg} while parsing: ${this.quote(this.start, this.l.i)}`);
  }

  private parseError(exp: string, got: number): ExpositionError {
    const e = Math.min(this.l.n, this.l.i + 1);
    return this.error(
      `${exp}, got ${this.quote(this.l.start, e)} (${goQuote(tokenName(got))}) while parsing: ${this.quote(this.start, e)}`,
    );
  }

  private error(msg: string): ExpositionError {
    return new ExpositionError(msg, lineOf(this.b, this.start));
  }
}

/** viewsEqual tells whether x[a, a + len) and y[b, b + len) hold the same bytes. */
function viewsEqual(x: DataView, a: number, y: DataView, b: number, len: number): boolean {
  if (b + len > y.byteLength) return false;
  const e = a + len;
  for (; a + 4 <= e; a += 4, b += 4) if (x.getInt32(a) !== y.getInt32(b)) return false;
  for (; a < e; a++, b++) if (x.getUint8(a) !== y.getUint8(b)) return false;
  return true;
}

/** lineOf returns the 1-based line number of byte position pos. */
export function lineOf(b: Uint8Array, pos: number): number {
  let line = 1;
  for (let k = b.indexOf(C.LF); k >= 0 && k < pos; k = b.indexOf(C.LF, k + 1)) line++;
  return line;
}
