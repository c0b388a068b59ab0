// Alertmanager's label matchers: the type, its printed form, and the two parsers of the
// `matchers:` syntax. Alertmanager 0.33 runs in its default "fallback" mode
// (matcher/compat/parse.go): an input is parsed with the UTF-8 parser (matcher/parse) and, when
// that fails or disagrees, with the classic parser (pkg/labels/parse.go). Vigil does the same.
import { Matcher } from "../model/labels/index.ts";
import type { MatchType } from "../model/labels/index.ts";
import { unquote } from "../template/strconv.ts";

export type { MatchType };

/** LabelSet is an alert's labels or annotations: name → value. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * AmMatcher is one label matcher (pkg/labels.Matcher). Regular expressions are RE2, fully
 * anchored; a missing label matches as "".
 */
export class AmMatcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  private readonly m: Matcher;

  /** The constructor throws for a regular expression that does not compile. */
  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    try {
      this.m = new Matcher(type, name, value);
    } catch (err) {
      // Go's regexp error text differs; keep the essential part.
      const cause =
        err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      const msg = cause.startsWith("error parsing regexp")
        ? cause
        : `error parsing regexp: ${cause}`;
      throw new Error(msg, { cause: err });
    }
  }

  /** matches reports whether the value v (use "" for a missing label) is selected. */
  matches(v: string): boolean {
    return this.m.matches(v);
  }

  /** matchesLabels applies the matcher to a label set. */
  matchesLabels(ls: LabelSet): boolean {
    return this.m.matches(ls[this.name] ?? "");
  }

  /** isEqual and isRegex are the API v2 matcher fields. */
  get isEqual(): boolean {
    return this.type === "=" || this.type === "=~";
  }

  get isRegex(): boolean {
    return this.type === "=~" || this.type === "!~";
  }

  /**
   * toString prints the matcher as Alertmanager does (Matcher.String): the name quoted only
   * when it holds a reserved character, the value always quoted with OpenMetrics escaping
   * (or Go quoting when the name is quoted).
   */
  toString(): string {
    if ([...this.name].some(isReserved)) {
      return `${goQuote(this.name)}${this.type}${goQuote(this.value)}`;
    }
    return `${this.name}${this.type}"${openMetricsEscape(this.value)}"`;
  }

  /** equals compares type, name and value. */
  equals(o: AmMatcher): boolean {
    return this.type === o.type && this.name === o.name && this.value === o.value;
  }
}

/** matchersMatch reports whether all matchers select the label set (Matchers.Matches). */
export function matchersMatch(ms: readonly AmMatcher[], ls: LabelSet): boolean {
  for (const m of ms) if (!m.matchesLabels(ls)) return false;
  return true;
}

/** matchersString prints matchers in braces, comma separated (Matchers.String). */
export function matchersString(ms: readonly AmMatcher[]): string {
  return `{${ms.map((m) => m.toString()).join(",")}}`;
}

const TYPE_ORDER: Record<MatchType, number> = { "=": 0, "!=": 1, "=~": 2, "!~": 3 };

/** compareMatchers orders matchers by name, then value, then type (Matchers.Less). */
export function compareMatchers(a: AmMatcher, b: AmMatcher): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
}

function isReserved(ch: string): boolean {
  return /\s/u.test(ch) || "{}!=~,\\\"'`".includes(ch);
}

