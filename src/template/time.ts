// The part of Go's time package that templates see: time.Time (printing, Format layouts, the
// accessor methods), time.Duration (String, Seconds, ...) and time.Location loaded from the
// system tzdata (TZif files under /usr/share/zoneinfo, with the POSIX TZ footer rule for
// instants past the last transition), so that `{{ .StartsAt }}`, `date` and `tz` print exactly
// what Go prints. References: time/time.go, time/format.go, time/zoneinfo.go,
// time/zoneinfo_read.go and time/zoneinfo_unix.go.

import { readFileSync } from "node:fs";
import { goFunc, setGoType } from "./value.ts";
import type { CustomParamType, IntLike } from "./value.ts";

const SECONDS_PER_DAY = 86400;
/** ZERO_UNIX is the Unix time of Go's zero Time, January 1, year 1, 00:00:00 UTC. */
const ZERO_UNIX = -62135596800;

const LONG_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const doy = floorDiv(153 * (m + (m > 2 ? -3 : 9)) + 2, 5) + d - 1;
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468;
}

/** civilFromDays is the inverse of daysFromCivil. */
function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = floorDiv(
    doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096),
    365,
  );
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const d = doy - floorDiv(153 * mp + 2, 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

// --- Locations ---

/** Zone is the result of a location lookup: abbreviation, offset east of UTC in seconds. */
interface Zone {
  name: string;
  offset: number;
  isDST: boolean;
}

/** GoLocation is a *time.Location: a named set of time zone rules. */
export class GoLocation {
  constructor(
    readonly name: string,
    private readonly lookupFn: (unixSec: number) => Zone,
  ) {}

  /** lookup returns the zone in effect at the given Unix time. */
  lookup(unixSec: number): Zone {
    return this.lookupFn(unixSec);
  }

  /** String returns the location's name, as Location.String does. */
  String(): string {
    return this.name;
  }
}
setGoType(GoLocation.prototype, { name: "*time.Location", kind: "struct" });

/** UTC is the UTC location. */
export const UTC = new GoLocation("UTC", () => ({ name: "UTC", offset: 0, isDST: false }));

/** fixedZone returns a location that always uses the given name and offset (time.FixedZone). */
export function fixedZone(name: string, offsetSec: number): GoLocation {
  return new GoLocation(name, () => ({ name, offset: offsetSec, isDST: false }));
}

interface TzRule {
  kind: "julian" | "doy" | "mwd";
  day: number;
  week: number;
  mon: number;
  time: number;
}

function tzsetName(s: string): [string, string, boolean] {
  if (s.length === 0) return ["", "", false];
  if (s[0] !== "<") {
    let i = 0;
    while (i < s.length && !"0123456789,-+".includes(s[i])) i++;
    if (i < 3) return ["", "", false];
    return [s.slice(0, i), s.slice(i), true];
  }
  const end = s.indexOf(">");
  if (end < 0) return ["", "", false];
  return [s.slice(1, end), s.slice(end + 1), true];
}

function tzsetNum(s: string, min: number, max: number): [number, string, boolean] {
  let i = 0;
  let num = 0;
  while (i < s.length && s[i] >= "0" && s[i] <= "9") {
    num = num * 10 + (s.charCodeAt(i) - 48);
    if (num > max) return [0, "", false];
    i++;
  }
  if (i === 0 || num < min) return [0, "", false];
  return [num, s.slice(i), true];
}

function tzsetOffset(s: string): [number, string, boolean] {
  if (s.length === 0) return [0, "", false];
  let neg = false;
  if (s[0] === "+") s = s.slice(1);
  else if (s[0] === "-") {
    neg = true;
    s = s.slice(1);
  }
  let ok: boolean;
  let hours: number;
  [hours, s, ok] = tzsetNum(s, 0, 24 * 7);
  if (!ok) return [0, "", false];
  let off = hours * 3600;
  if (s.length > 0 && s[0] === ":") {
    let mins: number;
    [mins, s, ok] = tzsetNum(s.slice(1), 0, 59);
    if (!ok) return [0, "", false];
    off += mins * 60;
    if (s.length > 0 && s[0] === ":") {
      let secs: number;
      [secs, s, ok] = tzsetNum(s.slice(1), 0, 59);
      if (!ok) return [0, "", false];
      off += secs;
    }
  }
  return [neg ? -off : off, s, true];
}

function tzsetRule(s: string): [TzRule, string, boolean] {
  const r: TzRule = { kind: "doy", day: 0, week: 0, mon: 0, time: 0 };
  const bad: [TzRule, string, boolean] = [r, "", false];
  let ok: boolean;
  if (s.length === 0) return bad;
  if (s[0] === "J") {
    let jday: number;
    [jday, s, ok] = tzsetNum(s.slice(1), 1, 365);
    if (!ok) return bad;
    r.kind = "julian";
    r.day = jday;
  } else if (s[0] === "M") {
    let mon: number;
    let week: number;
    let day: number;
    [mon, s, ok] = tzsetNum(s.slice(1), 1, 12);
    if (!ok || s.length === 0 || s[0] !== ".") return bad;
    [week, s, ok] = tzsetNum(s.slice(1), 1, 5);
    if (!ok || s.length === 0 || s[0] !== ".") return bad;
    [day, s, ok] = tzsetNum(s.slice(1), 0, 6);
    if (!ok) return bad;
    r.kind = "mwd";
    r.day = day;
    r.week = week;
    r.mon = mon;
  } else {
    let day: number;
    [day, s, ok] = tzsetNum(s, 0, 365);
    if (!ok) return bad;
    r.kind = "doy";
    r.day = day;
  }
  if (s.length === 0 || s[0] !== "/") {
    r.time = 2 * 3600;
    return [r, s, true];
  }
  let offset: number;
  [offset, s, ok] = tzsetOffset(s.slice(1));
  if (!ok) return bad;
  r.time = offset;
  return [r, s, true];
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function tzruleTime(year: number, r: TzRule, off: number): number {
  let s: number;
  if (r.kind === "julian") {
    s = (r.day - 1) * SECONDS_PER_DAY;
    if (isLeap(year) && r.day >= 60) s += SECONDS_PER_DAY;
  } else if (r.kind === "doy") {
    s = r.day * SECONDS_PER_DAY;
  } else {
    const m1 = ((r.mon + 9) % 12) + 1;
    let yy0 = year;
    if (r.mon <= 2) yy0--;
    const yy1 = Math.trunc(yy0 / 100);
    const yy2 = yy0 % 100;
    let dow =
      (Math.trunc((26 * m1 - 2) / 10) +
        1 +
        yy2 +
        Math.trunc(yy2 / 4) +
        Math.trunc(yy1 / 4) -
        2 * yy1) %
      7;
    if (dow < 0) dow += 7;
    let d = r.day - dow;
    if (d < 0) d += 7;
    const daysIn =
      DAYS_BEFORE[r.mon] - DAYS_BEFORE[r.mon - 1] + (r.mon === 2 && isLeap(year) ? 1 : 0);
    for (let i = 1; i < r.week; i++) {
      if (d + 7 >= daysIn) break;
      d += 7;
    }
    d += DAYS_BEFORE[r.mon - 1];
    if (isLeap(year) && r.mon > 2) d++;
    s = d * SECONDS_PER_DAY;
  }
  return s + r.time - off;
}

/** tzset evaluates a POSIX TZ rule string at unixSec, as Go's time.tzset does. */
function tzset(rule: string, unixSec: number): Zone | undefined {
  let s = rule;
  let ok: boolean;
  let stdName: string;
  let dstName: string;
  let stdOffset = 0;
  let dstOffset = 0;
  [stdName, s, ok] = tzsetName(s);
  if (ok) [stdOffset, s, ok] = tzsetOffset(s);
  if (!ok) return undefined;
  stdOffset = -stdOffset;
  if (s.length === 0 || s[0] === ",") return { name: stdName, offset: stdOffset, isDST: false };
  [dstName, s, ok] = tzsetName(s);
  if (ok) {
    if (s.length === 0 || s[0] === ",") {
      dstOffset = stdOffset + 3600;
    } else {
      [dstOffset, s, ok] = tzsetOffset(s);
      dstOffset = -dstOffset;
    }
  }
  if (!ok) return undefined;
  if (s.length === 0) s = ",M3.2.0,M11.1.0";
  if (s[0] !== "," && s[0] !== ";") return undefined;
  s = s.slice(1);
  const [startRule, afterStart, startOK] = tzsetRule(s);
  if (!startOK || afterStart.length === 0 || afterStart[0] !== ",") return undefined;
  const [endRule, afterEnd, endOK] = tzsetRule(afterStart.slice(1));
  if (!endOK || afterEnd.length > 0) return undefined;
  const days = floorDiv(unixSec, SECONDS_PER_DAY);
  const [year] = civilFromDays(days);
  const yday = days - daysFromCivil(year, 1, 1);
  const ysec = yday * SECONDS_PER_DAY + mod(unixSec, SECONDS_PER_DAY);
  let startSec = tzruleTime(year, startRule, stdOffset);
  let endSec = tzruleTime(year, endRule, dstOffset);
  let dstIsDST = true;
  let stdIsDST = false;
  if (endSec < startSec) {
    [startSec, endSec] = [endSec, startSec];
    [stdName, dstName] = [dstName, stdName];
    [stdOffset, dstOffset] = [dstOffset, stdOffset];
    [stdIsDST, dstIsDST] = [dstIsDST, stdIsDST];
  }
  if (ysec < startSec || ysec >= endSec)
    return { name: stdName, offset: stdOffset, isDST: stdIsDST };
  return { name: dstName, offset: dstOffset, isDST: dstIsDST };
}

/** parseTZif builds a location from TZif data, as time.LoadLocationFromTZData does. */
function parseTZif(name: string, data: Uint8Array): GoLocation | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 44 || String.fromCharCode(...data.slice(0, 4)) !== "TZif") return undefined;
  const version = data[4];
  const counts = (at: number): number[] =>
    [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(at + 20 + 4 * i));
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(0);
  let p = 44;
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the version 1 data and use the 64-bit version 2+ block.
    p += timecnt * 4 + timecnt + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(p);
    p += 44;
    timeSize = 8;
  }
  const when: number[] = [];
  for (let i = 0; i < timecnt; i++) {
    when.push(timeSize === 8 ? Number(view.getBigInt64(p + 8 * i)) : view.getInt32(p + 4 * i));
  }
  p += timecnt * timeSize;
  const idx = Array.from(data.slice(p, p + timecnt));
  p += timecnt;
  const rawZones: { offset: number; isDST: boolean; abbr: number }[] = [];
  for (let i = 0; i < typecnt; i++) {
    rawZones.push({
      offset: view.getInt32(p + 6 * i),
      isDST: data[p + 6 * i + 4] !== 0,
      abbr: data[p + 6 * i + 5],
    });
  }
  p += typecnt * 6;
  const chars = data.slice(p, p + charcnt);
  p += charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  const zones: Zone[] = rawZones.map((z) => {
    let end = z.abbr;
    while (end < chars.length && chars[end] !== 0) end++;
    return {
      name: String.fromCharCode(...chars.slice(z.abbr, end)),
      offset: z.offset,
      isDST: z.isDST,
    };
  });
  let extend = "";
  if (timeSize === 8 && p < data.length && data[p] === 0x0a) {
    const end = data.indexOf(0x0a, p + 1);
    if (end > p) extend = String.fromCharCode(...data.slice(p + 1, end));
  }
  if (zones.length === 0) return undefined;
  const firstZone = (): number => {
    if (!idx.includes(0)) return 0;
    if (idx.length > 0 && zones[idx[0]].isDST) {
      for (let zi = idx[0] - 1; zi >= 0; zi--) if (!zones[zi].isDST) return zi;
    }
    const zi = zones.findIndex((z) => !z.isDST);
    return zi >= 0 ? zi : 0;
  };
  return new GoLocation(name, (sec) => {
    if (when.length === 0 || sec < when[0]) {
      if (when.length === 0 && extend !== "") return tzset(extend, sec) ?? zones[firstZone()];
      return zones[firstZone()];
    }
    let lo = 0;
    let hi = when.length;
    while (hi - lo > 1) {
      const m = (lo + hi) >> 1;
      if (sec < when[m]) hi = m;
      else lo = m;
    }
    if (lo === when.length - 1 && extend !== "") {
      const z = tzset(extend, sec);
      if (z) return z;
    }
    return zones[idx[lo]];
  });
}

