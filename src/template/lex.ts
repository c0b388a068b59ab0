// The template lexer: a port of text/template/parse/lex.go. It splits the input into text and
// the tokens inside actions, handles the trim markers "{{- " and " -}}" (which need an ASCII
// space next to the dash, so "{{-3}}" is the number -3) and comments, and tracks the line
// of each item for parse errors. Positions are UTF-16 offsets into the input; they are turned
// into Go's byte columns only when an error message is built.

import { byteLength, goQuote } from "./strconv.ts";
import { isGoPrint } from "../model/gostr.ts";

/** ItemType identifies the type of lex items (lex.go itemType). */
export type ItemType =
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "comment"
  | "complex"
  | "assign"
  | "declare"
  | "eof"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable"
  // Keywords.
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  [".", "dot"],
  ["block", "block"],
  ["break", "break"],
  ["continue", "continue"],
  ["define", "define"],
  ["else", "else"],
  ["end", "end"],
  ["if", "if"],
  ["range", "range"],
  ["nil", "nil"],
  ["template", "template"],
  ["with", "with"],
]);

const KEYWORD_TYPES = new Set<ItemType>(KEYWORDS.values());

/** Item is a token or text string returned from the scanner. */
export interface Item {
  readonly typ: ItemType;
  /** Starting offset of the item in the input (UTF-16 code units). */
  readonly pos: number;
  readonly val: string;
  /** The line number at the start of this item. */
  readonly line: number;
}

/** itemString renders an item the way lex.go's item.String does, for parse errors. */
export function itemString(i: Item): string {
  if (i.typ === "eof") return "EOF";
  if (i.typ === "error") return i.val;
  if (KEYWORD_TYPES.has(i.typ)) return `<${i.val}>`;
  if (byteLength(i.val) > 10) return goQuote(Array.from(i.val).slice(0, 10).join("")) + "...";
  return goQuote(i.val);
}

/** LexOptions control behavior of the lexer. */
export interface LexOptions {
  emitComment: boolean;
  breakOK: boolean;
  continueOK: boolean;
}

const EOF = -1;
const SPACE_CHARS = " \t\r\n";
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";
const TRIM_MARKER_LEN = 2;

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

