import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Unit } from "./format.ts";
import { formatSeriesName, formatValue, parseSampleValue } from "./format.ts";

describe("formatValue", () => {
  it("formats in each unit", () => {
    const cases: [number, Unit, string][] = [
      [0, "", "0"],
      [1.5, "", "1.5"],
      [1 / 3, "", "0.333333"],
      [123456789, "", "123456789"],
      [1e20, "", "1e+20"],
      [0.00001234, "", "1.234e-5"],
      [999, "short", "999"],
      [1500, "short", "1.5k"],
      [2_345_678, "short", "2.346M"],
      [-1500, "short", "-1.5k"],
      [512, "bytes", "512B"],
      [1536, "bytes", "1.5KiB"],
      [5 * 1024 ** 3, "bytes", "5GiB"],
      [0.0123, "seconds", "12.3ms"],
      [0.0000005, "seconds", "0.5µs"],
      [1.5, "seconds", "1.5s"],
      [90, "seconds", "1.5min"],
      [7200, "seconds", "2h"],
      [42, "percent", "42%"],
      [0.425, "percentunit", "42.5%"],
    ];
    for (const [v, unit, want] of cases) assert.equal(formatValue(v, unit), want, `${v} ${unit}`);
  });

  it("formats special values", () => {
    assert.equal(formatValue(NaN), "NaN");
    assert.equal(formatValue(Infinity, "bytes"), "+Inf");
    assert.equal(formatValue(-Infinity), "-Inf");
    assert.equal(formatValue(null), "");
  });

  it("reads the APIs' sample values", () => {
    assert.equal(parseSampleValue("+Inf"), Infinity);
    assert.equal(parseSampleValue("-Inf"), -Infinity);
    assert.ok(Number.isNaN(parseSampleValue("NaN")));
    assert.equal(parseSampleValue("1e3"), 1000);
  });
});

describe("formatSeriesName", () => {
  it("writes series as PromQL does", () => {
    assert.equal(formatSeriesName({ __name__: "up" }), "up");
    assert.equal(formatSeriesName({}), "{}");
    assert.equal(
      formatSeriesName({ job: "vigil", __name__: "up", instance: "a:1" }),
      'up{instance="a:1", job="vigil"}',
    );
    assert.equal(formatSeriesName({ job: 'q"x' }), '{job="q\\"x"}');
  });
});
