// Input handling shared by the parsers: the body as bytes (which is what Prometheus's lexers
// scan) plus a latin1 string view with the same offsets, label-text unescaping, fast number
// scanning, and the metric type codes kept per sample.

import { isAscii, isUtf8 } from "node:buffer";
import { goQuoteBytes } from "./strconv.ts";
import type { MetricType } from "./types.ts";

/**
 * Source is an exposition body. `bytes` is what the lexers scan, byte by byte as in Go; `raw`
 * is the same bytes as a latin1 string, so offsets agree, made on first use (the Prometheus
 * text parser never needs it: a scrape of a large target does not turn its body into a
 * string). When the body is pure ASCII (the usual case) slices are the text itself; otherwise
 * slices are decoded as UTF-8. `binary` is set when the body is not valid UTF-8.
 */
export interface Source {
  readonly bytes: Uint8Array;
  readonly raw: string;
  readonly ascii: boolean;
  readonly binary: boolean;
}

class BodySource implements Source {
  private text: string | undefined;
  readonly ascii: boolean;
  readonly binary: boolean;

  constructor(readonly bytes: Buffer) {
    this.ascii = isAscii(bytes);
    this.binary = !this.ascii && !isUtf8(bytes);
  }

  get raw(): string {
    return (this.text ??= this.bytes.toString("latin1"));
  }
}

/**
 * toSource turns a body into a Source. `extra` bytes are appended (PromParser appends a
 * newline). Decompression (gzip) is the caller's job, as it is the HTTP client's in Prometheus
 * (scrape/scrape.go readResponse).
 */
export function toSource(body: string | Uint8Array, extra = ""): Source {
  let buf =
    typeof body === "string"
      ? Buffer.from(body, "utf8")
      : Buffer.isBuffer(body)
        ? body
        : Buffer.from(body.buffer, body.byteOffset, body.length);
  if (extra !== "") buf = Buffer.concat([buf, Buffer.from(extra, "latin1")]);
  return new BodySource(buf);
}

/** sliceText returns bytes [a, b) of the source as text (decoded as UTF-8). */
export function sliceText(src: Source, a: number, b: number): string {
  return (src.bytes as Buffer).toString(src.ascii ? "latin1" : "utf8", a, b);
}

