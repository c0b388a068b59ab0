import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import { EMPTY_LABELS, labelsFromRecord } from "../../model/labels/index.ts";
import type { LogEntry, LogLine } from "../logs.ts";
import { addNgrams, bloomShift, bloomWords, foldBloom } from "./logs-bloom.ts";
import type { HeadStream } from "./logs-head.ts";
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
    h.appendStrings([e(5n, "five"), e(1n, "one"), e(1n, "ONE é", md({ a: "1", b: "2" }))]);
    const data = Buffer.from("xxthreeyytwo");
    const lines: LogLine[] = [
      { tsNs: 3n, start: 2, end: 7, metadata: EMPTY_LABELS },
      { tsNs: 2n, start: 9, end: 12, metadata: INFO },
    ];
    h.appendLines(data, lines);
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

  it("logs each commit's rows as a record that a new head replays to the same block", () => {
    const h = new DayHead(stream(), 3);
    const labels = encodeWalLabels(stream().labels);
    const records: Uint8Array[] = [];
    const commit = (entries: LogEntry[]) => {
      const m = h.mark();
      h.appendStrings(entries);
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
    a.appendStrings([{ tsNs: 1n, line: "a1", metadata: INFO }]);
    b.appendStrings([
      { tsNs: 1n, line: "b1", metadata: EMPTY_LABELS },
      { tsNs: 2n, line: "b2", metadata: INFO },
    ]);
    const { parts } = entriesBlock([a, b]);
    const d = decodeEntries(Buffer.concat(parts));
    assert.deepEqual([...d.fingerprints], [(1n << 32n) | 7n, (1n << 32n) | 8n, (1n << 32n) | 8n]);
    assert.deepEqual(d.lines, ["a1", "b1", "b2"]);
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