/** intlLocation builds a location from the JavaScript runtime's time zone database. */
function intlLocation(name: string): GoLocation | undefined {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      timeZoneName: "short",
    });
  } catch {
    return undefined;
  }
  return new GoLocation(name, (sec) => {
    const parts = fmt.formatToParts(new Date(sec * 1000));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const local =
      daysFromCivil(get("year"), get("month"), get("day")) * SECONDS_PER_DAY +
      get("hour") * 3600 +
      get("minute") * 60 +
      get("second");
    const offset = local - sec;
    const abbr = parts.find((p) => p.type === "timeZoneName")?.value ?? "";
    return { name: abbr, offset, isDST: false };
  });
}

const ZONEINFO_DIRS = ["/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/"];
const locationCache = new Map<string, GoLocation>();

function loadFromSystem(name: string): GoLocation | undefined {
  const dirs = process.env.ZONEINFO
    ? [process.env.ZONEINFO + "/", ...ZONEINFO_DIRS]
    : ZONEINFO_DIRS;
  for (const dir of dirs) {
    try {
      const loc = parseTZif(name, readFileSync(dir + name));
      if (loc) return loc;
    } catch {
      // Try the next directory.
    }
  }
  return undefined;
}

/**
 * loadLocation returns the location with the given IANA name, as time.LoadLocation does:
 * "" and "UTC" give UTC, "Local" the process's local zone. It throws Error("unknown time zone
 * <name>") when there is no such zone and Error("time: invalid location name") for names
 * that try to escape the zoneinfo directory.
 */
