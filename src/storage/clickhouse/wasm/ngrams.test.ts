import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { addNgrams, bloomWords } from "../logs-bloom.ts";
import { varintLength } from "../native.ts";
import { sameBytes, stringColumn as column } from "../testing/columns.ts";
import { NgramMemory } from "./ngrams.ts";

describe("NgramMemory", () => {
  it("sets the bits addNgrams sets for every line of a column's runs", () => {
    let seed = 11;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 ="{}:,ü日';
    const text = Buffer.from(
      Array.from({ length: 3e5 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(""),
    );
    // Lines of 0 to ~3000 bytes (varints of one and two bytes), and one of 200 KiB.
    const lines: Uint8Array[] = [];
    for (let at = 0; at < text.length;) {
      const n = Math.min(text.length - at, Math.floor(rand() * rand() * 3000));
      lines.push(text.subarray(at, at + n));
      at += n;
    }
    lines.push(Buffer.alloc(200 << 10, "0123456789abcdef"));
    const col = column(lines);
    // Runs that end at line boundaries.
    const ends: number[] = [];
    for (let i = 0, off = 0; i < lines.length; i++) {
      off += varintLength(lines[i]!.length) + lines[i]!.length;
      if (i % 97 === 0 || i === lines.length - 1) ends.push(off);
    }
    const m = new NgramMemory();
    for (const bytes of [2048, 8192, 65536]) {
      const shift = 32 - Math.log2(bytes * 8);
      const want = new Uint8Array(bytes);
      for (const l of lines) addNgrams(bloomWords(want), shift, l, 0, l.length);
      const off = m.alloc(bytes);
      let from = 0;
      for (const to of ends) {
        m.hashColumn(col, from, to, off, shift);
        from = to;
      }
      sameBytes(m.take(off, bytes), want, `${bytes}-byte filter`);
    }
  });

  it("hashes a run larger than its scratch, and refuses a run whose lengths do not add up", () => {
    const m = new NgramMemory();
    const long = Buffer.alloc(3 << 20, "abcdefgh");
    long.write("needle", 2 << 20);
    const col = column([long, Buffer.from("short line")]);
    const want = new Uint8Array(4096);
    addNgrams(bloomWords(want), 17, long, 0, long.length);
    addNgrams(bloomWords(want), 17, Buffer.from("short line"), 0, 10);
    const off = m.alloc(4096);
    m.hashColumn(col, 0, col.length, off, 17);
    sameBytes(m.take(off, 4096), want, "long run");
    const bad = column([Buffer.from("first line"), Buffer.from("second")]);
    const a = m.alloc(2048);
    // Cut inside the second line, and inside a varint.
    assert.throws(() => m.hashColumn(bad, 0, bad.length - 1, a, 18), /runs past the column/);
    const two = column([Buffer.alloc(300, "x")]);
    assert.throws(() => m.hashColumn(two, 0, 1, a, 18), /runs past the column/);
    m.release(a, 2048);
  });

  it("reuses freed slots, zeroed, and keeps slots across memory growth", () => {
    const m = new NgramMemory();
    const a = m.alloc(65536);
    const data = column([Buffer.from("some text to hash into the filter")]);
    m.hashColumn(data, 0, data.length, a, 13);
    const before = m.take(a, 65536);
    assert.ok(before.some((b) => b !== 0));
    const again = m.alloc(65536);
    assert.equal(again, a, "the freed slot is reused");
    // Grow the memory well past its start while `again` is held.
    const size = m.bytes;
    const big = Array.from({ length: 40 }, () => m.alloc(65536));
    assert.ok(m.bytes > size);
    m.hashColumn(data, 0, data.length, again, 13);
    sameBytes(m.take(again, 65536), before, "a reused slot starts zeroed");
    for (const o of big) m.release(o, 65536);
  });

  it("is built from ngrams.wat (scripts/build-wasm.mjs --check)", () => {
    execFileSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], { stdio: "pipe" });
  });
});
