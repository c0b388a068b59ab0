import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseExpectedLabels, parseInputSeries } from "./series.ts";

describe("input_series", () => {
  it("expands values at the test group's interval, skipping _ and keeping stale", () => {
    const [s] = parseInputSeries([{ series: 'up{job="a"}', values: "1+1x2 _ stale 7" }], 30_000);
    assert.deepEqual(s!.labels, [
      { name: "__name__", value: "up" },
      { name: "job", value: "a" },
    ]);
    assert.deepEqual(
      s!.samples.map((x) => `${x.t}:${x.kind === "float" ? x.v : x.kind}`),
      ["0:1", "30000:2", "60000:3", "120000:stale", "150000:7"],
    );
  });

  it("keeps the last values of a series given twice", () => {
    const s = parseInputSeries(
      [
        { series: "a", values: "1" },
        { series: "b", values: "2" },
        { series: "a", values: "3 4" },
      ],
      60_000,
    );
    assert.deepEqual(
      s.map((x) => `${x.labels[0]!.value}:${x.samples.length}`),
      ["a:2", "b:1"],
    );
  });

  // Positions as promtool reports them: line 2 is the first series of the load script.
  for (const [inputs, want] of [
    [
      [{ series: 'up{job="prometheus", instance="localhost:9090"', values: "0+0x1440" }],
      "2:48: parse error: unexpected character inside braces: '0'",
    ],
    [[{ series: "a", values: "1 2 x" }], '2:7: parse error: unexpected "x"'],
    [
      [
        { series: "ok", values: "1" },
        { series: "a", values: "1 @" },
      ],
      "3:5: parse error: unexpected character in series sequence: '@'",
    ],
  ] as const) {
    it(`reports ${want}`, () => {
      assert.throws(() => parseInputSeries(inputs, 60_000), { message: want });
    });
  }
});

describe("expected sample labels", () => {
  it("parse like parser.ParseMetric, empty values kept", () => {
    assert.deepEqual(parseExpectedLabels(""), []);
    assert.deepEqual(parseExpectedLabels('job:x{b="1", a=""}'), [
      { name: "__name__", value: "job:x" },
      { name: "a", value: "" },
      { name: "b", value: "1" },
    ]);
    assert.deepEqual(parseExpectedLabels('{"my.metric", x="y"}'), [
      { name: "__name__", value: "my.metric" },
      { name: "x", value: "y" },
    ]);
  });

  for (const [text, want] of [
    ['a{b=~"c"}', '1:4: parse error: unexpected <op:=~> in label set, expected "="'],
    ['a{b="c"', "1:8: parse error: unexpected end of input inside braces"],
    ['{b="c"} 3', '1:9: parse error: unexpected number "3"'],
  ] as const) {
    it(`refuses ${text}`, () => assert.throws(() => parseExpectedLabels(text), { message: want }));
  }
});
