// The samples write-ahead log. With a head (head.ts) the storage acknowledges a commit once its
// samples are in this log and fsynced, shows them to queries from the head at once, and writes
// them to ClickHouse in large INSERTs every `storage.flush_interval` — one INSERT per segment.
// ClickHouse charges tens of milliseconds of CPU for every INSERT whatever its size, so many
// small commits (scrapes, remote_write requests) each paying for their own INSERT cost several
// times what the samples themselves cost (issue #3's scrape benchmark). Prometheus takes the
// same route: a WAL for durability, an in-memory head for reads, blocks written later.
//
// A segment is one file; every record is framed as
//   u32 payload length · u32 CRC-32 of type and payload · u8 type · payload
// (little endian). Types: SERIES (u32 ref, u16 label count, then per label u32 length + UTF-8
// name, u32 length + UTF-8 value) and SAMPLES (u32 n, then n i32 refs, n f64 timestamps, n f64
// values as raw bits). Refs are those of the process that wrote the segment; a segment defines
// every ref it uses before its first use, so each segment replays on its own. A record cut short
// by a crash, or whose checksum does not match, ends the segment's replay.
//
// A segment's file name (time of creation plus random suffix) is also the deduplication token of
// the INSERT that flushes it: a crash after that INSERT but before the file was removed replays
// the segment with the same token, and ClickHouse drops the repeat
// (non_replicated_deduplication_window on the samples table, schema migration 5).
import {
  closeSync,
  fdatasync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  unlinkSync,
  writev,
  writevSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { Labels } from "../../model/labels/index.ts";
import { labelsFromPairs } from "../../model/labels/index.ts";
import { grown } from "../../util/grow.ts";
import { unwritten } from "../../util/iovec.ts";

const HEADER = 9;
const SERIES = 1;
const SAMPLES = 2;

/** WalSegment is one replayed segment: its name (the INSERT's deduplication token) and data. */
export interface WalSegment {
  readonly name: string;
  /** labels of every ref the segment defines. */
  readonly series: Map<number, Labels>;
  readonly commits: { refs: Int32Array; ts: Float64Array; vs: Float64Array; n: number }[];
  /** error: why replay stopped before the end of the file (a torn or corrupt record). */
  readonly error?: string;
}

interface OpenSegment {
  readonly name: string;
  readonly path: string;
  fd: number;
  /** dirty: written since its last fsync. */
  dirty: boolean;
  /** retired: no longer written; closed after its last fsync. */
  retired: boolean;
  /** writing: appendAsync writes to it not yet done (it is not closed before they end). */
  writing: number;
}

/**
 * WalSegments is the file side of a write-ahead log, shared by the samples log (SampleWal) and
 * the log-entries log (logs.ts): segment files in one directory, records appended with a
 * synchronous write to the page cache, made durable by group-committed fdatasync (`append`
 * resolves after an fsync that began after its write, so concurrent appends share one), and
 * rotated and removed by the caller once ClickHouse holds what a segment logged.
 */
export class WalSegments {
  private cur: OpenSegment;
  /** retired segments whose last fsync has not run yet. */
  private retiring: OpenSegment[] = [];
  private syncing = false;
  /** idle: close() waiting for the running sync (and any it chains) to end. */
  private idle: (() => void)[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  /** queued: appendAsync writes in call order; the first is being written. */
  private queued: {
    seg: OpenSegment;
    bufs: Uint8Array[];
    resolve: () => void;
    reject: (e: Error) => void;
    /** written: called once its write ended (whether or not it failed). */
    written?: (() => void)[];
  }[] = [];
  /** existing: the segments found at construction (oldest first), for the caller to replay. */
  readonly existing: readonly string[];

  /**
   * The constructor starts a new segment in `dir`; `existing` lists the segments (names, oldest
   * first) that were there before, which the caller replays and removes.
   */
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.existing = readdirSync(dir)
      .filter((n) => n.endsWith(".wal"))
      .sort();
    this.cur = this.create();
  }

  private create(): OpenSegment {
    const name = `${Date.now().toString().padStart(15, "0")}-${randomBytes(6).toString("hex")}.wal`;
    const path = join(this.dir, name);
    const fd = openSync(path, "wx");
    try {
      const dirFd = openSync(this.dir, "r");
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch {
      // Some file systems cannot fsync a directory; the file still exists.
    }
    return { name, path, fd, dirty: false, retired: false, writing: 0 };
  }

  /** path of a segment of this log. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** segment names the segment being written now. */
  get segment(): string {
    return this.cur.name;
  }

  /**
   * append writes `bufs` (whole framed records) and resolves once they are durable. It throws
   * (synchronously) when the write itself fails, so that the caller does not keep what it
   * could not log.
   */
  append(bufs: Uint8Array[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("write-ahead log closed"));
    writeAll(this.cur.fd, bufs);
    this.cur.dirty = true;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.syncing) this.sync();
    });
  }

  /**
   * appendAsync is append with the write itself done off the main thread (in libuv's pool), for
   * large records: copying them into the page cache is then not the caller's CPU. `bufs` must
   * not change until the promise settles. Appends land in call order; a log uses one kind of
   * append only (append writes at once, ahead of queued appendAsync writes).
   */
  appendAsync(bufs: Uint8Array[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("write-ahead log closed"));
    return new Promise<void>((resolve, reject) => {
      const seg = this.cur;
      seg.writing++;
      this.queued.push({ seg, bufs, resolve, reject });
      if (this.queued.length === 1) this.writeNext();
    });
  }

  /** writeNext writes the first queued append, then the next, each after the one before. */
  private writeNext(): void {
    const w = this.queued[0]!;
    writeAllAsync(w.seg.fd, w.bufs, (err) => {
      this.queued.shift();
      w.seg.writing--;
      for (const f of w.written ?? []) f();
      if (err) {
        w.reject(new Error(`write-ahead log write to ${w.seg.name} failed: ${err.message}`));
      } else {
        w.seg.dirty = true;
        this.waiters.push({ resolve: w.resolve, reject: w.reject });
      }
      if (this.queued.length > 0) this.writeNext();
      if (!this.syncing) this.sync();
    });
  }

  /**
   * written resolves once the appendAsync writes queued so far have ended (not necessarily
   * synced): their buffers are no longer read.
   */
  written(): Promise<void> {
    const last = this.queued[this.queued.length - 1];
    if (!last) return Promise.resolve();
    return new Promise<void>((resolve) => (last.written ??= []).push(resolve));
  }

  /** sync fsyncs every dirty segment and settles the appends written before it started. */
  private sync(): void {
    this.syncing = true;
    const waiters = this.waiters;
    this.waiters = [];
    const segs = [...this.retiring, this.cur].filter((s) => s.dirty || s.retired);
    // A retired segment still being written waits for a later sync to be closed.
    const retired = this.retiring.filter((s) => s.writing === 0);
    this.retiring = this.retiring.filter((s) => s.writing > 0);
    for (const s of segs) s.dirty = false;
    let left = segs.length;
    let failure: Error | undefined;
    const done = (): void => {
      for (const s of retired) closeSync(s.fd);
      for (const w of waiters) {
        if (failure) w.reject(failure);
        else w.resolve();
      }
      this.syncing = false;
      if (this.waiters.length > 0 || this.retiring.some((s) => s.writing === 0)) this.sync();
      else for (const idle of this.idle.splice(0)) idle();
    };
    if (left === 0) {
      done();
      return;
    }
    for (const s of segs) {
      fdatasync(s.fd, (err) => {
        if (err) failure = new Error(`write-ahead log fsync of ${s.name} failed: ${err.message}`);
        if (--left === 0) done();
      });
    }
  }

  /**
   * rotate starts a new segment and returns the name of the one it ends, which holds exactly
   * the records appended since the previous rotate.
   */
  rotate(): string {
    const old = this.cur;
    this.cur = this.create();
    old.retired = true;
    this.retiring.push(old);
    if (!this.syncing) this.sync();
    return old.name;
  }

  /** remove deletes a segment whose records ClickHouse holds. */
  remove(name: string): void {
    try {
      unlinkSync(join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }

  /** close waits for pending fsyncs, closes the current segment and, with removeCurrent, removes it. */
  async close(removeCurrent: boolean): Promise<void> {
    this.closed = true;
    // Appends and rotations start a sync whenever none runs, so "no sync running" is idle.
    while (this.syncing || this.queued.length > 0) {
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
    closeSync(this.cur.fd);
    if (removeCurrent) this.remove(this.cur.name);
  }
}

/**
 * SampleWal appends commits of samples to a WalSegments log. Every segment defines the series
 * it uses (SERIES records) before their samples, so that each replays on its own.
 */
export class SampleWal {
  private readonly log: WalSegments;
  /** definedIn[ref] is the sequence number of the segment that last defined ref. */
  private definedIn = new Int32Array(1024);
  /**
   * Every segment defines its series again, and encoding their labels each time cost more than
   * the samples: each ref's SERIES record is encoded once into `arena` (at recOff[ref], recLen
   * [ref] bytes) and copied from there. One arena rather than a Buffer or string per series,
   * which with 100k series cost the garbage collector more than the encoding saved.
   */
  private arena = Buffer.alloc(1 << 20);
  private arenaLen = 0;
  private recOff = new Int32Array(1024);
  private recLen = new Int32Array(1024);
  /** scratch gathers one commit's series records. */
  private scratch = Buffer.alloc(1 << 16);
  private seq = 1;

  private constructor(
    dir: string,
    private readonly labelsOf: (ref: number) => Labels,
  ) {
    this.log = new WalSegments(dir);
  }

  /**
   * open reads the segments left in `dir` (oldest first) and starts a new one for this process.
   * The caller writes the returned segments to ClickHouse and then calls `remove` for each.
   */
  static open(
    dir: string,
    labelsOf: (ref: number) => Labels,
  ): { wal: SampleWal; segments: WalSegment[] } {
    const wal = new SampleWal(dir, labelsOf);
    const segments = wal.log.existing.map((n) => readSegment(wal.log.path(n), n));
    return { wal, segments };
  }

  /** segment names the segment being written now (its name is its INSERT's token). */
  get segment(): string {
    return this.log.segment;
  }

  /**
   * append writes one commit and resolves once it is durable. It throws (synchronously) when
   * the write itself fails, so that the caller does not keep samples it could not log.
   */
  append(refs: Int32Array, ts: Float64Array, vs: Float64Array, n: number): Promise<void> {
    const seg = this.seq;
    let defs = 0;
    for (let i = 0; i < n; i++) {
      const ref = refs[i]!;
      if (ref >= this.definedIn.length) this.growRefs(ref);
      if (this.definedIn[ref] === seg) continue;
      this.definedIn[ref] = seg;
      if (this.recLen[ref] === 0) this.encodeSeries(ref);
      const len = this.recLen[ref]!;
      if (defs + len > this.scratch.length) {
        const grown = Buffer.alloc(Math.max(this.scratch.length * 2, defs + len));
        this.scratch.copy(grown, 0, 0, defs);
        this.scratch = grown;
      }
      const off = this.recOff[ref]!;
      this.arena.copy(this.scratch, defs, off, off + len);
      defs += len;
    }
    // The samples go to the file straight from the caller's columns: no copy per commit.
    const r = new Uint8Array(refs.buffer, refs.byteOffset, 4 * n);
    const t = new Uint8Array(ts.buffer, ts.byteOffset, 8 * n);
    const v = new Uint8Array(vs.buffer, vs.byteOffset, 8 * n);
    const count = Buffer.allocUnsafe(4);
    count.writeUInt32LE(n, 0);
    const head = frameHeader(SAMPLES, [count, r, t, v]);
    return this.log.append(
      defs === 0 ? [head, count, r, t, v] : [this.scratch.subarray(0, defs), head, count, r, t, v],
    );
  }

  private growRefs(ref: number): void {
    const cap = Math.max(ref + 1, this.definedIn.length * 2);
    this.definedIn = grown(this.definedIn, cap);
    this.recOff = grown(this.recOff, cap);
    this.recLen = grown(this.recLen, cap);
  }

  /** encodeSeries puts ref's SERIES record into the arena. */
  private encodeSeries(ref: number): void {
    const rec = seriesRecord(ref, this.labelsOf(ref));
    if (this.arenaLen + rec.length > this.arena.length) {
      const grown = Buffer.alloc(Math.max(this.arena.length * 2, this.arenaLen + rec.length));
      this.arena.copy(grown, 0, 0, this.arenaLen);
      this.arena = grown;
    }
    rec.copy(this.arena, this.arenaLen);
    this.recOff[ref] = this.arenaLen;
    this.recLen[ref] = rec.length;
    this.arenaLen += rec.length;
  }

  /**
   * rotate starts a new segment and returns the name of the one it ends, which holds exactly
   * the commits appended since the previous rotate.
   */
  rotate(): string {
    this.seq++;
    return this.log.rotate();
  }

  /** remove deletes a segment whose samples ClickHouse holds. */
  remove(name: string): void {
    this.log.remove(name);
  }

  /** close waits for pending fsyncs, closes the current segment and, with removeCurrent, removes it. */
  close(removeCurrent: boolean): Promise<void> {
    return this.log.close(removeCurrent);
  }
}

/**
 * frameHeader returns the header of a record of `type` whose payload is `parts` (written after
 * it, in order).
 */
export function frameHeader(type: number, parts: readonly Uint8Array[]): Buffer {
  const h = Buffer.allocUnsafe(HEADER);
  let len = 0;
  for (const p of parts) len += p.length;
  h.writeUInt32LE(len, 0);
  h[8] = type;
  let crc = crc32(h.subarray(8));
  for (const p of parts) crc = crc32(p, crc);
  h.writeUInt32LE(crc, 4);
  return h;
}

/** writeAllAsync is writeAll through the callback API (the write runs in libuv's pool). */
function writeAllAsync(
  fd: number,
  bufs: Uint8Array[],
  done: (err: NodeJS.ErrnoException | null) => void,
): void {
  writev(fd, bufs, (err, written) => {
    if (err) return done(err);
    const rest = unwritten(bufs, written);
    if (rest.length === 0) done(null);
    else writeAllAsync(fd, rest, done);
  });
}

/** writeAll writes every buffer, in order, at the file's current position. */
function writeAll(fd: number, bufs: Uint8Array[]): void {
  while (bufs.length > 0) bufs = unwritten(bufs, writevSync(fd, bufs));
}

function seriesRecord(ref: number, labels: Labels): Buffer {
  let size = 6;
  const enc: Buffer[] = [];
  for (const l of labels) {
    const name = Buffer.from(l.name, "utf8");
    const value = Buffer.from(l.value, "utf8");
    enc.push(name, value);
    size += 8 + name.length + value.length;
  }
  const p = Buffer.allocUnsafe(size);
  p.writeUInt32LE(ref, 0);
  p.writeUInt16LE(labels.length, 4);
  let off = 6;
  for (const b of enc) {
    p.writeUInt32LE(b.length, off);
    b.copy(p, off + 4);
    off += 4 + b.length;
  }
  return Buffer.concat([frameHeader(SERIES, [p]), p]);
}

/** Frame is one record of a segment: its type and payload. */
export interface Frame {
  readonly type: number;
  readonly payload: Buffer;
}

/**
 * readFrames reads a segment file's records up to its end or its first bad one (cut short by a
 * crash, or with a checksum that does not match), which `error` then describes.
 */
export function readFrames(path: string): { frames: Frame[]; error?: string } {
  const buf = readFileSync(path);
  const frames: Frame[] = [];
  let off = 0;
  while (off < buf.length) {
    if (off + HEADER > buf.length)
      return { frames, error: `record header cut short at byte ${off}` };
    const len = buf.readUInt32LE(off);
    const end = off + HEADER + len;
    if (end > buf.length) {
      return { frames, error: `record at byte ${off} cut short (${len} bytes announced)` };
    }
    if (buf.readUInt32LE(off + 4) !== crc32(buf.subarray(off + 8, end))) {
      return { frames, error: `checksum mismatch in the record at byte ${off}` };
    }
    frames.push({ type: buf[off + 8]!, payload: buf.subarray(off + HEADER, end) });
    off = end;
  }
  return { frames };
}

/** readSegment decodes a samples segment file up to its end or its first bad record. */
export function readSegment(path: string, name: string): WalSegment {
  const { frames, error: cut } = readFrames(path);
  const series = new Map<number, Labels>();
  const commits: WalSegment["commits"] = [];
  let error = cut;
  for (const [i, f] of frames.entries()) {
    const at = `record ${i + 1}`;
    try {
      if (f.type === SERIES) {
        const [ref, labels] = decodeSeries(f.payload);
        series.set(ref, labels);
      } else if (f.type === SAMPLES) {
        commits.push(decodeSamples(f.payload));
      } else {
        error = `unknown record type ${f.type} in ${at}`;
        break;
      }
    } catch (err) {
      error = `bad ${at}: ${(err as Error).message}`;
      break;
    }
  }
  return error === undefined ? { name, series, commits } : { name, series, commits, error };
}

function decodeSeries(p: Buffer): [number, Labels] {
  const ref = p.readUInt32LE(0);
  const count = p.readUInt16LE(4);
  let off = 6;
  const str = (): string => {
    const len = p.readUInt32LE(off);
    if (off + 4 + len > p.length) throw new Error("label longer than its record");
    const s = p.toString("utf8", off + 4, off + 4 + len);
    off += 4 + len;
    return s;
  };
  const pairs: { name: string; value: string }[] = [];
  for (let i = 0; i < count; i++) {
    const name = str();
    pairs.push({ name, value: str() });
  }
  return [ref, labelsFromPairs(pairs)];
}

function decodeSamples(p: Buffer): WalSegment["commits"][number] {
  const n = p.readUInt32LE(0);
  if (p.length !== 4 + 20 * n) throw new Error(`samples record of ${p.length} bytes for ${n}`);
  const refs = new Int32Array(n);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  new Uint8Array(refs.buffer).set(p.subarray(4, 4 + 4 * n));
  new Uint8Array(ts.buffer).set(p.subarray(4 + 4 * n, 4 + 12 * n));
  new Uint8Array(vs.buffer).set(p.subarray(4 + 12 * n, 4 + 20 * n));
  return { refs, ts, vs, n };
}
