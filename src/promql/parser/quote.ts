// Go-compatible string helpers for the PromQL parser and printer. Prometheus formats tokens,
// error messages and printed expressions with Go's fmt/strconv verbs (%q, %#U, %f and
// strconv.FormatFloat), and unquotes string literals with util/strutil/quote.go; the functions
// here reproduce those outputs so that Vigil's messages match Prometheus's byte for byte.

import { escapeGoRune, isEscapedByte, isGoPrint } from "../../model/gostr.ts";

export { isEscapedByte, isGoPrint };

/** goQuote renders s as Go's strconv.Quote (and the %q verb on strings) does. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeGoRune(ch.codePointAt(0)!, 0x22);
  return out + '"';
}

/** goQuoteRune renders code point cp as Go's %q verb on a rune does; -1 (EOF) prints as '�'. */
export function goQuoteRune(cp: number): string {
  if (cp < 0 || cp > 0x10ffff) cp = 0xfffd;
  return "'" + escapeGoRune(cp, 0x27) + "'";
}

/** goRuneU renders code point cp as Go's %#U verb does, e.g. "U+0063 'c'". */
export function goRuneU(cp: number): string {
  if (cp < 0) cp = 0xfffd;
  const u = "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
  return isGoPrint(cp) ? `${u} '${String.fromCodePoint(cp)}'` : u;
}

/** goQuotePrefix renders the first n code points of s with %.<n>q, as Go does for long tokens. */
export function goQuotePrefix(s: string, n: number): string {
  return goQuote(Array.from(s).slice(0, n).join(""));
}

/**
 * formatGoFloat renders v as strconv.FormatFloat(v, 'f', -1, 64): the shortest decimal that
 * round-trips, never in exponent form; infinities print as "+Inf"/"-Inf".
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Object.is(v, -0)) return "-0";
  const sign = v < 0 ? "-" : "";
  const s = String(Math.abs(v));
  const e = s.indexOf("e");
  if (e < 0) return sign + s;
  const mantissa = s.slice(0, e).replace(".", "");
  const dot = s.indexOf(".");
  const pointAt = (dot >= 0 && dot < e ? dot : e) + Number(s.slice(e + 1));
  if (pointAt <= 0) return sign + "0." + "0".repeat(-pointAt) + mantissa;
  if (pointAt >= mantissa.length) return sign + mantissa + "0".repeat(pointAt - mantissa.length);
  return sign + mantissa.slice(0, pointAt) + "." + mantissa.slice(pointAt);
}

/** formatGoFixed renders v as Go's %.<digits>f verb does ("+Inf", "NaN", no exponents). */
export function formatGoFixed(v: number, digits: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Math.abs(v) < 1e21) return v.toFixed(digits);
  // Above 1e21 every float64 is an integer, which BigInt prints exactly.
  return BigInt(v).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
}

const textEncoder = new TextEncoder();

/**
 * decodeUtf8 decodes bytes as Go's utf8.DecodeRune would, one rune at a time; each byte that does
 * not start a valid sequence becomes a surrogate escape (see isEscapedByte).
 */
