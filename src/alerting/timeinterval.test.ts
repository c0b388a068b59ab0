import assert from "node:assert/strict";
import { test } from "node:test";
import type { TimeInterval } from "./timeinterval.ts";
import {
  Intervener,
  containsTime,
  parseDayOfMonthRange,
  parseMonthRange,
  parseTimeRange,
  parseWeekdayRange,
} from "./timeinterval.ts";

const t = (iso: string): number => Date.parse(iso);

// Cases in the manner of timeinterval_test.go: interval, instant, inside?
const cases: { ti: TimeInterval; at: string; in: boolean }[] = [
  { ti: { times: [parseTimeRange("09:00", "17:00")] }, at: "2024-03-04T09:00:00Z", in: true },
  { ti: { times: [parseTimeRange("09:00", "17:00")] }, at: "2024-03-04T17:00:00Z", in: false },
  { ti: { times: [parseTimeRange("00:00", "24:00")] }, at: "2024-03-04T23:59:59Z", in: true },
  { ti: { weekdays: [parseWeekdayRange("monday:friday")] }, at: "2024-03-04T12:00:00Z", in: true },
  { ti: { weekdays: [parseWeekdayRange("saturday")] }, at: "2024-03-04T12:00:00Z", in: false },
  { ti: { daysOfMonth: [parseDayOfMonthRange("-1")] }, at: "2024-02-29T12:00:00Z", in: true },
  { ti: { daysOfMonth: [parseDayOfMonthRange("-1")] }, at: "2024-02-28T12:00:00Z", in: false },
  { ti: { daysOfMonth: [parseDayOfMonthRange("1:5")] }, at: "2024-02-05T23:00:00Z", in: true },
  { ti: { months: [parseMonthRange("december:december")] }, at: "2024-12-31T00:00:00Z", in: true },
  { ti: { months: [parseMonthRange("1:3")] }, at: "2024-04-01T00:00:00Z", in: false },
  { ti: { years: [{ begin: 2024, end: 2025 }] }, at: "2026-01-01T00:00:00Z", in: false },
  // Time zones: 08:30 UTC is 09:30 in Paris (winter) and 17:30 in Tokyo.
  {
    ti: { times: [parseTimeRange("09:00", "17:00")], location: "Europe/Paris" },
    at: "2024-01-15T08:30:00Z",
    in: true,
  },
  {
    ti: { times: [parseTimeRange("09:00", "17:00")], location: "Asia/Tokyo" },
    at: "2024-01-15T08:30:00Z",
    in: false,
  },
  // Weekday in the zone, not in UTC: Monday 23:30 UTC is Tuesday in Tokyo.
  {
    ti: { weekdays: [parseWeekdayRange("tuesday")], location: "Asia/Tokyo" },
    at: "2024-01-15T23:30:00Z",
    in: true,
  },
  // Summer time: 07:30 UTC is 09:30 in Paris in July.
  {
    ti: { times: [parseTimeRange("09:00", "10:00")], location: "Europe/Paris" },
    at: "2024-07-15T07:30:00Z",
    in: true,
  },
];

void test("time intervals contain instants as Alertmanager's ContainsTime", () => {
  for (const c of cases)
    assert.equal(containsTime(c.ti, t(c.at)), c.in, `${JSON.stringify(c.ti)} @ ${c.at}`);
});

void test("range parsing errors", () => {
  assert.throws(() => parseWeekdayRange("friday:monday"), /start day cannot be before end day/);
  assert.throws(() => parseDayOfMonthRange("0"), /not a valid day of the month/);
  assert.throws(() => parseDayOfMonthRange("-3:5"), /end day must be negative/);
  assert.throws(
    () => parseMonthRange("march:january"),
    /end month january is before start month march/,
  );
  assert.throws(() => parseTimeRange("9:00", "10:00"), /couldn't parse timestamp 9:00/);
});

void test("Intervener names the intervals that contain an instant", () => {
  const iv = new Intervener(
    new Map([
      ["weekend", [{ weekdays: [parseWeekdayRange("saturday"), parseWeekdayRange("sunday")] }]],
      ["nights", [{ times: [parseTimeRange("00:00", "06:00")] }]],
    ]),
  );
  assert.deepEqual(iv.mutes(["weekend", "nights"], t("2024-03-09T03:00:00Z")), {
    muted: true,
    names: ["weekend", "nights"],
  });
  assert.deepEqual(iv.mutes(["weekend"], t("2024-03-04T03:00:00Z")), { muted: false, names: [] });
  assert.throws(() => iv.mutes(["nope"], 0), /doesn't exist/);
});
