// Cases from Go's time/format_test.go and time/time_test.go for layouts, Time.String and
// Duration.String, and checks of zone lookups against the system tzdata.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GoDuration, GoTime, UTC, fixedZone, formatDuration, loadLocation } from "./time.ts";

describe("Time.Format (format_test.go)", () => {
  // Unix(0, 1233810057012345600) in PST: Wed Feb 4 21:00:57.0123456 2009.
  const t = GoTime.fromUnixNano(1233810057012345600n, fixedZone("PST", -8 * 3600));
  const cases: [string, string, string][] = [
    ["ANSIC", "Mon Jan _2 15:04:05 2006", "Wed Feb  4 21:00:57 2009"],
    ["UnixDate", "Mon Jan _2 15:04:05 MST 2006", "Wed Feb  4 21:00:57 PST 2009"],
    ["RubyDate", "Mon Jan 02 15:04:05 -0700 2006", "Wed Feb 04 21:00:57 -0800 2009"],
    ["RFC822", "02 Jan 06 15:04 MST", "04 Feb 09 21:00 PST"],
    ["RFC850", "Monday, 02-Jan-06 15:04:05 MST", "Wednesday, 04-Feb-09 21:00:57 PST"],
    ["RFC1123", "Mon, 02 Jan 2006 15:04:05 MST", "Wed, 04 Feb 2009 21:00:57 PST"],
    ["RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700", "Wed, 04 Feb 2009 21:00:57 -0800"],
    ["RFC3339", "2006-01-02T15:04:05Z07:00", "2009-02-04T21:00:57-08:00"],
    ["RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00", "2009-02-04T21:00:57.0123456-08:00"],
    ["Kitchen", "3:04PM", "9:00PM"],
    ["am/pm", "3pm", "9pm"],
    ["AM/PM", "3PM", "9PM"],
    ["two-digit year", "06 01 02", "09 02 04"],
    ["Janet", "Hi Janet, the Month is January", "Hi Janet, the Month is February"],
    ["Stamp", "Jan _2 15:04:05", "Feb  4 21:00:57"],
    ["StampMilli", "Jan _2 15:04:05.000", "Feb  4 21:00:57.012"],
    ["StampMicro", "Jan _2 15:04:05.000000", "Feb  4 21:00:57.012345"],
    ["StampNano", "Jan _2 15:04:05.000000000", "Feb  4 21:00:57.012345600"],
    ["DateTime", "2006-01-02 15:04:05", "2009-02-04 21:00:57"],
    ["DateOnly", "2006-01-02", "2009-02-04"],
    ["TimeOnly", "15:04:05", "21:00:57"],
    ["YearDay", "Jan  2 002 __2 2", "Feb  4 035  35 4"],
    ["Year", "2006 6 06 _6 __6 ___6", "2009 6 09 _6 __6 ___6"],
    ["Month", "Jan January 1 01 _1", "Feb February 2 02 _2"],
    ["DayOfMonth", "2 02 _2 __2", "4 04  4  35"],
    ["DayOfWeek", "Mon Monday", "Wed Wednesday"],
    ["Hour", "15 3 03 _3", "21 9 09 _9"],
    ["Minute", "4 04 _4", "0 00 _0"],
    ["Second", "5 05 _5", "57 57 _57"],
    ["comma fraction", "15:04:05,000", "21:00:57,012"],
    ["trimmed fraction", "05.999", "57.012"],
    ["numeric zones", "-07 -07:00:00 -070000 Z07 Z0700", "-08 -08:00:00 -080000 -08 -0800"],
  ];
  for (const [name, layout, want] of cases) {
    it(name, () => assert.equal(t.Format(layout), want));
  }

  it("uses Z for UTC in ISO 8601 layouts and prints the zone name", () => {
    const u = GoTime.fromUnixMs(Date.UTC(2024, 1, 29, 23, 59, 59));
    assert.equal(u.Format("2006-01-02T15:04:05Z07:00 MST -0700"), "2024-02-29T23:59:59Z UTC +0000");
  });
});

