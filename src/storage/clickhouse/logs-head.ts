// The log head: committed entries that wait in memory to be written to ClickHouse in one large
// INSERT, kept per (stream, day) in the columns of the Native block that INSERT sends (logs.ts
// owns the head; this file is its data). A line is copied once, from the push body or string
// into its stream's line column; each commit's new run of that column goes to the block's line
// bloom (wasm/filters.ts, in a worker thread); at flush the columns of all (stream, day) heads
// are sent as they are, one INSERT per table, already in the table's sorting-key order when each
// stream's entries came in order.
//
// The same columns are what the write-ahead log stores (LINES records): a commit's part of a
// head is logged as views of the head's arrays, and a replay appends them to a new head.
import type { Label, Labels } from "../../model/labels/index.ts";
import type { LogLines } from "../logs.ts";
import { tsBefore as before, tsFromWords as toBigint } from "../logs.ts";
import type { BloomBlock } from "./logs-bloom.ts";
import { BLOCK_MAX_BYTES, bloomShift } from "./logs-bloom.ts";
import { stringSize, writeString } from "./logs-native.ts";
import { NativeReader, varintLength, writeVarint } from "./native.ts";
import type { Filters } from "./wasm/filters.ts";
import { InlineFilters } from "./wasm/filters.ts";
import { BufferPool } from "../../util/buffer-pool.ts";

/** HeadStream is what a head needs of its stream. */
export interface HeadStream {
  readonly labels: Labels;
  readonly fpLo: number;
  readonly fpHi: number;
  /** bloomText: the line text the stream's next line bloom is sized for (grows with use). */
  bloomText: number;
  /** lineBytes and rows: the size of the stream's last written head (to size the next). */
  lineBytes?: number;
  rows?: number;
}

/** FIRST_BLOOM_TEXT: a new stream's first bloom is sized for this much text (2^14 bits). */
const FIRST_BLOOM_TEXT = 32 << 10;

/** WAL_LINES_HEADER: the fixed part of a LINES record, eight u32. */
const WAL_LINES_HEADER = 32;

/** EncodedPairs is one metadata label set as Native key and value strings. */
interface EncodedPairs {
  readonly n: number;
  readonly keys: Uint8Array;
  readonly values: Uint8Array;
}

/** shared holds the encodings of frozen metadata sets (the shared detected_level ones). */
const shared = new WeakMap<Labels, EncodedPairs>();

function encodePairs(md: Labels): EncodedPairs {
  let kb = 0;
  let vb = 0;
  for (const l of md) {
    kb += stringSize(l.name);
    vb += stringSize(l.value);
  }
  const keys = Buffer.allocUnsafe(kb);
  const values = Buffer.allocUnsafe(vb);
  let k = 0;
  let v = 0;
  for (const l of md) {
    k = writeString(keys, k, l.name);
    v = writeString(values, v, l.value);
  }
  return { n: md.length, keys, values };
}

