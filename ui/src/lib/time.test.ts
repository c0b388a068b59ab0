import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  autoStepMs,
  formatDuration,
  formatRelative,
  parseDuration,
  fromDatetimeLocal,
  isAbsoluteRange,
  parseTimeInput,
  resolveRange,
  resolveRangeSpec,
  toAbsolute,
  toUrlTime,
} from "./time.ts";

describe("durations", () => {
  it("parses Prometheus durations and plain seconds", () => {
    const cases: [string, number | undefined][] = [
      ["5m", 300_000],
      ["1h30m", 5_400_000],
      ["7d", 604_800_000],
      ["1w", 604_800_000],
      ["500ms", 500],
      ["1y", 365 * 86_400_000],
      ["30", 30_000],
      ["1.5", 1500],
      ["", undefined],
      ["5 m", undefined],
      ["m5", undefined],
      ["1h-", undefined],
      ["10x", undefined],
    ];
    for (const [input, want] of cases) assert.equal(parseDuration(input), want, input);
  });

  it("formats durations back", () => {
    const cases: [number, string][] = [
      [0, "0s"],
      [500, "500ms"],
      [300_000, "5m"],
      [5_400_000, "1h30m"],
      [604_800_000, "1w"],
      [90_061_000, "1d1h1m1s"],
    ];
    for (const [input, want] of cases) assert.equal(formatDuration(input), want, String(input));
  });
});

describe("time inputs", () => {
  const now = Date.parse("2025-01-02T03:04:05Z");
  it("reads now, relative, RFC 3339 and Unix seconds", () => {
    assert.equal(parseTimeInput("", now), now);
    assert.equal(parseTimeInput("now", now), now);
    assert.equal(parseTimeInput("now-1h", now), now - 3_600_000);
    assert.equal(parseTimeInput("now + 5m", now), now + 300_000);
    assert.equal(parseTimeInput("2025-01-01T00:00:00Z", now), Date.parse("2025-01-01T00:00:00Z"));
    assert.equal(
      parseTimeInput("2025-01-01T00:00:00+01:00", now),
      Date.parse("2024-12-31T23:00:00Z"),
    );
    assert.equal(parseTimeInput("1735787045.5", now), 1735787045500);
    assert.equal(
      parseTimeInput("2025-01-01T10:30", now),
      new Date(2025, 0, 1, 10, 30).getTime(),
      "datetime-local is local time",
    );
    assert.equal(parseTimeInput("yesterday", now), undefined);
    assert.equal(parseTimeInput("now-xyz", now), undefined);
  });

  it("resolves a range ending now or at an absolute time", () => {
    assert.deepEqual(resolveRange("1h", "", now), { startMs: now - 3_600_000, endMs: now });
    const end = Date.parse("2025-01-01T00:00:00Z");
    assert.deepEqual(resolveRange("5m", "2025-01-01T00:00:00Z", now), {
      startMs: end - 300_000,
      endMs: end,
    });
    assert.throws(() => resolveRange("0s", "", now), /invalid range/);
    assert.throws(() => resolveRange("1h", "soon", now), /invalid end time/);
  });

  it("resolves absolute ranges and rejects an empty or reversed one", () => {
    const spec = { range: "1h", start: "2025-01-01T00:00:00Z", end: "2025-01-01T06:00:00Z" };
    assert.ok(isAbsoluteRange(spec));
    assert.ok(!isAbsoluteRange({ range: "1h", end: "" }));
    assert.deepEqual(resolveRangeSpec(spec, now), {
      startMs: Date.parse("2025-01-01T00:00:00Z"),
      endMs: Date.parse("2025-01-01T06:00:00Z"),
    });
    // An absolute start with an empty end runs to now; relative inputs work too.
    assert.deepEqual(resolveRangeSpec({ range: "1h", start: "now-2h", end: "" }, now), {
      startMs: now - 7_200_000,
      endMs: now,
    });
    // Without start, the range is relative.
    assert.deepEqual(resolveRangeSpec({ range: "1h", start: "", end: "" }, now), {
      startMs: now - 3_600_000,
      endMs: now,
    });
    assert.throws(
      () => resolveRangeSpec({ ...spec, end: "2024-12-31T00:00:00Z" }, now),
      /must be before its end/,
    );
    assert.throws(() => resolveRangeSpec({ ...spec, start: "later" }, now), /invalid start/);
  });

  it("converts between relative and absolute ranges for the URL", () => {
    assert.equal(toUrlTime(Date.parse("2025-01-02T03:04:05Z")), "2025-01-02T03:04:05Z");
    assert.equal(toUrlTime(Date.parse("2025-01-02T03:04:05.25Z")), "2025-01-02T03:04:05.250Z");
    assert.deepEqual(toAbsolute({ range: "6h", end: "" }, now), {
      start: "2025-01-01T21:04:05Z",
      end: "2025-01-02T03:04:05Z",
    });
    // datetime-local values are local time; the URL gets UTC.
    assert.equal(
      fromDatetimeLocal("2025-01-01T10:30"),
      toUrlTime(new Date(2025, 0, 1, 10, 30).getTime()),
    );
    assert.equal(fromDatetimeLocal(""), "");
  });

  it("picks round steps of about 250 points", () => {
    assert.equal(autoStepMs(300_000), 2000); // 5m / 250 = 1.2s → 2s
    assert.equal(autoStepMs(3_600_000), 15_000); // 14.4s → 15s
    assert.equal(autoStepMs(86_400_000), 600_000); // 345.6s → 10m
    assert.equal(autoStepMs(604_800_000), 3_600_000); // 40.3m → 1h
    assert.equal(autoStepMs(1000), 1000);
  });

  it("formats relative times", () => {
    assert.equal(formatRelative(now - 200, now), "just now");
    assert.equal(formatRelative(now - 3_200, now), "3.2s ago");
    assert.equal(formatRelative(now - 42_000, now), "42s ago");
    assert.equal(formatRelative(now - 300_000, now), "5m ago");
    assert.equal(formatRelative(now + 300_000, now), "in 5m");
    assert.equal(formatRelative(now - 3_900_000, now), "1h5m ago");
    assert.equal(formatRelative(now - 90_000_000, now), "1d1h ago");
  });
});