export function loadLocation(name: string): GoLocation {
  if (name === "" || name === "UTC") return UTC;
  if (name === "Local") return localLocation();
  if (name.includes("..") || name.startsWith("/") || name.startsWith("\\")) {
    throw new Error("time: invalid location name");
  }
  const cached = locationCache.get(name);
  if (cached) return cached;
  const loc = loadFromSystem(name) ?? intlLocation(name);
  if (!loc) throw new Error(`unknown time zone ${name}`);
  locationCache.set(name, loc);
  return loc;
}

let local: GoLocation | undefined;

/** localLocation returns time.Local: the zone named by $TZ, else /etc/localtime, else UTC. */
export function localLocation(): GoLocation {
  if (local) return local;
  const tz = process.env.TZ;
  let base: GoLocation | undefined;
  if (tz === undefined) {
    try {
      base = parseTZif("Local", readFileSync("/etc/localtime"));
    } catch {
      base = undefined;
    }
    base ??= intlLocation(Intl.DateTimeFormat().resolvedOptions().timeZone);
  } else if (tz !== "" && tz !== "UTC") {
    try {
      base = loadLocation(tz.startsWith(":") ? tz.slice(1) : tz);
    } catch {
      base = undefined;
    }
  }
  const resolved = base ?? UTC;
  local = new GoLocation("Local", (sec) => resolved.lookup(sec));
  return local;
}

