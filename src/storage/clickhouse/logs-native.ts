// Native-format blocks of the log tables (schema.ts migration 4): encoding of inserts and
// decoding of select results. Strings are written and read through Node Buffers, whose UTF-8
// codecs are several times faster than TextEncoder/TextDecoder on short strings.
import type { Label, Labels } from "../../model/labels/index.ts";
import { EMPTY_LABELS } from "../../model/labels/index.ts";
import type { BloomBlock } from "./logs-bloom.ts";
import { NativeReader, layoutBlock, varintLength, writeVarint } from "./native.ts";

/** ENTRY_COLUMNS are the columns of an entries block, in block order. */
export const ENTRY_COLUMNS = ["fingerprint", "ts", "line", "metadata"] as const;

/** STREAM_COLUMNS are the columns of a streams block, in block order. */
export const STREAM_COLUMNS = ["date", "fingerprint", "labels"] as const;

/** BLOOM_COLUMNS are the columns of a line blooms block, in block order. */
export const BLOOM_COLUMNS = ["fingerprint", "start", "end", "shift", "bloom"] as const;

/** encodeBlooms writes line bloom rows as one Native block. */
export function encodeBlooms(blocks: readonly BloomBlock[]): Uint8Array {
  const n = blocks.length;
  let bloomBytes = 0;
  for (const k of blocks) bloomBytes += varintLength(k.bloom.length) + k.bloom.length;
  const { bytes, view, offsets } = layoutBlock(n, [
    { name: "fingerprint", type: "UInt64", size: n * 8 },
    { name: "start", type: "DateTime64(9, 'UTC')", size: n * 8 },
    { name: "end", type: "DateTime64(9, 'UTC')", size: n * 8 },
    { name: "shift", type: "UInt8", size: n },
    { name: "bloom", type: "String", size: bloomBytes },
  ]);
  const [oFp, oStart, oEnd, oShift, oBloom] = offsets as [number, number, number, number, number];
  let off = oBloom;
  blocks.forEach((k, i) => {
    view.setUint32(oFp + 8 * i, k.fpLo, true);
    view.setUint32(oFp + 8 * i + 4, k.fpHi, true);
    view.setBigInt64(oStart + 8 * i, k.startNs, true);
    view.setBigInt64(oEnd + 8 * i, k.endNs, true);
    bytes[oShift + i] = k.shift;
    off = writeVarint(bytes, off, k.bloom.length);
    bytes.set(k.bloom, off);
    off += k.bloom.length;
  });
  return bytes;
}

/** StreamRow is one (day, stream) row of the streams table. */
export interface StreamRow {
  readonly day: number;
  readonly fpLo: number;
  readonly fpHi: number;
  readonly labels: Labels;
}

/** encodeStreams writes stream rows as one Native block. */
export function encodeStreams(rows: readonly StreamRow[]): Uint8Array {
  const n = rows.length;
  let mdBytes = 0;
  for (const s of rows)
    for (const l of s.labels) mdBytes += stringSize(l.name) + stringSize(l.value);
  const { bytes, view, offsets } = layoutBlock(n, [
    { name: "date", type: "Date", size: n * 2 },
    { name: "fingerprint", type: "UInt64", size: n * 8 },
    { name: "labels", type: "Map(String, String)", size: n * 8 + mdBytes },
  ]);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [oDate, oFp, oMap] = offsets as [number, number, number];
  let off = oMap + n * 8;
  let pairs = 0;
  rows.forEach((s, i) => {
    view.setUint16(oDate + 2 * i, s.day, true);
    view.setUint32(oFp + 8 * i, s.fpLo, true);
    view.setUint32(oFp + 8 * i + 4, s.fpHi, true);
    pairs += s.labels.length;
    view.setBigUint64(oMap + 8 * i, BigInt(pairs), true);
    for (const l of s.labels) off = writeString(buf, off, l.name);
  });
  for (const s of rows) for (const l of s.labels) off = writeString(buf, off, l.value);
  return bytes;
}

/**
 * SHORT: strings up to this long (metadata names and values such as detected_level=info, on
 * every entry) are measured and copied in JS when they are ASCII, which is several times
 * cheaper than a call into Buffer's native code per string.
 */
