// The parts of Go's strconv that text/template and fmt rely on: quoting and unquoting of string
// and character literals, integer and float parsing with Go's literal syntax (base prefixes,
// underscores, hexadecimal floats), and strconv.FormatFloat's 'e', 'f' and 'g' formats with
// Go's rounding (correctly rounded, ties to even on the exact binary value). References:
// strconv/quote.go, strconv/atoi.go, strconv/atof.go, strconv/ftoa.go and strconv/decimal.go.

import { escapeGoRune, isGoPrint } from "../model/gostr.ts";

/** NumError mirrors strconv.NumError's message: `strconv.<func>: parsing "<num>": <reason>`. */
export class NumError extends Error {
  constructor(
    readonly func: string,
    readonly num: string,
    readonly reason: "invalid syntax" | "value out of range",
  ) {
    super(`strconv.${func}: parsing ${goQuote(num)}: ${reason}`);
    this.name = "NumError";
  }
}

/** goQuote renders s as strconv.Quote does (or QuoteToASCII when asciiOnly is set). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += quoteRune(ch.codePointAt(0)!, 0x22, asciiOnly);
  return out + '"';
}

/** goQuoteRune renders a code point as strconv.QuoteRune does ('x'). */
export function goQuoteRune(cp: number, asciiOnly = false): string {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return "'" + quoteRune(cp, 0x27, asciiOnly) + "'";
}

function quoteRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (asciiOnly && cp >= 0x80 && cp !== quote) {
    if (cp >= 0xd800 && cp <= 0xdfff) return escapeGoRune(cp, quote);
    return cp < 0x10000
      ? "\\u" + cp.toString(16).padStart(4, "0")
      : "\\U" + cp.toString(16).padStart(8, "0");
  }
  return escapeGoRune(cp, quote);
}

/** canBackquote reports whether s can be written as a Go raw string literal unchanged. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x60 || cp === 0xfeff) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    if (cp < 0x20 && cp !== 0x09) return false;
    if (cp === 0x7f) return false;
  }
  return true;
}

/** SYNTAX_ERROR is the message of strconv.ErrSyntax. */
export const SYNTAX_ERROR = "invalid syntax";

/**
 * unquoteChar decodes the first character or escape sequence of s, as strconv.UnquoteChar does.
 * It throws an Error("invalid syntax") when s does not start with a valid (escaped) character.
 */
export function unquoteChar(
  s: string,
  quote: number,
): { value: number; multibyte: boolean; tail: string } {
  const fail = (): never => {
    throw new Error(SYNTAX_ERROR);
  };
  if (s.length === 0) fail();
  const c = s.codePointAt(0)!;
  if (c === quote && (quote === 0x27 || quote === 0x22)) fail();
  if (c >= 0x80) {
    const width = c > 0xffff ? 2 : 1;
    return { value: c, multibyte: true, tail: s.slice(width) };
  }
  if (c !== 0x5c) return { value: c, multibyte: false, tail: s.slice(1) };
  if (s.length <= 1) fail();
  const e = s[1];
  let rest = s.slice(2);
  switch (e) {
    case "a":
      return { value: 7, multibyte: false, tail: rest };
    case "b":
      return { value: 8, multibyte: false, tail: rest };
    case "f":
      return { value: 12, multibyte: false, tail: rest };
    case "n":
      return { value: 10, multibyte: false, tail: rest };
    case "r":
      return { value: 13, multibyte: false, tail: rest };
    case "t":
      return { value: 9, multibyte: false, tail: rest };
    case "v":
      return { value: 11, multibyte: false, tail: rest };
    case "x":
    case "u":
    case "U": {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      if (rest.length < n) fail();
      const hex = rest.slice(0, n);
      if (!/^[0-9a-fA-F]+$/.test(hex)) fail();
      const v = parseInt(hex, 16);
      rest = rest.slice(n);
      if (e === "x") return { value: v, multibyte: false, tail: rest };
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) fail();
      return { value: v, multibyte: true, tail: rest };
    }
    case "0":
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
    case "6":
    case "7": {
      const oct = s.slice(1, 4);
      if (!/^[0-7]{3}$/.test(oct)) fail();
      const v = parseInt(oct, 8);
      if (v > 255) fail();
      return { value: v, multibyte: false, tail: s.slice(4) };
    }
    case "\\":
      return { value: 0x5c, multibyte: false, tail: rest };
    case "'":
    case '"':
      if (e.charCodeAt(0) !== quote) fail();
      return { value: e.charCodeAt(0), multibyte: false, tail: rest };
  }
  return fail();
}