/** Bytes is a growable byte column in buffers of a pool. */
class Bytes {
  buf: Buffer;
  /** dv views buf, for copyBytes. */
  dv: DataView;
  len = 0;
  /** old: buffers outgrown, which views (log records in flight) may still read. */
  private readonly old: Buffer[] = [];
  constructor(
    private readonly pool: BufferPool,
    cap: number,
  ) {
    this.buf = pool.get(cap);
    this.dv = dataView(this.buf);
  }
  /** reserve makes room for n more bytes and returns the buffer to write them in. */
  reserve(n: number): Buffer {
    if (this.len + n > this.buf.length) {
      const b = this.pool.get(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(b, 0, 0, this.len);
      this.old.push(this.buf);
      this.buf = b;
      this.dv = dataView(b);
    }
    return this.buf;
  }
  append(src: Uint8Array): void {
    this.reserve(src.length).set(src, this.len);
    this.len += src.length;
  }
  /** view returns bytes [from, to) without copying (they never change once written). */
  view(from: number, to = this.len): Uint8Array {
    return this.buf.subarray(from, to);
  }
  /** release hands the buffers back to the pool: nothing may read them after. */
  release(): void {
    for (const b of this.old) this.pool.put(b);
    this.old.length = 0;
    this.pool.put(this.buf);
  }
}

/** unpooled serves heads made without a pool (tests): it keeps nothing. */
const unpooled = new BufferPool(0);

let inline: InlineFilters | undefined;

/** inlineFilters builds the filters of heads made without Filters, in this thread. */
function inlineFilters(): InlineFilters {
  return (inline ??= new InlineFilters());
}

/**
 * DayHead holds one stream's entries of one UTC day: the Native columns ts (Int64
 * nanoseconds) and line (String), the metadata as runs of rows that share one set (the
 * Map(String, String) column repeats a set's keys and values per row; runs make that a few
 * copies at flush instead of work per row), and the line blooms of its blocks.
 */
export class DayHead {
  rows = 0;
  /** text: the lines' UTF-8 bytes. */
  text = 0;
  /** tsCol holds the ts column (Int64, as its views ts and ts32); its len is unused. */
  private tsCol: Bytes;
  private ts!: BigInt64Array;
  /** ts32 views ts as (low, high) 32-bit words: timestamps are compared without bigints. */
  private ts32!: Int32Array;
  private lines: Bytes;
  /** replaced: line columns that sorting replaced (released with the head). */
  private readonly replaced: Bytes[] = [];
  /** runs[i] is the metadata of runRows[i] rows, in row order. */
  private runs: EncodedPairs[] = [];
  private runRows: number[] = [];
  /** sorted: the rows are in (ts, line) order, the table's; the last row's ts and line bytes. */
  private sorted = true;
  private lastHi = 0;
  private lastLo = 0;
  private lastStart = 0;
  private lastEnd = 0;
  /** blooms: the filter rows of the blocks closed so far (bloomsBuilt waits for them all). */
  readonly blooms: BloomBlock[] = [];
  private readonly building: Promise<void>[] = [];
  // The block being filled: its filter (an id of `filters`, -1 for none), sized for capText
  // bytes of text; its lines from column offset hashedTo on are not hashed yet.
  private filter = -1;
  private hashedTo = 0;
  private shift = 32;
  private capText = 0;
  private blockText = 0;
  private minHi = 0;
  private minLo = 0;
  private maxHi = 0;
  private maxLo = 0;
  /** lastMd: the metadata of the last run, as appended. */
  private lastMd: Labels | undefined;

  /**
   * A head's line column starts at the size of its stream's last one (which is mostly where it
   * ends again), from `pool`; `filters` builds its blocks' line blooms.
   */
  constructor(
    readonly stream: HeadStream,
    readonly day: number,
    private readonly pool: BufferPool = unpooled,
    private readonly filters: Filters = inlineFilters(),
  ) {
    this.lines = new Bytes(pool, Math.ceil(1.25 * (stream.lineBytes ?? 0)));
    // Small to start with (a head exists per active (stream, day), and there may be many), or
    // a little more than the stream's last head held.
    this.tsCol = new Bytes(pool, 8 * Math.ceil(1.25 * (stream.rows ?? 0)));
    this.viewTs();
  }

  private viewTs(): void {
    const b = this.tsCol.buf;
    this.ts = new BigInt64Array(b.buffer, b.byteOffset, b.length >>> 3);
    this.ts32 = new Int32Array(b.buffer, b.byteOffset, (b.length >>> 3) * 2);
  }

  /**
   * release hands the head's buffers back to its pool, once it is written and no log record in
   * flight reads it: the head may not be used after.
   */
  release(): void {
    this.stream.lineBytes = this.lines.len;
    this.stream.rows = this.rows;
    this.lines.release();
    this.tsCol.release();
    for (const b of this.replaced.splice(0)) b.release();
  }

  /** mark returns where the columns end now, for walRecord. */
  mark(): HeadMark {
    const runs = this.runs.length;
    return {
      rows: this.rows,
      lines: this.lines.len,
      runs,
      lastRunRows: runs > 0 ? this.runRows[runs - 1]! : 0,
    };
  }

