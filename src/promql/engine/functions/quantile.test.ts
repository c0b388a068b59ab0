import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { almostEqual, kahanSumInc, linearRegression } from "./float-math.ts";
import { fma, goExp, goLog, goLog1p } from "./go-math.ts";
import {
  bucketFraction,
  bucketQuantile,
  coalesceBuckets,
  ensureMonotonicAndIgnoreSmallDeltas,
  quantile,
} from "./quantile.ts";
import type { Bucket } from "./quantile.ts";

const bs = (...pairs: [number, number][]): Bucket[] =>
  pairs.map(([upperBound, count]) => ({ upperBound, count }));

describe("bucketQuantile", () => {
  it("sorts the buckets itself", () => {
    const r = bucketQuantile(0.5, bs([Infinity, 4], [2, 2], [1, 1]));
    assert.deepEqual(r, { value: 2, forcedMonotonicity: false, fixedPrecision: false });
  });

  it("returns the lowest upper bound when it is not positive", () => {
    assert.equal(bucketQuantile(0.1, bs([-1, 5], [Infinity, 10])).value, -1);
    assert.equal(bucketQuantile(0.1, bs([0, 5], [Infinity, 10])).value, 0);
  });

  it("returns the second-highest bound for ranks in the +Inf bucket", () => {
    assert.equal(bucketQuantile(0.99, bs([1, 1], [2, 2], [Infinity, 10])).value, 2);
  });

  it("reports repairs", () => {
    const r = bucketQuantile(0.5, bs([1, 5], [2, 3], [Infinity, 10]));
    assert.equal(r.forcedMonotonicity, true);
    // After repair: 5, 5, 10; rank 5 is reached in the first bucket.
    assert.equal(r.value, 1);
    const p = bucketQuantile(0.5, bs([1, 1e12], [2, 1e12 - 0.5], [Infinity, 1e12]));
    assert.deepEqual([p.forcedMonotonicity, p.fixedPrecision], [false, true]);
  });

  it("special-cases q", () => {
    assert.equal(bucketQuantile(-1, bs([Infinity, 1])).value, -Infinity);
    assert.equal(bucketQuantile(2, bs([Infinity, 1])).value, Infinity);
    assert.ok(Number.isNaN(bucketQuantile(NaN, bs([1, 1], [Infinity, 1])).value));
  });
});

describe("bucketFraction", () => {
  it("treats the first bucket as reaching down to -Inf", () => {
    assert.equal(bucketFraction(-Infinity, 1, bs([1, 4], [Infinity, 8])), 0.5);
    assert.equal(bucketFraction(1, Infinity, bs([1, 4], [Infinity, 8])), 0.5);
    assert.equal(bucketFraction(1, 2, bs([1, 4], [3, 8], [Infinity, 8])), 0.25);
  });
});

describe("coalesceBuckets and ensureMonotonicAndIgnoreSmallDeltas", () => {
  it("merge equal bounds", () => {
    assert.deepEqual(
      coalesceBuckets(bs([1, 1], [1, 2], [2, 3], [2, 4], [Infinity, 5])),
      bs([1, 3], [2, 7], [Infinity, 5]),
    );
  });

  it("flatten decreases and tiny deltas without moving the reference", () => {
    const b = bs([1, 10], [2, 8], [3, 9], [4, 10.000000000001], [5, 12]);
    assert.deepEqual(ensureMonotonicAndIgnoreSmallDeltas(b, 1e-12), [true, true]);
    assert.deepEqual(
      b.map((x) => x.count),
      [10, 10, 10, 10, 12],
    );
  });
});

describe("quantile", () => {
  it("interpolates between ranks", () => {
    assert.equal(quantile(0.5, [3, 1, 2]), 2);
    assert.equal(quantile(0.75, [0, 1, 4]), 2.5);
    assert.equal(quantile(0.25, [4, 1]), 1.75);
    assert.ok(Number.isNaN(quantile(0.5, [])));
    assert.equal(quantile(-0.5, [1]), -Infinity);
    assert.equal(quantile(1.5, [1]), Infinity);
  });
});

describe("float helpers", () => {
  it("kahanSumInc compensates and resets on overflow", () => {
    let [s, c] = [0, 0];
    for (const v of [1, 1e100, 1, -1e100]) [s, c] = kahanSumInc(v, s, c);
    assert.equal(s + c, 2);
    assert.deepEqual(kahanSumInc(Infinity, 1, 0.5), [Infinity, 0]);
  });

  it("linearRegression returns slope and intercept at the given time", () => {
    const pts = [
      { t: 0, f: 1 },
      { t: 1000, f: 3 },
      { t: 2000, f: 5 },
    ];
    assert.deepEqual(linearRegression(pts, 0), [2, 1]);
    assert.deepEqual(linearRegression(pts, 2000), [2, 5]);
    assert.deepEqual(
      linearRegression(
        [
          { t: 0, f: 7 },
          { t: 1, f: 7 },
        ],
        0,
      ),
      [0, 7],
    );
    const inf = linearRegression(
      [
        { t: 0, f: Infinity },
        { t: 1, f: Infinity },
      ],
      0,
    );
    assert.ok(inf.every(Number.isNaN));
  });

  it("almostEqual is relative", () => {
    assert.ok(almostEqual(1e12, 1e12 + 0.5, 1e-12));
    assert.ok(!almostEqual(1, 1.1, 1e-12));
    assert.ok(almostEqual(NaN, NaN, 1e-12));
    assert.ok(!almostEqual(0, 1e-300, 1e-12));
  });

  it("fma rounds once", () => {
    // 0.1 * 10 is 1 + 2^-54 exactly, which a separate multiplication rounds away.
    assert.equal(fma(0.1, 10, -1), 5.551115123125783e-17);
    assert.equal(0.1 * 10 - 1, 0);
    assert.equal(fma(2, 3, 4), 10);
    assert.equal(fma(1e308, 10, -Infinity), -Infinity);
    assert.equal(fma(2 ** -1074, 0.5, 0), 0); // ties to even at the bottom of the range
    assert.equal(fma(2 ** -1074, 1.5, 0), 2 ** -1073);
    assert.equal(fma(2 ** -1074, 1.5, 2 ** -1074), 2 ** -1073); // 2.5 units, to even
    assert.equal(fma(2 ** -1074, 0.5, 2 ** -1074), 2 ** -1073); // 1.5 units, to even
  });

  it("Go's Exp, Log and Log1p corner cases", () => {
    assert.equal(goExp(0), 1);
    assert.equal(goExp(-Infinity), 0);
    assert.equal(goExp(710), Infinity);
    assert.equal(goExp(-800), 0);
    assert.equal(goLog(1), 0);
    assert.equal(goLog(-0), -Infinity);
    assert.ok(Number.isNaN(goLog(-Infinity)));
    assert.equal(goLog1p(-1), -Infinity);
    assert.equal(goLog1p(1e-20), 1e-20);
  });
});