/** hashText is a 32-bit FNV-1a hash of bytes [a, b). */
export function hashText(bytes: Uint8Array, a: number, b: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** bytesEqual tells whether bytes [a, e) of x equal the as many bytes of y from off. */
export function bytesEqual(
  x: Uint8Array,
  a: number,
  e: number,
  y: Uint8Array,
  off: number,
): boolean {
  if (off + (e - a) > y.length) return false;
  for (let i = a, j = off; i < e; i++, j++) if (x[i] !== y[j]) return false;
  return true;
}

/** decodeLatin1Bytes decodes a string whose characters are bytes as UTF-8. */
export function decodeLatin1Bytes(s: string): string {
  return Buffer.from(s, "latin1").toString("utf8");
}

/** isValidUtf8Text reports whether bytes [a, b) of the source are valid UTF-8. */
export function isValidUtf8Text(src: Source, a: number, b: number): boolean {
  if (!src.binary) return true;
  return isUtf8(src.bytes.subarray(a, b));
}

/** quoteBytes renders bytes [a, b) of the source as Go's %q does. */
export function quoteBytes(src: Source, a: number, b: number): string {
  return goQuoteBytes(src.bytes.subarray(a, b));
}

/**
 * unescapeLabelText undoes the label value escapes `\\`, `\"` and `\n`, leaving any other
 * backslash as it is (lvalReplacer in model/textparse/promparse.go, also used for names and
 * OpenMetrics HELP text).
 */
export function unescapeLabelText(s: string): string {
  return unescape(s, true);
}

/** unescapeHelpText undoes the HELP escapes of the Prometheus text format: `\\` and `\n` only. */
export function unescapeHelpText(s: string): string {
  return unescape(s, false);
}

function unescape(s: string, quotes: boolean): string {
  let bs = s.indexOf("\\");
  if (bs < 0) return s;
  let out = "";
  let from = 0;
  while (bs >= 0 && bs + 1 < s.length) {
    const c = s.charCodeAt(bs + 1);
    let rep: string | undefined;
    if (c === 0x5c) rep = "\\";
    else if (c === 0x6e) rep = "\n";
    else if (c === 0x22 && quotes) rep = '"';
    if (rep === undefined) {
      bs = s.indexOf("\\", bs + 1);
      continue;
    }
    out += s.slice(from, bs) + rep;
    from = bs + 2;
    bs = s.indexOf("\\", from);
  }
  return out + s.slice(from);
}

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

/**
 * scanDecimal reads a plain decimal number (optional sign, at most 15 significant digits, an
 * optional point and exponent) from b[a:e] without making a string. The result is exact or
 * correctly rounded, since both the digits and the power of ten are exact doubles (Clinger's
 * fast path). It returns undefined for anything else (specials, long mantissas, large exponents,
 * bad syntax); the caller then falls back to the full parser, which also reports errors.
 */
export function scanDecimal(b: Uint8Array, a: number, e: number): number | undefined {
  let i = a;
  let neg = false;
  let c = b[i];
  if (c === 0x2d || c === 0x2b) {
    neg = c === 0x2d;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let sawDot = false;
  let sawDigit = false;
  for (; i < e; i++) {
    c = b[i]!;
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 15) return undefined;
      m = m * 10 + (c - 0x30);
      if (m !== 0) digits++;
      if (sawDot) frac++;
      sawDigit = true;
    } else if (c === 0x2e && !sawDot) {
      sawDot = true;
    } else {
      break;
    }
  }
  if (!sawDigit) return undefined;
  let exp = 0;
  if (i < e && (b[i]! | 0x20) === 0x65) {
    i++;
    let eneg = false;
    if (i < e && (b[i] === 0x2d || b[i] === 0x2b)) eneg = b[i++] === 0x2d;
    const expStart = i;
    for (; i < e && b[i]! >= 0x30 && b[i]! <= 0x39 && i - expStart < 4; i++) {
      exp = exp * 10 + (b[i]! - 0x30);
    }
    if (i === expStart) return undefined;
    if (eneg) exp = -exp;
  }
  if (i !== e) return undefined;
  exp -= frac;
  let v: number;
  if (exp === 0) v = m;
  else if (exp > 0 && exp <= 22) v = m * POW10[exp]!;
  else if (exp < 0 && exp >= -22) v = m / POW10[-exp]!;
  else return undefined;
  return neg ? -v : v;
}

/** scanInt reads an unsigned decimal integer of at most 15 digits from b[a:e], or undefined. */
export function scanInt(b: Uint8Array, a: number, e: number): number | undefined {
  if (e <= a || e - a > 15) return undefined;
  let v = 0;
  for (let i = a; i < e; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** TYPE_NAMES maps a metric type code to its name; index 0 is `unknown`. */
export const TYPE_NAMES: readonly MetricType[] = [
  "unknown",
  "counter",
  "gauge",
  "histogram",
  "gaugehistogram",
  "summary",
  "info",
  "stateset",
];

/** TYPE_UNKNOWN is the code of the `unknown` (untyped) metric type. */
export const TYPE_UNKNOWN = 0;
/** TYPE_COUNTER is the code of the counter type. */
export const TYPE_COUNTER = 1;
/** TYPE_HISTOGRAM is the code of the histogram type. */
export const TYPE_HISTOGRAM = 3;
/** TYPE_SUMMARY is the code of the summary type. */
export const TYPE_SUMMARY = 5;

/** typeCode returns the code of a metric type name. */
export function typeCode(t: MetricType): number {
  return TYPE_NAMES.indexOf(t);
}