  private grow(rows: number): void {
    if (rows <= this.ts.length) return;
    this.tsCol.len = this.rows * 8;
    this.tsCol.reserve((rows - this.rows) * 8);
    this.viewTs();
  }

  /** startLine closes the block when a line of n bytes would overflow it, and opens one. */
  private startLine(n: number, hi: number, lo: number): void {
    if (this.filter >= 0 && this.blockText > 0 && this.blockText + n > this.capText) {
      const full = this.blockText >= this.capText / 2;
      this.closeBlock();
      // A block that filled its filter makes the next one twice as large.
      if (full) this.stream.bloomText = Math.min(BLOCK_MAX_BYTES, this.capText * 2);
    }
    if (this.filter < 0) {
      this.capText = Math.max(FIRST_BLOOM_TEXT, Math.min(BLOCK_MAX_BYTES, this.stream.bloomText));
      this.shift = bloomShift(this.capText);
      this.filter = this.filters.open(1 << (32 - this.shift - 3));
      this.hashedTo = this.lines.len;
      this.minHi = this.maxHi = hi;
      this.minLo = this.maxLo = lo;
    } else if (before(hi, lo, this.minHi, this.minLo)) {
      this.minHi = hi;
      this.minLo = lo;
    } else if (before(this.maxHi, this.maxLo, hi, lo)) {
      this.maxHi = hi;
      this.maxLo = lo;
    }
    this.blockText += n;
  }

  /** hashLines hands the block's lines written since the last call to its filter. */
  private hashLines(): void {
    if (this.filter < 0 || this.hashedTo === this.lines.len) return;
    this.filters.hashColumn(this.lines.buf, this.hashedTo, this.lines.len, this.filter, this.shift);
    this.hashedTo = this.lines.len;
  }

  /**
   * closeBlock ends the block being filled: its filter, folded to its text's size, is kept in
   * `blooms` (once built: bloomsBuilt), and freed from `filters` (a head must be closed to be
   * dropped).
   */
  closeBlock(): void {
    if (this.filter < 0) return;
    this.hashLines();
    const want = bloomShift(this.blockText);
    const levels = Math.max(0, want - this.shift);
    const block = {
      fpLo: this.stream.fpLo,
      fpHi: this.stream.fpHi,
      startNs: toBigint(this.minHi, this.minLo),
      endNs: toBigint(this.maxHi, this.maxLo),
      shift: this.shift + levels,
    };
    const bloom = this.filters.close(this.filter, levels);
    this.filter = -1;
    this.blockText = 0;
    if (bloom instanceof Uint8Array) this.blooms.push({ ...block, bloom });
    else this.building.push(bloom.then((b) => void this.blooms.push({ ...block, bloom: b })));
  }

  /** bloomsBuilt resolves once the filters of the blocks closed so far are in `blooms`. */
  async bloomsBuilt(): Promise<void> {
    await Promise.all(this.building.splice(0));
  }

  /** order notes whether the row just written (ts, line bytes [start, end)) keeps the order. */
  private order(r: number, hi: number, lo: number, start: number, end: number): void {
    if (this.sorted && r > 0) {
      if (before(hi, lo, this.lastHi, this.lastLo)) this.sorted = false;
      else if (hi === this.lastHi && lo === this.lastLo) {
        const b = this.lines.buf;
        if (b.compare(b, this.lastStart, this.lastEnd, start, end) < 0) this.sorted = false;
      }
    }
    this.lastHi = hi;
    this.lastLo = lo;
    this.lastStart = start;
    this.lastEnd = end;
  }

  private metadata(md: Labels): void {
    if (md === this.lastMd) {
      this.runRows[this.runRows.length - 1]!++;
      return;
    }
    let enc = shared.get(md);
    if (!enc) {
      enc = encodePairs(md);
      if (Object.isFrozen(md)) shared.set(md, enc);
    }
    this.lastMd = md;
    this.runs.push(enc);
    this.runRows.push(1);
  }

