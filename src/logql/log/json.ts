// A lenient JSON scanner with the behaviour and error messages of github.com/grafana/jsonparser,
// which Loki's `| json` and `| unpack` use: it walks objects without validating every value,
// invokes a callback per key as it goes (so labels found before an error are kept), and fails
// with jsonparser's messages.

/** JsonType is jsonparser's ValueType. */
export type JsonType = "string" | "number" | "object" | "array" | "boolean" | "null";

export const MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol";
export const MALFORMED_ARRAY = "Value is array, but can't find closing ']' symbol";
export const MALFORMED_JSON = "Malformed JSON error";
export const MALFORMED_STRING = "Value is string, but can't find closing '\"' symbol";
export const MALFORMED_ESCAPE = "Encountered an invalid escape sequence in a string";
export const MALFORMED_VALUE =
  "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
export const UNKNOWN_VALUE_TYPE = "Unknown value type";

/** JsonError is a jsonparser failure. */
export class JsonError extends Error {}

function isWs(c: string | undefined): boolean {
  return c === " " || c === "\n" || c === "\r" || c === "\t";
}

function nextToken(s: string, i: number): number {
  while (i < s.length && isWs(s[i])) i++;
  return i < s.length ? i : -1;
}

/** stringEnd returns the index just past the closing quote of a string starting after `"`. */
function stringEnd(s: string, i: number): { end: number; escaped: boolean } {
  let escaped = false;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '"') {
      let k = j - 1;
      let n = 0;
      while (k >= i && s[k] === "\\") {
        k--;
        n++;
      }
      if (n % 2 === 0) return { end: j + 1, escaped };
      escaped = true;
    } else if (s[j] === "\\") {
      escaped = true;
    }
  }
  return { end: -1, escaped };
}

function blockEnd(s: string, i: number, open: string, close: string): number {
  let level = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      const se = stringEnd(s, i + 1);
      if (se.end === -1) return -1;
      i = se.end - 1;
    } else if (c === open) level++;
    else if (c === close) {
      level--;
      if (level === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

function tokenEnd(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === " " || c === "\n" || c === "\r" || c === "\t" || c === "," || c === "}" || c === "]")
      return j;
  }
  return s.length;
}

/** JsonValue is a located value: `raw` is the string body (no quotes) for strings. */
export interface JsonValue {
  readonly raw: string;
  readonly type: JsonType;
  /** end: index just past the value. */
  readonly end: number;
}

/** getValue reads the value starting at (or after whitespace from) i (jsonparser Get). */
export function getValue(s: string, i: number): JsonValue {
  const off = nextToken(s, i);
  if (off === -1) throw new JsonError("Key path not found");
  const c = s[off];
  if (c === '"') {
    const se = stringEnd(s, off + 1);
    if (se.end === -1) throw new JsonError(MALFORMED_STRING);
    return { raw: s.slice(off + 1, se.end - 1), type: "string", end: se.end };
  }
  if (c === "[") {
    const e = blockEnd(s, off, "[", "]");
    if (e === -1) throw new JsonError(MALFORMED_ARRAY);
    return { raw: s.slice(off, e), type: "array", end: e };
  }
  if (c === "{") {
    const e = blockEnd(s, off, "{", "}");
    if (e === -1) throw new JsonError(MALFORMED_OBJECT);
    return { raw: s.slice(off, e), type: "object", end: e };
  }
  const e = tokenEnd(s, off);
  const v = s.slice(off, e);
  switch (c) {
    case "t":
    case "f":
      if (v === "true" || v === "false") return { raw: v, type: "boolean", end: e };
      throw new JsonError(UNKNOWN_VALUE_TYPE);
    case "u":
    case "n":
      if (v === "null") return { raw: v, type: "null", end: e };
      throw new JsonError(UNKNOWN_VALUE_TYPE);
    default:
      if (c !== undefined && (c === "-" || (c >= "0" && c <= "9")))
        return { raw: v, type: "number", end: e };
      throw new JsonError(UNKNOWN_VALUE_TYPE);
  }
}

/**
 * objectEach calls fn for each key of the object in s (jsonparser ObjectEach). fn may return
 * "stop" to end the walk early. Keys are unescaped.
 */
