import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLabels } from "../../../model/labels/index.ts";
import { FUNCTIONS } from "../../parser/index.ts";
import type { Sample, Vector } from "../value.ts";
import { FUNCTION_CALLS, labelsForAbsent } from "./index.ts";
import { call, callArgs, lbls, newEnh, sc, smp } from "./testutil.ts";

/** values returns the output values keyed by rendered labels. */
function byLabels(v: Vector): Record<string, number> {
  return Object.fromEntries(v.map((s) => [formatLabels(s.metric), s.f]));
}

function apply(name: string, input: Sample[], ...scalars: number[]): Record<string, number> {
  return byLabels(call(name, [input, ...scalars.map(sc)], []));
}

function assertSame(actual: Record<string, number>, expected: Record<string, number>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) {
    assert.ok(
      Object.is(actual[k], v) || (v === 0 && actual[k] === 0),
      `${k}: ${actual[k]} != ${v}`,
    );
  }
}

describe("FUNCTION_CALLS", () => {
  it("implements every parser function but label_replace, label_join and info", () => {
    const expected = Object.keys(FUNCTIONS)
      .filter((n) => n !== "label_replace" && n !== "label_join" && n !== "info")
      .sort();
    assert.deepEqual(Object.keys(FUNCTION_CALLS).sort(), expected);
  });
});

