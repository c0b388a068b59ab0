// Just enough of a ClickHouse SQL lexer for the chDB HTTP double: it finds where an INSERT's
// inline data starts, which output format a statement asks for, which `{name:Type}` placeholders
// it binds, and whether the text holds more than one statement. It never builds an AST; anything
// it cannot classify is passed to chDB unchanged, which then reports the real error.

/** Lexical class of a {@link Token}. */
export type TokenKind =
  "word" | "quoted" | "string" | "number" | "open" | "close" | "semicolon" | "other";

/** One lexical token; offsets are byte offsets into the scanned buffer. */
export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Bracket nesting depth at the token (an opening bracket carries the outer depth). */
  depth: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const VT = 0x0b;
const FF = 0x0c;
const CR = 0x0d;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === VT || c === FF || c === CR;
}

function isWordStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 0x24;
}

/** Returns the offset just past the quote that closes the literal opened at `start`. */
function skipQuoted(buf: Uint8Array, start: number): number {
  const quote = buf[start];
  let i = start + 1;
  while (i < buf.length) {
    const c = buf[i];
    if (c === BACKSLASH) {
      i += 2;
    } else if (c === quote) {
      if (buf[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return buf.length;
}

/** Returns the offset after the comment starting at `i`, or `i` when there is none. */
function skipComment(buf: Uint8Array, i: number): number {
  const c = buf[i];
  const n = buf[i + 1];
  const lineComment =
    (c === 0x2d && n === 0x2d) || (c === 0x23 && (n === SPACE || n === 0x21 || n === undefined));
  if (lineComment) {
    let j = i + 2;
    while (j < buf.length && buf[j] !== LF) j += 1;
    return j;
  }
  if (c === 0x2f && n === 0x2a) {
    let nesting = 1;
    let j = i + 2;
    while (j < buf.length && nesting > 0) {
      if (buf[j] === 0x2f && buf[j + 1] === 0x2a) {
        nesting += 1;
        j += 2;
      } else if (buf[j] === 0x2a && buf[j + 1] === 0x2f) {
        nesting -= 1;
        j += 2;
      } else {
        j += 1;
      }
    }
    return j;
  }
  return i;
}

/**
 * Lazily tokenizes `buf` from `from`, skipping whitespace and comments. Being lazy matters: an
 * INSERT's binary data follows its statement head and must never be scanned.
 */
export function* tokenize(buf: Uint8Array, from = 0): Generator<Token> {
  let i = from;
  let depth = 0;
  while (i < buf.length) {
    const c = buf[i];
    if (isSpace(c)) {
      i += 1;
      continue;
    }
    const afterComment = skipComment(buf, i);
    if (afterComment !== i) {
      i = afterComment;
      continue;
    }
    const start = i;
    let kind: TokenKind;
    let tokenDepth = depth;
    if (isWordStart(c)) {
      kind = "word";
      i += 1;
      while (i < buf.length && isWordPart(buf[i])) i += 1;
    } else if (isDigit(c)) {
      kind = "number";
      i += 1;
      while (i < buf.length) {
        const d = buf[i];
        const exponentSign =
          (d === 0x2b || d === 0x2d) && (buf[i - 1] === 0x65 || buf[i - 1] === 0x45);
        if (isWordPart(d) || d === 0x2e || exponentSign) i += 1;
        else break;
      }
    } else if (c === 0x27) {
      kind = "string";
      i = skipQuoted(buf, i);
    } else if (c === 0x22 || c === 0x60) {
      kind = "quoted";
      i = skipQuoted(buf, i);
    } else if (c === 0x28 || c === 0x5b || c === 0x7b) {
      kind = "open";
      i += 1;
      depth += 1;
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      kind = "close";
      i += 1;
      depth = Math.max(0, depth - 1);
      tokenDepth = depth;
    } else if (c === 0x3b) {
      kind = "semicolon";
      i += 1;
    } else {
      kind = "other";
      i += 1;
    }
    yield { kind, start, end: i, depth: tokenDepth };
  }
}

function wordIs(buf: Uint8Array, t: Token | undefined, word: string): boolean {
  if (t === undefined || t.kind !== "word" || t.end - t.start !== word.length) return false;
  for (let k = 0; k < word.length; k += 1) {
    let c = buf[t.start + k];
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

function tokenText(buf: Uint8Array, t: Token): string {
  return Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start).toString("utf8");
}

/** Name of an identifier token with its quotes removed (escapes are not interpreted). */
function identifierName(buf: Uint8Array, t: Token): string {
  const text = tokenText(buf, t);
  return t.kind === "quoted" ? text.slice(1, -1) : text;
}

/** The upper-cased first keyword of a statement (`SELECT`, `INSERT`, ...), or `""`. */
export function firstKeyword(sql: string): string {
  const buf = Buffer.from(sql, "utf8");
  const first = tokenize(buf).next();
  if (first.done === true) return "";
  return first.value.kind === "word" ? tokenText(buf, first.value).toUpperCase() : "";
}

/**
 * Byte offset of the first token after a top-level `;` when the text holds more than one
 * statement (a trailing `;` is fine), or `undefined` for a single statement.
 */
export function secondStatementOffset(sql: string): number | undefined {
  const buf = Buffer.from(sql, "utf8");
  let sawSemicolon = false;
  for (const t of tokenize(buf)) {
    if (sawSemicolon && t.kind !== "semicolon") return t.start;
    if (t.kind === "semicolon" && t.depth === 0) sawSemicolon = true;
  }
  return undefined;
}

const NOT_A_FORMAT = new Set(["FROM", "WHERE", "AS", "SETTINGS", "UNION", "INTO", "LIMIT"]);

/** The format named by a statement's top-level `FORMAT <name>` clause, if it has one. */
export function findFormatClause(sql: string): string | undefined {
  const buf = Buffer.from(sql, "utf8");
  let found: string | undefined;
  let previousWasFormat = false;
  for (const t of tokenize(buf)) {
    if (previousWasFormat && (t.kind === "word" || t.kind === "quoted")) {
      const name = identifierName(buf, t);
      if (!NOT_A_FORMAT.has(name.toUpperCase())) found = name;
    }
    previousWasFormat = t.depth === 0 && wordIs(buf, t, "FORMAT");
  }
  return found;
}

/**
 * Maps each `{name:Type}` query-parameter placeholder in `sql` to its declared type. A name that
 * appears more than once keeps its first type.
 */
export function placeholderTypes(sql: string): Map<string, string> {
  const buf = Buffer.from(sql, "utf8");
  const out = new Map<string, string>();
  for (const t of tokenize(buf)) {
    if (t.kind !== "open" || buf[t.start] !== 0x7b) continue;
    const rest = buf.subarray(t.end).toString("utf8");
    const head = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(rest);
    if (head === null) continue;
    const type = readPlaceholderType(rest.slice(head[0].length));
    if (type !== undefined && !out.has(head[1])) out.set(head[1], type);
  }
  return out;
}

/** Reads a placeholder's type up to the `}` that closes it, honouring nesting and quotes. */
function readPlaceholderType(text: string): string | undefined {
  let nesting = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === "'" || ch === '"' || ch === "`") {
      i += 1;
      while (i < text.length && text[i] !== ch) i += text[i] === "\\" ? 2 : 1;
    } else if (ch === "(") {
      nesting += 1;
    } else if (ch === ")") {
      nesting -= 1;
    } else if (ch === "}" && nesting <= 0) {
      const type = text.slice(0, i).trim();
      return type === "" ? undefined : type;
    }
  }
  return undefined;
}

/** An INSERT whose data travels inline after its `FORMAT <name>` or `VALUES` keyword. */
export interface InsertWithData {
  /** Input format of the inline data (`Values` for `VALUES`). */
  format: string;
  /** The inline data, exactly as ClickHouse would hand it to the format's parser. */
  data: Buffer;
  /** The statement rewritten to read its data `FROM INFILE path` instead. */
  statementFor(path: string): string;
  /** The statement head (everything before the data), for placeholder discovery. */
  head: string;
}

/**
 * Recognises `INSERT INTO <target> [(cols)] [SETTINGS ...] FORMAT <name> <data>` and
 * `INSERT INTO <target> ... VALUES <data>` in `full` (the `query` URL parameter, a newline and
 * the body, as ClickHouse's HTTP handler concatenates them). Returns `undefined` for every other
 * statement, including `INSERT ... SELECT` and `INSERT ... FROM INFILE`. The data starts after
 * the format name, spaces/tabs and at most one line break, as in ClickHouse's parser.
 */
export function splitInsertData(full: Buffer): InsertWithData | undefined {
  const tokens = tokenize(full);
  const take = (): Token | undefined => {
    const r = tokens.next();
    return r.done === true ? undefined : r.value;
  };
  if (!wordIs(full, take(), "INSERT")) return undefined;
  let t = take();
  if (wordIs(full, t, "INTO")) t = take();
  if (wordIs(full, t, "TABLE")) t = take();
  if (wordIs(full, t, "FUNCTION")) {
    take(); // the table function's name; its argument list is skipped by depth below
    t = take();
  } else {
    // [db.]table
    if (t === undefined || (t.kind !== "word" && t.kind !== "quoted")) return undefined;
    t = take();
    if (t !== undefined && t.kind === "other" && full[t.start] === 0x2e) {
      take();
      t = take();
    }
  }
  let settingsAt: number | undefined;
  for (; t !== undefined; t = take()) {
    if (t.depth > 0 || t.kind === "open" || t.kind === "close") continue;
    if (t.kind === "semicolon") return undefined;
    if (wordIs(full, t, "SETTINGS")) {
      settingsAt ??= t.start;
    } else if (wordIs(full, t, "FORMAT")) {
      const name = take();
      if (name === undefined || (name.kind !== "word" && name.kind !== "quoted")) return undefined;
      const format = identifierName(full, name);
      let dataStart = name.end;
      while (dataStart < full.length && [SPACE, TAB, FF].includes(full[dataStart])) dataStart += 1;
      if (full[dataStart] === CR) dataStart += 1;
      if (full[dataStart] === LF) dataStart += 1;
      const insertAt = settingsAt ?? t.start;
      const before = full.subarray(0, insertAt).toString("utf8").trimEnd();
      const after = full.subarray(insertAt, name.end).toString("utf8");
      return {
        format,
        data: full.subarray(dataStart),
        head: full.subarray(0, name.end).toString("utf8"),
        statementFor: (path) => `${before} FROM INFILE ${sqlString(path)} ${after}`,
      };
    } else if (wordIs(full, t, "VALUES")) {
      const insertAt = settingsAt ?? t.start;
      const before = full.subarray(0, insertAt).toString("utf8").trimEnd();
      const settings = full.subarray(insertAt, t.start).toString("utf8").trim();
      const valuesEnd = t.end;
      return {
        format: "Values",
        data: full.subarray(valuesEnd),
        head: full.subarray(0, valuesEnd).toString("utf8"),
        statementFor: (path) =>
          `${before} FROM INFILE ${sqlString(path)}${settings === "" ? "" : ` ${settings}`} FORMAT Values`,
      };
    } else if (
      wordIs(full, t, "SELECT") ||
      wordIs(full, t, "WITH") ||
      wordIs(full, t, "FROM") ||
      wordIs(full, t, "WATCH")
    ) {
      return undefined;
    }
  }
  return undefined;
}

/** Quotes `s` as a ClickHouse single-quoted string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Quotes `s` as a ClickHouse back-quoted identifier. */
export function sqlIdentifier(s: string): string {
  return `\`${s.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}
