import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { labelsFromRecord } from "../../model/labels/index.ts";
import type { SequenceValue } from "./index.ts";
import {
  parseHistogramLiteral,
  parseSeriesDesc,
  parseStartTimestampDesc,
  SeriesDescError,
} from "./index.ts";

// render turns a sequence into short strings: numbers, "_" and "stale" (and "h" for histograms).
function render(values: SequenceValue[]): string[] {
  return values.map((v) => {
    switch (v.kind) {
      case "omitted":
        return "_";
      case "stale":
        return "stale";
      case "histogram":
        return "h";
      case "float":
        return Object.is(v.value, -0) ? "-0" : String(v.value);
    }
  });
}

function values(line: string): string[] {
  return render(parseSeriesDesc(`m ${line}`).values);
}

describe("expanding notation", () => {
  const cases: { in: string; out: string[] }[] = [
    { in: "0+10x3", out: ["0", "10", "20", "30"] },
    { in: "1x2", out: ["1", "1", "1"] },
    { in: "-2+4x3", out: ["-2", "2", "6", "10"] },
    { in: "10-3x2", out: ["10", "7", "4"] },
    { in: "1 _x3 stale", out: ["1", "_", "_", "_", "stale"] },
    { in: "5 2+3x2 _ stale", out: ["5", "2", "5", "8", "_", "stale"] },
    { in: "_x0 7", out: ["7"] },
    { in: "_", out: ["_"] },
    { in: "1x0", out: ["1"] },
    {
      in: "Inf -Inf +Inf inf -inf NaN nan",
      out: ["Infinity", "-Infinity", "Infinity", "Infinity", "-Infinity", "NaN", "NaN"],
    },
    { in: "1e3 1.5e-1 .5 -0.25", out: ["1000", "0.15", "0.5", "-0.25"] },
    { in: "1e3+1e2x1", out: ["1000", "1100"] },
    // `0x2` is a repetition of 0, as upstream reads it; a hex literal needs a letter digit.
    { in: "0x2", out: ["0", "0", "0"] },
    { in: "0x1F -0xa", out: ["31", "-10"] },
    { in: "  1 \t 2  ", out: ["1", "2"] },
    { in: "", out: [] },
  ];
  for (const c of cases) {
    it(`expands ${JSON.stringify(c.in)}`, () => assert.deepEqual(values(c.in), c.out));
  }

  it("adds the increment step by step, as upstream does", () => {
    const got = parseSeriesDesc("m 0.1+0.1x3").values.map((v) =>
      v.kind === "float" ? v.value : NaN,
    );
    let acc = 0.1;
    const want = [];
    for (let i = 0; i <= 3; i++, acc += 0.1) want.push(acc);
    assert.deepEqual(got, want);
    assert.equal(got[2], 0.30000000000000004);
  });

  it("rejects malformed values", () => {
    for (const bad of ["abc", "1+2", "1x", "1xx2", "_x", "1x-2", "x3", "{{schema:x}}", "1 2 foo"]) {
      assert.throws(() => parseSeriesDesc(`m ${bad}`), SeriesDescError, bad);
    }
  });
});

