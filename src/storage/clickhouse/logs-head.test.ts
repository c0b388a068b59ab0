import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import { EMPTY_LABELS, labelsFromRecord } from "../../model/labels/index.ts";
import type { LogEntry, LogLines } from "../logs.ts";
import { entriesToLines } from "../logs.ts";
import { addNgrams, bloomShift, bloomWords, foldBloom } from "./logs-bloom.ts";
import type { HeadStream } from "./logs-head.ts";
import { BufferPool, sizeClass } from "../../util/buffer-pool.ts";
import { DayHead, decodeWalLines, encodeWalLabels, entriesBlock } from "./logs-head.ts";
import { decodeEntries } from "./logs-native.ts";

const stream = (): HeadStream => ({
  labels: labelsFromRecord({ app: "x" }),
  fpLo: 7,
  fpHi: 1,
  bloomText: 0,
});
const INFO: Labels = Object.freeze([Object.freeze({ name: "detected_level", value: "info" })]);
const md = (r: Record<string, string>): Labels => labelsFromRecord(r);

/** rowsOf decodes the entries block of `heads` into [ts, line, metadata] rows. */
function rowsOf(heads: DayHead[]): [bigint, string, Record<string, string>][] {
  const { parts, rows } = entriesBlock(heads);
  const d = decodeEntries(Buffer.concat(parts));
  assert.equal(d.rows, rows);
  return Array.from({ length: d.rows }, (_, i) => [
    d.ts[i]!,
    d.lines[i]!,
    Object.fromEntries(d.metadata[i]!.map((l) => [l.name, l.value])),
  ]);
}

