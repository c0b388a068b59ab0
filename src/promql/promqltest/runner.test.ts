import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Labels } from "../../model/labels/index.ts";
import { labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN } from "../../model/value/index.ts";
import { Annotations } from "../engine/annotations.ts";
import type { Annotation } from "../engine/annotations.ts";
import type { QueryValue } from "../engine/value.ts";
import type { FakeAnswer, FakeCall } from "./fake-engine.ts";
import { FakeEngine, SelectorEngine } from "./fake-engine.ts";
import type { EvalResult, PromQLEngine, RunOptions } from "./index.ts";
import {
  almostEqual,
  histogramFromLiteral,
  parseHistogramLiteral,
  parseScript,
  runScript,
  runScriptText,
  stepInvarianceTimes,
  tally,
  withAtModifier,
} from "./index.ts";

const NO_EXTRA: RunOptions = { stepInvariance: false, rangeMode: false };

function ls(rec: Record<string, string>): Labels {
  return labelsFromRecord(rec);
}

function vector(...samples: [Record<string, string>, number][]): QueryValue {
  return {
    type: "vector",
    vector: samples.map(([m, f]) => ({ metric: ls(m), t: 0, f, dropName: false })),
  };
}

function scalar(f: number): QueryValue {
  return { type: "scalar", scalar: { t: 0, f } };
}

function answering(value: QueryValue | (() => never), annotations?: Annotations): FakeEngine {
  return new FakeEngine(() => {
    if (typeof value === "function") value();
    return { value: value as QueryValue, annotations };
  });
}

async function run(
  script: string,
  engine: PromQLEngine,
  options: RunOptions = NO_EXTRA,
): Promise<EvalResult[]> {
  return runScript(parseScript(script), engine, options);
}

async function one(
  script: string,
  engine: PromQLEngine,
  options: RunOptions = NO_EXTRA,
): Promise<EvalResult> {
  const results = await run(script, engine, options);
  assert.equal(results.length, 1);
  return results[0]!;
}

async function assertPasses(script: string, engine: PromQLEngine, options?: RunOptions) {
  const r = await one(script, engine, options);
  assert.equal(r.status, "passed", r.reason);
}

async function assertFails(
  script: string,
  engine: PromQLEngine,
  reason: RegExp,
  options?: RunOptions,
): Promise<void> {
  const r = await one(script, engine, options);
  assert.equal(r.status, "failed", "eval passed but should have failed");
  assert.match(r.reason ?? "", reason);
}

function warning(text: string, start = 0): Annotation {
  return { kind: "warning", text: `PromQL warning: ${text}`, pos: { start, end: start + 1 } };
}

function info(text: string): Annotation {
  return { kind: "info", text: `PromQL info: ${text}`, pos: { start: 0, end: 1 } };
}

const TWO = 'eval instant at 1m foo\n  foo{a="1"} 1\n  foo{a="2"} 2';
const TWO_RESULT = vector([{ __name__: "foo", a: "1" }, 1], [{ __name__: "foo", a: "2" }, 2]);

