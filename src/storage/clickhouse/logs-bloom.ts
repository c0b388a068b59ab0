// Line blooms: n-gram bloom filters over blocks of log lines, built at ingest (wasm/filters.ts,
// in a worker thread) and stored in their own table (schema.ts migration 6), so that `|= "needle"` reads
// only the blocks whose filter holds every 4-byte n-gram of the needle.
//
// ClickHouse's own ngrambf_v1 skip index did the same job, but building it (two CityHash64 per
// n-gram at insert, and again at every merge) cost three times as much CPU as storing the lines
// themselves (bench/logs-storage.ts). Here an n-gram costs two multiplications, and a block's
// filter is built once.
//
// A block is a run of one stream's entries, in time order, of at most BLOCK_MAX_BYTES of line
// text. Its filter has 2^b bits, 2^9 to 2^19 (64 KiB, about 6% of a full block's text; 3-6% for
// most blocks);
// every 4-byte window of every line (UTF-8 bytes, case-sensitive, not across lines) sets two
// bits. A query reads the (stream, first ts, last ts) of the blocks whose filter passes and
// narrows the entries query to those ranges.
//
// Correctness rests on one invariant: every stored entry lies in the time range of a filter
// row of its stream that holds its n-grams. Filter rows are inserted before their entries, and
// migration 6 gives entries written before it filter rows that match everything.
import type { LineFilter } from "../logs.ts";

/** NGRAM: the length in bytes of the windows a filter holds. */
export const NGRAM = 4;

/** BLOCK_MAX_BYTES: a block ends before its line text would exceed this. */
export const BLOCK_MAX_BYTES = 1 << 20;

const MIN_BITS_LOG2 = 9;
const MAX_BITS_LOG2 = 19;

/**
 * bloomShift returns the shift that maps a 32-bit hash to a bit of the filter for a block of
 * `textBytes` bytes: the filter has 2^(32 - shift) bits. Large blocks repeat most of their
 * n-grams and get up to one bit per two bytes; small ones, whose n-grams are mostly distinct, up
 * to four bits per byte (at most 2^14 bits for that).
 */
export function bloomShift(textBytes: number): number {
  const want = Math.max(textBytes / 2, Math.min(textBytes * 4, 1 << 14));
  // Rounded down to a power of two: rounding up made filters of up to 11% of their text.
  let log2 = MIN_BITS_LOG2;
  while (log2 < MAX_BITS_LOG2 && 2 ** (log2 + 1) <= want) log2++;
  return 32 - log2;
}

/** hash1 and hash2 are the two bit positions' hashes of an n-gram (4 bytes, little endian). */
function hash1(v: number): number {
  return Math.imul(v, 0x9e3779b1) >>> 0;
}
function hash2(v: number): number {
  return Math.imul(v ^ (v >>> 15), 0x85ebca6b) >>> 0;
}

/**
 * bloomWords views a filter's bytes as 32-bit little-endian words, which addNgrams sets bits
 * in: bit p is bit p & 31 of word p >>> 5, the same bit as bit p & 7 of byte p >>> 3.
 */
export function bloomWords(bloom: Uint8Array): Int32Array {
  return new Int32Array(bloom.buffer, bloom.byteOffset, bloom.byteLength >>> 2);
}

/**
 * addNgrams sets the bits of every n-gram of bytes[start, end) in the filter `words`
 * (bloomWords). Ingest runs the same loop as WebAssembly (wasm/ngrams.wat); this is its
 * reference, which the module's tests compare it with. The hashes are hash1 and hash2 inlined, shifted without the unsigned
 * conversion in between, which would make V8 box every hash as a double (twice the time).
 */
export function addNgrams(
  words: Int32Array,
  shift: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): void {
  if (end - start < NGRAM) return;
  let v = (bytes[start]! << 8) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 24);
  for (let i = start + 3; i < end; i++) {
    v = (v >>> 8) | (bytes[i]! << 24);
    const p = Math.imul(v, 0x9e3779b1) >>> shift;
    words[p >>> 5]! |= 1 << (p & 31);
    const q = Math.imul(v ^ (v >>> 15), 0x85ebca6b) >>> shift;
    words[q >>> 5]! |= 1 << (q & 31);
  }
}

