// The template functions and data of Prometheus's alerting and recording rules, as
// prometheus/template/template.go (v3.5) defines them, with the number and time formatting of
// prometheus/common/helpers/templates (humanize*, toTime). `query` is asynchronous: it calls
// the TemplateQueryFunc the caller passes in, so a rule's annotations can run PromQL.
// toDuration, now and urlQueryEscape come from later Prometheus versions.

import { isIP } from "node:net";
import { compareCodePoints, sprint, sprintf } from "./fmt.ts";
import { queryEscape } from "./funcs.ts";
import { goQuote, parseFloat64 } from "./strconv.ts";
import {
  goToLower,
  goToUpper,
  joinHostPort,
  matchString,
  mustCompileRegexp,
  replaceAllString,
  splitHostPort,
  titleCase,
} from "./strings.ts";
import { Template } from "./template.ts";
import type { FuncMap } from "./template.ts";
import { GoDuration, GoTime } from "./time.ts";
import { anyMap, goFunc, goTypeInfo, kindOf, setGoType, stringMap, typeName } from "./value.ts";
import type { CustomParamType } from "./value.ts";

/** TemplateQuerySample is one element of the instant vector a template query returns. */
export interface TemplateQuerySample {
  /** The series labels, including __name__ when the series has one. */
  readonly labels: Readonly<Record<string, string>>;
  /** The float sample value. */
  readonly value: number;
  /** A native histogram value, used instead of value when present (printed via its String method). */
  readonly histogram?: unknown;
}

/**
 * TemplateQueryFunc evaluates a PromQL instant query at timestampMs (milliseconds) for the
 * `query` template function; it rejects when the query fails.
 */
export type TemplateQueryFunc = (
  query: string,
  timestampMs: number,
) => Promise<readonly TemplateQuerySample[]>;

/** Sample is Prometheus's template.sample: a vector element that is easy to use from templates. */
export class Sample {
  constructor(
    readonly Labels: Record<string, string>,
    readonly Value: unknown,
  ) {}
}
setGoType(Sample.prototype, { name: "*template.sample", kind: "struct", pointer: true });

const QUERY_RESULT_TYPE = "template.queryResult";

const QUERY_RESULT: CustomParamType = {
  name: QUERY_RESULT_TYPE,
  nilable: true,
  accepts: (v) => Array.isArray(v) && goTypeInfo(v)?.name === QUERY_RESULT_TYPE,
};

const SAMPLE: CustomParamType = {
  name: "*template.sample",
  nilable: true,
  accepts: (v) => v instanceof Sample,
};

const NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference";

function queryResult(samples: Sample[]): Sample[] {
  return setGoType(samples, { name: QUERY_RESULT_TYPE });
}

/**
 * convertToFloat converts a template value to float64 as helpers/templates ConvertToFloat
 * does: floats, integers, numeric strings and durations (as seconds).
 */
export function convertToFloat(v: unknown): number {
  if (v instanceof GoDuration) return v.Seconds();
  switch (kindOf(v)) {
    case "float":
      return v as number;
    case "string":
      return parseFloat64(v as string);
    case "int":
      if (typeof v === "bigint") return Number(v);
  }
  throw new Error(`can't convert ${typeName(v)} to float`);
}

const NAN_OR_INF = "value is NaN or Inf";

