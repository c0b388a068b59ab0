import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compareLabelLists,
  formatFloatE,
  formatGoDuration,
  formatGoLabels,
  formatModelDuration,
  indentLines,
  labelsFromMap,
} from "./format.ts";
import { nextAfter } from "./runner.ts";

describe("Go formatting as promtool prints it", () => {
  // Expected strings are Go's: time.Duration(ms*1e6).String().
  for (const [ms, want] of [
    [0, "0s"],
    [1, "1ms"],
    [999, "999ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [60_000, "1m0s"],
    [90_000, "1m30s"],
    [179_999, "2m59.999s"],
    [3_600_000, "1h0m0s"],
    [9_218_880_000_000_000, "2560800000h0m0s"],
    [-61_000, "-1m1s"],
  ] as const) {
    it(`time.Duration ${ms}ms is ${want}`, () => assert.equal(formatGoDuration(ms), want));
  }

  for (const [ms, want] of [
    [0, "0s"],
    [60_000, "1m"],
    [90_000, "1m30s"],
    [86_400_000, "1d"],
    [604_800_000, "1w"],
    [150, "150ms"],
  ] as const) {
    it(`model.Duration ${ms}ms is ${want}`, () => assert.equal(formatModelDuration(ms), want));
  }

  // strconv.FormatFloat(v, 'E', -1, 64).
  for (const [v, want] of [
    [1, "1E+00"],
    [0, "0E+00"],
    [-0, "-0E+00"],
    [240, "2.4E+02"],
    [2.9999999999999996, "2.9999999999999996E+00"],
    [1e-7, "1E-07"],
    [1.5e300, "1.5E+300"],
    [-2.5, "-2.5E+00"],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
  ] as const) {
    it(`FormatFloat 'E' of ${v} is ${want}`, () => assert.equal(formatFloatE(v), want));
  }

  it("renders labels as labels.Labels.String", () => {
    assert.equal(formatGoLabels([]), "{}");
    assert.equal(
      formatGoLabels(labelsFromMap({ job: 'a"b', alertname: "X", "my.label": "é\n" })),
      '{alertname="X", job="a\\"b", "my.label"="é\\n"}',
    );
  });

  it("keeps empty values in labels from maps and sorts them by name", () => {
    assert.deepEqual(labelsFromMap({ b: "", a: "1" }), [
      { name: "a", value: "1" },
      { name: "b", value: "" },
    ]);
  });

  it("orders label sets as labels.Compare", () => {
    const a = labelsFromMap({ a: "1" });
    const b = labelsFromMap({ a: "1", b: "2" });
    const c = labelsFromMap({ a: "2" });
    assert.ok(compareLabelLists(a, b) < 0);
    assert.ok(compareLabelLists(b, c) < 0);
    assert.equal(compareLabelLists(b, labelsFromMap({ b: "2", a: "1" })), 0);
  });

  it("indents every line but the first", () => {
    assert.equal(indentLines("a\nb\nc", "  "), "a\n  b\n  c");
  });

  it("steps to the adjacent float like math.Nextafter", () => {
    assert.equal(nextAfter(3, -Infinity), 2.9999999999999996);
    assert.equal(nextAfter(3, Infinity), 3.0000000000000004);
    assert.equal(nextAfter(0, 1), Number.MIN_VALUE);
    assert.equal(nextAfter(-1, -Infinity), -1.0000000000000002);
    assert.ok(Number.isNaN(nextAfter(NaN, 1)));
  });
});