describe("Time.String", () => {
  it("prints Go's default layout", () => {
    assert.equal(GoTime.zero().String(), "0001-01-01 00:00:00 +0000 UTC");
    assert.equal(GoTime.fromUnixMs(1435065584128).String(), "2015-06-23 13:19:44.128 +0000 UTC");
    assert.equal(GoTime.fromUnixNano(-1n).String(), "1969-12-31 23:59:59.999999999 +0000 UTC");
    assert.equal(
      GoTime.fromUnixMs(0, fixedZone("", 5400)).String(),
      "1970-01-01 01:30:00 +0130 +0130",
    );
  });

  it("appends the monotonic clock reading of now()", () => {
    assert.match(GoTime.now().String(), / m=\+\d+\.\d{9}$/);
    assert.doesNotMatch(GoTime.now().UTC().String(), / m=/);
  });

  it("computes calendar fields and arithmetic", () => {
    const t = GoTime.fromUnixMs(Date.UTC(2024, 1, 29, 12, 0, 0));
    assert.equal(t.Weekday().String(), "Thursday");
    assert.equal(t.Month().String(), "February");
    assert.equal(t.YearDay(), 60n);
    assert.equal(t.AddDate(0n, 0n, 1n).Format("2006-01-02"), "2024-03-01");
    assert.equal(t.AddDate(1n, 0n, 0n).Format("2006-01-02"), "2025-03-01");
    assert.equal(t.Add(new GoDuration(-3600000000000n)).Format("15:04"), "11:00");
    assert.equal(t.Sub(GoTime.fromUnixMs(Date.UTC(2024, 1, 29))).String(), "12h0m0s");
    assert.equal(
      t.Truncate(new GoDuration(86400000000000n)).Format(time3339),
      "2024-02-29T00:00:00Z",
    );
    assert.equal(t.UnixMilli(), BigInt(Date.UTC(2024, 1, 29, 12)));
    assert.equal(t.MarshalJSON(), '"2024-02-29T12:00:00Z"');
  });
});

const time3339 = "2006-01-02T15:04:05Z07:00";

describe("Duration.String (time_test.go)", () => {
  const cases: [string, bigint][] = [
    ["0s", 0n],
    ["1ns", 1n],
    ["1.1µs", 1100n],
    ["2.2ms", 2200000n],
    ["3.3s", 3300000000n],
    ["4m5s", 245000000000n],
    ["4m5.001s", 245001000000n],
    ["5h6m7.001s", 18367001000000n],
    ["8m0.000000001s", 480000000001n],
    ["2562047h47m16.854775807s", 9223372036854775807n],
    ["-2562047h47m16.854775808s", -9223372036854775808n],
  ];
  for (const [want, ns] of cases) it(want, () => assert.equal(formatDuration(ns), want));

  it("converts from seconds like time.Duration(f * 1e9)", () => {
    assert.equal(GoDuration.fromSeconds(1.5).String(), "1.5s");
    assert.equal(GoDuration.fromSeconds(90).Minutes(), 1.5);
  });
});

describe("locations", () => {
  it("loads zones from tzdata with abbreviations", () => {
    const paris = loadLocation("Europe/Paris");
    const winter = GoTime.fromUnixMs(Date.UTC(2024, 0, 1, 8, 15, 30), paris);
    const summer = GoTime.fromUnixMs(Date.UTC(2024, 6, 1, 8, 15, 30), paris);
    assert.equal(winter.String(), "2024-01-01 09:15:30 +0100 CET");
    assert.equal(summer.String(), "2024-07-01 10:15:30 +0200 CEST");
    assert.equal(paris.String(), "Europe/Paris");
  });

  it("handles DST transitions", () => {
    const ny = loadLocation("America/New_York");
    // 2024-03-10 06:59:59Z is 01:59:59 EST; one second later it is 03:00:00 EDT.
    assert.equal(
      GoTime.fromUnixMs(Date.UTC(2024, 2, 10, 6, 59, 59), ny).Format("15:04:05 MST"),
      "01:59:59 EST",
    );
    assert.equal(
      GoTime.fromUnixMs(Date.UTC(2024, 2, 10, 7, 0, 0), ny).Format("15:04:05 MST"),
      "03:00:00 EDT",
    );
  });

  it("returns UTC for empty and UTC names and rejects unknown ones", () => {
    assert.equal(loadLocation(""), UTC);
    assert.equal(loadLocation("UTC"), UTC);
    assert.throws(() => loadLocation("Invalid/Timezone"), {
      message: "unknown time zone Invalid/Timezone",
    });
    assert.throws(() => loadLocation("../etc/passwd"), { message: "time: invalid location name" });
  });
});
