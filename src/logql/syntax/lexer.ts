// The LogQL lexer. It reproduces the token stream of Loki's lexer (pkg/logql/syntax/lex.go on
// top of a copy of Go's text/scanner, query_scanner.go): case-insensitive keywords, function
// names that are keywords only when a `(` (or `by (`/`without (`) follows, durations and byte
// sizes glued to numbers, `[range]` as one token, `#` and Go comments skipped.
import { ParseError } from "./errors.ts";
import { BytesError, parseBytes, parseLogQLDuration, parsePromDuration } from "./go.ts";

/** TokenType names a token like Loki's yacc grammar does (`IDENTIFIER`, `PIPE_EXACT`, ...). */
export type TokenType =
  | "EOF"
  | "IDENTIFIER"
  | "STRING"
  | "NUMBER"
  | "DURATION"
  | "RANGE"
  | "BYTES"
  | "FUNCTION_FLAG"
  | "COMMA"
  | "DOT"
  | "OPEN_BRACE"
  | "CLOSE_BRACE"
  | "EQ"
  | "NEQ"
  | "RE"
  | "NRE"
  | "NPA"
  | "PIPE_EXACT"
  | "PIPE_MATCH"
  | "PIPE_PATTERN"
  | "PIPE"
  | "UNWRAP"
  | "OPEN_PARENTHESIS"
  | "CLOSE_PARENTHESIS"
  | "BY"
  | "WITHOUT"
  | "BOOL"
  | "OPEN_BRACKET"
  | "CLOSE_BRACKET"
  | "LABEL_REPLACE"
  | "OFFSET"
  | "ON"
  | "IGNORING"
  | "GROUP_LEFT"
  | "GROUP_RIGHT"
  | "OR"
  | "AND"
  | "UNLESS"
  | "ADD"
  | "SUB"
  | "MUL"
  | "DIV"
  | "MOD"
  | "POW"
  | "CMP_EQ"
  | "GT"
  | "GTE"
  | "LT"
  | "LTE"
  | "JSON"
  | "REGEXP"
  | "LOGFMT"
  | "UNPACK"
  | "PATTERN"
  | "LABEL_FMT"
  | "LINE_FMT"
  | "IP"
  | "DECOLORIZE"
  | "DROP"
  | "KEEP"
  | "FUNCTION";

/** Token is one lexed token. `pos` is the UTF-16 offset of its first character. */
export interface Token {
  readonly type: TokenType;
  /** text is the source text; for STRING the unquoted value, for FUNCTION the lower-case name. */
  readonly text: string;
  readonly pos: number;
  readonly end: number;
  /** durationNs for DURATION and RANGE tokens. */
  readonly durationNs?: bigint;
  /** bytes for BYTES tokens. */
  readonly bytes?: number;
}

const TOKENS: Record<string, TokenType> = {
  ",": "COMMA",
  ".": "DOT",
  "{": "OPEN_BRACE",
  "}": "CLOSE_BRACE",
  "=": "EQ",
  "!=": "NEQ",
  "=~": "RE",
  "!~": "NRE",
  "!>": "NPA",
  "|=": "PIPE_EXACT",
  "|~": "PIPE_MATCH",
  "|>": "PIPE_PATTERN",
  "|": "PIPE",
  unwrap: "UNWRAP",
  "(": "OPEN_PARENTHESIS",
  ")": "CLOSE_PARENTHESIS",
  by: "BY",
  without: "WITHOUT",
  bool: "BOOL",
  "[": "OPEN_BRACKET",
  "]": "CLOSE_BRACKET",
  label_replace: "LABEL_REPLACE",
  offset: "OFFSET",
  on: "ON",
  ignoring: "IGNORING",
  group_left: "GROUP_LEFT",
  group_right: "GROUP_RIGHT",
  or: "OR",
  and: "AND",
  unless: "UNLESS",
  "+": "ADD",
  "-": "SUB",
  "*": "MUL",
  "/": "DIV",
  "%": "MOD",
  "^": "POW",
  "==": "CMP_EQ",
  ">": "GT",
  ">=": "GTE",
  "<": "LT",
  "<=": "LTE",
  json: "JSON",
  regexp: "REGEXP",
  logfmt: "LOGFMT",
  unpack: "UNPACK",
  pattern: "PATTERN",
  label_format: "LABEL_FMT",
  line_format: "LINE_FMT",
  ip: "IP",
  decolorize: "DECOLORIZE",
  drop: "DROP",
  keep: "KEEP",
};

/**
 * FUNCTION_TOKENS are names that are keywords only when used as functions. They lex as
 * FUNCTION tokens whose text is the lower-case name (IP and LABEL_REPLACE keep their own type).
 */
