// Request parameters of the Loki query API, parsed with the defaults, rules and error messages
// of Loki's pkg/loghttp/params.go and pkg/loghttp/query.go (ParseInstantQuery, ParseRangeQuery,
// ParseVolume*Query, ParseTailQuery). Times are bigint nanoseconds since the Unix epoch.
import { parseRFC3339Nano } from "../../ingest/loki/index.ts";
import { parseDuration } from "../../model/duration.ts";
import { goQuote } from "../../logql/syntax/index.ts";

/** ParamError is a request parameter Loki refuses with 400 and this message (plain text). */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParamError";
  }
}

/** DEFAULT_QUERY_LIMIT, DEFAULT_SINCE_NS: loghttp defaultQueryLimit and defaultSince (1h). */
export const DEFAULT_QUERY_LIMIT = 100;
export const DEFAULT_SINCE_NS = 3_600_000_000_000n;
/** DEFAULT_VOLUME_LIMIT is loghttp defaultVolumeLimit. */
export const DEFAULT_VOLUME_LIMIT = 100;
/** MAX_TAIL_DELAY_S is loghttp maxDelayForInTailing. */
export const MAX_TAIL_DELAY_S = 5;
/** MAX_POINTS is the most points per series a range query may ask for (loghttp query.go). */
export const MAX_POINTS = 11000n;

const NS_PER_S = 1_000_000_000n;
const MAX_INT64 = 9223372036854775807n;
const MAX_UINT32 = 4294967295;

export const ERR_END_BEFORE_START = "end timestamp must not be before or equal to start time";
export const ERR_ZERO_OR_NEGATIVE_STEP =
  "zero or negative query resolution step widths are not accepted. Try a positive integer";
export const ERR_STEP_TOO_SMALL =
  "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter";
export const ERR_NEGATIVE_INTERVAL = "interval must be >= 0";

/** Params is the merged URL query and form body of a request (Go's r.Form). */
export interface Params {
  /** get is the first value of name, or "" (r.Form.Get). */
  get(name: string): string;
  /** all lists every value of name (r.Form[name]). */
  all(name: string): string[];
}

/** paramsOf builds Params from a form body (values first, as Go's ParseForm) and a URL query. */
export function paramsOf(...sources: URLSearchParams[]): Params {
  const m = new Map<string, string[]>();
  for (const src of sources) {
    for (const [k, v] of src) {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    }
  }
  return {
    get: (name) => m.get(name)?.[0] ?? "",
    all: (name) => m.get(name) ?? [],
  };
}

/** goParseInt is strconv.ParseInt(s, 10, 64) (fn names the Go function in errors). */
function goParseInt(s: string, fn = "ParseInt", bits = 64): bigint {
  if (!/^[+-]?\d+$/.test(s)) {
    throw new ParamError(`strconv.${fn}: parsing ${goQuote(s)}: invalid syntax`);
  }
  const v = BigInt(s);
  const max = bits === 64 ? MAX_INT64 : 2n ** BigInt(bits - 1) - 1n;
  if (v > max || v < -max - 1n) {
    throw new ParamError(`strconv.${fn}: parsing ${goQuote(s)}: value out of range`);
  }
  return v;
}

/** parseIntParam is loghttp parseInt: strconv.Atoi, or def when empty. */
export function parseIntParam(value: string, def: number): number {
  if (value === "") return def;
  return Number(goParseInt(value, "Atoi"));
}

/**
 * parseTimestamp is loghttp parseTimestamp: a value with "." is float seconds (millisecond
 * precision); an integer of at most 10 characters is seconds, a longer one nanoseconds;
 * otherwise RFC 3339 with optional fraction. A value that is none of these fails with the
 * integer parser's error, as upstream does.
 */
export function parseTimestamp(value: string, defNs: bigint): bigint {
  if (value === "") return defNs;
  if (value.includes(".") && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    const t = Number(value);
    if (Number.isFinite(t)) {
      const s = Math.trunc(t);
      const frac = Math.round((t - s) * 1000) / 1000;
      return BigInt(s) * NS_PER_S + BigInt(Math.trunc(frac * 1e9));
    }
  }
  let n: bigint;
  try {
    n = goParseInt(value);
  } catch (err) {
    try {
      return parseRFC3339Nano(value);
    } catch {
      throw err;
    }
  }
  return value.length <= 10 ? n * NS_PER_S : n;
}

