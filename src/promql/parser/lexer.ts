// PromQL lexer. The states, the tokens they produce and the error messages follow
// prometheus promql/parser/lex.go (v3.5) closely, because the token stream decides the parser's
// error messages: e.g. inside `[...]` only duration-expression characters are accepted, and
// keywords are case-insensitive except inside braces. Series-description and native-histogram
// lexing (used only by promqltest `load` lines) are not implemented.
import { goQuote, goQuotePrefix, goQuoteRune, goRuneU, utf8Length } from "./quote.ts";

/** ItemType is the kind of a lexer token; the names are those of lex.go and the grammar. */
export type ItemType =
  | "EOF"
  | "ERROR"
  | "COMMENT"
  | "IDENTIFIER"
  | "METRIC_IDENTIFIER"
  | "NUMBER"
  | "DURATION"
  | "STRING"
  | "LEFT_PAREN"
  | "RIGHT_PAREN"
  | "LEFT_BRACE"
  | "RIGHT_BRACE"
  | "LEFT_BRACKET"
  | "RIGHT_BRACKET"
  | "COMMA"
  | "EQL"
  | "COLON"
  | OperatorItem
  | AggregatorItem
  | KeywordItem
  | "START"
  | "END";

/** OperatorItem lists the operator tokens (lex.go IsOperator). */
export type OperatorItem =
  | "ADD"
  | "DIV"
  | "EQLC"
  | "EQL_REGEX"
  | "GTE"
  | "GTR"
  | "LAND"
  | "LOR"
  | "LSS"
  | "LTE"
  | "LUNLESS"
  | "MOD"
  | "MUL"
  | "NEQ"
  | "NEQ_REGEX"
  | "POW"
  | "SUB"
  | "AT"
  | "ATAN2";

/** AggregatorItem lists the aggregation operator tokens (lex.go IsAggregator). */
export type AggregatorItem =
  | "AVG"
  | "BOTTOMK"
  | "COUNT"
  | "COUNT_VALUES"
  | "GROUP"
  | "MAX"
  | "MIN"
  | "QUANTILE"
  | "STDDEV"
  | "STDVAR"
  | "SUM"
  | "TOPK"
  | "LIMITK"
  | "LIMIT_RATIO";

/** KeywordItem lists the keyword tokens (lex.go IsKeyword). */
export type KeywordItem =
  "BOOL" | "BY" | "GROUP_LEFT" | "GROUP_RIGHT" | "IGNORING" | "OFFSET" | "ON" | "WITHOUT";

/** Token is one lexer item: its type, its UTF-16 offset in the input and its source text. */
export interface Token {
  type: ItemType;
  pos: number;
  /** val is the token's text, or the message for an ERROR token. */
  val: string;
}

const OPERATORS: ReadonlySet<ItemType> = new Set<OperatorItem>([
  "ADD",
  "DIV",
  "EQLC",
  "EQL_REGEX",
  "GTE",
  "GTR",
  "LAND",
  "LOR",
  "LSS",
  "LTE",
  "LUNLESS",
  "MOD",
  "MUL",
  "NEQ",
  "NEQ_REGEX",
  "POW",
  "SUB",
  "AT",
  "ATAN2",
]);

const AGGREGATORS: ReadonlySet<ItemType> = new Set<AggregatorItem>([
  "AVG",
  "BOTTOMK",
  "COUNT",
  "COUNT_VALUES",
  "GROUP",
  "MAX",
  "MIN",
  "QUANTILE",
  "STDDEV",
  "STDVAR",
  "SUM",
  "TOPK",
  "LIMITK",
  "LIMIT_RATIO",
]);

const KEYWORDS: ReadonlySet<ItemType> = new Set<KeywordItem>([
  "BOOL",
  "BY",
  "GROUP_LEFT",
  "GROUP_RIGHT",
  "IGNORING",
  "OFFSET",
  "ON",
  "WITHOUT",
]);

