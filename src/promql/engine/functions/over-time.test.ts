import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueryError } from "../errors.ts";
import {
  annotationTexts,
  assertClose,
  call,
  callArgs,
  evalRange,
  load,
  newEnh,
  sc,
  win,
} from "./testutil.ts";

const s = (n: number): number => n * 1000;
const m = (n: number): number => n * 60_000;

describe("avg_over_time and sum_over_time", () => {
  const at55 = (fn: string, values: string, rangeMs = m(1)) =>
    evalRange(fn, load(s(10), values), { tsMs: s(55), rangeMs });

  it("averages the window", () => {
    assert.equal(at55("avg_over_time", "1 2 3 4 5", s(10)), undefined);
    assert.equal(at55("avg_over_time", "1 2 3 4 5", s(20)), 5);
    assert.equal(at55("avg_over_time", "1 2 3 4 5"), 3);
    assert.equal(at55("sum_over_time", "1 2 3 4 5"), 15);
    assert.equal(at55("count_over_time", "1 2 3 4 5"), 5);
  });

  it("handles infinities like IEEE arithmetic", () => {
    const cases: [string, number][] = [
      ["1 2 3 4 Inf", Infinity],
      ["1 2 3 4 -Inf", -Infinity],
      ["1 2 3 Inf -Inf", NaN],
      ["Inf 0 Inf", Infinity],
      ["Inf Inf Inf -Inf", NaN],
      ["1 2 3 -Inf -Inf", -Infinity],
      ["-Inf 0 -Inf", -Infinity],
      ["-Inf -Inf -Inf Inf", NaN],
      ["1 2 -Inf -Inf Inf", NaN],
    ];
    for (const [values, want] of cases) {
      assert.ok(Object.is(at55("avg_over_time", values), want), `avg of ${values}`);
    }
  });

  it("switches to an incremental mean when the sum overflows", () => {
    const big = "9.988465674311579e+307";
    assert.equal(at55("avg_over_time", `${big} ${big}`), 9.988465674311579e307);
    assert.equal(at55("sum_over_time", `${big} ${big}`), Infinity);
    assert.equal(at55("avg_over_time", `-${big} -${big} -${big}`), -9.988465674311579e307);
    assert.equal(at55("avg_over_time", `-${big} ${big}`), 0);
  });

  it("propagates NaN", () => {
    const pts = load(s(10), "1 2 3 NaN NaN");
    assert.equal(evalRange("avg_over_time", pts, { tsMs: s(20), rangeMs: m(1) }), 2);
    assert.ok(Number.isNaN(evalRange("avg_over_time", pts, { tsMs: s(30), rangeMs: m(1) })!));
  });

  it("keeps small values next to huge ones (Kahan summation)", () => {
    const pts = load(s(10), "1 1e100 1 -1e100");
    assert.equal(evalRange("sum_over_time", pts, { tsMs: m(1), rangeMs: m(2) }), 2);
    assert.equal(evalRange("avg_over_time", pts, { tsMs: m(1), rangeMs: m(2) }), 0.5);
    // A naive sum would give 0.
    assert.equal(1 + 1e100 + 1 - 1e100, 0);
  });

  it("matches upstream on values of very different magnitudes", () => {
    const at = (values: string) =>
      evalRange("avg_over_time", load(s(5), values), { tsMs: s(55), rangeMs: m(1) });
    assertClose(at("1e10 1e-6 1e-6 1e-6 1e-6 1e-6"), 1.6666666666666675e9);
    assertClose(
      at(
        "5.30921651659898 0.961118537914768 1.62091361305318 0.865089463758091 0.323055185914577 0.951811357687154",
      ),
      1.67186744582113,
    );
    assertClose(at("1.78264e50 0.76342771 1.9592258 7.69805412 458.90154"), 3.56528e49);
    assertClose(
      at("1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 458.90154"),
      3.76333333333333e219,
    );
    assertClose(
      at("-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 1.78264E+215 -458.90154"),
      3.225714285714286e219,
    );
    // The large values cancel; even Kahan summation ends at 0 instead of -44.848083237.
    assert.equal(
      at(
        "-2.258E+220 -1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 1.78264E+219 -458.90154",
      ),
      0,
    );
  });

  it("gives the exact mean of a constant series", () => {
    const pts = load(s(10), "52+0x100");
    for (const r of [100, 110, 120, 130]) {
      assert.equal(evalRange("avg_over_time", pts, { tsMs: m(10), rangeMs: s(r) }), 52);
    }
  });

  it("sums dense samples exactly", () => {
    const pts = load(1, "1+0x4000");
    for (const r of [1000, 1001, 1002, 1003, 2000, 3003]) {
      assert.equal(evalRange("sum_over_time", pts, { tsMs: s(4), rangeMs: r }), r);
    }
  });
});

