import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unwritten } from "./iovec.ts";

describe("unwritten", () => {
  const bufs = [Buffer.from("abc"), Buffer.from(""), Buffer.from("defg"), Buffer.from("h")];
  const text = (bs: Uint8Array[]) => bs.map((b) => Buffer.from(b).toString()).join("");
  it("leaves what a partial write did not reach, cutting the buffer it stopped in", () => {
    for (let n = 0; n <= 8; n++) {
      assert.equal(text(unwritten(bufs, n)), "abcdefgh".slice(n), `after ${n} bytes`);
    }
    assert.deepEqual(unwritten(bufs, 8), []);
    assert.equal(unwritten(bufs, 5)[0]!.length, 2, "the cut buffer comes first");
  });
});
