// Small typed readers over a parsed YAML value, for the Alertmanager configuration. Each
// reader takes the value and its key path and throws an AmConfigIssue that names the path, so
// that the loader can point at the line. Alertmanager stops at the first error (yaml.v2 and its
// UnmarshalYAML methods), and so do these readers.
import { isAbsolute, resolve } from "node:path";
import { parseDuration } from "../../model/duration.ts";

/** Path is a key path into the YAML document: keys and sequence indexes. */
export type Path = readonly (string | number)[];

/**
 * AmConfigIssue is a problem in an Alertmanager configuration, at a key path. keyOnly says
 * that the key itself (rather than its value) should be pointed at, as for unknown keys.
 */
export class AmConfigIssue extends Error {
  override readonly name = "AmConfigIssue";
  constructor(
    readonly path: Path,
    readonly reason: string,
    readonly keyOnly = false,
  ) {
    super(reason);
  }
}

/** fail throws an AmConfigIssue. */
export function fail(path: Path, reason: string, keyOnly = false): never {
  throw new AmConfigIssue(path, reason, keyOnly);
}

/** describe names a YAML value for messages, as yaml.v2's errors do ("!!seq", "!!map"). */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "!!seq";
  if (typeof v === "object") return "!!map";
  if (typeof v === "string") return `!!str \`${v}\``;
  if (typeof v === "boolean") return `!!bool \`${String(v)}\``;
  if (typeof v === "number") return Number.isInteger(v) ? `!!int \`${v}\`` : `!!float \`${v}\``;
  return typeof v;
}

/** Obj is a mapping being read; take() marks keys as known. */
export class Obj {
  private readonly seen = new Set<string>();

  constructor(
    readonly value: Record<string, unknown>,
    readonly path: Path,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== undefined;
  }

  /** take returns the raw value of key (undefined when absent) and marks it known. */
  take(key: string): unknown {
    this.seen.add(key);
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  at(key: string): Path {
    return [...this.path, key];
  }

  str(key: string, def = ""): string {
    const v = this.take(key);
    return v === undefined ? def : asString(v, this.at(key));
  }

  optStr(key: string): string | undefined {
    const v = this.take(key);
    return v === undefined ? undefined : asString(v, this.at(key));
  }

  bool(key: string, def: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return def;
    if (typeof v !== "boolean") fail(this.at(key), `cannot unmarshal ${describe(v)} into bool`);
    return v;
  }

  optBool(key: string): boolean | undefined {
    return this.has(key) ? this.bool(key, false) : (this.take(key), undefined);
  }

  int(key: string, def: number, opts: { min?: number } = {}): number {
    const v = this.take(key);
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      fail(this.at(key), `cannot unmarshal ${describe(v)} into int`);
    }
    if (opts.min !== undefined && v < opts.min) {
      fail(this.at(key), `cannot unmarshal ${describe(v)} into uint64`);
    }
    return v;
  }

  /** duration reads a Prometheus duration (model.Duration: "5m", "1d"). */
  duration(key: string): number | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    const text = typeof v === "number" ? String(v) : v;
    if (typeof text !== "string")
      fail(this.at(key), `cannot unmarshal ${describe(v)} into duration`);
    try {
      return parseDuration(text);
    } catch {
      return fail(this.at(key), `not a valid duration string: ${JSON.stringify(text)}`);
    }
  }

  /** goDuration reads a Go time.Duration ("10s", "1m30s", "1.5h"); Prometheus units are also accepted. */
  goDuration(key: string, def = 0): number {
    const v = this.take(key);
    if (v === undefined) return def;
    const text = typeof v === "number" ? String(v) : v;
    if (typeof text !== "string")
      fail(this.at(key), `cannot unmarshal ${describe(v)} into time.Duration`);
    try {
      return parseGoDuration(text);
    } catch (err) {
      try {
        return parseDuration(text);
      } catch {
        return fail(this.at(key), errText(err));
      }
    }
  }

  strList(key: string): string[] | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    const path = this.at(key);
    return asList(v, path).map((x, i) => asString(x, [...path, i]));
  }

  strMap(key: string): Record<string, string> | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    const o = asMap(v, this.at(key));
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(o)) out[k] = asString(x, [...this.at(key), k]);
    return out;
  }

  /** file reads a path and makes it absolute against baseDir. */
  file(key: string, baseDir: string): string | undefined {
    const v = this.optStr(key);
    if (v === undefined || v === "") return undefined;
    return isAbsolute(v) ? v : resolve(baseDir, v);
  }

  /** map returns a nested mapping reader, or undefined when absent. */
  obj(key: string): Obj | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    return new Obj(asMap(v, this.at(key)), this.at(key));
  }

  /** list returns the items of a sequence with their paths. */
  list(key: string): { value: unknown; path: Path }[] {
    const v = this.take(key);
    if (v === undefined) return [];
    const path = this.at(key);
    return asList(v, path).map((value, i) => ({ value, path: [...path, i] }));
  }

  /** done fails for keys that were never taken (yaml.UnmarshalStrict). */
  done(typeName: string): void {
    for (const k of Object.keys(this.value)) {
      if (!this.seen.has(k)) {
        fail([...this.path, k], `field ${k} not found in type ${typeName}`, true);
      }
    }
  }
}

/** asString accepts a YAML scalar as a string, as yaml.v2 does for string fields. */
export function asString(v: unknown, path: Path): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return fail(path, `cannot unmarshal ${describe(v)} into string`);
}

export function asMap(v: unknown, path: Path): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    fail(path, `cannot unmarshal ${describe(v)} into a mapping`);
  }
  return v as Record<string, unknown>;
}

export function asList(v: unknown, path: Path): unknown[] {
  if (!Array.isArray(v)) fail(path, `cannot unmarshal ${describe(v)} into a sequence`);
  return v;
}

export function objAt(v: unknown, path: Path): Obj {
  return new Obj(asMap(v, path), path);
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * parseAmURL is Alertmanager's ParseURL: an http or https URL with a host. The returned text
 * is the URL as given.
 */
export function parseAmURL(s: string, path: Path): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s)?.[1] ?? "";
    if (scheme !== "http" && scheme !== "https") {
      return fail(path, `unsupported scheme ${JSON.stringify(scheme)} for URL`);
    }
    return fail(path, `parse ${JSON.stringify(s)}: invalid URL`);
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") {
    fail(path, `unsupported scheme ${JSON.stringify(scheme)} for URL`);
  }
  if (u.host === "") fail(path, "missing host for URL");
  return s;
}

/** containsTemplating reports whether s holds "{{" (config.containsTemplating). */
export function containsTemplating(s: string): boolean {
  return s.includes("{{");
}

const GO_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * parseGoDuration parses a Go duration (time.ParseDuration: "300ms", "1.5h", "2h45m") into
 * milliseconds; negative durations are refused.
 */
export function parseGoDuration(s: string): number {
  const bad = (): never => {
    throw new Error(`time: invalid duration ${JSON.stringify(s)}`);
  };
  let rest = s;
  if (rest.startsWith("+")) rest = rest.slice(1);
  if (rest === "0") return 0;
  if (rest === "" || rest.startsWith("-")) bad();
  let total = 0;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(rest);
    if (m === null || (m[1] === "" && (m[2] ?? "") === "")) return bad();
    const unit = GO_UNITS[m[3]];
    if (unit === undefined) {
      throw new Error(
        `time: unknown unit ${JSON.stringify(m[3])} in duration ${JSON.stringify(s)}`,
      );
    }
    total += Number(`${m[1] || "0"}.${m[2] ?? ""}0`) * unit;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}
