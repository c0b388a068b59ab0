import assert from "node:assert/strict";
import { test } from "node:test";
import { GC_FLAGS, tuneGarbageCollector } from "./gc.ts";

void test("gc: the flags are set unless the process was started with them", () => {
  assert.deepEqual(tuneGarbageCollector(""), [...GC_FLAGS]);
  assert.deepEqual(tuneGarbageCollector("--max-old-space-size=4096 --heap-growing-percent=20"), [
    "--max-semi-space-size=32",
  ]);
  assert.deepEqual(
    tuneGarbageCollector("--max_semi_space_size=64 --heap-growing-percent=20"),
    [],
    "V8 accepts underscores too",
  );
});
