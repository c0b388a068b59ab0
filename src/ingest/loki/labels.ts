// Stream labels as Loki's push path reads and prints them. A stream's labels travel as text
// (`{app="api", env="prod"}`), which Loki parses with the PromQL metric parser
// (pkg/logql/syntax ParseLabels → prometheus promql/parser ParseMetric) and prints with
// labels.Labels.String(). This file reads the same subset of that grammar and reports errors in
// the parser's words ("1:5: parse error: unexpected character inside braces: '-'"), so that a
// client sees what it would see from Loki.
import type { Label } from "../../model/labels/index.ts";

/** LabelParseError is a label string that does not parse; its message is Prometheus's. */
export class LabelParseError extends Error {
  override readonly name = "LabelParseError";
}

/** MAX_STREAM_LABELS_SIZE is the longest label string accepted (Loki maxStreamLabelsSize). */
export const MAX_STREAM_LABELS_SIZE = (1 << 24) - 1;

type TokenType = "{" | "}" | "," | "=" | "ident" | "string" | "op" | "eof";

interface Token {
  readonly type: TokenType;
  /** raw: the token's text as written (strings with their quotes). */
  readonly raw: string;
  /** value: an unquoted string's value. */
  readonly value: string;
  readonly pos: number;
}

const isAlpha = (c: string): boolean =>
  (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
const isAlnum = (c: string): boolean => isAlpha(c) || (c >= "0" && c <= "9");
const isSpace = (c: string): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";

/** goQuoteRune renders a character as Go's %q does for a rune: 'x', '\n', '\x00'. */
function goQuoteRune(c: string): string {
  switch (c) {
    case "\n":
      return "'\\n'";
    case "\t":
      return "'\\t'";
    case "\r":
      return "'\\r'";
    case "'":
      return "'\\''";
    case "\\":
      return "'\\\\'";
  }
  const cp = c.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `'\\x${cp.toString(16).padStart(2, "0")}'`;
  return `'${c}'`;
}

/** goQuote renders a string roughly as Go's %q does (JSON escaping agrees for common text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

class Lexer {
  private pos = 0;
  private inBraces = false;

  constructor(private readonly input: string) {}

  fail(pos: number, msg: string): never {
    throw new LabelParseError(`${position(this.input, pos)}: parse error: ${msg}`);
  }

  next(): Token {
    const s = this.input;
    for (;;) {
      if (this.pos >= s.length) {
        if (this.inBraces) this.fail(this.pos, "unexpected end of input inside braces");
        return { type: "eof", raw: "", value: "", pos: this.pos };
      }
      const c = s[this.pos]!;
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      if (c === "#") {
        // A line comment runs to the end of the line.
        while (this.pos < s.length && s[this.pos] !== "\n") this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    const c = s[this.pos]!;
    if (!this.inBraces) {
      if (c === "{") {
        this.pos++;
        this.inBraces = true;
        return { type: "{", raw: "{", value: "", pos: start };
      }
      if (isAlpha(c) || c === ":") {
        while (this.pos < s.length && (isAlnum(s[this.pos]!) || s[this.pos] === ":")) this.pos++;
        const raw = s.slice(start, this.pos);
        return { type: "ident", raw, value: raw, pos: start };
      }
      // Outside braces the metric parser knows many more tokens; none can start a metric.
      this.pos++;
      return { type: "op", raw: c, value: c, pos: start };
    }
    if (isAlpha(c)) {
      while (this.pos < s.length && isAlnum(s[this.pos]!)) this.pos++;
      const raw = s.slice(start, this.pos);
      return { type: "ident", raw, value: raw, pos: start };
    }
    this.pos++;
    switch (c) {
      case ",":
        return { type: ",", raw: c, value: "", pos: start };
      case "=":
        if (s[this.pos] === "~") {
          this.pos++;
          return { type: "op", raw: "=~", value: "", pos: start };
        }
        return { type: "=", raw: c, value: "", pos: start };
      case "!": {
        const n = s[this.pos];
        if (n === "~" || n === "=") {
          this.pos++;
          return { type: "op", raw: "!" + n, value: "", pos: start };
        }
        return this.fail(
          start,
          `unexpected character after '!' inside braces: ${goQuoteRune(n ?? "")}`,
        );
      }
      case "}":
        this.inBraces = false;
        return { type: "}", raw: c, value: "", pos: start };
      case "{":
        return this.fail(start, "unexpected left brace '{'");
      case '"':
      case "'":
        return this.quoted(start, c);
      case "`": {
        const end = s.indexOf("`", this.pos);
        if (end < 0) this.fail(start, "unterminated raw string");
        this.pos = end + 1;
        return {
          type: "string",
          raw: s.slice(start, end + 1),
          value: s.slice(start + 1, end),
          pos: start,
        };
      }
      default:
        return this.fail(start, `unexpected character inside braces: ${goQuoteRune(c)}`);
    }
  }

  private quoted(start: number, q: string): Token {
    const s = this.input;
    let out = "";
    for (;;) {
      if (this.pos >= s.length || s[this.pos] === "\n")
        this.fail(start, "unterminated quoted string");
      const c = s[this.pos++]!;
      if (c === q) break;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = s[this.pos++];
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
        case "'":
          out += e;
          break;
        case "x":
        case "u":
        case "U": {
          const n = e === "x" ? 2 : e === "u" ? 4 : 8;
          const hex = s.slice(this.pos, this.pos + n);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) {
            this.fail(this.pos - 2, "illegal character in escape sequence");
          }
          this.pos += n;
          const cp = parseInt(hex, 16);
          if (e === "x") out += String.fromCharCode(cp);
          else if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
            this.fail(this.pos - n - 2, "escape sequence is an invalid Unicode code point");
          } else out += String.fromCodePoint(cp);
          break;
        }
        default:
          if (e !== undefined && e >= "0" && e <= "7") {
            const oct = s.slice(this.pos - 1, this.pos + 2);
            if (!/^[0-7]{3}$/.test(oct))
              this.fail(this.pos - 2, "illegal character in escape sequence");
            const v = parseInt(oct, 8);
            if (v > 255)
              this.fail(this.pos - 2, "escape sequence is an invalid Unicode code point");
            out += String.fromCharCode(v);
            this.pos += 2;
            break;
          }
          if (e === undefined) this.fail(start, "unterminated quoted string");
          this.fail(this.pos - 2, `unknown escape sequence ${goUnicode(e)}`);
      }
    }
    return { type: "string", raw: s.slice(start, this.pos), value: out, pos: start };
  }
}

/** goUnicode renders a character as Go's %#U does: U+0071 'q'. */
function goUnicode(c: string): string {
  const cp = c.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${c}'`;
}

/** position renders a byte offset as the parser's "line:column". */
function position(input: string, pos: number): string {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < pos && i < input.length; i++) {
    if (input[i] === "\n") {
      line++;
      lastBreak = i;
    }
  }
  return `${line}:${pos - lastBreak}`;
}