describe("series", () => {
  it("reads names, label sets and quoted UTF-8 names", () => {
    const cases: { in: string; labels: Record<string, string> }[] = [
      { in: "foo 1", labels: { __name__: "foo" } },
      { in: "foo:bar_baz 1", labels: { __name__: "foo:bar_baz" } },
      { in: `foo{a="b", c="d e}"} 1`, labels: { __name__: "foo", a: "b", c: "d e}" } },
      { in: `{__name__="foo", a="b"} 1`, labels: { __name__: "foo", a: "b" } },
      { in: `{"my.metric", "l.1"="v"} 1`, labels: { __name__: "my.metric", "l.1": "v" } },
      { in: `{} 1`, labels: {} },
      { in: `{a="x"} 1`, labels: { a: "x" } },
      { in: `expect{} 1`, labels: { __name__: "expect" } },
      { in: `sum{a='q"uote'} 1`, labels: { __name__: "sum", a: 'q"uote' } },
      { in: `foo{a="\\u00e9\\n"} 1`, labels: { __name__: "foo", a: "é\n" } },
    ];
    for (const c of cases) {
      assert.deepEqual(parseSeriesDesc(c.in).labels, labelsFromRecord(c.labels), c.in);
    }
  });

  it("rejects non-equality matchers and malformed selectors", () => {
    for (const bad of [
      `foo{a=~"b"} 1`,
      `foo{a!="b"} 1`,
      `foo{a="b" 1`,
      `foo{a=b} 1`,
      ` 1 2`,
      `1 2`,
      `foo{a="b"}1`,
    ]) {
      assert.throws(() => parseSeriesDesc(bad), SeriesDescError, bad);
    }
  });
});

describe("histogram literals", () => {
  it("parses every field", () => {
    const h = parseHistogramLiteral(
      "{{schema:1 sum:-5.5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 2 1] offset:-2 " +
        "n_buckets:[3 ] n_offset:1 counter_reset_hint:gauge custom_values:[1 2]}}",
    );
    assert.deepEqual(h, {
      schema: 1,
      sum: -5.5,
      count: 4,
      zeroCount: 1,
      zeroThreshold: 0.001,
      positiveBuckets: [1, 2, 1],
      positiveOffset: -2,
      negativeBuckets: [3],
      negativeOffset: 1,
      customValues: [1, 2],
      counterResetHint: "gauge",
    });
  });

  it("defaults omitted fields and leaves the counter reset hint unset", () => {
    const h = parseHistogramLiteral("{{}}");
    assert.equal(h.schema, 0);
    assert.equal(h.counterResetHint, undefined);
    assert.deepEqual(h.positiveBuckets, []);
  });

  it("expands repetitions and progressions", () => {
    const v = parseSeriesDesc(
      "m {{sum:1 count:1 buckets:[1]}}+{{sum:2 count:1 buckets:[1 1]}}x2 {{}}x1 1",
    );
    assert.deepEqual(render(v.values), ["h", "h", "h", "h", "h", "1"]);
    const third = v.values[2]!;
    assert.ok(third.kind === "histogram");
    assert.equal(third.histogram.sum, 5);
    assert.equal(third.histogram.count, 3);
    assert.deepEqual(third.histogram.positiveBuckets, [3, 2]);
    const dec = parseSeriesDesc("m {{count:10 buckets:[5 5]}}-{{count:2 buckets:[1]}}x1")
      .values[1]!;
    assert.ok(dec.kind === "histogram");
    assert.equal(dec.histogram.count, 8);
    assert.deepEqual(dec.histogram.positiveBuckets, [4, 5]);
  });

  it("rejects unknown or duplicate fields and bad values", () => {
    for (const bad of [
      "{{foo:1}}",
      "{{sum:1 sum:2}}",
      "{{schema:1.5}}",
      "{{counter_reset_hint:maybe}}",
      "{{buckets:1}}",
      "{{sum}}",
    ]) {
      assert.throws(() => parseHistogramLiteral(bad), SeriesDescError, bad);
    }
  });
});

describe("start timestamp lines", () => {
  it("expands signed duration offsets", () => {
    const st = parseStartTimestampDesc(`metric{l="v"}@st -30s-1mx2 _ _x2 10s 0`);
    assert.deepEqual(st.labels, labelsFromRecord({ __name__: "metric", l: "v" }));
    assert.deepEqual(st.offsetsMs, [-30_000, -90_000, -150_000, null, null, null, 10_000, 0]);
  });

  it("rejects malformed offsets", () => {
    assert.throws(() => parseStartTimestampDesc("m@st 5x"), SeriesDescError);
    assert.throws(() => parseStartTimestampDesc("m@st 1.5s"), SeriesDescError);
  });
});