/** PAIRS[x]: the 4 bits whose bit i is bit 2i | bit 2i+1 of x. */
const PAIRS = Uint8Array.from({ length: 256 }, (_, x) => {
  let out = 0;
  for (let i = 0; i < 4; i++) if ((x >>> (2 * i)) & 3) out |= 1 << i;
  return out;
});

/**
 * foldBloom returns the filter of `levels` more shift (2^levels times fewer bits) that the
 * same n-grams would have set: bit p of the result is set when any bit of the input that maps
 * to it (p << levels up to (p + 1) << levels) is. A filter sized for more text than its block
 * got is folded to its text's size when the block closes.
 */
export function foldBloom(bloom: Uint8Array, levels: number): Uint8Array {
  let cur = bloom;
  for (let l = 0; l < levels && cur.length > 1; l++) {
    const next = new Uint8Array(cur.length >>> 1);
    for (let j = 0; j < next.length; j++) {
      next[j] = PAIRS[cur[2 * j]!]! | (PAIRS[cur[2 * j + 1]!]! << 4);
    }
    cur = next;
  }
  return cur;
}

/**
 * MAX_NEEDLE_NGRAMS bounds the tests one needle adds: a longer needle is tested on its first
 * n-grams only, which still excludes nearly every block that lacks it.
 */
const MAX_NEEDLE_NGRAMS = 32;

/** ngramsOf returns the first MAX_NEEDLE_NGRAMS distinct n-grams of s's UTF-8 bytes. */
function ngramsOf(s: string): number[] {
  const b = Buffer.from(s, "utf8");
  const out = new Set<number>();
  for (let i = NGRAM - 1; i < b.length && out.size < MAX_NEEDLE_NGRAMS; i++) {
    out.add((b[i - 3]! | (b[i - 2]! << 8) | (b[i - 1]! << 16) | (b[i]! << 24)) >>> 0);
  }
  return [...out];
}

/** bitSql tests the filter bit of a 32-bit hash against a row's `bloom` and `shift` columns. */
function bitSql(h: number): string {
  const p = `bitShiftRight(toUInt32(${h}), shift)`;
  return `bitTest(reinterpretAsUInt8(substring(bloom, intDiv(${p}, 8) + 1, 1)), ${p} % 8)`;
}

/**
 * BloomProbe is what line filters ask of a block's filter: for every filter, some alternative
 * whose hashes all have their bit set.
 */
export type BloomProbe = readonly (readonly (readonly number[])[])[];

/**
 * bloomProbe returns the probe that line filters imply: each `|=` filter whose alternatives are
 * all at least NGRAM bytes long requires that some alternative's n-grams are all present.
 * Filters that cannot use the blooms (negations, regexes, short needles) add nothing; undefined
 * when none can.
 */
export function bloomProbe(filters: readonly LineFilter[] | undefined): BloomProbe | undefined {
  const groups: number[][][] = [];
  for (const f of filters ?? []) {
    if (f.op !== "|=" || f.values.length === 0) continue;
    if (f.values.some((v) => Buffer.byteLength(v, "utf8") < NGRAM)) continue;
    groups.push(f.values.map((v) => ngramsOf(v).flatMap((g) => [hash1(g), hash2(g)])));
  }
  return groups.length ? groups : undefined;
}

/** probeMatches tells whether a filter of 2^(32 - shift) bits passes the probe. */
export function probeMatches(probe: BloomProbe, shift: number, bloom: Uint8Array): boolean {
  return probe.every((alts) =>
    alts.some((hashes) =>
      hashes.every((h) => {
        const p = h >>> shift;
        return (bloom[p >>> 3]! & (1 << (p & 7))) !== 0;
      }),
    ),
  );
}

/** probeSql is probeMatches as a condition on filter rows (their `bloom` and `shift`). */
export function probeSql(probe: BloomProbe): string {
  return probe
    .map((alts) => {
      const sql = alts.map((hashes) => `(${hashes.map(bitSql).join(" AND ")})`);
      return sql.length === 1 ? sql[0]! : `(${sql.join(" OR ")})`;
    })
    .join(" AND ");
}

/** BloomBlock is one block's filter row. */
export interface BloomBlock {
  readonly fpLo: number;
  readonly fpHi: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly shift: number;
  readonly bloom: Uint8Array;
}
