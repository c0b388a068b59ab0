// Encoder and decoder for the subset of ClickHouse's Native format that Vigil's storage uses
// (https://clickhouse.com/docs/interfaces/formats/Native). Native is columnar: a block is a
// varint column count, a varint row count, then per column its name, its type name and the
// column's data. Fixed-width numbers are little-endian arrays, so Float64 values — including
// NaN payloads such as Prometheus's stale marker — travel bit for bit, which text formats cannot
// guarantee.

const textEncoder = new TextEncoder();

/** varintLength returns how many bytes the unsigned LEB128 encoding of n takes. */
export function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** writeVarint writes n (a non-negative safe integer) as LEB128 at `off`; returns the new offset. */
export function writeVarint(buf: Uint8Array, off: number, n: number): number {
  while (n >= 0x80) {
    buf[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[off++] = n;
  return off;
}

/** encodeString returns the Native encoding of one String value (varint length + UTF-8). */
export function encodeString(s: string): Uint8Array {
  const bytes = textEncoder.encode(s);
  const out = new Uint8Array(varintLength(bytes.length) + bytes.length);
  out.set(bytes, writeVarint(out, 0, bytes.length));
  return out;
}

/** NativeColumn describes one column to encode; `data` is already in Native column layout. */
export interface NativeColumn {
  readonly name: string;
  readonly type: string;
  readonly data: Uint8Array;
}

/** encodeBlock assembles one Native block from encoded columns of `rows` rows each. */
export function encodeBlock(rows: number, columns: readonly NativeColumn[]): Uint8Array {
  const heads = columns.map((c) => [encodeString(c.name), encodeString(c.type)] as const);
  let size = varintLength(columns.length) + varintLength(rows);
  columns.forEach((c, i) => (size += heads[i]![0].length + heads[i]![1].length + c.data.length));
  const out = new Uint8Array(size);
  let off = writeVarint(out, 0, columns.length);
  off = writeVarint(out, off, rows);
  columns.forEach((c, i) => {
    out.set(heads[i]![0], off);
    off += heads[i]![0].length;
    out.set(heads[i]![1], off);
    off += heads[i]![1].length;
    out.set(c.data, off);
    off += c.data.length;
  });
  return out;
}

/** ColumnSpec names a column of a block laid out by layoutBlock and the bytes its data takes. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

/** BlockLayout is a Native block whose headers are written and whose column data is not. */
export interface BlockLayout {
  /** bytes is the whole block, to be sent once every column's data is written. */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** offsets[i] is where column i's data starts in `bytes`. */
  readonly offsets: readonly number[];
}

/**
 * layoutBlock writes the headers of a block of `rows` rows and leaves room for each column's
 * data, so that a caller can write every column in one pass over its rows (through `view`, as
 * column data starts at unaligned offsets). The block is `reuse` when that is large enough: its
 * old contents stay until overwritten, so every data byte must be written.
 */
export function layoutBlock(
  rows: number,
  columns: readonly ColumnSpec[],
  reuse?: Uint8Array,
): BlockLayout {
  const heads = columns.map((c) => [encodeString(c.name), encodeString(c.type)] as const);
  let size = varintLength(columns.length) + varintLength(rows);
  columns.forEach((c, i) => (size += heads[i]![0].length + heads[i]![1].length + c.size));
  const bytes =
    reuse && reuse.buffer.byteLength >= size
      ? new Uint8Array(reuse.buffer, 0, size)
      : new Uint8Array(size);
  const offsets: number[] = [];
  let off = writeVarint(bytes, 0, columns.length);
  off = writeVarint(bytes, off, rows);
  columns.forEach((c, i) => {
    bytes.set(heads[i]![0], off);
    off += heads[i]![0].length;
    bytes.set(heads[i]![1], off);
    off += heads[i]![1].length;
    offsets.push(off);
    off += c.size;
  });
  return { bytes, view: new DataView(bytes.buffer, 0, size), offsets };
}

/**
 * setInt64 writes an integer held in a double (|v| ≤ 2^53) as a little-endian Int64 at `off`,
 * without BigInt: ToUint32 gives the low word exactly, and the rest is an exact multiple of 2^32.
 */
export function setInt64(view: DataView, off: number, v: number): void {
  const lo = v >>> 0;
  view.setUint32(off, lo, true);
  view.setInt32(off + 4, (v - lo) * 2.3283064365386963e-10, true); // 2^-32
}

/** DecodedColumn is one decoded column: typed arrays for numbers, string arrays for strings. */
export type DecodedColumn =
  | { readonly type: string; readonly kind: "f64"; readonly values: Float64Array }
  | { readonly type: string; readonly kind: "i64"; readonly values: Float64Array }
  | { readonly type: string; readonly kind: "u64"; readonly values: BigUint64Array }
  | { readonly type: string; readonly kind: "u32"; readonly values: Uint32Array }
  | { readonly type: string; readonly kind: "u8"; readonly values: Uint8Array }
  | { readonly type: string; readonly kind: "string"; readonly values: string[] };

/** NativeTable holds the decoded columns of all blocks of a result, by column name. */
export interface NativeTable {
  readonly rows: number;
  readonly columns: ReadonlyMap<string, DecodedColumn>;
}

/**
 * NativeReader reads a Native-format result: varints, strings and fixed-width column data
 * (logs-native.ts extends it with Map columns).
 */
export class NativeReader {
  off = 0;
  readonly buf: Buffer;
  constructor(data: Uint8Array) {
    this.buf = Buffer.isBuffer(data)
      ? data
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.off >= this.buf.length) throw new Error("Native: truncated varint");
      const b = this.buf[this.off++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  }
  string(): string {
    const len = this.varint();
    const end = this.off + len;
    if (end > this.buf.length) throw new Error("Native: truncated string");
    const s = len === 0 ? "" : this.buf.toString("utf8", this.off, end);
    this.off = end;
    return s;
  }
  bytes(len: number): Uint8Array {
    const end = this.off + len;
    if (end > this.buf.length) throw new Error("Native: truncated column");
    // Copy into a fresh ArrayBuffer so that typed-array views are aligned and exact (a Node
    // Buffer's slice() is a view into a shared pool, not a copy).
    const out = new Uint8Array(len);
    out.set(this.buf.subarray(this.off, end));
    this.off = end;
    return out;
  }
}

function decodeColumn(r: NativeReader, type: string, rows: number): DecodedColumn {
  switch (type) {
    case "Float64":
      return { type, kind: "f64", values: new Float64Array(r.bytes(rows * 8).buffer) };
    case "Int64":
    case "DateTime64(3)":
    case "DateTime64(3, 'UTC')": {
      const words = new Int32Array(r.bytes(rows * 8).buffer);
      const values = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        values[i] = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
      }
      return { type, kind: "i64", values };
    }
    case "UInt64":
      return { type, kind: "u64", values: new BigUint64Array(r.bytes(rows * 8).buffer) };
    case "UInt32":
      return { type, kind: "u32", values: new Uint32Array(r.bytes(rows * 4).buffer) };
    case "UInt8":
      return { type, kind: "u8", values: r.bytes(rows) };
    case "String": {
      const values = new Array<string>(rows);
      for (let i = 0; i < rows; i++) values[i] = r.string();
      return { type, kind: "string", values };
    }
    default:
      throw new Error(`Native: unsupported column type ${type}`);
  }
}

/**
 * decodeNative decodes a whole Native stream (zero or more blocks with the same columns) and
 * concatenates the blocks column by column.
 */
export function decodeNative(buf: Uint8Array): NativeTable {
  const r = new NativeReader(buf);
  const parts = new Map<string, DecodedColumn[]>();
  let rows = 0;
  while (r.off < buf.length) {
    const ncols = r.varint();
    const nrows = r.varint();
    for (let c = 0; c < ncols; c++) {
      const name = r.string();
      const type = r.string();
      const col = decodeColumn(r, type, nrows);
      let list = parts.get(name);
      if (!list) parts.set(name, (list = []));
      list.push(col);
    }
    rows += nrows;
  }
  const columns = new Map<string, DecodedColumn>();
  for (const [name, list] of parts) columns.set(name, concatColumns(list, rows));
  return { rows, columns };
}

function concatColumns(list: DecodedColumn[], rows: number): DecodedColumn {
  const first = list[0]!;
  if (list.length === 1) return first;
  switch (first.kind) {
    case "string":
      return { ...first, values: list.flatMap((c) => c.values as string[]) };
    case "f64":
    case "i64": {
      const out = new Float64Array(rows);
      let off = 0;
      for (const c of list) {
        out.set(c.values as Float64Array, off);
        off += c.values.length;
      }
      return { ...first, values: out };
    }
    case "u64": {
      const out = new BigUint64Array(rows);
      let off = 0;
      for (const c of list) {
        out.set(c.values as BigUint64Array, off);
        off += c.values.length;
      }
      return { ...first, values: out };
    }
    case "u32": {
      const out = new Uint32Array(rows);
      let off = 0;
      for (const c of list) {
        out.set(c.values as Uint32Array, off);
        off += c.values.length;
      }
      return { ...first, values: out };
    }
    case "u8": {
      const out = new Uint8Array(rows);
      let off = 0;
      for (const c of list) {
        out.set(c.values as Uint8Array, off);
        off += c.values.length;
      }
      return { ...first, values: out };
    }
  }
}
