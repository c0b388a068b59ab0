import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toPlotData } from "./series.ts";

describe("toPlotData", () => {
  const range = { startMs: 1000_000, endMs: 1060_000, stepMs: 15_000 };
  const series = [
    {
      metric: { __name__: "up", job: "a" },
      values: [
        [1000, "1"],
        [1015, "1"],
        [1045, "0"],
        [1060, "1"],
      ] as [number, string][],
    },
    {
      metric: { __name__: "up", job: "b" },
      values: [
        [1015, "2"],
        [1030, "NaN"],
        [1060.001, "+Inf"],
      ] as [number, string][],
    },
  ];

  it("aligns series on the step grid with gaps as null", () => {
    const p = toPlotData(series, range);
    assert.deepEqual(p.data[0], [1000, 1015, 1030, 1045, 1060]);
    assert.deepEqual(p.data[1], [1, 1, null, 0, 1]);
    assert.deepEqual(p.data[2], [null, 2, null, null, null], "NaN and Inf are not drawn");
    assert.deepEqual(p.names, ['up{job="a"}', 'up{job="b"}']);
  });

  it("stacks series as running sums", () => {
    const p = toPlotData(series, range, true);
    assert.deepEqual(p.data[1], [1, 1, null, 0, 1]);
    assert.deepEqual(p.data[2], [null, 3, null, null, null]);
  });

  it("ignores points outside the range and copes with no series", () => {
    const p = toPlotData([{ metric: {}, values: [[2000, "5"]] }], range);
    assert.deepEqual(p.data[1], [null, null, null, null, null]);
    assert.deepEqual(p.names, ["{}"]);
    assert.deepEqual(toPlotData([], range).data, [[1000, 1015, 1030, 1045, 1060]]);
  });
});
