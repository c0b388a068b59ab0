// The memory of the WebAssembly n-gram loop (ngrams.wat): the filters of open bloom blocks live
// in it while lines are added to them, and runs of a line column are copied into it to be
// hashed. One instance serves a thread (filters.ts).
import { WASM_BASE64 } from "./ngrams-wasm.ts";

// WebAssembly's types: src/util/wasm-types.d.ts.

interface NgramExports {
  readonly memory: WebAssembly.Memory;
  ngrams(src: number, n: number, words: number, shift: number): void;
  lines(src: number, n: number, words: number, shift: number): number;
}

/** SCRATCH: the first size of the scratch slot that column runs are copied into. */
const SCRATCH = 1 << 20;

/** MIN_SLOT: the smallest allocation (filters are at least 2 KiB). */
const MIN_SLOT = 64;

const PAGE = 64 << 10;

/**
 * NgramMemory allocates filters in the module's memory (power-of-two slots, reused once freed)
 * and hashes lines into them.
 */
export class NgramMemory {
  private readonly x: NgramExports;
  private u8: Uint8Array;
  /** top: the end of the slots handed out so far; free: freed slots by size. */
  private top = 0;
  private readonly free = new Map<number, number[]>();
  /** scratch: the slot (of scratchSize bytes) that column runs are copied into. */
  private scratch = -1;
  private scratchSize = 0;

  constructor() {
    const mod = new WebAssembly.Module(Buffer.from(WASM_BASE64, "base64"));
    this.x = new WebAssembly.Instance(mod).exports as unknown as NgramExports;
    this.u8 = new Uint8Array(this.x.memory.buffer);
  }

  /** bytes: the size of the module's memory. */
  get bytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** alloc returns the offset of a zeroed slot of `size` bytes (a power of two). */
  alloc(size: number): number {
    const n = Math.max(MIN_SLOT, size);
    const list = this.free.get(n);
    let off = list?.pop();
    if (off === undefined) {
      off = this.top;
      this.top += n;
      this.reserve(this.top);
    }
    this.u8.fill(0, off, off + n);
    return off;
  }

  /** release hands a slot back; take copies its bytes out first. */
  release(off: number, size: number): void {
    const n = Math.max(MIN_SLOT, size);
    let list = this.free.get(n);
    if (!list) this.free.set(n, (list = []));
    list.push(off);
  }

  /** take returns a copy of slot (off, size) and releases it. */
  take(off: number, size: number): Uint8Array {
    const out = this.u8.slice(off, off + size);
    this.release(off, size);
    return out;
  }

  private reserve(end: number): void {
    const mem = this.x.memory;
    if (end > mem.buffer.byteLength) {
      mem.grow(Math.ceil((end - mem.buffer.byteLength) / PAGE));
      this.u8 = new Uint8Array(mem.buffer);
    }
  }

  /**
   * hashColumn sets, in the filter at `words` (addNgrams' bits at `shift`), the bits of every
   * line of col[from, to): a run of a Native String column (each line a varint length, then
   * its bytes). It throws on a run that does not add up (the lines before the fault are set).
   */
  hashColumn(col: Uint8Array, from: number, to: number, words: number, shift: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (n > this.scratchSize) {
      if (this.scratch >= 0) this.release(this.scratch, this.scratchSize);
      this.scratchSize = 2 ** Math.ceil(Math.log2(Math.max(SCRATCH, n)));
      this.scratch = this.alloc(this.scratchSize);
    }
    this.u8.set(col.subarray(from, to), this.scratch);
    if (this.x.lines(this.scratch, n, words, shift) < 0) {
      throw new Error("line column: a line's length runs past the column");
    }
  }
}

let shared: NgramMemory | undefined;

/** ngramMemory returns the process's NgramMemory. */
export function ngramMemory(): NgramMemory {
  return (shared ??= new NgramMemory());
}