  /**
   * appendLines appends entries given as columns: all of them, or the rows listed in `sel`.
   * Each line is copied into the line column; the rows appended go to their blocks' filters.
   */
  appendLines(lines: LogLines, sel?: Int32Array): void {
    const n = sel ? sel.length : lines.count;
    this.grow(this.rows + n);
    const { data, start, end, metadata } = lines;
    const ts32 = new Int32Array(lines.ts.buffer, lines.ts.byteOffset, 2 * lines.count);
    const dv = dataView(data);
    for (let k = 0; k < n; k++) {
      const i = sel ? sel[k]! : k;
      this.appendRow(ts32[2 * i + 1]!, ts32[2 * i]!, data, dv, start[i]!, end[i]!);
      this.metadata(metadata[i]!);
    }
    this.hashLines();
  }

  /** appendRow appends the row with timestamp words (hi, lo) and the line src[from, to). */
  private appendRow(
    hi: number,
    lo: number,
    src: Uint8Array,
    srcView: DataView,
    from: number,
    to: number,
  ): void {
    const n = to - from;
    this.startLine(n, hi, lo);
    const r = this.rows;
    this.ts32[2 * r] = lo;
    this.ts32[2 * r + 1] = hi;
    const off = writeVarint(this.lines.reserve(5 + n), this.lines.len, n);
    copyBytes(src, srcView, from, to, this.lines.buf, this.lines.dv, off);
    this.lines.len = off + n;
    this.order(r, hi, lo, off, off + n);
    this.rows = r + 1;
    this.text += n;
  }

  /**
   * walRecord returns the payload parts of a LINES record for the rows appended since `m`:
   * views of the head's columns, which do not change once written.
   */
  walRecord(m: HeadMark, labels: Uint8Array): Uint8Array[] {
    const rows = this.rows - m.rows;
    // The commit's runs: the rest of the run it continued (skipping the rows logged before),
    // then the runs it began.
    let first = m.runs;
    let skip = 0;
    if (first > 0 && this.runRows[first - 1]! > m.lastRunRows) {
      first--;
      skip = m.lastRunRows;
    }
    const runBytes = encodeRuns(this.runs, this.runRows, first, skip);
    const head = Buffer.allocUnsafe(WAL_LINES_HEADER + labels.length);
    head.writeUInt32LE(this.stream.fpLo >>> 0, 0);
    head.writeUInt32LE(this.stream.fpHi >>> 0, 4);
    head.writeUInt32LE(this.day >>> 0, 8);
    head.writeUInt32LE(rows, 12);
    head.writeUInt32LE(this.lines.len - m.lines, 16);
    head.writeUInt32LE(this.runs.length - first, 20);
    head.writeUInt32LE(runBytes.length, 24);
    head.writeUInt32LE(labels.length, 28);
    head.set(labels, WAL_LINES_HEADER);
    return [head, this.tsCol.view(m.rows * 8, this.rows * 8), this.lines.view(m.lines), runBytes];
  }

  /** appendRecord appends the rows of a LINES record (decodeWalLines), rebuilding blooms. */
  appendRecord(rec: WalLines): void {
    this.grow(this.rows + rec.rows);
    // A copy: the record's bytes need not be aligned for a word view.
    const ts32 = new Int32Array(new Uint8Array(rec.ts).buffer);
    const r = new NativeReader(rec.lines);
    const dv = dataView(rec.lines);
    try {
      for (let i = 0; i < rec.rows; i++) {
        const n = r.varint();
        if (r.off + n > rec.lines.length) throw new Error("log WAL record: line column cut short");
        this.appendRow(ts32[2 * i + 1]!, ts32[2 * i]!, rec.lines, dv, r.off, r.off + n);
        r.off += n;
      }
    } finally {
      // The rows appended before a bad one stay, with their n-grams.
      this.hashLines();
    }
    for (const [count, enc] of rec.runs) {
      this.runs.push(enc);
      this.runRows.push(count);
    }
    this.lastMd = undefined;
  }

