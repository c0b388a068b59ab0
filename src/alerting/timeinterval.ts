// Time intervals for mute_time_intervals / active_time_intervals, as Alertmanager's
// timeinterval/timeinterval.go (v0.33): times of day, weekdays, days of the month (negative
// counts from the end), months and years, evaluated in an optional IANA time zone.

/** InclusiveRange is [begin, end], both included. */
export interface InclusiveRange {
  begin: number;
  end: number;
}

/** TimeRange is [startMinute, endMinute) within a day, in minutes since midnight. */
export interface TimeRange {
  startMinute: number;
  endMinute: number;
}

/** TimeInterval is one element of a named interval's `time_intervals` list. Unset fields match all. */
export interface TimeInterval {
  times?: TimeRange[];
  /** 0 = Sunday. */
  weekdays?: InclusiveRange[];
  daysOfMonth?: InclusiveRange[];
  /** 1 = January. */
  months?: InclusiveRange[];
  years?: InclusiveRange[];
  /** IANA zone name [location]; unset means UTC. */
  location?: string;
}

const DAYS: Record<string, number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};
const DAY_NAMES = Object.keys(DAYS);

const MONTHS: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
const MONTH_NAMES = ["", ...Object.keys(MONTHS)];

function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s))
    throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function rangeFromString(text: string, member: (s: string) => number): InclusiveRange {
  const input = text.toLowerCase();
  if (input.includes(":")) {
    const parts = input.split(":");
    if (parts.length !== 2) throw new Error(`couldn't parse range ${input}, invalid format`);
    return { begin: member(parts[0]), end: member(parts[1]) };
  }
  const v = member(input);
  return { begin: v, end: v };
}

function asString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  throw new Error(`cannot unmarshal ${Array.isArray(v) ? "!!seq" : typeof v} into string`);
}

/** parseWeekdayRange parses "monday:friday" or "saturday" (WeekdayRange.UnmarshalYAML). */
export function parseWeekdayRange(v: unknown): InclusiveRange {
  const str = asString(v);
  const r = rangeFromString(str, (s) => {
    const d = DAYS[s];
    if (d === undefined) throw new Error(`${s} is not a valid weekday`);
    return d;
  });
  if (r.begin > r.end) throw new Error("start day cannot be before end day");
  return r;
}

/** parseDayOfMonthRange parses "1:5", "-3:-1" or "15" (DayOfMonthRange.UnmarshalYAML). */
export function parseDayOfMonthRange(v: unknown): InclusiveRange {
  const r = rangeFromString(asString(v), atoi);
  for (const n of [r.begin, r.end]) {
    if (n === 0 || n < -31 || n > 31) {
      throw new Error(`${n} is not a valid day of the month: out of range`);
    }
  }
  if (r.begin < 0 && r.end > 0)
    throw new Error("end day must be negative if start day is negative");
  const b = r.begin < 0 ? 28 + r.begin : r.begin;
  const e = r.end < 0 ? 28 + r.end : r.end;
  if (b > e) throw new Error(`end day ${r.end} is always before start day ${r.begin}`);
  return r;
}

/** parseMonthRange parses "january:march", "1:3" or "may" (MonthRange.UnmarshalYAML). */
export function parseMonthRange(v: unknown): InclusiveRange {
  const r = rangeFromString(asString(v), (s) => {
    const m = MONTHS[s];
    if (m !== undefined) return m;
    try {
      return atoi(s);
    } catch {
      throw new Error(`${s} is not a valid month`);
    }
  });
  if (r.begin > r.end) {
    throw new Error(
      `end month ${MONTH_NAMES[r.end]} is before start month ${MONTH_NAMES[r.begin]}`,
    );
  }
  return r;
}

/** parseYearRange parses "2024:2026" or "2025" (YearRange.UnmarshalYAML). */
export function parseYearRange(v: unknown): InclusiveRange {
  const r = rangeFromString(asString(v), atoi);
  if (r.begin > r.end) throw new Error(`end year ${r.end} is before start year ${r.begin}`);
  return r;
}

const VALID_TIME = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;

function parseTimeOfDay(s: string): number {
  if (!VALID_TIME.test(s)) throw new Error(`couldn't parse timestamp ${s}, invalid format`);
  const [h, m] = s.split(":").map(Number);
  return h * 60 + m;
}

