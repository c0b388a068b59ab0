// Go-compatible number parsing, number formatting and string quoting. The exposition parsers
// use these so that accepted values, label spellings and error messages are the ones Prometheus
// (written in Go) produces. Behaviour follows Go's strconv package: ParseFloat and its special
// values (atof.go), ParseInt (atoi.go), FormatFloat with 'g' and shortest precision (ftoa.go)
// and Quote / QuoteRune (quote.go).

import { escapeGoRune, hexPad } from "../gostr.ts";

const NAN_BITS = new DataView(new ArrayBuffer(8));
NAN_BITS.setUint32(0, 0x00000001, true);
NAN_BITS.setUint32(4, 0x7ff80000, true);

/**
 * NORMAL_NAN is the NaN Prometheus stores for a sample written as `NaN` in an exposition
 * (`value.NormalNaN`, bits 0x7ff8000000000001 in model/value/value.go). It is an ordinary NaN,
 * never the staleness marker. Its payload survives only in typed arrays such as Float64Array:
 * V8 canonicalises NaNs kept in plain arrays of doubles.
 */
export const NORMAL_NAN: number = NAN_BITS.getFloat64(0, true);

const C_PLUS = 0x2b;
const C_MINUS = 0x2d;
const C_DOT = 0x2e;
const C_0 = 0x30;
const C_9 = 0x39;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

/**
 * parseGoFloat parses s the way Go's strconv.ParseFloat(s, 64) does, apart from hexadecimal
 * mantissas and digit separators, which the Prometheus parsers refuse before calling it (see
 * parsePromFloat). It accepts an optional sign, decimal digits with an optional point and
 * exponent, and the case-insensitive specials `inf`, `infinity` (both with an optional sign) and
 * `nan`. It throws an Error with Go's message (`strconv.ParseFloat: parsing "x": invalid
 * syntax`, or `value out of range` when the magnitude overflows float64).
 */
export function parseGoFloat(s: string, latin1 = false): number {
  const n = s.length;
  let i = 0;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  if (c === C_PLUS || c === C_MINUS) i++;
  let digits = 0;
  let sawDot = false;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c === C_DOT && !sawDot) sawDot = true;
    else break;
  }
  if (digits > 0) {
    if (i < n && (c === 0x65 || c === 0x45)) {
      i++;
      if (i < n && (s.charCodeAt(i) === C_PLUS || s.charCodeAt(i) === C_MINUS)) i++;
      const expStart = i;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      if (i === expStart) throw numError("ParseFloat", s, "invalid syntax", latin1);
    }
    if (i === n) {
      const v = Number(s);
      if (v === Infinity || v === -Infinity) {
        throw numError("ParseFloat", s, "value out of range", latin1);
      }
      return v;
    }
    throw numError("ParseFloat", s, "invalid syntax", latin1);
  }
  const special = parseSpecial(s);
  if (special === undefined) throw numError("ParseFloat", s, "invalid syntax", latin1);
  return special;
}

// parseSpecial matches Go's special(): inf and infinity take an optional sign, nan does not.
function parseSpecial(s: string): number | undefined {
  const lower = s.toLowerCase();
  switch (lower) {
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
    case "nan":
      return NaN;
    default:
      return undefined;
  }
}

/**
 * parsePromFloat is the float parser of Prometheus's exposition parsers (parseFloat in
 * model/textparse/promparse.go and prometheus/common expfmt/text_parse.go): Go's ParseFloat,
 * except that any `p`, `P` or `_` is refused with "unsupported character in float", which keeps
 * values to the pre-Go-1.13 float syntax. With `latin1`, each character of s stands for a byte
 * (for error messages).
 */
export function parsePromFloat(s: string, latin1 = false): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x70 || c === 0x50 || c === 0x5f) throw new Error("unsupported character in float");
  }
  return parseGoFloat(s, latin1);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * parseGoInt parses a base-10 int64 like Go's strconv.ParseInt(s, 10, 64): an optional sign
 * followed by digits. It throws an Error with Go's message on bad syntax or overflow. Values
 * beyond 2^53 lose precision in the returned number.
 */
export function parseGoInt(s: string, latin1 = false): number {
  const n = s.length;
  let i = 0;
  if (n > 0 && (s.charCodeAt(0) === C_PLUS || s.charCodeAt(0) === C_MINUS)) i++;
  if (i === n) throw numError("ParseInt", s, "invalid syntax", latin1);
  for (let j = i; j < n; j++) {
    if (!isDigit(s.charCodeAt(j))) throw numError("ParseInt", s, "invalid syntax", latin1);
  }
  if (n - i < 16) return Number(s);
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) {
    throw numError("ParseInt", s, "value out of range", latin1);
  }
  return Number(big);
}

