import type { Labels, Matcher } from "../../model/labels/index.ts";
import {
  compareLabels,
  fingerprint,
  labelsFromPairs,
  labelsKey,
} from "../../model/labels/index.ts";
import { StorageClosedError, StorageError } from "../errors.ts";
import type {
  LogAppender,
  LogEntry,
  LogQuerier,
  LogRow,
  LogSelect,
  LogStats,
  LogStore,
  LogVolume,
} from "../logs.ts";
import {
  DAY_NS,
  compareBigints,
  compareForward,
  compareStrings,
  groupVolume,
  validateLogAppend,
} from "../memory/logs-common.ts";
import type { StorageMetrics } from "../metrics.ts";
import { newStorageMetrics } from "../metrics.ts";
import type { ClickHouseDriver } from "./driver.ts";
import type { EncodedStream, StreamRow } from "./logs-native.ts";
import {
  BLOOM_COLUMNS,
  ENTRY_COLUMNS,
  STREAM_COLUMNS,
  decodeEntries,
  encodeBlooms,
  encodeEntries,
  encodeStreams,
} from "./logs-native.ts";
import type { BloomBlock, BloomProbe } from "./logs-bloom.ts";
import { bloomProbe, probeSql } from "./logs-bloom.ts";
import type { BloomRange } from "./logs-bloom-cache.ts";
import { BloomCache } from "./logs-bloom-cache.ts";
import {
  clampNs,
  dateLiteral,
  dayOf,
  lineFiltersSql,
  nsLiteral,
  streamMatchersSql,
} from "./logs-sql.ts";
import type { LogTables, SchemaOptions } from "./schema.ts";
import { logTables } from "./schema.ts";
import { WalSegments, frameHeader, readFrames } from "./wal.ts";

/** ClickHouseLogStoreOptions configure batching and reading of a ClickHouseLogStore. */
export interface ClickHouseLogStoreOptions extends SchemaOptions {
  /** batchMaxDelayMs: a non-full batch is written at most this long after its first commit. */
  readonly batchMaxDelayMs: number;
  /** batchMaxBytes: a batch is written as soon as its lines hold this many bytes (16 MiB). */
  readonly batchMaxBytes?: number;
  /** pageRows / pageBytes: the size a select aims at per query (50,000 rows, 16 MiB of lines). */
  readonly pageRows?: number;
  readonly pageBytes?: number;
  readonly metrics?: StorageMetrics;
  /** isClosed reports whether the owning Storage is closed. */
  readonly isClosed?: () => boolean;
  /**
   * bloomCacheBytes keeps up to this many bytes of the line blooms this process writes in
   * memory (logs-bloom-cache.ts); 0 (default) keeps none. Only for a process that is the only
   * writer of the log tables (the embedded engine).
   */
  readonly bloomCacheBytes?: number;
  /**
   * walDir switches on the write-ahead log: a commit is acknowledged once its encoded blocks
   * are fsynced there, and the blocks wait in memory (the head) to be written to ClickHouse
   * in large INSERTs (flushBytes, flushAgeMs), which ClickHouse stores and merges at a third
   * of the CPU that many small ones cost. Queries first write the head (`settle`).
   */
  readonly walDir?: string;
  /** flushBytes: the head is written once its lines hold this many bytes (64 MiB). */
  readonly flushBytes?: number;
  /** flushAgeMs: the head is written at most this long after its first commit (2 s). */
  readonly flushAgeMs?: number;
}

/** StreamInfo is what the store remembers about a stream it has written in this process. */
interface StreamInfo {
  readonly labels: Labels;
  readonly fpLo: number;
  readonly fpHi: number;
  /** days (UTC day numbers) whose streams-table row is known to be committed. */
  readonly days: Set<number>;
}

/**
 * Piece is one encoded part of a batch, written in one INSERT per table (or, with the
 * write-ahead log, joined with the other pieces of the head into one): the stream rows it adds
 * (if any), the line blooms and the entries of up to MAX_DAYS_PER_INSERT days.
 */
interface Piece {
  readonly days: readonly number[];
  readonly streams: Uint8Array | undefined;
  readonly streamRows: number;
  readonly blooms: Uint8Array;
  readonly bloomRows: BloomBlock[];
  readonly entries: Uint8Array;
  readonly rows: number;
  /** bytes: line bytes of the entries. */
  readonly bytes: number;
  /** segment: the write-ahead log segment that holds the piece. */
  segment: string;
  /** seq: the piece's place in the head (1, 2, ...). */
  seq: number;
}

/** Record types of the log write-ahead log: one Native block each, for the table it names. */
const WAL_STREAMS = 1;
const WAL_BLOOMS = 2;
const WAL_ENTRIES = 3;

/** FLUSH_RETRY_MS: delays between attempts to write a head that ClickHouse refused. */
const FLUSH_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** HEAD_LIMIT_FACTOR: batches wait while the head holds this many times flushBytes. */
const HEAD_LIMIT_FACTOR = 4;