// --- Durations and named integers ---

/** GoDuration is a time.Duration: a signed count of nanoseconds. */
export class GoDuration implements IntLike {
  constructor(readonly ns: bigint) {}

  /** fromSeconds converts float seconds into a Duration, truncating like time.Duration(f * 1e9). */
  static fromSeconds(s: number): GoDuration {
    return new GoDuration(floatToInt64(s * 1e9));
  }

  goInt(): bigint {
    return this.ns;
  }

  /** String formats the duration as Go does: "1h2m3.5s", "1.5ms", "0s". */
  String(): string {
    return formatDuration(this.ns);
  }

  Seconds(): number {
    return Number(this.ns / 1000000000n) + Number(this.ns % 1000000000n) / 1e9;
  }

  Minutes(): number {
    return Number(this.ns / 60000000000n) + Number(this.ns % 60000000000n) / 6e10;
  }

  Hours(): number {
    return Number(this.ns / 3600000000000n) + Number(this.ns % 3600000000000n) / 3.6e12;
  }

  Milliseconds(): bigint {
    return this.ns / 1000000n;
  }

  Microseconds(): bigint {
    return this.ns / 1000n;
  }

  Nanoseconds(): bigint {
    return this.ns;
  }

  Abs(): GoDuration {
    return new GoDuration(this.ns < 0n ? -this.ns : this.ns);
  }

  Truncate(m: GoDuration): GoDuration {
    if (m.ns <= 0n) return this;
    return new GoDuration(this.ns - (this.ns % m.ns));
  }

  Round(m: GoDuration): GoDuration {
    if (m.ns <= 0n) return this;
    let r = this.ns % m.ns;
    if (this.ns < 0n) {
      r = -r;
      return new GoDuration(r + r < m.ns ? this.ns + r : this.ns - m.ns + r);
    }
    return new GoDuration(r + r < m.ns ? this.ns - r : this.ns + m.ns - r);
  }

  /** MarshalJSON encodes the duration as its integer nanoseconds, as encoding/json does. */
  MarshalJSON(): string {
    return this.ns.toString();
  }
}
setGoType(GoDuration.prototype, { name: "time.Duration", kind: "int" });

/** DURATION is the parameter type time.Duration. */
export const DURATION: CustomParamType = {
  name: "time.Duration",
  nilable: false,
  accepts: (v) => v instanceof GoDuration,
};
goFunc([DURATION], GoDuration.prototype.Truncate);
goFunc([DURATION], GoDuration.prototype.Round);

function floatToInt64(f: number): bigint {
  if (Number.isNaN(f)) return -0x8000000000000000n;
  if (f >= 2 ** 63) return -0x8000000000000000n;
  if (f < -(2 ** 63)) return -0x8000000000000000n;
  return BigInt(Math.trunc(f));
}

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let s = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) s = digit.toString() + s;
    v /= 10n;
  }
  if (print) s = "." + s;
  return [s, v];
}