const SHORT = 32;

/** asciiLength is s.length when s is short and ASCII, else -1. */
function asciiLength(s: string): number {
  if (s.length > SHORT) return -1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return s.length;
}

/** stringSize is the size of s as a Native String. */
export function stringSize(s: string): number {
  let n = asciiLength(s);
  if (n < 0) n = Buffer.byteLength(s, "utf8");
  return varintLength(n) + n;
}

/** writeString writes s as a Native String at off and returns the offset after it. */
export function writeString(buf: Buffer, off: number, s: string): number {
  const a = asciiLength(s);
  if (a >= 0) {
    buf[off++] = a; // a <= SHORT < 0x80: a one-byte varint
    for (let i = 0; i < a; i++) buf[off++] = s.charCodeAt(i);
    return off;
  }
  const n = Buffer.byteLength(s, "utf8");
  off = writeVarint(buf, off, n);
  return n > 0 ? off + buf.write(s, off, n, "utf8") : off;
}

/** DecodedEntries are the columns of a select over the entries table. */
export interface DecodedEntries {
  readonly rows: number;
  readonly fingerprints: BigUint64Array;
  readonly ts: BigInt64Array;
  readonly lines: string[];
  readonly metadata: Labels[];
}

/**
 * decodeEntries decodes a Native result with columns fingerprint (UInt64), ts (DateTime64(9) or
 * Int64), line (String) and metadata (Map(String, String)), in any order, over any number of
 * blocks.
 */
export function decodeEntries(data: Uint8Array): DecodedEntries {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const r = new Reader(buf);
  const fps: BigUint64Array[] = [];
  const tss: BigInt64Array[] = [];
  const lines: string[] = [];
  const metadata: Labels[] = [];
  let rows = 0;
  while (r.off < buf.length) {
    const ncols = r.varint();
    const nrows = r.varint();
    for (let c = 0; c < ncols; c++) {
      const name = r.string();
      const type = r.string();
      if (name === "fingerprint" && type === "UInt64") {
        fps.push(new BigUint64Array(r.fixed(nrows * 8)));
      } else if (name === "ts" && (type.startsWith("DateTime64(9") || type === "Int64")) {
        tss.push(new BigInt64Array(r.fixed(nrows * 8)));
      } else if (name === "line" && type === "String") {
        for (let i = 0; i < nrows; i++) lines.push(r.string());
      } else if (name === "metadata" && type === "Map(String, String)") {
        r.map(nrows, metadata);
      } else {
        throw new Error(`Native: unexpected column ${name} ${type}`);
      }
    }
    rows += nrows;
  }
  return {
    rows,
    fingerprints: concat64(fps, rows, BigUint64Array),
    ts: concat64(tss, rows, BigInt64Array),
    lines,
    metadata,
  };
}

function concat64<A extends BigUint64Array | BigInt64Array>(
  parts: A[],
  rows: number,
  Ctor: { new (n: number): A },
): A {
  if (parts.length === 1) return parts[0]!;
  const out = new Ctor(rows);
  let off = 0;
  for (const p of parts) {
    out.set(p as never, off);
    off += p.length;
  }
  return out;
}

class Reader extends NativeReader {
  /** fixed copies `len` bytes into a fresh, aligned ArrayBuffer. */
  fixed(len: number): ArrayBuffer {
    return this.bytes(len).buffer as ArrayBuffer;
  }
  /** map reads a Map(String, String) column of `rows` rows into label sets. */
  map(rows: number, out: Labels[]): void {
    const offs = new BigUint64Array(this.fixed(rows * 8));
    const total = rows > 0 ? Number(offs[rows - 1]!) : 0;
    const keys = new Array<string>(total);
    for (let i = 0; i < total; i++) keys[i] = this.string();
    const values = new Array<string>(total);
    for (let i = 0; i < total; i++) values[i] = this.string();
    let k = 0;
    for (let i = 0; i < rows; i++) {
      const end = Number(offs[i]!);
      if (end === k) {
        out.push(EMPTY_LABELS);
        continue;
      }
      const ls: Label[] = [];
      for (; k < end; k++) ls.push({ name: keys[k]!, value: values[k]! });
      out.push(ls);
    }
  }
}