/** parseLimit is loghttp limit: default 100, positive, at most MaxUint32. */
export function parseLimit(value: string, name = "limit"): number {
  const l = parseIntParam(value, DEFAULT_QUERY_LIMIT);
  if (l <= 0) throw new ParamError("limit must be a positive value");
  if (l > MAX_UINT32) {
    throw new ParamError(`${name} value ${l} is out of range [0, ${MAX_UINT32}]`);
  }
  return l;
}

/** parseDirection is loghttp parseDirection (case-insensitive FORWARD/BACKWARD). */
export function parseDirection(value: string): "forward" | "backward" {
  if (value === "") return "backward";
  const d = value.toUpperCase();
  if (d === "FORWARD") return "forward";
  if (d === "BACKWARD") return "backward";
  throw new ParamError(`invalid direction '${value}'`);
}

/** parsePromDurationNs is Prometheus model.ParseDuration, in nanoseconds. */
function parsePromDurationNs(value: string): bigint {
  try {
    return BigInt(parseDuration(value)) * 1_000_000n;
  } catch {
    throw new ParamError(`not a valid duration string: ${goQuote(value)}`);
  }
}

/** parseSecondsOrDuration is loghttp parseSecondsOrDuration: float seconds or a duration. */
export function parseSecondsOrDuration(value: string): bigint {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) || /^[+-]?inf/i.test(value)) {
    const ns = Number(value) * 1e9;
    if (!Number.isFinite(ns) || Math.abs(ns) >= 9.223372036854776e18) {
      throw new ParamError(
        `cannot parse ${goQuote(value)} to a valid duration. It overflows int64`,
      );
    }
    return BigInt(Math.trunc(ns));
  }
  try {
    return parsePromDurationNs(value);
  } catch {
    throw new ParamError(`cannot parse ${goQuote(value)} to a valid duration`);
  }
}

/** defaultStepNs is loghttp defaultQueryRangeStep: max(floor(range/250s), 1) seconds. */
export function defaultStepNs(startNs: bigint, endNs: bigint): bigint {
  const s = Math.floor(Number(endNs - startNs) / 1e9 / 250);
  return BigInt(Math.max(s, 1)) * NS_PER_S;
}

/**
 * parseBounds is loghttp determineBounds: end defaults to now; start to min(end, now) - since
 * (since defaults to 1h). Errors are wrapped as upstream wraps them.
 */
export function parseBounds(p: Params, nowNs: bigint): { startNs: bigint; endNs: bigint } {
  let since = DEFAULT_SINCE_NS;
  const sinceStr = p.get("since");
  if (sinceStr !== "") {
    try {
      since = parsePromDurationNs(sinceStr);
    } catch (err) {
      throw new ParamError(`could not parse 'since' parameter: ${(err as Error).message}`);
    }
  }
  const wrap = (name: string, fn: () => bigint): bigint => {
    try {
      return fn();
    } catch (err) {
      throw new ParamError(`could not parse '${name}' parameter: ${(err as Error).message}`);
    }
  };
  const endNs = wrap("end", () => parseTimestamp(p.get("end"), nowNs));
  const endOrNow = endNs > nowNs ? nowNs : endNs;
  const startNs = wrap("start", () => parseTimestamp(p.get("start"), endOrNow - since));
  return { startNs, endNs };
}

/** InstantQuery is loghttp InstantQuery. */
export interface InstantQuery {
  readonly query: string;
  readonly timeNs: bigint;
  readonly limit: number;
  readonly direction: "forward" | "backward";
}

/** parseInstantQuery is loghttp ParseInstantQuery. */
export function parseInstantQuery(p: Params, nowNs: bigint): InstantQuery {
  const limit = parseLimit(p.get("limit"));
  const timeNs = parseTimestamp(p.get("time"), nowNs);
  const direction = parseDirection(p.get("direction"));
  return { query: p.get("query"), timeNs, limit, direction };
}

/** RangeQuery is loghttp RangeQuery. */
export interface RangeQuery {
  readonly query: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly stepNs: bigint;
  readonly intervalNs: bigint;
  readonly limit: number;
  readonly direction: "forward" | "backward";
}