/**
 * unquote interprets s as a Go double-quoted, back-quoted or single-quoted literal, as
 * strconv.Unquote does, and throws Error("invalid syntax") otherwise. A `\xNN` escape of a
 * byte above 0x7f becomes the "surrogate escape" U+DCNN (see model/gostr.ts).
 */
export function unquote(s: string): string {
  const fail = (): never => {
    throw new Error(SYNTAX_ERROR);
  };
  if (s.length < 2) fail();
  const q = s[0];
  if (q !== s[s.length - 1]) fail();
  const body = s.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) fail();
    return body.replaceAll("\r", "");
  }
  if (q !== '"' && q !== "'") fail();
  if (!body.includes("\\") && !body.includes(q)) {
    if (q === '"' && !body.includes("\n")) return body;
    if (q === "'" && Array.from(body).length === 1) return body;
  }
  if (body.includes("\n")) fail();
  let rest = body;
  let out = "";
  const bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length === 0) return;
    out += decodeGoBytes(bytes);
    bytes.length = 0;
  };
  while (rest.length > 0) {
    const r = unquoteChar(rest, q.charCodeAt(0));
    rest = r.tail;
    if (r.value < 0x80 || r.multibyte) {
      flushBytes();
      out += String.fromCodePoint(r.value);
    } else {
      bytes.push(r.value);
    }
    if (q === "'" && rest.length !== 0) fail();
  }
  flushBytes();
  return out;
}

/**
 * decodeGoBytes decodes bytes as UTF-8, keeping each byte that is not part of a valid sequence
 * as the surrogate escape U+DC80..U+DCFF, so Go strings holding arbitrary bytes survive.
 */
export function decodeGoBytes(bytes: ArrayLike<number>): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let n = 0;
    let cp = 0;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      cp = b & 0x07;
    }
    let ok = n > 0 && i + n < bytes.length;
    for (let k = 1; ok && k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok) {
      const min = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) ok = false;
    }
    if (ok) {
      out += String.fromCodePoint(cp);
      i += n + 1;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
  }
  return out;
}

/** encodeGoBytes is the inverse of decodeGoBytes: UTF-8 with surrogate escapes turned back into bytes. */
export function encodeGoBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - 0xdc00);
    else if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp >= 0xd800 && cp <= 0xdfff) out.push(0xef, 0xbf, 0xbd);
    else if (cp < 0x10000)
      out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      out.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
  }
  return Uint8Array.from(out);
}

/** byteLength is len(s) for the Go string s: its length in UTF-8 bytes. */
export function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xdc80 && c <= 0xdcff) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** isGoPrintRune re-exports unicode.IsPrint for the template package. */
export { isGoPrint };

/**
 * underscoreOK reports whether the underscores in s are placed as Go's literal syntax allows:
 * only between digits, or between a base prefix and a digit (strconv/atoi.go underscoreOK).
 */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1])) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/**
 * parseUint64 parses s as strconv.ParseUint(s, 0, 64) does: base prefixes 0b, 0o, 0x and a
 * plain leading 0 for octal, and underscores between digits. It throws a NumError.
 */
