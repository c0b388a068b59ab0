import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { labelsFromRecord } from "../../model/labels/index.ts";
import type { Command, EvalCommand, LoadCommand } from "./index.ts";
import { goUnquote, parseGoNumber, parseScript, ScriptParseError } from "./index.ts";

function only<K extends Command["kind"]>(script: string, kind: K): Extract<Command, { kind: K }> {
  const cmds = parseScript(script).commands;
  assert.equal(cmds.length, 1, "expected exactly one command");
  assert.equal(cmds[0]!.kind, kind);
  return cmds[0] as Extract<Command, { kind: K }>;
}

function evalOf(script: string): EvalCommand {
  return only(script, "eval");
}

function throwsAt(script: string, line: number, pattern: RegExp): void {
  assert.throws(
    () => parseScript(script),
    (err: unknown) => {
      assert.ok(err instanceof ScriptParseError, `not a ScriptParseError: ${String(err)}`);
      assert.equal(err.line, line, err.message);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe("script structure", () => {
  it("splits blocks on empty and comment lines and ignores indentation", () => {
    const cmds = parseScript(
      [
        "# a comment",
        "load 5m",
        "  foo 1 2",
        "# ends the block",
        "  eval instant at 5m foo",
        "\tfoo 2",
        "",
        "CLEAR",
        "clear",
      ].join("\n"),
    ).commands;
    assert.deepEqual(
      cmds.map((c) => [c.kind, c.line]),
      [
        ["load", 2],
        ["eval", 5],
        ["clear", 8],
        ["clear", 9],
      ],
    );
  });

  it("reads load blocks: step, series, replacement of a repeated series, load_with_nhcb", () => {
    const load = only(
      ["load 1m30s", '  foo{a="1"} 1 2', "  bar 0+1x2", '  foo{a="1"} 5'].join("\n"),
      "load",
    ) as LoadCommand;
    assert.equal(load.stepMs, 90_000);
    assert.equal(load.withNhcb, false);
    assert.equal(load.series.length, 2);
    const foo = load.series.find((s) => s.labels.length === 2)!;
    assert.deepEqual(foo.values, [{ kind: "float", value: 5 }]);
    assert.equal(foo.line, 4);
    assert.equal(only('load_with_nhcb 5m\n  x_bucket{le="1"} 1', "load").withNhcb, true);
  });

  it("pairs @st lines with the following series", () => {
    const load = only(["load 1m", "  m@st -10s _", "  m 1 2"].join("\n"), "load");
    assert.deepEqual(load.series[0]!.startTimestampOffsetsMs, [-10_000, null]);
    throwsAt(["load 1m", "  m@st -10s", "  n 1"].join("\n"), 2, /differ/);
    throwsAt(["load 1m", "  m@st -10s"].join("\n"), 2, /without a following series/);
    throwsAt(["load 1m", "  m@st -10s", "  m 1 2"].join("\n"), 2, /positions/);
  });
});

describe("eval headers", () => {
  it("reads instant and range evals", () => {
    const inst = evalOf("eval instant at 1h30m sum by (a) (foo)");
    assert.deepEqual(inst.query, { type: "instant", timeMs: 5_400_000 });
    assert.equal(inst.expr, "sum by (a) (foo)");
    const rng = evalOf("eval range from 0 to 10m step 30s rate(foo[1m])");
    assert.deepEqual(rng.query, { type: "range", startMs: 0, endMs: 600_000, stepMs: 30_000 });
    assert.equal(rng.expr, "rate(foo[1m])");
  });

  it("maps the deprecated header suffixes", () => {
    assert.equal(evalOf("eval_fail instant at 0 foo").fail, true);
    assert.equal(evalOf("eval_warn instant at 0 foo").anyWarn, true);
    assert.equal(evalOf("eval_info range from 0 to 1m step 1m foo").anyInfo, true);
    assert.equal(evalOf("eval_ordered instant at 0 foo").ordered, true);
  });

  it("rejects malformed headers", () => {
    throwsAt("eval instant  foo", 1, /invalid timestamp definition ""/);
    throwsAt("eval instant foo", 1, /invalid evaluation command/);
    throwsAt("eval instant at 5x foo", 1, /invalid timestamp definition "5x"/);
    throwsAt("eval range from 10m to 5m step 1m foo", 1, /end timestamp \(5m\) is before start/);
    throwsAt("eval range from 0 to 5m step x foo", 1, /invalid step definition/);
    throwsAt("eval_ordered range from 0 to 5m step 1m foo", 1, /invalid evaluation command/);
    throwsAt("\n\neval sometime foo", 3, /invalid evaluation command/);
    throwsAt("eval instant at 0 sum(", 1, /parse error/);
    throwsAt("load\n", 1, /invalid load command/);
    throwsAt("load 5q", 1, /invalid step definition/);
    throwsAt("x\n", 1, /invalid command "x"/);
  });
});

describe("eval bodies", () => {
  it("reads expected series with their positions", () => {
    const ev = evalOf(
      [
        "eval instant at 0 foo",
        "  expect ordered",
        '  foo{a="2"} 2',
        '  {a="1"} 1',
        "  {} NaN",
      ].join("\n"),
    );
    assert.equal(ev.ordered, true);
    assert.deepEqual(
      ev.series.map((s) => [s.position, s.line, s.labels]),
      [
        [1, 3, labelsFromRecord({ __name__: "foo", a: "2" })],
        [2, 4, labelsFromRecord({ a: "1" })],
        [3, 5, []],
      ],
    );
    assert.equal(ev.scalar, undefined);
  });

  it("reads every expect form", () => {
    const ev = evalOf(
      [
        "eval instant at 0 foo",
        "  expect warn",
        "  expect warn msg:   PromQL warning: something  ",
        "  expect info regex: ^PromQL info: .*x",
      ].join("\n"),
    );
    assert.deepEqual(
      ev.expectWarn.map((m) => m.kind),
      ["any", "message"],
    );
    const msg = ev.expectWarn[1]!;
    assert.ok(msg.kind === "message");
    assert.equal(msg.text, "PromQL warning: something");
    const re = ev.expectInfo[0]!;
    assert.ok(re.kind === "regex");
    assert.equal(re.source, "^PromQL info: .*x");
    assert.ok(re.re.test("PromQL info: abcx (1:1)"));

    const neg = evalOf("eval instant at 0 foo\n  expect no_warn\n  expect no_info");
    assert.equal(neg.noWarn, true);
    assert.equal(neg.noInfo, true);

    const fail = evalOf("eval instant at 0 foo\n  expect fail msg: boom");
    assert.equal(fail.fail, true);
    assert.deepEqual(fail.failMatches, [{ kind: "message", text: "boom" }]);
    const failAny = evalOf("eval instant at 0 foo\n  expect fail");
    assert.equal(failAny.fail, true);
    assert.deepEqual(failAny.failMatches, []);
    const failRe = evalOf("eval range from 0 to 1m step 1m foo\n  expect fail regex: bo+m");
    assert.ok(failRe.failMatches[0]!.kind === "regex");
  });

  it("reads the deprecated fail lines, which end the body", () => {
    const cmds = parseScript(
      ["eval_fail instant at 0 foo", "  expected_fail_message  a b ", "clear"].join("\n"),
    ).commands;
    assert.deepEqual(
      cmds.map((c) => c.kind),
      ["eval", "clear"],
    );
    assert.deepEqual((cmds[0] as EvalCommand).failMatches, [{ kind: "message", text: "a b" }]);
    const re = evalOf("eval_fail instant at 0 foo\n  expected_fail_regexp x.*y");
    assert.ok(re.failMatches[0]!.kind === "regex" && re.failMatches[0]!.re.test("axzzy"));
    // Without eval_fail the line is an ordinary (and here malformed) series line.
    throwsAt("eval instant at 0 foo\n  expected_fail_message a b", 2, /invalid value/);
  });

  it("reads a scalar expectation, which ends the body", () => {
    for (const [text, want] of [
      ["2", 2],
      ["-1.5e3", -1500],
      ["0x1F", 31],
      ["010", 8],
      ["1_000", 1000],
      ["+Inf", Infinity],
      ["-inf", -Infinity],
      ["NaN", NaN],
    ] as const) {
      assert.deepEqual(evalOf(`eval instant at 0 1\n  ${text}`).scalar, want, text);
    }
    throwsAt("eval instant at 0 1\n  2\n  3", 3, /invalid command/);
  });

  it("reads expect range vector and expect string", () => {
    const rv = evalOf(
      [
        "eval instant at 1m foo[1m]",
        "  expect range vector from 0 to 1m step 30s",
        "  foo 1 2 3",
      ].join("\n"),
    );
    assert.deepEqual(rv.rangeVector, { startMs: 0, endMs: 60_000, stepMs: 30_000 });
    assert.equal(rv.series[0]!.values.length, 3);
    assert.equal(
      evalOf('eval instant at 0 "a"\n  expect string "a\\tb\\u00e9"').expectedString,
      "a\tbé",
    );
    assert.equal(evalOf('eval instant at 0 "a"\n  expect string `x\\y`').expectedString, "x\\y");
  });

  it("rejects invalid bodies", () => {
    throwsAt(
      "eval instant at 0 foo\n  foo 1 2",
      1,
      /expecting multiple values in instant evaluation/,
    );
    throwsAt("eval instant at 0 foo\n  expect warn\n  expect no_warn", 1, /warn and no_warn/);
    throwsAt("eval instant at 0 foo\n  expect no_info\n  expect info", 1, /info and no_info/);
    throwsAt("eval instant at 0 foo\n  expect fail\n  expect fail", 1, /multiple expect fail/);
    throwsAt("eval instant at 0 foo\n  expect sometimes", 1, /invalid expect statement/);
    throwsAt("eval instant at 0 foo\n  expect warn regex: (", 1, /invalid regex/);
    throwsAt("eval instant at 0 foo\n  expect string abc", 1, /correctly quoted/);
    throwsAt("eval instant at 0 foo\n  expect string", 1, /quoted string literal is required/);
    throwsAt(
      "eval instant at 0 foo\n  expect range vector from 1m to 0 step 1s",
      1,
      /before start/,
    );
    throwsAt(
      "eval range from 0 to 1m step 1m foo\n  expect range vector from 0 to 1m step 1m",
      1,
      /only allowed for instant/,
    );
    throwsAt('eval instant at 0 foo\n\n  foo{a=~"x"} 1', 3, /invalid command/);
    throwsAt('eval instant at 0 foo\n  foo{a=~"x"} 1', 2, /only "=" is allowed/);
  });
});

describe("Go number and string literals", () => {
  it("parses numbers as strconv.ParseInt(s, 0, 64) then ParseFloat do", () => {
    const cases: [string, number | undefined][] = [
      ["0", 0],
      ["-7", -7],
      ["0b101", 5],
      ["0o17", 15],
      ["017", 15],
      ["09", 9],
      ["1.", 1],
      [".5", 0.5],
      ["1e-3", 0.001],
      ["0x1p-2", 0.25],
      ["infinity", Infinity],
      ["9223372036854775808", 9223372036854775808],
      ["1e400", undefined],
      ["abc", undefined],
      ["1 2", undefined],
      ["+nan", undefined],
      ["", undefined],
    ];
    for (const [s, want] of cases) assert.deepEqual(parseGoNumber(s), want, s);
  });

  it("unquotes Go string literals", () => {
    assert.equal(goUnquote('"\\x41\\101\\U0001F600"'), "AA😀");
    assert.equal(goUnquote('"a"b"'), undefined);
    assert.equal(goUnquote("'a'"), undefined);
    assert.equal(goUnquote('"\\q"'), undefined);
  });
});