/** Words that lex as keywords, operators or numbers, matched case-insensitively (lex.go key). */
const KEY: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ["and", "LAND"],
  ["or", "LOR"],
  ["unless", "LUNLESS"],
  ["atan2", "ATAN2"],
  ["sum", "SUM"],
  ["avg", "AVG"],
  ["count", "COUNT"],
  ["min", "MIN"],
  ["max", "MAX"],
  ["group", "GROUP"],
  ["stddev", "STDDEV"],
  ["stdvar", "STDVAR"],
  ["topk", "TOPK"],
  ["bottomk", "BOTTOMK"],
  ["count_values", "COUNT_VALUES"],
  ["quantile", "QUANTILE"],
  ["limitk", "LIMITK"],
  ["limit_ratio", "LIMIT_RATIO"],
  ["offset", "OFFSET"],
  ["by", "BY"],
  ["without", "WITHOUT"],
  ["on", "ON"],
  ["ignoring", "IGNORING"],
  ["group_left", "GROUP_LEFT"],
  ["group_right", "GROUP_RIGHT"],
  ["bool", "BOOL"],
  ["start", "START"],
  ["end", "END"],
  ["inf", "NUMBER"],
  ["nan", "NUMBER"],
]);

/** Canonical spelling of token types that have one (lex.go ItemTypeStr). */
const ITEM_TYPE_STR: ReadonlyMap<ItemType, string> = new Map<ItemType, string>([
  ["LEFT_PAREN", "("],
  ["RIGHT_PAREN", ")"],
  ["LEFT_BRACE", "{"],
  ["RIGHT_BRACE", "}"],
  ["LEFT_BRACKET", "["],
  ["RIGHT_BRACKET", "]"],
  ["COMMA", ","],
  ["EQL", "="],
  ["COLON", ":"],
  ["SUB", "-"],
  ["ADD", "+"],
  ["MUL", "*"],
  ["MOD", "%"],
  ["DIV", "/"],
  ["EQLC", "=="],
  ["NEQ", "!="],
  ["LTE", "<="],
  ["LSS", "<"],
  ["GTE", ">="],
  ["GTR", ">"],
  ["EQL_REGEX", "=~"],
  ["NEQ_REGEX", "!~"],
  ["POW", "^"],
  ...[...KEY].filter(([, t]) => t !== "NUMBER").map(([w, t]): [ItemType, string] => [t, w]),
]);

/** itemTypeString returns the canonical text of a token type, e.g. "sum" for SUM, "+" for ADD. */
export function itemTypeString(t: ItemType): string {
  return ITEM_TYPE_STR.get(t) ?? t;
}

/** isOperator reports whether t is an operator token (binary operators, `@` and `atan2`). */
export function isOperator(t: ItemType): boolean {
  return OPERATORS.has(t);
}

/** isAggregator reports whether t is an aggregation operator token. */
export function isAggregator(t: ItemType): t is AggregatorItem {
  return AGGREGATORS.has(t);
}

/** isKeyword reports whether t is a keyword token such as BY or OFFSET. */
export function isKeyword(t: ItemType): boolean {
  return KEYWORDS.has(t);
}

// goyacc numbers tokens from 57346 in declaration order; AT is the only token without a canonical
// spelling that can appear in an "unexpected" message, where Go prints the number.
const AT_ITEM_NUMBER = 57400;

/** tokenString renders a token as Item.String in lex.go does: `"foo"`, `<op:+>`, `<by>`. */
export function tokenString(t: Token): string {
  if (t.type === "EOF") return "EOF";
  if (t.type === "ERROR") return t.val;
  if (t.type === "IDENTIFIER" || t.type === "METRIC_IDENTIFIER") return goQuote(t.val);
  if (isKeyword(t.type)) return `<${t.val}>`;
  if (isOperator(t.type)) return `<op:${t.val}>`;
  if (isAggregator(t.type)) return `<aggr:${t.val}>`;
  if (utf8Length(t.val) > 10) return goQuotePrefix(t.val, 10) + "...";
  return goQuote(t.val);
}