export function decodeUtf8(bytes: ArrayLike<number>): string {
  let out = "";
  let i = 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean =>
    i + k < bytes.length && bytes[i + k] >= lo && bytes[i + k] <= hi;
  while (i < bytes.length) {
    const b0 = bytes[i];
    let cp = -1;
    let n = 1;
    if (b0 < 0x80) cp = b0;
    else if (b0 >= 0xc2 && b0 <= 0xdf && cont(1)) {
      cp = ((b0 & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      n = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      const lo = b0 === 0xe0 ? 0xa0 : 0x80;
      const hi = b0 === 0xed ? 0x9f : 0xbf;
      if (cont(1, lo, hi) && cont(2)) {
        cp = ((b0 & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
        n = 3;
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      const lo = b0 === 0xf0 ? 0x90 : 0x80;
      const hi = b0 === 0xf4 ? 0x8f : 0xbf;
      if (cont(1, lo, hi) && cont(2) && cont(3)) {
        cp =
          ((b0 & 0x07) << 18) |
          ((bytes[i + 1] & 0x3f) << 12) |
          ((bytes[i + 2] & 0x3f) << 6) |
          (bytes[i + 3] & 0x3f);
        n = 4;
      }
    }
    out += cp < 0 ? String.fromCharCode(0xdc00 + b0) : String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

function hexVal(c: string): number {
  const n = parseInt(c, 16);
  return Number.isNaN(n) || !/^[0-9a-fA-F]$/.test(c) ? -1 : n;
}

/**
 * unquoteString interprets s as a PromQL string literal ('...', "..." or `...`) and returns its
 * value, as util/strutil/quote.go Unquote does. \x and octal escapes produce raw bytes, which are
 * decoded as UTF-8 at the end; bytes that are not valid UTF-8 become surrogate escapes (see
 * isEscapedByte). It throws "invalid syntax" on malformed input; the lexer rejects such literals
 * before they get here.
 */
export function unquoteString(s: string): string {
  const syntax = (): Error => new Error("invalid syntax");
  if (s.length < 2) throw syntax();
  const quote = s[0];
  if (quote !== s[s.length - 1]) throw syntax();
  const body = s.slice(1, -1);
  if (quote === "`") {
    if (body.includes("`")) throw syntax();
    return body;
  }
  if (quote !== '"' && quote !== "'") throw syntax();
  if (body.includes("\n")) throw syntax();
  if (!body.includes("\\") && !body.includes(quote)) return body;

  const bytes: number[] = [];
  const pushText = (t: string): void => {
    for (const b of textEncoder.encode(t)) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === quote) throw syntax();
    if (c !== "\\") {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    if (i + 1 >= body.length) throw syntax();
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case "a":
        bytes.push(7);
        break;
      case "b":
        bytes.push(8);
        break;
      case "f":
        bytes.push(12);
        break;
      case "n":
        bytes.push(10);
        break;
      case "r":
        bytes.push(13);
        break;
      case "t":
        bytes.push(9);
        break;
      case "v":
        bytes.push(11);
        break;
      case "\\":
        bytes.push(0x5c);
        break;
      case "'":
      case '"':
        if (e !== quote) throw syntax();
        bytes.push(e.charCodeAt(0));
        break;
      case "x":
      case "u":
      case "U": {
        const n = e === "x" ? 2 : e === "u" ? 4 : 8;
        if (i + n > body.length) throw syntax();
        let v = 0;
        for (let j = 0; j < n; j++) {
          const d = hexVal(body[i + j]);
          if (d < 0) throw syntax();
          v = v * 16 + d;
        }
        i += n;
        if (e === "x") {
          bytes.push(v);
        } else {
          if (v > 0x10ffff) throw syntax();
          pushText(v >= 0xd800 && v <= 0xdfff ? "\ufffd" : String.fromCodePoint(v));
        }
        break;
      }
      default: {
        if (e < "0" || e > "7") throw syntax();
        if (i + 2 > body.length) throw syntax();
        let v = e.charCodeAt(0) - 48;
        for (let j = 0; j < 2; j++) {
          const d = body.charCodeAt(i + j) - 48;
          if (d < 0 || d > 7) throw syntax();
          v = v * 8 + d;
        }
        i += 2;
        if (v > 255) throw syntax();
        bytes.push(v);
      }
    }
  }
  return decodeUtf8(bytes);
}

/**
 * utf8Length returns the number of bytes s occupies in UTF-8, which is what Go's len() counts; a
 * surrogate escape counts as the one byte it stands for.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (isEscapedByte(c)) n += 1;
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

/** compareCodePoints orders strings by code point, which is Go's byte order for UTF-8 strings. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort above the rest of the BMP in code point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
