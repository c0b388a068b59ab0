import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FloatHistogram } from "../../../model/histogram/index.ts";
import {
  RawJson,
  encodeResult,
  encodeJson,
  formatGoTime,
  formatSampleValue,
  formatTimestamp,
  jsonString,
} from "./json.ts";

describe("JSON encoding", () => {
  it("renders native histograms like Prometheus (count, sum, non-empty buckets with boundaries)", () => {
    const h = new FloatHistogram({
      schema: 0,
      zeroThreshold: 0.001,
      zeroCount: 1,
      count: 4,
      sum: 10,
      positiveSpans: [{ offset: 0, length: 3 }],
      positiveBuckets: [1, 0, 2],
    });
    const hist =
      '{"count":"4","sum":"10","buckets":[[3,"-0.001","0.001","1"],[0,"0.5","1","1"],[0,"2","4","2"]]}';
    assert.equal(
      encodeResult({ type: "vector", vector: [{ metric: [], t: 1000, f: 0, h, dropName: false }] }),
      `[{"metric":{},"histogram":[1,${hist}]}]`,
    );
    assert.equal(
      encodeResult({
        type: "matrix",
        matrix: [{ metric: [], floats: [], histograms: [{ t: 1500, h }], dropName: false }],
      }),
      `[{"metric":{},"histograms":[[1.500,${hist}]]}]`,
    );
  });

  it("formats sample values like jsonutil.MarshalFloat", () => {
    for (const [v, want] of [
      [0, "0"],
      [-0, "-0"],
      [1, "1"],
      [-2.5, "-2.5"],
      [0.1 + 0.2, "0.30000000000000004"],
      [1e-6, "0.000001"],
      [9.9e-7, "9.9e-07"],
      [1e-300, "1e-300"],
      [1e20, "100000000000000000000"],
      [1e21, "1e+21"],
      [-1.5e100, "-1.5e+100"],
      [Infinity, "+Inf"],
      [-Infinity, "-Inf"],
      [NaN, "NaN"],
    ] as const) {
      assert.equal(formatSampleValue(v), want, String(v));
    }
  });

  it("formats timestamps like jsonutil.MarshalTimestamp", () => {
    for (const [ms, want] of [
      [0, "0"],
      [1_700_000_000_000, "1700000000"],
      [1_700_000_000_500, "1700000000.500"],
      [1_700_000_000_005, "1700000000.005"],
      [1_700_000_000_050, "1700000000.050"],
      [-1500, "-1.500"],
      [-5, "-0.005"],
    ] as const) {
      assert.equal(formatTimestamp(ms), want, String(ms));
    }
  });

  it("escapes strings like Go's encoding/json", () => {
    assert.equal(jsonString('a<b>&c"\n\u2028'), '"a\\u003cb\\u003e\\u0026c\\"\\n\\u2028"');
  });

  it("encodes objects, omitting undefined fields, with raw fragments", () => {
    assert.equal(
      encodeJson({ a: 1, b: undefined, c: [true, null, "x"], d: new RawJson("[1,2]") }),
      '{"a":1,"c":[true,null,"x"],"d":[1,2]}',
    );
  });

  it("formats times like Go's time.Time in UTC", () => {
    assert.equal(formatGoTime(Date.UTC(2024, 0, 2, 3, 4, 5)), "2024-01-02T03:04:05Z");
    assert.equal(formatGoTime(Date.UTC(2024, 0, 2, 3, 4, 5, 120)), "2024-01-02T03:04:05.12Z");
  });
});
