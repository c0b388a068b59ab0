// Go's fmt.Sprint, fmt.Sprintln and fmt.Sprintf over the template value model (value.ts):
// the verbs, flags, widths and precisions of fmt/print.go and fmt/format.go, the %!verb(type=value)
// error forms, Stringer and error methods, and Go's layout of slices ([a b]), maps
// (map[k:v] with sorted keys) and structs ({a b}, {Name:a} with %+v).

import {
  GoComplex,
  findMethod,
  goTypeInfo,
  intOf,
  isNil,
  kindOf,
  mapKeys,
  mapLookup,
  structFields,
  typeName,
} from "./value.ts";
import { canBackquote, encodeGoBytes, formatFloat, goQuote, goQuoteRune } from "./strconv.ts";
import { isGoPrint } from "../model/gostr.ts";

const LDIGITS = "0123456789abcdefx";
const UDIGITS = "0123456789ABCDEFX";

interface Flags {
  widPresent: boolean;
  precPresent: boolean;
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  prec: number;
}

function clearFlags(): Flags {
  return {
    widPresent: false,
    precPresent: false,
    minus: false,
    plus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    prec: 0,
  };
}

function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** errorMessage returns the message of v if it is a Go error (an Error method or a JS Error). */
export function errorMessage(v: unknown): string | undefined {
  if (v instanceof Error) return v.message;
  const m = findMethod(v, "Error");
  return m ? String((m as () => unknown).call(v)) : undefined;
}

/** stringerOf returns the String method of v, if it has one (fmt.Stringer). */
export function stringerOf(v: unknown): (() => unknown) | undefined {
  const m = findMethod(v, "String");
  return m ? () => (m as () => unknown).call(v) : undefined;
}

/**
 * sortKeys orders map keys as Go's internal/fmtsort does: numbers and strings ascending
 * (strings by code point, which is UTF-8 byte order), false before true, NaN first.
 */
export function sortKeys(keys: unknown[]): unknown[] {
  return [...keys].sort(compareKeys);
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  return compareCodePoints(typeof a, typeof b);
}