describe("instant vector checks", () => {
  it("passes on an exact match in any order", async () => {
    await assertPasses(TWO, answering(TWO_RESULT));
    await assertPasses(
      TWO,
      answering(vector([{ __name__: "foo", a: "2" }, 2], [{ __name__: "foo", a: "1" }, 1])),
    );
  });

  it("detects a wrong value", async () => {
    await assertFails(
      TWO,
      answering(vector([{ __name__: "foo", a: "1" }, 1], [{ __name__: "foo", a: "2" }, 3])),
      /expected 2 for foo\{a="2"\} but got 3/,
    );
  });

  it("detects a missing series", async () => {
    await assertFails(
      TWO,
      answering(vector([{ __name__: "foo", a: "1" }, 1])),
      /expected metric foo\{a="2"\} with 2 not found/,
    );
  });

  it("detects an extra series", async () => {
    await assertFails(
      TWO,
      answering(
        vector(
          [{ __name__: "foo", a: "1" }, 1],
          [{ __name__: "foo", a: "2" }, 2],
          [{ __name__: "foo", a: "3" }, 3],
        ),
      ),
      /unexpected metric foo\{a="3"\} in result/,
    );
  });

  it("compares the label set exactly, including the name", async () => {
    await assertFails(
      'eval instant at 0 foo\n  {a="1"} 1',
      answering(vector([{ __name__: "foo", a: "1" }, 1])),
      /unexpected metric/,
    );
  });

  it("expects an empty vector when there are no result lines", async () => {
    await assertPasses("eval instant at 0 foo", answering(vector()));
    await assertFails("eval instant at 0 foo", answering(vector([{ a: "1" }, 1])), /unexpected/);
  });

  it("checks the order only with expect ordered", async () => {
    const reversed = answering(
      vector([{ __name__: "foo", a: "2" }, 2], [{ __name__: "foo", a: "1" }, 1]),
    );
    await assertFails(
      TWO.replace("foo\n", "foo\n  expect ordered\n"),
      reversed,
      /expected metric foo\{a="2"\} at position 2 but was at 1/,
    );
    await assertFails(TWO.replace("eval ", "eval_ordered "), reversed, /at position 2/);
    await assertPasses(TWO.replace("foo\n", "foo\n  expect ordered\n"), answering(TWO_RESULT));
  });

  it("compares floats with a relative epsilon of 1e-6", async () => {
    const script = "eval instant at 0 foo\n  foo 1000000";
    await assertPasses(script, answering(vector([{ __name__: "foo" }, 1000000.5])));
    await assertFails(script, answering(vector([{ __name__: "foo" }, 1000003])), /but got 1000003/);
    await assertPasses(
      "eval instant at 0 foo\n  foo 0",
      answering(vector([{ __name__: "foo" }, 1e-320])),
    );
    await assertFails(
      "eval instant at 0 foo\n  foo 0",
      answering(vector([{ __name__: "foo" }, 1e-12])),
      /expected 0/,
    );
    assert.ok(almostEqual(1, 1 + 1e-7));
    assert.ok(!almostEqual(1, 1 + 1e-5));
    assert.ok(almostEqual(Infinity, Infinity));
    assert.ok(!almostEqual(Infinity, -Infinity));
  });

  it("treats NaN as equal to NaN but a stale marker only as equal to a stale marker", async () => {
    await assertPasses(
      "eval instant at 0 foo\n  foo NaN",
      answering(vector([{ __name__: "foo" }, NaN])),
    );
    await assertPasses(
      "eval instant at 0 foo\n  foo stale",
      answering(vector([{ __name__: "foo" }, STALE_NAN])),
    );
    await assertFails(
      "eval instant at 0 foo\n  foo stale",
      answering(vector([{ __name__: "foo" }, NaN])),
      /expected stale for foo but got NaN/,
    );
    await assertFails(
      "eval instant at 0 foo\n  foo NaN",
      answering(vector([{ __name__: "foo" }, STALE_NAN])),
      /expected NaN for foo but got stale/,
    );
    assert.ok(almostEqual(STALE_NAN, STALE_NAN));
    assert.ok(!almostEqual(STALE_NAN, NaN));
  });

  it("fails a histogram expectation against a float", async () => {
    await assertFails(
      "eval instant at 0 foo\n  foo {{count:1 sum:1}}",
      answering(vector([{ __name__: "foo" }, 1])),
      /expected histogram \{\{count:1 sum:1\}\} for foo but got float value 1/,
    );
  });

  const histVector = (literal: string): QueryValue => ({
    type: "vector",
    vector: [
      {
        metric: ls({ __name__: "foo" }),
        t: 0,
        f: 0,
        h: histogramFromLiteral(parseHistogramLiteral(literal)),
        dropName: false,
      },
    ],
  });

  it("compares histograms after compaction, within epsilon", async () => {
    const engine = answering(histVector("{{count:3 sum:2 buckets:[0 1 2 0] offset:-1}}"));
    await assertPasses(
      "eval instant at 0 foo\n  foo {{count:3.0000000001 sum:2 buckets:[1 2]}}",
      engine,
    );
    await assertFails(
      "eval instant at 0 foo\n  foo {{count:3 sum:2 buckets:[1 2] offset:1}}",
      engine,
      /expected \{\{count:3 sum:2 offset:1 buckets:\[1 2\]\}\} for foo but got \{\{count:3 sum:2 buckets:\[1 2\]\}\}/,
    );
    await assertFails(
      "eval instant at 0 foo\n  foo 3",
      engine,
      /expected float value 3 for foo but got histogram/,
    );
  });

  it("compares the counter reset hint only when the expectation spells it out", async () => {
    const engine = answering(histVector("{{count:1 counter_reset_hint:gauge}}"));
    await assertPasses("eval instant at 0 foo\n  foo {{count:1}}", engine);
    await assertPasses("eval instant at 0 foo\n  foo {{count:1 counter_reset_hint:gauge}}", engine);
    await assertFails(
      "eval instant at 0 foo\n  foo {{count:1 counter_reset_hint:not_reset}}",
      engine,
      /expected \{\{count:1 counter_reset_hint:not_reset\}\}/,
    );
  });
});

