// Go-compatible value helpers for LogQL: Loki is written in Go and prints durations, floats and
// byte sizes with Go's time, strconv and go-humanize packages; its label filters parse label
// values with time.ParseDuration, strconv.ParseFloat and humanize.ParseBytes, and the error
// messages of those functions end up in `__error_details__`. The functions here reproduce them.
import { escapeGoRune } from "../../model/gostr.ts";
import { parseDuration as parsePromDurationMs } from "../../model/duration.ts";

/** goQuote renders s as Go's strconv.Quote does. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeGoRune(ch.codePointAt(0)!, 0x22);
  return out + '"';
}

/** formatFloatF renders v as strconv.FormatFloat(v, 'f', -1, 64). */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
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

/**
 * formatFloatV renders v as Go's fmt.Sprint(float64) (%v): the shortest representation, in
 * exponent form when the decimal exponent is below -4 or at least 21.
 */
export function formatFloatV(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const exp = Math.floor(Math.log10(Math.abs(v)));
  const [m, e] = v.toExponential().split("e") as [string, string];
  let x = Number(e);
  // log10 may be off by one near powers of ten; trust toExponential's exponent.
  if (Number.isFinite(exp)) x = Number(e);
  if (x < -4 || x >= 21) {
    const sign = x < 0 ? "-" : "+";
    const digits = String(Math.abs(x)).padStart(2, "0");
    return `${m}e${sign}${digits}`;
  }
  return formatFloatF(v);
}

/** formatFloatFixed renders v as Go's %f (six decimals). */
export function formatFloatFixed(v: number, digits = 6): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Math.abs(v) < 1e21) return v.toFixed(digits);
  return BigInt(v).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
}

/**
 * parseGoFloat parses s as strconv.ParseFloat(s, 64) does (decimal and hexadecimal floats,
 * "Inf"/"NaN" in any case, underscores only after a base prefix), or returns null.
 */
export function parseGoFloat(s: string): number | null {
  const t = s;
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?\d+)$/.exec(t);
  if (hex) {
    const intPart = (hex[2] ?? "").replace(/_/g, "");
    const frac = (hex[3] ?? "").replace(/_/g, "");
    if (intPart === "" && frac === "") return null;
    let v = 0;
    for (const c of intPart + frac) v = v * 16 + parseInt(c, 16);
    v = v * Math.pow(2, Number(hex[4]) - 4 * frac.length);
    return hex[1] === "-" ? -v : v;
  }
  return null;
}

/** parseFloatError is the message strconv.ParseFloat returns for s. */
export function parseFloatError(s: string): string {
  return `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`;
}

const NS = 1n;
const US = 1000n;
const MS = 1000_000n;
const SEC = 1000_000_000n;
const MIN = 60n * SEC;
const HOUR = 60n * MIN;

const GO_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** GoDurationError is a time.ParseDuration failure; its message is Go's. */
export class GoDurationError extends Error {}

/**
 * parseGoDuration parses s as Go's time.ParseDuration into nanoseconds, throwing a
 * GoDurationError with Go's message (`time: invalid duration "x"`, ...).
 */