export function parseUint64(s: string, func = "ParseUint"): bigint {
  const syntax = (): never => {
    throw new NumError(func, s, "invalid syntax");
  };
  if (s.length === 0) syntax();
  let base = 10;
  let digits = s;
  if (s[0] === "0") {
    const p = s.length >= 3 ? s[1].toLowerCase() : "";
    base = p === "b" ? 2 : p === "x" ? 16 : 8;
    digits = p === "b" || p === "o" || p === "x" ? s.slice(2) : s.slice(1);
  }
  let hasUnderscore = false;
  let n = 0n;
  const b = BigInt(base);
  for (const c of digits) {
    if (c === "_") {
      hasUnderscore = true;
      continue;
    }
    const d = /^[0-9a-zA-Z]$/.test(c) ? parseInt(c, 36) : 99;
    if (d >= base) syntax();
    n = n * b + BigInt(d);
  }
  if (hasUnderscore && !underscoreOK(s)) syntax();
  if (n > 0xffffffffffffffffn) throw new NumError(func, s, "value out of range");
  return n;
}

/** parseInt64 parses s as strconv.ParseInt(s, 0, 64) does (an optional sign, then ParseUint). */
export function parseInt64(s: string): bigint {
  if (s.length === 0) throw new NumError("ParseInt", s, "invalid syntax");
  let neg = false;
  let body = s;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    body = s.slice(1);
  }
  let u: bigint;
  try {
    u = parseUint64(body, "ParseInt");
  } catch (err) {
    if (err instanceof NumError) throw new NumError("ParseInt", s, err.reason);
    throw err;
  }
  if (!neg && u > 0x7fffffffffffffffn) throw new NumError("ParseInt", s, "value out of range");
  if (neg && u > 0x8000000000000000n) throw new NumError("ParseInt", s, "value out of range");
  return neg ? -u : u;
}

const DEC_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))[pP]([+-]?[0-9]+)$/;

/**
 * parseFloat64 parses s as strconv.ParseFloat(s, 64) does: decimal and hexadecimal (with a
 * mandatory p exponent) literals, underscores as Go allows them, and "inf", "infinity" and
 * "nan" in any case. It throws a NumError for bad syntax and for values that overflow.
 */
export function parseFloat64(s: string): number {
  const syntax = (): never => {
    throw new NumError("ParseFloat", s, "invalid syntax");
  };
  let t = s;
  const lower = t.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, "");
  if (unsigned === "inf" || unsigned === "infinity") return lower[0] === "-" ? -Infinity : Infinity;
  if (lower === "nan") return NaN;
  if (t.includes("_")) {
    if (!underscoreOK(t)) syntax();
    t = t.replaceAll("_", "");
  }
  let v: number;
  const hex = HEX_FLOAT.exec(t);
  if (hex) {
    const [, sign, mant, exp] = hex;
    const dot = mant.indexOf(".");
    const intPart = dot >= 0 ? mant.slice(0, dot) : mant;
    const fracPart = dot >= 0 ? mant.slice(dot + 1) : "";
    const digits = (intPart + fracPart).replace(/^0+/, "") || "0";
    // Exact for up to 13 hex digits; longer mantissas are rare enough to round through Number.
    const m = Number(BigInt("0x" + digits));
    v = m * Math.pow(2, Number(exp) - 4 * fracPart.length);
    if (sign === "-") v = -v;
  } else {
    if (!DEC_FLOAT.test(t)) syntax();
    v = Number(t);
  }
  if (!Number.isFinite(v)) throw new NumError("ParseFloat", s, "value out of range");
  return v;
}

/** Decimal digits d with the decimal point after dp digits: value = 0.d × 10^dp (strconv/decimal.go). */
interface Digits {
  d: string;
  dp: number;
}

const F64 = new DataView(new ArrayBuffer(8));

/** exactDigits is the exact decimal expansion of a positive finite float, without trailing zeros. */
function exactDigits(v: number): Digits {
  F64.setFloat64(0, v);
  const hi = F64.getUint32(0);
  const lo = F64.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    const k = -exp;
    digits = (mant * 5n ** BigInt(k)).toString();
    dp = digits.length - k;
  }
  const trimmed = digits.replace(/0+$/, "");
  return { d: trimmed, dp };
}

/** shortestDigits is the shortest decimal that reads back as v (what Go's Ryu shortest mode yields). */
function shortestDigits(v: number): Digits {
  const e = v.toExponential();
  const at = e.indexOf("e");
  const mant = e.slice(0, at).replace(".", "");
  const exp = Number(e.slice(at + 1));
  return { d: mant.replace(/0+$/, ""), dp: exp + 1 };
}

