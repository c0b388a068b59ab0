import assert from "node:assert/strict";
import { test } from "node:test";
import type { BloomBlock } from "./logs-bloom.ts";
import { addNgrams, bloomProbe, bloomWords } from "./logs-bloom.ts";
import { BloomCache } from "./logs-bloom-cache.ts";

const SHIFT = 32 - 12; // 4096-bit filters: 512 bytes

function block(fp: number, startNs: bigint, endNs: bigint, text: string): BloomBlock {
  const bloom = new Uint8Array(512);
  const bytes = Buffer.from(text);
  addNgrams(bloomWords(bloom), SHIFT, bytes, 0, bytes.length);
  return { fpLo: fp, fpHi: 0, startNs, endNs, shift: SHIFT, bloom };
}

const probe = bloomProbe([{ op: "|=", values: ["needle"] }])!;

void test("bloom cache: floors come from the table's ends, eviction raises them", () => {
  const c = new BloomCache(3 * (512 + 128));
  assert.equal(c.floor(1n), undefined, "unknown until the table's ends are known");
  // Written before the table's ends arrived: the floor still rises to them.
  c.add([block(1, 10n, 20n, "a needle here")]);
  c.setTableEnds(new Map([[1n, 100n]]));
  assert.equal(c.floor(1n), 101n);
  assert.equal(c.floor(2n), -(1n << 63n), "a stream the table never had");
  c.add([block(2, 30n, 40n, "no match"), block(2, 50n, 60n, "needle again")]);
  assert.equal(c.bytes, 3 * (512 + 128), "filters and their objects");
  const out: { fp: bigint; a: bigint; z: bigint }[] = [];
  assert.ok(c.collect(2n, probe, 0n, 1000n, out, 10));
  assert.deepEqual(out, [{ fp: 2n, a: 50n, z: 60n }]);
  // Over the budget: the oldest filter (stream 1's) goes, and its end raises stream 1's floor
  // no further than it was; a second eviction raises stream 2's past the evicted block.
  c.add([block(3, 70n, 80n, "x")]);
  assert.equal(c.floor(1n), 101n);
  c.add([block(3, 90n, 95n, "y")]);
  assert.equal(c.floor(2n), 41n);
  assert.equal(c.bytes, 3 * (512 + 128));
  out.length = 0;
  assert.ok(c.collect(2n, probe, 0n, 1000n, out, 10));
  assert.deepEqual(out, [{ fp: 2n, a: 50n, z: 60n }]);
  // Ranges outside the query's and the limit.
  out.length = 0;
  assert.ok(c.collect(2n, probe, 61n, 1000n, out, 10));
  assert.deepEqual(out, []);
  assert.equal(c.collect(2n, probe, 0n, 1000n, [{ fp: 9n, a: 0n, z: 0n }], 1), false);
});
