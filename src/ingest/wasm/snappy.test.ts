import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import snappy from "snappy";
import { SnappyError, snappyDecodeInto } from "../snappy.ts";
import { snappyDecodeWasm, snappyModule } from "./snappy.ts";

let seed = 7;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const int = (n: number) => Math.floor(rand() * n);

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

function logText(bytes: number): Buffer {
  const levels = ["debug", "info", "warn", "error"];
  const msgs = ["request served", "cache miss", "upstream timeout", "retrying write"];
  const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[int(16)]).join("");
  let s = "";
  while (s.length < bytes) {
    s +=
      int(2) === 0
        ? `ts=2026-11-21T10:00:0${int(10)}.${int(1000)}Z level=${levels[int(4)]} msg="${msgs[int(4)]}" trace_id=${hex(32)} user=u${int(10000)}\n`
        : JSON.stringify({ time: "2026-11-21T10:00:00Z", level: levels[int(4)], order: int(1e9) }) +
          "\n";
  }
  return Buffer.from(s.slice(0, bytes));
}

// Hand-made blocks: element encoders and a generator of random valid blocks.
function uvarint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** literal encodes data with its length - 1 in the tag (width 0) or in 1 to 4 bytes after it. */
function literal(data: Uint8Array, width = -1): number[] {
  const m = data.length - 1;
  if (width < 0) width = m < 60 ? 0 : m < 1 << 8 ? 1 : m < 1 << 16 ? 2 : m < 1 << 24 ? 3 : 4;
  const head = width === 0 ? [m << 2] : [(59 + width) << 2];
  for (let i = 0; i < width; i++) head.push((m >>> (8 * i)) & 255);
  return [...head, ...data];
}

function copy(off: number, len: number, kind: 1 | 2 | 4): number[] {
  if (kind === 1) return [((off >> 8) << 5) | ((len - 4) << 2) | 1, off & 255];
  if (kind === 2) return [((len - 1) << 2) | 2, off & 255, off >> 8];
  return [((len - 1) << 2) | 3, off & 255, (off >> 8) & 255, (off >> 16) & 255, off >>> 24];
}

/** block makes a valid block of random elements and returns it with its decoded bytes. */
function block(elements: number, maxOff = 1 << 20): { src: Buffer; want: Buffer } {
  const want: number[] = [];
  const body: number[] = [];
  for (let i = 0; i < elements; i++) {
    if (want.length === 0 || int(3) === 0) {
      const data = int(4) === 0 ? randomBytes(1 + int(300)) : randomBytes(1 + int(20));
      const min = data.length <= 60 ? 0 : data.length <= 256 ? 1 : 2;
      body.push(...literal(data, min + int(5 - min)));
      want.push(...data);
      continue;
    }
    const d = want.length;
    // Short offsets (overlapping copies) often, the whole range sometimes.
    const off = 1 + (int(2) === 0 ? int(Math.min(d, 20)) : int(Math.min(d, maxOff)));
    const kinds: (1 | 2 | 4)[] = [4];
    if (off < 1 << 16) kinds.push(2);
    if (off < 1 << 11) kinds.push(1);
    const kind = kinds[int(kinds.length)]!;
    const len = kind === 1 ? 4 + int(8) : 1 + int(64);
    body.push(...copy(off, len, kind));
    for (let j = 0; j < len; j++) want.push(want[d - off + j]!);
  }
  return { src: Buffer.from([...uvarint(want.length), ...body]), want: Buffer.from(want) };
}

/** decodeBoth decodes with both decoders and checks they agree: the bytes, or a SnappyError. */
function decodeBoth(src: Uint8Array, cap: number): Buffer | SnappyError {
  const outJs = Buffer.alloc(cap);
  const outWasm = Buffer.alloc(cap);
  let js: Buffer | SnappyError;
  let wasm: Buffer | SnappyError;
  try {
    js = outJs.subarray(0, snappyDecodeInto(src, outJs));
  } catch (e) {
    assert.ok(e instanceof SnappyError, `js: ${String(e)}`);
    js = e;
  }
  try {
    wasm = outWasm.subarray(0, snappyDecodeWasm(src, outWasm));
  } catch (e) {
    assert.ok(e instanceof SnappyError, `wasm: ${String(e)}`);
    wasm = e;
  }
  if (js instanceof SnappyError) assert.ok(wasm instanceof SnappyError, "wasm decoded, js threw");
  else assert.deepEqual(wasm, js);
  return wasm;
}

function declared(src: Uint8Array): number {
  let n = 0;
  for (let i = 0, shift = 0; i < src.length && shift <= 28; i++, shift += 7) {
    n += (src[i]! & 0x7f) * 2 ** shift;
    if (src[i]! < 0x80) return n;
  }
  return -1;
}