/** parseTimeRange parses {start_time: "09:00", end_time: "17:00"} (TimeRange.UnmarshalYAML). */
export function parseTimeRange(startTime: string, endTime: string): TimeRange {
  if (startTime === "" || endTime === "")
    throw new Error("both start and end times must be provided");
  const start = parseTimeOfDay(startTime);
  const end = parseTimeOfDay(endTime);
  if (start >= end) throw new Error("start time cannot be equal or greater than end time");
  return { startMinute: start, endMinute: end };
}

/**
 * checkLocation validates a time zone name as Go's time.LoadLocation would accept it ("",
 * "UTC", "Local" or an IANA name) and returns the IANA name to use ("" → "UTC").
 */
export function checkLocation(name: string): string {
  if (name === "" || name === "UTC") return "UTC";
  if (name === "Local") return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  return name;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, zone: string): Parts {
  if (zone === "UTC") {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
    };
  }
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "long",
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const { type, value } of f.formatToParts(ms)) p[type] = value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: DAYS[p.weekday.toLowerCase()],
    minuteOfDay: (Number(p.hour) % 24) * 60 + Number(p.minute),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** containsTime reports whether the instant (Unix ms) lies in the interval (ContainsTime). */
export function containsTime(ti: TimeInterval, ms: number): boolean {
  const t = partsIn(ms, ti.location ?? "UTC");
  if (
    ti.times &&
    !ti.times.some((r) => t.minuteOfDay >= r.startMinute && t.minuteOfDay < r.endMinute)
  ) {
    return false;
  }
  if (ti.daysOfMonth) {
    const dim = daysInMonth(t.year, t.month);
    const ok = ti.daysOfMonth.some((r) => {
      let begin = r.begin < 0 ? dim + r.begin + 1 : r.begin;
      let end = r.end < 0 ? dim + r.end + 1 : r.end;
      if (begin > dim) return false;
      begin = Math.min(Math.max(begin, -dim), dim);
      end = Math.min(Math.max(end, -dim), dim);
      return t.day >= begin && t.day <= end;
    });
    if (!ok) return false;
  }
  if (ti.months && !ti.months.some((r) => t.month >= r.begin && t.month <= r.end)) return false;
  if (ti.weekdays && !ti.weekdays.some((r) => t.weekday >= r.begin && t.weekday <= r.end))
    return false;
  if (ti.years && !ti.years.some((r) => t.year >= r.begin && t.year <= r.end)) return false;
  return true;
}

/**
 * Intervener answers whether named intervals contain an instant (timeinterval.Intervener). It
 * throws for a name it does not know; config validation makes that impossible.
 */
export class Intervener {
  constructor(private readonly intervals: ReadonlyMap<string, readonly TimeInterval[]>) {}

  /** mutes returns whether any of the named intervals contains ms, and which ones do. */
  mutes(names: readonly string[], ms: number): { muted: boolean; names: string[] } {
    const inside: string[] = [];
    for (const name of names) {
      const list = this.intervals.get(name);
      if (list === undefined) throw new Error(`time interval ${name} doesn't exist in config`);
      for (const ti of list) if (containsTime(ti, ms)) inside.push(name);
    }
    return { muted: inside.length > 0, names: inside };
  }
}

/** timeIntervalToDoc prints an interval back as YAML (the Marshal* methods). */
export function timeIntervalToDoc(ti: TimeInterval): Record<string, unknown> {
  const pad = (n: number): string => String(n).padStart(2, "0");
  const hm = (m: number): string => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
  const num = (r: InclusiveRange): string =>
    r.begin === r.end ? String(r.begin) : `${r.begin}:${r.end}`;
  const out: Record<string, unknown> = {};
  if (ti.times) {
    out.times = ti.times.map((r) => ({ start_time: hm(r.startMinute), end_time: hm(r.endMinute) }));
  }
  if (ti.weekdays) {
    out.weekdays = ti.weekdays.map((r) =>
      r.begin === r.end ? DAY_NAMES[r.begin] : `${DAY_NAMES[r.begin]}:${DAY_NAMES[r.end]}`,
    );
  }
  if (ti.daysOfMonth) out.days_of_month = ti.daysOfMonth.map(num);
  if (ti.months) out.months = ti.months.map(num);
  if (ti.years) out.years = ti.years.map(num);
  if (ti.location !== undefined) out.location = ti.location;
  return out;
}