/** formatDuration renders nanoseconds as time.Duration.String does. */
export function formatDuration(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1000000000n) {
    let prec: number;
    let unit: string;
    if (u === 0n) return "0s";
    if (u < 1000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1000000n) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [frac, rest] = fmtFrac(u, prec);
    out = rest.toString() + frac + unit;
  } else {
    const [frac, rest] = fmtFrac(u, 9);
    u = rest;
    out = (u % 60n).toString() + frac + "s";
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + "m" + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

/** GoNamedInt is an integer of a named type with a String method, like time.Month. */
export class GoNamedInt implements IntLike {
  constructor(
    readonly value: number,
    private readonly text: string,
  ) {}

  goInt(): bigint {
    return BigInt(this.value);
  }

  String(): string {
    return this.text;
  }
}
setGoType(GoNamedInt.prototype, { kind: "int" });

function month(m: number): GoNamedInt {
  return setGoType(new GoNamedInt(m, LONG_MONTHS[m - 1]), { name: "time.Month", kind: "int" });
}

function weekday(d: number): GoNamedInt {
  return setGoType(new GoNamedInt(d, LONG_DAYS[d]), { name: "time.Weekday", kind: "int" });
}

// --- Time ---

const MONO_START = process.hrtime.bigint();

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  yday: number;
  weekday: number;
  zone: Zone;
}

/** GoTime is a time.Time: an instant with nanosecond precision and a location. */
export class GoTime {
  private fieldsCache?: Fields;

  /**
   * @param unixSec whole seconds since the Unix epoch (may be negative)
   * @param nsec nanoseconds within the second, 0..999999999
   * @param loc the location used for printing and calendar fields
   * @param monoNs a monotonic clock reading, present only on times from now()
   */
  constructor(
    readonly unixSec: number,
    readonly nsec: number,
    readonly loc: GoLocation = UTC,
    readonly monoNs?: bigint,
  ) {}

  /** fromUnixMs returns the UTC time at the given Unix milliseconds. */
  static fromUnixMs(ms: number, loc: GoLocation = UTC): GoTime {
    const sec = Math.floor(ms / 1000);
    return new GoTime(sec, Math.round((ms - sec * 1000) * 1e6), loc);
  }

  /** fromUnixNano returns the UTC time at the given Unix nanoseconds. */
  static fromUnixNano(ns: bigint, loc: GoLocation = UTC): GoTime {
    let sec = ns / 1000000000n;
    let nsec = ns % 1000000000n;
    if (nsec < 0n) {
      nsec += 1000000000n;
      sec -= 1n;
    }
    return new GoTime(Number(sec), Number(nsec), loc);
  }

  /** fromDate converts a JavaScript Date; an invalid Date becomes the zero Time. */
  static fromDate(d: Date): GoTime {
    const ms = d.getTime();
    return Number.isNaN(ms) ? GoTime.zero() : GoTime.fromUnixMs(ms);
  }

  /** zero returns Go's zero Time, 0001-01-01 00:00:00 UTC. */
  static zero(): GoTime {
    return new GoTime(ZERO_UNIX, 0, UTC);
  }

  /** now returns the current local time with a monotonic clock reading, like time.Now. */
  static now(): GoTime {
    const t = GoTime.fromUnixMs(Date.now(), localLocation());
    return new GoTime(t.unixSec, t.nsec, t.loc, process.hrtime.bigint() - MONO_START + 1n);
  }

  /** unixNano returns the instant as nanoseconds since the Unix epoch. */
  unixNano(): bigint {
    return BigInt(this.unixSec) * 1000000000n + BigInt(this.nsec);
  }

  /** toDate converts to a JavaScript Date (millisecond precision). */
  toDate(): Date {
    return new Date(this.unixSec * 1000 + Math.floor(this.nsec / 1e6));
  }

  private fields(): Fields {
    if (this.fieldsCache) return this.fieldsCache;
    const zone = this.loc.lookup(this.unixSec);
    const local = this.unixSec + zone.offset;
    const days = floorDiv(local, SECONDS_PER_DAY);
    const secOfDay = local - days * SECONDS_PER_DAY;
    const [year, m, day] = civilFromDays(days);
    this.fieldsCache = {
      year,
      month: m,
      day,
      hour: Math.floor(secOfDay / 3600),
      min: Math.floor((secOfDay % 3600) / 60),
      sec: secOfDay % 60,
      yday: days - daysFromCivil(year, 1, 1) + 1,
      weekday: mod(days + 4, 7),
      zone,
    };
    return this.fieldsCache;
  }

