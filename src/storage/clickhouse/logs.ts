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
  LogLines,
  LogQuerier,
  LogRow,
  LogSelect,
  LogStats,
  LogStore,
  LogVolume,
} from "../logs.ts";
import { entriesToLines, tsBefore as before, tsWords as words } from "../logs.ts";
import {
  DAY_NS,
  compareForward,
  compareStrings,
  groupVolume,
  validateLogAppend,
  validateLogLines,
} from "../memory/logs-common.ts";
import type { StorageMetrics } from "../metrics.ts";
import { newStorageMetrics } from "../metrics.ts";
import type { ClickHouseDriver } from "./driver.ts";
import type { StreamRow } from "./logs-native.ts";
import {
  BLOOM_COLUMNS,
  ENTRY_COLUMNS,
  STREAM_COLUMNS,
  decodeEntries,
  encodeBlooms,
  encodeStreams,
} from "./logs-native.ts";
import type { HeadStream } from "./logs-head.ts";
import { BufferPool } from "../../util/buffer-pool.ts";
import { DayHead, decodeWalLines, encodeWalLabels, entriesBlock } from "./logs-head.ts";
import type { Filters } from "./wasm/filters.ts";
import { workerFilters } from "./wasm/filters.ts";
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
  /**
   * batchMaxDelayMs: without the write-ahead log, commits are written to ClickHouse at most
   * this long after the first of them.
   */
  readonly batchMaxDelayMs: number;
  /** batchMaxBytes: without the write-ahead log, the head is written at this many line bytes. */
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
  /**
   * flushBytes: the head is written once its lines hold this many bytes (128 MiB: fewer, larger
   * parts are merged fewer times; bench/logs.ts ingested 2 GB at 41 MB/s and 33 ms of CPU per MB
   * with it, 31 MB/s and 49 ms with 64 MiB).
   */
  readonly flushBytes?: number;
  /** flushAgeMs: the head is written at most this long after its first commit (2 s). */
  readonly flushAgeMs?: number;
}

/** StreamInfo is what the store remembers about a stream it has written in this process. */
interface StreamInfo extends HeadStream {
  /** days (UTC day numbers) whose streams-table row is known to be committed. */
  readonly days: Set<number>;
  /** heads: the stream's entries in the head, per day. */
  readonly heads: Map<number, DayHead>;
  /** walLabels: the labels as LINES records hold them, encoded once. */
  walLabels: Uint8Array | undefined;
}

/** Record types of the log write-ahead log. */
const WAL_STREAMS = 1;
const WAL_BLOOMS = 2;
const WAL_ENTRIES = 3;
/** WAL_LINES: a commit's rows of one (stream, day) head (logs-head.ts DayHead.walRecord). */
const WAL_LINES = 4;

/** FLUSH_RETRY_MS: delays between attempts to write a head that ClickHouse refused. */
const FLUSH_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** HEAD_LIMIT_FACTOR: commits wait while the head holds this many times flushBytes. */
const HEAD_LIMIT_FACTOR = 2;

/** Appended is one append call's entries, as strings or as byte ranges of a buffer. */
interface Appended {
  readonly info: StreamInfo;
  readonly lines: LogLines;
}

/** LITERAL_KEY_LIMIT: selects of at most this many streams send their keys as SQL literals. */
const LITERAL_KEY_LIMIT = 2000;

/**
 * MAX_DAYS_PER_INSERT stays below ClickHouse's max_partitions_per_insert_block (100): a head
 * whose entries span more days is written in several inserts.
 */
const MAX_DAYS_PER_INSERT = 90;

/** HISTOGRAM_BUCKETS: how finely a large select's time range is cut to plan its pages. */
const HISTOGRAM_BUCKETS = 1024;

/** MAX_SCAN_FACTOR bounds how far a page widens when line filters drop most rows. */
const MAX_SCAN_FACTOR = 64;

/** MIN_BATCH_INTERVAL_MS: without the log, the least time between the starts of two inserts. */
const MIN_BATCH_INTERVAL_MS = 50;