describe("element-wise math", () => {
  const data = [2.5, 2, -2.5, -2, 0, -0, Infinity, -Infinity, NaN].map((f, i) =>
    smp({ __name__: "data", i: String(i) }, f),
  );
  const expect = (values: number[]) => Object.fromEntries(values.map((f, i) => [`{i="${i}"}`, f]));

  it("abs, ceil, floor and round (ties up)", () => {
    const run = (fn: string) =>
      byLabels(call(fn, [data], [], newEnh({ enableDelayedNameRemoval: false })));
    assertSame(run("abs"), expect([2.5, 2, 2.5, 2, 0, 0, Infinity, Infinity, NaN]));
    assertSame(run("ceil"), expect([3, 2, -2, -2, 0, -0, Infinity, -Infinity, NaN]));
    assertSame(run("floor"), expect([2, 2, -3, -2, 0, -0, Infinity, -Infinity, NaN]));
    assertSame(run("round"), expect([3, 2, -2, -2, 0, 0, Infinity, -Infinity, NaN]));
  });

  it("round to the nearest multiple", () => {
    const r = (v: number, to: number) => call("round", [[smp({}, v)], sc(to)], [])[0]!.f;
    assert.equal(r(1.25, 0.1), 1.3);
    assert.equal(r(-1.25, 0.1), -1.2);
    assert.equal(r(7, 5), 5);
    assert.equal(r(7.5, 5), 10);
    assert.equal(r(1 / 3, 0.01), 0.33);
    assert.ok(Number.isNaN(r(1, 0))); // floor(1 * Inf + 0.5) / Inf
  });

  it("sgn keeps zeros and NaN", () => {
    const out = apply(
      "sgn",
      [-Infinity, Infinity, NaN, -50, 0, 100].map((f, i) => smp({ i: String(i) }, f)),
    );
    assertSame(out, expect([-1, 1, NaN, -1, 0, 1]));
  });

  it("exp, ln, log2, log10 and sqrt give Go's results", () => {
    const one = (fn: string, v: number) => call(fn, [[smp({}, v)]], [])[0]!.f;
    assert.equal(one("exp", 10), 22026.465794806718);
    assert.equal(one("exp", 20), 485165195.4097903);
    assert.equal(one("exp", -1), 0.36787944117144233);
    // Go's amd64 Exp overflows early and scales subnormal results in two steps.
    assert.equal(one("exp", 709.5), Infinity);
    assert.equal(one("exp", -709), 1.216780750623423e-308);
    assert.equal(one("exp", -745), 5e-324);
    assert.equal(one("ln", 10), 2.302585092994046);
    assert.equal(one("ln", 20), 2.995732273553991);
    assert.equal(one("ln", 0), -Infinity);
    assert.ok(Number.isNaN(one("ln", -10)));
    // The amd64 Log reads subnormal inputs as if they were normal.
    assert.equal(one("ln", 5e-324), -709.0895657128241);
    assert.equal(one("sqrt", 10), 3.1622776601683795);
    assert.equal(one("sqrt", 20), 4.47213595499958);
    // Reference outputs of Prometheus 3.5.3 on amd64 (the conformance script's
    // 3.3219280948873626 for log2(10) is within its tolerance).
    assert.equal(one("log2", 10), 3.321928094887362);
    assert.equal(one("log2", 20), 4.321928094887363);
    assert.equal(one("log2", 8), 3);
    assert.equal(one("log2", 2 ** -1074), -1074);
    assert.equal(one("log10", 10), 1);
    assert.equal(one("log10", 20), 1.301029995663981); // Math.log10 gives ...813
    assert.equal(one("log10", 1e15), 14.999999999999998);
    assert.equal(one("log10", 0), -Infinity);
  });

  it("trigonometric functions give Go's (Cephes) results", () => {
    const one = (fn: string, v: number) => call(fn, [[smp({}, v)]], [])[0]!.f;
    const cases: [string, number, number][] = [
      ["sin", 10, -0.5440211108893699], // Math.sin: ...698
      ["sin", 20, 0.9129452507276277],
      ["cos", 10, -0.8390715290764524],
      ["cos", 20, 0.40808206181339196],
      ["tan", 10, 0.6483608274590867], // Math.tan: ...866
      ["tan", 20, 2.2371609442247427],
      ["atan", 10, 1.4711276743037345], // Math.atan: ...347
      ["atan", 20, 1.5208379310729538],
      ["asin", 10 - 10.1, -0.10016742116155944],
      ["acos", 10 - 10.1, 1.670963747956456],
      ["sinh", 10, 11013.232874703393],
      ["sinh", 20, 2.4258259770489514e8],
      ["cosh", 10, 11013.232920103324],
      ["cosh", 0.001, 1.0000005000000416], // (e + 1/e) / 2, not (e + e⁻) / 2
      ["tanh", 10, 0.9999999958776927],
      ["tanh", 20, 1],
      ["asinh", 10, 2.99822295029797],
      ["asinh", 20, 3.6895038689889055],
      ["acosh", 10, 2.993222846126381],
      ["acosh", 20, 3.6882538673612966],
      ["atanh", 0.5, 0.5493061443340548],
      ["sin", 1e300, -0.8178819121159087], // Payne-Hanek reduction
    ];
    for (const [fn, x, want] of cases) assert.equal(one(fn, x), want, `${fn}(${x})`);
    assert.ok(Number.isNaN(one("asin", 2)));
    assert.ok(Number.isNaN(one("sin", Infinity)));
    assert.ok(Object.is(one("sin", -0), -0));
  });

  it("deg and rad", () => {
    assert.equal(call("deg", [[smp({}, Math.PI)]], [])[0]!.f, 180);
    assert.equal(call("rad", [[smp({}, 180)]], [])[0]!.f, Math.PI);
  });
});

describe("__name__ handling", () => {
  const input = [smp({ __name__: "m", __type__: "counter", __unit__: "s", env: "1" }, 4)];

  it("marks the samples when name removal is delayed", () => {
    const [out] = call("sqrt", [input], [], newEnh({ enableDelayedNameRemoval: true }));
    assert.deepEqual(out!.metric, input[0]!.metric);
    assert.equal(out!.dropName, true);
    assert.equal(out!.f, 2);
  });

  it("drops __name__, __type__ and __unit__ right away otherwise", () => {
    for (const fn of ["abs", "clamp_min", "timestamp", "year"]) {
      const vals = fn === "clamp_min" ? [input, sc(0)] : [input];
      const [out] = call(fn, vals, [], newEnh({ enableDelayedNameRemoval: false }));
      assert.deepEqual(out!.metric, lbls({ env: "1" }), fn);
      assert.equal(out!.dropName, true);
    }
  });

  it("leaves the input vector alone", () => {
    call("abs", [input], [], newEnh({ enableDelayedNameRemoval: false }));
    assert.equal(input[0]!.metric.length, 4);
  });
});