export const FUNCTION_NAMES = new Set([
  "rate",
  "rate_counter",
  "count_over_time",
  "bytes_rate",
  "bytes_over_time",
  "avg_over_time",
  "sum_over_time",
  "min_over_time",
  "max_over_time",
  "stdvar_over_time",
  "stddev_over_time",
  "quantile_over_time",
  "first_over_time",
  "last_over_time",
  "absent_over_time",
  "vector",
  "sum",
  "avg",
  "max",
  "min",
  "count",
  "stddev",
  "stdvar",
  "bottomk",
  "topk",
  "sort",
  "sort_desc",
  "label_replace",
  "approx_topk",
  "bytes",
  "duration",
  "duration_seconds",
  "ip",
]);

const PARSER_FLAGS = new Set(["--strict", "--keep-empty"]);

const EOF = -1;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
function isDecimal(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isLetter(ch: string): boolean {
  return /\p{L}/u.test(ch);
}
function isUnicodeDigit(ch: string): boolean {
  return /\p{Nd}/u.test(ch);
}
function isNumberRune(ch: string): boolean {
  return /\p{N}/u.test(ch);
}

/**
 * Lexer produces Loki tokens from a query. Errors throw a ParseError positioned at the token,
 * with Loki's wording ("literal not terminated", "missing closing ']' in duration", ...).
 */
export class Lexer {
  private i = 0;
  private readonly src: string;

  constructor(src: string) {
    this.src = src;
  }

  private peekChar(at = this.i): string {
    if (at >= this.src.length) return "";
    const cp = this.src.codePointAt(at)!;
    return String.fromCodePoint(cp);
  }

  private code(at = this.i): number {
    return at < this.src.length ? this.src.charCodeAt(at) : EOF;
  }

  private fail(msg: string, pos: number): never {
    throw new ParseError(msg, this.src, pos);
  }

  /** next returns the next token, or an EOF token at the end of the input. */
  next(): Token {
    for (;;) {
      while (isSpace(this.code())) this.i++;
      const c = this.code();
      if (c === 0x23 /* # */) {
        while (this.i < this.src.length && this.code() !== 0x0a) this.i++;
        continue;
      }
      if (
        c === 0x2f /* / */ &&
        (this.code(this.i + 1) === 0x2f || this.code(this.i + 1) === 0x2a)
      ) {
        if (this.code(this.i + 1) === 0x2f) {
          while (this.i < this.src.length && this.code() !== 0x0a) this.i++;
        } else {
          const end = this.src.indexOf("*/", this.i + 2);
          if (end < 0) this.fail("comment not terminated", this.i);
          this.i = end + 2;
        }
        continue;
      }
      break;
    }
    const start = this.i;
    const c = this.code();
    if (c === EOF) return { type: "EOF", text: "", pos: start, end: start };
    const ch = this.peekChar();

    // Identifiers.
    if (ch === "_" || isLetter(ch)) {
      let j = this.i + ch.length;
      for (;;) {
        const n = this.peekChar(j);
        if (n === "" || !(n === "_" || isLetter(n) || isUnicodeDigit(n))) break;
        j += n.length;
      }
      this.i = j;
      return this.word(start, this.src.slice(start, j));
    }

    if (isDecimal(c) || (c === 0x2e && isDecimal(this.code(this.i + 1)))) {
      const text = this.scanNumber();
      return this.numberToken(start, text);
    }

    switch (c) {
      case 0x22: // "
        return this.scanString(start);
      case 0x60: {
        // `
        const end = this.src.indexOf("`", this.i + 1);
        if (end < 0) this.fail("literal not terminated", start);
        this.i = end + 1;
        return { type: "STRING", text: this.src.slice(start + 1, end), pos: start, end: this.i };
      }
      case 0x27: {
        // A Go char literal: not part of LogQL, it lexes as an identifier (and fails later).
        const end = this.src.indexOf("'", this.i + 1);
        if (end < 0 || this.src.slice(this.i, end).includes("\n"))
          this.fail("literal not terminated", start);
        this.i = end + 1;
        return { type: "IDENTIFIER", text: this.src.slice(start, this.i), pos: start, end: this.i };
      }
      case 0x5b: {
        // [ range ]
        const end = this.src.indexOf("]", this.i + 1);
        if (end < 0) this.fail("missing closing ']' in duration", start);
        const body = this.src.slice(this.i + 1, end);
        let ns: bigint;
        try {
          ns = parsePromDuration(body);
        } catch {
          this.fail(promDurationError(body), start);
        }
        this.i = end + 1;
        return { type: "RANGE", text: body, pos: start, end: this.i, durationNs: ns };
      }
      case 0x2d: {
        // - : parser flags and negative durations.
        if (this.code(this.i + 1) === 0x2d) {
          let j = this.i + 1;
          while (j < this.src.length) {
            const n = this.peekChar(j);
            if (!(isLetter(n) || n === "-")) break;
            j += n.length;
          }
          const flag = this.src.slice(this.i, j);
          if (PARSER_FLAGS.has(flag)) {
            this.i = j;
            return { type: "FUNCTION_FLAG", text: flag, pos: start, end: j };
          }
        }
        this.i++;
        const d = this.tryDuration("-");
        if (d) return { type: "DURATION", text: d.text, pos: start, end: this.i, durationNs: d.ns };
        return { type: "SUB", text: "-", pos: start, end: this.i };
      }
    }

    // Operators: two-character tokens first.
    const two = this.src.slice(this.i, this.i + 2);
    const t2 = TOKENS[two];
    if (t2 !== undefined && two.length === 2) {
      this.i += 2;
      return { type: t2, text: two, pos: start, end: this.i };
    }
    this.i += ch.length;
    const t1 = TOKENS[ch];
    if (t1 !== undefined) return { type: t1, text: ch, pos: start, end: this.i };
    return { type: "IDENTIFIER", text: ch, pos: start, end: this.i };
  }

  private word(start: number, text: string): Token {
    const lower = text.toLowerCase();
    if (FUNCTION_NAMES.has(lower)) {
      if (this.isFunction()) {
        if (lower === "ip") return { type: "IP", text: lower, pos: start, end: this.i };
        if (lower === "label_replace")
          return { type: "LABEL_REPLACE", text: lower, pos: start, end: this.i };
        return { type: "FUNCTION", text: lower, pos: start, end: this.i };
      }
      return { type: "IDENTIFIER", text, pos: start, end: this.i };
    }
    const t = TOKENS[lower];
    if (t !== undefined) return { type: t, text, pos: start, end: this.i };
    return { type: "IDENTIFIER", text, pos: start, end: this.i };
  }

  /** isFunction reports whether `(`, `by (` or `without (` follows (lex.go isFunction). */
  private isFunction(): boolean {
    let j = this.i;
    while (isSpace(this.code(j))) j++;
    if (this.code(j) === 0x28) return true;
    const rest = this.src.slice(j, j + 7).toLowerCase();
    let k: number;
    if (rest.startsWith("by")) k = j + 2;
    else if (rest.startsWith("without")) k = j + 7;
    else return false;
    while (isSpace(this.code(k))) k++;
    return this.code(k) === 0x28;
  }

  /** scanNumber scans a Go number literal (text/scanner scanNumber) and returns its text. */
  private scanNumber(): string {
    const start = this.i;
    let base = 10;
    let prefix = "";
    let seenDot = false;
    let hasDigits = false;
    if (this.code() === 0x2e) {
      seenDot = true;
      this.i++;
    } else if (this.code() === 0x30) {
      this.i++;
      const l = this.src[this.i]?.toLowerCase();
      if (l === "x") {
        this.i++;
        base = 16;
        prefix = "x";
      } else if (l === "o") {
        this.i++;
        base = 8;
        prefix = "o";
      } else if (l === "b" && (this.code(this.i + 1) === 0x30 || this.code(this.i + 1) === 0x31)) {
        this.i++;
        base = 2;
        prefix = "b";
      } else {
        hasDigits = true;
        base = 8;
        prefix = "0";
      }
    }
    const digits = (): void => {
      for (;;) {
        const ch = this.src[this.i];
        if (ch === undefined) return;
        const isDigit =
          base === 16 ? /[0-9a-fA-F]/.test(ch) : base <= 10 ? /[0-9]/.test(ch) : false;
        if (isDigit || /[0-9]/.test(ch)) {
          hasDigits = true;
          this.i++;
        } else if (ch === "_") {
          this.i++;
        } else return;
      }
    };
    digits();
    if (!seenDot && this.code() === 0x2e) {
      this.i++;
      seenDot = true;
      digits();
    } else if (seenDot) {
      digits();
    }
    if (!hasDigits) this.fail(`${litName(prefix)} has no digits`, start);
    const e = this.src[this.i]?.toLowerCase();
    if (e === "e" || (e === "p" && prefix === "x")) {
      const save = this.i;
      this.i++;
      if (this.src[this.i] === "+" || this.src[this.i] === "-") this.i++;
      const ds = this.i;
      while (isDecimal(this.code())) this.i++;
      if (this.i === ds) {
        this.i = save;
        this.fail("exponent has no digits", start);
      }
    } else if (prefix === "x" && seenDot) {
      this.fail("hexadecimal mantissa requires a 'p' exponent", start);
    }
    return this.src.slice(start, this.i);
  }

  private numberToken(start: number, text: string): Token {
    const d = this.tryDuration(text);
    if (d) return { type: "DURATION", text: d.text, pos: start, end: this.i, durationNs: d.ns };
    const b = this.tryBytes(text);
    if (b) return { type: "BYTES", text: b.text, pos: start, end: this.i, bytes: b.value };
    return { type: "NUMBER", text, pos: start, end: this.i };
  }

  /** tryDuration extends `prefix` with duration characters (lex.go tryScanDuration). */
  private tryDuration(prefix: string): { text: string; ns: bigint } | null {
    let j = this.i;
    for (;;) {
      const ch = this.peekChar(j);
      if (ch === "" || /\s/u.test(ch)) break;
      if (!isNumberRune(ch) && !"nuµmshdwy".includes(ch) && ch !== ".") break;
      j += ch.length;
    }
    if (j === this.i) return null;
    const text = prefix + this.src.slice(this.i, j);
    try {
      const ns = parseLogQLDuration(text);
      this.i = j;
      return { text, ns };
    } catch {
      return null;
    }
  }

  /** tryBytes extends `prefix` with byte-size characters (lex.go tryScanBytes). */
  private tryBytes(prefix: string): { text: string; value: number } | null {
    let j = this.i;
    for (;;) {
      const ch = this.peekChar(j);
      if (ch === "" || /\s/u.test(ch)) break;
      if (!isNumberRune(ch) && !"BikKMGTP".includes(ch) && ch !== ".") break;
      j += ch.length;
    }
    if (j === this.i) return null;
    const text = prefix + this.src.slice(this.i, j);
    try {
      const value = parseBytes(text);
      this.i = j;
      return { text, value };
    } catch (err) {
      if (err instanceof BytesError) return null;
      throw err;
    }
  }

  private scanString(start: number): Token {
    let j = this.i + 1;
    let out = "";
    for (;;) {
      if (j >= this.src.length) this.fail("literal not terminated", start);
      const c = this.src.charCodeAt(j);
      if (c === 0x0a) this.fail("literal not terminated", start);
      if (c === 0x22) {
        j++;
        break;
      }
      if (c !== 0x5c) {
        out += this.src[j];
        j++;
        continue;
      }
      const e = this.src[j + 1];
      j += 2;
      switch (e) {
        case "a":
          out += "\x07";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "v":
          out += "\v";
          break;
        case "\\":
          out += "\\";
          break;
        case '"':
          out += '"';
          break;
        case "x":
        case "u":
        case "U": {
          const n = e === "x" ? 2 : e === "u" ? 4 : 8;
          const hex = this.src.slice(j, j + n);
          if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) this.fail("invalid char escape", start);
          const v = parseInt(hex, 16);
          j += n;
          if (e === "x") {
            // A byte escape; bytes >= 0x80 stand alone in Go strings. Keep them as code points.
            out += String.fromCharCode(v);
          } else {
            if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
              this.fail("invalid char escape", start);
            out += String.fromCodePoint(v);
          }
          break;
        }
        default:
          if (e !== undefined && e >= "0" && e <= "7") {
            const oct = this.src.slice(j - 1, j + 2);
            if (!/^[0-7]{3}$/.test(oct)) this.fail("invalid char escape", start);
            const v = parseInt(oct, 8);
            if (v > 255) this.fail("invalid char escape", start);
            out += String.fromCharCode(v);
            j += 2;
            break;
          }
          this.fail("invalid char escape", start);
      }
    }
    this.i = j;
    return { type: "STRING", text: out, pos: start, end: j };
  }
}

function litName(prefix: string): string {
  switch (prefix) {
    case "x":
      return "hexadecimal literal";
    case "o":
    case "0":
      return "octal literal";
    case "b":
      return "binary literal";
    default:
      return "decimal literal";
  }
}

function promDurationError(s: string): string {
  if (s === "") return "empty duration string";
  const m = /^[0-9]+([^0-9]+)/.exec(s);
  if (m && !["y", "w", "d", "h", "m", "s", "ms"].includes(m[1]!))
    return `unknown unit ${JSON.stringify(m[1])} in duration ${JSON.stringify(s)}`;
  return `not a valid duration string: ${JSON.stringify(s)}`;
}

/** lex returns all tokens of a query, for tests and tools. */
export function lex(src: string): Token[] {
  const l = new Lexer(src);
  const out: Token[] = [];
  for (;;) {
    const t = l.next();
    out.push(t);
    if (t.type === "EOF") return out;
  }
}