function openMetricsEscape(s: string): string {
  return s.replace(/[\\\n"]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** goQuote quotes as Go's strconv.Quote does for printable text. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

// ---------------------------------------------------------------------------------------------
// Classic parser (pkg/labels/parse.go).

const CLASSIC_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/** parseClassicMatcher is pkg/labels.ParseMatcher. */
export function parseClassicMatcher(s: string): AmMatcher {
  const ms = CLASSIC_RE.exec(s);
  if (ms === null) throw new Error(`bad matcher format: ${s}`);
  let raw = ms[3];
  let expectTrailingQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectTrailingQuote = true;
  }
  let value = "";
  let escaped = false;
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const r = chars[i];
    if (escaped) {
      escaped = false;
      if (r === "n") value += "\n";
      else if (r === '"' || r === "\\") value += r;
      else value += "\\" + r;
      continue;
    }
    if (r === "\\") {
      if (i < chars.length - 1) {
        escaped = true;
        continue;
      }
      value += "\\";
    } else if (r === '"') {
      if (!expectTrailingQuote || i < chars.length - 1) {
        throw new Error(`matcher value contains unescaped double quote: ${ms[3]}`);
      }
      expectTrailingQuote = false;
    } else {
      value += r;
    }
  }
  if (expectTrailingQuote) {
    throw new Error(`matcher value contains unescaped double quote: ${ms[3]}`);
  }
  return new AmMatcher(ms[2] as MatchType, ms[1], value);
}

/** parseClassicMatchers is pkg/labels.ParseMatchers. */
export function parseClassicMatchers(input: string): AmMatcher[] {
  let s = input;
  if (s.startsWith("{")) s = s.slice(1);
  if (s.endsWith("}")) s = s.slice(0, -1);
  const tokens: string[] = [];
  let insideQuotes = false;
  let escaped = false;
  let token = "";
  for (const r of s) {
    if (r === ",") {
      if (!insideQuotes) {
        tokens.push(token);
        token = "";
        continue;
      }
    } else if (r === '"') {
      if (!escaped) insideQuotes = !insideQuotes;
      else escaped = false;
    } else if (r === "\\") {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token += r;
  }
  if (token.trim() !== "") tokens.push(token.trim());
  return tokens.map(parseClassicMatcher);
}

// ---------------------------------------------------------------------------------------------
// UTF-8 parser (matcher/parse: lexer.go, parse.go). Columns count code points.

type TokenKind = "eof" | "{" | "}" | "," | "=" | "!=" | "=~" | "!~" | "quoted" | "unquoted";

interface Token {
  kind: TokenKind;
  value: string;
  colStart: number;
  colEnd: number;
}

class Lexer {
  private readonly chars: string[];
  private start = 0;
  private pos = 0;
  private err: Error | undefined;

  constructor(input: string) {
    this.chars = [...input];
  }

  private text(): string {
    return this.chars.slice(this.start, this.pos).join("");
  }

  private emit(kind: TokenKind): Token {
    const t = { kind, value: this.text(), colStart: this.start, colEnd: this.pos };
    this.start = this.pos;
    return t;
  }

  private fail(msg: string): never {
    this.err = new Error(`${this.start}:${this.pos}: ${msg}`);
    throw this.err;
  }

  private expectedError(expected: string): never {
    if (this.pos >= this.chars.length) {
      return this.fail(`unexpected end of input, expected one of '${expected}'`);
    }
    return this.fail(`${this.text()}: expected one of '${expected}'`);
  }

  scan(): Token {
    if (this.err) throw this.err;
    while (this.pos < this.chars.length) {
      const r = this.chars[this.pos++];
      if (r === "{" || r === "}" || r === ",") return this.emit(r);
      if (r === "=" || r === "!") {
        this.pos--;
        return this.scanOperator();
      }
      if (r === '"') {
        this.pos--;
        return this.scanQuoted();
      }
      if (!isReserved(r)) {
        this.pos--;
        return this.scanUnquoted();
      }
      if (/\s/u.test(r)) {
        this.start = this.pos;
        continue;
      }
      this.fail(`${this.text()}: invalid input`);
    }
    return { kind: "eof", value: "", colStart: this.start, colEnd: this.pos };
  }

  private accept(valid: string): boolean {
    if (this.pos < this.chars.length && valid.includes(this.chars[this.pos])) {
      this.pos++;
      return true;
    }
    return false;
  }

  private scanOperator(): Token {
    if (this.accept("!")) {
      if (this.accept("=")) return this.emit("!=");
      if (this.accept("~")) return this.emit("!~");
      return this.expectedError("=~");
    }
    if (this.accept("=")) {
      if (this.accept("~")) return this.emit("=~");
      return this.emit("=");
    }
    return this.expectedError("!=");
  }

  private scanQuoted(): Token {
    this.pos++; // opening quote
    let escaped = false;
    while (this.pos < this.chars.length) {
      const r = this.chars[this.pos];
      if (escaped) escaped = false;
      else if (r === "\\") escaped = true;
      else if (r === '"') break;
      this.pos++;
    }
    if (!this.accept('"')) this.fail(`${this.text()}: missing end "`);
    return this.emit("quoted");
  }

  private scanUnquoted(): Token {
    while (this.pos < this.chars.length && !isReserved(this.chars[this.pos])) this.pos++;
    return this.emit("unquoted");
  }

  peek(): Token {
    const { start, pos } = this;
    try {
      return this.scan();
    } finally {
      this.start = start;
      this.pos = pos;
    }
  }

  column(): number {
    return this.pos;
  }
}

function tokenValue(t: Token): string {
  if (t.kind !== "quoted") return t.value;
  try {
    return unquote(t.value);
  } catch {
    throw new Error(`${t.colStart}:${t.colEnd}: ${t.value}: invalid input`);
  }
}

/**
 * parseUtf8Matchers is matcher/parse.Matchers: `{a="b", c=~"d"}`, braces optional, names and
 * values quoted (Go syntax) or unquoted (any run of non-reserved characters).
 */
export function parseUtf8Matchers(input: string): AmMatcher[] {
  const l = new Lexer(input);
  const out: AmMatcher[] = [];
  const expect = (...kinds: TokenKind[]): Token => {
    const t = l.peek();
    if (t.kind === "eof") throw new EofError();
    if (!kinds.includes(t.kind)) {
      throw new Error(`${t.colStart}:${t.colEnd}: unexpected ${t.value}`);
    }
    return l.scan();
  };
  const wrap = (fn: () => Token, suffix: string): Token => {
    try {
      return fn();
    } catch (err) {
      const msg = err instanceof EofError ? "end of input" : errText(err);
      throw new Error(`${msg}: ${suffix}`, { cause: err });
    }
  };

  const first = l.peek();
  const hasOpenBrace = first.kind === "{";
  if (hasOpenBrace) l.scan();
  if (first.kind !== "eof") {
    let next = l.peek();
    if (next.kind !== "}" && next.kind !== "eof") {
      for (;;) {
        const nameTok = wrap(() => expect("quoted", "unquoted"), "expected label name");
        const name = tokenValue(nameTok);
        const op = wrap(() => expect("=", "!=", "=~", "!~"), OPERATOR_EXPECTED);
        const valueTok = wrap(() => expect("unquoted", "quoted"), "expected label value");
        const value = tokenValue(valueTok);
        try {
          out.push(new AmMatcher(op.kind as MatchType, name, value));
        } catch (err) {
          throw new Error(`failed to create matcher: ${errText(err)}`, { cause: err });
        }
        next = l.peek();
        if (next.kind === "eof") break;
        if (next.kind !== "," && next.kind !== "}") {
          throw new Error(
            `${next.colStart}:${next.colEnd}: unexpected ${next.value}: expected a comma or close brace`,
          );
        }
        if (next.kind === "}") break;
        l.scan(); // comma
        next = l.peek();
        if (next.kind === "eof" || next.kind === "}") break;
        if (next.kind !== "quoted" && next.kind !== "unquoted") {
          throw new Error(
            `${next.colStart}:${next.colEnd}: unexpected ${next.value}: expected a matcher or close brace after comma`,
          );
        }
      }
    }
    // Close brace.
    const t = l.peek();
    if (hasOpenBrace) {
      if (t.kind !== "}") {
        const why =
          t.kind === "eof" ? "end of input" : `${t.colStart}:${t.colEnd}: unexpected ${t.value}`;
        throw new Error(`0:${l.column()}: ${why}: expected close brace`);
      }
      l.scan();
    } else if (t.kind === "}") {
      l.scan();
      throw new Error(`0:${l.column()}: }: expected opening brace`);
    }
  }
  const end = l.scan();
  if (end.kind !== "eof") {
    throw new Error(`${end.colStart}:${end.colEnd}: ${end.value}: expected end of input`);
  }
  return out;
}

const OPERATOR_EXPECTED = "expected an operator such as '=', '!=', '=~' or '!~'";

class EofError extends Error {}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// The fallback parser used by Alertmanager's default configuration.

/**
 * parseMatchers parses one `matchers:` line (or an API/amtool filter) as Alertmanager's default
 * mode does (compat.FallbackMatchersParser): the UTF-8 parser's result, unless it fails or the
 * classic parser disagrees, then the classic parser's. Throws the classic parser's error when
 * both fail.
 */
export function parseMatchers(input: string): AmMatcher[] {
  let utf8: AmMatcher[] | undefined;
  let utf8Err: unknown;
  try {
    utf8 = parseUtf8Matchers(input);
  } catch (err) {
    utf8Err = err;
  }
  let classic: AmMatcher[] | undefined;
  let classicErr: unknown;
  try {
    classic = parseClassicMatchers(input);
  } catch (err) {
    classicErr = err;
  }
  if (utf8 === undefined) {
    if (classic === undefined) throw classicErr instanceof Error ? classicErr : utf8Err;
    return classic;
  }
  if (classic !== undefined && !sameMatchers(utf8, classic)) return classic;
  return utf8;
}

/** parseMatcher parses exactly one matcher (compat.FallbackMatcherParser). */
export function parseMatcher(input: string): AmMatcher {
  if (input.startsWith("{") || input.endsWith("}")) {
    throw new Error(`unexpected open or close brace: ${input}`);
  }
  let utf8: AmMatcher | undefined;
  try {
    const ms = parseUtf8Matchers(input);
    if (ms.length === 1) utf8 = ms[0];
  } catch {
    // Fall back below.
  }
  let classic: AmMatcher | undefined;
  let classicErr: unknown;
  try {
    classic = parseClassicMatcher(input);
  } catch (err) {
    classicErr = err;
  }
  if (utf8 === undefined) {
    if (classic === undefined) throw classicErr;
    return classic;
  }
  if (classic !== undefined && !classic.equals(utf8)) return classic;
  return utf8;
}

function sameMatchers(a: readonly AmMatcher[], b: readonly AmMatcher[]): boolean {
  return a.length === b.length && a.every((m, i) => m.equals(b[i]));
}

/** isValidLabelName is the UTF-8 mode's label name check: non-empty valid UTF-8. */
export function isValidLabelName(name: string): boolean {
  return name.length > 0 && !/\p{Surrogate}/u.test(name);
}

/** LEGACY_LABEL_NAME is model.LabelNameRE, used by match/match_re keys. */
export const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