export function parseGoDuration(s: string): bigint {
  const orig = s;
  const invalid = (): GoDurationError =>
    new GoDurationError(`time: invalid duration ${goQuote(orig)}`);
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let totalBig = 0n;
  while (s !== "") {
    if (!(s[0] === "." || (s[0]! >= "0" && s[0]! <= "9"))) throw invalid();
    let i = 0;
    while (i < s.length && s[i]! >= "0" && s[i]! <= "9") i++;
    const intPart = s.slice(0, i);
    s = s.slice(i);
    let frac = "";
    if (s.startsWith(".")) {
      s = s.slice(1);
      let j = 0;
      while (j < s.length && s[j]! >= "0" && s[j]! <= "9") j++;
      frac = s.slice(0, j);
      s = s.slice(j);
    }
    if (intPart === "" && frac === "") throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== "." && !(s[k]! >= "0" && s[k]! <= "9")) k++;
    if (k === 0) throw new GoDurationError(`time: missing unit in duration ${goQuote(orig)}`);
    const unit = s.slice(0, k);
    s = s.slice(k);
    const mult = GO_UNITS[unit];
    if (mult === undefined) {
      throw new GoDurationError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`);
    }
    const whole = BigInt(intPart === "" ? "0" : intPart) * BigInt(mult);
    let fracNs = 0n;
    if (frac !== "") fracNs = BigInt(Math.floor(Number("0." + frac) * mult));
    totalBig += whole + fracNs;
    if (totalBig > 9223372036854775807n) throw invalid();
  }
  return neg ? -totalBig : totalBig;
}

/** parsePromDuration parses a Prometheus duration ("5m", "1h30m", "1d") into nanoseconds. */
export function parsePromDuration(s: string): bigint {
  return BigInt(parsePromDurationMs(s)) * MS;
}

/**
 * parseLogQLDuration parses a duration the way Loki's lexer does: as a Prometheus duration
 * first, then as a Go duration (fractions, "us", negative values).
 */
export function parseLogQLDuration(s: string): bigint {
  try {
    return parsePromDuration(s);
  } catch {
    return parseGoDuration(s);
  }
}

/** formatPromDuration renders nanoseconds as prometheus model.Duration.String. */
export function formatPromDuration(ns: bigint): string {
  let ms = ns / MS;
  if (ms === 0n) return "0s";
  let out = "";
  if (ms < 0n) {
    out = "-";
    ms = -ms;
  }
  const units: [string, bigint, boolean][] = [
    ["y", 365n * 24n * 3600_000n, true],
    ["w", 7n * 24n * 3600_000n, true],
    ["d", 24n * 3600_000n, false],
    ["h", 3600_000n, false],
    ["m", 60_000n, false],
    ["s", 1000n, false],
    ["ms", 1n, false],
  ];
  for (const [u, mult, exact] of units) {
    if (exact && ms % mult !== 0n) continue;
    const v = ms / mult;
    if (v > 0n) {
      out += `${v}${u}`;
      ms -= v * mult;
    }
  }
  return out;
}

/** formatGoDuration renders nanoseconds as Go's time.Duration.String ("1h30m0s", "1.5s"). */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < SEC) {
    let unit: string;
    let div: bigint;
    if (u < US) {
      unit = "ns";
      div = NS;
    } else if (u < MS) {
      unit = "µs";
      div = US;
    } else {
      unit = "ms";
      div = MS;
    }
    out = fracString(u, div) + unit;
  } else {
    const h = u / HOUR;
    u -= h * HOUR;
    const m = u / MIN;
    u -= m * MIN;
    out = fracString(u, SEC) + "s";
    if (h > 0n) out = `${h}h${m}m` + out;
    else if (m > 0n) out = `${m}m` + out;
  }
  return neg ? "-" + out : out;
}

function fracString(v: bigint, div: bigint): string {
  const whole = v / div;
  const rem = v % div;
  if (rem === 0n) return String(whole);
  const digits = String(div).length - 1;
  const frac = String(rem).padStart(digits, "0").replace(/0+$/, "");
  return `${whole}.${frac}`;
}

const BYTES_TABLE: Record<string, number> = {
  b: 1,
  kib: 1024,
  kb: 1000,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
  eib: 1024 ** 6,
  eb: 1000 ** 6,
  "": 1,
  ki: 1024,
  k: 1000,
  mi: 1024 ** 2,
  m: 1000 ** 2,
  gi: 1024 ** 3,
  g: 1000 ** 3,
  ti: 1024 ** 4,
  t: 1000 ** 4,
  pi: 1024 ** 5,
  p: 1000 ** 5,
  ei: 1024 ** 6,
  e: 1000 ** 6,
};

/** BytesError is a humanize.ParseBytes failure with the library's message. */
export class BytesError extends Error {}

/** parseBytes parses a size as go-humanize ParseBytes does ("5MB", "1.5 KiB", "42"). */
export function parseBytes(s: string): number {
  let last = 0;
  let hasComma = false;
  for (const ch of s) {
    if (!(/\p{Nd}/u.test(ch) || ch === "." || ch === ",")) break;
    if (ch === ",") hasComma = true;
    last += ch.length;
  }
  let num = s.slice(0, last);
  if (hasComma) num = num.replace(/,/g, "");
  const f = parseGoFloat(num);
  if (f === null) throw new BytesError(parseFloatError(num));
  const extra = s.slice(last).trim().toLowerCase();
  const m = BYTES_TABLE[extra];
  if (m === undefined) throw new BytesError(`unhandled size name: ${extra}`);
  const v = f * m;
  if (v >= 2 ** 64) throw new BytesError(`too large: ${s}`);
  return Math.trunc(v);
}

/** formatBytes renders a size as go-humanize Bytes does ("5.0 MB" style, SI units). */
export function formatBytes(n: number): string {
  const sizes = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
  if (n < 10) return `${n} B`;
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const suffix = sizes[e]!;
  const val = Math.floor((n / Math.pow(1000, e)) * 10 + 0.5) / 10;
  return val < 10 ? `${val.toFixed(1)} ${suffix}` : `${val.toFixed(0)} ${suffix}`;
}