export function objectEach(s: string, fn: (key: string, value: JsonValue) => "stop" | void): void {
  let off = nextToken(s, 0);
  if (off === -1 || s[off] !== "{") throw new JsonError(MALFORMED_OBJECT);
  off++;
  off = nextToken(s, off);
  if (off === -1) throw new JsonError(MALFORMED_JSON);
  if (s[off] === "}") return;
  while (off < s.length) {
    if (s[off] === "}") return;
    if (s[off] !== '"') throw new JsonError(MALFORMED_OBJECT);
    off++;
    const se = stringEnd(s, off);
    if (se.end === -1) throw new JsonError(MALFORMED_JSON);
    let key = s.slice(off, se.end - 1);
    off = se.end;
    if (se.escaped) {
      const u = unescapeJson(key);
      if (u === null) throw new JsonError(MALFORMED_ESCAPE);
      key = u;
    }
    off = nextToken(s, off);
    if (off === -1 || s[off] !== ":") throw new JsonError(MALFORMED_JSON);
    off++;
    const v = getValue(s, off);
    if (fn(key, v) === "stop") return;
    off = v.end;
    off = nextToken(s, off);
    if (off === -1) throw new JsonError(MALFORMED_ARRAY);
    if (s[off] === "}") return;
    if (s[off] !== ",") throw new JsonError(MALFORMED_OBJECT);
    off++;
    off = nextToken(s, off);
    if (off === -1) throw new JsonError(MALFORMED_ARRAY);
  }
  throw new JsonError(MALFORMED_OBJECT);
}

/** arrayEach calls fn for each element of the array in s. */
export function arrayEach(s: string, fn: (value: JsonValue) => void): void {
  let off = nextToken(s, 0);
  if (off === -1 || s[off] !== "[") throw new JsonError(MALFORMED_ARRAY);
  off++;
  off = nextToken(s, off);
  if (off === -1) throw new JsonError(MALFORMED_ARRAY);
  if (s[off] === "]") return;
  for (;;) {
    const v = getValue(s, off);
    fn(v);
    off = nextToken(s, v.end);
    if (off === -1) throw new JsonError(MALFORMED_ARRAY);
    if (s[off] === "]") return;
    if (s[off] !== ",") throw new JsonError(MALFORMED_ARRAY);
    off++;
  }
}

/**
 * unescapeJson decodes the escapes of a JSON string body (jsonparser Unescape), or returns
 * null on an invalid escape. `alsoEscapable` lists further characters a backslash may escape
 * (logfmt's decoder also takes `\'`).
 */
export function unescapeJson(s: string, alsoEscapable = ""): string | null {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = s[++i];
    switch (e) {
      case '"':
      case "\\":
      case "/":
        out += e;
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
      case "u": {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return null;
        let cp = parseInt(hex, 16);
        i += 4;
        if (cp >= 0xd800 && cp < 0xdc00) {
          const m = /^\\u([0-9a-fA-F]{4})/.exec(s.slice(i + 1, i + 7));
          const lo = m ? parseInt(m[1]!, 16) : -1;
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp < 0xe000) {
          cp = 0xfffd;
        }
        out += String.fromCodePoint(cp);
        break;
      }
      default:
        if (e !== undefined && alsoEscapable.includes(e)) {
          out += e;
          break;
        }
        return null;
    }
  }
  return out;
}

/**
 * lookupPath resolves a path of object keys and `[n]` indexes in the JSON document s
 * (jsonparser EachKey for one path); it returns undefined when the path does not exist.
 */
export function lookupPath(s: string, path: readonly (string | number)[]): JsonValue | undefined {
  // Walk container by container without validating what follows a match, as jsonparser does:
  // a document truncated after the wanted key still yields it.
  let doc = s;
  let cur: JsonValue | undefined;
  for (const seg of path) {
    let found: JsonValue | undefined;
    try {
      if (typeof seg === "number") {
        let idx = 0;
        arrayEach(doc, (v) => {
          if (idx++ === seg) found = v;
        });
      } else {
        objectEach(doc, (k, v) => {
          if (k === seg) {
            found = v;
            return "stop";
          }
          return undefined;
        });
      }
    } catch {
      if (found === undefined) return undefined;
    }
    if (found === undefined) return undefined;
    cur = found;
    doc = found.type === "string" ? "" : found.raw;
  }
  return cur;
}
