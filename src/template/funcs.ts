// The predefined global functions of text/template (funcs.go): and, or, not, len, index,
// slice, call, print, printf, println, html, js, urlquery and the comparisons eq, ne, lt, le,
// gt, ge. Errors they throw become "error calling <name>: <message>" during execution.
// `and`, `or` and `call` are special-cased by the executor (short-circuiting, callee names).

import { sprint, sprintf, sprintln } from "./fmt.ts";
import { byteLength, decodeGoBytes, encodeGoBytes } from "./strconv.ts";
import {
  assignable,
  canBeNil,
  getSignature,
  goFunc,
  goTypeInfo,
  intOf,
  isNil,
  isTrue,
  kindOf,
  mapElemType,
  mapKeyType,
  mapLen,
  mapLookup,
  paramTypeName,
  setGoType,
  typeName,
  zeroOf,
} from "./value.ts";
import type { AnyFunction, ElemType, GoComplex, ParamType } from "./value.ts";
import { GoTime } from "./time.ts";
import { isGoPrint } from "../model/gostr.ts";

/** truth reports whether v is true in the sense of if (funcs.go truth). */
export function truth(v: unknown): boolean {
  return isTrue(v)[0];
}

/**
 * printable returns the value the template prints for v: "<no value>" for nil, as exec.go's
 * printableValue does for an invalid reflect.Value.
 */
export function printable(v: unknown): unknown {
  return isNil(v) ? "<no value>" : v;
}

/** evalArgs formats arguments as fmt.Sprint would after printableValue (funcs.go evalArgs). */
export function evalArgs(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map(printable));
}

function elemParamType(elem: ElemType): ParamType {
  return elem === "any" ? "any" : elem;
}

/** prepareArg checks that value can be passed as argType (funcs.go prepareArg). */
function prepareArg(value: unknown, argType: ParamType): unknown {
  if (isNil(value)) {
    if (!canBeNil(argType)) {
      throw new Error(`value is nil; should be of type ${paramTypeName(argType)}`);
    }
    return undefined;
  }
  if (assignable(value, argType)) return value;
  throw new Error(`value has type ${typeName(value)}; should be ${paramTypeName(argType)}`);
}

function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  if (kindOf(index) === "int") x = intOf(index);
  else if (isNil(index)) throw new Error("cannot index slice/array with nil");
  else throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

/** index returns the result of indexing its first argument by the following arguments. */
function index(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error("index of untyped nil");
  for (const ix of indexes) {
    if (isNil(item)) throw new Error("index of nil pointer");
    switch (kindOf(item)) {
      case "slice": {
        const items = item as unknown[];
        const x = indexArg(ix, items.length);
        if (x === items.length) throw new Error("reflect: slice index out of range");
        item = items[x];
        break;
      }
      case "string": {
        const bytes = encodeGoBytes(item as string);
        const x = indexArg(ix, bytes.length);
        if (x === bytes.length) throw new Error("reflect: string index out of range");
        item = new GoByte(bytes[x]);
        break;
      }
      case "map": {
        const key = prepareArg(ix, elemParamType(mapKeyType(item)));
        const { found, value } = mapLookup(item, key);
        item = found ? value : zeroOf(mapElemType(item));
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

/** GoByte is a uint8, the element type of a Go string. */
export class GoByte {
  constructor(readonly value: number) {}

  goInt(): bigint {
    return BigInt(this.value);
  }
}
setGoType(GoByte.prototype, { name: "uint8", kind: "int" });

/** slice returns the result of slicing its first argument by the remaining arguments. */
function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  const kind = kindOf(item);
  if (kind === "string") {
    if (indexes.length === 3) throw new Error("cannot 3-index slice a string");
    cap = byteLength(item as string);
  } else if (kind === "slice") {
    cap = (item as unknown[]).length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, cap, 0];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, cap);
  });
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) {
    throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  }
  if (kind === "string") return decodeGoBytes(encodeGoBytes(item as string).slice(idx[0], idx[1]));
  const out = (item as unknown[]).slice(idx[0], idx[1]);
  const info = goTypeInfo(item);
  return info ? setGoType(out, info) : out;
}

