// The Go value model the template engine executes over. Template data are plain JavaScript
// values; this module decides which Go kind each one plays, so that execution, comparison,
// truthiness and printing follow text/template (exec.go, funcs.go) and fmt (print.go):
//
//   undefined, null          → nil (an invalid reflect.Value; prints as "<no value>")
//   boolean                  → bool
//   bigint                   → int (template integer literals, len, range indexes)
//   number                   → float64 (so Prometheus's $value prints 1e+06 like Go does)
//   string                   → string (len counts UTF-8 bytes, as Go does)
//   Array                    → slice
//   Map, plain object        → map (keys sorted when ranged over or printed)
//   other objects            → struct (own properties are fields)
//   function                 → func (callable with `call`)
//
// Objects may carry a GoTypeInfo under the GO_TYPE symbol to name their Go type (for messages
// and %T), to say which kind they play (a class whose instances are maps, like Alertmanager's
// KV) and the element type of a map or slice (which decides the zero value of a missing map
// key and whether a slice is assignable to []string). Methods are functions found on an
// object's prototype (not on the built-in prototypes) or function-valued own properties; a
// method is called with the arguments of the command, like a Go method value.

/** GO_TYPE is the symbol under which an object carries its GoTypeInfo. */
export const GO_TYPE: unique symbol = Symbol.for("vigil.template.goType");

/** ElemType is the element type of a map or slice, as far as the template engine cares. */
export type ElemType = "string" | "int" | "float64" | "bool" | "any";

/** GoTypeInfo describes the Go type an object plays. Every field is optional. */
export interface GoTypeInfo {
  /** The Go type name used in messages and by %T, e.g. "template.KV". */
  readonly name?: string;
  /** The kind the object plays; defaults to map for plain objects and struct for others. */
  readonly kind?: "map" | "struct" | "slice" | "int";
  /** The element type of a map or slice; inferred from the values when absent. */
  readonly elem?: ElemType;
  /** Whether Go would hold the value through a pointer: fmt prints it as &{...}. */
  readonly pointer?: boolean;
}

/** IntLike is implemented by objects of kind "int" (for example time.Duration). */
export interface IntLike {
  goInt(): bigint;
}

const instanceTypes = new WeakMap<object, GoTypeInfo>();

/**
 * setGoType attaches type information to obj and returns it. On a class prototype it applies
 * to every instance; an instance's own information takes precedence over its class's.
 */
