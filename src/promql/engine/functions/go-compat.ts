// Small pieces of Go runtime behaviour the function library depends on: strconv.ParseFloat's
// grammar (for `le` labels), the %f verb (for error messages), time.Duration.Seconds,
// float-to-int64 conversion on amd64, and natural string ordering (github.com/facette/natsort
// at 2cd4dd1e, the version Prometheus v3.5 pins).

/**
 * parseGoFloat parses s as Go's strconv.ParseFloat(s, 64) does, returning null where Go returns
 * an error: a syntax error, or a finite literal out of float64 range (ErrRange). Accepted forms:
 * an optional sign, decimal or 0x-hexadecimal (with mandatory p exponent) mantissas, digit
 * separators `_` in Go's positions, and case-insensitive "inf", "infinity" (signed) and "nan".
 */
export function parseGoFloat(s: string): number | null {
  const special = parseSpecial(s);
  if (special !== undefined) return special;

  let i = 0;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  let hex = false;
  if (i + 2 < s.length && s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    hex = true;
    i += 2;
  }
  const mantStart = i;
  let sawDot = false;
  let sawDigits = false;
  let underscores = false;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === "_") {
      underscores = true;
    } else if (c === ".") {
      if (sawDot) break;
      sawDot = true;
    } else if (isDigit(c) || (hex && isHexLetter(c))) {
      sawDigits = true;
    } else {
      break;
    }
  }
  if (!sawDigits) return null;
  const mantissa = s.slice(mantStart, i).replaceAll("_", "");
  let exp = 0;
  let expText = "";
  const expChar = hex ? "p" : "e";
  if (i < s.length && s[i]!.toLowerCase() === expChar) {
    i++;
    if (i >= s.length) return null;
    let esign = "";
    if (s[i] === "+" || s[i] === "-") {
      esign = s[i] === "-" ? "-" : "";
      i++;
    }
    if (i >= s.length || !isDigit(s[i]!)) return null;
    const start = i;
    for (; i < s.length && (isDigit(s[i]!) || s[i] === "_"); i++) {
      if (s[i] === "_") underscores = true;
    }
    expText = esign + s.slice(start, i).replaceAll("_", "");
    exp = Number(expText);
  } else if (hex) {
    return null;
  }
  if (underscores && !underscoreOK(s.slice(0, i))) return null;
  if (i !== s.length) return null;

  let v: number;
  if (hex) {
    v = hexFloat(mantissa, exp);
  } else {
    v = Number(mantissa + (expText === "" ? "" : "e" + expText));
  }
  if (!Number.isFinite(v)) return null;
  return neg ? -v : v;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isHexLetter(c: string): boolean {
  const l = c.toLowerCase();
  return l >= "a" && l <= "f";
}

// parseSpecial handles strconv's special(): signed inf/infinity and unsigned nan, consuming the
// whole string; undefined when s is not one of them.
function parseSpecial(s: string): number | undefined {
  if (s[0] === "+" || s[0] === "-") {
    const l = s.slice(1).toLowerCase();
    if (l !== "inf" && l !== "infinity") return undefined;
    return s[0] === "-" ? -Infinity : Infinity;
  }
  const l = s.toLowerCase();
  if (l === "inf" || l === "infinity") return Infinity;
  if (l === "nan") return NaN;
  return undefined;
}