describe("scalar and string checks", () => {
  it("compares scalars and rejects type mismatches", async () => {
    await assertPasses("eval instant at 0 1\n  1", answering(scalar(1)));
    await assertFails(
      "eval instant at 0 1\n  2",
      answering(scalar(1)),
      /expected scalar 2 but got 1/,
    );
    await assertFails(
      "eval instant at 0 foo\n  {} 1",
      answering(scalar(1)),
      /expected vector or matrix result, but got scalar 1/,
    );
    await assertFails(
      "eval instant at 0 foo\n  1",
      answering(vector([{}, 1])),
      /expected scalar result, but got vector/,
    );
  });

  it("compares strings", async () => {
    const str = (s: string): QueryValue => ({ type: "string", string: { t: 0, s } });
    await assertPasses('eval instant at 0 "a"\n  expect string "a"', answering(str("a")));
    await assertFails(
      'eval instant at 0 "a"\n  expect string "a"',
      answering(str("b")),
      /expected string "a" but got "b"/,
    );
  });
});

describe("error checks", () => {
  const boom = () => {
    throw new Error("boom: bad things");
  };

  it("passes an expected failure and checks its message", async () => {
    await assertPasses("eval instant at 0 foo\n  expect fail", answering(boom));
    await assertPasses(
      "eval instant at 0 foo\n  expect fail msg: boom: bad things",
      answering(boom),
    );
    await assertPasses("eval instant at 0 foo\n  expect fail regex: bad", answering(boom));
    await assertPasses(
      "eval_fail instant at 0 foo\n  expected_fail_message boom: bad things",
      answering(boom),
    );
    await assertPasses(
      "eval range from 0 to 1m step 1m foo\n  expect fail regex: ^boom",
      answering(boom),
    );
  });

  it("detects a wrong error message", async () => {
    await assertFails(
      "eval instant at 0 foo\n  expect fail msg: boom",
      answering(boom),
      /expected error matching message "boom", but got: boom: bad things/,
    );
    await assertFails(
      "eval instant at 0 foo\n  expect fail regex: ^bad",
      answering(boom),
      /expected error matching pattern "\^bad"/,
    );
    await assertFails(
      "eval_fail instant at 0 foo\n  expected_fail_regexp xyz",
      answering(boom),
      /pattern "xyz"/,
    );
  });

  it("fails when an expected failure does not happen, or an unexpected one does", async () => {
    await assertFails(
      "eval instant at 0 foo\n  expect fail",
      answering(vector()),
      /expected error evaluating query but got none/,
    );
    await assertFails("eval instant at 0 foo", answering(boom), /error evaluating query: boom/);
  });
});