export function setGoType<T extends object>(obj: T, info: GoTypeInfo): T {
  if (Object.prototype.hasOwnProperty.call(obj, "constructor") && !Array.isArray(obj)) {
    Object.defineProperty(obj, GO_TYPE, {
      value: info,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  } else {
    instanceTypes.set(obj, info);
  }
  return obj;
}

/** goTypeInfo returns the type information attached to v or to its class, if any. */
export function goTypeInfo(v: unknown): GoTypeInfo | undefined {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return undefined;
  return instanceTypes.get(v) ?? (v as { [GO_TYPE]?: GoTypeInfo })[GO_TYPE];
}

/** GoComplex is a complex128 value; it exists because template literals such as 1+2i do. */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

/** Kind is the reflect.Kind a value plays, reduced to the kinds templates distinguish. */
export type Kind =
  "invalid" | "bool" | "int" | "float" | "complex" | "string" | "slice" | "map" | "struct" | "func";

/** isNil reports whether v is Go's nil: undefined or null. */
export function isNil(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/** isPlainObject reports whether v is an object literal (or has a null prototype). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** kindOf returns the Go kind v plays. */
export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case "undefined":
      return "invalid";
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
    case "function":
      return "func";
    case "symbol":
      return "struct";
  }
  if (v === null) return "invalid";
  if (v instanceof GoComplex) return "complex";
  const info = goTypeInfo(v);
  if (info?.kind) return info.kind;
  if (Array.isArray(v)) return "slice";
  if (v instanceof Map) return "map";
  if (isPlainObject(v)) return "map";
  return "struct";
}

/** intOf returns the integer value of a value of kind "int". */
export function intOf(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  return (v as IntLike).goInt();
}

/** mapKeys returns the keys of a value of kind "map". */
export function mapKeys(m: unknown): unknown[] {
  if (m instanceof Map) return [...m.keys()];
  return Object.keys(m as object);
}

/** mapLen returns the number of entries of a value of kind "map". */
export function mapLen(m: unknown): number {
  if (m instanceof Map) return m.size;
  return Object.keys(m as object).length;
}

/** mapLookup looks key up in a value of kind "map"; found is false when the key is absent. */
export function mapLookup(m: unknown, key: unknown): { found: boolean; value: unknown } {
  if (m instanceof Map) {
    return m.has(key) ? { found: true, value: m.get(key) } : { found: false, value: undefined };
  }
  if (typeof key !== "string") return { found: false, value: undefined };
  const o = m as Record<string, unknown>;
  if (Object.prototype.propertyIsEnumerable.call(o, key)) {
    return { found: true, value: o[key] };
  }
  return { found: false, value: undefined };
}

function inferElem(values: Iterable<unknown>): ElemType {
  let elem: ElemType | undefined;
  for (const v of values) {
    const t: ElemType =
      typeof v === "string"
        ? "string"
        : typeof v === "bigint"
          ? "int"
          : typeof v === "number"
            ? "float64"
            : typeof v === "boolean"
              ? "bool"
              : "any";
    if (elem === undefined) elem = t;
    else if (elem !== t) return "any";
    if (t === "any") return "any";
  }
  return elem ?? "any";
}

/** mapKeyType returns the key type of a map: string unless a JS Map holds other keys. */
export function mapKeyType(m: unknown): ElemType {
  if (m instanceof Map) return m.size === 0 ? "string" : inferElem(m.keys());
  return "string";
}

/** mapElemType returns the element type of a value of kind "map" (declared, else inferred). */
export function mapElemType(m: unknown): ElemType {
  const info = goTypeInfo(m);
  if (info?.elem) return info.elem;
  if (m instanceof Map) return inferElem(m.values());
  return inferElem(Object.values(m as object));
}

/** sliceElemType returns the element type of a slice (declared, else inferred). */
export function sliceElemType(s: readonly unknown[]): ElemType {
  const info = goTypeInfo(s);
  if (info?.elem) return info.elem;
  return inferElem(s);
}

/** zeroOf returns the zero value of an element type; the zero of interface{} is nil. */
export function zeroOf(elem: ElemType): unknown {
  switch (elem) {
    case "string":
      return "";
    case "int":
      return 0n;
    case "float64":
      return 0;
    case "bool":
      return false;
    case "any":
      return undefined;
  }
}

const ELEM_NAMES: Record<ElemType, string> = {
  string: "string",
  int: "int",
  float64: "float64",
  bool: "bool",
  any: "interface {}",
};

/** typeName returns the Go type name of v, as reflect.Type.String (and %T) would print it. */
export function typeName(v: unknown): string {
  const info = goTypeInfo(v);
  if (info?.name) return info.name;
  switch (kindOf(v)) {
    case "invalid":
      return "<nil>";
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "complex":
      return "complex128";
    case "string":
      return "string";
    case "func":
      return "func()";
    case "slice":
      return "[]" + ELEM_NAMES[sliceElemType(v as unknown[])];
    case "map":
      return `map[${ELEM_NAMES[mapKeyType(v)]}]${ELEM_NAMES[mapElemType(v)]}`;
    case "struct": {
      const ctor = (v as { constructor?: { name?: string } }).constructor;
      return ctor?.name ? ctor.name : "struct {}";
    }
  }
}

const BUILTIN_PROTOTYPES = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Function.prototype,
  Date.prototype,
  Error.prototype,
  null,
]);

/** AnyFunction is any JavaScript function; the engine checks arguments itself. */
export type AnyFunction = (...args: never[]) => unknown;

/**
 * findMethod returns the method called name of v, or undefined: a function-valued own
 * property, or a function with an exported (upper-case) name on v's prototype chain above
 * the built-in prototypes. (A class's
 * method wins over a map entry of the same name, as a Go method wins over a map key.)
 */