function numError(fn: string, s: string, msg: string, latin1: boolean): Error {
  return new Error(`strconv.${fn}: parsing ${goQuote(s, latin1)}: ${msg}`);
}

/**
 * formatGoFloat formats f like Go's strconv.FormatFloat(f, 'g', -1, 64), with Prometheus's
 * spellings for the specials: shortest round-trip digits, exponent form (`1e+06`, `1.5e-05`)
 * when the decimal exponent is below -4 or at least 6, plain decimals otherwise; `NaN`, `+Inf`
 * and `-Inf`. This is how Go clients spell `le` and `quantile` values.
 */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const exp = f.toExponential();
  const neg = f < 0;
  const ePos = exp.indexOf("e");
  const mantissa = exp.slice(neg ? 1 : 0, ePos);
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  const x = Number(exp.slice(ePos + 1));
  const sign = neg ? "-" : "";
  if (x < -4 || x >= 6) {
    const frac = digits.length > 1 ? "." + digits.slice(1) : "";
    const absExp = Math.abs(x);
    return `${sign}${digits[0]}${frac}e${x < 0 ? "-" : "+"}${absExp < 10 ? "0" : ""}${absExp}`;
  }
  const dp = x + 1;
  if (dp <= 0) return `${sign}0.${"0".repeat(-dp)}${digits}`;
  if (dp >= digits.length) return sign + digits + "0".repeat(dp - digits.length);
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/**
 * formatOpenMetricsFloat spells f as Prometheus's labels.FormatOpenMetricsFloat does for the
 * `le` and `quantile` labels it normalises: formatGoFloat, plus `.0` when the result has neither
 * a point nor an exponent (`1` becomes `1.0`).
 */
export function formatOpenMetricsFloat(f: number): string {
  const s = formatGoFloat(f);
  if (s.includes("e") || s.includes(".") || s.endsWith("Inf") || s === "NaN") return s;
  return s + ".0";
}

/**
 * goQuoteBytes renders bytes as Go's %q does for a byte slice: a double-quoted string in which
 * printable runes stay as they are, control characters use Go escapes and bytes that are not
 * valid UTF-8 appear as `\xNN`.
 */
export function goQuoteBytes(b: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < b.length) {
    const [r, width] = decodeRune(b, i);
    if (r < 0) out += "\\x" + hexPad(b[i]!, 2);
    else out += escapeGoRune(r, 0x22);
    i += width;
  }
  return out + '"';
}

/**
 * goQuote renders s as Go's %q does. With `latin1` set, each character of s stands for one
 * byte (a latin1 view of bytes that may not be valid UTF-8), so invalid sequences show as
 * `\xNN` exactly as in Go.
 */
export function goQuote(s: string, latin1 = false): string {
  return goQuoteBytes(Buffer.from(s, latin1 ? "latin1" : "utf8"));
}

/** goQuoteRune renders one character as Go's %q does for a rune or byte: `'x'`, `'\n'`. */
export function goQuoteRune(r: number): string {
  return "'" + escapeGoRune(r, 0x27) + "'";
}

/**
 * goFormatF renders a float as Go's %f does: `NaN`, `+Inf` and `-Inf` for the specials, six
 * decimals otherwise.
 */
export function goFormatF(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  return f.toFixed(6);
}

// decodeRune decodes one UTF-8 sequence at b[i] with the validity rules of Go's
// utf8.DecodeRune (no overlong forms, no surrogates, nothing above U+10FFFF). It returns
// [-1, 1] for an invalid byte.
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i]!;
  if (b0 < 0x80) return [b0, 1];
  const cont = (k: number, lo = 0x80, hi = 0xbf): number => {
    const v = b[i + k];
    return v !== undefined && v >= lo && v <= hi ? v & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [-1, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    const c1 = cont(1, lo, hi);
    const c2 = c1 < 0 ? -1 : cont(2);
    return c2 < 0 ? [-1, 1] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    const c1 = cont(1, lo, hi);
    const c2 = c1 < 0 ? -1 : cont(2);
    const c3 = c2 < 0 ? -1 : cont(3);
    return c3 < 0 ? [-1, 1] : [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [-1, 1];
}