describe("annotation checks", () => {
  const warned = (...as: Annotation[]) => {
    const annos = new Annotations();
    for (const a of as) annos.add(a);
    return answering(vector(), annos);
  };

  it("ignores annotations without expectations about them", async () => {
    await assertPasses("eval instant at 0 foo", warned(warning("w"), info("i")));
  });

  it("detects an unexpected warning with expect no_warn", async () => {
    await assertFails(
      "eval instant at 0 foo\n  expect no_warn",
      warned(warning("w")),
      /unexpected warning annotations/,
    );
    await assertPasses("eval instant at 0 foo\n  expect no_warn", warned(info("i")));
    await assertFails(
      "eval instant at 0 foo\n  expect no_info",
      warned(info("i")),
      /unexpected info annotations/,
    );
  });

  it("requires expected annotations and matches their text", async () => {
    await assertFails(
      "eval instant at 0 foo\n  expect warn",
      warned(),
      /expected warn annotations but none were found/,
    );
    await assertPasses("eval instant at 0 foo\n  expect warn", warned(warning("w")));
    await assertPasses(
      "eval instant at 0 foo\n  expect warn msg: PromQL warning: w",
      warned(warning("w")),
    );
    // The positioned rendering matches too.
    await assertPasses(
      "eval instant at 0 foo\n  expect warn msg: PromQL warning: w (1:1)",
      warned(warning("w")),
    );
    await assertFails(
      "eval instant at 0 foo\n  expect warn msg: PromQL warning: v",
      warned(warning("w")),
      /expected warn annotation matching message "PromQL warning: v"/,
    );
    await assertFails(
      "eval instant at 0 foo\n  expect warn msg: PromQL warning: w",
      warned(warning("w"), warning("x")),
      /unexpected warn annotation "PromQL warning: x \(1:1\)"/,
    );
    await assertPasses(
      "eval instant at 0 foo\n  expect info regex: i{2}",
      warned(info("ii"), warning("ignored")),
    );
    await assertFails("eval_warn instant at 0 foo", warned(info("i")), /expected warnings/);
    await assertPasses("eval_info instant at 0 foo", warned(info("i")));
  });
});

