import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLabels } from "../../../model/labels/index.ts";
import type { Sample, Vector } from "../value.ts";
import { annotationTexts, assertClose, call, callArgs, lbls, newEnh, sc, smp } from "./testutil.ts";

/** buckets builds one classic histogram: pairs of le and cumulative count. */
function buckets(name: string, rec: Record<string, string>, pairs: [string, number][]): Sample[] {
  return pairs.map(([le, f]) => smp({ __name__: name, ...rec, le }, f));
}

function results(v: Vector): Record<string, number> {
  return Object.fromEntries(v.map((s) => [formatLabels(s.metric), s.f]));
}

const testhistogram = [
  ...buckets("testhistogram_bucket", { start: "positive" }, [
    ["0.1", 50],
    [".2", 70],
    ["1e0", 110],
    ["+Inf", 120],
  ]),
  ...buckets("testhistogram_bucket", { start: "negative" }, [
    ["-.2", 10],
    ["-0.1", 20],
    ["0.3", 20],
    ["+Inf", 30],
  ]),
];

const testhistogram3 = [
  ...buckets("testhistogram3_bucket", { start: "positive" }, [
    ["0", 0],
    ["0.1", 50],
    [".2", 70],
    ["1e0", 110],
    ["+Inf", 110],
  ]),
  ...buckets("testhistogram3_bucket", { start: "negative" }, [
    ["-.25", 0],
    ["-.2", 10],
    ["-0.1", 20],
    ["0.3", 20],
    ["+Inf", 20],
  ]),
];

const quantile = (q: number, input: Sample[], query = "histogram_quantile(0.5, x)") => {
  const enh = newEnh();
  const out = call("histogram_quantile", [sc(q), input], callArgs(query), enh);
  return {
    enh,
    out,
    byStart: Object.fromEntries(
      out.map((s) => [s.metric.find((l) => l.name === "start")?.value ?? "", s.f]),
    ),
  };
};