describe("clamp, clamp_min, clamp_max", () => {
  const input = [-50, 0, 100].map((f, i) => smp({ src: "abc"[i]! }, f));
  const exp = (a: number, b: number, c: number) => ({
    '{src="a"}': a,
    '{src="b"}': b,
    '{src="c"}': c,
  });

  it("limits values", () => {
    assertSame(apply("clamp_max", input, 75), exp(-50, 0, 75));
    assertSame(apply("clamp_min", input, -25), exp(-25, 0, 100));
    assertSame(apply("clamp", input, -25, 75), exp(-25, 0, 75));
  });

  it("returns NaN for a NaN bound and nothing when min > max", () => {
    assertSame(apply("clamp", input, 0, NaN), exp(NaN, NaN, NaN));
    assertSame(apply("clamp", input, NaN, 0), exp(NaN, NaN, NaN));
    assert.deepEqual(call("clamp", [input, sc(5), sc(-5)], []), []);
  });
});

describe("date functions", () => {
  const at = (fn: string, v: number) => call(fn, [[smp({}, v)]], [])[0]!.f;

  it("use the argument's value as Unix seconds in UTC", () => {
    const t = 1136239445; // 2006-01-02T22:04:05Z, a Monday
    assert.deepEqual(
      [
        "year",
        "month",
        "day_of_month",
        "day_of_year",
        "day_of_week",
        "hour",
        "minute",
        "days_in_month",
      ].map((fn) => at(fn, t)),
      [2006, 1, 2, 2, 1, 22, 4, 31],
    );
    assert.equal(at("year", 1230767999), 2008);
    assert.equal(at("year", 1230768000), 2009);
    assert.equal(at("month", 1456790399) + at("day_of_month", 1456790399) / 100, 2.29);
    assert.equal(at("day_of_year", 1483191420), 366);
    assert.equal(at("day_of_year", 1672493820), 365);
    assert.equal(at("days_in_month", 1454284800), 29);
    assert.equal(at("days_in_month", 1485907200), 28);
    // Fractions truncate toward zero: -0.5 is 1970-01-01T00:00:00, -1 the second before.
    assert.equal(at("year", -0.5), 1970);
    assert.equal(at("year", -1), 1969);
    assert.equal(at("minute", -1), 59);
  });

  it("use the evaluation time without an argument", () => {
    const enh = newEnh({ ts: 0 });
    const f = (fn: string) => call(fn, [], [], enh)[0]!;
    assert.equal(f("year").f, 1970);
    assert.equal(f("day_of_week").f, 4); // Thursday
    assert.equal(f("hour").f, 0);
    assert.deepEqual(f("month").metric, lbls({}));
    enh.ts = 1136239445_999;
    assert.equal(f("minute").f, 4);
  });

  it("follow Go for NaN, infinities and far-away times", () => {
    // Go converts NaN and ±Inf to int64 -2^63, which wraps around its absolute epoch.
    for (const v of [NaN, Infinity]) {
      assert.deepEqual(
        [
          "year",
          "month",
          "day_of_month",
          "day_of_year",
          "day_of_week",
          "hour",
          "minute",
          "days_in_month",
        ].map((fn) => at(fn, v)),
        [292277026596, 12, 4, 339, 0, 15, 30, 31],
      );
    }
    assert.equal(at("year", 1e15), 31690708);
    assert.equal(at("month", 1e15), 7);
  });
});

