import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addNgrams, bloomWords, foldBloom } from "../logs-bloom.ts";
import { varintLength } from "../native.ts";
import { sameBytes, stringColumn as column } from "../testing/columns.ts";
import { InlineFilters, WorkerFilters } from "./filters.ts";

/** expected returns the filter addNgrams makes of the lines, folded by levels. */
function expected(lines: readonly string[], bytes: number, levels: number): Uint8Array {
  const bloom = new Uint8Array(bytes);
  const shift = 32 - Math.log2(bytes * 8);
  for (const l of lines) {
    const b = Buffer.from(l);
    addNgrams(bloomWords(bloom), shift, b, 0, b.length);
  }
  return levels > 0 ? foldBloom(bloom, levels) : bloom;
}

let seed = 5;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const words = ["GET", "/api/v1", "level=info", "trace_id=", "ü日本", "needle", "200", "-"];
const someLines = (n: number) =>
  Array.from({ length: n }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 30) }, () => words[Math.floor(rand() * 8)]).join(
      " ",
    ),
  );

describe("Filters", () => {
  it("sets addNgrams' bits for a column's lines handed over in runs, in this thread and in a worker", async () => {
    const worker = new WorkerFilters();
    try {
      for (const shared of [true, false]) {
        const lines = someLines(3000);
        const col = column(lines, shared);
        for (const [bytes, levels] of [
          [65536, 0],
          [8192, 2],
        ] as const) {
          const shift = 32 - Math.log2(bytes * 8);
          const inline = new InlineFilters();
          const a = inline.open(bytes);
          const b = worker.open(bytes);
          // Runs that end at line boundaries: a third, then the rest.
          const cut =
            Buffer.byteLength(lines.slice(0, 1000).join("")) + varints(lines.slice(0, 1000));
          for (const [from, to] of [
            [0, cut],
            [cut, col.length],
          ] as const) {
            inline.hashColumn(col, from, to, a, shift);
            worker.hashColumn(col, from, to, b, shift);
          }
          const want = expected(lines, bytes, levels);
          sameBytes(inline.close(a, levels), want, `inline, ${bytes} ${levels}`);
          sameBytes(await worker.close(b, levels), want, `worker, ${bytes} ${levels} ${shared}`);
        }
      }
    } finally {
      await worker.stop();
    }
  });

  it("answers the filters a dead worker held with every bit set, and starts another", async () => {
    const errors: Error[] = [];
    const worker = new WorkerFilters((e) => errors.push(e));
    const lines = someLines(100);
    const col = column(lines, true);
    const shift = 32 - Math.log2(2048 * 8);
    const a = worker.open(2048);
    worker.hashColumn(col, 0, col.length, a, shift);
    const early = worker.open(2048);
    // The first batch reaches the worker; then it dies.
    assert.equal((await worker.close(early, 0)).length, 2048);
    await worker.stop();
    assert.equal(errors.length, 1);
    sameBytes(await worker.close(a, 1), new Uint8Array(1024).fill(0xff), "every bit set");
    const b = worker.open(2048);
    worker.hashColumn(col, 0, col.length, b, shift);
    sameBytes(await worker.close(b, 0), expected(lines, 2048, 0), "the new worker's");
    await worker.stop();
  });
});

/** varints returns the bytes of the lines' length prefixes. */
function varints(lines: readonly string[]): number {
  return lines.reduce((n, l) => n + varintLength(Buffer.byteLength(l)), 0);
}
