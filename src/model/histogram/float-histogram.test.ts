// FloatHistogram against the cases of prometheus model/histogram/float_histogram_test.go
// (v3.5.3), converted to testdata/float_histogram_cases.json (Apache-2.0), plus a few of our own.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { CounterResetHint, FloatHistogramInit, Span } from "./index.ts";
import {
  FloatHistogram,
  HistogramError,
  TempHistogram,
  getBoundExponential,
  spansMatch,
} from "./index.ts";

type GoNumber = number | "Inf" | "-Inf" | "NaN";
interface GoHistogram {
  CounterResetHint?: CounterResetHint;
  Schema?: number;
  ZeroThreshold?: GoNumber;
  ZeroCount?: GoNumber;
  Count?: GoNumber;
  Sum?: GoNumber;
  PositiveSpans?: [number, number][];
  NegativeSpans?: [number, number][];
  PositiveBuckets?: GoNumber[];
  NegativeBuckets?: GoNumber[];
  CustomValues?: GoNumber[];
}
type Case = unknown[];

const CASES = JSON.parse(
  readFileSync(new URL("./testdata/float_histogram_cases.json", import.meta.url), "utf8"),
) as Record<string, Case[]>;

function num(v: GoNumber | undefined): number {
  if (v === undefined) return 0;
  if (v === "Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  if (v === "NaN") return NaN;
  return v;
}

function spans(s: [number, number][] | undefined): Span[] {
  return (s ?? []).map(([offset, length]) => ({ offset, length }));
}

function fromGo(g: GoHistogram | null): FloatHistogram | null {
  if (g === null) return null;
  const init: FloatHistogramInit = {
    schema: g.Schema ?? 0,
    zeroThreshold: num(g.ZeroThreshold),
    zeroCount: num(g.ZeroCount),
    count: num(g.Count),
    sum: num(g.Sum),
    positiveSpans: spans(g.PositiveSpans),
    negativeSpans: spans(g.NegativeSpans),
    positiveBuckets: (g.PositiveBuckets ?? []).map(num),
    negativeBuckets: (g.NegativeBuckets ?? []).map(num),
    customValues: (g.CustomValues ?? []).map(num),
  };
  if (g.CounterResetHint !== undefined) init.counterResetHint = g.CounterResetHint;
  return new FloatHistogram(init);
}

/**
 * plain turns a histogram into a comparable object, as Go's require.Equal compares the struct
 * (where −0 equals 0).
 */
function plain(h: FloatHistogram): object {
  const z = (v: number): number => (v === 0 ? 0 : v);
  return {
    hint: h.counterResetHint,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: h.positiveSpans,
    negativeSpans: h.negativeSpans,
    positiveBuckets: h.positiveBuckets.map(z),
    negativeBuckets: h.negativeBuckets.map(z),
    customValues: [...h.customValues],
  };
}

function assertSame(actual: FloatHistogram, expected: FloatHistogram, msg: string): void {
  assert.deepEqual(plain(actual), plain(expected), msg);
}

describe("FloatHistogram (upstream cases)", () => {
  it("detectReset", () => {
    for (const [name, prev, curr, want] of CASES["TestFloatHistogramDetectReset"]!) {
      const p = fromGo(prev as GoHistogram)!;
      const c = fromGo(curr as GoHistogram)!;
      assert.equal(c.detectReset(p), want, name as string);
    }
  });

  it("compact", () => {
    for (const [name, input, maxEmpty, expected] of CASES["TestFloatHistogramCompact"]!) {
      const h = fromGo(input as GoHistogram)!;
      assertSame(h.compact(maxEmpty as number), fromGo(expected as GoHistogram)!, name as string);
    }
  });

  for (const op of ["add", "sub"] as const) {
    it(`${op} (both orders)`, () => {
      const table = CASES[op === "add" ? "TestFloatHistogramAdd" : "TestFloatHistogramSub"]!;
      for (const [name, in1, in2, expected, errMsg] of table) {
        const a = fromGo(in1 as GoHistogram)!;
        const b = fromGo(in2 as GoHistogram)!;
        const exp = fromGo(expected as GoHistogram | null);
        for (const [x, y, e] of [
          [a, b, exp],
          [b, a, op === "add" ? exp : (exp?.copy().mul(-1) ?? null)],
        ] as const) {
          const xc = x.copy();
          const yc = y.copy();
          const label = `${name as string} (${op})`;
          if (errMsg !== "") {
            assert.throws(
              () => xc[op](yc),
              (err: unknown) => err instanceof HistogramError && err.message === errMsg,
              label,
            );
            continue;
          }
          const res = xc[op](yc);
          assert.equal(res, xc, `${label}: in place`);
          assertSame(res.compact(0), e!.copy().compact(0), label);
          assertSame(yc, y, `${label}: argument not mutated`);
        }
      }
    });
  }

  it("toString", () => {
    for (const [name, h, expected] of CASES["TestFloatHistogramString"]!) {
      assert.equal(fromGo(h as GoHistogram)!.toString(), expected, name as string);
    }
  });

  it("copyToSchema", () => {
    for (const [name, target, input, expected] of CASES["TestFloatHistogramCopyToSchema"]!) {
      const h = fromGo(input as GoHistogram)!;
      const before = plain(h.copy());
      assertSame(
        h.copyToSchema(target as number),
        fromGo(expected as GoHistogram)!,
        name as string,
      );
      assert.deepEqual(plain(h), before, `${name as string}: receiver not mutated`);
    }
  });

  it("div", () => {
    for (const [name, input, s, expected] of CASES["TestFloatHistogramDiv"]!) {
      const h = fromGo(input as GoHistogram)!;
      assertSame(h.div(s as number), fromGo(expected as GoHistogram)!, name as string);
    }
  });
});

describe("FloatHistogram", () => {
  it("adds histograms of different schemas at the lower resolution", () => {
    const hi = new FloatHistogram({
      schema: 1,
      count: 4,
      sum: 10,
      positiveSpans: [{ offset: 0, length: 4 }],
      positiveBuckets: [1, 1, 1, 1],
    });
    const lo = new FloatHistogram({
      schema: 0,
      count: 2,
      sum: 3,
      positiveSpans: [{ offset: 1, length: 1 }],
      positiveBuckets: [2],
    });
    // Schema 1 buckets 0..3 map to schema 0 buckets 0, 1, 1, 2.
    const sum = hi.copy().add(lo).compact(0);
    assert.equal(sum.schema, 0);
    assert.equal(sum.count, 6);
    assert.equal(sum.sum, 13);
    assert.deepEqual(sum.positiveSpans, [{ offset: 0, length: 3 }]);
    assert.deepEqual(sum.positiveBuckets, [1, 4, 1]);
    const diff = lo.copy().sub(hi).compact(0);
    assert.equal(diff.schema, 0);
    // The empty middle bucket is compacted away.
    assert.deepEqual(diff.positiveBuckets, [-1, -1]);
    assert.deepEqual(diff.positiveSpans, [
      { offset: 0, length: 1 },
      { offset: 1, length: 1 },
    ]);
  });

  it("merges counter reset hints on add: gauge wins, then unknown", () => {
    const h = (counterResetHint: CounterResetHint) => new FloatHistogram({ counterResetHint });
    assert.equal(h("gauge").add(h("reset")).counterResetHint, "gauge");
    assert.equal(h("not_reset").add(h("gauge")).counterResetHint, "gauge");
    assert.equal(h("reset").add(h("unknown")).counterResetHint, "unknown");
    assert.equal(h("reset").add(h("not_reset")).counterResetHint, "unknown");
    assert.equal(h("not_reset").add(h("not_reset")).counterResetHint, "not_reset");
  });

  it("rejects mixing custom and exponential buckets, and different custom bounds", () => {
    const exp = new FloatHistogram({ count: 1 });
    const cb = (customValues: number[]) =>
      new FloatHistogram({ schema: -53, count: 1, customValues });
    assert.throws(() => exp.copy().add(cb([1])), { kind: "incompatible_schema" });
    assert.throws(() => cb([1]).sub(cb([2])), { kind: "incompatible_bounds" });
    assert.equal(cb([1, 2]).add(cb([1, 2])).count, 2);
  });

  it("detects resets from hints, counts and buckets", () => {
    const prev = new FloatHistogram({
      count: 3,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [1, 2],
    });
    const next = (buckets: number[], counterResetHint: CounterResetHint = "unknown") =>
      new FloatHistogram({
        count: 10,
        counterResetHint,
        positiveSpans: [{ offset: 0, length: buckets.length }],
        positiveBuckets: buckets,
      });
    assert.equal(next([1, 2]).detectReset(prev), false);
    assert.equal(next([1, 1]).detectReset(prev), true);
    assert.equal(next([1, 1], "not_reset").detectReset(prev), false);
    assert.equal(next([5, 5], "reset").detectReset(prev), true);
    // A missing populated bucket is a reset; a lower resolution alone is not.
    assert.equal(next([1]).detectReset(prev), true);
    const lower = new FloatHistogram({
      schema: -1,
      count: 3,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [1, 2],
    });
    assert.equal(lower.detectReset(prev), false);
    assert.equal(prev.detectReset(lower), true);
  });

  it("renders as String() and TestExpression() do", () => {
    const h = new FloatHistogram({
      count: 5,
      sum: 1e6,
      zeroThreshold: 0.001,
      zeroCount: 1,
      positiveSpans: [
        { offset: 0, length: 1 },
        { offset: 2, length: 1 },
      ],
      positiveBuckets: [1, 2],
      negativeSpans: [{ offset: 0, length: 1 }],
      negativeBuckets: [1],
      counterResetHint: "gauge",
    });
    assert.equal(
      h.toString(),
      "{count:5, sum:1e+06, [-1,-0.5):1, [-0.001,0.001]:1, (0.5,1]:1, (4,8]:2}",
    );
    assert.equal(
      h.testExpression(),
      "{{count:5 sum:1e+06 z_bucket:1 z_bucket_w:0.001 counter_reset_hint:gauge buckets:[1 0 0 2] n_buckets:[1]}}",
    );
  });

  it("computes exponential bounds, with MaxFloat64 before the overflow bucket", () => {
    assert.equal(getBoundExponential(0, 0), 1);
    assert.equal(getBoundExponential(1, 0), 2);
    assert.equal(getBoundExponential(-1, 0), 0.5);
    // Upstream's table value, one ulp below the correctly rounded √2.
    assert.equal(getBoundExponential(1, 1), 1.414213562373095);
    assert.equal(getBoundExponential(1024, 0), Number.MAX_VALUE);
    assert.equal(getBoundExponential(1025, 0), Infinity);
    assert.equal(getBoundExponential(256, -2), Number.MAX_VALUE);
    assert.equal(getBoundExponential(-1074, 0), 2 ** -1074);
  });

  it("matches span layouts ignoring zero-length spans", () => {
    assert.ok(
      spansMatch(
        [
          { offset: 1, length: 2 },
          { offset: 2, length: 0 },
          { offset: 1, length: 1 },
        ],
        [
          { offset: 1, length: 2 },
          { offset: 3, length: 1 },
        ],
      ),
    );
    assert.ok(!spansMatch([{ offset: 1, length: 2 }], [{ offset: 0, length: 2 }]));
  });

  it("iterates all buckets in both directions", () => {
    const h = new FloatHistogram({
      zeroThreshold: 0.5,
      zeroCount: 2,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [1, 3],
      negativeSpans: [{ offset: 1, length: 1 }],
      negativeBuckets: [4],
    });
    const walk = (up: boolean) => {
      const out: string[] = [];
      for (const it = up ? h.allBucketIterator() : h.allReverseBucketIterator(); it.next();) {
        const b = it.at();
        out.push(`${b.lower}..${b.upper}:${b.count}`);
      }
      return out;
    };
    assert.deepEqual(walk(true), ["-2..-1:4", "-0.5..0.5:2", "0.5..1:1", "1..2:3"]);
    assert.deepEqual(walk(false), ["1..2:3", "0.5..1:1", "-0.5..0.5:2", "-2..-1:4"]);
  });

  it("widens the zero bucket when adding histograms with different thresholds", () => {
    const a = new FloatHistogram({
      zeroThreshold: 0.001,
      zeroCount: 1,
      count: 3,
      positiveSpans: [{ offset: -1, length: 2 }],
      positiveBuckets: [1, 1],
    });
    const b = new FloatHistogram({ zeroThreshold: 0.5, zeroCount: 2, count: 2 });
    const sum = a.copy().add(b).compact(0);
    // The bucket (0.25, 0.5] of a moves into the zero bucket of threshold 0.5.
    assert.equal(sum.zeroThreshold, 0.5);
    assert.equal(sum.zeroCount, 4);
    assert.deepEqual(sum.positiveSpans, [{ offset: 0, length: 1 }]);
    assert.deepEqual(sum.positiveBuckets, [1]);
  });

  it("divides by zero into infinite counts without buckets", () => {
    const h = new FloatHistogram({
      count: 2,
      sum: -1,
      positiveSpans: [{ offset: 0, length: 1 }],
      positiveBuckets: [2],
    }).div(0);
    assert.equal(h.count, Infinity);
    assert.equal(h.sum, -Infinity);
    assert.deepEqual(h.positiveBuckets, []);
    const neg = new FloatHistogram({ count: 2, sum: 4 }).div(-2);
    assert.equal(neg.count, -1);
    assert.equal(neg.sum, -2);
  });
});

describe("TempHistogram (NHCB conversion)", () => {
  it("converts cumulative buckets in any order", () => {
    const t = new TempHistogram();
    t.setBucketCount(Infinity, 5);
    t.setBucketCount(1, 1);
    t.setBucketCount(2, 3);
    t.setCount(5);
    t.setSum(7);
    const h = t.convert();
    assert.equal(h.schema, -53);
    assert.deepEqual([...h.customValues], [1, 2]);
    assert.deepEqual(h.positiveBuckets, [1, 2, 2]);
    assert.equal(h.count, 5);
    assert.equal(h.sum, 7);
  });

  it("adds the +Inf bucket and rejects inconsistent input", () => {
    const t = new TempHistogram();
    t.setBucketCount(1, 2);
    assert.deepEqual(t.convert().positiveBuckets, [2]);
    const bad = new TempHistogram();
    bad.setBucketCount(1, 3);
    bad.setBucketCount(2, 1);
    assert.throws(() => bad.convert(), /count is not cumulative: 1 < 3/);
    const mismatch = new TempHistogram();
    mismatch.setBucketCount(Infinity, 3);
    mismatch.setCount(4);
    assert.throws(() => mismatch.convert(), /count mismatch/);
  });
});
