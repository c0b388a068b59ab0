import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import { EMPTY_LABELS, labelsFromRecord } from "../../model/labels/index.ts";
import type { LogEntry, LogLines } from "../logs.ts";
import { entriesToLines } from "../logs.ts";
import { addNgrams, bloomShift, bloomWords, foldBloom } from "./logs-bloom.ts";
import type { HeadStream } from "./logs-head.ts";
import { BufferPool } from "../../util/buffer-pool.ts";
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