/** roundDigits rounds to nd digits with Go's rule: ties go to even on the exact value. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) {
    up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 5;
  }
  if (!up) {
    return { d: x.d.slice(0, nd).replace(/0+$/, ""), dp: x.d.slice(0, nd) === "" ? 0 : x.dp };
  }
  let i = nd - 1;
  while (i >= 0 && x.d[i] === "9") i--;
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

/** wanted returns the number of digits a fixed-precision format keeps. */
function wanted(d: Digits, fmt: string, prec: number): number {
  switch (fmt) {
    case "e":
    case "E":
      return prec + 1;
    case "f":
      return d.dp + prec;
    default:
      return prec === 0 ? 1 : prec;
  }
}

/**
 * fixedDigits rounds a positive finite float to the digits a fixed-precision format keeps.
 * The shortest round-trip digits decide the rounding whenever they are far from a tie; the
 * exact binary value (BigInt arithmetic) is used otherwise, as Go's bigFtoa would.
 */
function fixedDigits(a: number, fmt: string, prec: number): Digits {
  const short = shortestDigits(a);
  const n = wanted(short, fmt, prec);
  if (n <= 14) {
    if (n >= short.d.length) return short;
    const next = short.d.charCodeAt(Math.max(n, 0)) - 48;
    if (n >= 0 && next !== 4 && next !== 5) return roundDigits(short, n);
    if (n < 0) return { d: "", dp: short.dp };
  }
  const exact = exactDigits(a);
  return roundDigits(exact, wanted(exact, fmt, prec));
}

/**
 * formatFloat renders v as strconv.FormatFloat(v, fmt, prec, 64) does for the formats
 * 'e', 'E', 'f', 'g' and 'G'; prec -1 asks for the shortest representation that round-trips.
 */
export function formatFloat(v: number, fmt: "e" | "E" | "f" | "g" | "G", prec: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const shortest = prec < 0;
  if ((fmt === "g" || fmt === "G") && prec === 0) prec = 1;
  let digs: Digits;
  if (a === 0) {
    digs = { d: "", dp: 0 };
  } else if (shortest) {
    digs = shortestDigits(a);
  } else {
    digs = fixedDigits(a, fmt, prec);
  }
  if (shortest) {
    switch (fmt) {
      case "e":
      case "E":
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case "f":
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      default:
        prec = digs.d.length;
    }
  }
  const sign = neg ? "-" : "";
  switch (fmt) {
    case "e":
    case "E":
      return sign + fmtE(digs, prec, fmt);
    case "f":
      return sign + fmtF(digs, prec);
  }
  let eprec = prec;
  if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
  if (shortest) eprec = 6;
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > digs.d.length) prec = digs.d.length;
    return sign + fmtE(digs, prec - 1, fmt === "g" ? "e" : "E");
  }
  if (prec > digs.dp) prec = digs.d.length;
  return sign + fmtF(digs, Math.max(prec - digs.dp, 0));
}

function fmtE(d: Digits, prec: number, fmt: string): string {
  let out = d.d.length > 0 ? d.d[0] : "0";
  if (prec > 0) {
    out += ".";
    const m = Math.min(d.d.length, prec + 1);
    out += d.d.slice(1, m);
    out += "0".repeat(Math.max(0, prec + 1 - Math.max(m, 1)));
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const esign = exp < 0 ? "-" : "+";
  exp = Math.abs(exp);
  return out + fmt + esign + (exp < 10 ? "0" + exp : String(exp));
}

function fmtF(d: Digits, prec: number): string {
  let out: string;
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp);
    out = d.d.slice(0, m) + "0".repeat(d.dp - m);
  } else {
    out = "0";
  }
  if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j >= 0 && j < d.d.length ? d.d[j] : "0";
    }
  }
  return out;
}

/** isGoSpace reports whether cp is white space as unicode.IsSpace defines it. */
export function isGoSpace(cp: number): boolean {
  switch (cp) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
  }
  return cp >= 0x2000 && cp <= 0x200a;
}

/** goTrimSpace removes leading and trailing white space as strings.TrimSpace does. */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}
