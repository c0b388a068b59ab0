// snappyDecodeWasm: snappyDecodeInto's contract, decoded by the WebAssembly module snappy.wat.
// A body is copied into the module's memory, decoded there and copied out: the memory stays
// mapped from one body to the next, so the two copies cost less than the page faults of fresh
// output, and the module's loop is faster than the JavaScript one. One instance serves the
// process (JavaScript runs it on one thread). WebAssembly's types: src/util/wasm-types.d.ts.
import { SnappyError, snappyDecodeInto, snappyHeader } from "../snappy.ts";
import { WASM_BASE64 } from "./snappy-wasm.ts";

/** SnappyExports: the module's exports (snappy.wat documents decode). */
export interface SnappyExports {
  readonly memory: WebAssembly.Memory;
  decode(src: number, srcLen: number, dst: number, dstLen: number): number;
}

/**
 * SLACK: bytes left past the output, where the module may write (it copies 16 bytes at a time
 * while 80 or more are left, which SLACK makes every element).
 */
const SLACK = 128;

/** MAX_MEMORY: larger bodies are decoded by snappyDecodeInto (the memory is never given back). */
const MAX_MEMORY = 1 << 30;

const PAGE = 64 << 10;

let x: SnappyExports | undefined;
let u8 = new Uint8Array(0);

/** snappyModule returns the process's instance of the module (made on first use). */
export function snappyModule(): SnappyExports {
  return (x ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(WASM_BASE64, "base64")))
    .exports as unknown as SnappyExports);
}

/**
 * snappyDecodeWasm decodes the snappy block `src` into `out` (at least its decoded length) and
 * returns the decoded length. It throws a SnappyError for a corrupt block or a short `out`.
 */
export function snappyDecodeWasm(src: Uint8Array, out: Uint8Array): number {
  const [n] = snappyHeader(src, out);
  // The output at 0 (with SLACK after it), the block after that.
  const dstLen = n + SLACK;
  if (dstLen + 15 + src.length > MAX_MEMORY) return snappyDecodeInto(src, out);
  const at = (dstLen + 15) & ~15;
  const m = snappyModule();
  const mem = m.memory;
  if (at + src.length > mem.buffer.byteLength) {
    mem.grow(Math.ceil((at + src.length - mem.buffer.byteLength) / PAGE));
  }
  // A view made before the memory grew (or before the first call) is detached: empty.
  if (u8.byteLength !== mem.buffer.byteLength) u8 = new Uint8Array(mem.buffer);
  u8.set(src, at);
  const r = m.decode(at, src.length, 0, dstLen);
  if (r < 0) {
    throw new SnappyError(r === -2 ? "snappy: output buffer too small" : "snappy: corrupt input");
  }
  out.set(u8.subarray(0, r));
  return r;
}
