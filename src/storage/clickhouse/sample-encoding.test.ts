import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN } from "../../model/value/index.ts";
import {
  MAX_EXPONENT,
  POW10,
  RAW_EXPONENT,
  decimalExponent,
  decodeValues,
  targetOf,
} from "./sample-encoding.ts";

function bits(vs: Float64Array): bigint[] {
  return [...new BigUint64Array(vs.slice().buffer)];
}

/** roundTrip encodes values as an appender does (one growing exponent) and decodes them. */
function roundTrip(vs: Float64Array): { out: Float64Array; e: Uint8Array } {
  const e = new Uint8Array(vs.length);
  const m = new Float64Array(vs.length);
  const f = new Float64Array(vs.length);
  let exp = 0;
  for (let i = 0; i < vs.length; i++) {
    const x = decimalExponent(vs[i]!, exp);
    if (x === RAW_EXPONENT) {
      e[i] = RAW_EXPONENT;
      f.set(vs.subarray(i, i + 1), i);
    } else {
      exp = x;
      e[i] = x;
      m[i] = Math.round(vs[i]! * POW10[x]!);
    }
  }
  const out = new Float64Array(vs.length);
  decodeValues(e, m, f, out);
  return { out, e };
}

describe("decimal sample values", () => {
  it("picks the smallest exponent at or above the series' one", () => {
    const cases: [number, number, number][] = [
      [0, 0, 0],
      [42, 0, 0],
      [-7, 0, 0],
      [0.5, 0, 1],
      [0.25, 0, 2],
      [12345.67, 0, 2],
      [0.1, 3, 3],
      [1e-9, 0, 9],
      [2 ** 53 - 1, 0, 0],
      [123456.789, 0, 3],
    ];
    for (const [v, from, want] of cases) assert.equal(decimalExponent(v, from), want, `${v}`);
  });

  it("keeps what a decimal mantissa cannot hold exactly as raw", () => {
    const raw = [NaN, STALE_NAN, Infinity, -Infinity, -0, 2 ** 53, -(2 ** 53), 1e300, 5e-324];
    for (const v of [...raw, 0.1 + 0.2, Math.PI, 1e-10, 1e15 + 0.5]) {
      assert.equal(decimalExponent(v, 0), RAW_EXPONENT, `${v}`);
    }
    // A series' exponent can make a value raw that a smaller one would hold: 1e8 * 1e9 > 2^53.
    assert.equal(decimalExponent(1e8, MAX_EXPONENT), RAW_EXPONENT);
  });

  it("decodes every value bit for bit", () => {
    const special = new Float64Array([0, NaN, Infinity, -Infinity, -0, 5e-324, 1.7e308, 0.1]);
    special[0] = STALE_NAN;
    const { out, e } = roundTrip(special);
    assert.deepEqual(bits(out), bits(special));
    assert.deepEqual([...e], [255, 255, 255, 255, 255, 255, 255, 1]);

    // Counters, gauges with a few decimals, and full-precision floats, from a fixed seed.
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const vs = new Float64Array(200_000);
    for (let i = 0; i < vs.length; i++) {
      const k = i % 4;
      const x = rnd() * 10 ** (1 + (i % 12));
      vs[i] =
        k === 0 ? Math.round(x) : k === 1 ? Math.round(x * 100) / 100 : k === 2 ? x : -x / 1000;
    }
    assert.deepEqual(bits(roundTrip(vs).out), bits(vs));
  });
});

describe("target key", () => {
  it("hashes job and instance only", () => {
    const a = targetOf(labelsFromRecord({ __name__: "up", job: "api", instance: "a:1" }));
    const b = targetOf(labelsFromRecord({ __name__: "x", job: "api", instance: "a:1", k: "v" }));
    assert.equal(a, b);
    // SHA-1("api" 0xFF "a:1") starts 5a61fcfa (ClickHouse: reinterpretAsUInt32(SHA1(...))).
    assert.equal(a, 0xfafc615a);
    assert.notEqual(targetOf(labelsFromRecord({ __name__: "up", job: "api" })), a);
  });
});