/**
 * ClickHouseLogStore implements LogStore on the log tables of schema.ts (migration 4).
 *
 * A commit copies its entries into the head (logs-head.ts): per (stream, day) the columns of
 * the entries INSERT, with the line blooms built as the lines are copied. With the write-ahead
 * log (walDir) the commit's rows are logged as they lie in the head and the commit is
 * acknowledged once fsynced; the head goes to ClickHouse once it holds flushBytes of lines or
 * is flushAgeMs old, and before every query (`settle`). Without it, a commit is acknowledged
 * once the INSERT that holds it returned; commits that arrive meanwhile share the next one
 * (group commit). Each flush is one INSERT per table (per 90 days): the rows of streams new
 * that day, the line blooms, the entries (DESIGN.md "Acknowledged means durable"). A crash
 * replays the log; what it inserts twice is merged away (below).
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
  readonly pageRows: number;
  readonly pageBytes: number;
  private closed = false;
  private wal: WalSegments | undefined;
  /**
   * pool: the column buffers of written heads and flushes, for new ones, mostly cut from slabs
   * of a quarter of flushBytes: up to three times flushBytes (a head's columns are sized a
   * quarter larger than its stream's last, and the next head fills while one is written).
   */
  private readonly pool: BufferPool;
  /** flushBytes: the head is written once its lines hold this many bytes. */
  private readonly flushBytes: number;
  /** filters builds the heads' line blooms, in a worker thread. */
  private readonly filters: Filters;
  /** head: the streams with entries in the head. */
  private head = new Set<StreamInfo>();
  /** retry: heads of a flush that ClickHouse refused, written with the next one. */
  private retry: DayHead[] = [];
  private headBytes = 0;
  /** headSeq counts commits; every commit up to flushedSeq is in ClickHouse (or failed). */
  private headSeq = 0;
  private flushedSeq = 0;
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushStart = -Infinity;
  private flushFailures = 0;
  private flushError: Error | undefined;
  /** segmentDirty: the current log segment has records. */
  private segmentDirty = false;
  /** retired: log segments no longer written, removed once a flush succeeds. */
  private retired: string[] = [];
  /** waiters: commits (without the log) waiting for the flush that holds them. */
  private waiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  /** waiting: commits waiting for room in the head. */
  private waiting: (() => void)[] = [];
  /** bloomCache holds recent line blooms when this process is the tables' only writer. */
  readonly bloomCache: BloomCache | undefined;

  constructor(
    private readonly driver: ClickHouseDriver,
    private readonly opts: ClickHouseLogStoreOptions,
  ) {
    this.t = logTables(opts);
    this.metrics = opts.metrics ?? newStorageMetrics();
    this.pageRows = Math.max(1, opts.pageRows ?? 50_000);
    this.pageBytes = Math.max(1, opts.pageBytes ?? 16 << 20);
    this.flushBytes = opts.walDir
      ? Math.max(1, opts.flushBytes ?? 128 << 20)
      : Math.max(1, opts.batchMaxBytes ?? 16 << 20);
    if ((opts.bloomCacheBytes ?? 0) > 0) this.bloomCache = new BloomCache(opts.bloomCacheBytes!);
    this.pool = new BufferPool(
      3 * this.flushBytes,
      Math.min(32 << 20, Math.max(1 << 20, this.flushBytes / 4)),
      true,
    );
    this.filters = workerFilters();
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
          if (this.headBytes >= this.flushBytes) await this.flushHead();
        }
        await this.flushHead();
        for (const name of wal.existing) wal.remove(name);
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

  /**
   * replay adds one segment's LINES records to the head (a torn last record was never
   * acknowledged). Records of the format before the head (one Native block each) are inserted
   * as they are.
   */
  private async replay(path: string): Promise<void> {
    const { frames } = readFrames(path);
    const tables: Record<number, [string, readonly string[]]> = {
      [WAL_STREAMS]: [this.t.streams, STREAM_COLUMNS],
      [WAL_BLOOMS]: [this.t.blooms, BLOOM_COLUMNS],
      [WAL_ENTRIES]: [this.t.entries, ENTRY_COLUMNS],
    };
    for (const f of frames) {
      if (f.type === WAL_LINES) {
        const rec = decodeWalLines(f.payload);
        const head = this.dayHead(this.info(rec.labels), rec.day);
        const text = head.text;
        head.appendRecord(rec);
        this.headBytes += head.text - text;
        continue;
      }
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
    const pending: Appended[] = [];
    let done = false;
    const use = () => {
      this.checkOpen();
      if (done) throw new Error("log appender already committed or rolled back");
    };
    return {
      append: (labels, entries) => {
        use();
        validateLogAppend(labels, entries);
        if (entries.length > 0) {
          pending.push({ info: this.info(labels), lines: entriesToLines(entries) });
        }
      },
      appendLines: (labels, lines) => {
        use();
        validateLogLines(labels, lines);
        if (lines.count > 0) pending.push({ info: this.info(labels), lines });
      },
      commit: () => {
        try {
          use();
        } catch (err) {
          return Promise.reject(err as Error);
        }
        done = true;
        if (pending.length === 0) return Promise.resolve();
        return this.commitAppended(pending);
      },
      rollback: () => {
        done = true;
        pending.length = 0;
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
        bloomText: 0,
        days: new Set(),
        heads: new Map(),
        walLabels: undefined,
      };
      this.infos.set(key, info);
    }
    return info;
  }

  private dayHead(info: StreamInfo, day: number): DayHead {
    let h = info.heads.get(day);
    if (!h) {
      h = new DayHead(info, day, this.pool, this.filters);
      info.heads.set(day, h);
      this.head.add(info);
    }
    return h;
  }

  /**
   * commitAppended copies a commit's entries into the head and logs them; it resolves once
   * they are durable: fsynced in the log, or (without it) in ClickHouse.
   */
  private commitAppended(pending: readonly Appended[]): Promise<void> {
    if (this.headBytes >= this.flushBytes * HEAD_LIMIT_FACTOR) {
      // The head waits for ClickHouse: so does the commit, or it fails at once while
      // ClickHouse refuses the head.
      if (this.flushError) {
        return Promise.reject(
          new StorageError(
            `log write failed: ${this.headBytes} bytes of logged entries wait for` +
              ` ${this.driver.description}: ${this.flushError.message}`,
          ),
        );
      }
      return new Promise<void>((resolve, reject) => {
        this.waiting.push(() => this.commitAppended(pending).then(resolve, reject));
      });
    }
    const frames: Uint8Array[] = [];
    let bytes = 0;
    for (const a of pending) {
      for (const [day, sel] of byDay(a.lines)) {
        const head = this.dayHead(a.info, day);
        const m = head.mark();
        const text = head.text;
        head.appendLines(a.lines, sel);
        bytes += head.text - text;
        if (this.wal) {
          const rec = head.walRecord(m, (a.info.walLabels ??= encodeWalLabels(a.info.labels)));
          frames.push(frameHeader(WAL_LINES, rec), ...rec);
        }
      }
    }
    this.headBytes += bytes;
    this.metrics.logHeadBytes.set(this.headBytes);
    const seq = ++this.headSeq;
    const wal = this.wal;
    this.afterAppend();
    if (!wal) {
      return new Promise<void>((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
    }
    this.segmentDirty = true;
    return wal.appendAsync(frames).then(
      () => this.metrics.batches.inc(),
      (err: unknown) => {
        this.metrics.errors.inc();
        throw err instanceof StorageError
          ? err
          : new StorageError(`log write failed: ${(err as Error).message}`, { cause: err });
      },
    );
  }

  /**
   * afterAppend starts a flush when the head is full, else makes sure one comes in time: within
   * flushAgeMs with the log; without it as soon as the running flush ends, but at most one per
   * MIN_BATCH_INTERVAL_MS and within batchMaxDelayMs.
   */
  private afterAppend(): void {
    if (this.headBytes >= this.flushBytes || (this.closed && this.head.size > 0)) {
      void this.flushHead().catch(() => {});
      return;
    }
    if (this.flushTimer || this.flushing || this.head.size === 0) return;
    const delay = this.wal
      ? (this.opts.flushAgeMs ?? 2_000)
      : Math.min(
          this.opts.batchMaxDelayMs,
          Math.max(0, MIN_BATCH_INTERVAL_MS - (performance.now() - this.lastFlushStart)),
        );
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flushHead().catch(() => {});
    }, delay);
    if (this.wal) this.flushTimer.unref();
  }

  /** takeHeads empties the head: the heads of the last refused flush, then the current ones. */
  private takeHeads(): DayHead[] {
    const heads = this.retry;
    this.retry = [];
    for (const info of this.head) {
      for (const h of info.heads.values()) heads.push(h);
      info.heads.clear();
    }
    this.head = new Set();
    return heads;
  }

  /**
   * flushHead writes the head to ClickHouse: per table one INSERT, per at most
   * MAX_DAYS_PER_INSERT days. It resolves when that flush ends (one running already, or this
   * one) and rejects when ClickHouse refused it: with the log the heads are then kept and
   * retried, without it their commits fail.
   */
  private flushHead(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const upTo = this.headSeq;
    const heads = this.takeHeads();
    if (heads.length === 0) {
      this.settled(upTo);
      return Promise.resolve();
    }
    let bytes = 0;
    for (const h of heads) bytes += h.text;
    // A small flush (written for its age): the pool is not worth its memory at this rate.
    if (bytes < this.flushBytes / 4) this.pool.clear();
    // The segment written so far stops growing, to be removed once its rows are in.
    if (this.wal && this.segmentDirty) {
      this.retired.push(this.wal.rotate());
      this.segmentDirty = false;
    }
    const retired = this.retired.slice();
    // Log records of these heads may still be being written: their buffers go back to the
    // pool only once those writes are done, as well as the INSERT.
    const logged = this.wal?.written() ?? Promise.resolve();
    this.lastFlushStart = performance.now();
    const start = this.lastFlushStart;
    const run = async (): Promise<void> => {
      for (const h of heads) h.closeBlock();
      for (const h of heads) await h.bloomsBuilt();
      for (const h of heads) h.sortRows();
      for (const group of dayGroups(heads)) {
        const rows: StreamRow[] = [];
        const seen = new Set<string>();
        for (const h of group) {
          const info = h.stream as StreamInfo;
          const key = `${info.fpLo},${info.fpHi},${h.day}`;
          if (info.days.has(h.day) || seen.has(key)) continue;
          seen.add(key);
          rows.push({ day: h.day, fpLo: info.fpLo, fpHi: info.fpHi, labels: info.labels });
        }
        const blooms = group.flatMap((h) => h.blooms);
        const entries = entriesBlock(group, this.pool);
        try {
          await this.insertPiece({
            streams: rows.length > 0 ? encodeStreams(rows) : undefined,
            streamRows: rows.length,
            blooms: encodeBlooms(blooms),
            bloomRows: blooms,
            entries: entries.parts,
            rows: entries.rows,
          });
        } finally {
          entries.release();
        }
        for (const h of group) (h.stream as StreamInfo).days.add(h.day);
      }
    };
    const f = run().then(
      () => {
        this.headBytes -= bytes;
        this.metrics.logHeadBytes.set(this.headBytes);
        this.flushFailures = 0;
        this.flushError = undefined;
        this.metrics.insertDuration.observe((performance.now() - start) / 1000);
        for (const name of retired) this.wal?.remove(name);
        this.retired = this.retired.filter((n) => !retired.includes(n));
        this.settled(upTo);
        void logged.then(() => {
          for (const h of heads) h.release();
        });
      },
      (err: unknown) => {
        this.metrics.errors.inc();
        const e =
          err instanceof StorageError
            ? err
            : new StorageError(`log write failed: ${(err as Error).message}`, { cause: err });
        if (!this.wal) {
          // Nothing logged them: the commits fail, and their entries are dropped.
          this.headBytes -= bytes;
          this.metrics.logHeadBytes.set(this.headBytes);
          this.settled(upTo, e);
          throw e;
        }
        // The heads are written with the next flush, after a pause.
        this.retry = heads.concat(this.retry);
        this.flushError = e;
        const delay = FLUSH_RETRY_MS[Math.min(this.flushFailures++, FLUSH_RETRY_MS.length - 1)]!;
        if (!this.flushTimer && !this.closed) {
          this.flushTimer = setTimeout(() => {
            this.flushTimer = undefined;
            void this.flushHead().catch(() => {});
          }, delay);
          this.flushTimer.unref();
        }
        throw e;
      },
    );
    this.flushing = f.finally(() => {
      this.flushing = undefined;
      // Commits that waited for room in the head go on; a full head is written at once.
      if (this.flushError === undefined) this.afterAppend();
      for (const go of this.waiting.splice(0)) go();
    });
    return this.flushing;
  }

  /** settled marks the commits up to seq as written (or failed, with err). */
  private settled(seq: number, err?: Error): void {
    if (seq > this.flushedSeq) this.flushedSeq = seq;
    if (this.waiters.length === 0) return;
    const left: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.seq > seq) left.push(w);
      else if (err) w.reject(err);
      else {
        this.metrics.batches.inc();
        w.resolve();
      }
    }
    this.waiters = left;
  }

  /**
   * insertPiece writes one flush's rows of up to MAX_DAYS_PER_INSERT days: stream rows, then
   * blooms (an entry must never be stored without its filter row, and the cache must hold every
   * filter row this process inserts), then entries.
   */
  private async insertPiece(p: {
    streams: Uint8Array | undefined;
    streamRows: number;
    blooms: Uint8Array;
    bloomRows: readonly BloomBlock[];
    entries: readonly Uint8Array[];
    rows: number;
  }): Promise<void> {
    if (p.streams && p.streamRows > 0) {
      await this.driver.insertNative(this.t.streams, STREAM_COLUMNS, p.streams);
      this.metrics.rows.inc({ table: "log_streams" }, p.streamRows);
      this.metrics.bytes.inc({ table: "log_streams" }, p.streams.length);
    }
    this.bloomCache?.add(p.bloomRows);
    await this.driver.insertNative(this.t.blooms, BLOOM_COLUMNS, p.blooms);
    this.metrics.rows.inc({ table: "log_blooms" }, p.bloomRows.length);
    this.metrics.bytes.inc({ table: "log_blooms" }, p.blooms.length);
    await this.driver.insertNative(this.t.entries, ENTRY_COLUMNS, p.entries);
    this.metrics.rows.inc({ table: "log_entries" }, p.rows);
    this.metrics.bytes.inc(
      { table: "log_entries" },
      sum(p.entries, (b) => b.length),
    );
  }

  /**
   * settle resolves once every commit acknowledged before the call is in ClickHouse, so that a
   * query sees it; it rejects when ClickHouse refuses the head.
   */
  async settle(): Promise<void> {
    const target = this.headSeq;
    while (this.flushedSeq < target) await this.flushHead();
  }

  /** flush writes every commit made so far, including those waiting for room, to ClickHouse. */
  async flush(): Promise<void> {
    do await this.settle();
    while (this.waiting.length > 0 || this.flushedSeq < this.headSeq);
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
      const empty = this.head.size === 0 && this.retry.length === 0;
      await this.wal?.close(empty && this.retired.length === 0);
    }
  }

  logQuerier(): LogQuerier {
    return new ClickHouseLogQuerier(this, this.driver, this.t);
  }
}

