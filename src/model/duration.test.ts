import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, MAX_DURATION_MS, parseDuration } from "./duration.ts";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const W = 7 * D;
const Y = 365 * D;

// Cases follow TestParseDuration in prometheus/common model/time_test.go: `out` is the canonical
// formatting when it differs from the input.
const parseCases: { in: string; ms: number; out?: string }[] = [
  { in: "0", ms: 0, out: "0s" },
  { in: "0s", ms: 0 },
  { in: "0w", ms: 0, out: "0s" },
  { in: "324ms", ms: 324 },
  { in: "3s", ms: 3 * S },
  { in: "5m", ms: 5 * M },
  { in: "1h", ms: H },
  { in: "4d", ms: 4 * D },
  { in: "4d1h", ms: 4 * D + H },
  { in: "14d", ms: 14 * D, out: "2w" },
  { in: "3w", ms: 3 * W },
  { in: "3w2d1h", ms: 3 * W + 2 * D + H, out: "23d1h" },
  { in: "10y", ms: 10 * Y },
  { in: "1y1w1d1h1m1s1ms", ms: Y + W + D + H + M + S + 1, out: "373d1h1m1s1ms" },
  { in: "1h30m", ms: H + 30 * M },
  { in: "90s", ms: 90 * S, out: "1m30s" },
  { in: "60d", ms: 60 * D },
  { in: "500ms", ms: 500 },
  { in: "007s", ms: 7 * S, out: "7s" },
  { in: "292y", ms: 292 * Y },
];

void test("parseDuration accepts Prometheus durations", () => {
  for (const c of parseCases) {
    assert.equal(parseDuration(c.in), c.ms, c.in);
    assert.equal(formatDuration(c.ms), c.out ?? c.in, c.in);
  }
});

void test("parseDuration rejects malformed durations", () => {
  const bad = [
    "",
    " ",
    "1",
    "01",
    "1.5h",
    "-1s",
    "+1s",
    "1h 30m",
    " 1h",
    "1h ",
    "h",
    "1H",
    "1sec",
    "1ns",
    "1us",
    "30m1h", // units out of order
    "1h1h", // unit repeated
    "1ms1s",
    "1s1ms1s",
    "6O d",
    "293y", // beyond Go's time.Duration, like Prometheus
    "99999999999999999999s",
  ];
  for (const s of bad) {
    assert.throws(() => parseDuration(s), { message: `invalid duration ${JSON.stringify(s)}` }, s);
  }
});

void test("parseDuration accepts exactly up to MAX_DURATION_MS", () => {
  assert.equal(parseDuration(`${MAX_DURATION_MS}ms`), MAX_DURATION_MS);
  assert.throws(() => parseDuration(`${MAX_DURATION_MS + 1}ms`), /invalid duration/);
  assert.equal(parseDuration(formatDuration(MAX_DURATION_MS)), MAX_DURATION_MS);
});

void test("formatDuration matches Prometheus's Duration.String", () => {
  const cases: { ms: number; out: string }[] = [
    { ms: 0, out: "0s" },
    { ms: 1, out: "1ms" },
    { ms: 90_000, out: "1m30s" },
    { ms: 2 * D, out: "2d" },
    { ms: W, out: "1w" },
    { ms: 90 * D, out: "90d" }, // not 12w6d: weeks only when exact
    { ms: Y, out: "1y" },
    { ms: Y + D, out: "366d" },
    { ms: 2 * Y, out: "2y" },
    { ms: 1.9, out: "1ms" },
    { ms: 0.5, out: "0s" },
    { ms: -90_000, out: "-1m30s" },
  ];
  for (const c of cases) assert.equal(formatDuration(c.ms), c.out, String(c.ms));
  assert.throws(() => formatDuration(Number.NaN), RangeError);
  assert.throws(() => formatDuration(Number.POSITIVE_INFINITY), RangeError);
});