function isAlphaNumeric(r: number): boolean {
  if (r < 0) return false;
  if (r === 0x5f) return true;
  if (r < 0x80) {
    return (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  }
  const s = String.fromCodePoint(r);
  return LETTER.test(s) || DIGIT.test(s);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && s[at] === "-" && isSpace(s.charCodeAt(at + 1));
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && isSpace(s.charCodeAt(at)) && s[at + 1] === "-";
}

/** goRuneU renders a code point like Go's %#U verb: U+0023 '#'. */
export function goRuneU(cp: number): string {
  const u = "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
  return isGoPrint(cp) ? `${u} '${String.fromCodePoint(cp)}'` : u;
}

type StateFn = (l: Lexer) => StateFn | null;

/** Lexer holds the state of the scanner; nextItem returns items one at a time. */
export class Lexer {
  private input: string;
  private pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private item: Item;
  private insideAction = false;

  constructor(
    readonly name: string,
    input: string,
    private readonly leftDelim: string,
    private readonly rightDelim: string,
    private readonly options: LexOptions,
  ) {
    this.input = input;
    this.item = { typ: "eof", pos: 0, val: "EOF", line: 1 };
  }

  /** nextItem returns the next item from the input. */
  nextItem(): Item {
    this.item = { typ: "eof", pos: this.pos, val: "EOF", line: this.startLine };
    let state: StateFn | null = this.insideAction ? lexInsideAction : lexText;
    while (state !== null) state = state(this);
    return this.item;
  }

  // --- scanning helpers ---

  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 0x0a) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const c = this.input.charCodeAt(this.pos - 1);
      const w =
        c >= 0xdc00 &&
        c <= 0xdfff &&
        this.pos >= 2 &&
        isHighSurrogate(this.input.charCodeAt(this.pos - 2))
          ? 2
          : 1;
      this.pos -= w;
      if (c === 0x0a) this.line--;
    }
  }

  thisItem(typ: ItemType): Item {
    const i: Item = {
      typ,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.startLine,
    };
    this.start = this.pos;
    this.startLine = this.line;
    return i;
  }

  emit(typ: ItemType): null {
    return this.emitItem(this.thisItem(typ));
  }

  emitItem(i: Item): null {
    this.item = i;
    return null;
  }

  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r >= 0 && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r < 0 || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  errorf(msg: string): null {
    this.item = { typ: "error", pos: this.start, val: msg, line: this.startLine };
    this.start = 0;
    this.pos = 0;
    this.input = "";
    return null;
  }

  atRightDelim(): [delim: boolean, trimSpaces: boolean] {
    if (
      hasRightTrimMarker(this.input, this.pos) &&
      this.input.startsWith(this.rightDelim, this.pos + TRIM_MARKER_LEN)
    ) {
      return [true, true];
    }
    if (this.input.startsWith(this.rightDelim, this.pos)) return [true, false];
    return [false, false];
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(this.rightDelim, this.pos);
  }

  scanNumber(): boolean {
    this.accept("+-");
    let digits = "0123456789_";
    if (this.accept("0")) {
      if (this.accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (this.accept("oO")) digits = "01234567_";
      else if (this.accept("bB")) digits = "01_";
    }
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (digits.length === 10 + 1 && this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    if (digits.length === 16 + 6 + 1 && this.accept("pP")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    this.accept("i");
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  // Accessors used by the state functions below.
  get text(): string {
    return this.input;
  }
  get cursor(): number {
    return this.pos;
  }
  set cursor(p: number) {
    this.pos = p;
  }
  get itemStart(): number {
    return this.start;
  }
  get left(): string {
    return this.leftDelim;
  }
  get right(): string {
    return this.rightDelim;
  }
  get opts(): LexOptions {
    return this.options;
  }
  get depth(): number {
    return this.parenDepth;
  }
  set depth(d: number) {
    this.parenDepth = d;
  }
  set inside(v: boolean) {
    this.insideAction = v;
  }
  addLines(n: number): void {
    this.line += n;
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x0a) n++;
  return n;
}

function rightTrimLength(s: string): number {
  let i = s.length;
  while (i > 0 && SPACE_CHARS.includes(s[i - 1])) i--;
  return s.length - i;
}

function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && SPACE_CHARS.includes(s[i])) i++;
  return i - from;
}

/** lexText scans until an opening action delimiter. */
function lexText(l: Lexer): StateFn | null {
  const input = l.text;
  const x = input.indexOf(l.left, l.cursor);
  if (x >= 0) {
    if (x > l.cursor) {
      l.cursor = x;
      let trimLength = 0;
      const delimEnd = l.cursor + l.left.length;
      if (hasLeftTrimMarker(input, delimEnd)) {
        trimLength = rightTrimLength(input.slice(l.itemStart, l.cursor));
      }
      l.cursor -= trimLength;
      l.addLines(countNewlines(input, l.itemStart, l.cursor));
      const i = l.thisItem("text");
      l.cursor += trimLength;
      l.ignore();
      if (i.val.length > 0) return l.emitItem(i);
    }
    return lexLeftDelim;
  }
  l.cursor = input.length;
  if (l.cursor > l.itemStart) {
    l.addLines(countNewlines(input, l.itemStart, l.cursor));
    return l.emit("text");
  }
  return l.emit("eof");
}

/** lexLeftDelim scans the left delimiter, which is known to be present, possibly with a trim marker. */
function lexLeftDelim(l: Lexer): StateFn | null {
  l.cursor += l.left.length;
  const trimSpace = hasLeftTrimMarker(l.text, l.cursor);
  const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
  if (l.text.startsWith(LEFT_COMMENT, l.cursor + afterMarker)) {
    l.cursor += afterMarker;
    l.ignore();
    return lexComment;
  }
  const i = l.thisItem("leftDelim");
  l.inside = true;
  l.cursor += afterMarker;
  l.ignore();
  l.depth = 0;
  return l.emitItem(i);
}

/** lexComment scans a comment. The left comment marker is known to be present. */
function lexComment(l: Lexer): StateFn | null {
  l.cursor += LEFT_COMMENT.length;
  const x = l.text.indexOf(RIGHT_COMMENT, l.cursor);
  if (x < 0) return l.errorf("unclosed comment");
  l.cursor = x + RIGHT_COMMENT.length;
  const [delim, trimSpace] = l.atRightDelim();
  if (!delim) return l.errorf("comment ends before closing delimiter");
  l.addLines(countNewlines(l.text, l.itemStart, l.cursor));
  const i = l.thisItem("comment");
  if (trimSpace) l.cursor += TRIM_MARKER_LEN;
  l.cursor += l.right.length;
  if (trimSpace) l.cursor += leftTrimLength(l.text, l.cursor);
  l.ignore();
  if (l.opts.emitComment) return l.emitItem(i);
  return lexText;
}

/** lexRightDelim scans the right delimiter, which is known to be present, possibly with a trim marker. */
function lexRightDelim(l: Lexer): StateFn | null {
  const [, trimSpace] = l.atRightDelim();
  if (trimSpace) {
    l.cursor += TRIM_MARKER_LEN;
    l.ignore();
  }
  l.cursor += l.right.length;
  const i = l.thisItem("rightDelim");
  if (trimSpace) {
    l.cursor += leftTrimLength(l.text, l.cursor);
    l.ignore();
  }
  l.inside = false;
  return l.emitItem(i);
}

/** lexInsideAction scans the elements inside action delimiters. */
function lexInsideAction(l: Lexer): StateFn | null {
  const [delim] = l.atRightDelim();
  if (delim) {
    if (l.depth === 0) return lexRightDelim;
    return l.errorf("unclosed left paren");
  }
  const r = l.next();
  if (r === EOF) return l.errorf("unclosed action");
  if (isSpace(r)) {
    l.backup();
    return lexSpace;
  }
  switch (r) {
    case 0x3d: // =
      return l.emit("assign");
    case 0x3a: // :
      if (l.next() !== 0x3d) return l.errorf("expected :=");
      return l.emit("declare");
    case 0x7c: // |
      return l.emit("pipe");
    case 0x22: // "
      return lexQuote;
    case 0x60: // `
      return lexRawQuote;
    case 0x24: // $
      return lexVariable;
    case 0x27: // '
      return lexChar;
    case 0x28: // (
      l.depth++;
      return l.emit("leftParen");
    case 0x29: // )
      l.depth--;
      if (l.depth < 0) return l.errorf("unexpected right paren");
      return l.emit("rightParen");
  }
  if (r === 0x2e) {
    // Special look-ahead for ".field" so we don't break l.backup().
    if (l.cursor < l.text.length) {
      const c = l.text.charCodeAt(l.cursor);
      if (c < 0x30 || c > 0x39) return lexField;
    }
    l.backup();
    return lexNumber;
  }
  if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r <= 0x7f && isGoPrint(r)) return l.emit("char");
  return l.errorf(`unrecognized character in action: ${goRuneU(r)}`);
}