describe("timestamp, vector, scalar, time, pi", () => {
  it("timestamp returns each sample's time in seconds", () => {
    const out = call("timestamp", [[smp({ a: "1" }, 5, 10_000), smp({ a: "2" }, 5, 1)]], []);
    assert.deepEqual(
      out.map((s) => s.f),
      [10, 0.001],
    );
  });

  it("vector, time and pi produce one unlabelled sample", () => {
    const enh = newEnh({ ts: 3_600_000 });
    assert.deepEqual(call("vector", [sc(1.5)], [], enh), [
      { metric: lbls({}), t: 3_600_000, f: 1.5, dropName: false },
    ]);
    assert.equal(call("time", [], [], enh)[0]!.f, 3600);
    assert.equal(call("time", [], [], newEnh({ ts: 1 }))[0]!.f, 0.001);
    assert.equal(call("pi", [], [], enh)[0]!.f, Math.PI);
  });

  it("scalar needs exactly one element", () => {
    assert.equal(call("scalar", [[smp({ l: "x" }, 1)]], [])[0]!.f, 1);
    assert.ok(Number.isNaN(call("scalar", [[]], [])[0]!.f));
    assert.ok(Number.isNaN(call("scalar", [[smp({ l: "x" }, 1), smp({ l: "y" }, 2)]], [])[0]!.f));
  });
});

describe("sort and sort_desc", () => {
  // The input in label order, as a selector returns it.
  const input = [
    ["canary", "0", "api-server", 300],
    ["canary", "0", "app-server", 700],
    ["canary", "1", "api-server", 400],
    ["canary", "1", "app-server", 800],
    ["canary", "2", "api-server", NaN],
    ["production", "0", "api-server", 100],
    ["production", "0", "app-server", 500],
    ["production", "1", "api-server", 200],
    ["production", "1", "app-server", 600],
  ].map(([group, instance, job, f]) =>
    smp(
      {
        __name__: "http_requests",
        group: String(group),
        instance: String(instance),
        job: String(job),
      },
      Number(f),
    ),
  );

  it("orders by value with NaN last", () => {
    const values = (fn: string) => call(fn, [input], []).map((s) => s.f);
    assert.deepEqual(values("sort"), [100, 200, 300, 400, 500, 600, 700, 800, NaN]);
    assert.deepEqual(values("sort_desc"), [800, 700, 600, 500, 400, 300, 200, 100, NaN]);
  });

  it("keeps labels and does not modify its input", () => {
    const before = input.map((s) => s.f);
    const out = call("sort", [input], []);
    assert.deepEqual(out[0]!.metric, input[5]!.metric);
    assert.deepEqual(
      input.map((s) => s.f),
      before,
    );
  });
});