// underscoreOK reports whether the underscores in s sit only between digits (or after a base
// prefix), as strconv requires.
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1]!)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (isDigit(c) || (hex && isHexLetter(c))) {
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

// hexFloat evaluates a hexadecimal mantissa (digits and at most one '.') times 2^exp, rounded
// half to even to float64 (Infinity on overflow).
function hexFloat(mantissa: string, exp: number): number {
  const dot = mantissa.indexOf(".");
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const fracDigits = dot < 0 ? 0 : mantissa.length - dot - 1;
  const m = BigInt("0x" + digits);
  if (m === 0n) return 0;
  const e = exp - 4 * fracDigits;
  const bits = m.toString(2).length;
  if (bits + e > 1024) return Infinity;
  // Keep at most 53 significant bits, and nothing below the smallest subnormal (2^-1074).
  const drop = Math.max(bits - 53, -(e + 1074), 0);
  let q = m;
  if (drop > 0) {
    const d = BigInt(drop);
    q = m >> d;
    const r = m - (q << d);
    const half = 1n << (d - 1n);
    if (r > half || (r === half && (q & 1n) === 1n)) q++;
  }
  return ldexp(Number(q), e + drop);
}

// ldexp returns x * 2^n, exact whenever the result is representable.
function ldexp(x: number, n: number): number {
  while (n > 1000) {
    x *= 2 ** 1000;
    n -= 1000;
  }
  while (n < -1000) {
    x *= 2 ** -1000;
    n += 1000;
  }
  return x * 2 ** n;
}

/**
 * formatGoFixed6 renders v as Go's %f verb (precision 6): "NaN", "+Inf", "-Inf", a "-" for
 * negative zero, no exponent form, and exact ties rounded half to even.
 */
export function formatGoFixed6(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const a = Math.abs(v);
  if (a >= 1e21) return sign + BigInt(a).toString() + ".000000";
  // A float64 lies exactly halfway between two 6-digit decimals only when it is an odd
  // multiple of 2^-7; JavaScript rounds those away from zero, Go to even.
  if (Number.isInteger(a * 128) && !Number.isInteger(a * 64)) {
    const seven = a.toFixed(7); // exact
    let units = BigInt(seven.slice(0, -1).replace(".", ""));
    if ((units & 1n) === 1n) units += 1n;
    const str = units.toString().padStart(7, "0");
    return sign + str.slice(0, -6) + "." + str.slice(-6);
  }
  return sign + a.toFixed(6);
}

/**
 * durationSeconds converts a duration in milliseconds to seconds as Go's Duration.Seconds does
 * (whole seconds plus the remaining nanoseconds / 1e9), which can differ in the last bit from
 * a plain division.
 */
export function durationSeconds(ms: number): number {
  const sec = Math.trunc(ms / 1000);
  const nsec = (ms - sec * 1000) * 1e6;
  return sec + nsec / 1e9;
}

const INT64_MIN = -(2 ** 63);

/**
 * goInt64 converts a float64 to int64 as Go does on amd64: truncation toward zero, and the
 * "integer indefinite" value -2^63 for NaN and anything outside [-2^63, 2^63). The result is
 * returned as a bigint because it can exceed 2^53.
 */
export function goInt64(f: number): bigint {
  if (Number.isNaN(f) || f >= 2 ** 63 || f < INT64_MIN) return -(1n << 63n);
  return BigInt(Math.trunc(f));
}

/**
 * natsortLess is natsort.Compare: whether a precedes b in "natural" order, where runs of ASCII
 * digits compare as integers. Like the original it is not a strict order (for instance it
 * reports "" as preceding nothing, and "07" and "7" as each preceding the other); callers rely
 * on that exact behaviour.
 */
export function natsortLess(a: string, b: string): boolean {
  const chunksA = chunkify(a);
  const chunksB = chunkify(b);
  const nA = chunksA.length;
  const nB = chunksB.length;
  for (let i = 0; i < nA; i++) {
    if (i >= nB) return false;
    const ca = chunksA[i]!;
    const cb = chunksB[i]!;
    const ia = atoi(ca);
    const ib = atoi(cb);
    if (ia !== null && ib !== null) {
      if (ia === ib) {
        if (i === nA - 1) return true;
        if (i === nB - 1) return false;
        continue;
      }
      return ia < ib;
    }
    if (ca === cb) {
      if (i === nA - 1) return true;
      if (i === nB - 1) return false;
      continue;
    }
    return goStringLess(ca, cb);
  }
  return false;
}

const CHUNK_RE = /\d+|\D+/g;

function chunkify(s: string): string[] {
  return s.match(CHUNK_RE) ?? [];
}

const INT64_MAX_BIG = (1n << 63n) - 1n;

// atoi is strconv.Atoi restricted to what a chunk can hold: an all-digit run, which fails only
// when it does not fit in int64.
function atoi(chunk: string): bigint | null {
  if (!/^\d+$/.test(chunk)) return null;
  const v = BigInt(chunk);
  return v > INT64_MAX_BIG ? null : v;
}

/**
 * goStringLess compares strings the way Go does, by UTF-8 bytes, which is code point order
 * (JavaScript's `<` compares UTF-16 code units, which orders U+E000..U+FFFF after astral
 * characters).
 */
export function goStringLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return ys; // a surrogate (astral code point) is above any BMP unit
    return x < y;
  }
  return a.length < b.length;
}
