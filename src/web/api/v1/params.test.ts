import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MAX_TIME_FORMATTED,
  MAX_TIME_MS,
  MIN_TIME_FORMATTED,
  MIN_TIME_MS,
  parseDuration,
  parseGoFloat,
  parseLimit,
  parseTime,
} from "./params.ts";

describe("parseTime", () => {
  for (const [input, want] of [
    ["0", 0],
    ["1700000000", 1_700_000_000_000],
    ["1700000000.123", 1_700_000_000_123],
    ["1700000000.1234", 1_700_000_000_123],
    ["1700000000.9999", 1_700_000_001_000],
    ["0.0005", 1],
    ["1.0005", 1000], // the fraction is 0.000499999…, as in Go
    ["-1.5", -1500],
    ["-0.0005", -1],
    ["+12", 12_000],
    [".5", 500],
    ["1e3", 1_000_000],
    ["2023-11-14T22:13:20Z", 1_700_000_000_000],
    ["2023-11-14T22:13:20.5Z", 1_700_000_000_500],
    ["2023-11-14T22:13:20.123456789Z", 1_700_000_000_123],
    ["2023-11-14T23:13:20+01:00", 1_700_000_000_000],
    ["2023-11-14T20:43:20.25-01:30", 1_700_000_000_250],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["0001-01-01T00:00:00Z", -62_135_596_800_000],
    [MIN_TIME_FORMATTED, MIN_TIME_MS],
    [MAX_TIME_FORMATTED, MAX_TIME_MS],
  ] as const) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.equal(parseTime(input), want);
    });
  }

  for (const input of [
    "",
    "abc",
    "1e400",
    "0x10",
    " 1",
    "2023-02-29T00:00:00Z",
    "2023-11-14T24:00:00Z",
    "2023-11-14T22:13:60Z",
    "2023-11-14 22:13:20Z",
    "2023-11-14T22:13:20",
    "2023-11-14T22:13:20+0100",
    "20231-11-14T22:13:20Z",
  ]) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseTime(input), {
        message: `cannot parse ${JSON.stringify(input)} to a valid timestamp`,
      });
    });
  }

  it("places MinTime and MaxTime where upstream does", () => {
    assert.equal(MIN_TIME_MS, -9223309901257974000);
    assert.equal(MAX_TIME_MS, 9223309901257975000);
  });
});

describe("parseDuration", () => {
  for (const [input, want] of [
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["0", 0],
    ["15", 15_000],
    ["1.5", 1500],
    ["0.0005", 0.5],
    ["-1", -1000],
    ["1e3", 1_000_000],
  ] as const) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.equal(parseDuration(input), want);
    });
  }

  for (const [input, message] of [
    ["", 'cannot parse "" to a valid duration'],
    ["abc", 'cannot parse "abc" to a valid duration'],
    ["5 m", 'cannot parse "5 m" to a valid duration'],
    ["1.5m", 'cannot parse "1.5m" to a valid duration'],
    ["1e10", 'cannot parse "1e10" to a valid duration. It overflows int64'],
    ["inf", 'cannot parse "inf" to a valid duration. It overflows int64'],
  ] as const) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseDuration(input), { message });
    });
  }
});

describe("parseLimit and parseGoFloat", () => {
  it("parses limits like parseLimitParam", () => {
    assert.equal(parseLimit(""), 0);
    assert.equal(parseLimit("10"), 10);
    assert.equal(parseLimit("+3"), 3);
    assert.throws(() => parseLimit("-1"), { message: "limit must be non-negative" });
    assert.throws(() => parseLimit("1.5"), {
      message: 'strconv.Atoi: parsing "1.5": invalid syntax',
    });
    assert.throws(() => parseLimit("99999999999999999999"), {
      message: 'strconv.Atoi: parsing "99999999999999999999": value out of range',
    });
  });

  it("accepts Go's float syntax and specials", () => {
    assert.equal(parseGoFloat("1E-3"), 0.001);
    assert.equal(parseGoFloat("5."), 5);
    assert.equal(parseGoFloat("-Infinity"), -Infinity);
    assert.ok(Number.isNaN(parseGoFloat("NaN")));
    assert.equal(parseGoFloat("+nan"), undefined);
    assert.equal(parseGoFloat("1e"), undefined);
    assert.equal(parseGoFloat(""), undefined);
  });
});