describe("matrix checks", () => {
  const matrix = (...series: [Record<string, string>, [number, number][]][]): QueryValue => ({
    type: "matrix",
    matrix: series.map(([m, pts]) => ({
      metric: ls(m),
      floats: pts.map(([t, f]) => ({ t, f })),
      histograms: [],
      dropName: false,
    })),
  });
  const RANGE = 'eval range from 0 to 2m step 1m foo\n  foo{a="1"} 1 _ 3\n  foo{a="2"} 1+1x2';

  it("passes on a matching matrix", async () => {
    await assertPasses(
      RANGE,
      answering(
        matrix(
          [
            { __name__: "foo", a: "1" },
            [
              [0, 1],
              [120_000, 3],
            ],
          ],
          [
            { __name__: "foo", a: "2" },
            [
              [0, 1],
              [60_000, 2],
              [120_000, 3],
            ],
          ],
        ),
      ),
    );
  });

  it("detects missing, extra and misplaced points, wrong values and missing series", async () => {
    const a2 = [
      { __name__: "foo", a: "2" },
      [
        [0, 1],
        [60_000, 2],
        [120_000, 3],
      ],
    ] as [Record<string, string>, [number, number][]];
    await assertFails(
      RANGE,
      answering(matrix([{ __name__: "foo", a: "1" }, [[0, 1]]], a2)),
      /expected 2 float points and 0 histogram points for foo\{a="1"\}, but got 1 float point/,
    );
    await assertFails(
      RANGE,
      answering(
        matrix(
          [
            { __name__: "foo", a: "1" },
            [
              [0, 1],
              [60_000, 3],
            ],
          ],
          a2,
        ),
      ),
      /index 1 for foo\{a="1"\} to have timestamp 120000, but it had timestamp 60000/,
    );
    await assertFails(
      RANGE,
      answering(
        matrix(
          [
            { __name__: "foo", a: "1" },
            [
              [0, 1],
              [120_000, 4],
            ],
          ],
          a2,
        ),
      ),
      /to be 3, but got 4/,
    );
    await assertFails(RANGE, answering(matrix(a2)), /expected metric foo\{a="1"\} not found/);
  });

  it("requires the matrix to be sorted by labels", async () => {
    await assertFails(
      RANGE,
      answering(
        matrix(
          [
            { __name__: "foo", a: "2" },
            [
              [0, 1],
              [60_000, 2],
              [120_000, 3],
            ],
          ],
          [
            { __name__: "foo", a: "1" },
            [
              [0, 1],
              [120_000, 3],
            ],
          ],
        ),
      ),
      /not sorted/,
    );
  });

  it("rejects more expected points than steps", async () => {
    await assertFails(
      "eval range from 0 to 1m step 1m foo\n  foo 1 2 3",
      answering(
        matrix([
          { __name__: "foo" },
          [
            [0, 1],
            [60_000, 2],
          ],
        ]),
      ),
      /cannot return this many points/,
    );
  });

  it("places expect range vector values on its own time grid", async () => {
    const engine = answering(
      matrix([
        { __name__: "foo" },
        [
          [10_000, 1],
          [30_000, 3],
        ],
      ]),
    );
    await assertPasses(
      "eval instant at 30s foo[30s]\n  expect range vector from 10s to 30s step 10s\n  foo 1 _ 3",
      engine,
      {},
    );
    // The instant query runs at the range's end, and range mode is not attempted.
    assert.ok(engine.calls.every((c: FakeCall) => c.kind === "instant"));
    assert.equal(engine.calls[0]!.tMs, 30_000);
  });
});

