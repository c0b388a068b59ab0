// BloomCache keeps the line blooms (logs-bloom.ts) this process writes, so that a `|= "needle"`
// query over recent logs tests its needles against filters in memory instead of reading every
// filter row of the selected streams from ClickHouse (the largest part of such a query: the
// filters are 3-6% of the text and their column must be read whole).
//
// It is only used where this process is the only writer of the log tables: the embedded engine,
// whose data directory is locked to one process. Completeness rests on one rule per stream:
// the cache holds every filter row of the stream whose end is at or after its floor. At open
// the floor is just after the last end of the rows already in the table (written by earlier
// processes); filters this process writes are added before they are inserted; evicting a filter
// raises the floor past its end. A query range that starts at or after a stream's floor is
// answered from the cache alone; one that starts earlier also asks ClickHouse, for that stream's
// rows that end before the floor.
import type { BloomBlock, BloomProbe } from "./logs-bloom.ts";
import { probeMatches } from "./logs-bloom.ts";

/** BLOCK_OVERHEAD: what a cached filter costs besides its bits (its objects), in bytes. */
const BLOCK_OVERHEAD = 128;

/** MIN_NS: a floor below every timestamp (streams the table had no rows of). */
const MIN_NS = -(1n << 63n);

/** BloomRange is a block whose filter passed a probe: (stream, first ts, last ts). */
export interface BloomRange {
  readonly fp: bigint;
  readonly a: bigint;
  readonly z: bigint;
}

interface Cached {
  readonly fp: bigint;
  readonly block: BloomBlock;
}

interface StreamBlooms {
  floor: bigint;
  /** blocks[head..] in insertion order (the order of the global queue). */
  blocks: BloomBlock[];
  head: number;
}

/** BloomCache: see the file comment. `bytes` counts the filters and their objects. */
export class BloomCache {
  private readonly streams = new Map<bigint, StreamBlooms>();
  /** queue: every cached filter in insertion order, from qHead on; evicted from the front. */
  private queue: Cached[] = [];
  private qHead = 0;
  private tableFloors: Map<bigint, bigint> | undefined;
  bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** ready tells whether the floors of the rows already in the table are known. */
  get ready(): boolean {
    return this.tableFloors !== undefined;
  }

  /**
   * setTableEnds records, per stream, the last end of the filter rows the table held before
   * this process wrote any (or while it did: a higher floor only sends more to ClickHouse).
   */
  setTableEnds(ends: ReadonlyMap<bigint, bigint>): void {
    this.tableFloors = new Map();
    for (const [fp, end] of ends) {
      const floor = end + 1n;
      this.tableFloors.set(fp, floor);
      const s = this.streams.get(fp);
      if (s && s.floor < floor) s.floor = floor;
    }
  }

  /** add keeps the filters of a batch; call it before they are inserted. */
  add(blocks: readonly BloomBlock[]): void {
    if (this.maxBytes <= 0) return;
    for (const block of blocks) {
      const fp = (BigInt(block.fpHi >>> 0) << 32n) | BigInt(block.fpLo >>> 0);
      let s = this.streams.get(fp);
      if (!s) {
        s = { floor: this.tableFloors?.get(fp) ?? MIN_NS, blocks: [], head: 0 };
        this.streams.set(fp, s);
      }
      s.blocks.push(block);
      this.queue.push({ fp, block });
      this.bytes += block.bloom.length + BLOCK_OVERHEAD;
    }
    while (this.bytes > this.maxBytes && this.qHead < this.queue.length) this.evict();
    if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
  }

  private evict(): void {
    const { fp, block } = this.queue[this.qHead++]!;
    this.bytes -= block.bloom.length + BLOCK_OVERHEAD;
    const s = this.streams.get(fp)!;
    // The stream's oldest filter is the one evicted: both lists are in insertion order.
    s.head++;
    if (block.endNs + 1n > s.floor) s.floor = block.endNs + 1n;
    if (s.head === s.blocks.length) {
      s.blocks = [];
      s.head = 0;
    } else if (s.head > 64 && s.head * 2 > s.blocks.length) {
      s.blocks = s.blocks.slice(s.head);
      s.head = 0;
    }
  }

  /**
   * floor returns the stream's floor (see the file comment), or undefined while the table's
   * floors are not known: then the cache can answer for no stream.
   */
  floor(fp: bigint): bigint | undefined {
    if (this.tableFloors === undefined) return undefined;
    return this.streams.get(fp)?.floor ?? this.tableFloors.get(fp) ?? MIN_NS;
  }

  /**
   * collect appends to `out` the stream's cached blocks that overlap [startNs, endNs) and pass
   * the probe, up to `limit` entries in `out`; it returns false when the limit was reached.
   */
  collect(
    fp: bigint,
    probe: BloomProbe,
    startNs: bigint,
    endNs: bigint,
    out: BloomRange[],
    limit: number,
  ): boolean {
    const s = this.streams.get(fp);
    if (!s) return true;
    for (let k = s.head; k < s.blocks.length; k++) {
      const b = s.blocks[k]!;
      if (b.endNs < startNs || b.startNs >= endNs) continue;
      if (!probeMatches(probe, b.shift, b.bloom)) continue;
      if (out.length >= limit) return false;
      out.push({ fp, a: b.startNs, z: b.endNs });
    }
    return true;
  }
}