/** floatToTime converts Unix seconds to a UTC time with millisecond precision (FloatToTime). */
export function floatToTime(v: number): GoTime {
  if (Number.isNaN(v) || !Number.isFinite(v)) throw new Error(NAN_OR_INF);
  const timestamp = v * 1e9;
  // Go compares with float64(math.MaxInt64) and float64(math.MinInt64): ±2^63.
  if (timestamp > 2 ** 63 || timestamp < -(2 ** 63)) {
    throw new Error(
      `${sprint([v])} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  }
  // model.TimeFromUnixNano keeps milliseconds, truncating toward zero.
  const ms = BigInt(Math.trunc(timestamp)) / 1000000n;
  return GoTime.fromUnixNano(ms * 1000000n);
}

/** humanize formats a number with SI prefixes, 4 significant digits: 1234567 → "1.235M". */
export function humanize(i: unknown): string {
  let v = convertToFloat(i);
  if (v === 0 || Number.isNaN(v) || !Number.isFinite(v)) return sprintf("%.4g", [v]);
  let prefix = "";
  if (Math.abs(v) >= 1) {
    for (const p of ["k", "M", "G", "T", "P", "E", "Z", "Y"]) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return sprintf("%.4g%s", [v, prefix]);
  }
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return sprintf("%.4g%s", [v, prefix]);
}

/** humanize1024 formats a number with binary prefixes: 1048576 → "1Mi". */
export function humanize1024(i: unknown): string {
  let v = convertToFloat(i);
  if (Math.abs(v) <= 1 || Number.isNaN(v) || !Number.isFinite(v)) return sprintf("%.4g", [v]);
  let prefix = "";
  for (const p of ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return sprintf("%.4g%s", [v, prefix]);
}

/** humanizeDuration formats seconds as "1d 2h 3m 4s" or "1.234s", "100ms" (HumanizeDuration). */
export function humanizeDuration(i: unknown): string {
  let v = convertToFloat(i);
  if (Number.isNaN(v) || !Number.isFinite(v)) return sprintf("%.4g", [v]);
  if (v === 0) return sprintf("%.4gs", [v]);
  if (Math.abs(v) >= 1) {
    let sign = "";
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    const duration = BigInt(Math.trunc(v));
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 60n / 60n) % 24n;
    const days = duration / 60n / 60n / 24n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return sprintf("%s%.4gs", [sign, v]);
  }
  let prefix = "";
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return sprintf("%.4g%ss", [v, prefix]);
}

/** humanizePercentage formats a ratio as a percentage: 0.1234 → "12.34%". */
export function humanizePercentage(i: unknown): string {
  return sprintf("%.4g%%", [convertToFloat(i) * 100]);
}

/** humanizeTimestamp formats Unix seconds as a UTC time string (HumanizeTimestamp). */
export function humanizeTimestamp(i: unknown): string {
  const v = convertToFloat(i);
  let t: GoTime;
  try {
    t = floatToTime(v);
  } catch (err) {
    if ((err as Error).message === NAN_OR_INF) return sprintf("%.4g", [v]);
    throw err;
  }
  return t.String();
}

const DURATION_UNITS: ReadonlyMap<string, { pos: number; mult: bigint }> = new Map([
  ["ms", { pos: 7, mult: 1000000n }],
  ["s", { pos: 6, mult: 1000000000n }],
  ["m", { pos: 5, mult: 60000000000n }],
  ["h", { pos: 4, mult: 3600000000000n }],
  ["d", { pos: 3, mult: 86400000000000n }],
  ["w", { pos: 2, mult: 604800000000000n }],
  ["y", { pos: 1, mult: 31536000000000000n }],
]);

/**
 * parseModelDuration parses a Prometheus duration ("1h30m", "5d") into nanoseconds, with the
 * error messages of prometheus/common model.ParseDuration.
 */
export function parseModelDuration(s: string): bigint {
  if (s === "0") return 0n;
  if (s === "") throw new Error("empty duration string");
  const invalid = (): Error => new Error(`not a valid duration string: ${goQuote(s)}`);
  let rest = s;
  let dur = 0n;
  let lastUnitPos = 0;
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
  while (rest !== "") {
    if (!isDigit(rest[0])) throw invalid();
    let i = 0;
    while (i < rest.length && isDigit(rest[i])) i++;
    const v = BigInt(rest.slice(0, i));
    if (v > 0xffffffffffffffffn) throw invalid();
    rest = rest.slice(i);
    i = 0;
    while (i < rest.length && !isDigit(rest[i])) i++;
    if (i === 0) throw invalid();
    const u = rest.slice(0, i);
    rest = rest.slice(i);
    const unit = DURATION_UNITS.get(u);
    if (!unit) throw new Error(`unknown unit ${goQuote(u)} in duration ${goQuote(s)}`);
    if (unit.pos <= lastUnitPos) throw invalid();
    lastUnitPos = unit.pos;
    if (v > (1n << 63n) / unit.mult) throw new Error("duration out of range");
    dur += v * unit.mult;
    if (dur > (1n << 63n) - 1n) throw new Error("duration out of range");
  }
  return dur;
}

/** urlPath returns the (decoded) path of a URL, as Go's url.URL.Path. */
function urlPath(raw: string): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(raw);
  const path = m ? m[1] : (/^[^?#]*/.exec(raw)?.[0] ?? "");
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function isGoIP(host: string): boolean {
  return !host.includes("%") && isIP(host) !== 0;
}

/** PrometheusFuncOptions carries what the rule-template functions need from their caller. */
export interface PrometheusFuncOptions {
  /** Evaluation time in milliseconds; `query` runs at this time and `now` returns it. */
  readonly timestampMs: number;
  /** Runs `query`; without it, `query` fails. */
  readonly queryFunc?: TemplateQueryFunc;
  /** The external URL of the server, for externalURL and pathPrefix. */
  readonly externalURL: string;
}

function querySamples(vector: readonly TemplateQuerySample[]): Sample[] {
  return queryResult(
    vector.map((s) => new Sample(stringMap({ ...s.labels }), s.histogram ?? s.value)),
  );
}

/** STATIC_FUNCS are the functions that do not depend on the expansion's context. */
const STATIC_FUNCS: FuncMap = {
  first: goFunc([QUERY_RESULT], (v: Sample[] | undefined) => {
    if (v && v.length > 0) return v[0];
    throw new Error("first() called on vector with no elements");
  }),
  label: goFunc(["string", SAMPLE], (label: string, s: Sample | undefined) => {
    if (!s) throw new Error(NIL_DEREF);
    return Object.prototype.hasOwnProperty.call(s.Labels, label) ? s.Labels[label] : "";
  }),
  value: goFunc([SAMPLE], (s: Sample | undefined) => {
    if (!s) throw new Error(NIL_DEREF);
    return s.Value;
  }),
  strvalue: goFunc([SAMPLE], (s: Sample | undefined) => {
    if (!s) throw new Error(NIL_DEREF);
    return s.Labels["__value__"] ?? "";
  }),
  args: goFunc(
    [],
    (...args: unknown[]) => anyMap(Object.fromEntries(args.map((a, i) => [`arg${i}`, a]))),
    "any",
  ),
  reReplaceAll: goFunc(
    ["string", "string", "string"],
    (pattern: string, repl: string, text: string) =>
      replaceAllString(mustCompileRegexp(pattern), text, repl),
  ),
  safeHtml: goFunc(["string"], (text: string) => text),
  match: goFunc(["string", "string"], (pattern: string, s: string) => matchString(pattern, s)),
  title: goFunc(["string"], (s: string) => titleCase(s, true)),
  toUpper: goFunc(["string"], goToUpper),
  toLower: goFunc(["string"], goToLower),
  graphLink: goFunc(["string"], (expr: string) => `/graph?g0.expr=${queryEscape(expr)}&g0.tab=0`),
  tableLink: goFunc(["string"], (expr: string) => `/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`),
  sortByLabel: goFunc(["string", QUERY_RESULT], (label: string, v: Sample[] | undefined) => {
    if (!v) return v;
    const key = (s: Sample): string => s.Labels[label] ?? "";
    const sorted = v
      .map((s, i) => [s, i] as const)
      .sort(([a, i], [b, j]) => compareCodePoints(key(a), key(b)) || i - j);
    sorted.forEach(([s], i) => {
      v[i] = s;
    });
    return v;
  }),
  stripPort: goFunc(["string"], (hostPort: string) => {
    try {
      return splitHostPort(hostPort)[0];
    } catch {
      return hostPort;
    }
  }),
  stripDomain: goFunc(["string"], (hostPort: string) => {
    let host: string;
    let port = "";
    try {
      [host, port] = splitHostPort(hostPort);
    } catch {
      host = hostPort;
    }
    if (isGoIP(host)) return hostPort;
    host = host.split(".")[0];
    return port !== "" ? joinHostPort(host, port) : host;
  }),
  humanize: goFunc(["any"], humanize),
  humanize1024: goFunc(["any"], humanize1024),
  humanizeDuration: goFunc(["any"], humanizeDuration),
  humanizePercentage: goFunc(["any"], humanizePercentage),
  humanizeTimestamp: goFunc(["any"], humanizeTimestamp),
  toTime: goFunc(["any"], (i: unknown) => floatToTime(convertToFloat(i))),
  toDuration: goFunc(["any"], (i: unknown) => GoDuration.fromSeconds(convertToFloat(i))),
  parseDuration: goFunc(["string"], (d: string) => {
    const ns = parseModelDuration(d);
    return Number(ns / 1000000000n) + Number(ns % 1000000000n) / 1e9;
  }),
  urlQueryEscape: goFunc(["string"], queryEscape),
};

/** contextFuncs are the functions bound to one expansion: its time, query function and URL. */
function contextFuncs(opts: PrometheusFuncOptions): FuncMap {
  const { timestampMs, queryFunc, externalURL } = opts;
  return {
    query: goFunc(["string"], async (q: string) => {
      if (!queryFunc) throw new Error("query function is not available");
      return querySamples(await queryFunc(q, timestampMs));
    }),
    now: goFunc([], () => timestampMs / 1000),
    pathPrefix: goFunc([], () => urlPath(externalURL)),
    externalURL: goFunc([], () => externalURL),
  };
}

/** prometheusFuncs returns the function map of NewTemplateExpander (template/template.go). */
export function prometheusFuncs(opts: PrometheusFuncOptions): FuncMap {
  return { ...STATIC_FUNCS, ...contextFuncs(opts) };
}

/** AlertTemplateData is the data of an alert's label and annotation templates. */
export interface AlertTemplateInput {
  /** The alert's labels (the series labels without __name__, as Prometheus passes them). */
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  /** The sample value: a float, or a histogram object for native histograms. */
  readonly value: unknown;
}

const ALERT_DATA_TYPE =
  "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }";

/**
 * alertTemplateData builds the data of alert templates, with fields Labels, ExternalLabels,
 * ExternalURL and Value (template.AlertTemplateData).
 */
export function alertTemplateData(input: AlertTemplateInput): object {
  return setGoType(
    {
      Labels: stringMap({ ...input.labels }),
      ExternalLabels: stringMap({ ...input.externalLabels }),
      ExternalURL: input.externalURL,
      Value: input.value,
    },
    { name: ALERT_DATA_TYPE, kind: "struct" },
  );
}

/** ExpandOptions configures expandTemplate. */
export interface ExpandOptions extends PrometheusFuncOptions {
  /** The template name used in error messages. */
  readonly name: string;
  /** The data (dot) of the template. */
  readonly data?: unknown;
  /** Go template options; Prometheus's default (when absent) is ["missingkey=zero"]. */
  readonly options?: readonly string[];
  /** Extra functions, overriding the Prometheus ones (Expander.Funcs). */
  readonly funcs?: FuncMap;
}

const PLACEHOLDER_CONTEXT: PrometheusFuncOptions = { timestampMs: 0, externalURL: "" };
const MAX_CACHED = 2000;
const parsed = new Map<string, Template | Error>();

/**
 * parseCached parses text with the Prometheus functions, reusing earlier parses of the same
 * text: rules expand the same annotations for every alert at every evaluation, and a parse
 * tree never changes once built. Each caller gets a clone with its own context functions.
 */
function parseCached(name: string, text: string, options: readonly string[]): Template {
  const key = name + "\u0000" + options.join("\u0000") + "\u0000" + text;
  let base = parsed.get(key);
  if (base === undefined) {
    try {
      base = Template.create(name, { funcs: prometheusFuncs(PLACEHOLDER_CONTEXT) }).parse(text);
    } catch (err) {
      base = err as Error;
    }
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, base);
  }
  if (base instanceof Error) throw base;
  return base.clone().option(...options);
}

/**
 * expandTemplate expands a template in text mode as Prometheus's Expander.Expand does. It
 * rejects with "error parsing template <name>: ..." or "error executing template <name>: ...".
 */
export async function expandTemplate(text: string, opts: ExpandOptions): Promise<string> {
  const options = opts.options ?? ["missingkey=zero"];
  let tmpl: Template;
  try {
    if (opts.funcs) {
      tmpl = Template.create(opts.name, {
        funcs: { ...prometheusFuncs(opts), ...opts.funcs },
        options,
      }).parse(text);
    } else {
      tmpl = parseCached(opts.name, text, options).funcs(contextFuncs(opts));
    }
  } catch (err) {
    throw new Error(`error parsing template ${opts.name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return await tmpl.execute(opts.data);
  } catch (err) {
    throw new Error(`error executing template ${opts.name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** ALERT_TEMPLATE_DEFS are the convenience variables Prometheus prepends to alert templates. */
export const ALERT_TEMPLATE_DEFS =
  "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

/** AlertExpandInput is what expandAlertTemplate needs to expand one label or annotation. */
export interface AlertExpandInput extends AlertTemplateInput {
  readonly alertName: string;
  readonly timestampMs: number;
  readonly queryFunc?: TemplateQueryFunc;
}

/**
 * expandAlertTemplate expands an alerting rule's label or annotation text the way
 * rules/alerting.go does: with $labels, $externalLabels, $externalURL and $value defined and
 * the template named "__alert_<alertname>". It rejects on failure; Prometheus then uses the
 * text "<error expanding template: <message>>" (see alertTemplateErrorText).
 */
export function expandAlertTemplate(text: string, input: AlertExpandInput): Promise<string> {
  return expandTemplate(ALERT_TEMPLATE_DEFS + text, {
    name: "__alert_" + input.alertName,
    data: alertTemplateData(input),
    timestampMs: input.timestampMs,
    queryFunc: input.queryFunc,
    externalURL: input.externalURL,
  });
}

/** alertTemplateErrorText is the value Prometheus gives a label or annotation that failed to expand. */
export function alertTemplateErrorText(err: unknown): string {
  return `<error expanding template: ${err instanceof Error ? err.message : String(err)}>`;
}