/** parseRangeQuery is loghttp ParseRangeQuery, checks in upstream's order. */
export function parseRangeQuery(p: Params, nowNs: bigint): RangeQuery {
  const { startNs, endNs } = parseBounds(p, nowNs);
  if (endNs < startNs) throw new ParamError(ERR_END_BEFORE_START);
  const limit = parseLimit(p.get("limit"));
  const direction = parseDirection(p.get("direction"));
  const stepStr = p.get("step");
  const stepNs = stepStr === "" ? defaultStepNs(startNs, endNs) : parseSecondsOrDuration(stepStr);
  if (stepNs <= 0n) throw new ParamError(ERR_ZERO_OR_NEGATIVE_STEP);
  if ((endNs - startNs) / stepNs > MAX_POINTS) throw new ParamError(ERR_STEP_TOO_SMALL);
  const intervalStr = p.get("interval");
  const intervalNs = intervalStr === "" ? 0n : parseSecondsOrDuration(intervalStr);
  if (intervalNs < 0n) throw new ParamError(ERR_NEGATIVE_INTERVAL);
  return { query: p.get("query"), startNs, endNs, stepNs, intervalNs, limit, direction };
}

/** VolumeQuery is loghttp VolumeInstantQuery / VolumeRangeQuery. */
export interface VolumeQuery {
  readonly query: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** stepNs: the bucket width of volume_range; 0 for /index/volume. */
  readonly stepNs: bigint;
  readonly limit: number;
  readonly targetLabels: string[];
  readonly aggregateBy: "series" | "labels";
}

function volumeCommon(p: Params): Pick<VolumeQuery, "limit" | "targetLabels" | "aggregateBy"> {
  // loghttp volumeLimit: 0 means the default; the check below runs on the value given.
  let limit = parseIntParam(p.get("limit"), DEFAULT_VOLUME_LIMIT);
  if (limit === 0) limit = DEFAULT_VOLUME_LIMIT;
  if (limit < 0) throw new ParamError("limit must be a positive value");
  const t = p.get("targetLabels");
  const targetLabels = t === "" ? [] : t.split(",");
  const a = p.get("aggregateBy");
  if (a !== "" && a !== "series" && a !== "labels") {
    throw new ParamError("invalid aggregation option");
  }
  return { limit, targetLabels, aggregateBy: a === "labels" ? "labels" : "series" };
}

/** parseVolumeInstantQuery is loghttp ParseVolumeInstantQuery. */
export function parseVolumeInstantQuery(p: Params, nowNs: bigint): VolumeQuery {
  const c = volumeCommon(p);
  parseInstantQuery(p, nowNs);
  const { startNs, endNs } = parseBounds(p, nowNs);
  if (endNs < startNs) throw new ParamError(ERR_END_BEFORE_START);
  return { ...c, query: p.get("query"), startNs, endNs, stepNs: 0n };
}

/** parseVolumeRangeQuery is loghttp ParseVolumeRangeQuery. */
export function parseVolumeRangeQuery(p: Params, nowNs: bigint): VolumeQuery {
  const c = volumeCommon(p);
  const r = parseRangeQuery(p, nowNs);
  return { ...c, query: r.query, startNs: r.startNs, endNs: r.endNs, stepNs: r.stepNs };
}

/** TailQuery is logproto.TailRequest as ParseTailQuery fills it. */
export interface TailQuery {
  readonly query: string;
  readonly startNs: bigint;
  readonly limit: number;
  readonly delayForS: number;
}

/** parseTailQuery is loghttp ParseTailQuery without the query parse (the caller parses). */
export function parseTailQuery(p: Params, nowNs: bigint): TailQuery {
  const limit = parseLimit(p.get("limit"));
  const { startNs } = parseBounds(p, nowNs);
  const delayForS = parseIntParam(p.get("delay_for"), 0);
  if (delayForS < 0 || delayForS > MAX_UINT32) {
    throw new ParamError(`delay_for value ${delayForS} is out of range [0, ${MAX_UINT32}]`);
  }
  if (delayForS > MAX_TAIL_DELAY_S) {
    throw new ParamError(`delay_for can't be greater than ${MAX_TAIL_DELAY_S}`);
  }
  return { query: p.get("query"), startNs, limit, delayForS };
}