describe("histogram_quantile", () => {
  it("interpolates linearly inside the bucket holding the rank", () => {
    const cases: [number, number, number][] = [
      [0, 0, -0.2],
      [0.2, 0.048, -0.2],
      [0.5, 0.15, -0.15],
      [0.8, 0.72, 0.3],
      [1, 1, 0.3],
    ];
    for (const [q, pos, neg] of cases) {
      const { byStart } = quantile(q, testhistogram);
      assertClose(byStart.positive, pos, `q=${q} positive`);
      assertClose(byStart.negative, neg, `q=${q} negative`);
    }
    const cases3: [number, number, number][] = [
      [0, 0, -0.25],
      [0.25, 0.055, -0.225],
      [0.5, 0.125, -0.2],
      [0.75, 0.45, -0.15],
      [1, 1, -0.1],
    ];
    for (const [q, pos, neg] of cases3) {
      const { byStart } = quantile(q, testhistogram3);
      assertClose(byStart.positive, pos, `q=${q} positive`);
      assertClose(byStart.negative, neg, `q=${q} negative`);
    }
  });

  it("lands in the middle of buckets", () => {
    const h = buckets("testhistogram2_bucket", {}, [
      ["0", 0],
      ["2", 1],
      ["4", 2],
      ["6", 3],
      ["+Inf", 3],
    ]);
    assert.equal(quantile(1 / 6, h).out[0]!.f, 1);
    assert.equal(quantile(0.5, h).out[0]!.f, 3);
    assert.equal(quantile(5 / 6, h).out[0]!.f, 5);
  });

  it("returns ±Inf or NaN for a quantile outside [0, 1], with a warning on the argument", () => {
    for (const [q, want, text] of [
      [-0.1, -Infinity, "-0.1"],
      [1.01, Infinity, "1.01"],
      [NaN, NaN, "NaN"],
    ] as const) {
      const query = `histogram_quantile(${q}, testhistogram_bucket)`;
      const { enh, byStart } = quantile(q, testhistogram, query);
      assert.ok(Object.is(byStart.positive, want) && Object.is(byStart.negative, want), `q=${q}`);
      const [a] = [...enh.annotations];
      assert.equal(
        a!.text,
        `PromQL warning: quantile value should be between 0 and 1, got ${text}`,
      );
      assert.equal(enh.annotations.asStrings(query).warnings[0], `${a!.text} (1:20)`);
    }
  });

  it("groups buckets by all labels but le, including the metric name", () => {
    const input = [
      ...buckets("a_bucket", { job: "x" }, [
        ["1", 1],
        ["+Inf", 2],
      ]),
      ...buckets("b_bucket", { job: "x" }, [
        ["1", 2],
        ["+Inf", 2],
      ]),
    ];
    const delayed = call(
      "histogram_quantile",
      [sc(0.5), input],
      callArgs("histogram_quantile(0.5, x)"),
    );
    assert.deepEqual(results(delayed), { 'a_bucket{job="x"}': 1, 'b_bucket{job="x"}': 0.5 });
    assert.ok(delayed.every((s) => s.dropName));
    const now = call(
      "histogram_quantile",
      [sc(0.5), input],
      callArgs("histogram_quantile(0.5, x)"),
      newEnh({ enableDelayedNameRemoval: false }),
    );
    // Both lose their name; the evaluator reports the resulting duplicate.
    assert.deepEqual(
      now.map((s) => s.metric),
      [lbls({ job: "x" }), lbls({ job: "x" })],
    );
  });

  it("merges buckets whose bounds are spelled differently", () => {
    const input = [
      ...buckets("mixed_bucket", { instance: "ins1" }, [
        ["0.1", 1],
        ["0.2", 1],
        ["2e-1", 1],
        ["2.0e-1", 1],
        ["+Inf", 4],
      ]),
      ...buckets("mixed_bucket", { instance: "ins2" }, [
        ["+inf", 0],
        ["+Inf", 0],
      ]),
    ];
    const at = (q: number) => results(call("histogram_quantile", [sc(q), input], []));
    // 0.1 + (0.2 - 0.1) * (1 / 2) in float64.
    assert.deepEqual(at(0.5), {
      'mixed_bucket{instance="ins1"}': 0.15000000000000002,
      'mixed_bucket{instance="ins2"}': NaN,
    });
    assert.equal(at(0.75)['mixed_bucket{instance="ins1"}'], 0.2);
    assert.equal(at(1)['mixed_bucket{instance="ins1"}'], 0.2);
  });

  it("returns NaN without a +Inf bucket, without observations or with a single bucket", () => {
    const noInf = buckets("x_bucket", {}, [
      ["1", 1],
      ["2", 2],
    ]);
    const empty = buckets("x_bucket", {}, [
      ["1", 0],
      ["+Inf", 0],
    ]);
    const single = buckets("x_bucket", {}, [["+Inf", 5]]);
    for (const input of [noInf, empty, single]) {
      assert.ok(Number.isNaN(call("histogram_quantile", [sc(0.5), input], [])[0]!.f));
    }
  });

  it("fixes non-monotonic buckets and says so", () => {
    const input = buckets("nonmonotonic_bucket", {}, [
      ["0.1", 20],
      ["1", 10],
      ["10", 50],
      ["100", 40],
      ["1000", 90],
      ["+Inf", 80],
    ]);
    const query = "histogram_quantile(0.5, nonmonotonic_bucket)";
    for (const [q, want] of [
      [0.01, 0.0045],
      [0.5, 8.5],
      [0.99, 979.75],
    ]) {
      const enh = newEnh();
      assertClose(call("histogram_quantile", [sc(q!), input], callArgs(query), enh)[0]!.f, want!);
      assert.deepEqual(enh.annotations.asStrings(query).infos, [
        'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "nonmonotonic_bucket" (1:25)',
      ]);
    }
  });

  it("ignores tiny differences between counts silently", () => {
    // 100.00000000001 differs from 100 by 5e-14 relatively, below the 1e-12 tolerance: it is
    // flattened, so the following 100 is not a decrease.
    const input = buckets("x_bucket", {}, [
      ["1", 100],
      ["2", 100.00000000001],
      ["3", 100],
      ["+Inf", 100],
    ]);
    const enh = newEnh();
    assert.equal(
      call("histogram_quantile", [sc(0.5), input], callArgs("histogram_quantile(0.5, x)"), enh)[0]!
        .f,
      0.5,
    );
    assert.equal(enh.annotations.size, 0);
  });

  it("warns about unparsable or missing le labels and skips those samples", () => {
    const input = [
      ...buckets("x_bucket", {}, [
        ["1", 1],
        ["abc", 5],
        ["+Inf", 2],
      ]),
      smp({ __name__: "x_bucket" }, 7),
    ];
    const enh = newEnh();
    const query = "histogram_quantile(0.5, x_bucket)";
    const out = call("histogram_quantile", [sc(0.5), input], callArgs(query), enh);
    assert.deepEqual(results(out), { x_bucket: 1 });
    assert.deepEqual(annotationTexts(enh), [
      'PromQL warning: bucket label "le" is missing or has a malformed value of "abc" for metric name "x_bucket"',
      'PromQL warning: bucket label "le" is missing or has a malformed value of "" for metric name "x_bucket"',
    ]);
    assert.ok(enh.annotations.asStrings(query).warnings.every((w) => w.endsWith("(1:25)")));
  });

  it("parses le like Go's strconv.ParseFloat", () => {
    const input = buckets("x_bucket", {}, [
      ["0x1p-2", 1], // 0.25
      ["1_0", 2], // 10
      ["Infinity", 4],
      ["1e400", 9], // out of range: malformed
    ]);
    const enh = newEnh();
    const out = call(
      "histogram_quantile",
      [sc(0.5), input],
      callArgs("histogram_quantile(0.5, x)"),
      enh,
    );
    assert.equal(out[0]!.f, 10);
    assert.equal(enh.annotations.size, 1);
  });

  it("keeps its groups across steps but only reports groups with buckets", () => {
    const enh = newEnh();
    const a = buckets("a_bucket", {}, [
      ["1", 1],
      ["+Inf", 1],
    ]);
    const b = buckets("b_bucket", {}, [
      ["1", 1],
      ["+Inf", 1],
    ]);
    assert.equal(call("histogram_quantile", [sc(0.5), [...a, ...b]], [], enh).length, 2);
    assert.deepEqual(
      call("histogram_quantile", [sc(0.5), b], [], enh).map((s) => formatLabels(s.metric)),
      ["b_bucket"],
    );
  });
});