describe("stddev_over_time, stdvar_over_time, mad_over_time", () => {
  it("computes the population variance", () => {
    const pts = load(s(10), "0 8 8 2 3");
    assertClose(evalRange("stdvar_over_time", pts, { tsMs: m(1), rangeMs: m(2) }), 10.56);
    assertClose(evalRange("stddev_over_time", pts, { tsMs: m(1), rangeMs: m(2) }), 3.249615);
  });

  it("is exactly 0 for a constant series", () => {
    const pts = load(s(10), "1.5990505637277868 1.5990505637277868 1.5990505637277868");
    assert.equal(evalRange("stdvar_over_time", pts, { tsMs: s(55), rangeMs: m(1) }), 0);
    assert.equal(evalRange("stddev_over_time", pts, { tsMs: s(55), rangeMs: m(1) }), 0);
  });

  it("computes the median absolute deviation", () => {
    // The window (0, 70s] holds 6 2 1 999 1 2: median 2, deviations 4 0 1 997 1 0, median 1.
    const pts = load(s(10), "4 6 2 1 999 1 2");
    assert.equal(evalRange("mad_over_time", pts, { tsMs: s(70), rangeMs: s(70) }), 1);
  });
});

describe("min/max_over_time and the ts_of_* functions", () => {
  const at = (fn: string, values: string) =>
    evalRange(fn, load(s(10), values), { tsMs: m(1), rangeMs: m(2) });

  it("ignores NaN unless all values are NaN", () => {
    const cases: [string, number, number, number][] = [
      ["2 0 3", 0, 3, 3],
      ["2 0 NaN", 0, 2, NaN],
      ["2 NaN 1", 1, 2, 1],
      ["NaN 0 1", 0, 1, 1],
      ["NaN NaN NaN", NaN, NaN, NaN],
    ];
    for (const [values, min, max, last] of cases) {
      assert.ok(Object.is(at("min_over_time", values), min), `min of ${values}`);
      assert.ok(Object.is(at("max_over_time", values), max), `max of ${values}`);
      assert.ok(Object.is(at("last_over_time", values), last), `last of ${values}`);
      assert.equal(at("count_over_time", values), 3);
    }
  });

  it("reports the time of the extreme sample, the last one on ties", () => {
    const pts = load(10_053, "1 2 3 0 5 6 2 1 4");
    const e = { tsMs: s(90), rangeMs: s(90) };
    assert.equal(evalRange("ts_of_min_over_time", pts, e), 30.159);
    assert.equal(evalRange("ts_of_max_over_time", pts, e), 50.265);
    const ties = [
      { t: 1000, f: 5 },
      { t: 2000, f: 1 },
      { t: 3000, f: 5 },
      { t: 4000, f: 1 },
    ];
    const e2 = { tsMs: 4000, rangeMs: 4000 };
    assert.equal(evalRange("ts_of_max_over_time", ties, e2), 3);
    assert.equal(evalRange("ts_of_min_over_time", ties, e2), 4);
  });

  it("reports the time of the last sample", () => {
    const pts = load(10_053, "1 2 3 _ _");
    assert.equal(evalRange("ts_of_last_over_time", pts, { tsMs: s(90), rangeMs: s(90) }), 20.106);
    assert.equal(evalRange("ts_of_last_over_time", pts, { tsMs: s(95), rangeMs: s(90) }), 20.106);
    // Upstream compares with the (absent) histogram time 0, so times before 1970 report 0.
    const early = [{ t: -5000, f: 1 }];
    assert.equal(evalRange("ts_of_last_over_time", early, { tsMs: 0, rangeMs: s(10) }), 0);
  });
});