  /**
   * sortRows puts the rows in the table's order when they came out of it, so that ClickHouse
   * need not sort the INSERT (a large block costs it more than here). Rare: streams mostly
   * arrive in time order.
   */
  sortRows(): void {
    if (this.sorted) return;
    const n = this.rows;
    const lines = this.lines.buf;
    // Where each row's line (its varint and bytes) lies, and each row's metadata.
    const lineAt = new Int32Array(n + 1);
    const textAt = new Int32Array(n);
    const md: EncodedPairs[] = [];
    const reader = new NativeReader(lines);
    for (let r = 0; r < n; r++) {
      lineAt[r] = reader.off;
      const len = reader.varint();
      textAt[r] = reader.off;
      reader.off += len;
    }
    const lo = reader.off;
    lineAt[n] = lo;
    this.runs.forEach((enc, i) => {
      for (let k = this.runRows[i]!; k > 0; k--) md.push(enc);
    });
    const ts = this.ts;
    const w = this.ts32;
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => {
      const ah = w[2 * a + 1]!;
      const al = w[2 * a]!;
      const bh = w[2 * b + 1]!;
      const bl = w[2 * b]!;
      if (before(ah, al, bh, bl)) return -1;
      if (ah !== bh || al !== bl) return 1;
      return lines.compare(lines, textAt[b]!, lineAt[b + 1]!, textAt[a]!, lineAt[a + 1]!);
    });
    const tsCol2 = new Bytes(this.pool, n * 8);
    const ts2 = new BigInt64Array(tsCol2.buf.buffer, tsCol2.buf.byteOffset, n);
    const lines2 = new Bytes(this.pool, Math.max(lo, 1));
    this.runs = [];
    this.runRows = [];
    idx.forEach((r, i) => {
      ts2[i] = ts[r]!;
      lines2.append(lines.subarray(lineAt[r]!, lineAt[r + 1]!));
      const k = this.runs.length;
      if (k > 0 && this.runs[k - 1] === md[r]) this.runRows[k - 1]!++;
      else {
        this.runs.push(md[r]!);
        this.runRows.push(1);
      }
    });
    this.replaced.push(this.tsCol, this.lines);
    this.tsCol = tsCol2;
    this.viewTs();
    this.lines = lines2;
    this.lastMd = undefined;
    this.sorted = true;
    const last = idx[n - 1]!;
    this.lastHi = w[2 * last + 1]!;
    this.lastLo = w[2 * last]!;
    this.lastStart = lineAt[n]! - (lineAt[last + 1]! - textAt[last]!);
    this.lastEnd = lineAt[n]!;
  }

  /** columns returns the head's columns for an INSERT (after closeBlock and sortRows). */
  columns(): HeadColumns {
    return {
      rows: this.rows,
      ts: this.tsCol.view(0, this.rows * 8),
      lines: this.lines.view(0),
      runs: this.runs,
      runRows: this.runRows,
    };
  }
}

/** HeadMark is where a head's columns ended at some point. */
export interface HeadMark {
  readonly rows: number;
  readonly lines: number;
  /** runs: the number of metadata runs; lastRunRows: the rows of the last one. */
  readonly runs: number;
  readonly lastRunRows: number;
}

/** HeadColumns are a head's column data. */
interface HeadColumns {
  readonly rows: number;
  readonly ts: Uint8Array;
  readonly lines: Uint8Array;
  readonly runs: readonly EncodedPairs[];
  readonly runRows: readonly number[];
}

/**
 * copyBytes copies src[from, to) to dst at off (sv and dv view src and dst). Lines of up to a
 * few hundred bytes four at a time through DataViews: Buffer#copy and set(subarray) make a view
 * object per call (which per line was most of ingest's garbage), and a byte loop is 4x slower.
 */
function copyBytes(
  src: Uint8Array,
  sv: DataView,
  from: number,
  to: number,
  dst: Uint8Array,
  dv: DataView,
  off: number,
): void {
  if (to - from > 512) {
    dst.set(src.subarray(from, to), off);
    return;
  }
  let i = from;
  for (; i + 4 <= to; i += 4, off += 4) dv.setInt32(off, sv.getInt32(i, true), true);
  for (; i < to; i++) dst[off++] = src[i]!;
}

