// Hashes that decide when a rule group evaluates. Prometheus spreads groups over their interval
// by an offset derived from the xxhash64 of the group's name and file (rules/group.go
// Group.hash, model/labels Labels.Hash); computing the same hash makes Vigil evaluate a group at
// the same instants as Prometheus would.

const MASK = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function round(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * P2) & MASK, 31n) * P1) & MASK;
}

function mergeRound(acc: bigint, v: bigint): bigint {
  return ((acc ^ round(0n, v)) * P1 + P4) & MASK;
}

/** xxhash64 returns the XXH64 digest (seed 0) of b, as github.com/cespare/xxhash Sum64 does. */
export function xxhash64(b: Uint8Array): bigint {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (0n - P1) & MASK;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, dv.getBigUint64(i, true));
      v2 = round(v2, dv.getBigUint64(i + 8, true));
      v3 = round(v3, dv.getBigUint64(i + 16, true));
      v4 = round(v4, dv.getBigUint64(i + 24, true));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = P5;
  }
  h = (h + BigInt(n)) & MASK;
  for (; i + 8 <= n; i += 8) {
    h ^= round(0n, dv.getBigUint64(i, true));
    h = (rotl(h, 27n) * P1 + P4) & MASK;
  }
  if (i + 4 <= n) {
    h ^= (BigInt(dv.getUint32(i, true)) * P1) & MASK;
    h = (rotl(h, 23n) * P2 + P3) & MASK;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(b[i]!) * P5) & MASK;
    h = (rotl(h, 11n) * P1) & MASK;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}

/**
 * labelsHash is Prometheus's Labels.Hash for its default (stringlabels) build: xxhash64 over the
 * labels' packed encoding, each name and value preceded by its byte length (one byte below 255,
 * else 255 and three bytes little-endian). Pairs must be sorted by name.
 */
export function labelsHash(pairs: readonly (readonly [string, string])[]): bigint {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const [name, value] of pairs) {
    for (const s of [name, value]) {
      const b = enc.encode(s);
      chunks.push(
        b.length < 255
          ? Uint8Array.of(b.length)
          : Uint8Array.of(255, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff),
      );
      chunks.push(b);
    }
  }
  const buf = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    buf.set(c, o);
    o += c.length;
  }
  return xxhash64(buf);
}

/** groupHash is Prometheus's Group.hash: the Labels.Hash of {file="<file>", name="<name>"}. */
export function groupHash(file: string, name: string): bigint {
  return labelsHash([
    ["file", file],
    ["name", name],
  ]);
}

/**
 * evalTimestamp returns the evaluation slot of a group at or before nowMs: Prometheus's
 * Group.EvalTimestamp, where each group is offset within its interval by its hash. Prometheus
 * computes in nanoseconds; the offset is truncated to milliseconds here, which gives the same
 * millisecond timestamps as the samples Prometheus writes.
 */
export function evalTimestamp(
  file: string,
  name: string,
  intervalMs: number,
  nowMs: number,
): number {
  const intervalNs = BigInt(intervalMs) * 1_000_000n;
  const offsetNs = groupHash(file, name) % intervalNs;
  const nowNs = BigInt(Math.trunc(nowMs)) * 1_000_000n;
  const adj = nowNs - offsetNs;
  // Go's % keeps the sign of the dividend; times before 1970 are not a concern here.
  const base = adj - (adj % intervalNs);
  const next = base + offsetNs;
  // Milliseconds, as timestamp.FromTime converts the slot for the samples it writes.
  return Number(next / 1_000_000n);
}
