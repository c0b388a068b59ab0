// The memory of the WebAssembly n-gram loop (ngrams.wat): the filters of open bloom blocks live
// in it while lines are added to them, and lines are copied into it, a span of many at a time,
// to be hashed. One instance serves the process (JavaScript runs it on one thread).
import { WASM_BASE64 } from "./ngrams-wasm.ts";

// WebAssembly's types: src/util/wasm-types.d.ts.

interface NgramExports {
  readonly memory: WebAssembly.Memory;
  ngrams(src: number, n: number, words: number, shift: number): void;
}

/** SPAN: lines are copied into the module's memory this many bytes at a time (or one line). */
const SPAN = 1 << 20;

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
  // The span of lines copied in: data[spanFrom, spanTo) lies at `scratch`.
  private scratch = -1;
  private scratchSize = 0;
  private spanData: Uint8Array | undefined;
  private spanFrom = 0;
  private spanTo = 0;

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
   * hash sets the bits of the n-grams of data[from, to) in the filter at `words` (addNgrams'
   * bits at `shift`). Consecutive lines of one buffer are copied in with one copy per span;
   * endSpan must be called before the buffer's bytes may change.
   */
  hash(data: Uint8Array, from: number, to: number, words: number, shift: number): void {
    if (to - from < 4) return;
    if (data !== this.spanData || from < this.spanFrom || to > this.spanTo) {
      const len = Math.max(SPAN, to - from);
      if (len > this.scratchSize) {
        if (this.scratch >= 0) this.release(this.scratch, this.scratchSize);
        this.scratchSize = 2 ** Math.ceil(Math.log2(len));
        this.scratch = this.alloc(this.scratchSize);
      }
      const end = Math.min(data.length, from + len);
      this.u8.set(data.subarray(from, end), this.scratch);
      this.spanData = data;
      this.spanFrom = from;
      this.spanTo = end;
    }
    this.x.ngrams(this.scratch + (from - this.spanFrom), to - from, words, shift);
  }

  /** endSpan forgets the copied span (its buffer may change after this). */
  endSpan(): void {
    this.spanData = undefined;
  }
}

let shared: NgramMemory | undefined;

/** ngramMemory returns the process's NgramMemory. */
export function ngramMemory(): NgramMemory {
  return (shared ??= new NgramMemory());
}