/** describe words a token as the parser's Item.desc does. */
function describe(t: Token): string {
  switch (t.type) {
    case "eof":
      return "end of input";
    case "ident":
      return `identifier ${goQuote(t.raw)}`;
    case "string":
      return `string ${t.raw.length > 10 ? goQuote(t.raw).slice(0, 11) + '"...' : goQuote(t.raw)}`;
    default:
      return goQuote(t.raw);
  }
}

/**
 * parseStreamLabels reads a stream's label string as Loki's syntax.ParseLabels does:
 * `{name="value", ...}`, optionally preceded by a metric name (stored as `__name__`); names are
 * identifiers or quoted UTF-8 strings. The result is sorted by name; repeated names are kept
 * (validation reports them) and pairs with empty values are dropped.
 */
export function parseStreamLabels(input: string): Label[] {
  if (input.length > MAX_STREAM_LABELS_SIZE) {
    throw new LabelParseError(
      `labels size ${Buffer.byteLength(input) >> 20} MiB exceeds limit of ${MAX_STREAM_LABELS_SIZE >> 20}`,
    );
  }
  const lx = new Lexer(input);
  const fail = (t: Token, ctx: string, expected: string): never =>
    lx.fail(t.pos, `unexpected ${describe(t)} in ${ctx}, expected ${expected}`);
  const out: Label[] = [];
  let t = lx.next();
  if (t.type === "ident") {
    out.push({ name: "__name__", value: t.value });
    t = lx.next();
  }
  if (t.type === "{") {
    t = lx.next();
    while (t.type !== "}") {
      // label_set_item: IDENTIFIER "=" STRING | STRING "=" STRING | STRING
      if (t.type !== "ident" && t.type !== "string") fail(t, "label set", 'identifier or "}"');
      const name = t;
      t = lx.next();
      if (t.type === "=") {
        const v = lx.next();
        if (v.type !== "string") fail(v, "label set", "string");
        out.push({ name: name.value, value: v.value });
        t = lx.next();
      } else if (name.type === "string") {
        out.push({ name: "__name__", value: name.value });
      } else {
        fail(t, "label set", '"="');
      }
      if (t.type === ",") t = lx.next();
      else if (t.type !== "}") fail(t, "label set", '"," or "}"');
    }
    t = lx.next();
  }
  if (t.type !== "eof") lx.fail(t.pos, `unexpected ${describe(t)}`);
  const kept = out.filter((l) => l.value !== "");
  kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return kept;
}

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * formatStreamLabels prints labels as Prometheus's labels.Labels.String() does, which is how
 * Loki names a stream in its messages: `{a="1", b="2"}`, names quoted when they are not legacy
 * label names.
 */
export function formatStreamLabels(ls: readonly Label[]): string {
  let s = "{";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) s += ", ";
    s += LEGACY_NAME.test(l.name) ? l.name : goQuote(l.name);
    s += "=" + goQuote(l.value);
  }
  return s + "}";
}

/**
 * formatLabelMap prints a JSON push request's `stream` object the way Loki turns it into label
 * text before parsing it (loghttp.LabelSet.String): names sorted and unquoted, values quoted.
 */
export function formatLabelMap(pairs: readonly Label[]): string {
  const sorted = [...pairs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return "{" + sorted.map((l) => `${l.name}=${goQuote(l.value)}`).join(", ") + "}";
}