/** tokenDesc describes a token for "unexpected ..." messages as Item.desc in lex.go does. */
export function tokenDesc(t: Token): string {
  if (ITEM_TYPE_STR.has(t.type)) return tokenString(t);
  switch (t.type) {
    case "EOF":
      return "end of input";
    case "ERROR":
      return `error ${tokenString(t)}`;
    case "COMMENT":
      return `comment ${tokenString(t)}`;
    case "IDENTIFIER":
      return `identifier ${tokenString(t)}`;
    case "METRIC_IDENTIFIER":
      return `metric identifier ${tokenString(t)}`;
    case "STRING":
      return `string ${tokenString(t)}`;
    case "NUMBER":
      return `number ${tokenString(t)}`;
    case "DURATION":
      return `duration ${tokenString(t)}`;
    case "AT":
      return `"<Item ${AT_ITEM_NUMBER}>" ${tokenString(t)}`;
    default:
      return `${goQuote(t.type)} ${tokenString(t)}`;
  }
}

const EOF = -1;

type StateFn = (l: Lexer) => StateFn | null;

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0a || r === 0x0d;
}

function isEndOfLine(r: number): boolean {
  return r === 0x0d || r === 0x0a;
}

function isDigit(r: number): boolean {
  return r >= 0x30 && r <= 0x39;
}

function isAlpha(r: number): boolean {
  return r === 0x5f || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a);
}

function isAlphaNumeric(r: number): boolean {
  return isAlpha(r) || isDigit(r);
}

function digitVal(r: number): number {
  if (r >= 0x30 && r <= 0x39) return r - 0x30;
  if (r >= 0x61 && r <= 0x66) return r - 0x61 + 10;
  if (r >= 0x41 && r <= 0x46) return r - 0x41 + 10;
  return 16;
}

// Go's DecodeRune reports invalid UTF-8 as RuneError, which is also what a literal U+FFFD
// decodes to; lone surrogates are the JavaScript counterpart of invalid bytes.
function isRuneError(r: number): boolean {
  return r === 0xfffd || (r >= 0xd800 && r <= 0xdfff);
}

function contains(valid: string, r: number): boolean {
  return r !== EOF && valid.includes(String.fromCodePoint(r));
}

// Lexer holds the scanner state that the state functions share, as in lex.go; `lex` is the API.
class Lexer {
  readonly input: string;
  private state: StateFn | null = lexStatements;
  pos = 0;
  start = 0;
  private width = 0;
  private item: Token | null = null;

  parenDepth = 0;
  braceOpen = false;
  bracketOpen = false;
  gotColon = false;
  gotDuration = false;
  stringOpen = 0;

  /** Creates a lexer positioned at the start of input. */
  constructor(input: string) {
    this.input = input;
  }

  /** nextItem returns the next token; after EOF or an ERROR token it keeps returning EOF. */
  nextItem(): Token {
    this.item = null;
    if (this.state === null) {
      this.emit("EOF");
    } else {
      while (this.item === null && this.state !== null) this.state = this.state(this);
      if (this.item === null) this.emit("EOF");
    }
    return this.item!;
  }

  next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    this.pos -= this.width;
  }

  emit(t: ItemType): void {
    this.item = { type: t, pos: this.start, val: this.input.slice(this.start, this.pos) };
    this.start = this.pos;
  }

  ignore(): void {
    this.start = this.pos;
  }

  accept(valid: string): boolean {
    if (contains(valid, this.next())) return true;
    this.backup();
    return false;
  }

  is(valid: string): boolean {
    return contains(valid, this.peek());
  }

  acceptRun(valid: string): void {
    while (contains(valid, this.next())) {
      // Consume.
    }
    this.backup();
  }

  /** errorf emits an ERROR token with message msg and stops the scan. */
  errorf(msg: string): null {
    this.item = { type: "ERROR", pos: this.start, val: msg };
    return null;
  }

  /** errorKeepGoing records an ERROR token like lex.go's errorf calls whose state continues. */
  errorKeepGoing(msg: string): void {
    this.item = { type: "ERROR", pos: this.start, val: msg };
  }

  scanNumber(): boolean {
    const initialPos = this.pos;
    let digitPattern = "0123456789";
    if (this.accept("0") && this.accept("xX")) {
      this.accept("_");
      digitPattern = "0123456789abcdefABCDEF";
    }
    this.accept(".");
    this.accept(digitPattern);
    let dotConsumed = false;
    let exponentConsumed = false;
    while (this.is(digitPattern + "._eE")) {
      if (this.is(".") && dotConsumed) {
        this.accept(".");
        return false;
      }
      if (this.is("eE") && exponentConsumed) {
        this.accept("eE");
        return false;
      }
      if (this.accept(".")) {
        dotConsumed = true;
        if (this.accept("_.")) return false;
        if (digitPattern.length > 10) return false;
        continue;
      }
      if (this.accept("eE")) {
        exponentConsumed = true;
        this.accept("+-");
        if (this.accept("._eE") || this.peek() === EOF) return false;
        continue;
      }
      if (this.accept("_")) {
        if (this.accept("._eE") || this.peek() === EOF) return false;
        continue;
      }
      this.acceptRun(digitPattern);
    }
    if (this.pos === initialPos) return false;
    return !isAlphaNumeric(this.peek());
  }
}