/** compareCodePoints compares strings by code point, like Go compares strings bytewise. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

class Printer {
  buf = "";
  f: Flags = clearFlags();
  erroring = false;
  reordered = false;
  goodArgNum = true;

  // --- padding (format.go) ---

  writePadding(n: number): void {
    if (n <= 0) return;
    const pad = this.f.zero && !this.f.minus ? "0" : " ";
    this.buf += pad.repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (!this.f.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  fmtBoolean(v: boolean): void {
    this.pad(v ? "true" : "false");
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.f.precPresent && this.f.prec > 4) prec = this.f.prec;
    let hex = (u < 0n ? u + (1n << 64n) : u).toString(16).toUpperCase();
    if (hex.length < prec) hex = "0".repeat(prec - hex.length) + hex;
    let s = "U+" + hex;
    if (this.f.sharp && u >= 0n && u <= 0x10ffffn && isGoPrint(Number(u))) {
      s += " '" + String.fromCodePoint(Number(u)) + "'";
    }
    const oldZero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = oldZero;
  }

  fmtInteger(v: bigint, base: number, verb: string, digits: string): void {
    const negative = v < 0n;
    let u = negative ? -v : v;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.writePadding(this.f.wid);
        this.f.zero = oldZero;
        return;
      }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let s = "";
    const b = BigInt(base);
    do {
      s = digits[Number(u % b)] + s;
      u /= b;
    } while (u > 0n);
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    if (this.f.sharp) {
      if (base === 2) s = "0b" + s;
      else if (base === 8 && s[0] !== "0") s = "0" + s;
      else if (base === 16) s = "0" + digits[16] + s;
    }
    if (verb === "O") s = "0o" + s;
    if (negative) s = "-" + s;
    else if (this.f.plus) s = "+" + s;
    else if (this.f.space) s = " " + s;
    const oldZero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = oldZero;
  }

  truncate(s: string): string {
    if (this.f.precPresent) {
      const chars = Array.from(s);
      if (chars.length > this.f.prec) return chars.slice(0, this.f.prec).join("");
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtSbx(s: string, digits: string): void {
    let bytes = encodeGoBytes(s);
    if (this.f.precPresent && this.f.prec < bytes.length) bytes = bytes.slice(0, this.f.prec);
    const length = bytes.length;
    let width = 2 * length;
    if (width > 0) {
      if (this.f.space) {
        if (this.f.sharp) width *= 2;
        width += length - 1;
      } else if (this.f.sharp) {
        width += 2;
      }
    } else {
      if (this.f.widPresent) this.writePadding(this.f.wid);
      return;
    }
    if (this.f.widPresent && this.f.wid > width && !this.f.minus)
      this.writePadding(this.f.wid - width);
    let out = "";
    if (this.f.sharp) out += "0" + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.f.space && i > 0) {
        out += " ";
        if (this.f.sharp) out += "0" + digits[16];
      }
      out += digits[bytes[i] >> 4] + digits[bytes[i] & 0xf];
    }
    this.buf += out;
    if (this.f.widPresent && this.f.wid > width && this.f.minus)
      this.writePadding(this.f.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) {
      this.pad("`" + s + "`");
      return;
    }
    this.pad(goQuote(s, this.f.plus));
  }

  fmtC(c: bigint): void {
    let r = c;
    if (r < 0n || r > 0x10ffffn || (r >= 0xd800n && r <= 0xdfffn)) r = 0xfffdn;
    this.pad(String.fromCodePoint(Number(r)));
  }

  fmtQc(c: bigint): void {
    let r = c;
    if (r < 0n || r > 0x10ffffn) r = 0xfffdn;
    this.pad(goQuoteRune(Number(r), this.f.plus));
  }

  fmtFloatRaw(v: number, verb: string, prec: number): void {
    if (this.f.precPresent) prec = this.f.prec;
    const fmtVerb = (verb === "F" ? "f" : verb === "v" ? "g" : verb) as "e" | "E" | "f" | "g" | "G";
    let num = formatFloat(v, fmtVerb, prec);
    if (num[0] !== "-" && num[0] !== "+") num = "+" + num;
    if (this.f.space && num[0] === "+" && !this.f.plus) num = " " + num.slice(1);
    if (num[1] === "I" || num[1] === "N") {
      const oldZero = this.f.zero;
      this.f.zero = false;
      if (num[1] === "N" && !this.f.space && !this.f.plus) num = num.slice(1);
      this.pad(num);
      this.f.zero = oldZero;
      return;
    }
    if (this.f.sharp) {
      let digits = 0;
      if (verb === "v" || verb === "g" || verb === "G") {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = "";
      let body = num;
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < body.length; i++) {
        const c = body[i];
        if (c === ".") {
          hasDecimalPoint = true;
        } else if (c === "e" || c === "E") {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        } else {
          if (c !== "0") sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === "0") digits--;
        body += ".";
      }
      while (digits > 0) {
        body += "0";
        digits--;
      }
      num = body + tail;
    }
    if (this.f.plus || num[0] !== "+") {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // --- print.go ---

  badVerb(verb: string, arg: unknown): void {
    this.erroring = true;
    this.buf += "%!" + verb + "(";
    if (!isNil(arg)) {
      this.buf += typeName(arg) + "=";
      this.printArg(arg, "v", 0);
    } else {
      this.buf += "<nil>";
    }
    this.buf += ")";
    this.erroring = false;
  }

  fmtBool(v: boolean, verb: string): void {
    if (verb === "t" || verb === "v") this.fmtBoolean(v);
    else this.badVerb(verb, v);
  }

  fmtInt(v: bigint, verb: string, arg: unknown): void {
    switch (verb) {
      case "v":
      case "d":
        this.fmtInteger(v, 10, verb, LDIGITS);
        return;
      case "b":
        this.fmtInteger(v, 2, verb, LDIGITS);
        return;
      case "o":
      case "O":
        this.fmtInteger(v, 8, verb, LDIGITS);
        return;
      case "x":
        this.fmtInteger(v, 16, verb, LDIGITS);
        return;
      case "X":
        this.fmtInteger(v, 16, verb, UDIGITS);
        return;
      case "c":
        this.fmtC(v);
        return;
      case "q":
        this.fmtQc(v);
        return;
      case "U":
        this.fmtUnicode(v);
        return;
    }
    this.badVerb(verb, arg);
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case "v":
        this.fmtFloatRaw(v, "g", -1);
        return;
      case "g":
      case "G":
        this.fmtFloatRaw(v, verb, -1);
        return;
      case "f":
      case "F":
      case "e":
      case "E":
        this.fmtFloatRaw(v, verb, 6);
        return;
    }
    this.badVerb(verb, v);
  }

  fmtComplex(v: GoComplex, verb: string): void {
    switch (verb) {
      case "v":
      case "g":
      case "G":
      case "f":
      case "F":
      case "e":
      case "E": {
        const oldPlus = this.f.plus;
        const fv = verb === "v" ? "g" : verb;
        const prec = fv === "g" || fv === "G" ? -1 : 6;
        this.buf += "(";
        this.fmtFloatRaw(v.re, fv, prec);
        this.f.plus = true;
        this.fmtFloatRaw(v.im, fv, prec);
        this.buf += "i)";
        this.f.plus = oldPlus;
        return;
      }
    }
    this.badVerb(verb, v);
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case "s":
        this.fmtS(v);
        return;
      case "x":
        this.fmtSbx(v, LDIGITS);
        return;
      case "X":
        this.fmtSbx(v, UDIGITS);
        return;
      case "q":
        this.fmtQ(v);
        return;
    }
    this.badVerb(verb, v);
  }

  handleMethods(arg: unknown, verb: string, depth: number): boolean {
    if (this.erroring) return false;
    if (this.f.sharpV) {
      const gs = findMethod(arg, "GoString");
      if (gs) {
        this.fmtS(String((gs as () => unknown).call(arg)));
        return true;
      }
      return false;
    }
    if (!"vsxXq".includes(verb)) return false;
    let method = "Error";
    try {
      const msg = errorMessage(arg);
      if (msg !== undefined) {
        this.printArg(msg, verb, depth);
        return true;
      }
      method = "String";
      const str = stringerOf(arg);
      if (str) {
        this.printArg(str(), verb, depth);
        return true;
      }
    } catch (err) {
      const oldFlags = this.f;
      this.f = clearFlags();
      this.buf += `%!${verb}(PANIC=${method} method: ${err instanceof Error ? err.message : String(err)})`;
      this.f = oldFlags;
      return true;
    }
    return false;
  }

  printArg(arg: unknown, verb: string, depth: number): void {
    if (isNil(arg)) {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === "T") {
      this.fmtString(typeName(arg), "s");
      return;
    }
    if (verb === "p") {
      this.badVerb(verb, arg);
      return;
    }
    switch (typeof arg) {
      case "boolean":
        this.fmtBool(arg, verb);
        return;
      case "number":
        this.fmtFloat(arg, verb);
        return;
      case "bigint":
        this.fmtInt(arg, verb, arg);
        return;
      case "string":
        this.fmtString(arg, verb);
        return;
    }
    if (arg instanceof GoComplex) {
      this.fmtComplex(arg, verb);
      return;
    }
    if (this.handleMethods(arg, verb, depth)) return;
    this.printValue(arg, verb, depth);
  }

  printValue(value: unknown, verb: string, depth: number): void {
    if (depth > 0 && !isNil(value) && typeof value === "object") {
      if (this.handleMethods(value, verb, depth)) return;
    }
    const kind = kindOf(value);
    switch (kind) {
      case "invalid":
        if (depth === 0) this.buf += "<invalid reflect.Value>";
        else if (verb === "v") this.buf += "<nil>";
        else this.badVerb(verb, undefined);
        return;
      case "bool":
        this.fmtBool(value as boolean, verb);
        return;
      case "int":
        this.fmtInt(intOf(value), verb, value);
        return;
      case "float":
        this.fmtFloat(value as number, verb);
        return;
      case "complex":
        this.fmtComplex(value as GoComplex, verb);
        return;
      case "string":
        this.fmtString(value as string, verb);
        return;
      case "map": {
        if (this.f.sharpV) this.buf += typeName(value) + "{";
        else this.buf += "map[";
        const keys = sortKeys(mapKeys(value));
        keys.forEach((key, i) => {
          if (i > 0) this.buf += this.f.sharpV ? ", " : " ";
          this.printValue(key, verb, depth + 1);
          this.buf += ":";
          this.printValue(mapLookup(value, key).value, verb, depth + 1);
        });
        this.buf += this.f.sharpV ? "}" : "]";
        return;
      }
      case "slice": {
        const items = value as unknown[];
        if (this.f.sharpV) this.buf += typeName(value) + "{";
        else this.buf += "[";
        items.forEach((item, i) => {
          if (i > 0) this.buf += this.f.sharpV ? ", " : " ";
          this.printValue(item, verb, depth + 1);
        });
        this.buf += this.f.sharpV ? "}" : "]";
        return;
      }
      case "struct": {
        if (goTypeInfo(value)?.pointer && depth === 0) this.buf += "&";
        if (this.f.sharpV) this.buf += typeName(value);
        this.buf += "{";
        structFields(value as object).forEach(([name, field], i) => {
          if (i > 0) this.buf += this.f.sharpV ? ", " : " ";
          if (this.f.plusV || this.f.sharpV) this.buf += name + ":";
          this.printValue(field, verb, depth + 1);
        });
        this.buf += "}";
        return;
      }
      case "func":
        if (verb === "v" || verb === "p") this.pad("0x0");
        else this.badVerb(verb, value);
        return;
    }
  }

  // --- Printf ---

  argNumber(
    argNum: number,
    format: string,
    i: number,
    numArgs: number,
  ): [argNum: number, i: number, found: boolean] {
    if (format.length <= i || format[i] !== "[") return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && 0 <= index && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, true];
  }

  doPrintf(format: string, a: readonly unknown[]): void {
    const end = format.length;
    let argNum = 0;
    this.reordered = false;
    let i = 0;
    while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== "%") i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.f = clearFlags();
      flags: for (; i < end; i++) {
        switch (format[i]) {
          case "#":
            this.f.sharp = true;
            break;
          case "0":
            this.f.zero = !this.f.minus;
            break;
          case "+":
            this.f.plus = true;
            break;
          case "-":
            this.f.minus = true;
            this.f.zero = false;
            break;
          case " ":
            this.f.space = true;
            break;
          default:
            break flags;
        }
      }
      let afterIndex: boolean;
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i < end && format[i] === "*") {
        i++;
        [this.f.wid, this.f.widPresent, argNum] = intFromArg(a, argNum);
        if (!this.f.widPresent) this.buf += "%!(BADWIDTH)";
        if (this.f.wid < 0) {
          this.f.wid = -this.f.wid;
          this.f.minus = true;
          this.f.zero = false;
        }
        afterIndex = false;
      } else {
        [this.f.wid, this.f.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.f.widPresent) this.goodArgNum = false;
      }
      if (i + 1 <= end && format[i] === ".") {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === "*") {
          i++;
          [this.f.prec, this.f.precPresent, argNum] = intFromArg(a, argNum);
          if (this.f.prec < 0) {
            this.f.prec = 0;
            this.f.precPresent = false;
          }
          if (!this.f.precPresent) this.buf += "%!(BADPREC)";
          afterIndex = false;
        } else {
          [this.f.prec, this.f.precPresent, i] = parsenum(format, i, end);
          if (!this.f.precPresent) {
            this.f.prec = 0;
            this.f.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.buf += "%!(NOVERB)";
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;
      if (verb === "%") {
        this.buf += "%";
        continue;
      }
      if (!this.goodArgNum) {
        this.buf += "%!" + verb + "(BADINDEX)";
        continue;
      }
      if (argNum >= a.length) {
        this.buf += "%!" + verb + "(MISSING)";
        continue;
      }
      if (verb === "w") {
        this.badVerb(verb, a[argNum]);
        argNum++;
        continue;
      }
      if (verb === "v") {
        this.f.sharpV = this.f.sharp;
        this.f.sharp = false;
        this.f.plusV = this.f.plus;
        this.f.plus = false;
      }
      this.printArg(a[argNum], verb, 0);
      argNum++;
    }
    if (!this.reordered && argNum < a.length) {
      this.f = clearFlags();
      this.buf += "%!(EXTRA ";
      for (let k = argNum; k < a.length; k++) {
        if (k > argNum) this.buf += ", ";
        const arg = a[k];
        if (isNil(arg)) {
          this.buf += "<nil>";
        } else {
          this.buf += typeName(arg) + "=";
          this.printArg(arg, "v", 0);
        }
      }
      this.buf += ")";
    }
  }
}

function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

function parsenum(
  s: string,
  start: number,
  end: number,
): [num: number, isnum: boolean, newi: number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let newi = start;
  for (; newi < end && s[newi] >= "0" && s[newi] <= "9"; newi++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(newi) - 48);
    isnum = true;
  }
  return [num, isnum, newi];
}

function parseArgNumber(format: string): [index: number, wid: number, ok: boolean] {
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === "]") {
      const [width, ok, newi] = parsenum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true];
    }
  }
  return [0, 1, false];
}

function intFromArg(
  a: readonly unknown[],
  argNum: number,
): [num: number, isInt: boolean, newArgNum: number] {
  let num = 0;
  let isInt = false;
  let newArgNum = argNum;
  if (argNum < a.length) {
    const v = a[argNum];
    if (kindOf(v) === "int") {
      const n = intOf(v);
      if (n >= -1000000n && n <= 1000000n) {
        num = Number(n);
        isInt = true;
      }
    }
    newArgNum = argNum + 1;
  }
  return [num, isInt, newArgNum];
}

/** sprint formats its operands as fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === "string";
    if (i > 0 && !isString && !prevString) p.buf += " ";
    p.f = clearFlags();
    p.printArg(arg, "v", 0);
    prevString = isString;
  });
  return p.buf;
}

/** sprintln formats its operands as fmt.Sprintln: always spaced, newline appended. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += " ";
    p.f = clearFlags();
    p.printArg(arg, "v", 0);
  });
  return p.buf + "\n";
}

/** sprintf formats according to a Go format specifier, as fmt.Sprintf does. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}