/** Txn is one committed appender's entries waiting in a batch. */
interface Txn {
  readonly streams: ReadonlyMap<StreamInfo, LogEntry[]>;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** LITERAL_KEY_LIMIT: selects of at most this many streams send their keys as SQL literals. */
const LITERAL_KEY_LIMIT = 2000;

/**
 * MAX_DAYS_PER_INSERT stays below ClickHouse's max_partitions_per_insert_block (100): a batch
 * whose entries span more days is written in several inserts.
 */
const MAX_DAYS_PER_INSERT = 90;

/** HISTOGRAM_BUCKETS: how finely a large select's time range is cut to plan its pages. */
const HISTOGRAM_BUCKETS = 1024;

/** MAX_SCAN_FACTOR bounds how far a page widens when line filters drop most rows. */
const MAX_SCAN_FACTOR = 64;

/** MIN_BATCH_INTERVAL_MS: the least time between the starts of two non-full batches. */
const MIN_BATCH_INTERVAL_MS = 50;

/** MAX_WRITES: batches written at once, so that encoding the next overlaps an INSERT. */
const MAX_WRITES = 2;

/**
 * ClickHouseLogStore implements LogStore on the log tables of schema.ts (migration 4).
 *
 * Commits are gathered into batches (group commit), encoded as Native blocks: rows of the
 * streams table for (stream, day) pairs not yet written, the line blooms, the entries. Without
 * the write-ahead log a batch is one INSERT per table and its commits resolve after all
 * returned; with it (walDir) they resolve once the blocks are fsynced in the log, and the
 * blocks of many batches (the head) go to ClickHouse together (DESIGN.md "Acknowledged means
 * durable"). A crash replays the log; what it inserts twice is merged away (below).
 *
 * Repeated (stream, ts, line) entries are merged away by ReplacingMergeTree and, until then,
 * dropped while reading: every query orders rows so that duplicates are adjacent. `stats` and
 * `volume` count what is stored and may count duplicates not yet merged.
 *
 * `select` never holds more than about one page: forward and backward reads first count rows
 * and line bytes per time bucket, then read windows of whole buckets sized to `pageBytes` and
 * `pageRows` (widened when line filters are selective); stream order reads the table in its own
 * order (fingerprint, ts) from a cursor. Selects with a small limit are one top-N query.
 */
export class ClickHouseLogStore implements LogStore {
  private readonly t: LogTables;
  private readonly metrics: StorageMetrics;
  private readonly infos = new Map<string, StreamInfo>();
  private readonly batchMaxBytes: number;
  readonly pageRows: number;
  readonly pageBytes: number;
  private queue: Txn[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastWriteStart = -Infinity;
  private readonly writes = new Set<Promise<void>>();
  private closed = false;
  private wal: WalSegments | undefined;
  private readonly flushBytes: number;
  private readonly flushAgeMs: number;
  /** head: pieces in the write-ahead log, not yet in ClickHouse, in commit order. */
  private head: Piece[] = [];
  private headBytes = 0;
  private headSeq = 0;
  /** flushedSeq: every piece up to this seq is in ClickHouse. */
  private flushedSeq = 0;
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushFailures = 0;
  private flushError: Error | undefined;
  /** segmentPieces counts, per log segment, its pieces not yet in ClickHouse. */
  private readonly segmentPieces = new Map<string, number>();
  /** bloomCache holds recent line blooms when this process is the tables' only writer. */
  readonly bloomCache: BloomCache | undefined;

  constructor(
    private readonly driver: ClickHouseDriver,
    private readonly opts: ClickHouseLogStoreOptions,
  ) {
    this.t = logTables(opts);
    this.metrics = opts.metrics ?? newStorageMetrics();
    this.batchMaxBytes = opts.batchMaxBytes ?? 16 << 20;
    this.pageRows = Math.max(1, opts.pageRows ?? 50_000);
    this.pageBytes = Math.max(1, opts.pageBytes ?? 16 << 20);
    this.flushBytes = Math.max(1, opts.flushBytes ?? 64 << 20);
    this.flushAgeMs = Math.max(0, opts.flushAgeMs ?? 2_000);
    if ((opts.bloomCacheBytes ?? 0) > 0) this.bloomCache = new BloomCache(opts.bloomCacheBytes!);
  }

  /**
   * open writes what a previous process left in the write-ahead log to ClickHouse and opens the
   * log for this one (with walDir), then lets the bloom cache learn where the table's filters
   * end. Commits and queries wait for nothing here: call it before serving.
   */
  async open(): Promise<void> {
    if (this.opts.walDir) {
      const wal = new WalSegments(this.opts.walDir);
      try {
        for (const name of wal.existing) {
          await this.replay(wal.path(name));
          wal.remove(name);
        }
      } catch (err) {
        await wal.close(true);
        throw err instanceof StorageError
          ? err
          : new StorageError(`log write-ahead log replay failed: ${(err as Error).message}`, {
              cause: err,
            });
      }
      this.wal = wal;
    }
    const cache = this.bloomCache;
    if (!cache) return;
    // Until the table's last filter ends are known, queries read every filter from the table.
    this.driver
      .queryJson<{ fp: string; z: string }>(
        `SELECT toString(fingerprint) AS fp, toString(toUnixTimestamp64Nano(max(end))) AS z` +
          ` FROM ${this.t.blooms} GROUP BY fingerprint`,
      )
      .then((rows) => cache.setTableEnds(new Map(rows.map((r) => [BigInt(r.fp), BigInt(r.z)]))))
      .catch(() => {
        // The cache stays unused: queries read the table, as without it.
      });
  }

  /** replay inserts one segment's records in order (a torn last piece was never acknowledged). */
  private async replay(path: string): Promise<void> {
    const { frames } = readFrames(path);
    const tables: Record<number, [string, readonly string[]]> = {
      [WAL_STREAMS]: [this.t.streams, STREAM_COLUMNS],
      [WAL_BLOOMS]: [this.t.blooms, BLOOM_COLUMNS],
      [WAL_ENTRIES]: [this.t.entries, ENTRY_COLUMNS],
    };
    for (const f of frames) {
      const target = tables[f.type];
      if (!target) throw new StorageError(`${path}: unknown record type ${f.type}`);
      await this.driver.insertNative(target[0], target[1], f.payload);
    }
  }

  /** @internal the driver, for tests and benchmarks. */
  get drv(): ClickHouseDriver {
    return this.driver;
  }

  /** @internal */
  get tables(): LogTables {
    return this.t;
  }

  /** checkOpen throws once the store or the Storage that owns it is closed. */
  checkOpen(): void {
    if (this.closed || this.opts.isClosed?.()) throw new StorageClosedError();
  }

  logAppender(): LogAppender {
    const pending = new Map<StreamInfo, LogEntry[]>();
    let bytes = 0;
    let done = false;
    const use = () => {
      this.checkOpen();
      if (done) throw new Error("log appender already committed or rolled back");
    };
    return {
      append: (labels, entries) => {
        use();
        validateLogAppend(labels, entries);
        const info = this.info(labels);
        let list = pending.get(info);
        if (!list) pending.set(info, (list = []));
        for (const e of entries) {
          list.push(e);
          bytes += e.line.length;
        }
      },
      commit: () => {
        try {
          use();
        } catch (err) {
          return Promise.reject(err as Error);
        }
        done = true;
        if (pending.size === 0) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          this.enqueue({ streams: pending, bytes, resolve, reject });
        });
      },
      rollback: () => {
        done = true;
        pending.clear();
      },
    };
  }

