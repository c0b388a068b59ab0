// A pool of byte buffers by size.
/**
 * BufferPool keeps buffers that their users are done with for the next ones (the log head's line
 * columns, decoded push bodies), by power-of-two size, up to `limit` bytes in all. Each new
 * buffer is external memory that V8 counts toward its next full collection, and fresh pages the
 * kernel must fault in and zero; at ingest rates those cost more than the work the buffers are
 * for.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private pooled = 0;

  constructor(private readonly limit: number) {}

  /** get returns a buffer of at least `size` bytes (a power of two, at least 1 KiB). */
  get(size: number): Buffer {
    const n = 2 ** Math.max(10, Math.ceil(Math.log2(Math.max(1, size))));
    const b = this.free.get(n)?.pop();
    if (b) {
      this.pooled -= n;
      return b;
    }
    return Buffer.allocUnsafeSlow(n);
  }

  /** put hands back a buffer that get returned and nothing uses any more. */
  put(b: Buffer): void {
    if (this.pooled + b.length > this.limit) return;
    let list = this.free.get(b.length);
    if (!list) this.free.set(b.length, (list = []));
    list.push(b);
    this.pooled += b.length;
  }

  /** clear drops the buffers kept. */
  clear(): void {
    this.free.clear();
    this.pooled = 0;
  }

  /** bytes: the size of the buffers kept. */
  get bytes(): number {
    return this.pooled;
  }
}
