// Splitting a byte range of a file into lines, with bounded memory. The result depends only on
// the bytes, the start state and the options, never on timing: replaying a range after a crash
// must yield exactly the lines the first read did (see tailer.ts on delivery).
import type { FileHandle } from "node:fs/promises";

/** ScanOptions say where to read and when to stop. */
export interface ScanOptions {
  /** start is the byte offset of the first byte to read. */
  readonly start: number;
  /** skipping is true when the bytes up to the next newline belong to an over-long line. */
  readonly skipping: boolean;
  /** maxLineBytes: a longer line is cut to its first maxLineBytes (at a character boundary). */
  readonly maxLineBytes: number;
  /** maxLines and maxBytes bound the lines returned (at least one line is always returned). */
  readonly maxLines: number;
  readonly maxBytes: number;
  /**
   * limit is an exclusive end offset: nothing at or after it is read, and an unterminated
   * piece that ends at it is returned as a line (a replay of a range read before).
   */
  readonly limit?: number;
  /** flushFrom: an unterminated last piece starting at this offset is returned as a line. */
  readonly flushFrom?: number;
  /** buf is the read buffer (its size is the read size); reused across calls by the caller. */
  readonly buf: Buffer;
}

/** ScanResult is what scanLines found. */
export interface ScanResult {
  /** lines, without their "\n" and a "\r" before it. */
  readonly lines: string[];
  /** lineBytes is the sum of the lines' UTF-8 lengths. */
  readonly lineBytes: number;
  /** truncated counts the lines that were cut to maxLineBytes. */
  readonly truncated: number;
  /** end is the offset after the last byte consumed (by a line or skipped). */
  readonly end: number;
  /** skipping is the skipping state at `end`. */
  readonly skipping: boolean;
  /** partialAt is the offset of an unterminated last line left unread, if there is one. */
  readonly partialAt?: number;
  /** more is true when the scan stopped at a line or byte limit rather than at end of data. */
  readonly more: boolean;
}

const NL = 0x0a;
const CR = 0x0d;

/**
 * scanLines reads lines from `fh` starting at `opts.start`. Lines end at "\n"; a "\r" before
 * the "\n" is dropped. A line longer than maxLineBytes is cut and the rest of it, up to and
 * including its newline, is skipped (possibly over later calls, through `skipping`). An
 * unterminated last piece is left for later (partialAt) unless `limit` or `flushFrom` says to
 * return it. Memory held is bounded by the read buffer plus maxLineBytes.
 */
export async function scanLines(fh: FileHandle, opts: ScanOptions): Promise<ScanResult> {
  const { buf, maxLineBytes } = opts;
  const lines: string[] = [];
  let lineBytes = 0;
  let truncated = 0;
  let skipping = opts.skipping;
  let pos = opts.start; // offset of buf[0]
  let consumed = opts.start;
  let parts: Buffer[] = [];
  let partLen = 0;

  /** room reports whether one more line of `size` bytes fits the budget. */
  const room = (size: number): boolean =>
    lines.length === 0 || (lines.length < opts.maxLines && lineBytes + size <= opts.maxBytes);
  const take = (line: string, size: number): void => {
    lines.push(line);
    lineBytes += size;
  };
  const joined = (): Buffer => (parts.length === 1 ? parts[0]! : Buffer.concat(parts, partLen));

  for (;;) {
    let want = buf.length;
    if (opts.limit !== undefined) want = Math.min(want, opts.limit - pos);
    if (want <= 0) break;
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) break;
    const chunk = buf.subarray(0, bytesRead);
    let i = 0;
    while (i < bytesRead) {
      if (skipping) {
        const nl = chunk.indexOf(NL, i);
        i = nl < 0 ? bytesRead : nl + 1;
        if (nl >= 0) skipping = false;
        consumed = pos + i;
        continue;
      }
      const nl = chunk.indexOf(NL, i);
      const segEnd = nl < 0 ? bytesRead : nl;
      const space = maxLineBytes - partLen;
      if (segEnd - i <= space) {
        if (segEnd > i) {
          parts.push(Buffer.from(chunk.subarray(i, segEnd)));
          partLen += segEnd - i;
        }
        if (nl < 0) {
          i = bytesRead;
          continue;
        }
        let line = joined();
        if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1);
        if (!room(line.length)) return done(false, true);
        take(line.toString("utf8"), line.length);
        parts = [];
        partLen = 0;
        i = nl + 1;
        consumed = pos + i;
        continue;
      }
      // The line is longer than allowed: keep what fits, cut at a character boundary (never
      // before the first byte of the line), and skip the rest. The byte after the kept part
      // is always in this chunk, so a replay of the range makes the same cut.
      if (space > 0) {
        parts.push(Buffer.from(chunk.subarray(i, i + space)));
        partLen += space;
      }
      const whole = joined();
      let cut = whole.length;
      const at = (k: number): number => (k === whole.length ? chunk[i + space]! : whole[k]!);
      while (cut > 1 && (at(cut) & 0xc0) === 0x80) cut--;
      const line = whole.subarray(0, cut);
      if (!room(line.length)) return done(false, true);
      take(line.toString("utf8"), line.length);
      truncated++;
      parts = [];
      partLen = 0;
      i += space;
      consumed = pos + i;
      skipping = true;
    }
    pos += bytesRead;
  }

  // End of data (or of the range): an unterminated piece waits, unless told to return it.
  if (partLen > 0) {
    const flush = opts.limit !== undefined || opts.flushFrom === consumed;
    if (!flush) return done(true, false);
    const line = joined();
    if (!room(line.length)) return done(false, true);
    take(line.toString("utf8"), line.length);
    consumed = pos;
  }
  return done(false, false);

  function done(partial: boolean, more: boolean): ScanResult {
    return {
      lines,
      lineBytes,
      truncated,
      end: consumed,
      skipping,
      ...(partial && { partialAt: consumed }),
      more,
    };
  }
}
