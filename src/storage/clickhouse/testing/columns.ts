// Test support for the line column and its filters (wasm/ngrams.test.ts, wasm/filters.test.ts).
import assert from "node:assert/strict";
import { varintLength, writeVarint } from "../native.ts";

/**
 * stringColumn encodes lines as a Native String column (each a varint length, then its bytes),
 * in a SharedArrayBuffer when `shared`.
 */
export function stringColumn(lines: readonly (string | Uint8Array)[], shared = false): Buffer {
  const parts = lines.map((l) => (typeof l === "string" ? Buffer.from(l) : l));
  const size = parts.reduce((n, p) => n + varintLength(p.length) + p.length, 0);
  const out = shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.alloc(size);
  let off = 0;
  for (const p of parts) {
    off = writeVarint(out, off, p.length);
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** sameBytes asserts a and b are equal (without deepEqual's slow diff of large arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  const at = a.findIndex((x, i) => x !== b[i]);
  assert.ok(
    a.length === b.length && at < 0,
    `${what}: ${a.length}/${b.length} bytes, differ at ${at}`,
  );
}