/** lex scans all of input and returns its tokens, without comments, ending in EOF or ERROR. */
export function lex(input: string): Token[] {
  const l = new Lexer(input);
  const out: Token[] = [];
  for (;;) {
    const t = l.nextItem();
    if (t.type === "COMMENT") continue;
    out.push(t);
    if (t.type === "EOF" || t.type === "ERROR") return out;
  }
}

function lexStatements(l: Lexer): StateFn | null {
  if (l.braceOpen) return lexInsideBraces;
  if (l.input.startsWith("#", l.pos)) return lexLineComment;

  const r = l.next();
  if (r === EOF) {
    if (l.parenDepth !== 0) return l.errorf("unclosed left parenthesis");
    if (l.bracketOpen) return l.errorf("unclosed left bracket");
    l.emit("EOF");
    return null;
  }
  switch (r) {
    case 0x2c: // ,
      l.emit("COMMA");
      return lexStatements;
    case 0x2a: // *
      l.emit("MUL");
      return lexStatements;
    case 0x2f: // /
      l.emit("DIV");
      return lexStatements;
    case 0x25: // %
      l.emit("MOD");
      return lexStatements;
    case 0x2b: // +
      l.emit("ADD");
      return lexStatements;
    case 0x2d: // -
      l.emit("SUB");
      return lexStatements;
    case 0x5e: // ^
      l.emit("POW");
      return lexStatements;
    case 0x3d: {
      // =
      const t = l.peek();
      if (t === 0x3d) {
        l.next();
        l.emit("EQLC");
      } else if (t === 0x7e) {
        return l.errorf(`unexpected character after '=': ${goQuoteRune(t)}`);
      } else {
        l.emit("EQL");
      }
      return lexStatements;
    }
    case 0x21: {
      // !
      const t = l.next();
      if (t !== 0x3d) return l.errorf(`unexpected character after '!': ${goQuoteRune(t)}`);
      l.emit("NEQ");
      return lexStatements;
    }
    case 0x3c: // <
      if (l.peek() === 0x3d) {
        l.next();
        l.emit("LTE");
      } else l.emit("LSS");
      return lexStatements;
    case 0x3e: // >
      if (l.peek() === 0x3d) {
        l.next();
        l.emit("GTE");
      } else l.emit("GTR");
      return lexStatements;
    case 0x22: // "
    case 0x27: // '
      l.stringOpen = r;
      return lexString;
    case 0x60: // `
      l.stringOpen = r;
      return lexRawString;
    case 0x28: // (
      l.emit("LEFT_PAREN");
      l.parenDepth++;
      return lexStatements;
    case 0x29: // )
      l.emit("RIGHT_PAREN");
      l.parenDepth--;
      if (l.parenDepth < 0) return l.errorf(`unexpected right parenthesis ${goQuoteRune(r)}`);
      return lexStatements;
    case 0x7b: // {
      l.emit("LEFT_BRACE");
      l.braceOpen = true;
      return lexInsideBraces;
    case 0x5b: // [
      if (l.bracketOpen) return l.errorf(`unexpected left bracket ${goQuoteRune(r)}`);
      l.gotColon = false;
      l.emit("LEFT_BRACKET");
      if (isSpace(l.peek())) skipSpaces(l);
      l.bracketOpen = true;
      return lexDurationExpr;
    case 0x5d: // ]
      if (!l.bracketOpen) return l.errorf(`unexpected right bracket ${goQuoteRune(r)}`);
      l.emit("RIGHT_BRACKET");
      l.bracketOpen = false;
      return lexStatements;
    case 0x40: // @
      l.emit("AT");
      return lexStatements;
  }
  if (isSpace(r)) return lexSpace;
  if (isDigit(r) || (r === 0x2e && isDigit(l.peek()))) {
    l.backup();
    return lexNumberOrDuration;
  }
  if (isAlpha(r) || r === 0x3a) {
    if (!l.bracketOpen) {
      l.backup();
      return lexKeywordOrIdentifier;
    }
    // Inside brackets (after a duration) any letter is taken as the subquery colon, as in lex.go.
    if (l.gotColon) return l.errorf(`unexpected colon ${goQuoteRune(r)}`);
    l.emit("COLON");
    l.gotColon = true;
    return lexStatements;
  }
  return l.errorf(`unexpected character: ${goQuoteRune(r)}`);
}