/** length returns the length of the item, with an error if it has no defined length. */
function length(item: unknown): bigint {
  switch (kindOf(item)) {
    case "slice":
      return BigInt((item as unknown[]).length);
    case "map":
      return BigInt(mapLen(item));
    case "string":
      return BigInt(byteLength(item as string));
    case "invalid":
      throw new Error("reflect: call of reflect.Value.Type on zero Value");
  }
  throw new Error(`len of type ${typeName(item)}`);
}

/**
 * call returns the result of evaluating the first argument as a function; name is the text
 * of the callee expression, which the executor inserts (funcs.go call).
 */
async function call(name: string, fn: unknown, ...args: unknown[]): Promise<unknown> {
  if (isNil(fn)) throw new Error("call of nil");
  if (typeof fn !== "function") throw new Error(`non-function ${name} of type ${typeName(fn)}`);
  const sig = getSignature(fn);
  const numIn = sig.params.length;
  if (sig.variadic !== undefined) {
    if (args.length < numIn) {
      throw new Error(
        `wrong number of args for ${name}: got ${args.length} want at least ${numIn}`,
      );
    }
  } else if (args.length !== numIn) {
    throw new Error(`wrong number of args for ${name}: got ${args.length} want ${numIn}`);
  }
  const argv = args.map((arg, i) => {
    const argType = i < numIn ? sig.params[i] : (sig.variadic ?? "any");
    try {
      return prepareArg(arg, argType);
    } catch (err) {
      throw new Error(`arg ${i}: ${(err as Error).message}`, { cause: err });
    }
  });
  return (fn as (...a: unknown[]) => unknown)(...argv);
}

// --- comparison ---

type BasicKind = "invalid" | "bool" | "complex" | "int" | "float" | "string";

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  switch (k) {
    case "bool":
    case "complex":
    case "int":
    case "float":
    case "string":
      return k;
  }
  return "invalid";
}

function valueString(v: unknown): string {
  return kindOf(v) === "string" ? (v as string) : `<${typeName(v)} Value>`;
}

function structEqual(a: unknown, b: unknown): boolean {
  if (a instanceof GoTime && b instanceof GoTime) {
    return a.unixSec === b.unixSec && a.nsec === b.nsec && a.loc === b.loc;
  }
  return a === b;
}

/** eq evaluates the comparison a == b || a == c || ... */
function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (!isNil(arg1) && !isNil(arg)) {
        throw new Error(
          `incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`,
        );
      }
    } else {
      switch (k1) {
        case "bool":
        case "string":
          t = arg1 === arg;
          break;
        case "float":
          t = (arg1 as number) === (arg as number);
          break;
        case "int":
          t = intOf(arg1) === intOf(arg);
          break;
        case "complex":
          t =
            (arg1 as GoComplex).re === (arg as GoComplex).re &&
            (arg1 as GoComplex).im === (arg as GoComplex).im;
          break;
        default: {
          const ka = kindOf(arg1);
          const kb = kindOf(arg);
          if (ka !== kb && ka !== "invalid" && kb !== "invalid") {
            throw new Error(
              `non-comparable types ${valueString(arg1)}: ${typeName(arg1)}, ${typeName(arg)}: ${sprint([arg])}`,
            );
          }
          if (isNil(arg1) || isNil(arg)) {
            t = isNil(arg) === isNil(arg1);
          } else {
            if (kb === "slice" || kb === "map" || kb === "func") {
              throw new Error(`non-comparable type ${valueString(arg)}: ${typeName(arg)}`);
            }
            t = structEqual(arg1, arg);
          }
        }
      }
    }
    if (t) return true;
  }
  return false;
}