describe("extra instant checks", () => {
  it("adds @ to selectors and subqueries, re-printing the expression", () => {
    assert.equal(withAtModifier("foo", 10_000), "foo @ 10.000");
    assert.equal(withAtModifier("rate(foo[5m])", 1500), "rate(foo[5m] @ 1.500)");
    assert.equal(
      withAtModifier("foo @ 5 + bar offset 1m", 10_000),
      "foo @ 5.000 + bar @ 10.000 offset 1m",
    );
    assert.equal(
      withAtModifier("sum_over_time(foo[5m:1m])", 60_000),
      "sum_over_time(foo[5m:1m] @ 60.000)",
    );
    // Inside a subquery that has @, selectors keep their own time.
    assert.equal(
      withAtModifier("max_over_time(rate(foo[1m])[5m:] @ 100)", 60_000),
      "max_over_time(rate(foo[1m])[5m:] @ 100.000)",
    );
    assert.equal(withAtModifier("foo @ start()", 1000), "foo @ 1.000");
    assert.equal(withAtModifier("time() + foo", 1000), undefined);
    assert.equal(withAtModifier("1 + 2", 1000), "1 + 2");
    assert.deepEqual(stepInvarianceTimes(0), [-1000, 0, 1000]);
    assert.deepEqual(stepInvarianceTimes(60_001), [-600_010, 0, 12_000, 60_001, 600_010]);
  });

  it("re-runs at the other times and in range mode, and detects inconsistent answers", async () => {
    // An engine that ignores `@` and answers with the evaluation time fails step invariance.
    const timeDependent = (): PromQLEngine =>
      new FakeEngine((c): FakeAnswer => {
        if (c.kind === "range") {
          const floats = [];
          for (let t = c.tMs; t <= c.endMs!; t += c.stepMs!) floats.push({ t, f: t / 1000 });
          return {
            value: {
              type: "matrix",
              matrix: [
                { metric: ls({ __name__: "foo" }), floats, histograms: [], dropName: false },
              ],
            },
          };
        }
        return { value: vector([{ __name__: "foo" }, c.tMs / 1000]) };
      });
    const script = "eval instant at 1m foo\n  foo 60";
    await assertPasses(script, timeDependent(), NO_EXTRA);
    await assertPasses(script, timeDependent(), { stepInvariance: false });
    await assertFails(
      script,
      timeDependent(),
      /^step invariance \(foo @ 60\.000 at -600000ms\): expected 60 for foo but got -600/,
      { rangeMode: false },
    );

    // An engine whose range queries disagree with its instant queries fails range mode.
    const rangeBroken = new FakeEngine((c): FakeAnswer => {
      if (c.kind === "range") {
        const floats = [];
        for (let t = c.tMs; t <= c.endMs!; t += c.stepMs!) floats.push({ t, f: 61 });
        return {
          value: {
            type: "matrix",
            matrix: [{ metric: ls({ __name__: "foo" }), floats, histograms: [], dropName: false }],
          },
        };
      }
      return { value: vector([{ __name__: "foo" }, 60]) };
    });
    await assertFails(script, rangeBroken, /^range mode: expected 60 for foo but got 61/, {
      stepInvariance: false,
    });
    const calls = rangeBroken.calls.map((c) => [c.kind, c.query, c.tMs, c.endMs, c.stepMs]);
    assert.deepEqual(calls, [
      ["instant", "foo", 60_000, undefined, undefined],
      ["range", "foo", 0, 120_000, 60_000],
    ]);
    // Range mode is skipped for expect ordered (the range result is sorted by labels).
    await assertPasses(script.replace("foo\n", "foo\n  expect ordered\n"), rangeBroken, {
      stepInvariance: false,
    });
  });

  it("runs every step-invariance query when all is well", async () => {
    const engine = new FakeEngine((c): FakeAnswer => {
      if (c.kind === "range") {
        const floats = [];
        for (let t = c.tMs; t <= c.endMs!; t += c.stepMs!) floats.push({ t, f: 7 });
        return {
          value: {
            type: "matrix",
            matrix: [{ metric: [], floats, histograms: [], dropName: false }],
          },
        };
      }
      return { value: scalar(7) };
    });
    await assertPasses("eval instant at 10s scalar(foo)\n  7", engine, {});
    const instants = engine.calls.filter((c) => c.kind === "instant").map((c) => [c.query, c.tMs]);
    assert.deepEqual(instants, [
      ["scalar(foo)", 10_000],
      ["scalar(foo @ 10.000)", -100_000],
      ["scalar(foo @ 10.000)", 0],
      ["scalar(foo @ 10.000)", 2_000],
      ["scalar(foo @ 10.000)", 10_000],
      ["scalar(foo @ 10.000)", 100_000],
    ]);
    assert.equal(engine.calls.filter((c) => c.kind === "range").length, 6);
  });
});

