// line_format and label_format (Loki pkg/logql/log/fmt.go) and the template functions Loki
// offers: its own (ToLower, regexReplaceAll, bytes, duration, __line__, __timestamp__, ...)
// and the subset of sprig it registers. Templates run on src/template (Go text/template).
import { RE2JS } from "re2js";
import type { Matcher as Re2Matcher } from "re2js";
import { expandMatch } from "../../model/regex/index.ts";
import type { LabelFormat } from "../syntax/index.ts";
import { BytesError, GoDurationError, parseBytes, parseGoDuration } from "../syntax/index.ts";
import {
  GoTime,
  UTC,
  goFunc,
  loadLocation,
  parseTemplate,
  stringMap,
} from "../../template/index.ts";
import type { FuncMap, Template } from "../../template/index.ts";
import { ERR_TEMPLATE_FORMAT, ERROR_LABEL } from "./labels.ts";
import type { LabelsBuilder } from "./labels.ts";
import type { Stage } from "./stage.ts";

interface Current {
  line: string;
  tsNs: bigint;
}

// ---- conversions shared by the sprig functions (github.com/spf13/cast) ----

function toInt64(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") {
    let s = v;
    if (/^[+-]?\d+\.0*$/.test(s)) s = s.replace(/\.0*$/, "");
    if (/^[+-]?\d+$/.test(s)) return BigInt(s);
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return BigInt(s);
    return 0n;
  }
  return 0n;
}

function toFloat64(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const n = Number(v.trim() === "" ? NaN : v);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

function runes(s: string): string[] {
  return Array.from(s);
}

function goTitle(s: string): string {
  let prevLetter = false;
  let out = "";
  for (const ch of s) {
    const isLetter = /[\p{L}\p{N}_']/u.test(ch);
    out += !prevLetter && isLetter ? ch.toUpperCase() : ch;
    prevLetter = isLetter;
  }
  return out;
}

function goTrim(s: string, cutset: string, left: boolean, right: boolean): string {
  const cut = new Set(runes(cutset));
  const r = runes(s);
  let a = 0;
  let b = r.length;
  if (left) while (a < b && cut.has(r[a]!)) a++;
  if (right) while (b > a && cut.has(r[b - 1]!)) b--;
  return r.slice(a, b).join("");
}

function goTrimSpace(s: string): string {
  return s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/gu, "");
}

function compileRe(re: string): RE2JS {
  return RE2JS.compile(re);
}

function toTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (v instanceof Date) return GoTime.fromDate(v);
  if (typeof v === "bigint") return GoTime.fromUnixNano(v * 1000000000n);
  if (typeof v === "number") return GoTime.fromUnixNano(BigInt(Math.trunc(v)) * 1000000000n);
  return GoTime.now();
}

