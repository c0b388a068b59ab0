import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { addNgrams, bloomWords } from "../logs-bloom.ts";
import { NgramMemory } from "./ngrams.ts";

describe("NgramMemory", () => {
  it("sets the bits addNgrams sets, for lines of one buffer in and out of its span", () => {
    let seed = 11;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 ="{}:,ü日';
    const text = Array.from(
      { length: 3e5 },
      () => alphabet[Math.floor(rand() * alphabet.length)],
    ).join("");
    const data = Buffer.from(text);
    const m = new NgramMemory();
    for (const bytes of [2048, 8192, 65536]) {
      const shift = 32 - Math.log2(bytes * 8);
      const want = new Uint8Array(bytes);
      const off = m.alloc(bytes);
      // Lines of 0 to ~3000 bytes, some longer than a span would hold if it were small.
      for (let at = 0; at < data.length;) {
        const n = Math.min(data.length - at, Math.floor(rand() * rand() * 3000));
        addNgrams(bloomWords(want), shift, data, at, at + n);
        m.hash(data, at, at + n, off, shift);
        at += n + Math.floor(rand() * 3);
      }
      m.endSpan();
      assert.deepEqual(m.take(off, bytes), want, `${bytes}-byte filter`);
    }
  });

  it("hashes a line longer than its span and sees a buffer's new bytes after endSpan", () => {
    const m = new NgramMemory();
    const long = Buffer.alloc(3 << 20, "abcdefgh");
    long.write("needle", 2 << 20);
    const want = new Uint8Array(4096);
    addNgrams(bloomWords(want), 17, long, 0, long.length);
    const off = m.alloc(4096);
    m.hash(long, 0, long.length, off, 17);
    m.endSpan();
    assert.deepEqual(m.take(off, 4096), want);
    const buf = Buffer.from("first line of text");
    const a = m.alloc(2048);
    m.hash(buf, 0, buf.length, a, 18);
    m.endSpan();
    buf.write("other words in it!");
    const b = m.alloc(2048);
    m.hash(buf, 0, buf.length, b, 18);
    m.endSpan();
    const wantB = new Uint8Array(2048);
    addNgrams(bloomWords(wantB), 18, buf, 0, buf.length);
    assert.deepEqual(m.take(b, 2048), wantB);
    m.release(a, 2048);
  });

  it("reuses freed slots, zeroed, and keeps slots across memory growth", () => {
    const m = new NgramMemory();
    const a = m.alloc(65536);
    const data = Buffer.from("some text to hash into the filter");
    m.hash(data, 0, data.length, a, 13);
    m.endSpan();
    const before = m.take(a, 65536);
    assert.ok(before.some((b) => b !== 0));
    const again = m.alloc(65536);
    assert.equal(again, a, "the freed slot is reused");
    // Grow the memory well past its start while `again` is held.
    const size = m.bytes;
    const big = Array.from({ length: 40 }, () => m.alloc(65536));
    assert.ok(m.bytes > size);
    m.hash(data, 0, data.length, again, 13);
    m.endSpan();
    assert.deepEqual(m.take(again, 65536), before, "a reused slot starts zeroed");
    for (const o of big) m.release(o, 65536);
  });

  it("is built from ngrams.wat (scripts/build-wasm.mjs --check)", () => {
    execFileSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], { stdio: "pipe" });
  });
});