describe("loading and running scripts", () => {
  it("loads samples, including stale markers, and clears storage", async () => {
    const script = [
      "load 1m",
      '  foo{a="1"} 1 2 _ 4 stale',
      '  {__name__="bar"} 0+10x2',
      "",
      "eval instant at 1m foo",
      '  foo{a="1"} 2',
      "",
      "eval instant at 2m30s foo",
      '  foo{a="1"} 2',
      "",
      "eval instant at 4m foo",
      "",
      "eval range from 0 to 4m step 1m bar",
      "  bar 0 10 20 20 20",
      "",
      "eval instant at 3m foo[3m]",
      "  expect range vector from 0 to 3m step 1m",
      '  foo{a="1"} _ 2 _ 4',
      "",
      "load 1m",
      "  bar _ _ _ 99",
      "",
      "eval instant at 3m bar",
      "  bar 99",
      "",
      "clear",
      "",
      "eval instant at 1m foo",
    ].join("\n");
    const results = await run(script, new SelectorEngine(), {});
    for (const r of results) assert.equal(r.status, "passed", `line ${r.line}: ${r.reason}`);
    assert.equal(results.length, 7);
  });

  it("detects a wrong expectation end to end", async () => {
    const results = await run(
      "load 1m\n  foo 1 2\n\neval instant at 1m foo\n  foo 1",
      new SelectorEngine(),
      {},
    );
    assert.equal(results[0]!.status, "failed");
    assert.match(results[0]!.reason!, /expected 1 for foo but got 2/);
  });

  it("classifies native histogram evals until the next clear", async () => {
    const script = [
      "load 1m",
      "  h {{schema:0 sum:1 count:1}}x2",
      "  f 1 2 3",
      "",
      "eval instant at 1m f",
      "  f 2",
      "",
      "clear",
      "load 1m",
      "  f 1 2 3",
      "",
      "eval instant at 1m f",
      "  f 2",
      "",
      "eval instant at 1m h",
      "  h {{schema:0 sum:1 count:1}}",
      "",
      "clear",
      "load_with_nhcb 1m",
      '  x_bucket{le="1"} 1',
      "",
      "eval instant at 0 x_bucket",
      '  x_bucket{le="1"} 1',
    ].join("\n");
    const results = await run(script, new SelectorEngine(), {});
    // An eval is native when one of its selectors selects a series with histogram samples or
    // its expectations hold histograms (line 15, whose `h` was cleared); `f` and `x_bucket`
    // are floats.
    assert.deepEqual(
      results.map((r) => [r.line, r.native, r.status]),
      [
        [5, false, "passed"],
        [12, false, "passed"],
        [15, true, "failed"],
        [22, false, "passed"],
      ],
    );
    const all = await run("load 1m\n  f 1\n\neval instant at 0 f\n  f 1", new SelectorEngine(), {
      nativeHistograms: true,
    });
    assert.equal(all[0]!.native, true);
  });

  it("marks evals that select the NHCB series of load_with_nhcb as native", async () => {
    const results = await run(
      'load_with_nhcb 1m\n  x_bucket{le="1"} 1\n  x_bucket{le="+Inf"} 2\n\neval instant at 0 x\n  x {{schema:-53 count:2 custom_values:[1] buckets:[1 1]}}',
      new SelectorEngine(),
    );
    assert.deepEqual(
      results.map((r) => [r.native, r.status, r.reason]),
      [[true, "passed", undefined]],
    );
  });

  it("fails the evals after a load that cannot be stored", async () => {
    const results = await run(
      'load 1m\n  {a="no name"} 1\n\neval instant at 0 1\n  1\n\nclear\n\neval instant at 0 1\n  1',
      answering(scalar(1)),
    );
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.equal(r.status, "failed");
      assert.match(r.reason!, /^not run: load at line 1 failed: series without metric name/);
    }
  });

  it("tallies files, skipping start_timestamps.test and counting parse errors", async () => {
    const engine = answering(scalar(1));
    const ok = await runScriptText(
      "a.test",
      "eval instant at 0 1\n  1\n\neval instant at 0 1\n  2",
      engine,
      NO_EXTRA,
    );
    const native = await runScriptText(
      "native_histograms.test",
      "eval instant at 0 1\n  1",
      engine,
      NO_EXTRA,
    );
    const bad = await runScriptText("b.test", "bogus", engine, NO_EXTRA);
    const skipped = await runScriptText(
      "start_timestamps.test",
      "eval instant at 0 1\n  1",
      engine,
    );
    assert.match(bad.error!, /invalid command "bogus"/);
    assert.match(skipped.skipped!, /start timestamps/);
    assert.deepEqual(tally([ok, native, bad, skipped]), {
      passed: 1,
      failed: 2,
      nativePassed: 1,
      nativeFailed: 0,
      skipped: 1,
    });
  });
});