  /** String formats the time as Go's Time.String does, with the monotonic reading if present. */
  String(): string {
    let s = this.Format("2006-01-02 15:04:05.999999999 -0700 MST");
    if (this.monoNs !== undefined) {
      let m2 = this.monoNs;
      let sign = "+";
      if (m2 < 0n) {
        sign = "-";
        m2 = -m2;
      }
      let m1 = m2 / 1000000000n;
      m2 %= 1000000000n;
      const m0 = m1 / 1000000000n;
      m1 %= 1000000000n;
      let buf = " m=" + sign;
      let wid = 0;
      if (m0 !== 0n) {
        buf += m0.toString();
        wid = 9;
      }
      buf += m1.toString().padStart(wid, "0") + "." + m2.toString().padStart(9, "0");
      s += buf;
    }
    return s;
  }

  /** Format renders the time according to a Go layout such as "2006-01-02T15:04:05Z07:00". */
  Format(layout: string): string {
    return formatTime(this, layout);
  }

  /** calendar returns the calendar fields in the time's location (for formatting). */
  calendar(): Readonly<Fields> {
    return this.fields();
  }

  Year(): bigint {
    return BigInt(this.fields().year);
  }

  Month(): GoNamedInt {
    return month(this.fields().month);
  }

  Day(): bigint {
    return BigInt(this.fields().day);
  }

  Hour(): bigint {
    return BigInt(this.fields().hour);
  }

  Minute(): bigint {
    return BigInt(this.fields().min);
  }

  Second(): bigint {
    return BigInt(this.fields().sec);
  }

  Nanosecond(): bigint {
    return BigInt(this.nsec);
  }

  YearDay(): bigint {
    return BigInt(this.fields().yday);
  }

  Weekday(): GoNamedInt {
    return weekday(this.fields().weekday);
  }

  Unix(): bigint {
    return BigInt(this.unixSec);
  }

  UnixMilli(): bigint {
    return this.unixNano() / 1000000n - (this.unixSec < 0 && this.nsec % 1000000 !== 0 ? 1n : 0n);
  }

  UnixMicro(): bigint {
    return this.unixNano() / 1000n - (this.unixSec < 0 && this.nsec % 1000 !== 0 ? 1n : 0n);
  }

  UnixNano(): bigint {
    return this.unixNano();
  }

  IsZero(): boolean {
    return this.unixSec === ZERO_UNIX && this.nsec === 0;
  }

  Location(): GoLocation {
    return this.loc;
  }

  UTC(): GoTime {
    return new GoTime(this.unixSec, this.nsec, UTC);
  }

  Local(): GoTime {
    return new GoTime(this.unixSec, this.nsec, localLocation());
  }

  In(loc: GoLocation): GoTime {
    return new GoTime(this.unixSec, this.nsec, loc);
  }

  Add(d: GoDuration): GoTime {
    const t = GoTime.fromUnixNano(this.unixNano() + d.ns, this.loc);
    return new GoTime(
      t.unixSec,
      t.nsec,
      this.loc,
      this.monoNs === undefined ? undefined : this.monoNs + d.ns,
    );
  }

  Sub(u: GoTime): GoDuration {
    if (this.monoNs !== undefined && u.monoNs !== undefined)
      return new GoDuration(this.monoNs - u.monoNs);
    return new GoDuration(this.unixNano() - u.unixNano());
  }

  Before(u: GoTime): boolean {
    return this.unixNano() < u.unixNano();
  }

  After(u: GoTime): boolean {
    return this.unixNano() > u.unixNano();
  }

  Equal(u: GoTime): boolean {
    return this.unixNano() === u.unixNano();
  }

  Compare(u: GoTime): bigint {
    const a = this.unixNano();
    const b = u.unixNano();
    return a < b ? -1n : a > b ? 1n : 0n;
  }

  Truncate(d: GoDuration): GoTime {
    if (d.ns <= 0n) return new GoTime(this.unixSec, this.nsec, this.loc);
    const abs = this.unixNano() - BigInt(ZERO_UNIX) * 1000000000n;
    return GoTime.fromUnixNano(this.unixNano() - (abs % d.ns), this.loc);
  }

  Round(d: GoDuration): GoTime {
    if (d.ns <= 0n) return new GoTime(this.unixSec, this.nsec, this.loc);
    const abs = this.unixNano() - BigInt(ZERO_UNIX) * 1000000000n;
    const r = abs % d.ns;
    const ns = r + r < d.ns ? this.unixNano() - r : this.unixNano() + d.ns - r;
    return GoTime.fromUnixNano(ns, this.loc);
  }