describe("sort_by_label and sort_by_label_desc", () => {
  const keys = (v: Vector, name: string) =>
    v.map((s) => s.metric.find((l) => l.name === name)?.value ?? "");

  it("compares numbers inside values naturally", () => {
    const cpus = ["0", "1", "10", "100", "11", "12", "2", "20", "21", "3"].map((cpu) =>
      smp({ cpu, job: "cpu" }, 100),
    );
    const out = call("sort_by_label", [cpus, "cpu"], callArgs('sort_by_label(x, "cpu")'));
    assert.deepEqual(keys(out, "cpu"), ["0", "1", "2", "3", "10", "11", "12", "20", "21", "100"]);
    const nodes = [
      smp({ instance: "4m1000", release: "1.111.3" }, 1),
      smp({ instance: "4m5", release: "1.11.3" }, 1),
      smp({ instance: "4m600", release: "1.2.3" }, 1),
    ];
    assert.deepEqual(keys(call("sort_by_label", [nodes, "instance"], []), "instance"), [
      "4m5",
      "4m600",
      "4m1000",
    ]);
    assert.deepEqual(keys(call("sort_by_label", [nodes, "release"], []), "release"), [
      "1.2.3",
      "1.11.3",
      "1.111.3",
    ]);
  });

  it("breaks ties on later labels and then the full label set", () => {
    const input = [
      smp({ group: "canary", instance: "0", job: "api-server" }, 1),
      smp({ group: "canary", instance: "0", job: "app-server" }, 2),
      smp({ group: "canary", instance: "1", job: "api-server" }, 3),
      smp({ group: "production", instance: "0", job: "api-server" }, 4),
      smp({ group: "production", instance: "1", job: "app-server" }, 5),
    ];
    const asc = call("sort_by_label", [input, "instance"], []);
    assert.deepEqual(
      asc.map((s) => s.f),
      [1, 2, 4, 3, 5],
    );
    const desc = call("sort_by_label_desc", [input, "instance", "group"], []);
    assert.deepEqual(
      desc.map((s) => s.f),
      [5, 3, 4, 2, 1],
    );
  });

  it("reproduces upstream's order around missing labels", () => {
    // natsort says neither "" < "a" nor "a" < "", so Go's insertion sort cannot move "a"
    // past the empty value: b, "", a stays as it is.
    const input = [smp({ l: "b" }, 1), smp({}, 2), smp({ l: "a" }, 3)];
    assert.deepEqual(
      call("sort_by_label", [input, "l"], []).map((s) => s.f),
      [1, 2, 3],
    );
    const input2 = [smp({ l: "b" }, 1), smp({ l: "a" }, 3), smp({}, 2)];
    assert.deepEqual(
      call("sort_by_label", [input2, "l"], []).map((s) => s.f),
      [3, 1, 2],
    );
  });

  it("reads label names from string literals when the evaluator passes none", () => {
    const input = [smp({ l: "b" }, 1), smp({ l: "a" }, 2)];
    const out = call("sort_by_label", [input], callArgs('sort_by_label(x, ("l"))'));
    assert.deepEqual(
      out.map((s) => s.f),
      [2, 1],
    );
  });
});

describe("absent", () => {
  const absentLabels = (q: string) => formatLabels(labelsForAbsent(callArgs(q)[0]!));

  it("returns 1 labelled by the selector's single equality matchers", () => {
    const args = callArgs(
      'absent(nonexistent{job="testjob", instance="testinstance", method=~".x"})',
    );
    assert.deepEqual(call("absent", [[]], args, newEnh({ ts: 3_000_000 })), [
      {
        metric: lbls({ instance: "testinstance", job: "testjob" }),
        t: 3_000_000,
        f: 1,
        dropName: false,
      },
    ]);
    assert.equal(absentLabels("absent(nonexistent)"), "{}");
    assert.equal(
      absentLabels('absent(nonexistent{job="testjob",job="testjob2",foo="bar"})'),
      '{foo="bar"}',
    );
    assert.equal(
      absentLabels('absent(nonexistent{job="a",job="b",job="c",foo="bar"})'),
      '{foo="bar"}',
    );
    assert.equal(
      absentLabels('absent(nonexistent{job="testjob",job=~"testjob2",foo="bar"})'),
      '{foo="bar"}',
    );
    // A non-equality matcher first removes nothing yet; the later equality matcher counts.
    assert.equal(absentLabels('absent(x{job=~"a", job="b"})'), '{job="b"}');
    assert.equal(absentLabels('absent(sum(nonexistent{job="testjob"}))'), "{}");
    assert.equal(absentLabels('absent((nonexistent{a="b"}))'), '{a="b"}');
  });

  it("returns nothing when the vector has elements", () => {
    assert.deepEqual(call("absent", [[smp({ a: "b" }, 1)]], callArgs("absent(x)")), []);
  });

  it("labels absent_over_time from matrix selectors only", () => {
    assert.equal(
      absentLabels('absent_over_time(http_requests_total{handler="/foo"}[5m])'),
      '{handler="/foo"}',
    );
    assert.equal(absentLabels('absent_over_time(http_requests_total{handler!="/foo"}[5m])'), "{}");
    assert.equal(
      absentLabels('absent_over_time(x{handler="/foo", handler="/bar", instance="127.0.0.1"}[5m])'),
      '{instance="127.0.0.1"}',
    );
    assert.equal(absentLabels('absent_over_time(rate(nonexistent{a="b"}[5m])[5m:])'), "{}");
  });
});