/** parseGoTime parses value with a Go reference layout (a subset of time.Parse). */
function parseGoTime(layout: string, value: string, loc = UTC): GoTime {
  const tokens: [string, string, string][] = [
    ["2006", "(\\d{4})", "Y"],
    ["01", "(\\d{2})", "M"],
    ["02", "(\\d{2})", "D"],
    ["15", "(\\d{2})", "h"],
    ["04", "(\\d{2})", "m"],
    ["05", "(\\d{2})", "s"],
    ["Jan", "([A-Za-z]{3})", "Mon3"],
    ["Z07:00", "(Z|[+-]\\d{2}:\\d{2})", "Z"],
    ["-07:00", "([+-]\\d{2}:\\d{2})", "Z"],
    ["MST", "([A-Z]{3,4})", "zone"],
    [".000000000", "\\.(\\d{9})", "f"],
    [".000000", "\\.(\\d{6})", "f"],
    [".000", "\\.(\\d{3})", "f"],
    [".999999999", "(?:\\.(\\d+))?", "f"],
    ["1", "(\\d{1,2})", "M"],
    ["2", "(\\d{1,2})", "D"],
    ["3", "(\\d{1,2})", "h12"],
    ["PM", "(AM|PM)", "pm"],
  ];
  let re = "^";
  const fields: string[] = [];
  let i = 0;
  outer: while (i < layout.length) {
    for (const [tok, pat, f] of tokens) {
      if (layout.startsWith(tok, i)) {
        re += pat;
        fields.push(f);
        i += tok.length;
        continue outer;
      }
    }
    re += layout[i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    i++;
  }
  const m = new RegExp(re + "$").exec(value);
  if (!m) throw new Error(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}`);
  let Y = 1;
  let M = 1;
  let D = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  let ns = 0;
  let offsetSec: number | null = null;
  let pm = false;
  const months = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
  ];
  fields.forEach((f, k) => {
    const v = m[k + 1];
    if (v === undefined) return;
    switch (f) {
      case "Y":
        Y = Number(v);
        break;
      case "M":
        M = Number(v);
        break;
      case "Mon3":
        M = months.indexOf(v.toLowerCase()) + 1;
        break;
      case "D":
        D = Number(v);
        break;
      case "h":
      case "h12":
        h = Number(v);
        break;
      case "m":
        mi = Number(v);
        break;
      case "s":
        s = Number(v);
        break;
      case "f":
        ns = Number(v.padEnd(9, "0").slice(0, 9));
        break;
      case "Z":
        offsetSec =
          v === "Z"
            ? 0
            : (v[0] === "-" ? -1 : 1) * (Number(v.slice(1, 3)) * 3600 + Number(v.slice(4, 6)) * 60);
        break;
      case "pm":
        pm = v === "PM";
        break;
    }
  });
  if (pm && h < 12) h += 12;
  const utcMs = Date.UTC(Y, M - 1, D, h, mi, s);
  let unixSec = Math.floor(utcMs / 1000);
  if (offsetSec !== null) unixSec -= offsetSec;
  else unixSec -= loc.lookup(unixSec).offset;
  return new GoTime(unixSec, ns, loc);
}

/** unixToTime is Loki's unixToTime: epoch days, seconds, ms, µs or ns by digit count. */
function unixToTime(epoch: string): GoTime {
  if (!/^[+-]?\d+$/.test(epoch)) {
    throw new Error(
      `unable to parse time '${epoch}': strconv.ParseInt: parsing ${JSON.stringify(epoch)}: invalid syntax`,
    );
  }
  const i = BigInt(epoch);
  switch (epoch.length) {
    case 5:
      return GoTime.fromUnixNano(i * 86400n * 1000000000n);
    case 10:
      return GoTime.fromUnixNano(i * 1000000000n);
    case 13:
      return GoTime.fromUnixNano(i * 1000000n);
    case 16:
      return GoTime.fromUnixNano(i * 1000n);
    case 19:
      return GoTime.fromUnixNano(i);
    default:
      throw new Error(`unable to parse time '${epoch}': <nil>`);
  }
}

function align(count: bigint, src: string, left: boolean): string {
  const r = runes(src);
  const c = Number(count);
  if (c < 0 || c === r.length) return src;
  const pad = c - r.length;
  if (pad > 0) return left ? src + " ".repeat(pad) : " ".repeat(pad) + src;
  return left ? r.slice(0, c).join("") : r.slice(r.length - c).join("");
}

function b64dec(v: string): string {
  const rem = v.length % 4;
  if (rem !== 0 && rem !== 1) v += "=".repeat(4 - rem);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
    const bad = v.search(/[^A-Za-z0-9+/=]/);
    return `illegal base64 data at input byte ${bad >= 0 ? bad : v.length}`;
  }
  return Buffer.from(v, "base64").toString("utf8");
}

function queryUnescape(s: string): string {
  let out = "";
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      if (bytes.length) {
        out += Buffer.from(bytes).toString("utf8");
        bytes.length = 0;
      }
      out += c === "+" ? " " : c;
    }
  }
  if (bytes.length) out += Buffer.from(bytes).toString("utf8");
  return out;
}

function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function round(a: unknown, p: bigint, rOpt: number[]): number {
  const roundOn = rOpt.length > 0 ? rOpt[0]! : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, Number(p));
  const digit = pow * val;
  const div = digit - Math.trunc(digit);
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

/** templateFuncs returns Loki's function map, bound to the line being formatted. */
function templateFuncs(cur: Current): FuncMap {
  const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
  return {
    ToLower: goFunc(["string"], (s: string) => s.toLowerCase()),
    ToUpper: goFunc(["string"], (s: string) => s.toUpperCase()),
    Replace: goFunc(
      ["string", "string", "string", "int"],
      (s: string, o: string, n: string, c: bigint) => goReplace(s, o, n, Number(c)),
    ),
    Trim: goFunc(["string", "string"], (s: string, c: string) => goTrim(s, c, true, true)),
    TrimLeft: goFunc(["string", "string"], (s: string, c: string) => goTrim(s, c, true, false)),
    TrimRight: goFunc(["string", "string"], (s: string, c: string) => goTrim(s, c, false, true)),
    TrimPrefix: goFunc(["string", "string"], (s: string, p: string) =>
      s.startsWith(p) ? s.slice(p.length) : s,
    ),
    TrimSuffix: goFunc(["string", "string"], (s: string, p: string) =>
      p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s,
    ),
    TrimSpace: goFunc(["string"], goTrimSpace),
    regexReplaceAll: goFunc(["string", "string", "string"], (re: string, s: string, repl: string) =>
      goReplaceAll(compileRe(re), s, (m) => expandMatch(m, repl)),
    ),
    regexReplaceAllLiteral: goFunc(
      ["string", "string", "string"],
      (re: string, s: string, repl: string) => goReplaceAll(compileRe(re), s, () => repl),
    ),
    count: goFunc(["string", "string"], (re: string, s: string) => {
      const m = compileRe(re).matcher(s);
      let n = 0n;
      while (m.find()) n++;
      return n;
    }),
    urldecode: goFunc(["string"], queryUnescape),
    urlencode: goFunc(["string"], queryEscape),
    bytes: goFunc(["string"], (v: string) => {
      try {
        return parseBytes(v);
      } catch (err) {
        if (err instanceof BytesError) throw new Error(err.message, { cause: err });
        throw err;
      }
    }),
    duration: goFunc(["string"], convertDuration),
    duration_seconds: goFunc(["string"], convertDuration),
    unixEpochMillis: goFunc(["any"], (t: unknown) => String(toTime(t).UnixMilli())),
    unixEpochNanos: goFunc(["any"], (t: unknown) => String(toTime(t).UnixNano())),
    toDateInZone: goFunc(
      ["string", "string", "string"],
      (layout: string, zone: string, s: string) => {
        let loc;
        try {
          loc = loadLocation(zone);
        } catch {
          loc = UTC;
        }
        try {
          return parseGoTime(layout, s, loc);
        } catch {
          return GoTime.zero();
        }
      },
    ),
    unixToTime: goFunc(["string"], unixToTime),
    alignLeft: goFunc(["int", "string"], (c: bigint, s: string) => align(c, s, true)),
    alignRight: goFunc(["int", "string"], (c: bigint, s: string) => align(c, s, false)),
    b64dec: goFunc(["string"], b64dec),
    __line__: goFunc([], () => cur.line),
    __timestamp__: goFunc([], () => GoTime.fromUnixNano(cur.tsNs)),
    // sprig
    b64enc: goFunc(["string"], (s: string) => Buffer.from(s, "utf8").toString("base64")),
    lower: goFunc(["string"], (s: string) => s.toLowerCase()),
    upper: goFunc(["string"], (s: string) => s.toUpperCase()),
    title: goFunc(["string"], goTitle),
    trunc: goFunc(["int", "string"], (c: bigint, s: string) => {
      const n = Number(c);
      if (n < 0 && s.length + n > 0) return s.slice(s.length + n);
      if (n >= 0 && s.length > n) return s.slice(0, n);
      return s;
    }),
    substr: goFunc(["int", "int", "string"], (start: bigint, end: bigint, s: string) => {
      const a = Number(start);
      const b = Number(end);
      if (a < 0) return s.slice(0, b);
      if (b < 0 || b > s.length) return s.slice(a);
      return s.slice(a, b);
    }),
    contains: goFunc(["string", "string"], (sub: string, s: string) => s.includes(sub)),
    hasPrefix: goFunc(["string", "string"], (p: string, s: string) => s.startsWith(p)),
    hasSuffix: goFunc(["string", "string"], (p: string, s: string) => s.endsWith(p)),
    indent: goFunc(["int", "string"], (n: bigint, s: string) => indent(Number(n), s)),
    nindent: goFunc(["int", "string"], (n: bigint, s: string) => "\n" + indent(Number(n), s)),
    replace: goFunc(["string", "string", "string"], (o: string, n: string, s: string) =>
      goReplace(s, o, n, -1),
    ),
    repeat: goFunc(["int", "string"], (n: bigint, s: string) => s.repeat(Math.max(0, Number(n)))),
    trim: goFunc(["string"], goTrimSpace),
    trimAll: goFunc(["string", "string"], (c: string, s: string) => goTrim(s, c, true, true)),
    trimSuffix: goFunc(["string", "string"], (p: string, s: string) =>
      p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s,
    ),
    trimPrefix: goFunc(["string", "string"], (p: string, s: string) =>
      s.startsWith(p) ? s.slice(p.length) : s,
    ),
    int: goFunc(["any"], (v: unknown) => toInt64(v)),
    float64: goFunc(["any"], (v: unknown) => toFloat64(v)),
    add: goFunc(
      [],
      (...xs: unknown[]) => i64(xs.reduce<bigint>((a, x) => a + toInt64(x), 0n)),
      "any",
    ),
    sub: goFunc(["any", "any"], (a: unknown, b: unknown) => i64(toInt64(a) - toInt64(b))),
    mul: goFunc(
      ["any"],
      (a: unknown, ...xs: unknown[]) =>
        i64(xs.reduce<bigint>((p, x) => p * toInt64(x), toInt64(a))),
      "any",
    ),
    div: goFunc(["any", "any"], (a: unknown, b: unknown) => {
      const d = toInt64(b);
      if (d === 0n) throw new Error("runtime error: integer divide by zero");
      return toInt64(a) / d;
    }),
    mod: goFunc(["any", "any"], (a: unknown, b: unknown) => {
      const d = toInt64(b);
      if (d === 0n) throw new Error("runtime error: integer divide by zero");
      return toInt64(a) % d;
    }),
    addf: goFunc([], (...xs: unknown[]) => decimalOp(0, xs, "+"), "any"),
    subf: goFunc(["any"], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, "-"), "any"),
    mulf: goFunc(["any"], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, "*"), "any"),
    divf: goFunc(["any"], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, "/"), "any"),
    max: goFunc(
      ["any"],
      (a: unknown, ...xs: unknown[]) =>
        xs.reduce<bigint>((m, x) => {
          const v = toInt64(x);
          return v > m ? v : m;
        }, toInt64(a)),
      "any",
    ),
    min: goFunc(
      ["any"],
      (a: unknown, ...xs: unknown[]) =>
        xs.reduce<bigint>((m, x) => {
          const v = toInt64(x);
          return v < m ? v : m;
        }, toInt64(a)),
      "any",
    ),
    maxf: goFunc(
      ["any"],
      (a: unknown, ...xs: unknown[]) =>
        xs.reduce<number>((m, x) => Math.max(m, toFloat64(x)), toFloat64(a)),
      "any",
    ),
    minf: goFunc(
      ["any"],
      (a: unknown, ...xs: unknown[]) =>
        xs.reduce<number>((m, x) => Math.min(m, toFloat64(x)), toFloat64(a)),
      "any",
    ),
    ceil: goFunc(["any"], (a: unknown) => Math.ceil(toFloat64(a))),
    floor: goFunc(["any"], (a: unknown) => Math.floor(toFloat64(a))),
    round: goFunc(
      ["any", "int"],
      (a: unknown, p: bigint, ...r: number[]) => round(a, p, r),
      "float64",
    ),
    fromJson: goFunc(["string"], (s: string) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return null;
      }
    }),
    date: goFunc(["string", "any"], (layout: string, d: unknown) => toTime(d).Format(layout)),
    toDate: goFunc(["string", "string"], (layout: string, s: string) => {
      try {
        return parseGoTime(layout, s);
      } catch {
        return GoTime.zero();
      }
    }),
    now: goFunc([], () => GoTime.now()),
    unixEpoch: goFunc(["any"], (t: unknown) => String(toTime(t).Unix())),
    default: goFunc(
      ["any"],
      (d: unknown, ...given: unknown[]) => {
        const g = given[0];
        return isEmpty(g) ? d : g;
      },
      "any",
    ),
  };
}

/** Decimal is coef * 10^exp, as github.com/shopspring/decimal (which sprig's *f functions use). */
interface Decimal {
  coef: bigint;
  exp: number;
}

function decimalFromFloat(f: number): Decimal {
  if (!Number.isFinite(f)) return { coef: 0n, exp: 0 };
  const s = String(f);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s)!;
  const frac = m[3] ?? "";
  return {
    coef: BigInt(m[1]! + m[2]! + frac),
    exp: Number(m[4] ?? "0") - frac.length,
  };
}

function align2(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const e = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - e), b.coef * 10n ** BigInt(b.exp - e), e];
}

function decimalToFloat(d: Decimal): number {
  return Number(`${d.coef}e${d.exp}`);
}

function decimalOp(first: unknown, rest: readonly unknown[], op: "+" | "-" | "*" | "/"): number {
  let acc = decimalFromFloat(toFloat64(first));
  for (const x of rest) {
    const d = decimalFromFloat(toFloat64(x));
    if (op === "+" || op === "-") {
      const [a, b, e] = align2(acc, d);
      acc = { coef: op === "+" ? a + b : a - b, exp: e };
    } else if (op === "*") {
      acc = { coef: acc.coef * d.coef, exp: acc.exp + d.exp };
    } else {
      if (d.coef === 0n) throw new Error("decimal division by 0");
      // DivRound(d, 16): a quotient with 16 decimals, rounded half away from zero.
      const prec = 16;
      let num = acc.coef;
      let den = d.coef;
      const shift = prec + acc.exp - d.exp;
      if (shift >= 0) num *= 10n ** BigInt(shift);
      else den *= 10n ** BigInt(-shift);
      let q = num / den;
      const r = num % den;
      const abs = (v: bigint): bigint => (v < 0n ? -v : v);
      if (2n * abs(r) >= abs(den)) q += num < 0n !== den < 0n ? -1n : 1n;
      acc = { coef: q, exp: -prec };
    }
  }
  return decimalToFloat(acc);
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === "string") return v === "";
  if (typeof v === "number") return v === 0;
  if (typeof v === "bigint") return v === 0n;
  if (typeof v === "boolean") return !v;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v).length === 0;
  return false;
}

function indent(n: number, s: string): string {
  const pad = " ".repeat(Math.max(0, n));
  return pad + s.replace(/\n/g, "\n" + pad);
}

function goReplace(s: string, o: string, n: string, count: number): string {
  if (count === 0 || o === n) return s;
  if (o === "") {
    const r = runes(s);
    let out = "";
    let done = 0;
    for (let i = 0; i <= r.length; i++) {
      if (count < 0 || done < count) {
        out += n;
        done++;
      }
      if (i < r.length) out += r[i];
    }
    return out;
  }
  let out = "";
  let rest = s;
  let done = 0;
  for (;;) {
    const i = rest.indexOf(o);
    if (i < 0 || (count >= 0 && done >= count)) return out + rest;
    out += rest.slice(0, i) + n;
    rest = rest.slice(i + o.length);
    done++;
  }
}

/** goReplaceAll is Go's Regexp.ReplaceAllString loop (empty-match rules included). */
function goReplaceAll(re: RE2JS, src: string, repl: (m: Re2Matcher) => string): string {
  const m = re.matcher(src);
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const a0 = m.start();
    const a1 = m.end();
    out += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) out += repl(m);
    lastMatchEnd = a1;
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

function convertDuration(v: string): number {
  try {
    return Number(parseGoDuration(v)) / 1e9;
  } catch (err) {
    if (err instanceof GoDurationError) throw new Error(err.message, { cause: err });
    throw err;
  }
}

function compileTemplate(name: string, text: string, cur: Current): Template {
  return parseTemplate(name, text, { funcs: templateFuncs(cur), missingKey: "zero" });
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** lineFormatter is `| line_format "template"`. It throws on an invalid template. */
export function lineFormatter(text: string): Stage {
  const cur: Current = { line: "", tsNs: 0n };
  let tmpl: Template;
  try {
    tmpl = compileTemplate("line", text, cur);
  } catch (err) {
    throw new Error(`invalid line template: ${errMessage(err)}`, { cause: err });
  }
  return {
    async process(tsNs, line, lbs) {
      cur.line = line;
      cur.tsNs = tsNs;
      try {
        return await tmpl.execute(stringMap(lbs.map()));
      } catch (err) {
        lbs.setErr(ERR_TEMPLATE_FORMAT);
        lbs.setErrDetails(errMessage(err));
        return line;
      }
    },
  };
}

/** labelsFormatter is `| label_format a=b, c="{{...}}"`. It throws on an invalid format. */
export function labelsFormatter(formats: readonly LabelFormat[]): Stage {
  const seen = new Set<string>();
  for (const f of formats) {
    if (f.name === ERROR_LABEL) throw new Error(`${f.name} cannot be formatted`);
    if (seen.has(f.name)) {
      throw new Error(`multiple label name '${f.name}' not allowed in a single format operation`);
    }
    seen.add(f.name);
  }
  const cur: Current = { line: "", tsNs: 0n };
  const compiled = formats.map((f) => {
    if (f.rename) return { f, tmpl: null };
    try {
      return { f, tmpl: compileTemplate("label", f.value, cur) };
    } catch (err) {
      throw new Error(`invalid template for label '${f.name}': ${errMessage(err)}`, { cause: err });
    }
  });
  return {
    async process(tsNs, line, lbs: LabelsBuilder) {
      cur.line = line;
      cur.tsNs = tsNs;
      let data: Record<string, string> | null = null;
      for (const { f, tmpl } of compiled) {
        if (tmpl === null) {
          const v = lbs.getWithCategory(f.value);
          if (v !== undefined) {
            lbs.set("parsed", f.name, v[0]);
            lbs.delete(f.value);
          }
          continue;
        }
        data ??= stringMap(lbs.map());
        try {
          lbs.set("parsed", f.name, await tmpl.execute(data));
        } catch (err) {
          lbs.setErr(ERR_TEMPLATE_FORMAT);
          lbs.setErrDetails(errMessage(err));
        }
      }
      return line;
    },
  };
}