/** lexSpace scans a run of space characters, taking care of a trim-marked right delimiter. */
function lexSpace(l: Lexer): StateFn | null {
  let numSpaces = 0;
  for (;;) {
    const r = l.peek();
    if (!isSpace(r)) break;
    l.next();
    numSpaces++;
  }
  if (
    hasRightTrimMarker(l.text, l.cursor - 1) &&
    l.text.startsWith(l.right, l.cursor - 1 + TRIM_MARKER_LEN)
  ) {
    l.backup();
    if (numSpaces === 1) return lexRightDelim;
  }
  return l.emit("space");
}

/** lexIdentifier scans an alphanumeric. */
function lexIdentifier(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.text.slice(l.itemStart, l.cursor);
    if (!l.atTerminator()) return l.errorf(`bad character ${goRuneU(r)}`);
    const key = KEYWORDS.get(word);
    if (key !== undefined) {
      if ((key === "break" && !l.opts.breakOK) || (key === "continue" && !l.opts.continueOK)) {
        return l.emit("identifier");
      }
      return l.emit(key);
    }
    if (word[0] === ".") return l.emit("field");
    if (word === "true" || word === "false") return l.emit("bool");
    return l.emit("identifier");
  }
}

/** lexField scans a field: .Alphanumeric. The . has been scanned. */
function lexField(l: Lexer): StateFn | null {
  return lexFieldOrVariable(l, "field");
}

/** lexVariable scans a Variable: $Alphanumeric. The $ has been scanned. */
function lexVariable(l: Lexer): StateFn | null {
  if (l.atTerminator()) return l.emit("variable");
  return lexFieldOrVariable(l, "variable");
}

function lexFieldOrVariable(l: Lexer, typ: "field" | "variable"): StateFn | null {
  if (l.atTerminator()) return l.emit(typ === "variable" ? "variable" : "dot");
  let r: number;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${goRuneU(r)}`);
  return l.emit(typ);
}

/** lexChar scans a character constant. The initial quote is already scanned. */
function lexChar(l: Lexer): StateFn | null {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 0x0a) continue;
    }
    if (r === EOF || r === 0x0a) return l.errorf("unterminated character constant");
    if (r === 0x27) break;
  }
  return l.emit("charConstant");
}

/** lexNumber scans a number: decimal, octal, hex, float, or imaginary. */
function lexNumber(l: Lexer): StateFn | null {
  if (!l.scanNumber()) {
    return l.errorf(`bad number syntax: ${goQuote(l.text.slice(l.itemStart, l.cursor))}`);
  }
  const sign = l.peek();
  if (sign === 0x2b || sign === 0x2d) {
    if (!l.scanNumber() || l.text[l.cursor - 1] !== "i") {
      return l.errorf(`bad number syntax: ${goQuote(l.text.slice(l.itemStart, l.cursor))}`);
    }
    return l.emit("complex");
  }
  return l.emit("number");
}

/** lexQuote scans a quoted string. */
function lexQuote(l: Lexer): StateFn | null {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 0x0a) continue;
    }
    if (r === EOF || r === 0x0a) return l.errorf("unterminated quoted string");
    if (r === 0x22) break;
  }
  return l.emit("string");
}

/** lexRawQuote scans a raw quoted string. */
function lexRawQuote(l: Lexer): StateFn | null {
  for (;;) {
    const r = l.next();
    if (r === EOF) return l.errorf("unterminated raw quoted string");
    if (r === 0x60) break;
  }
  return l.emit("rawString");
}