/** ne evaluates the comparison a != b. */
function ne(arg1: unknown, arg2: unknown): boolean {
  return !eq(arg1, arg2);
}

/** lt evaluates the comparison a < b. */
function lt(arg1: unknown, arg2: unknown): boolean {
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new Error("invalid type for comparison");
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new Error("invalid type for comparison");
  if (k1 !== k2) {
    throw new Error(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg2)}`);
  }
  switch (k1) {
    case "bool":
    case "complex":
      throw new Error("invalid type for comparison");
    case "float":
      return (arg1 as number) < (arg2 as number);
    case "int":
      return intOf(arg1) < intOf(arg2);
    default:
      return compareStrings(arg1 as string, arg2 as string) < 0;
  }
}

function compareStrings(a: string, b: string): number {
  const x = encodeGoBytes(a);
  const y = encodeGoBytes(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** le evaluates the comparison a <= b. */
function le(arg1: unknown, arg2: unknown): boolean {
  return lt(arg1, arg2) || eq(arg1, arg2);
}

/** gt evaluates the comparison a > b. */
function gt(arg1: unknown, arg2: unknown): boolean {
  return !le(arg1, arg2);
}

/** ge evaluates the comparison a >= b. */
function ge(arg1: unknown, arg2: unknown): boolean {
  return !lt(arg1, arg2);
}

// --- escaping ---

/** htmlEscapeString returns the escaped HTML equivalent of s (template.HTMLEscapeString). */
export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case "\0":
        return "\uFFFD";
      case '"':
        return "&#34;";
      case "'":
        return "&#39;";
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      default:
        return "&gt;";
    }
  });
}

/** jsEscapeString returns the escaped JavaScript equivalent of s (template.JSEscapeString). */
export function jsEscapeString(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (c < 0x20) out += "\\u00" + c.toString(16).toUpperCase().padStart(2, "0");
    else if (c < 0x80 || isGoPrint(c)) out += ch;
    else out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
  }
  return out;
}

/** queryEscape escapes s so it can be safely placed inside a URL query (url.QueryEscape). */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of encodeGoBytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (b === 0x20) out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function unreachable(): never {
  throw new Error("unreachable");
}

/** BUILTINS is the global function map every template has (funcs.go builtins). */
export const BUILTINS: ReadonlyMap<string, AnyFunction> = new Map<string, AnyFunction>([
  ["and", goFunc(["value"], unreachable, "value")],
  ["call", goFunc(["value"], unreachable, "value")],
  ["html", goFunc([], (...args: unknown[]) => htmlEscapeString(evalArgs(args)), "any")],
  ["index", goFunc(["value"], index, "value")],
  ["slice", goFunc(["value"], slice, "value")],
  ["js", goFunc([], (...args: unknown[]) => jsEscapeString(evalArgs(args)), "any")],
  ["len", goFunc(["value"], length)],
  ["not", goFunc(["value"], (v: unknown) => !truth(v))],
  ["or", goFunc(["value"], unreachable, "value")],
  ["print", goFunc([], (...args: unknown[]) => sprint(args), "any")],
  ["printf", goFunc(["string"], (f: string, ...args: unknown[]) => sprintf(f, args), "any")],
  ["println", goFunc([], (...args: unknown[]) => sprintln(args), "any")],
  ["urlquery", goFunc([], (...args: unknown[]) => queryEscape(evalArgs(args)), "any")],
  ["eq", goFunc(["value"], eq, "value")],
  ["ge", goFunc(["value", "value"], ge)],
  ["gt", goFunc(["value", "value"], gt)],
  ["le", goFunc(["value", "value"], le)],
  ["lt", goFunc(["value", "value"], lt)],
  ["ne", goFunc(["value", "value"], ne)],
]);

/** callBuiltin is the implementation behind the `call` builtin; see the executor. */
export const callBuiltin = call;
