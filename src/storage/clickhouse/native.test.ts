import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeNative, layoutBlock, setInt64 } from "./native.ts";

describe("Native format", () => {
  it("writes integers held in doubles as Int64", () => {
    const vs = [0, 1, -1, 2 ** 32, -(2 ** 32) - 5, 2 ** 53 - 1, -(2 ** 53 - 1), 1_795_276_977_721];
    const view = new DataView(new ArrayBuffer(8 * vs.length));
    vs.forEach((v, i) => setInt64(view, 8 * i, v));
    assert.deepEqual(
      vs.map((_, i) => view.getBigInt64(8 * i, true)),
      vs.map((v) => BigInt(v)),
    );
  });

  it("lays out a block that decodes back, reusing a larger buffer", () => {
    const write = (reuse?: Uint8Array) => {
      const { bytes, view, offsets } = layoutBlock(
        3,
        [
          { name: "e", type: "UInt8", size: 3 },
          { name: "m", type: "Int64", size: 24 },
        ],
        reuse,
      );
      [7, 255, 0].forEach((e, i) => view.setUint8(offsets[0]! + i, e));
      [-5, 0, 2 ** 40].forEach((m, i) => setInt64(view, offsets[1]! + 8 * i, m));
      return bytes;
    };
    const big = new Uint8Array(1024).fill(0xaa);
    const bytes = write(big);
    assert.equal(bytes.buffer, big.buffer, "the larger buffer is reused");
    for (const b of [bytes, write()]) {
      const t = decodeNative(b);
      assert.equal(t.rows, 3);
      assert.deepEqual([...(t.columns.get("e")!.values as Uint8Array)], [7, 255, 0]);
      assert.deepEqual([...(t.columns.get("m")!.values as Float64Array)], [-5, 0, 2 ** 40]);
    }
  });
});