function lexInsideBraces(l: Lexer): StateFn | null {
  if (l.input.startsWith("#", l.pos)) return lexLineComment;
  const r = l.next();
  if (r === EOF) return l.errorf("unexpected end of input inside braces");
  if (isSpace(r)) return lexSpace;
  if (isAlpha(r)) {
    l.backup();
    return lexIdentifier;
  }
  switch (r) {
    case 0x2c:
      l.emit("COMMA");
      return lexInsideBraces;
    case 0x22:
    case 0x27:
      l.stringOpen = r;
      return lexString;
    case 0x60:
      l.stringOpen = r;
      return lexRawString;
    case 0x3d: // =
      if (l.next() === 0x7e) {
        l.emit("EQL_REGEX");
        return lexInsideBraces;
      }
      l.backup();
      l.emit("EQL");
      return lexInsideBraces;
    case 0x21: {
      // !
      const nr = l.next();
      if (nr === 0x7e) l.emit("NEQ_REGEX");
      else if (nr === 0x3d) l.emit("NEQ");
      else return l.errorf(`unexpected character after '!' inside braces: ${goQuoteRune(nr)}`);
      return lexInsideBraces;
    }
    case 0x7b:
      return l.errorf(`unexpected left brace ${goQuoteRune(r)}`);
    case 0x7d:
      l.emit("RIGHT_BRACE");
      l.braceOpen = false;
      return lexStatements;
  }
  return l.errorf(`unexpected character inside braces: ${goQuoteRune(r)}`);
}

function lexEscape(l: Lexer): StateFn | null {
  let ch = l.next();
  let n: number;
  let base: number;
  let max: number;
  switch (ch) {
    case 0x61: // a b f n r t v \
    case 0x62:
    case 0x66:
    case 0x6e:
    case 0x72:
    case 0x74:
    case 0x76:
    case 0x5c:
      return lexString;
    case 0x78: // x
      ch = l.next();
      [n, base, max] = [2, 16, 255];
      break;
    case 0x75: // u
      ch = l.next();
      [n, base, max] = [4, 16, 0x10ffff];
      break;
    case 0x55: // U
      ch = l.next();
      [n, base, max] = [8, 16, 0x10ffff];
      break;
    case EOF:
      l.errorKeepGoing("escape sequence not terminated");
      return lexString;
    default:
      if (ch === l.stringOpen) return lexString;
      if (ch >= 0x30 && ch <= 0x37) {
        [n, base, max] = [3, 8, 255];
        break;
      }
      l.errorKeepGoing(`unknown escape sequence ${goRuneU(ch)}`);
      return lexString;
  }
  let x = 0;
  while (n > 0) {
    const d = digitVal(ch);
    if (d >= base) {
      if (ch === EOF) l.errorKeepGoing("escape sequence not terminated");
      else l.errorKeepGoing(`illegal character ${goRuneU(ch)} in escape sequence`);
      return lexString;
    }
    x = x * base + d;
    n--;
    if (n > 0) ch = l.next();
  }
  if (x > max || (x >= 0xd800 && x < 0xe000)) {
    l.errorKeepGoing("escape sequence is an invalid Unicode code point");
  }
  return lexString;
}

function skipSpaces(l: Lexer): void {
  while (isSpace(l.peek())) l.next();
  l.ignore();
}

