// A reader of the protobuf wire format for the decoders on hot ingest paths (remote_write,
// Loki push). Generic decoders (protobufjs included) build an object per message and a Long per
// 64-bit integer; these decoders walk the bytes straight into the shapes their callers keep.
// Errors are made by the caller's `fail`, so that each protocol answers in its own words.
import { isUtf8 } from "node:buffer";

// Wire types.
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

const TWO_32 = 4294967296;

/** UNEXPECTED_END is the message of a read past the end of a message. */
export const UNEXPECTED_END = "proto: unexpected end of input";

/** ProtoWire reads fields from buf[pos, end). */
export class ProtoWire {
  pos: number;
  readonly view: DataView;
  /** node: buf as a Buffer, made once, for Node's string decoders. */
  private readonly node: Buffer;
  /** lo and hi: the 32-bit halves of the last varint64() (hi signed). */
  lo = 0;
  hi = 0;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly fail: (msg: string) => Error,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.node = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** uint32 reads a varint that must fit in 32 bits (tags and lengths). */
  uint32(): number {
    const b = this.buf;
    if (this.pos < this.end && b[this.pos]! < 0x80) return b[this.pos++]!;
    let x = 0;
    // A running factor, not 2 ** shift (a call to pow per byte).
    for (let k = 0, f = 1; k < 5; k++, f *= 128) {
      if (this.pos >= this.end) throw this.fail(UNEXPECTED_END);
      const c = b[this.pos++]!;
      x += (c & 0x7f) * f;
      if (c < 0x80) {
        if (x > 0xffffffff) break;
        return x;
      }
    }
    throw this.fail("proto: integer overflow");
  }

  /** varint64 reads a two's-complement varint into `lo` and `hi`. */
  varint64(): void {
    const b = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) throw this.fail(UNEXPECTED_END);
      if (i >= 10) throw this.fail("proto: integer overflow");
      const c = b[this.pos++]!;
      const bits = c & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (7 * i - 32);
      if (c < 0x80) break;
    }
    this.lo = lo >>> 0;
    this.hi = hi | 0;
  }

  /**
   * int64 reads a two's-complement varint and returns it as a number; values that a double
   * cannot hold exactly (beyond ±2^53) fail with `tooLarge`.
   */
  int64(tooLarge: string): number {
    this.varint64();
    const v = this.hi * TWO_32 + this.lo;
    if (!Number.isSafeInteger(v)) throw this.fail(tooLarge);
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw this.fail(UNEXPECTED_END);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** len reads a length prefix and returns the end of the delimited bytes. */
  len(): number {
    const n = this.uint32();
    const end = this.pos + n;
    if (end > this.end) throw this.fail(UNEXPECTED_END);
    return end;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        while (this.pos < this.end && this.buf[this.pos]! >= 0x80) this.pos++;
        if (this.pos >= this.end) throw this.fail(UNEXPECTED_END);
        this.pos++;
        return;
      case I64:
        this.pos += 8;
        break;
      case LEN:
        this.pos = this.len();
        return;
      case I32:
        this.pos += 4;
        break;
      default:
        throw this.fail(`proto: illegal wireType ${wireType}`);
    }
    if (this.pos > this.end) throw this.fail(UNEXPECTED_END);
  }

  /** string reads UTF-8 up to `end`; invalid UTF-8 fails with `invalid`. */
  string(end: number, invalid: string): string {
    const b = this.buf;
    const start = this.pos;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    this.pos = end;
    if (ascii) return latin1(this.node, start, end);
    if (!isUtf8(b.subarray(start, end))) throw this.fail(invalid);
    return this.node.toString("utf8", start, end);
  }

  /**
   * text reads UTF-8 up to `end` in one call into Node, invalid sequences becoming U+FFFD (as
   * Go reads a string field without checking it): for long strings such as log lines.
   */
  text(end: number): string {
    const start = this.pos;
    this.pos = end;
    return this.node.toString("utf8", start, end);
  }
}

/** latin1 makes a string of bytes below 0x80 (short ones without a call into Node). */
function latin1(b: Buffer, start: number, end: number): string {
  if (end - start < 24) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return b.toString("latin1", start, end);
}