/** dataView views all of b. */
function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const ENTRY_TYPES: readonly (readonly [string, string])[] = [
  ["fingerprint", "UInt64"],
  ["ts", "DateTime64(9, 'UTC')"],
  ["line", "String"],
  ["metadata", "Map(String, String)"],
];

/**
 * entriesBlock returns one Native block (ENTRY_COLUMNS) of the heads' rows, in the heads'
 * order, as a list of byte arrays: mostly the heads' own columns, uncopied. The other columns
 * are buffers of `pool`, which release hands back once the block is sent.
 */
export function entriesBlock(
  heads: readonly DayHead[],
  pool: BufferPool = unpooled,
): { parts: Uint8Array[]; rows: number; release(): void } {
  const cols = heads.map((h) => h.columns());
  let rows = 0;
  for (const c of cols) rows += c.rows;
  const name = (i: number): Buffer => Buffer.concat(ENTRY_TYPES[i]!.map((s) => nativeString(s)));
  const taken: Buffer[] = [];
  const take = (n: number): Buffer => {
    const b = pool.get(n);
    taken.push(b);
    return b.subarray(0, n);
  };
  const words = (n: number): Uint32Array => {
    const b = take(n * 4);
    return new Uint32Array(b.buffer, b.byteOffset, n);
  };
  const fp = words(rows * 2);
  let r = 0;
  for (let h = 0; h < heads.length; h++) {
    const { fpLo, fpHi } = heads[h]!.stream;
    for (let i = 0; i < cols[h]!.rows; i++, r += 2) {
      fp[r] = fpLo;
      fp[r + 1] = fpHi;
    }
  }
  const start = Buffer.allocUnsafe(20);
  const so = writeVarint(start, writeVarint(start, 0, ENTRY_TYPES.length), rows);
  // Map offsets: the cumulative pair count per row (UInt64; counts stay below 2^32 here, and
  // the high words are written too: pooled buffers are not zeroed).
  const offsets = words(rows * 2);
  let total = 0;
  let keyBytes = 0;
  let valueBytes = 0;
  r = 0;
  for (const c of cols) {
    c.runs.forEach((enc, i) => {
      const count = c.runRows[i]!;
      keyBytes += enc.keys.length * count;
      valueBytes += enc.values.length * count;
      for (let k = 0; k < count; k++, r += 2) {
        total += enc.n;
        offsets[r] = total;
        offsets[r + 1] = 0;
      }
    });
  }
  const keys = take(keyBytes);
  const values = take(valueBytes);
  let ko = 0;
  let vo = 0;
  for (const c of cols) {
    c.runs.forEach((enc, i) => {
      ko = fillRepeat(keys, ko, enc.keys, c.runRows[i]!);
      vo = fillRepeat(values, vo, enc.values, c.runRows[i]!);
    });
  }
  return {
    rows,
    release: () => {
      for (const b of taken.splice(0)) pool.put(b);
    },
    parts: [
      start.subarray(0, so),
      name(0),
      new Uint8Array(fp.buffer, fp.byteOffset, fp.byteLength),
      name(1),
      ...cols.map((c) => c.ts),
      name(2),
      ...cols.map((c) => c.lines),
      name(3),
      new Uint8Array(offsets.buffer, offsets.byteOffset, offsets.byteLength),
      keys,
      values,
    ],
  };
}

/** fillRepeat writes `count` copies of src at off (doubling copies) and returns the end. */
function fillRepeat(dst: Buffer, off: number, src: Uint8Array, count: number): number {
  const total = src.length * count;
  if (total === 0) return off;
  dst.set(src, off);
  for (let done = src.length; done < total;) {
    const n = Math.min(done, total - done);
    dst.copyWithin(off + done, off, off + n);
    done += n;
  }
  return off + total;
}

/**
 * encodeRuns writes the metadata runs from `first` on for a LINES record (the first less `skip`
 * rows): per run u32 rows, u32 pairs, u32 and u32 byte lengths of its keys and values, then
 * those bytes.
 */