function lexString(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (r === 0x5c) return lexEscape;
    if (isRuneError(r)) {
      l.errorKeepGoing("invalid UTF-8 rune");
      return lexString;
    }
    if (r === EOF || r === 0x0a) return l.errorf("unterminated quoted string");
    if (r === l.stringOpen) break;
  }
  l.emit("STRING");
  return lexStatements;
}

function lexRawString(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (isRuneError(r)) {
      l.errorKeepGoing("invalid UTF-8 rune");
      return lexRawString;
    }
    if (r === EOF) {
      l.errorKeepGoing("unterminated raw string");
      return lexRawString;
    }
    if (r === l.stringOpen) break;
  }
  l.emit("STRING");
  return lexStatements;
}

function lexSpace(l: Lexer): StateFn | null {
  while (isSpace(l.peek())) l.next();
  l.ignore();
  return lexStatements;
}

function lexLineComment(l: Lexer): StateFn | null {
  l.pos += 1;
  let r = l.next();
  while (!isEndOfLine(r) && r !== EOF) r = l.next();
  l.backup();
  l.emit("COMMENT");
  return lexStatements;
}

function lexNumberOrDuration(l: Lexer): StateFn | null {
  if (l.scanNumber()) {
    l.emit("NUMBER");
    return lexStatements;
  }
  if (acceptRemainingDuration(l)) {
    l.backup();
    l.emit("DURATION");
    return lexStatements;
  }
  return l.errorf(`bad number or duration syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
}

function acceptRemainingDuration(l: Lexer): boolean {
  if (!l.accept("smhdwy")) return false;
  l.accept("s");
  while (l.accept("0123456789")) {
    while (l.accept("0123456789")) {
      // Consume.
    }
    if (!l.accept("smhdw")) return false;
    l.accept("s");
  }
  return !isAlphaNumeric(l.next());
}

function lexIdentifier(l: Lexer): StateFn | null {
  while (isAlphaNumeric(l.next())) {
    // Absorb.
  }
  l.backup();
  l.emit("IDENTIFIER");
  return lexStatements;
}

function lexKeywordOrIdentifier(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r) || r === 0x3a) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    const kw = KEY.get(word.toLowerCase());
    if (kw !== undefined) l.emit(kw);
    else if (!word.includes(":")) l.emit("IDENTIFIER");
    else l.emit("METRIC_IDENTIFIER");
    return lexStatements;
  }
}

function lexDurationExpr(l: Lexer): StateFn | null {
  const r = l.next();
  switch (r) {
    case EOF:
      return l.errorf("unexpected end of input in duration expression");
    case 0x5d: // ]
      l.emit("RIGHT_BRACKET");
      l.bracketOpen = false;
      l.gotColon = false;
      return lexStatements;
    case 0x3a: // :
      l.emit("COLON");
      if (!l.gotDuration) {
        return l.errorf("unexpected colon before duration in duration expression");
      }
      if (l.gotColon) return l.errorf("unexpected repeated colon in duration expression");
      l.gotColon = true;
      return lexDurationExpr;
    case 0x28: // (
      l.emit("LEFT_PAREN");
      l.parenDepth++;
      return lexDurationExpr;
    case 0x29: // )
      l.emit("RIGHT_PAREN");
      l.parenDepth--;
      if (l.parenDepth < 0) return l.errorf(`unexpected right parenthesis ${goQuoteRune(r)}`);
      return lexDurationExpr;
    case 0x2b:
      l.emit("ADD");
      return lexDurationExpr;
    case 0x2d:
      l.emit("SUB");
      return lexDurationExpr;
    case 0x2a:
      l.emit("MUL");
      return lexDurationExpr;
    case 0x2f:
      l.emit("DIV");
      return lexDurationExpr;
    case 0x25:
      l.emit("MOD");
      return lexDurationExpr;
    case 0x5e:
      l.emit("POW");
      return lexDurationExpr;
  }
  if (isSpace(r)) {
    skipSpaces(l);
    return lexDurationExpr;
  }
  if (isDigit(r) || (r === 0x2e && isDigit(l.peek()))) {
    l.backup();
    l.gotDuration = true;
    return lexNumberOrDuration;
  }
  return l.errorf(`unexpected character in duration expression: ${goQuoteRune(r)}`);
}
