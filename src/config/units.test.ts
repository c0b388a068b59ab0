import assert from "node:assert/strict";
import { test } from "node:test";
import { formatBytes, parseBytes } from "./units.ts";

// `out` is the canonical formatting when it differs from the input.
const cases: { in: string; bytes?: number; out?: string; error?: true }[] = [
  { in: "0", bytes: 0, out: "0B" },
  { in: "1048576", bytes: 1024 * 1024, out: "1MiB" },
  { in: "1500B", bytes: 1500 },
  { in: "1KB", bytes: 1000 },
  { in: "1KiB", bytes: 1024 },
  { in: "10MB", bytes: 10_000_000 },
  { in: "10MiB", bytes: 10 * 1024 * 1024 },
  { in: "2GB", bytes: 2_000_000_000 },
  { in: "2GiB", bytes: 2 * 1024 ** 3 },
  { in: "2048 KiB", bytes: 2048 * 1024, out: "2MiB" },
  { in: "1000KB", bytes: 1_000_000, out: "1MB" },
  { in: "3000KiB", bytes: 3000 * 1024 },
  { in: "", error: true },
  { in: "MiB", error: true },
  { in: "10mib", error: true },
  { in: "10 mb", error: true },
  { in: "1.5GiB", error: true },
  { in: "-1", error: true },
  { in: "10  MiB", error: true },
  { in: " 10MiB", error: true },
  { in: "10TB", error: true },
  { in: "9007199254740992", error: true },
];

void test("parseBytes and formatBytes", () => {
  for (const c of cases) {
    if (c.error) {
      assert.throws(
        () => parseBytes(c.in),
        { message: `invalid size ${JSON.stringify(c.in)}` },
        c.in,
      );
      continue;
    }
    assert.equal(parseBytes(c.in), c.bytes, c.in);
    assert.equal(formatBytes(c.bytes!), c.out ?? c.in, c.in);
  }
  assert.throws(() => formatBytes(-1), RangeError);
  assert.throws(() => formatBytes(1.5), RangeError);
});