/**
 * byDay splits one append's entries by UTC day: [day, rows of that day in order], rows
 * undefined when all fall on one day (the usual case, checked without a bigint per entry).
 */
function byDay(lines: LogLines): [number, Int32Array | undefined][] {
  const n = lines.count;
  const ts = lines.ts;
  const ts32 = new Int32Array(ts.buffer, ts.byteOffset, 2 * n);
  const day = Number(ts[0]! / DAY_NS);
  const [fromHi, fromLo] = words(BigInt(day) * DAY_NS);
  const [toHi, toLo] = words(BigInt(day + 1) * DAY_NS);
  let one = true;
  for (let i = 0; i < n; i++) {
    const hi = ts32[2 * i + 1]!;
    const lo = ts32[2 * i]!;
    if (before(hi, lo, fromHi, fromLo) || !before(hi, lo, toHi, toLo)) {
      one = false;
      break;
    }
  }
  if (one) return [[day, undefined]];
  const days = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const d = Number(ts[i]! / DAY_NS);
    let list = days.get(d);
    if (!list) days.set(d, (list = []));
    list.push(i);
  }
  return [...days].map(([d, idx]) => [d, Int32Array.from(idx)]);
}

/**
 * dayGroups orders heads by day, cut into runs of at most MAX_DAYS_PER_INSERT days, each run
 * in the table's sorting-key order (stream, then day).
 */
function dayGroups(heads: readonly DayHead[]): DayHead[][] {
  const sorted = [...heads].sort((a, b) => a.day - b.day);
  const groups: DayHead[][] = [];
  let group: DayHead[] = [];
  let days = 0;
  let last = NaN;
  for (const h of sorted) {
    if (h.day !== last) {
      if (days === MAX_DAYS_PER_INSERT) {
        groups.push(group);
        group = [];
        days = 0;
      }
      days++;
      last = h.day;
    }
    group.push(h);
  }
  if (group.length > 0) groups.push(group);
  for (const g of groups) {
    g.sort(
      (a, b) => a.stream.fpHi - b.stream.fpHi || a.stream.fpLo - b.stream.fpLo || a.day - b.day,
    );
  }
  return groups;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let n = 0;
  for (const x of xs) n += f(x);
  return n;
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