describe("snappyDecodeWasm", () => {
  it("decodes what the snappy package compresses", () => {
    const inputs = [
      Buffer.alloc(0),
      Buffer.from("x"),
      Buffer.from("ab"),
      Buffer.alloc(100_000, "a"),
      Buffer.alloc(70_000, "abcdefg"),
      randomBytes(5000),
      randomBytes(200_000),
      logText(300),
      logText(70_000),
      logText(3 << 20),
      // Small again after the memory grew.
      logText(1000),
    ];
    for (const data of inputs) {
      const src = snappy.compressSync(data);
      const got = decodeBoth(src, data.length);
      assert.ok(!(got instanceof SnappyError), `${data.length} bytes: ${String(got)}`);
      assert.ok(got.equals(data), `${data.length} bytes`);
    }
  });

  it("decodes literals of every length encoding and copies of every kind", () => {
    // A literal of 5 bytes with its length in 0 to 4 extra bytes; runs from offset 1 to 16.
    const five = Buffer.from("abcde");
    for (let width = 0; width <= 4; width++) {
      const src = Buffer.from([5, ...literal(five, width)]);
      assert.deepEqual(decodeBoth(src, 5), five, `width ${width}`);
    }
    for (let off = 1; off <= 16; off++) {
      for (const len of [1, 4, 11, 15, 16, 17, 33, 64]) {
        const head = randomBytes(off);
        const want = Buffer.alloc(off + len);
        for (let i = 0; i < want.length; i++) want[i] = head[i % off]!;
        for (const kind of [1, 2, 4] as const) {
          if (kind === 1 && (len < 4 || len > 11)) continue;
          const src = Buffer.from([
            ...uvarint(want.length),
            ...literal(head),
            ...copy(off, len, kind),
          ]);
          assert.deepEqual(
            decodeBoth(src, want.length),
            want,
            `off ${off} len ${len} kind ${kind}`,
          );
        }
      }
    }
    // A 4-byte offset beyond 64 KiB, after a literal with a 3-byte length.
    const big = randomBytes(70_000);
    const src = Buffer.from([...uvarint(70_064), ...literal(big), ...copy(69_999, 64, 4)]);
    const want = Buffer.concat([big, big.subarray(1, 65)]);
    assert.deepEqual(decodeBoth(src, want.length), want);
  });

  it("decodes random blocks as the snappy package and the JavaScript decoder do", () => {
    for (let i = 0; i < 300; i++) {
      const { src, want } = block(1 + int(i < 250 ? 40 : 3000), i % 2 ? 1 << 20 : 100);
      assert.ok((snappy.uncompressSync(src, { asBuffer: true }) as Buffer).equals(want));
      assert.deepEqual(decodeBoth(src, want.length + int(3)), want, `block ${i}`);
    }
  });

  it("writes no byte outside the output it is given, with and without room past the end", () => {
    const x = snappyModule();
    // guarded decodes src (at a gap after the output) into [64, 64 + dstLen) of a memory
    // filled with 0xee and checks that the bytes around the output and src are unchanged.
    const guarded = (src: Uint8Array, dstLen: number): { r: number; out: Buffer } => {
      const dst = 64;
      const at = dst + dstLen + 64;
      const need = at + src.length + 64 - x.memory.buffer.byteLength;
      if (need > 0) x.memory.grow(Math.ceil(need / 65536));
      const u8 = new Uint8Array(x.memory.buffer);
      u8.fill(0xee, 0, at + src.length + 64);
      u8.set(src, at);
      const r = x.decode(at, src.length, dst, dstLen);
      assert.ok(u8.subarray(0, dst).every((b) => b === 0xee));
      assert.ok(u8.subarray(dst + dstLen, at).every((b) => b === 0xee));
      assert.ok(u8.subarray(at + src.length, at + src.length + 64).every((b) => b === 0xee));
      assert.deepEqual(Buffer.from(u8.subarray(at, at + src.length)), Buffer.from(src));
      return { r, out: Buffer.from(u8.subarray(dst, dst + Math.max(0, r))) };
    };
    for (let i = 0; i < 200; i++) {
      const { src, want } = block(1 + int(60), 50);
      for (const room of [0, 1, 79, 80, 200]) {
        const { r, out } = guarded(src, want.length + room);
        assert.equal(r, want.length);
        assert.deepEqual(out, want);
      }
      if (want.length > 0) assert.equal(guarded(src, want.length - 1).r, -2);
    }
    // Every overlapping copy, ending 0 to 80 bytes before the end of the output.
    for (let off = 1; off <= 16; off++) {
      const head = randomBytes(off);
      for (let len = 1; len <= 64; len++) {
        const src = Buffer.from([...uvarint(off + len), ...literal(head), ...copy(off, len, 2)]);
        for (let room = 0; room <= 80; room++) {
          const { r, out } = guarded(src, off + len + room);
          assert.equal(r, off + len);
          for (let j = 0; j < r; j++) assert.equal(out[j], head[j % off]);
        }
      }
    }
    // Corrupt blocks: -1, -2 or their declared length, never a write outside the output.
    for (const bad of [
      [4, ...literal(Buffer.from("abcde"))],
      [70, ...literal(randomBytes(71))],
      [5, ...literal(Buffer.from("ab")), ...copy(2, 4, 2)],
      [5, ...literal(Buffer.from("ab")), ...copy(1, 4, 1)],
      [65, ...literal(Buffer.from("ab")), ...copy(2, 64, 4)],
      // Followed by more input (the elements of the fast loop).
      [18, ...literal(randomBytes(16)), ...literal(randomBytes(3)), ...literal(randomBytes(200))],
      [30, ...literal(randomBytes(20)), ...copy(16, 11, 2), ...literal(randomBytes(200))],
      [30, ...literal(randomBytes(20)), ...copy(17, 11, 1), ...literal(randomBytes(200))],
      [30, ...literal(randomBytes(20)), ...copy(21, 4, 4), ...literal(randomBytes(200))],
    ]) {
      for (let room = 0; room <= 80; room++) {
        assert.equal(guarded(Buffer.from(bad), bad[0]! + room).r, -1);
      }
    }
    for (let i = 0; i < 2000; i++) {
      const src = block(1 + int(30), 40).src;
      for (let k = 1 + int(3); k > 0; k--) src[int(src.length)] = int(256);
      const n = declared(src);
      const dstLen = Math.max(0, Math.min(n, 1 << 16)) + int(100);
      const { r } = guarded(src, dstLen);
      assert.ok(r === -1 || r === -2 || r === n, `${r}`);
    }
  });

  it("throws a SnappyError for a block cut short or with bytes changed, or decodes its length", () => {
    const valid = [
      snappy.compressSync(logText(4000)),
      snappy.compressSync(Buffer.alloc(3000, "xy")),
      block(200).src,
      block(100, 30).src,
    ];
    for (const src of valid) {
      const n = declared(src);
      for (let cut = 0; cut < src.length; cut++) {
        const got = decodeBoth(src.subarray(0, cut), n + 10);
        if (!(got instanceof SnappyError)) assert.equal(got.length, n, `cut at ${cut}`);
      }
    }
    for (let i = 0; i < 4000; i++) {
      const src = Buffer.from(valid[i % valid.length]!);
      for (let k = 1 + int(3); k > 0; k--) {
        // Mostly the first bytes (the declared length, early tags), anywhere sometimes.
        const at = int(2) === 0 ? int(Math.min(src.length, 8)) : int(src.length);
        src[at] = int(3) === 0 ? src[at]! ^ (1 << int(8)) : int(256);
      }
      const n = declared(src);
      const got = decodeBoth(src, Math.max(0, Math.min(n, 1 << 20)));
      if (!(got instanceof SnappyError)) assert.equal(got.length, n);
    }
  });

  it("throws a SnappyError for an output buffer shorter than the declared length", () => {
    const data = logText(5000);
    const src = snappy.compressSync(data);
    assert.throws(() => snappyDecodeWasm(src, Buffer.alloc(4999)), SnappyError);
    assert.throws(() => snappyDecodeWasm(src, Buffer.alloc(0)), SnappyError);
    assert.throws(
      () => snappyDecodeWasm(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(10)),
      SnappyError,
    );
    assert.throws(() => snappyDecodeWasm(Buffer.alloc(0), Buffer.alloc(10)), SnappyError);
    // A copy from offset 0, from before the start, past the declared length; a short output.
    for (const bad of [
      [6, ...literal(Buffer.from("ab")), ...copy(0, 4, 2)],
      [6, ...literal(Buffer.from("ab")), ...copy(3, 4, 2)],
      [5, ...literal(Buffer.from("ab")), ...copy(2, 4, 1)],
      [7, ...literal(Buffer.from("ab")), ...copy(2, 4, 4)],
    ]) {
      assert.throws(() => snappyDecodeWasm(Buffer.from(bad), Buffer.alloc(100)), SnappyError);
    }
  });

  it("is built from snappy.wat (scripts/build-wasm.mjs --check)", () => {
    execFileSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], { stdio: "pipe" });
  });
});