  private info(labels: Labels): StreamInfo {
    const key = labelsKey(labels);
    let info = this.infos.get(key);
    if (!info) {
      const fp = fingerprint(labels);
      info = {
        labels,
        fpLo: Number(fp & 0xffffffffn),
        fpHi: Number(fp >> 32n),
        days: new Set(),
      };
      this.infos.set(key, info);
    }
    return info;
  }

  private enqueue(txn: Txn): void {
    this.queue.push(txn);
    this.queuedBytes += txn.bytes;
    this.schedule();
  }

  /**
   * schedule decides when queued commits are written: at once when they fill a batch; else as
   * soon as no write is in flight, but at most one batch per MIN_BATCH_INTERVAL_MS (so that a
   * steady trickle of commits does not turn into many tiny parts); in any case within
   * batchMaxDelayMs. Commits that arrive while a write is in flight form the next batch.
   */
  private schedule(): void {
    if (this.queue.length === 0) return;
    if (this.queuedBytes >= this.batchMaxBytes || this.closed) {
      this.kick();
      return;
    }
    if (this.timer) return;
    const sinceLast = performance.now() - this.lastWriteStart;
    const delay =
      this.writes.size === 0
        ? Math.max(0, MIN_BATCH_INTERVAL_MS - sinceLast)
        : this.opts.batchMaxDelayMs;
    this.timer = setTimeout(() => this.kick(), Math.min(delay, this.opts.batchMaxDelayMs));
  }

