// Calendar fields of a Unix time in UTC, as Go's time package computes them (time.Unix(sec,
// 0).UTC() followed by Year(), Month(), Day(), YearDay(), Weekday(), Hour(), Minute(); Go 1.23+
// "absolute time" arithmetic in time/time.go). Within the range of a JavaScript Date both agree
// on the proleptic Gregorian calendar; beyond it (which PromQL reaches with huge values, or with
// NaN and ±Inf, which Go converts to int64 -2^63 on amd64) we reproduce Go's wrapping uint64
// arithmetic so that the results match Prometheus.

/** CalendarFields are the parts of a UTC time the PromQL date functions return. */
export interface CalendarFields {
  year: number;
  /** month is 1..12. */
  month: number;
  /** day is the day of the month, 1..31. */
  day: number;
  /** yearDay is 1..366. */
  yearDay: number;
  /** weekday is 0 (Sunday) .. 6. */
  weekday: number;
  hour: number;
  minute: number;
}

/** JS_DATE_MAX_SEC bounds the seconds a JavaScript Date can represent (±8.64e15 ms). */
const JS_DATE_MAX_SEC = 8.64e12;

const CUMULATIVE_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** isLeapYear applies the Gregorian leap-year rule. */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * calendarFromUnix returns the UTC calendar fields of Unix time sec (whole seconds, an int64
 * value as a bigint).
 */
export function calendarFromUnix(sec: bigint): CalendarFields {
  if (sec >= -JS_DATE_MAX_SEC && sec <= JS_DATE_MAX_SEC) return fromJsDate(Number(sec));
  return absoluteCalendar(sec);
}

function fromJsDate(sec: number): CalendarFields {
  const d = new Date(sec * 1000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const yearDay = CUMULATIVE_DAYS[month - 1]! + day + (month > 2 && isLeapYear(year) ? 1 : 0);
  return {
    year,
    month,
    day,
    yearDay,
    weekday: d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

const U64 = 64;
const ABSOLUTE_YEARS = 292277022400n;
const MARCH_THRU_DECEMBER = 306;
const SECONDS_PER_DAY = 86400n;
// absoluteToInternal = -(absoluteYears*365.2425 + marchThruDecember) * secondsPerDay; the
// product with 365.2425 is an integer because absoluteYears is a multiple of 400.
const ABSOLUTE_TO_INTERNAL =
  -((ABSOLUTE_YEARS * 3652425n) / 10000n + BigInt(MARCH_THRU_DECEMBER)) * SECONDS_PER_DAY;
const UNIX_TO_INTERNAL = 62135596800n;
const UNIX_TO_ABSOLUTE = UNIX_TO_INTERNAL - ABSOLUTE_TO_INTERNAL;

interface Split {
  century: bigint;
  cyear: number;
  ayday: number;
}

function splitDays(days: bigint): Split {
  const d = BigInt.asUintN(U64, 4n * days + 3n);
  const century = d / 146097n;
  const cd = Number(d % 146097n) | 3;
  const p = 2939745 * cd; // < 2^53, so exact
  const hi = Math.floor(p / 2 ** 32);
  const lo = p % 2 ** 32;
  return { century, cyear: hi, ayday: Math.floor(Math.floor(lo / 2939745) / 4) };
}

function splitYearDay(ayday: number): { amonth: number; mday: number } {
  const d = (2141 * ayday + 197913) >>> 0;
  return { amonth: d >>> 16, mday: 1 + Math.floor((d & 0xffff) / 2141) };
}

/**
 * absoluteCalendar computes the fields with Go's absolute-time arithmetic for any int64 second;
 * calendarFromUnix uses it beyond the range of a JavaScript Date (exported for tests).
 */
export function absoluteCalendar(sec: bigint): CalendarFields {
  const abs = BigInt.asUintN(U64, sec + UNIX_TO_ABSOLUTE);
  const days = abs / SECONDS_PER_DAY;
  const { century, cyear, ayday } = splitDays(days);
  const { amonth, mday } = splitYearDay(ayday);
  const janFeb = ayday >= MARCH_THRU_DECEMBER ? 1 : 0;
  const year = Number(BigInt.asIntN(U64, century * 100n - ABSOLUTE_YEARS)) + cyear + janFeb;
  const leap = cyear % 4 === 0 && (cyear !== 0 || century % 4n === 0n) ? 1 : 0;
  return {
    year,
    month: amonth - janFeb * 12,
    day: mday,
    yearDay: ayday + (1 + 31 + 28) + (leap & ~janFeb) - 365 * janFeb,
    weekday: Number((days + 3n) % 7n),
    hour: Math.floor(Number(abs % SECONDS_PER_DAY) / 3600),
    minute: Math.floor(Number(abs % 3600n) / 60),
  };
}

/**
 * daysInMonth is Go's `32 - time.Date(year, month, 32, 0, 0, 0, 0, time.UTC).Day()`, which for
 * every year a calendar can reasonably hold is the length of the month.
 */
export function daysInMonth(year: number, month: number): number {
  if (Math.abs(year) <= 1e9) {
    if (month === 2) return isLeapYear(year) ? 29 : 28;
    return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  }
  // Reproduce Go's wrapping arithmetic for absurd years.
  let amonth = month;
  const janFeb = amonth < 3 ? 1 : 0;
  amonth += 12 * janFeb;
  const y = BigInt.asUintN(U64, BigInt(year) - BigInt(janFeb) + ABSOLUTE_YEARS);
  const ayday = (979 * amonth - 2919) >> 5;
  const century = y / 100n;
  const cyear = Number(y % 100n);
  const cday = Math.floor((1461 * cyear) / 4);
  const centuryDays = BigInt.asUintN(U64, 146097n * century) / 4n;
  const d = BigInt.asUintN(U64, centuryDays + BigInt(cday + ayday + 32 - 1));
  const abs = BigInt.asUintN(U64, d * SECONDS_PER_DAY);
  const { ayday: ay } = splitDays(abs / SECONDS_PER_DAY);
  return 32 - splitYearDay(ay).mday;
}