function encodeRuns(
  runs: readonly EncodedPairs[],
  runRows: readonly number[],
  first: number,
  skip: number,
): Buffer {
  let size = 0;
  for (let i = first; i < runs.length; i++) {
    size += 16 + runs[i]!.keys.length + runs[i]!.values.length;
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (let i = first; i < runs.length; i++) {
    const e = runs[i]!;
    out.writeUInt32LE(runRows[i]! - (i === first ? skip : 0), off);
    out.writeUInt32LE(e.n, off + 4);
    out.writeUInt32LE(e.keys.length, off + 8);
    out.writeUInt32LE(e.values.length, off + 12);
    out.set(e.keys, off + 16);
    out.set(e.values, off + 16 + e.keys.length);
    off += 16 + e.keys.length + e.values.length;
  }
  return out;
}

function nativeString(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  const out = Buffer.allocUnsafe(varintLength(b.length) + b.length);
  b.copy(out, writeVarint(out, 0, b.length));
  return out;
}

/** encodeWalLabels encodes a stream's labels for LINES records: count, then name/value strings. */
export function encodeWalLabels(labels: Labels): Uint8Array {
  let size = varintLength(labels.length);
  for (const l of labels) size += stringSize(l.name) + stringSize(l.value);
  const out = Buffer.allocUnsafe(size);
  let off = writeVarint(out, 0, labels.length);
  for (const l of labels) {
    off = writeString(out, off, l.name);
    off = writeString(out, off, l.value);
  }
  return out;
}

/** WalLines is a decoded LINES record. */
export interface WalLines {
  readonly fpLo: number;
  readonly fpHi: number;
  readonly day: number;
  readonly rows: number;
  readonly labels: Labels;
  readonly ts: Uint8Array;
  readonly lines: Uint8Array;
  /** runs: metadata runs, [rows, pairs], adding up to `rows`. */
  readonly runs: readonly [number, EncodedPairs][];
}

/** decodeWalLines reads a LINES record's payload; it throws on one that does not add up. */
export function decodeWalLines(p: Uint8Array): WalLines {
  const b = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  if (b.length < WAL_LINES_HEADER) throw new Error("log WAL record: header cut short");
  const u = (i: number): number => b.readUInt32LE(4 * i);
  const [fpLo, fpHi, day, rows, lineBytes, runCount, runBytes, labelBytes] = [
    0, 1, 2, 3, 4, 5, 6, 7,
  ].map(u) as [number, number, number, number, number, number, number, number];
  let off = WAL_LINES_HEADER;
  const take = (n: number): Uint8Array => {
    if (off + n > b.length) throw new Error("log WAL record: cut short");
    const v = b.subarray(off, off + n);
    off += n;
    return v;
  };
  const labels = decodeWalLabels(take(labelBytes));
  const ts = take(rows * 8);
  const lines = take(lineBytes);
  const end = off + runBytes;
  const runs: [number, EncodedPairs][] = [];
  let counted = 0;
  for (let i = 0; i < runCount; i++) {
    const at = off;
    take(16);
    const count = b.readUInt32LE(at);
    const n = b.readUInt32LE(at + 4);
    runs.push([
      count,
      { n, keys: take(b.readUInt32LE(at + 8)), values: take(b.readUInt32LE(at + 12)) },
    ]);
    counted += count;
  }
  if (off !== end || off !== b.length) throw new Error("log WAL record: bad metadata runs");
  if (counted !== rows) throw new Error("log WAL record: metadata runs do not cover its rows");
  return { fpLo, fpHi, day, rows, labels, ts, lines, runs };
}

function decodeWalLabels(b: Uint8Array): Labels {
  const r = new NativeReader(b);
  const out: Label[] = [];
  try {
    for (let i = r.varint(); i > 0; i--) out.push({ name: r.string(), value: r.string() });
  } catch (err) {
    throw new Error(`log WAL record: labels: ${(err as Error).message}`, { cause: err });
  }
  return out;
}