describe("DayHead", () => {
  it("writes the rows of strings and byte ranges as one sorted Native block", () => {
    const h = new DayHead(stream(), 1);
    const e = (ts: bigint, line: string, m: Labels = INFO): LogEntry => ({
      tsNs: ts,
      line,
      metadata: m,
    });
    h.appendLines(
      entriesToLines([e(5n, "five"), e(1n, "one"), e(1n, "ONE é", md({ a: "1", b: "2" }))]),
    );
    const data = Buffer.from("xxthreeyytwozz");
    const lines: LogLines = {
      count: 3,
      data,
      ts: BigInt64Array.from([3n, 4n, 2n, 0n]),
      start: Int32Array.from([2, 0, 9, 0]),
      end: Int32Array.from([7, 14, 12, 0]),
      metadata: [EMPTY_LABELS, INFO, INFO, INFO],
    };
    // Only the rows selected: the second is another day's.
    h.appendLines(lines, Int32Array.from([0, 2]));
    h.closeBlock();
    h.sortRows();
    assert.deepEqual(rowsOf([h]), [
      [1n, "ONE é", { a: "1", b: "2" }],
      [1n, "one", { detected_level: "info" }],
      [2n, "two", { detected_level: "info" }],
      [3n, "three", {}],
      [5n, "five", { detected_level: "info" }],
    ]);
    assert.equal(h.rows, 5);
    assert.equal(h.text, 4 + 3 + 6 + 5 + 3);
    // One block: its filter spans all timestamps and holds every line's n-grams.
    assert.equal(h.blooms.length, 1);
    assert.equal(h.blooms[0]!.startNs, 1n);
    assert.equal(h.blooms[0]!.endNs, 5n);
  });

  it("orders timestamps by their 64 bits, the low word unsigned", () => {
    // Low words with the sign bit set, equal high words, and times before 1970 (negative high
    // words, which the head may hold though stores refuse them).
    const ts = [
      0x1_8000_0000n,
      0x1_7fff_ffffn,
      0x2_0000_0000n,
      0x1_ffff_ffffn,
      0x1_0000_0001n,
      -1n,
      -0x1_0000_0000n,
      0x1_8000_0000n,
    ];
    const h = new DayHead(stream(), 1);
    h.appendLines(
      entriesToLines(ts.map((t, i) => ({ tsNs: t, line: `l${i}`, metadata: EMPTY_LABELS }))),
    );
    h.closeBlock();
    h.sortRows();
    const sorted = [...ts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(
      rowsOf([h]).map((r) => r[0]),
      sorted,
    );
    assert.deepEqual(
      rowsOf([h])
        .slice(-4)
        .map((r) => r[1]),
      ["l0", "l7", "l3", "l2"],
    );
    assert.equal(h.blooms[0]!.startNs, -0x1_0000_0000n);
    assert.equal(h.blooms[0]!.endNs, 0x2_0000_0000n);
    // In order already: no sorting needed, and the head says so by keeping its arrays.
    const g = new DayHead(stream(), 1);
    g.appendLines(
      entriesToLines(sorted.map((t, i) => ({ tsNs: t, line: `l${i}`, metadata: EMPTY_LABELS }))),
    );
    const before = g.columns().ts;
    g.closeBlock();
    g.sortRows();
    assert.equal(g.columns().ts.buffer, before.buffer);
  });

  it("logs each commit's rows as a record that a new head replays to the same block", () => {
    const h = new DayHead(stream(), 3);
    const labels = encodeWalLabels(stream().labels);
    const records: Uint8Array[] = [];
    const commit = (entries: LogEntry[]) => {
      const m = h.mark();
      h.appendLines(entriesToLines(entries));
      records.push(Buffer.concat(h.walRecord(m, labels)));
    };
    commit([
      { tsNs: 10n, line: "a", metadata: INFO },
      { tsNs: 11n, line: "b", metadata: INFO },
    ]);
    // The first row continues the last metadata run of the commit before.
    commit([
      { tsNs: 12n, line: "c", metadata: INFO },
      { tsNs: 9n, line: "d", metadata: md({ k: "v" }) },
      { tsNs: 13n, line: "e", metadata: EMPTY_LABELS },
    ]);
    const again = new DayHead(stream(), 3);
    for (const r of records) {
      const rec = decodeWalLines(r);
      assert.equal(rec.day, 3);
      assert.deepEqual(rec.labels, stream().labels);
      again.appendRecord(rec);
    }
    for (const x of [h, again]) {
      x.closeBlock();
      x.sortRows();
    }
    assert.deepEqual(rowsOf([again]), rowsOf([h]));
    assert.equal(rowsOf([h])[0]![1], "d");
    assert.deepEqual(again.blooms, h.blooms);
    // A record cut short is refused, not misread.
    assert.throws(() => decodeWalLines(records[1]!.subarray(0, records[1]!.length - 3)), /log WAL/);
  });

  it("joins several heads' rows in order", () => {
    const a = new DayHead(stream(), 1);
    const b = new DayHead({ ...stream(), fpLo: 8 }, 1);
    a.appendLines(entriesToLines([{ tsNs: 1n, line: "a1", metadata: INFO }]));
    b.appendLines(
      entriesToLines([
        { tsNs: 1n, line: "b1", metadata: EMPTY_LABELS },
        { tsNs: 2n, line: "b2", metadata: INFO },
      ]),
    );
    const { parts } = entriesBlock([a, b]);
    const d = decodeEntries(Buffer.concat(parts));
    assert.deepEqual([...d.fingerprints], [(1n << 32n) | 7n, (1n << 32n) | 8n, (1n << 32n) | 8n]);
    assert.deepEqual(d.lines, ["a1", "b1", "b2"]);
  });
});

describe("BufferPool", () => {
  it("gives released heads' buffers to the next heads, sized from the stream's last head", () => {
    const pool = new BufferPool(1 << 20);
    const s = stream();
    const first = new DayHead(s, 1, pool);
    const line = "x".repeat(100);
    const rows = (n: number, t0: bigint) =>
      entriesToLines(
        Array.from({ length: n }, (_, i) => ({
          tsNs: t0 + BigInt(i),
          line,
          metadata: EMPTY_LABELS,
        })),
      );
    first.appendLines(rows(300, 0n));
    first.closeBlock();
    const block = entriesBlock([first]);
    first.release();
    assert.equal(s.lineBytes, 300 * 101);
    assert.equal(s.rows, 300);
    assert.ok(pool.bytes >= 300 * 101, `${pool.bytes} bytes kept`);
    const kept = pool.bytes;
    // The next head of the stream takes a buffer of that size from the pool, and does not grow.
    const next = new DayHead(s, 1, pool);
    assert.ok(pool.bytes < kept);
    next.appendLines(rows(300, 1000n));
    next.closeBlock();
    assert.deepEqual(
      rowsOf([next]).map((r) => r[1]),
      Array.from({ length: 300 }, () => line),
    );
    assert.equal(entriesBlock([next]).rows, block.rows);
    // A full pool keeps no more.
    const tiny = new BufferPool(1024);
    tiny.put(Buffer.alloc(2048));
    assert.equal(tiny.bytes, 0);
    tiny.put(Buffer.alloc(1024));
    assert.equal(tiny.get(1000).length, 1024);
    assert.equal(tiny.bytes, 0);
  });

  it("serves a request with a kept buffer of up to twice its size class", () => {
    assert.deepEqual([1, 1024, 1025, 1280, 1281, 1536, 1792, 1793, 3000, 5 << 20].map(sizeClass), [
      1024,
      1024,
      1280,
      1280,
      1536,
      1536,
      1792,
      2048,
      3072,
      5 << 20,
    ]);
    const pool = new BufferPool(64 << 20);
    const five = pool.get(5 << 20);
    assert.equal(five.length, 5 << 20);
    pool.put(five);
    assert.equal(pool.get(2 << 20).length, 2 << 20, "more than twice: a new buffer");
    assert.equal(pool.get(3 << 20), five, "up to twice: the kept one");
    assert.equal(pool.bytes, 0);
  });

  it("cuts small buffers from slabs, reused once every buffer cut from them is back", () => {
    const pool = new BufferPool(1 << 20, 64 << 10);
    const a = pool.get(10_000);
    const b = pool.get(5);
    assert.equal(a.buffer, b.buffer, "one slab");
    assert.equal(a.length, 10_000);
    assert.equal(b.length, 8);
    assert.equal(b.byteOffset - a.byteOffset, 10_000, "8-byte aligned, one after the other");
    const [c, d, e] = [1, 2, 3].map(() => pool.get(16 << 10)) as [Buffer, Buffer, Buffer];
    assert.ok([c, d, e].every((x) => x.buffer === a.buffer));
    a.fill(1);
    c.fill(2);
    e.fill(3);
    assert.ok(a.every((x) => x === 1) && c.every((x) => x === 2), "no overlap");
    const x = pool.get(16 << 10);
    assert.notEqual(x.buffer, a.buffer, "a second slab once the first is full");
    // The first slab comes back with its last buffer, and the next slab is cut from it.
    for (const y of [a, b, c, d]) pool.put(y);
    assert.equal(pool.bytes, 0);
    pool.put(e);
    assert.equal(pool.bytes, 64 << 10);
    for (let i = 0; i < 3; i++) pool.get(16 << 10); // the rest of the second slab
    const f = pool.get(16 << 10);
    assert.equal(f.buffer, a.buffer, "the first slab again");
    assert.equal(f.byteOffset, 0);
    assert.equal(pool.bytes, 0);
    // Larger buffers are whole.
    const big = pool.get(32 << 10);
    assert.equal(big.byteOffset, 0);
    assert.equal(big.length, 32 << 10);
    // The slab being cut, once all of it is back, is cut again from its start.
    pool.put(f);
    const g = pool.get(8);
    assert.equal(g.buffer, f.buffer);
    assert.equal(g.byteOffset, 0);
  });

  it("makes room in a full pool by dropping the sizes asked for least recently", () => {
    const pool = new BufferPool(8 << 10);
    // A head grows through 1, 2 and 4 KiB once, then 8 KiB is what heads ask for.
    const small = [pool.get(1000), pool.get(2000), pool.get(4000)];
    const big = pool.get(8000);
    for (const b of small) pool.put(b);
    assert.equal(pool.bytes, 7 << 10);
    pool.put(big);
    assert.equal(pool.bytes, 8 << 10);
    assert.equal(pool.get(8000), big, "the 8 KiB buffer is kept, the smaller ones dropped");
    assert.equal(pool.bytes, 0);
    // A size asked for less recently than those kept does not push them out.
    const again = pool.get(8000);
    pool.put(big);
    pool.put(Buffer.allocUnsafeSlow(1024));
    assert.equal(pool.bytes, 8 << 10);
    pool.put(again);
    assert.equal(pool.bytes, 8 << 10, "no room: only older sizes make room");
    assert.equal(pool.get(8000), big);
  });
});

describe("foldBloom", () => {
  it("gives the filter that the same n-grams set at a larger shift", () => {
    const text = Buffer.from("the quick brown fox jumps over the lazy dog 0123456789".repeat(20));
    const shift = bloomShift(64 << 10);
    const big = new Uint8Array(1 << (32 - shift - 3));
    addNgrams(bloomWords(big), shift, text, 0, text.length);
    for (const levels of [1, 2, 5]) {
      const small = new Uint8Array(big.length >>> levels);
      addNgrams(bloomWords(small), shift + levels, text, 0, text.length);
      assert.deepEqual(foldBloom(big, levels), small, `${levels} levels`);
    }
  });
});