export function findMethod(v: unknown, name: string): AnyFunction | undefined {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return undefined;
  if (name === "constructor") return undefined;
  const own = Object.getOwnPropertyDescriptor(v, name);
  if (own && typeof own.value === "function") return own.value as AnyFunction;
  // Like Go, which only calls exported methods, class methods must start with an upper-case
  // letter; this also keeps helpers such as KV's entries() out of reach of templates.
  if (!isExported(name)) return undefined;
  let proto = Object.getPrototypeOf(v) as object | null;
  while (!BUILTIN_PROTOTYPES.has(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (d) return typeof d.value === "function" ? (d.value as AnyFunction) : undefined;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}

const EXPORTED = /^\p{Lu}/u;

function isExported(name: string): boolean {
  const c = name.charCodeAt(0);
  if (c < 0x80) return c >= 0x41 && c <= 0x5a;
  return EXPORTED.test(name);
}

/**
 * structField looks up field name of a struct-like object: an own property or a getter
 * defined by its class. found is false when there is no such field.
 */
export function structField(v: object, name: string): { found: boolean; value: unknown } {
  if (Object.prototype.hasOwnProperty.call(v, name)) {
    return { found: true, value: (v as Record<string, unknown>)[name] };
  }
  let proto = Object.getPrototypeOf(v) as object | null;
  while (!BUILTIN_PROTOTYPES.has(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (d?.get) return { found: true, value: d.get.call(v) };
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return { found: false, value: undefined };
}

/** structFields returns the fields of a struct-like object in declaration order. */
export function structFields(v: object): [string, unknown][] {
  return Object.entries(v);
}

/**
 * isTrue reports whether v is "true" in the sense of if, with, and, or and not: not the zero
 * value of its type (exec.go isTrue). ok is false for values that have no truth value.
 */
export function isTrue(v: unknown): [truth: boolean, ok: boolean] {
  switch (kindOf(v)) {
    case "invalid":
      return [false, true];
    case "bool":
      return [v as boolean, true];
    case "int":
      return [intOf(v) !== 0n, true];
    case "float":
      return [(v as number) !== 0, true];
    case "complex":
      return [(v as GoComplex).re !== 0 || (v as GoComplex).im !== 0, true];
    case "string":
      return [(v as string).length > 0, true];
    case "slice":
      return [(v as unknown[]).length > 0, true];
    case "map":
      return [mapLen(v) > 0, true];
    case "struct":
    case "func":
      return [true, true];
  }
}

/** ParamType is the declared type of a function parameter. */
export type ParamType =
  "any" | "value" | "string" | "int" | "float64" | "bool" | "[]string" | "[]any" | CustomParamType;

/** CustomParamType declares a parameter of another Go type, such as time.Time or *template.sample. */
export interface CustomParamType {
  /** The Go type name used in messages. */
  readonly name: string;
  /** Whether nil is assignable (pointers, slices, maps, interfaces). */
  readonly nilable: boolean;
  /** Whether a value is assignable to the parameter. */
  accepts(v: unknown): boolean;
  /** Converts an accepted value before the call (for example a JS Date into a GoTime). */
  convert?(v: unknown): unknown;
}

/** Signature declares the parameters of a Go function: fixed ones, then an optional variadic one. */
export interface Signature {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
}

/** UNTYPED is the signature assumed for functions that declare none: func(...interface{}). */
export const UNTYPED: Signature = { params: [], variadic: "any" };

const signatures = new WeakMap<object, Signature>();

/** getSignature returns the signature attached to fn, or UNTYPED. */
export function getSignature(fn: unknown): Signature {
  if (typeof fn !== "function") return UNTYPED;
  return signatures.get(fn) ?? UNTYPED;
}

/**
 * goFunc attaches a Go signature to fn and returns it. The engine then checks the number and
 * types of arguments as text/template does for a Go function of that signature.
 */
export function goFunc<F extends AnyFunction>(
  params: readonly ParamType[],
  fn: F,
  variadic?: ParamType,
): F {
  signatures.set(fn, variadic === undefined ? { params } : { params, variadic });
  return fn;
}

/** paramTypeName returns the Go name of a parameter type. */
export function paramTypeName(t: ParamType): string {
  switch (t) {
    case "any":
      return "interface {}";
    case "value":
      return "reflect.Value";
    case "[]any":
      return "[]interface {}";
    case "string":
    case "int":
    case "float64":
    case "bool":
    case "[]string":
      return t;
    default:
      return t.name;
  }
}

/** canBeNil reports whether nil is assignable to a parameter of type t (exec.go canBeNil). */
export function canBeNil(t: ParamType): boolean {
  switch (t) {
    case "any":
    case "value":
    case "[]string":
    case "[]any":
      return true;
    case "string":
    case "int":
    case "float64":
    case "bool":
      return false;
    default:
      return t.nilable;
  }
}

/** assignable reports whether the (valid) value v may be passed for a parameter of type t. */
export function assignable(v: unknown, t: ParamType): boolean {
  switch (t) {
    case "any":
    case "value":
      return true;
    case "string":
      return typeof v === "string";
    case "int":
      return typeof v === "bigint";
    case "float64":
      return typeof v === "number";
    case "bool":
      return typeof v === "boolean";
    case "[]string": {
      if (!Array.isArray(v)) return false;
      const elem = goTypeInfo(v)?.elem;
      return elem ? elem === "string" : v.every((x) => typeof x === "string");
    }
    case "[]any": {
      if (!Array.isArray(v)) return false;
      const elem = goTypeInfo(v)?.elem;
      return elem === undefined || elem === "any";
    }
    default:
      return t.accepts(v);
  }
}

/** literalKind is the kind of constant a parameter accepts as a literal argument. */
export function literalKind(t: ParamType): "bool" | "int" | "float" | "string" | "any" | "other" {
  switch (t) {
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "float64":
      return "float";
    case "string":
      return "string";
    case "any":
    case "value":
      return "any";
    default:
      return "other";
  }
}

/** stringSlice tags an array of strings as a Go []string (or the named type given). */
export function stringSlice(items: readonly string[], name?: string): string[] {
  return setGoType([...items], name ? { name, elem: "string" } : { elem: "string" });
}

/** anySlice tags an array as a Go []interface{}. */
export function anySlice(items: readonly unknown[]): unknown[] {
  return setGoType([...items], { elem: "any" });
}

/** stringMap tags a plain object as a Go map[string]string. */
export function stringMap(entries: Record<string, string>): Record<string, string> {
  return setGoType({ ...entries }, { elem: "string" });
}

/** anyMap tags a plain object as a Go map[string]interface{}. */
export function anyMap(entries: Record<string, unknown>): Record<string, unknown> {
  return setGoType({ ...entries }, { elem: "any" });
}
