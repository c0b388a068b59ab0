import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertClose, evalRange, load } from "./testutil.ts";

const m = (n: number): number => n * 60_000;

describe("rate, increase, delta (extrapolatedRate)", () => {
  it("extrapolates to the range start when the first sample is close to it", () => {
    // Window (0, 50m] holds 5m..50m = 10..100; the gap to the start (5m) is within 1.1
    // intervals, so the 90 over 45m extrapolate to 100 over 50m.
    const pts = load(m(5), "0+10x10");
    assert.equal(evalRange("increase", pts, { tsMs: m(50), rangeMs: m(50) }), 100);
  });

  it("adds back the value before each counter reset", () => {
    const bar = load(m(5), "0+18x5 0+18x5");
    assert.equal(evalRange("increase", bar, { tsMs: m(50), rangeMs: m(50) }), 160);
    // 3 2 is read as 3 0 1 2: the increase is 7 over [0, 30m].
    const reset = load(m(5), "0 1 2 3 2 3 4");
    assertClose(evalRange("increase", reset, { tsMs: m(30), rangeMs: m(30) }), 7);
  });

  it("extrapolates by half an interval when the series starts inside the range", () => {
    const pts = (s: string) => load(m(5), s);
    const e = { tsMs: m(50), rangeMs: m(100) };
    assertClose(evalRange("increase", pts("0+10x10"), e), 100);
    assertClose(evalRange("increase", pts("0+18x5 0+18x5"), e), 162);
    assertClose(evalRange("increase", pts("10+10x10"), e), 105);
    // From 1 the counter would hit zero 30s before the first sample: stop there.
    assertClose(evalRange("increase", pts("1+10x10"), e), 101);
  });

  it("never extrapolates a counter below zero, up to half an interval", () => {
    const e = { tsMs: m(10), rangeMs: m(20) };
    const expected: [string, number][] = [
      ["0+240x10", 0.5],
      ["60+240x10", 0.55],
      ["120+240x10", 0.6],
      ["180+240x10", 0.6],
      ["240+240x10", 0.6],
      ["300+240x10", 0.6],
    ];
    for (const [values, want] of expected) {
      assertClose(evalRange("rate", load(m(4), values), e), want, values);
      assertClose(evalRange("rate", load(m(4), values), { tsMs: m(50), rangeMs: m(20) }), 0.6);
    }
  });

  it("computes per-second rates and honours the offset", () => {
    assertClose(
      evalRange("rate", load(m(5), "0+80x10"), { tsMs: m(50), rangeMs: m(50) }),
      0.26666666666666666,
    );
    const e = { tsMs: m(50), rangeMs: m(10), offsetMs: m(5) };
    assertClose(evalRange("rate", load(m(5), "0+10x10"), e), 0.03333333333333333);
    assertClose(evalRange("rate", load(m(5), "0+20x10"), e), 0.06666666666666667);
  });

  it("handles resets in the middle and at the end of the range", () => {
    const middle = load(m(5), "0+27x4 0+27x5");
    assertClose(evalRange("rate", middle, { tsMs: m(50), rangeMs: m(50) }), 0.08);
    const end = load(m(5), "0+10x9 0 10");
    assert.equal(evalRange("rate", end, { tsMs: m(50), rangeMs: m(5) }), undefined);
    assert.equal(evalRange("rate", end, { tsMs: m(50), rangeMs: m(6) }), 0);
  });

  it("needs two samples", () => {
    const pts = load(m(5), "1 2");
    assert.equal(evalRange("rate", pts, { tsMs: m(5), rangeMs: m(4) }), undefined);
  });

  it("delta does not treat decreases as resets and does not stop at zero", () => {
    const e = { tsMs: m(20), rangeMs: m(20) };
    assert.equal(evalRange("delta", load(m(5), "0 50 100 150 200"), e), 200);
    assert.equal(evalRange("delta", load(m(5), "200 150 100 50 0"), e), -200);
    // From 1 upwards over 50m: unlike increase (101), delta extrapolates the full half
    // interval, 100 * (3000 + 150) / 3000.
    const g = load(m(5), "1+10x10");
    const e2 = { tsMs: m(50), rangeMs: m(100) };
    assertClose(evalRange("delta", g, e2), 105);
    assertClose(evalRange("increase", g, e2), 101);
  });

  it("uses the extrapolation threshold of 1.1 average intervals", () => {
    // Samples at 10s, 20s, 30s in the window (0, 41.5s]: the end gap of 11.5s exceeds 1.1
    // intervals, so only half an interval (5s) is added there; the start gap of 10s is
    // extrapolated fully. delta = 20 * (20 + 10 + 5) / 20 = 35.
    const pts = [
      { t: 10_000, f: 0 },
      { t: 20_000, f: 10 },
      { t: 30_000, f: 20 },
    ];
    assertClose(evalRange("delta", pts, { tsMs: 41_500, rangeMs: 41_500 }), 35);
    // With an end gap of 10.5s it extrapolates all the way: 20 * (20 + 10 + 10.5) / 20.
    assertClose(evalRange("delta", pts, { tsMs: 40_500, rangeMs: 40_500 }), 40.5);
    // The comparison is ">=": a gap of exactly 11s (10 * 1.1 is exactly 11 in float64) gets
    // half an interval: 20 * (20 + 5) / 20.
    const shifted = pts.map((p) => ({ t: p.t + 1000, f: p.f }));
    assertClose(evalRange("delta", shifted, { tsMs: 31_000, rangeMs: 31_000 }), 25);
    // But 3 * 1.1 is 3.3000000000000003, so a gap of 3.3s is extrapolated fully:
    // 20 * (6 + 3.3) / 6.
    const short = [3300, 6300, 9300].map((t, i) => ({ t, f: 10 * i }));
    assertClose(evalRange("delta", short, { tsMs: 9300, rangeMs: 9300 }), 31);
  });
});

describe("irate and idelta", () => {
  it("uses the last two samples", () => {
    const e = { tsMs: m(50), rangeMs: m(50) };
    assertClose(evalRange("irate", load(m(5), "0+10x10"), e), 1 / 30);
    const bar = load(m(5), "0+10x5 0+10x5");
    assertClose(evalRange("irate", bar, e), 1 / 30);
    // At 30m the last two are 50 and 0: a reset, so the rate is 0 / 300s.
    assert.equal(evalRange("irate", bar, { tsMs: m(30), rangeMs: m(50) }), 0);
  });

  it("propagates NaN", () => {
    const nan = load(m(5), "1 NaN NaN 5 11");
    const at = (t: number, fn: string) => evalRange(fn, nan, { tsMs: t, rangeMs: m(15) + 1000 });
    assert.equal(at(0, "irate"), undefined);
    assert.ok(Number.isNaN(at(m(5), "irate")!));
    assert.ok(Number.isNaN(at(m(15), "irate")!));
    assertClose(at(m(20), "irate"), 0.02);
    assert.ok(Number.isNaN(at(m(10), "idelta")!));
    assert.equal(at(m(20), "idelta"), 6);
  });

  it("idelta is the plain difference", () => {
    const e = { tsMs: m(20), rangeMs: m(20) };
    assert.equal(evalRange("idelta", load(m(5), "0 50 100 150"), e), 50);
    assert.equal(evalRange("idelta", load(m(5), "0 50 100 50"), e), -50);
  });

  it("returns nothing for equal timestamps", () => {
    const pts = [
      { t: 1000, f: 1 },
      { t: 1000, f: 2 },
    ];
    assert.equal(evalRange("irate", pts, { tsMs: 1000, rangeMs: 5000 }), undefined);
  });
});
