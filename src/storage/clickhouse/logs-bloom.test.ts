import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LineFilter } from "../logs.ts";
import { addNgrams, bloomProbe, bloomShift, bloomWords, probeSql } from "./logs-bloom.ts";

/** bloomConditionSql is the condition on filter rows that line filters imply, if any. */
function bloomConditionSql(filters: readonly LineFilter[] | undefined): string | undefined {
  const probe = bloomProbe(filters);
  return probe && probeSql(probe);
}

describe("line blooms", () => {
  it("sizes filters from 2^9 to 2^19 bits, denser for small blocks", () => {
    assert.equal(bloomShift(0), 32 - 9);
    assert.equal(bloomShift(100), 32 - 9); // 400 bits wanted
    assert.equal(bloomShift(1500), 32 - 12); // 6000 bits wanted
    assert.equal(bloomShift(10_000), 32 - 14); // 2^14 for small blocks
    assert.equal(bloomShift(100_000), 32 - 15); // 50,000 bits wanted
    assert.equal(bloomShift(1 << 20), 32 - 19);
    assert.equal(bloomShift(1 << 24), 32 - 19);
  });

  it("sets two bits per 4-byte window of a line and none for shorter lines", () => {
    const shift = bloomShift(0);
    const bits = (s: string) => {
      const b = new Uint8Array(64);
      const bytes = Buffer.from(`..${s}..`);
      addNgrams(bloomWords(b), shift, bytes, 2, bytes.length - 2);
      return b.reduce((n, x) => n + x.toString(2).replaceAll("0", "").length, 0);
    };
    assert.equal(bits("abc"), 0);
    const one = bits("abcd");
    assert.ok(one >= 1 && one <= 2);
    assert.ok(bits("abcdefghijklmnop") > 2 * one, "more windows, more bits");
    // The windows stop at `end`: the dots around the line add nothing.
    assert.equal(bits("abcd"), one);
  });

  it("turns |= filters into conditions on the filter rows, and ignores what they cannot serve", () => {
    assert.equal(bloomConditionSql(undefined), undefined);
    assert.equal(bloomConditionSql([{ op: "!=", values: ["needle"] }]), undefined);
    assert.equal(bloomConditionSql([{ op: "|~", values: ["needle"] }]), undefined);
    assert.equal(bloomConditionSql([{ op: "|=", values: ["abc"] }]), undefined);
    // One alternative shorter than a window can match anywhere.
    assert.equal(bloomConditionSql([{ op: "|=", values: ["needle", "ab"] }]), undefined);
    const one = bloomConditionSql([{ op: "|=", values: ["abcd"] }])!;
    assert.equal(one.match(/bitTest/g)!.length, 2);
    const five = bloomConditionSql([{ op: "|=", values: ["abcdefgh"] }])!;
    assert.equal(five.match(/bitTest/g)!.length, 10);
    const alts = bloomConditionSql([
      { op: "|=", values: ["abcd", "wxyz"] },
      { op: "|=", values: ["ü-ü"] }, // 5 bytes in UTF-8: two windows
    ])!;
    assert.match(alts, /^\(\(.*\) OR \(.*\)\) AND \(.*\)$/);
    assert.equal(alts.match(/bitTest/g)!.length, 2 + 2 + 4);
    // Repeated windows are tested once; long needles on their first 32 distinct windows.
    assert.equal(
      bloomConditionSql([{ op: "|=", values: ["aaaaaaaa"] }])!.match(/bitTest/g)!.length,
      2,
    );
    assert.equal(
      bloomConditionSql([
        { op: "|=", values: ["0123456789".repeat(20) + "abcdefghijklmnopqrstuvwxyz".repeat(4)] },
      ])!.match(/bitTest/g)!.length,
      64,
    );
  });
});
