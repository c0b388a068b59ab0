import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  LevelDetector,
  StreamRateLimiters,
  TokenBucket,
  DEFAULT_LOG_LEVEL_FIELDS,
  discoverServiceName,
  formatGoTime,
  formatRFC3339,
  normalizeMetadataName,
} from "./index.ts";

describe("normalizeMetadataName", () => {
  const cases: [string, string][] = [
    ["trace_id", "trace_id"],
    ["user.id", "user_id"],
    ["http.request..method", "http_request_method"],
    ["a__b", "a_b"],
    ["1st", "key_1st"],
    ["__meta__", "__meta__"],
    ["_x", "_x"],
    ["ünï", "_n_"],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(normalizeMetadataName(input), want));
  }
  it("refuses empty and underscore-only results", () => {
    assert.throws(() => normalizeMetadataName(""), { message: "label name is empty" });
    assert.throws(() => normalizeMetadataName("..."), /resulted in invalid name "_"/);
  });
});

describe("LevelDetector", () => {
  const d = new LevelDetector(DEFAULT_LOG_LEVEL_FIELDS, 2);
  const cases: {
    labels?: [string, string][];
    md?: [string, string][];
    line: string;
    want: string | undefined;
  }[] = [
    { labels: [["level", "WARNING"]], line: "x", want: "warn" },
    { md: [["severity", "Err"]], line: "x", want: "error" },
    { md: [["severity_number", "10"]], line: "x", want: "info" },
    { md: [["severity_number", "0"]], line: "x", want: "unknown" },
    { md: [["detected_level", "DBG"]], line: "x", want: undefined },
    { line: '{"level":"debug","msg":"x"}', want: "debug" },
    { line: '{"a":{"lvl":"fatal"}}', want: "fatal" },
    { line: '{"a":{"b":{"level":"dbg"}}}', want: "unknown" },
    // Document order, strings only, arrays not entered, escapes decoded.
    { line: '{"msg":"a \\"level\\": x","n":1.5e3,"ok":true,"level":"warn"}', want: "warn" },
    { line: '{"a":[{"level":"debug"}],"b":{"c":null},"lvl":"info"}', want: "info" },
    { line: '{"level":7,"severity":"\\u0065rror"}', want: "error" },
    { line: ' { "level" : "trace" } ', want: "trace" },
    { line: '{"level":"fatal" "x":1}', want: "fatal" }, // found before the bad part
    { line: '{"x" 1,"level":"dbg"}', want: "unknown" },
    { line: "ts=1 level=error msg=x", want: "error" },
    { line: 'msg="an info" LEVEL=trc', want: "trace" },
    { line: "[WARN] disk almost full", want: "warn" },
    { line: "misc:error nothing here", want: "unknown" },
    { line: "request failed: error: timeout, info follows", want: "error" },
    { line: "all good", want: "unknown" },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.labels ?? c.md ?? [])} ${c.line} → ${c.want}`, () => {
      const md = (c.md ?? []).map(([name, value]) => ({ name, value }));
      const labels = (c.labels ?? []).map(([name, value]) => ({ name, value }));
      const b = Buffer.from(c.line);
      assert.equal(d.detect(labels, md, b, 0, b.length), c.want);
    });
  }
  it("normalizes an existing detected_level in place", () => {
    const md = [{ name: "detected_level", value: "WRN" }];
    assert.equal(d.detect([], md, Buffer.from("x"), 0, 1), undefined);
    assert.deepEqual(md, [{ name: "detected_level", value: "warn" }]);
  });
});

describe("discoverServiceName", () => {
  const from = ["service", "app", "job"];
  it("takes the first listed label present", () => {
    assert.deepEqual(
      discoverServiceName(
        [
          { name: "app", value: "a" },
          { name: "job", value: "j" },
        ],
        from,
      ),
      [
        { name: "app", value: "a" },
        { name: "job", value: "j" },
        { name: "service_name", value: "a" },
      ],
    );
  });
  it("falls back to unknown_service and keeps an explicit service_name", () => {
    assert.deepEqual(discoverServiceName([{ name: "x", value: "1" }], from)[0], {
      name: "service_name",
      value: "unknown_service",
    });
    const own = [{ name: "service_name", value: "s" }];
    assert.deepEqual(discoverServiceName(own, from), own);
    assert.deepEqual(discoverServiceName([], []), []);
  });
});

describe("rate limiters", () => {
  it("TokenBucket starts full, refills at the rate and never takes part of a refused request", () => {
    const b = new TokenBucket(10, 20, 0);
    assert.equal(b.allow(0, 15), true);
    assert.equal(b.allow(0, 10), false);
    assert.equal(b.allow(0, 5), true);
    assert.equal(b.allow(500, 6), false);
    assert.equal(b.allow(500, 5), true);
    assert.equal(b.allow(10_000, 21), false);
    assert.equal(b.allow(10_000, 20), true);
  });
  it("StreamRateLimiters keeps a bucket per stream and forgets idle ones", () => {
    const l = new StreamRateLimiters();
    assert.equal(l.allow("a", 0, 10, 10, 10), true);
    assert.equal(l.allow("a", 0, 1, 10, 10), false);
    assert.equal(l.allow("b", 0, 10, 10, 10), true);
    assert.equal(l.allow("c", 0, 10, 0, 0), true);
    assert.equal(l.size, 2);
    assert.equal(l.allow("a", 120_000, 1, 10, 10), true);
    assert.equal(l.size, 1);
  });
});

describe("time formats", () => {
  it("prints Go's RFC3339 and Time.String in UTC", () => {
    const t = BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)) * 1_000_000n;
    assert.equal(formatRFC3339(t + 123n), "2024-01-02T03:04:05Z");
    assert.equal(formatGoTime(t), "2024-01-02 03:04:05 +0000 UTC");
    assert.equal(formatGoTime(t + 120_000_000n), "2024-01-02 03:04:05.12 +0000 UTC");
    assert.equal(formatRFC3339(-62135596800n * 1_000_000_000n), "0001-01-01T00:00:00Z");
  });
});
