// A decoder of snappy blocks (the format of Loki and remote-write bodies: a uvarint of the
// decoded length, then literal and copy elements; github.com/google/snappy format_description.txt)
// that writes into a buffer the caller gives, so that a receiver can reuse its buffers instead
// of allocating fresh memory for every body (which, at ingest rates, cost more in page faults
// and garbage collection than the decoding itself).

/** SnappyError is a corrupt block. */
export class SnappyError extends Error {
  override readonly name = "SnappyError";
}

/**
 * snappyDecodedLength reads the uncompressed length that starts a snappy block (a uvarint), as
 * golang/snappy DecodedLen does; -1 when it is malformed.
 */
export function snappyDecodedLength(b: Uint8Array): number {
  let x = 0;
  for (let i = 0, shift = 0; i < b.length && i < 5; i++, shift += 7) {
    const c = b[i]!;
    x += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) return x > 0xffffffff ? -1 : x;
  }
  return -1;
}

/**
 * snappyHeader returns a block's decoded length (snappyDecodedLength) and the bytes its uvarint
 * takes; it throws a SnappyError when the length is malformed or more than `out` holds.
 */
export function snappyHeader(src: Uint8Array, out: Uint8Array): [n: number, bytes: number] {
  const n = snappyDecodedLength(src);
  if (n < 0) throw new SnappyError("snappy: corrupt input");
  if (n > out.length) throw new SnappyError("snappy: output buffer too small");
  let p = 0;
  while (src[p++]! >= 0x80);
  return [n, p];
}

/**
 * snappyDecodeInto decodes the snappy block `src` into `out` (at least its decoded length,
 * snappyDecodedLength) and returns the decoded length. It throws a SnappyError for a corrupt
 * block: an element that runs past the input or the output, a copy from before the start, or
 * output that ends short of the declared length.
 */
export function snappyDecodeInto(src: Uint8Array, out: Uint8Array): number {
  const header = snappyHeader(src, out);
  const n = header[0];
  let p = header[1];
  const end = src.length;
  let d = 0;
  while (p < end) {
    const tag = src[p++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const k = len - 59;
        if (p + k > end) throw new SnappyError("snappy: corrupt input");
        len = 0;
        for (let i = 0; i < k; i++) len += src[p + i]! * 2 ** (8 * i);
        p += k;
      }
      len++;
      if (p + len > end || d + len > n) throw new SnappyError("snappy: corrupt input");
      if (len < 32) {
        for (let i = 0; i < len; i++) out[d + i] = src[p + i]!;
      } else {
        out.set(src.subarray(p, p + len), d);
      }
      p += len;
      d += len;
      continue;
    }
    let len: number;
    let off: number;
    if (kind === 1) {
      if (p >= end) throw new SnappyError("snappy: corrupt input");
      len = ((tag >>> 2) & 7) + 4;
      off = ((tag >>> 5) << 8) | src[p++]!;
    } else if (kind === 2) {
      if (p + 2 > end) throw new SnappyError("snappy: corrupt input");
      len = (tag >>> 2) + 1;
      off = src[p]! | (src[p + 1]! << 8);
      p += 2;
    } else {
      if (p + 4 > end) throw new SnappyError("snappy: corrupt input");
      len = (tag >>> 2) + 1;
      off = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
      p += 4;
    }
    if (off === 0 || off > d || d + len > n) throw new SnappyError("snappy: corrupt input");
    // Byte by byte: a copy may overlap what it writes (off < len repeats a pattern).
    const from = d - off;
    if (off >= len && len >= 32) out.copyWithin(d, from, from + len);
    else for (let i = 0; i < len; i++) out[d + i] = out[from + i]!;
    d += len;
  }
  if (d !== n) throw new SnappyError("snappy: corrupt input");
  return n;
}