  /** kick starts writing queued commits, up to MAX_WRITES batches at a time. */
  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.writes.size < MAX_WRITES && this.queue.length > 0) {
      if (this.headBytes >= this.flushBytes * HEAD_LIMIT_FACTOR) {
        // The head waits for ClickHouse: batches wait too (their writers wait for the answer),
        // or fail at once while ClickHouse refuses the head.
        if (this.flushError) {
          const err = new StorageError(
            `log write failed: ${this.headBytes} bytes of logged entries wait for` +
              ` ${this.driver.description}: ${this.flushError.message}`,
          );
          for (const t of this.queue.splice(0)) t.reject(err);
          this.queuedBytes = 0;
        }
        return;
      }
      let n = 0;
      let bytes = 0;
      while (n < this.queue.length && (n === 0 || bytes < this.batchMaxBytes)) {
        bytes += this.queue[n++]!.bytes;
      }
      const txns = this.queue.splice(0, n);
      this.queuedBytes -= bytes;
      this.lastWriteStart = performance.now();
      const w: Promise<void> = this.writeBatch(txns).finally(() => {
        this.writes.delete(w);
        if (this.writes.size === 0 && this.timer) {
          clearTimeout(this.timer);
          this.timer = undefined;
        }
        this.schedule();
      });
      this.writes.add(w);
    }
  }

  /**
   * writeBatch encodes a batch and either logs it (acknowledged once fsynced; the head takes
   * it) or, without the write-ahead log, inserts it (acknowledged once ClickHouse has it).
   */
  private async writeBatch(txns: Txn[]): Promise<void> {
    const start = performance.now();
    try {
      const { pieces, newDays } = this.encode(txns);
      if (this.wal) {
        const wal = this.wal;
        const segment = wal.segment;
        const frames: Uint8Array[] = [];
        for (const p of pieces) {
          p.segment = segment;
          if (p.streams) frames.push(frameHeader(WAL_STREAMS, [p.streams]), p.streams);
          frames.push(frameHeader(WAL_BLOOMS, [p.blooms]), p.blooms);
          frames.push(frameHeader(WAL_ENTRIES, [p.entries]), p.entries);
        }
        this.segmentPieces.set(segment, (this.segmentPieces.get(segment) ?? 0) + pieces.length);
        try {
          await wal.appendAsync(frames);
        } catch (err) {
          this.piecesDone(pieces);
          throw err;
        }
        for (const p of pieces) {
          p.seq = ++this.headSeq;
          this.head.push(p);
          this.headBytes += p.bytes;
        }
        this.metrics.logHeadBytes.set(this.headBytes);
        this.afterAppend();
      } else {
        for (const p of pieces) await this.insertPiece(p);
        this.metrics.insertDuration.observe((performance.now() - start) / 1000);
      }
      for (const [info, d] of newDays) info.days.add(d);
      this.metrics.batches.inc();
      for (const t of txns) t.resolve();
    } catch (err) {
      this.metrics.errors.inc();
      const e =
        err instanceof StorageError
          ? err
          : new StorageError(`log write failed: ${(err as Error).message}`, { cause: err });
      for (const t of txns) t.reject(e);
    }
  }

  /**
   * encode sorts a batch's entries (one sorted run per stream, streams in fingerprint order: a
   * block in the table's sorting-key order is not sorted again by ClickHouse) and encodes it in
   * pieces of at most MAX_DAYS_PER_INSERT days, with the stream rows of (stream, day) pairs not
   * known to be written.
   */
  private encode(txns: Txn[]): { pieces: Piece[]; newDays: [StreamInfo, number][] } {
    const byStream = new Map<StreamInfo, LogEntry[]>();
    for (const t of txns) {
      for (const [info, entries] of t.streams) {
        const list = byStream.get(info);
        if (list) for (const e of entries) list.push(e);
        else byStream.set(info, entries);
      }
    }
    const streams = [...byStream.keys()].sort((a, b) => a.fpHi - b.fpHi || a.fpLo - b.fpLo);
    const newRows: StreamRow[] = [];
    const newDays: [StreamInfo, number][] = [];
    const days = new Set<number>();
    const encoded: { info: StreamInfo; entries: LogEntry[]; days: Int32Array }[] = [];
    for (const info of streams) {
      const entries = byStream.get(info)!;
      if (!isSorted(entries)) entries.sort(compareEntries);
      const ds = new Int32Array(entries.length);
      let last = -1;
      // The day changes rarely within a stream: divide (a BigInt allocation) only then.
      let dayLo = 1n;
      let dayHi = 0n;
      entries.forEach((e, i) => {
        if (e.tsNs >= dayLo && e.tsNs < dayHi) {
          ds[i] = last;
          return;
        }
        const d = (ds[i] = Number(e.tsNs / DAY_NS));
        dayLo = BigInt(d) * DAY_NS;
        dayHi = dayLo + DAY_NS;
        if (d === last) return;
        last = d;
        days.add(d);
        // Days ascend within a sorted stream, so each is seen once here.
        if (!info.days.has(d)) {
          newRows.push({ day: d, fpLo: info.fpLo, fpHi: info.fpHi, labels: info.labels });
          newDays.push([info, d]);
        }
      });
      encoded.push({ info, entries, days: ds });
    }
    // ClickHouse refuses an insert that touches more than 100 daily partitions.
    const dayGroups = [...days].sort((a, b) => a - b);
    const pieces: Piece[] = [];
    for (let g = 0; g < dayGroups.length; g += MAX_DAYS_PER_INSERT) {
      const groupDays = dayGroups.slice(g, g + MAX_DAYS_PER_INSERT);
      const lo = groupDays[0]!;
      const hi = groupDays[groupDays.length - 1]!;
      const rows = newRows.filter((r) => r.day >= lo && r.day <= hi);
      const part: EncodedStream[] = [];
      for (const s of encoded) {
        const entries =
          dayGroups.length <= MAX_DAYS_PER_INSERT
            ? s.entries
            : s.entries.filter((_, i) => s.days[i]! >= lo && s.days[i]! <= hi);
        if (entries.length > 0) part.push({ fpLo: s.info.fpLo, fpHi: s.info.fpHi, entries });
      }
      const { block, rows: n, blooms, lineBytes } = encodeEntries(part);
      pieces.push({
        days: groupDays,
        streams: rows.length > 0 ? encodeStreams(rows) : undefined,
        streamRows: rows.length,
        blooms: encodeBlooms(blooms),
        bloomRows: blooms,
        entries: block,
        rows: n,
        bytes: lineBytes,
        segment: "",
        seq: 0,
      });
    }
    return { pieces, newDays };
  }

  /**
   * insertPiece writes one piece (or the head's pieces joined): stream rows, then blooms (an
   * entry must never be stored without its filter row, and the cache must hold every filter row
   * this process inserts), then entries.
   */
  private async insertPiece(p: {
    streams: Uint8Array | readonly Uint8Array[] | undefined;
    streamRows: number;
    blooms: Uint8Array | readonly Uint8Array[];
    bloomRows: readonly BloomBlock[];
    entries: Uint8Array | readonly Uint8Array[];
    rows: number;
  }): Promise<void> {
    if (p.streams && p.streamRows > 0) {
      await this.driver.insertNative(this.t.streams, STREAM_COLUMNS, p.streams);
      this.metrics.rows.inc({ table: "log_streams" }, p.streamRows);
      this.metrics.bytes.inc({ table: "log_streams" }, size(p.streams));
    }
    this.bloomCache?.add(p.bloomRows);
    await this.driver.insertNative(this.t.blooms, BLOOM_COLUMNS, p.blooms);
    this.metrics.rows.inc({ table: "log_blooms" }, p.bloomRows.length);
    this.metrics.bytes.inc({ table: "log_blooms" }, size(p.blooms));
    await this.driver.insertNative(this.t.entries, ENTRY_COLUMNS, p.entries);
    this.metrics.rows.inc({ table: "log_entries" }, p.rows);
    this.metrics.bytes.inc({ table: "log_entries" }, size(p.entries));
  }

  /** afterAppend starts a flush when the head is full, else makes sure one comes in time. */
  private afterAppend(): void {
    if (this.headBytes >= this.flushBytes) {
      void this.flushHead().catch(() => {});
      return;
    }
    if (!this.flushTimer && !this.flushing && this.head.length > 0) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        void this.flushHead().catch(() => {});
      }, this.flushAgeMs);
      this.flushTimer.unref();
    }
  }

  /**
   * flushHead writes the head's pieces to ClickHouse: per table one INSERT of their blocks
   * joined, grouped so that no INSERT touches more than MAX_DAYS_PER_INSERT days. It resolves
   * when that flush ends (one running already, or this one) and rejects when ClickHouse refused
   * it; the pieces then stay in the head and are retried.
   */
  private flushHead(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.head.length === 0 || !this.wal) return Promise.resolve();
    const pieces = this.head;
    this.head = [];
    const bytes = this.headBytes;
    // The pieces' segments stop growing, so that they can be removed once their pieces are in.
    const cur = this.wal.segment;
    if (pieces.some((p) => p.segment === cur)) this.wal.rotate();
    const start = performance.now();
    const run = async (): Promise<void> => {
      for (const group of dayGroups(pieces)) {
        await this.insertPiece({
          streams: present(group.map((p) => p.streams)),
          streamRows: sum(group, (p) => p.streamRows),
          blooms: group.map((p) => p.blooms),
          bloomRows: group.flatMap((p) => p.bloomRows),
          entries: group.map((p) => p.entries),
          rows: sum(group, (p) => p.rows),
        });
      }
    };
    const f = run().then(
      () => {
        this.headBytes -= bytes;
        this.metrics.logHeadBytes.set(this.headBytes);
        this.flushedSeq = pieces[pieces.length - 1]!.seq;
        this.flushFailures = 0;
        this.flushError = undefined;
        this.metrics.insertDuration.observe((performance.now() - start) / 1000);
        this.piecesDone(pieces);
      },
      (err: unknown) => {
        // The pieces go back to the front of the head and are retried after a pause.
        this.head = pieces.concat(this.head);
        this.metrics.errors.inc();
        this.flushError =
          err instanceof StorageError
            ? err
            : new StorageError(`log write failed: ${(err as Error).message}`, { cause: err });
        const delay = FLUSH_RETRY_MS[Math.min(this.flushFailures++, FLUSH_RETRY_MS.length - 1)]!;
        if (!this.flushTimer && !this.closed) {
          this.flushTimer = setTimeout(() => {
            this.flushTimer = undefined;
            void this.flushHead().catch(() => {});
          }, delay);
          this.flushTimer.unref();
        }
        throw this.flushError;
      },
    );
    this.flushing = f.finally(() => {
      this.flushing = undefined;
      // Batches that waited for room in the head go on; a full head is written at once.
      if (this.flushError === undefined) this.afterAppend();
      this.schedule();
    });
    return this.flushing;
  }

  /** piecesDone removes the segments (not the current one) whose pieces are all in ClickHouse. */
  private piecesDone(pieces: readonly Piece[]): void {
    for (const p of pieces) {
      const left = (this.segmentPieces.get(p.segment) ?? 1) - 1;
      if (left > 0) {
        this.segmentPieces.set(p.segment, left);
        continue;
      }
      this.segmentPieces.delete(p.segment);
      if (p.segment !== this.wal?.segment) this.wal?.remove(p.segment);
    }
  }

  /**
   * settle resolves once every commit acknowledged before the call is in ClickHouse, so that a
   * query sees it; it rejects when ClickHouse refuses the head.
   */
  async settle(): Promise<void> {
    const target = this.headSeq;
    while (this.flushedSeq < target) await this.flushHead();
  }

  /** flush writes every queued commit and the head, and waits for all writes. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.writes.size > 0) {
      this.kick();
      await Promise.all(this.writes);
    }
    await this.settle();
  }

  /** optimize merges the log tables' parts (OPTIMIZE TABLE ... FINAL). */
  async optimize(): Promise<void> {
    await this.driver.exec(`OPTIMIZE TABLE ${this.t.entries} FINAL`);
    await this.driver.exec(`OPTIMIZE TABLE ${this.t.streams} FINAL`);
  }

  /** close flushes pending commits; the driver stays open (the Storage owns it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      // What ClickHouse refused stays in the log for the next open.
      await this.wal?.close(this.head.length === 0 && this.segmentPieces.size === 0);
    }
  }

  logQuerier(): LogQuerier {
    return new ClickHouseLogQuerier(this, this.driver, this.t);
  }
}

/** dayGroups splits pieces (in order) into runs that touch at most MAX_DAYS_PER_INSERT days. */
function dayGroups(pieces: readonly Piece[]): Piece[][] {
  const groups: Piece[][] = [];
  let days = new Set<number>();
  let group: Piece[] = [];
  for (const p of pieces) {
    const added = p.days.filter((d) => !days.has(d));
    if (group.length > 0 && days.size + added.length > MAX_DAYS_PER_INSERT) {
      groups.push(group);
      group = [];
      days = new Set();
    }
    group.push(p);
    for (const d of p.days) days.add(d);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** present returns the blocks that exist, or undefined when none does. */
function present(blocks: readonly (Uint8Array | undefined)[]): Uint8Array[] | undefined {
  const out = blocks.filter((b): b is Uint8Array => b !== undefined);
  return out.length > 0 ? out : undefined;
}

/** size is the byte length of a block or of several (one Native stream may hold many). */
function size(block: Uint8Array | readonly Uint8Array[]): number {
  return block instanceof Uint8Array ? block.length : sum(block, (b) => b.length);
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let n = 0;
  for (const x of xs) n += f(x);
  return n;
}

function compareEntries(a: LogEntry, b: LogEntry): number {
  return compareBigints(a.tsNs, b.tsNs) || compareStrings(a.line, b.line);
}

function isSorted(entries: readonly LogEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (compareEntries(entries[i - 1]!, entries[i]!) > 0) return false;
  }
  return true;
}

/** Candidates are the streams a select may read, with the SQL condition selecting them. */
interface Candidates {
  readonly labels: ReadonlyMap<bigint, Labels>;
  /** keys selects the candidate streams by fingerprint (in any of the log tables). */
  readonly keys: string;
  /** where selects their entries in the time range. */
  readonly where: string;
}

/**
 * MAX_BLOOM_RANGES: when more (stream, time range) blocks than this may hold a needle, a select
 * reads the candidate streams whole instead of naming the ranges.
 */
const MAX_BLOOM_RANGES = 512;

class ClickHouseLogQuerier implements LogQuerier {
  constructor(
    private readonly s: ClickHouseLogStore,
    private readonly drv: ClickHouseDriver,
    private readonly t: LogTables,
  ) {}

  /** daysWhere selects streams-table rows of the days that [startNs, endNs) touches. */
  private daysWhere(matchers: readonly Matcher[], startNs: bigint, endNs: bigint): string {
    return (
      `date >= ${dateLiteral(dayOf(startNs))} AND date <= ${dateLiteral(dayOf(endNs))}` +
      ` AND ${streamMatchersSql(matchers)}`
    );
  }

  private timeWhere(startNs: bigint, endNs: bigint): string {
    return `ts >= ${nsLiteral(startNs)} AND ts < ${nsLiteral(endNs)}`;
  }

  /**
   * candidates finds the streams that match and have a row on a day of the range. Up to
   * LITERAL_KEY_LIMIT streams the entries are selected by literal keys, which ClickHouse
   * evaluates faster than a subquery; beyond that by the subquery (on the shard's table, since
   * a stream and its entries live on one shard).
   */
  private async candidates(
    matchers: readonly Matcher[],
    startNs: bigint,
    endNs: bigint,
    signal?: AbortSignal,
  ): Promise<Candidates> {
    const where = this.daysWhere(matchers, startNs, endNs);
    const rows = await this.drv.queryJson<{ fp: string; lbls: Record<string, string> }>(
      `SELECT toString(fingerprint) AS fp, any(labels) AS lbls FROM ${this.t.streams}` +
        ` WHERE ${where} GROUP BY fingerprint`,
      signal,
    );
    const labels = new Map<bigint, Labels>();
    for (const r of rows) {
      labels.set(
        BigInt(r.fp),
        labelsFromPairs(Object.entries(r.lbls).map(([name, value]) => ({ name, value }))),
      );
    }
    const keys =
      labels.size <= LITERAL_KEY_LIMIT
        ? `fingerprint IN (${[...labels.keys()].join(",")})`
        : `fingerprint IN (SELECT fingerprint FROM ${this.t.shardStreams} WHERE ${where})`;
    return { labels, keys, where: `${keys} AND ${this.timeWhere(startNs, endNs)}` };
  }

  /**
   * bloomRanges narrows candidates to the blocks whose line blooms (logs-bloom.ts) may pass the
   * probe: "none" when no block can, undefined when too many can to name them. Filters the
   * store's cache answers for are tested in memory; the rest are read from the table.
   */
  private async bloomRanges(
    c: Candidates,
    probe: BloomProbe,
    startNs: bigint,
    endNs: bigint,
    signal?: AbortSignal,
  ): Promise<string | "none" | undefined> {
    const limit = MAX_BLOOM_RANGES * 4;
    const found: BloomRange[] = [];
    const cache = this.s.bloomCache;
    // Per stream: the filter rows to read from the table (all of them without the cache).
    let tableWhere: string | undefined = c.keys;
    if (cache?.ready) {
      const older: string[] = [];
      for (const fp of c.labels.keys()) {
        const floor = cache.floor(fp)!;
        if (!cache.collect(fp, probe, startNs, endNs, found, limit)) return undefined;
        if (startNs < floor) older.push(`(fingerprint = ${fp} AND end < ${nsLiteral(floor)})`);
      }
      tableWhere =
        older.length === 0
          ? undefined
          : older.length <= MAX_BLOOM_RANGES
            ? `(${older.join(" OR ")})`
            : c.keys;
    }
    if (tableWhere !== undefined) {
      const rows = await this.drv.queryJson<{ fp: string; a: string; z: string }>(
        `SELECT toString(fingerprint) AS fp, toString(toUnixTimestamp64Nano(start)) AS a,` +
          ` toString(toUnixTimestamp64Nano(end)) AS z FROM ${this.t.blooms}` +
          ` WHERE ${tableWhere} AND end >= ${nsLiteral(startNs)} AND start < ${nsLiteral(endNs)}` +
          ` AND ${probeSql(probe)} LIMIT ${limit + 1}`,
        signal,
      );
      if (found.length + rows.length > limit) return undefined;
      for (const r of rows) found.push({ fp: BigInt(r.fp), a: BigInt(r.a), z: BigInt(r.z) });
    }
    if (found.length === 0) return "none";
    found.sort((x, y) => (x.fp < y.fp ? -1 : x.fp > y.fp ? 1 : x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
    // Overlapping or touching blocks of a stream become one range.
    const ranges: BloomRange[] = [];
    for (const r of found) {
      const last = ranges[ranges.length - 1];
      if (last && last.fp === r.fp && r.a <= last.z + 1n) {
        if (r.z > last.z) ranges[ranges.length - 1] = { ...last, z: r.z };
      } else {
        ranges.push(r);
      }
    }
    if (ranges.length > MAX_BLOOM_RANGES) return undefined;
    return `(${ranges
      .map((r) => `(fingerprint = ${r.fp} AND ts >= ${nsLiteral(r.a)} AND ts <= ${nsLiteral(r.z)})`)
      .join(" OR ")})`;
  }

  select(q: LogSelect): AsyncIterable<readonly LogRow[]> {
    return this.selectRows(q);
  }

  private async *selectRows(q: LogSelect): AsyncGenerator<readonly LogRow[]> {
    this.s.checkOpen();
    await this.s.settle();
    q.signal?.throwIfAborted();
    const startNs = clampNs(q.startNs);
    const endNs = clampNs(q.endNs);
    if (endNs <= startNs) return;
    let c = await this.candidates(q.matchers, startNs, endNs, q.signal);
    if (c.labels.size === 0) return;
    const probe = bloomProbe(q.lineFilters);
    if (probe) {
      const ranges = await this.bloomRanges(c, probe, startNs, endNs, q.signal);
      if (ranges === "none") return;
      if (ranges) c = { ...c, where: `${c.where} AND ${ranges}` };
    }
    const filters = lineFiltersSql(q.lineFilters);
    const where = `${c.where}${filters === "1" ? "" : ` AND ${filters}`}`;
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity;
    const pages =
      q.order === "stream"
        ? this.byStream(c, where, limit, q.signal)
        : limit <= this.s.pageRows
          ? this.topN(c, where, startNs, endNs, q.order === "forward", limit, q.signal)
          : this.byWindows(c, where, startNs, endNs, q.order === "forward", limit, q);
    let left = limit;
    for await (const rows of pages) {
      if (rows.length === 0) continue;
      this.s.checkOpen();
      const out = rows.length > left ? rows.slice(0, left) : rows;
      left -= out.length;
      yield out;
      if (left <= 0) return;
    }
  }

  private async fetch(sql: string, signal?: AbortSignal) {
    this.s.checkOpen();
    signal?.throwIfAborted();
    return decodeEntries(await this.drv.queryNative(sql, signal));
  }

  private rowsSql(where: string, tail: string): string {
    return (
      `SELECT fingerprint, ts, line, CAST(metadata, 'Map(String, String)') AS metadata` +
      ` FROM ${this.t.entries} WHERE ${where} ${tail}`
    );
  }

  /**
   * topN reads the first `limit` rows in time order with one query per round: `WITH TIES`
   * returns whole timestamps, so the next round (needed only when unmerged duplicates used up
   * part of the limit) continues strictly after the last one.
   */
  private async *topN(
    c: Candidates,
    where: string,
    startNs: bigint,
    endNs: bigint,
    forward: boolean,
    limit: number,
    signal?: AbortSignal,
  ): AsyncGenerator<LogRow[]> {
    let lo = startNs;
    let hi = endNs;
    let left = limit;
    while (left > 0 && lo < hi) {
      const asked = left;
      const d = await this.fetch(
        this.rowsSql(
          `${where} AND ${this.timeWhere(lo, hi)}`,
          `ORDER BY ts ${forward ? "ASC" : "DESC"} LIMIT ${left} WITH TIES`,
        ),
        signal,
      );
      const rows = byTime(d, c.labels, forward);
      yield rows;
      left -= rows.length;
      if (d.rows < asked) return;
      const last = d.ts[d.rows - 1]!;
      if (forward) lo = last + 1n;
      else hi = last;
    }
  }

  /**
   * byWindows reads a large range in time windows of whole histogram buckets, each holding
   * about one page of rows. A bucket too large for one page is split by its own histogram.
   */
  private async *byWindows(
    c: Candidates,
    where: string,
    startNs: bigint,
    endNs: bigint,
    forward: boolean,
    limit: number,
    q: LogSelect,
  ): AsyncGenerator<LogRow[]> {
    const filtered = (q.lineFilters?.length ?? 0) > 0;
    // scale widens windows by the inverse of the share of rows the line filters kept so far.
    const seen = { scanned: 0, kept: 0 };
    const scale = () =>
      !filtered || seen.scanned === 0
        ? 1
        : Math.min(MAX_SCAN_FACTOR, Math.max(1, seen.scanned / Math.max(1, seen.kept)));
    let left = limit;
    if (filtered) {
      // A filtered read is often selective enough for one page: try that first (one query,
      // which the line index serves), and plan windows only for what lies beyond it.
      const first = await this.fetch(
        this.rowsSql(
          `${where} AND ${this.timeWhere(startNs, endNs)}`,
          `ORDER BY ts ${forward ? "ASC" : "DESC"} LIMIT ${this.s.pageRows} WITH TIES`,
        ),
        q.signal,
      );
      const rows = byTime(first, c.labels, forward);
      left -= rows.length;
      yield rows;
      if (first.rows < this.s.pageRows || left <= 0) return;
      const last = first.ts[first.rows - 1]!;
      if (forward) startNs = last + 1n;
      else endNs = last;
      if (startNs >= endNs) return;
    }
    for await (const w of this.windows(c.where, startNs, endNs, forward, scale, q.signal)) {
      const d = await this.fetch(
        this.rowsSql(
          `${where} AND ${this.timeWhere(w.lo, w.hi)}`,
          `ORDER BY ts ${forward ? "ASC" : "DESC"}` +
            (left < Infinity ? ` LIMIT ${left} WITH TIES` : ""),
        ),
        q.signal,
      );
      seen.scanned += w.rows;
      seen.kept += d.rows;
      const rows = byTime(d, c.labels, forward);
      left -= rows.length;
      yield rows;
      if (left <= 0) return;
    }
  }

  /** windows yields time windows in read order, each about one page (times `scale()`). */
  private async *windows(
    streamsWhere: string,
    lo: bigint,
    hi: bigint,
    forward: boolean,
    scale: () => number,
    signal?: AbortSignal,
  ): AsyncGenerator<{ lo: bigint; hi: bigint; rows: number }> {
    const width = (hi - lo + BigInt(HISTOGRAM_BUCKETS) - 1n) / BigInt(HISTOGRAM_BUCKETS);
    this.s.checkOpen();
    const buckets = await this.drv.queryJson<{ b: number; n: string; bytes: string }>(
      `SELECT toUInt32(intDiv(toUnixTimestamp64Nano(ts) - toInt64(${lo}), toInt64(${width}))) AS b,` +
        ` toString(count()) AS n, toString(sum(length(line))) AS bytes FROM ${this.t.entries}` +
        ` WHERE ${streamsWhere} AND ${this.timeWhere(lo, hi)} GROUP BY b ORDER BY b`,
      signal,
    );
    if (!forward) buckets.reverse();
    const bounds = (b: number) => {
      const a = lo + BigInt(b) * width;
      const z = a + width;
      return { a, z: z > hi ? hi : z };
    };
    let cur: { lo: bigint; hi: bigint; rows: number; bytes: number } | undefined;
    for (const bk of buckets) {
      const rows = Number(bk.n);
      const bytes = Number(bk.bytes);
      const { a, z } = bounds(Number(bk.b));
      const k = scale();
      const fits = (r: number, by: number) =>
        r <= this.s.pageRows * k && by <= this.s.pageBytes * k;
      if (cur && !fits(cur.rows + rows, cur.bytes + bytes)) {
        yield cur;
        cur = undefined;
      }
      if (!fits(rows, bytes) && width > 1n) {
        if (cur) yield cur;
        cur = undefined;
        yield* this.windows(streamsWhere, a, z, forward, scale, signal);
        continue;
      }
      if (!cur) cur = { lo: a, hi: z, rows, bytes };
      else {
        if (forward) cur.hi = z;
        else cur.lo = a;
        cur.rows += rows;
        cur.bytes += bytes;
      }
    }
    if (cur) yield cur;
  }

  /**
   * byStream reads in the table's order, (fingerprint, ts), from a cursor: each page is a
   * top-N query that ClickHouse answers by reading in key order from the cursor, and `WITH
   * TIES` keeps a (stream, ts) group within one page.
   */
  private async *byStream(
    c: Candidates,
    where: string,
    limit: number,
    signal?: AbortSignal,
  ): AsyncGenerator<LogRow[]> {
    let cursor = "";
    let left = limit;
    while (left > 0) {
      const n = Math.min(left, this.s.pageRows);
      const d = await this.fetch(
        this.rowsSql(`${where}${cursor}`, `ORDER BY fingerprint, ts LIMIT ${n} WITH TIES`),
        signal,
      );
      const rows: LogRow[] = [];
      let i = 0;
      while (i < d.rows) {
        const fp = d.fingerprints[i]!;
        const ts = d.ts[i]!;
        let j = i + 1;
        while (j < d.rows && d.fingerprints[j] === fp && d.ts[j] === ts) j++;
        const stream = c.labels.get(fp);
        if (stream) pushGroup(rows, d, i, j, stream);
        i = j;
      }
      yield rows;
      left -= rows.length;
      if (d.rows < n) return;
      const fp = d.fingerprints[d.rows - 1]!;
      const ts = d.ts[d.rows - 1]!;
      cursor =
        ` AND (fingerprint > ${fp} OR (fingerprint = ${fp} AND ts > ${nsLiteral(ts)}))` +
        ` AND fingerprint >= ${fp}`;
    }
  }

  async streams(matchers: readonly Matcher[], startNs: bigint, endNs: bigint): Promise<Labels[]> {
    this.s.checkOpen();
    await this.s.settle();
    startNs = clampNs(startNs);
    endNs = clampNs(endNs);
    if (endNs <= startNs) return [];
    // A stream has a row for each day with entries, so a row on a day wholly inside the range
    // proves entries in it; on the range's first and last day, the entries table decides.
    const firstFull = (startNs + DAY_NS - 1n) / DAY_NS;
    const lastFull = endNs / DAY_NS - 1n;
    const edge =
      firstFull <= lastFull
        ? ` AND (ts < ${nsLiteral(firstFull * DAY_NS)} OR ts >= ${nsLiteral((lastFull + 1n) * DAY_NS)})`
        : "";
    const inEdge =
      `fingerprint IN (SELECT fingerprint FROM ${this.t.shardEntries}` +
      ` WHERE ${this.timeWhere(startNs, endNs)}${edge})`;
    const cond =
      firstFull <= lastFull
        ? `((date >= ${dateLiteral(Number(firstFull))} AND date <= ${dateLiteral(Number(lastFull))}) OR ${inEdge})`
        : inEdge;
    const rows = await this.drv.queryJson<{ lbls: Record<string, string> }>(
      `SELECT any(labels) AS lbls FROM ${this.t.streams}` +
        ` WHERE ${this.daysWhere(matchers, startNs, endNs)} AND ${cond} GROUP BY fingerprint`,
    );
    return rows
      .map((r) => labelsFromPairs(Object.entries(r.lbls).map(([name, value]) => ({ name, value }))))
      .sort(compareLabels);
  }

  async labelNames(
    startNs: bigint,
    endNs: bigint,
    matchers?: readonly Matcher[],
  ): Promise<string[]> {
    const names = new Set<string>();
    for (const ls of await this.streams(matchers ?? [], startNs, endNs)) {
      for (const l of ls) names.add(l.name);
    }
    return [...names].sort(compareStrings);
  }

  async labelValues(
    name: string,
    startNs: bigint,
    endNs: bigint,
    matchers?: readonly Matcher[],
  ): Promise<string[]> {
    const values = new Set<string>();
    for (const ls of await this.streams(matchers ?? [], startNs, endNs)) {
      for (const l of ls) if (l.name === name) values.add(l.value);
    }
    return [...values].sort(compareStrings);
  }

  async stats(matchers: readonly Matcher[], startNs: bigint, endNs: bigint): Promise<LogStats> {
    this.s.checkOpen();
    await this.s.settle();
    const empty = { streams: 0, chunks: 0, entries: 0, bytes: 0 };
    if (clampNs(endNs) <= clampNs(startNs)) return empty;
    const c = await this.candidates(matchers, startNs, endNs);
    if (c.labels.size === 0) return empty;
    const [r] = await this.drv.queryJson<Record<keyof LogStats, string>>(
      `SELECT toString(uniqExact(fingerprint)) AS streams,` +
        ` toString(uniqExact(fingerprint, toDate(ts))) AS chunks, toString(count()) AS entries,` +
        ` toString(sum(length(line))) AS bytes FROM ${this.t.entries} WHERE ${c.where}`,
    );
    return {
      streams: Number(r?.streams ?? 0),
      chunks: Number(r?.chunks ?? 0),
      entries: Number(r?.entries ?? 0),
      bytes: Number(r?.bytes ?? 0),
    };
  }

  async volume(
    matchers: readonly Matcher[],
    startNs: bigint,
    endNs: bigint,
    targetLabels: readonly string[],
    limit: number,
  ): Promise<LogVolume[]> {
    this.s.checkOpen();
    await this.s.settle();
    if (clampNs(endNs) <= clampNs(startNs)) return [];
    const c = await this.candidates(matchers, startNs, endNs);
    if (c.labels.size === 0) return [];
    const rows = await this.drv.queryJson<{ fp: string; bytes: string }>(
      `SELECT toString(fingerprint) AS fp, toString(sum(length(line))) AS bytes` +
        ` FROM ${this.t.entries} WHERE ${c.where} GROUP BY fingerprint`,
    );
    const perStream: { labels: Labels; bytes: number }[] = [];
    for (const r of rows) {
      const labels = c.labels.get(BigInt(r.fp));
      if (labels) perStream.push({ labels, bytes: Number(r.bytes) });
    }
    return groupVolume(perStream, matchers, targetLabels, limit);
  }
}

/**
 * byTime turns rows ordered by ts (ascending or descending) into LogRows in `forward` or
 * `backward` order: rows of one timestamp are sorted by stream labels, then line (reversed for
 * backward), and adjacent duplicates dropped.
 */
function byTime(
  d: ReturnType<typeof decodeEntries>,
  labels: ReadonlyMap<bigint, Labels>,
  forward: boolean,
): LogRow[] {
  const out: LogRow[] = [];
  let i = 0;
  while (i < d.rows) {
    const ts = d.ts[i]!;
    let j = i + 1;
    while (j < d.rows && d.ts[j] === ts) j++;
    if (j === i + 1) {
      const stream = labels.get(d.fingerprints[i]!);
      if (stream) out.push({ tsNs: ts, line: d.lines[i]!, metadata: d.metadata[i]!, stream });
    } else {
      const group: LogRow[] = [];
      for (let k = i; k < j; k++) {
        const stream = labels.get(d.fingerprints[k]!);
        if (stream) group.push({ tsNs: ts, line: d.lines[k]!, metadata: d.metadata[k]!, stream });
      }
      group.sort(forward ? compareForward : (a, b) => compareForward(b, a));
      for (const r of group) {
        const prev = out[out.length - 1];
        if (prev && prev.tsNs === r.tsNs && prev.stream === r.stream && prev.line === r.line) {
          continue;
        }
        out.push(r);
      }
    }
    i = j;
  }
  return out;
}

/** pushGroup appends the rows [i, j) of one (stream, ts), sorted by line, without duplicates. */
function pushGroup(
  out: LogRow[],
  d: ReturnType<typeof decodeEntries>,
  i: number,
  j: number,
  stream: Labels,
): void {
  if (j === i + 1) {
    out.push({ tsNs: d.ts[i]!, line: d.lines[i]!, metadata: d.metadata[i]!, stream });
    return;
  }
  const idx: number[] = [];
  for (let k = i; k < j; k++) idx.push(k);
  idx.sort((a, b) => compareStrings(d.lines[a]!, d.lines[b]!));
  let prev: string | undefined;
  for (const k of idx) {
    if (d.lines[k] === prev) continue;
    prev = d.lines[k];
    out.push({ tsNs: d.ts[k]!, line: d.lines[k]!, metadata: d.metadata[k]!, stream });
  }
}