  AddDate(years: bigint, months: bigint, days: bigint): GoTime {
    const f = this.fields();
    const secOfDay = f.hour * 3600 + f.min * 60 + f.sec;
    let y = f.year + Number(years);
    let m = f.month + Number(months);
    y += floorDiv(m - 1, 12);
    m = mod(m - 1, 12) + 1;
    const localDays = daysFromCivil(y, m, 1) + f.day - 1 + Number(days);
    const local = localDays * SECONDS_PER_DAY + secOfDay;
    // Resolve the local wall time to an instant the way time.Date does: try the offset in
    // effect at the naive instant, then correct it once.
    let unix = local - f.zone.offset;
    const z = this.loc.lookup(unix);
    unix = local - z.offset;
    return new GoTime(unix, this.nsec, this.loc);
  }

  /** MarshalJSON encodes the time as an RFC 3339 string with nanoseconds, as encoding/json does. */
  MarshalJSON(): string {
    const y = this.fields().year;
    if (y < 0 || y > 9999) throw new Error("Time.MarshalJSON: year outside of range [0,9999]");
    return '"' + this.Format("2006-01-02T15:04:05.999999999Z07:00") + '"';
  }
}
setGoType(GoTime.prototype, { name: "time.Time", kind: "struct" });

/** TIME is the parameter type time.Time; JavaScript Dates are accepted and converted. */
export const TIME: CustomParamType = {
  name: "time.Time",
  nilable: false,
  accepts: (v) => v instanceof GoTime || v instanceof Date,
  convert: (v) => (v instanceof Date ? GoTime.fromDate(v) : v),
};

/** LOCATION is the parameter type *time.Location. */
export const LOCATION: CustomParamType = {
  name: "*time.Location",
  nilable: true,
  accepts: (v) => v instanceof GoLocation,
};

goFunc(["string"], GoTime.prototype.Format);
goFunc([LOCATION], GoTime.prototype.In);
goFunc([DURATION], GoTime.prototype.Add);
goFunc([TIME], GoTime.prototype.Sub);
goFunc([TIME], GoTime.prototype.Before);
goFunc([TIME], GoTime.prototype.After);
goFunc([TIME], GoTime.prototype.Equal);
goFunc([TIME], GoTime.prototype.Compare);
goFunc([DURATION], GoTime.prototype.Truncate);
goFunc([DURATION], GoTime.prototype.Round);
goFunc(["int", "int", "int"], GoTime.prototype.AddDate);
for (const name of [
  "String",
  "Year",
  "Month",
  "Day",
  "Hour",
  "Minute",
  "Second",
  "Nanosecond",
  "YearDay",
  "Weekday",
  "Unix",
  "UnixMilli",
  "UnixMicro",
  "UnixNano",
  "IsZero",
  "Location",
  "UTC",
  "Local",
] as const) {
  goFunc([], GoTime.prototype[name]);
}
for (const name of [
  "String",
  "Seconds",
  "Minutes",
  "Hours",
  "Milliseconds",
  "Microseconds",
  "Nanoseconds",
  "Abs",
] as const) {
  goFunc([], GoDuration.prototype[name]);
}

// --- Layouts (time/format.go) ---

type Std =
  | { kind: "none" }
  | { kind: "text"; code: string }
  | { kind: "frac"; digits: number; trim: boolean; sep: string };

function nextStdChunk(layout: string): [prefix: string, std: Std, suffix: string] {
  const at = (i: number, s: string): boolean => layout.startsWith(s, i);
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const chunk = (code: string, len: number): [string, Std, string] => [
      layout.slice(0, i),
      { kind: "text", code },
      layout.slice(i + len),
    ];
    switch (c) {
      case "J":
        if (at(i, "Jan")) {
          if (at(i, "January")) return chunk("January", 7);
          if (!startsWithLowerCase(layout.slice(i + 3))) return chunk("Jan", 3);
        }
        break;
      case "M":
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return chunk("Monday", 6);
          if (!startsWithLowerCase(layout.slice(i + 3))) return chunk("Mon", 3);
        }
        if (at(i, "MST")) return chunk("MST", 3);
        break;
      case "0":
        if (i + 1 < layout.length && layout[i + 1] >= "1" && layout[i + 1] <= "6")
          return chunk("0" + layout[i + 1], 2);
        if (at(i, "002")) return chunk("002", 3);
        break;
      case "1":
        if (at(i, "15")) return chunk("15", 2);
        return chunk("1", 1);
      case "2":
        if (at(i, "2006")) return chunk("2006", 4);
        return chunk("2", 1);
      case "_":
        if (at(i, "_2")) {
          if (at(i + 1, "2006"))
            return [layout.slice(0, i + 1), { kind: "text", code: "2006" }, layout.slice(i + 5)];
          return chunk("_2", 2);
        }
        if (at(i, "__2")) return chunk("__2", 3);
        break;
      case "3":
      case "4":
      case "5":
        return chunk(c, 1);
      case "P":
        if (at(i, "PM")) return chunk("PM", 2);
        break;
      case "p":
        if (at(i, "pm")) return chunk("pm", 2);
        break;
      case "-":
        for (const code of ["-070000", "-07:00:00", "-0700", "-07:00", "-07"]) {
          if (at(i, code)) return chunk(code, code.length);
        }
        break;
      case "Z":
        for (const code of ["Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"]) {
          if (at(i, code)) return chunk(code, code.length);
        }
        break;
      case ".":
      case ",":
        if (i + 1 < layout.length && (layout[i + 1] === "0" || layout[i + 1] === "9")) {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!(j < layout.length && layout[j] >= "0" && layout[j] <= "9")) {
            return [
              layout.slice(0, i),
              { kind: "frac", digits: j - (i + 1), trim: ch === "9", sep: c },
              layout.slice(j),
            ];
          }
        }
        break;
    }
  }
  return [layout, { kind: "none" }, ""];
}

