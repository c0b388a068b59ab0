// How a sample's value and its series' target are laid out in the samples table (schema
// migration 2). Most scraped values are decimals with few digits (counters, bytes, seconds with
// millisecond resolution), so a value is stored as an integer mantissa `m` and a decimal
// exponent `e` (value = m / 10^e), which Delta + T64 + ZSTD compress far better than the bits of
// a double. Everything else — NaN (the stale marker bit for bit), ±Inf, -0, integers beyond
// 2^53, floats with more than 9 decimals — keeps its raw bits in `f` with e = RAW_EXPONENT.
//
// The SQL counterparts (decimalOkSql in schema.ts, TARGET_SQL) must compute the same
// functions; sample-encoding.test.ts and embedded.test.ts check that they do.

import { createHash } from "node:crypto";
import type { Labels } from "../../model/labels/index.ts";

/** MAX_EXPONENT is the largest decimal exponent a value is stored with. */
export const MAX_EXPONENT = 9;

/** RAW_EXPONENT marks a sample whose value is the raw double in column `f`. */
export const RAW_EXPONENT = 255;

/** POW10[e] is 10^e, exact as a double for every e ≤ MAX_EXPONENT. */
export const POW10: Float64Array = Float64Array.from(
  { length: MAX_EXPONENT + 1 },
  (_, e) => 10 ** e,
);

/**
 * decimalExponent returns the smallest exponent e in [from, MAX_EXPONENT] for which
 * `Math.round(v * 10^e) / 10^e === v` with a mantissa within ±(2^53 - 1), so that decoding
 * (an exact integer divided by an exact power of ten, one correctly rounded IEEE division) gives
 * back v bit for bit; RAW_EXPONENT when there is none. -0 is never decimal: its mantissa would
 * decode as +0.
 */
export function decimalExponent(v: number, from: number): number {
  for (let e = from; e <= MAX_EXPONENT; e++) {
    const p = POW10[e]!;
    const m = Math.round(v * p);
    if (m / p === v && m <= Number.MAX_SAFE_INTEGER && m >= -Number.MAX_SAFE_INTEGER) {
      return m === 0 && 1 / v < 0 ? RAW_EXPONENT : e;
    }
  }
  return RAW_EXPONENT;
}

/**
 * decodeValues fills `out[i]` from the stored columns: `m[i] / 10^e[i]`, or the bits of `f[i]`
 * when e[i] is RAW_EXPONENT. Raw values are copied as 32-bit words so that NaN payloads survive.
 */
export function decodeValues(
  e: Uint8Array,
  m: Float64Array,
  f: Float64Array,
  out: Float64Array,
): void {
  const fw = new Uint32Array(f.buffer, f.byteOffset, f.length * 2);
  const ow = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  for (let i = 0; i < e.length; i++) {
    const x = e[i]!;
    if (x === RAW_EXPONENT) {
      ow[2 * i] = fw[2 * i]!;
      ow[2 * i + 1] = fw[2 * i + 1]!;
    } else {
      out[i] = m[i]! / POW10[x]!;
    }
  }
}

const SEP = Buffer.from([0xff]);

/**
 * targetOf returns the target key of a series: the first 4 bytes (little-endian) of
 * SHA-1(job 0xFF instance), an absent label counting as "". Samples are ordered by (target,
 * metric name, fingerprint, time) so that the series of one scrape target, which share their
 * timestamps, sit next to each other. The key only orders rows (the fingerprint identifies the
 * series), so 32 bits are plenty and keep merges cheaper. TARGET_SQL computes the same key from
 * the series table.
 */
export function targetOf(labels: Labels): number {
  let job = "";
  let instance = "";
  for (const l of labels) {
    if (l.name === "job") job = l.value;
    else if (l.name === "instance") instance = l.value;
  }
  return createHash("sha1").update(job).update(SEP).update(instance).digest().readUInt32LE(0);
}

/** TARGET_SQL is targetOf as a ClickHouse expression over the series table's `labels` map. */
export const TARGET_SQL =
  "reinterpretAsUInt32(SHA1(concat(labels['job'], '\\xFF', labels['instance'])))";