describe("histogram_fraction", () => {
  const h2 = buckets("testhistogram2_bucket", {}, [
    ["0", 0],
    ["2", 10],
    ["4", 20],
    ["6", 30],
    ["+Inf", 30],
  ]);
  const fraction = (lower: number, upper: number, input: Sample[]) =>
    results(
      call(
        "histogram_fraction",
        [sc(lower), sc(upper), input],
        callArgs("histogram_fraction(0, 1, x)"),
      ),
    );

  it("interpolates inside buckets", () => {
    assert.deepEqual(fraction(0, 4, h2), { testhistogram2_bucket: 0.6666666666666666 });
    assert.deepEqual(fraction(0, 6, h2), { testhistogram2_bucket: 1 });
    assert.deepEqual(fraction(0, 3.5, h2), { testhistogram2_bucket: 0.5833333333333334 });
    assert.deepEqual(fraction(0, 0.2, testhistogram3), {
      'testhistogram3_bucket{start="positive"}': 0.6363636363636364,
      'testhistogram3_bucket{start="negative"}': 0,
    });
  });

  it("handles open and empty intervals", () => {
    assert.deepEqual(fraction(-Infinity, Infinity, h2), { testhistogram2_bucket: 1 });
    assert.deepEqual(fraction(3, 1, h2), { testhistogram2_bucket: 0 });
    assert.ok(Number.isNaN(fraction(NaN, 1, h2).testhistogram2_bucket!));
    const noInf = buckets("x_bucket", {}, [["1", 1]]);
    assert.ok(Number.isNaN(fraction(0, 1, noInf).x_bucket!));
  });

  it("does not warn about its bounds", () => {
    const enh = newEnh();
    call("histogram_fraction", [sc(5), sc(-5), h2], callArgs("histogram_fraction(5, -5, x)"), enh);
    assert.equal(enh.annotations.size, 0);
  });
});

describe("native-histogram functions", () => {
  it("ignore float samples", () => {
    for (const fn of [
      "histogram_avg",
      "histogram_count",
      "histogram_sum",
      "histogram_stddev",
      "histogram_stdvar",
    ]) {
      assert.deepEqual(call(fn, [testhistogram], []), [], fn);
    }
  });
});