describe("quantile_over_time", () => {
  const series: [string, string][] = [
    ["two", "0 1"],
    ["three", "0 1 2"],
    ["uneven", "0 1 4"],
  ];
  const expected: [number, number[]][] = [
    [0, [0, 0, 0]],
    [0.5, [0.5, 1, 1]],
    [0.75, [0.75, 1.5, 2.5]],
    [0.8, [0.8, 1.6, 2.8]],
    [1, [1, 2, 4]],
    [-1, [-Infinity, -Infinity, -Infinity]],
    [2, [Infinity, Infinity, Infinity]],
  ];

  it("interpolates between ranks", () => {
    for (const [q, wants] of expected) {
      series.forEach(([name, values], i) => {
        const got = evalRange("quantile_over_time", load(s(10), values), {
          tsMs: m(1),
          rangeMs: m(2),
          before: [q],
          args: callArgs(`quantile_over_time(${q}, data[2m])`),
        });
        assertClose(got, wants[i]!, `q=${q} ${name}`);
      });
    }
  });

  it("warns about a quantile outside [0, 1] at the argument's position", () => {
    for (const q of [-1, 2, NaN]) {
      const enh = newEnh({ ts: m(1), rangeMs: m(2) });
      const args = callArgs(`quantile_over_time(${q}, data[2m])`);
      call("quantile_over_time", [sc(q), win({}, load(s(10), "0 1"))], args, enh);
      const text = q === -1 ? "-1" : q === 2 ? "2" : "NaN";
      assert.deepEqual(annotationTexts(enh), [
        `PromQL warning: quantile value should be between 0 and 1, got ${text}`,
      ]);
      const [a] = [...enh.annotations];
      assert.deepEqual(a!.pos, args[0]!.pos);
    }
    const enh = newEnh({ ts: m(1), rangeMs: m(2) });
    call(
      "quantile_over_time",
      [sc(0.5), win({}, load(s(10), "0 1"))],
      callArgs("quantile_over_time(0.5, x[2m])"),
      enh,
    );
    assert.equal(enh.annotations.size, 0);
  });

  it("orders NaN below all numbers", () => {
    const pts = load(s(10), "3 NaN 1");
    const at = (q: number) =>
      evalRange("quantile_over_time", pts, { tsMs: m(1), rangeMs: m(2), before: [q] });
    assert.ok(Number.isNaN(at(0)!));
    assert.equal(at(1), 3);
    assert.equal(at(0.75), 2);
  });
});

describe("changes and resets", () => {
  const foo = load(m(5), "1 2 3 0 1 0 0 1 2 0");
  const bar = load(m(5), "1 2 3 4 5 1 2 3 4 5");
  const biz = load(m(5), "0 0 0 0 0 1 1 1 1 1");
  const at50 = (fn: string, pts: typeof foo, r: number) =>
    evalRange(fn, pts, { tsMs: m(50), rangeMs: m(r) });

  it("counts decreases", () => {
    assert.equal(at50("resets", foo, 5), undefined);
    assert.deepEqual(
      [10, 20, 30, 32, 50].map((r) => at50("resets", foo, r)),
      [0, 1, 1, 2, 3],
    );
    assert.deepEqual(
      [10, 20, 30, 32, 50].map((r) => at50("resets", bar, r)),
      [0, 0, 0, 1, 1],
    );
    assert.equal(at50("resets", biz, 50), 0);
  });

  it("counts value changes, with NaN equal to NaN", () => {
    assert.deepEqual(
      [6, 20, 30, 50].map((r) => at50("changes", foo, r)),
      [0, 2, 3, 7],
    );
    assert.deepEqual(
      [6, 20, 30, 50].map((r) => at50("changes", bar, r)),
      [0, 2, 4, 8],
    );
    assert.deepEqual(
      [6, 20, 30, 50].map((r) => at50("changes", biz, r)),
      [0, 0, 0, 1],
    );
    const e = { tsMs: m(15), rangeMs: m(20) };
    assert.equal(evalRange("changes", load(m(5), "NaN NaN NaN"), e), 0);
    assert.equal(evalRange("changes", load(m(5), "0 NaN 0"), e), 2);
  });
});

