// Numeric helpers for the aggregations: Go float formatting and the xxhash64 of a label set
// (model/labels Labels.Hash, which limit_ratio samples by).
import type { Labels } from "../../model/labels/index.ts";
import { formatGoFloat } from "../parser/index.ts";
import { formatGoG } from "./format.ts";

/** formatGoFloatF renders v as strconv.FormatFloat(v, 'f' or 'g', -1, 64). */
export function formatGoFloatF(v: number, fmt: "f" | "g"): string {
  return fmt === "f" ? formatGoFloat(v) : formatGoG(v);
}

const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;
const M64 = (1n << 64n) - 1n;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
const round = (acc: bigint, input: bigint): bigint =>
  (rotl((acc + input * P2) & M64, 31n) * P1) & M64;
const mergeRound = (acc: bigint, val: bigint): bigint => (((acc ^ round(0n, val)) * P1) & M64) + P4;

/** xxhash64 is XXH64 with seed 0. */
export function xxhash64(b: Uint8Array): bigint {
  const n = b.length;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & M64;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (0n - P1) & M64;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, dv.getBigUint64(i, true));
      v2 = round(v2, dv.getBigUint64(i + 8, true));
      v3 = round(v3, dv.getBigUint64(i + 16, true));
      v4 = round(v4, dv.getBigUint64(i + 24, true));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    h = mergeRound(h, v1) & M64;
    h = mergeRound(h, v2) & M64;
    h = mergeRound(h, v3) & M64;
    h = mergeRound(h, v4) & M64;
  } else {
    h = P5;
  }
  h = (h + BigInt(n)) & M64;
  for (; i + 8 <= n; i += 8) {
    h ^= round(0n, dv.getBigUint64(i, true));
    h = (rotl(h, 27n) * P1 + P4) & M64;
  }
  if (i + 4 <= n) {
    h ^= (BigInt(dv.getUint32(i, true)) * P1) & M64;
    h = (rotl(h, 23n) * P2 + P3) & M64;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(b[i]!) * P5) & M64;
    h = (rotl(h, 11n) * P1) & M64;
  }
  h ^= h >> 33n;
  h = (h * P2) & M64;
  h ^= h >> 29n;
  h = (h * P3) & M64;
  h ^= h >> 32n;
  return h;
}

const encoder = new TextEncoder();

/** xxhashLabels is Labels.Hash: xxhash64 over name 0xff value 0xff for every label. */
export function xxhashLabels(ls: Labels): bigint {
  const parts: Uint8Array[] = [];
  let len = 0;
  for (const l of ls) {
    for (const s of [l.name, l.value]) {
      const e = encoder.encode(s);
      parts.push(e, SEP);
      len += e.length + 1;
    }
  }
  const buf = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  return xxhash64(buf);
}

const SEP = new Uint8Array([0xff]);