function startsWithLowerCase(s: string): boolean {
  return s.length > 0 && s[0] >= "a" && s[0] <= "z";
}

function pad(n: number, width: number): string {
  const neg = n < 0;
  const s = String(Math.abs(n)).padStart(width, "0");
  return neg ? "-" + s : s;
}

function formatTime(t: GoTime, layout: string): string {
  const f = t.calendar();
  let out = "";
  let rest = layout;
  for (;;) {
    const [prefix, std, suffix] = nextStdChunk(rest);
    out += prefix;
    if (std.kind === "none") break;
    rest = suffix;
    if (std.kind === "frac") {
      if (std.trim && (std.digits === 0 || t.nsec === 0)) continue;
      let frac = std.sep + String(t.nsec).padStart(9, "0");
      frac = frac.slice(0, 1 + std.digits);
      if (std.trim) {
        frac = frac.replace(/0+$/, "");
        if (frac === std.sep) frac = "";
      }
      out += frac;
      continue;
    }
    const code = std.code;
    switch (code) {
      case "06":
        out += pad(Math.abs(f.year) % 100, 2);
        break;
      case "2006":
        out += pad(f.year, 4);
        break;
      case "Jan":
        out += LONG_MONTHS[f.month - 1].slice(0, 3);
        break;
      case "January":
        out += LONG_MONTHS[f.month - 1];
        break;
      case "1":
        out += String(f.month);
        break;
      case "01":
        out += pad(f.month, 2);
        break;
      case "Mon":
        out += LONG_DAYS[f.weekday].slice(0, 3);
        break;
      case "Monday":
        out += LONG_DAYS[f.weekday];
        break;
      case "2":
        out += String(f.day);
        break;
      case "_2":
        out += (f.day < 10 ? " " : "") + String(f.day);
        break;
      case "02":
        out += pad(f.day, 2);
        break;
      case "__2":
        out += String(f.yday).padStart(3, " ");
        break;
      case "002":
        out += pad(f.yday, 3);
        break;
      case "15":
        out += pad(f.hour, 2);
        break;
      case "3":
        out += String(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case "03":
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case "4":
        out += String(f.min);
        break;
      case "04":
        out += pad(f.min, 2);
        break;
      case "5":
        out += String(f.sec);
        break;
      case "05":
        out += pad(f.sec, 2);
        break;
      case "PM":
        out += f.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += f.hour >= 12 ? "pm" : "am";
        break;
      case "MST": {
        if (f.zone.name !== "") {
          out += f.zone.name;
          break;
        }
        let zone = Math.trunc(f.zone.offset / 60);
        out += zone < 0 ? "-" : "+";
        zone = Math.abs(zone);
        out += pad(Math.trunc(zone / 60), 2) + pad(zone % 60, 2);
        break;
      }
      default: {
        // The numeric and ISO 8601 zone offsets.
        const offset = f.zone.offset;
        if (offset === 0 && code[0] === "Z") {
          out += "Z";
          break;
        }
        let zone = Math.trunc(offset / 60);
        let absoffset = offset;
        if (zone < 0) {
          out += "-";
          zone = -zone;
          absoffset = -absoffset;
        } else {
          out += "+";
        }
        const body = code.slice(1);
        out += pad(Math.trunc(zone / 60), 2);
        if (body.startsWith("07:")) out += ":";
        if (body !== "07") out += pad(zone % 60, 2);
        if (body === "070000" || body === "07:00:00") {
          if (body === "07:00:00") out += ":";
          out += pad(absoffset % 60, 2);
        }
      }
    }
  }
  return out;
}