describe("deriv and predict_linear", () => {
  const reset = load(m(5), "0+10x4 0+10x5");

  it("fits a least-squares slope", () => {
    assertClose(
      evalRange("deriv", load(m(5), "0+80x10"), { tsMs: m(50), rangeMs: m(50) }),
      0.26666666666666666,
    );
    assertClose(evalRange("deriv", reset, { tsMs: m(50), rangeMs: m(100) }), 0.010606060606060607);
    const inf = load(m(5), "-Inf 0+80x10 Inf");
    assert.ok(Number.isNaN(evalRange("deriv", inf, { tsMs: m(100), rangeMs: m(100) })!));
    assert.equal(evalRange("deriv", load(m(5), "3 3 3"), { tsMs: m(10), rangeMs: m(20) }), 0);
  });

  it("predicts from the intercept at the evaluation time", () => {
    const e = (tsMs: number, rangeMs: number, offsetMs = 0) => ({
      tsMs,
      rangeMs,
      offsetMs,
      after: [3600],
    });
    assertClose(evalRange("predict_linear", reset, e(m(50), m(50))), 70);
    // x[55m] @ 3000 evaluated at 50m, 10m and 70m: the window stays, the intercept moves.
    assertClose(evalRange("predict_linear", reset, e(m(50), m(55), m(0))), 76.81818181818181);
    assertClose(
      evalRange("predict_linear", reset, e(m(10), m(55), m(10) - s(3000))),
      51.36363636363637,
    );
    assertClose(
      evalRange("predict_linear", reset, e(m(70), m(55), m(70) - s(3000))),
      89.54545454545455,
    );
    const inf = load(m(5), "-Inf 0+80x10 Inf");
    const got = evalRange("predict_linear", inf, { tsMs: m(100), rangeMs: m(100), after: [6000] });
    assert.ok(Number.isNaN(got!));
  });
});

describe("double_exponential_smoothing", () => {
  const at = (values: string, sf = 0.01, tf = 0.1) =>
    evalRange("double_exponential_smoothing", load(s(10), values), {
      tsMs: s(8000),
      rangeMs: m(1),
      after: [sf, tf],
    });

  it("follows linear trends", () => {
    assertClose(at("0+10x1000 100+30x1000"), 8000);
    assertClose(at("0+20x1000 200+30x1000"), 16000);
    assertClose(at("0+30x1000 300+80x1000"), 24000);
    assertClose(at("0+40x2000"), 32000);
    assertClose(at("8000-10x1000"), 0);
    assertClose(at("0-20x1000"), -16000);
    assertClose(at("0-40x1000 0+40x1000"), -32000);
  });

  it("smooths by hand-computed steps", () => {
    // s1 = 1, b = 2 (3 - 1); step 1: b stays 2, s1 = 0.5*3 + 0.5*(1 + 2) = 3;
    // step 2: b = 0.5*(3 - 1) + 0.5*2 = 2, s1 = 0.5*4 + 0.5*(3 + 2) = 4.5.
    const pts = [
      { t: 1000, f: 1 },
      { t: 2000, f: 3 },
      { t: 3000, f: 4 },
    ];
    const got = evalRange("double_exponential_smoothing", pts, {
      tsMs: 3000,
      rangeMs: 3000,
      after: [0.5, 0.5],
    });
    assert.equal(got, 4.5);
  });

  it("rejects factors outside (0, 1) with upstream's messages", () => {
    const bad = (sf: number, tf: number) => () => at("1+1x1000", sf, tf);
    assert.throws(bad(0, 0.5), {
      name: "QueryError",
      message: "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000",
    });
    assert.throws(bad(1, 0.5), {
      message: "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000",
    });
    assert.throws(bad(0.5, -0.25), {
      message: "invalid trend factor. Expected: 0 < tf < 1, got: -0.250000",
    });
    assert.throws(bad(0.5, Infinity), {
      message: "invalid trend factor. Expected: 0 < tf < 1, got: +Inf",
    });
    try {
      bad(2, 0.5)();
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof QueryError);
      assert.equal(err.errorType, "execution");
    }
    // NaN passes the checks (every comparison with NaN is false) and poisons the result.
    assert.ok(Number.isNaN(at("1+1x1000", NaN, 0.5)!));
  });

  it("needs two samples but validates the factors first", () => {
    const one = [{ t: 1000, f: 1 }];
    assert.equal(
      evalRange("double_exponential_smoothing", one, {
        tsMs: 1000,
        rangeMs: 1000,
        after: [0.5, 0.5],
      }),
      undefined,
    );
    assert.throws(() =>
      evalRange("double_exponential_smoothing", one, {
        tsMs: 1000,
        rangeMs: 1000,
        after: [0, 0.5],
      }),
    );
  });
});

describe("present_over_time and absent_over_time", () => {
  it("report 1 for a window with samples", () => {
    const pts = load(m(1), "1 NaN");
    assert.equal(evalRange("present_over_time", pts, { tsMs: m(1), rangeMs: m(5) }), 1);
    assert.equal(evalRange("absent_over_time", pts, { tsMs: m(1), rangeMs: m(5) }), 1);
    assert.equal(evalRange("present_over_time", pts, { tsMs: m(10), rangeMs: m(5) }), undefined);
  });
});
