// Time and duration handling for the UI: Prometheus duration strings, relative and absolute time
// inputs, automatic query steps and relative-time formatting. Times are Unix milliseconds; the
// APIs take seconds, converted at the call (api/).

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** RELATIVE_RANGES are the ranges the time range picker offers, shortest first. */
export const RELATIVE_RANGES = ["5m", "15m", "30m", "1h", "3h", "6h", "12h", "1d", "2d", "7d"];

/**
 * parseDuration reads a Prometheus duration ("90s", "1h30m", "7d", "500ms") or a number of
 * seconds ("30", "1.5") and returns milliseconds, or undefined when s is not a duration.
 */
export function parseDuration(s: string): number | undefined {
  const t = s.trim();
  if (t === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+)(ms|y|w|d|h|m|s)/y;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  return total;
}

/** formatDuration writes ms as a Prometheus duration: 5400000 → "1h30m", 500 → "500ms", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return "0s";
  let rest = Math.abs(Math.round(ms));
  let out = ms < 0 ? "-" : "";
  for (const unit of ["y", "w", "d", "h", "m", "s", "ms"]) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/**
 * parseTimeInput reads a point in time: "" or "now" (nowMs), "now-1h" / "now+5m", RFC 3339
 * ("2025-01-02T03:04:05Z"), a datetime-local value in the browser's zone ("2025-01-02T03:04"),
 * or Unix seconds ("1735787045.5"). It returns undefined for anything else.
 */
export function parseTimeInput(s: string, nowMs: number): number | undefined {
  const t = s.trim();
  if (t === "" || t === "now") return nowMs;
  const rel = /^now\s*([+-])\s*(\S+)$/.exec(t);
  if (rel) {
    const d = parseDuration(rel[2]!);
    if (d === undefined) return undefined;
    return rel[1] === "-" ? nowMs - d : nowMs + d;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    const ms = Date.parse(t.replace(" ", "T"));
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** toDatetimeLocal formats ms for an <input type="datetime-local"> in the browser's zone. */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** TimeRange is a resolved query range in ms. */
export interface TimeRange {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * resolveRange turns a range ("1h") and an end ("" for now, or any parseTimeInput form) into
 * start and end. It throws an Error with a readable message for bad input.
 */
export function resolveRange(range: string, end: string, nowMs: number): TimeRange {
  const rangeMs = parseDuration(range);
  if (rangeMs === undefined || rangeMs <= 0)
    throw new Error(`invalid range ${JSON.stringify(range)}`);
  const endMs = parseTimeInput(end, nowMs);
  if (endMs === undefined) throw new Error(`invalid end time ${JSON.stringify(end)}`);
  return { startMs: endMs - rangeMs, endMs };
}

/**
 * RangeSpec is a time range as the URL holds it: either relative, `range` long and ending at
 * `end` ("" for now), or absolute from `start` to `end` when start is set. start and end are
 * parseTimeInput forms; the UI writes absolute times as RFC 3339 in UTC (toUrlTime), so that a
 * shared link shows the same range in every time zone.
 */
export interface RangeSpec {
  readonly range: string;
  /** start is "" for a relative range. */
  readonly start?: string;
  readonly end: string;
}

/** isAbsoluteRange reports whether spec has an absolute start. */
export function isAbsoluteRange(spec: RangeSpec): boolean {
  return (spec.start ?? "") !== "";
}

/**
 * resolveRangeSpec resolves a relative or an absolute range (see RangeSpec) to start and end at
 * nowMs. It throws an Error with a readable message for bad input or a start not before end.
 */
export function resolveRangeSpec(spec: RangeSpec, nowMs: number): TimeRange {
  if (!isAbsoluteRange(spec)) return resolveRange(spec.range, spec.end, nowMs);
  const startMs = parseTimeInput(spec.start!, nowMs);
  if (startMs === undefined) throw new Error(`invalid start time ${JSON.stringify(spec.start)}`);
  const endMs = parseTimeInput(spec.end, nowMs);
  if (endMs === undefined) throw new Error(`invalid end time ${JSON.stringify(spec.end)}`);
  if (startMs >= endMs) throw new Error("the start of the time range must be before its end");
  return { startMs, endMs };
}

/** toUrlTime writes ms as RFC 3339 in UTC, without milliseconds when they are 0. */
export function toUrlTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * toAbsolute turns a range into the absolute range that it resolves to at nowMs, in whole
 * seconds (for switching the picker from relative to absolute).
 */
export function toAbsolute(spec: RangeSpec, nowMs: number): { start: string; end: string } {
  const { startMs, endMs } = resolveRangeSpec(spec, nowMs);
  // Whole seconds keep the URL short; nobody picks a range to the millisecond.
  const s = (ms: number) => toUrlTime(Math.round(ms / 1000) * 1000);
  return { start: s(startMs), end: s(endMs) };
}

/**
 * fromDatetimeLocal reads an <input type="datetime-local"> value (the browser's zone) and
 * returns it as a URL time (toUrlTime), or "" when it is empty or invalid.
 */
export function fromDatetimeLocal(v: string): string {
  const ms = parseTimeInput(v, 0);
  return v.trim() === "" || ms === undefined ? "" : toUrlTime(ms);
}

const NICE_STEPS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
].map((s) => s * 1000);

/**
 * autoStepMs picks a query step for a range: about `points` points, rounded up to a round step
 * (1s, 2s, 5s, 10s, 15s, 30s, 1m, …, 1d), never below 1s.
 */
export function autoStepMs(rangeMs: number, points = 250): number {
  const raw = rangeMs / points;
  for (const s of NICE_STEPS_MS) if (s >= raw) return s;
  return Math.ceil(raw / 86_400_000) * 86_400_000;
}

/**
 * formatRelative writes the distance from nowMs to ms: "12s ago", "3m ago", "in 5m",
 * "just now". Coarse units only, as a glance value.
 */
export function formatRelative(ms: number, nowMs: number): string {
  const diff = nowMs - ms;
  const abs = Math.abs(diff);
  if (abs < 1000) return "just now";
  let s: string;
  if (abs < 60_000) s = `${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)}s`;
  else if (abs < 3_600_000) s = `${Math.floor(abs / 60_000)}m`;
  else if (abs < 86_400_000)
    s = `${Math.floor(abs / 3_600_000)}h${Math.floor((abs % 3_600_000) / 60_000)}m`;
  else s = `${Math.floor(abs / 86_400_000)}d${Math.floor((abs % 86_400_000) / 3_600_000)}h`;
  return diff >= 0 ? `${s} ago` : `in ${s}`;
}

/** isZeroTime reports Go's zero time ("0001-01-01T00:00:00Z"), which the APIs use for never. */
export function isZeroTime(s: string | null | undefined): boolean {
  return !s || s.startsWith("0001-01-01");
}

/** formatTimestamp writes ms as a local date and time with seconds ("2025-01-02 03:04:05"). */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
