// A pool of byte buffers by size.
/**
 * BufferPool keeps buffers that their users are done with for the next ones (the log head's
 * columns, decoded push bodies), up to `limit` bytes in all. Each new buffer is external memory
 * that V8 counts toward its next full collection, and fresh pages the kernel must fault in and
 * zero; at ingest rates those cost more than the work the buffers are for.
 *
 * With a slab size, buffers of up to a quarter of it are cut from slabs, one after the other
 * (8-byte aligned), and a slab is reused once every buffer cut from it is back: all slabs have
 * one size, so every one comes back into use, however the sizes asked for vary (the columns of
 * a stream's heads do, from one head to the next). Other buffers come in size classes a quarter
 * of a power of two apart (1, 1.25, 1.5 and 1.75 times 2^k, from 1 KiB); a request takes a kept
 * buffer of up to twice its class.
 *
 * A full pool makes room for a returned buffer by dropping buffers of the classes asked for
 * least recently: only classes asked for longer ago than the returned one's make room.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  /** asked: when each class was last asked for or served (a count of get calls). */
  private readonly asked = new Map<number, number>();
  private gets = 0;
  private pooled = 0;
  /** slabs: the slab each cut buffer's memory belongs to; slab: the one being cut. */
  private readonly slabs = new WeakMap<ArrayBufferLike, Slab>();
  private slab: Slab | undefined;

  /**
   * `limit` bounds the bytes kept; `slabBytes` (0: none) is the size of the slabs that buffers
   * of up to a quarter of it are cut from; `shared` makes the memory SharedArrayBuffers, which
   * worker threads can read.
   */
  constructor(
    private readonly limit: number,
    private readonly slabBytes = 0,
    private readonly shared = false,
  ) {}

  /** get returns a buffer of at least `size` bytes. */
  get(size: number): Buffer {
    if (size <= this.slabBytes / 4) return this.cut(Math.max(8, Math.ceil(size / 8) * 8));
    return this.whole(sizeClass(size));
  }

  private whole(want: number): Buffer {
    const tick = ++this.gets;
    this.asked.set(want, tick);
    for (let n = want; n <= 2 * want; n = sizeClass(n + 1)) {
      const b = this.free.get(n)?.pop();
      if (b) {
        this.asked.set(n, tick);
        this.pooled -= n;
        return b;
      }
    }
    return this.shared ? Buffer.from(new SharedArrayBuffer(want)) : Buffer.allocUnsafeSlow(want);
  }

  /** cut returns n bytes of the slab being cut, or of a new one when it has not that many. */
  private cut(n: number): Buffer {
    let s = this.slab;
    if (!s || s.used + n > s.buf.length) {
      if (s) {
        this.slab = undefined;
        if (s.out === 0) this.put(s.buf);
      }
      const buf = this.whole(this.slabBytes);
      s = this.slabs.get(buf.buffer);
      if (!s) this.slabs.set(buf.buffer, (s = { buf, used: 0, out: 0 }));
      s.used = 0;
      this.slab = s;
    }
    const b = s.buf.subarray(s.used, s.used + n);
    s.used += n;
    s.out++;
    return b;
  }

  /** put hands back a buffer that get returned and nothing uses any more. */
  put(b: Buffer): void {
    const s = this.slabs.get(b.buffer);
    if (s && b !== s.buf) {
      // A buffer cut from a slab: the slab comes back with its last one (the slab being cut
      // is cut again from its start).
      if (--s.out > 0) return;
      if (s === this.slab) {
        s.used = 0;
        return;
      }
      b = s.buf;
    }
    const n = b.length;
    if (this.pooled + n > this.limit) this.makeRoom(this.pooled + n - this.limit, n);
    if (this.pooled + n > this.limit) return;
    let list = this.free.get(n);
    if (!list) this.free.set(n, (list = []));
    list.push(b);
    this.pooled += n;
  }

  /** makeRoom drops up to `bytes` of buffers of classes asked for before class n last was. */
  private makeRoom(bytes: number, n: number): void {
    const mine = this.asked.get(n) ?? 0;
    const older = [...this.free.keys()]
      .filter((k) => k !== n && (this.asked.get(k) ?? 0) < mine)
      .sort((a, b) => (this.asked.get(a) ?? 0) - (this.asked.get(b) ?? 0));
    for (const k of older) {
      const list = this.free.get(k)!;
      while (list.length > 0 && bytes > 0) {
        list.pop();
        this.pooled -= k;
        bytes -= k;
      }
      if (list.length === 0) this.free.delete(k);
      if (bytes <= 0) return;
    }
  }

  /** clear drops the buffers kept (the slab being cut stays). */
  clear(): void {
    this.free.clear();
    this.pooled = 0;
  }

  /** bytes: the size of the buffers kept. */
  get bytes(): number {
    return this.pooled;
  }
}

/** Slab is a buffer that smaller ones are cut from: `used` bytes so far, `out` not back. */
interface Slab {
  readonly buf: Buffer;
  used: number;
  out: number;
}

/** MIN_CLASS_LOG2: the smallest buffer is 2^10 bytes. */
const MIN_CLASS_LOG2 = 10;

/** sizeClass returns the smallest class of at least `size` bytes. */
export function sizeClass(size: number): number {
  if (size <= 1 << MIN_CLASS_LOG2) return 1 << MIN_CLASS_LOG2;
  const base = 2 ** Math.floor(Math.log2(size));
  const step = base / 4;
  return base + Math.ceil((size - base) / step) * step;
}
