import type { Labels, Matcher } from "../../model/labels/index.ts";
import {
  METRIC_NAME,
  compareLabels,
  fingerprint,
  labelsFromPairs,
  labelsKey,
  metricName,
} from "../../model/labels/index.ts";
import type {
  Appender,
  Querier,
  SelectHints,
  Series,
  SeriesRef,
  Storage,
  StorageStats,
} from "../interface.ts";
import { StorageClosedError, StorageError } from "../errors.ts";
import type { StorageMetrics } from "../metrics.ts";
import { newStorageMetrics } from "../metrics.ts";
import { validateAppend } from "../validate.ts";
import type { ClickHouseDriver } from "./driver.ts";
import { ClickHouseLogStore } from "./logs.ts";
import type { NativeTable } from "./native.ts";
import {
  decodeNative,
  encodeBlock,
  encodeString,
  layoutBlock,
  setInt64,
  varintLength,
} from "./native.ts";
import {
  POW10,
  RAW_EXPONENT,
  TARGET_SQL,
  decimalExponent,
  decodeValues,
  targetOf,
} from "./sample-encoding.ts";
import type { SchemaOptions, Tables } from "./schema.ts";
import { MIGRATIONS, bootstrapStatements, retentionStatements, tables } from "./schema.ts";
import { dayLiteral, matchersSql, metricNameSql, msLiteral, quote } from "./sql.ts";
import { grown } from "../../util/grow.ts";
import { Head, HeadQuerier, byBytes } from "./head.ts";
import { SampleWal } from "./wal.ts";

const DAY_MS = 86_400_000;

/**
 * LOG_BLOOM_CACHE_BYTES: the line blooms kept in memory with the embedded engine (the filters
 * of about 3 GB of recent log lines).
 */
const LOG_BLOOM_CACHE_BYTES = 128 << 20;

/** ClickHouseStorageOptions configure batching and schema for a ClickHouse-backed Storage. */
export interface ClickHouseStorageOptions extends SchemaOptions {
  readonly engine: "embedded" | "clickhouse";
  /** batchMaxRows: a batch is written as soon as it holds this many samples. */
  readonly batchMaxRows: number;
  /** batchMaxDelayMs: a non-full batch is written at most this long after its first commit. */
  readonly batchMaxDelayMs: number;
  readonly metrics?: StorageMetrics;
  /**
   * headDurationMs: how much recent data the in-memory head keeps (head.ts); 0 or absent:
   * no head, every query reads ClickHouse.
   */
  readonly headDurationMs?: number;
  /** headMaxSamples bounds the head's memory (about 16 bytes a sample); 0 or absent: no bound. */
  readonly headMaxSamples?: number;
  /**
   * walDir and flushIntervalMs switch on the write-ahead log (wal.ts) when there is a head:
   * commits are acknowledged once in the log and shown from the head at once, and written to
   * ClickHouse every flushIntervalMs (or batchMaxRows samples), one INSERT per log segment.
   * Without them (or without a head), every batch is an INSERT that commits wait for.
   */
  readonly walDir?: string;
  readonly flushIntervalMs?: number;
  /**
   * logWalDir switches on the log entries' write-ahead log (ClickHouseLogStore walDir): log
   * commits are acknowledged once logged and written to ClickHouse in large INSERTs.
   */
  readonly logWalDir?: string;
}

/**
 * MAX_QUEUED_BATCHES: with the write-ahead log, commits wait while this many full batches wait
 * for ClickHouse (and fail, retriably, while ClickHouse refuses them), so that a slow or
 * unreachable server slows writers down instead of exhausting memory.
 */
const MAX_QUEUED_BATCHES = 4;

/** FLUSH_RETRY_MS: delays between attempts to write a log segment that ClickHouse refused. */
const FLUSH_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * SeriesTable is what the storage remembers about the series it has written in this process,
 * by ref − 1, as columns: one typed array per field rather than an object per series, so that
 * 100k series cost the garbage collector a few arrays instead of several hundred thousand
 * objects (and boxed numbers: fingerprint halves do not fit a small integer).
 */
class SeriesTable {
  readonly labels: Labels[] = [];
  /** fp: the fingerprint's low and high 32 bits. */
  fp = new Uint32Array(2048);
  /** target is the target key (sample-encoding.ts targetOf). */
  target = new Uint32Array(1024);
  /** nameId indexes the metric name in `dict` (its encoded bytes). */
  nameId = new Int32Array(1024);
  /**
   * day0, day1: the two latest UTC days whose series row is known to be committed (−1: none).
   * An older day's row is written again if a sample for it comes (the series table is a
   * ReplacingMergeTree, so a repeated row merges away).
   */
  day0 = new Int32Array(1024).fill(-1);
  day1 = new Int32Array(1024).fill(-1);
  /**
   * exp is the decimal exponent the series' values are written with. It only grows, so that
   * mantissas of one series stay on one scale (which is what makes their deltas small).
   */
  exp = new Uint8Array(1024);

  get length(): number {
    return this.labels.length;
  }

  /** add appends a series and returns its ref. */
  add(labels: Labels, fp: bigint, target: number, nameId: number): number {
    const i = this.labels.length;
    if (i === this.target.length) this.grow();
    this.labels.push(labels);
    this.fp[2 * i] = Number(fp & 0xffffffffn);
    this.fp[2 * i + 1] = Number(fp >> 32n);
    this.target[i] = target;
    this.nameId[i] = nameId;
    return i + 1;
  }

  /** hasDay tells whether series i's row for `day` is known to be committed. */
  hasDay(i: number, day: number): boolean {
    return this.day0[i] === day || this.day1[i] === day;
  }

  /** addDay records that series i's row for `day` is committed (keeping the two latest). */
  addDay(i: number, day: number): void {
    if (this.hasDay(i, day)) return;
    if (this.day0[i]! <= this.day1[i]!) {
      if (day > this.day0[i]!) this.day0[i] = day;
    } else if (day > this.day1[i]!) this.day1[i] = day;
  }

  private grow(): void {
    const cap = this.target.length * 2;
    this.fp = grown(this.fp, cap * 2);
    this.target = grown(this.target, cap);
    this.nameId = grown(this.nameId, cap);
    this.day0 = grown(this.day0, cap, -1);
    this.day1 = grown(this.day1, cap, -1);
    this.exp = grown(this.exp, cap);
  }
}

/**
 * Columns are growable sample columns: a write-ahead log segment's samples (commits are copied
 * in), or an appender's. They are pooled and reused, so that steady writing allocates no typed
 * arrays (each one is an ArrayBuffer that the garbage collector has to track).
 */
class Columns {
  refs: Int32Array;
  ts: Float64Array;
  vs: Float64Array;
  n = 0;

  constructor(cap: number) {
    this.refs = new Int32Array(cap);
    this.ts = new Float64Array(cap);
    this.vs = new Float64Array(cap);
  }

  get cap(): number {
    return this.refs.length;
  }

  /** reserve makes room for `extra` more rows. */
  reserve(extra: number): void {
    if (this.n + extra <= this.refs.length) return;
    const cap = Math.max(this.refs.length * 2, this.n + extra);
    const refs = new Int32Array(cap);
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap); // typed-array copies keep NaN payloads
    refs.set(this.refs.subarray(0, this.n));
    ts.set(this.ts.subarray(0, this.n));
    vs.set(this.vs.subarray(0, this.n));
    this.refs = refs;
    this.ts = ts;
    this.vs = vs;
  }

  add(refs: Int32Array, ts: Float64Array, vs: Float64Array, n: number): void {
    this.reserve(n);
    this.refs.set(refs.subarray(0, n), this.n);
    this.ts.set(ts.subarray(0, n), this.n);
    this.vs.set(vs.subarray(0, n), this.n);
    this.n += n;
  }

  /** txn views the columns as one batch entry. */
  txn(): Txn {
    return { refs: this.refs, ts: this.ts, vs: this.vs, n: this.n, resolve: noop, reject: noop };
  }
}

/** COLUMN_POOL: how many free appender column sets are kept for reuse. */
const COLUMN_POOL = 128;

/** Segment is a write-ahead log segment's samples waiting for their INSERT. */
interface Segment {
  readonly name: string;
  readonly cols: Columns;
  /** old: samples in it that were older than the head's complete range when committed. */
  readonly old: number;
}

/** Txn is one committed appender's samples waiting in a batch. */
interface Txn {
  readonly refs: Int32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly n: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * openClickHouseStorage migrates the schema on `driver` and returns a Storage on it. It owns the
 * driver from then on and closes it in `close()`.
 */
export async function openClickHouseStorage(
  driver: ClickHouseDriver,
  opts: ClickHouseStorageOptions,
): Promise<ClickHouseStorage> {
  await migrate(driver, opts);
  const s = new ClickHouseStorage(driver, opts);
  await s.replayWal();
  await s.logs.open();
  s.startHeadLoad();
  return s;
}

async function migrate(driver: ClickHouseDriver, o: SchemaOptions): Promise<void> {
  for (const sql of bootstrapStatements(o)) await driver.exec(sql);
  const t = tables(o);
  const rows = await driver.queryJson<{ version: number }>(`SELECT version FROM ${t.migrations}`);
  const applied = new Set(rows.map((r) => Number(r.version)));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    for (const sql of m.statements(o)) await driver.exec(sql);
    await driver.exec(
      `INSERT INTO ${t.migrations} (version, name) VALUES (${m.version}, ${quote(m.name)})`,
    );
  }
  for (const sql of retentionStatements(o)) await driver.exec(sql);
}

/**
 * ClickHouseStorage implements Storage on ClickHouse, embedded (chDB) or remote. Appenders'
 * commits are gathered into batches; a batch is written with one INSERT per table. Without the
 * write-ahead log every commit in a batch resolves only after those INSERTs returned; with it
 * (walDir, flushIntervalMs and a head), a commit resolves once fsynced in the log (wal.ts) and
 * the batch is the log segment of a whole flush interval. Either way an acknowledged commit is
 * durable (DESIGN.md "Acknowledged means durable"). One batch is written at a time while the
 * next one fills.
 */
export class ClickHouseStorage implements Storage {
  readonly engine: "embedded" | "clickhouse";
  private readonly t: Tables;
  private readonly metrics: StorageMetrics;
  private readonly refByKey = new Map<string, SeriesRef>();
  private readonly dict: Uint8Array[] = [encodeString("")];
  private readonly dictIds = new Map<string, number>();
  /** nameRank[id] orders dictionary entries as ClickHouse orders strings (by UTF-8 bytes). */
  private nameRank = new Int32Array(0);
  /** rowsOf[ref] counts, then places, a batch's rows of series `ref` (zero between batches). */
  private rowsOf = new Int32Array(0);
  /** lastOrder is sortedRefs' last result: a batch of the same series reuses it. */
  private lastOrder: number[] = [];
  /** flatTs, flatVs, flatSrc: scratch space of encodeSamples, kept from batch to batch. */
  private flatTs = new Float64Array(0);
  private flatVs = new Float64Array(0);
  private flatSrc = new Uint32Array(0);
  private readonly series = new SeriesTable();
  private batch: Txn[] = [];
  private batchRows = 0;
  private timer: NodeJS.Timeout | undefined;
  /** sampleBlock is the last samples block, whose buffer the next batch reuses. */
  private sampleBlock: Uint8Array | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  /** logs is the log store on the same driver (logs.ts); flushed by close(). */
  readonly logs: ClickHouseLogStore;
  private readonly head: Head | undefined;
  private readonly headTimer: NodeJS.Timeout | undefined;
  private headLoad: Promise<void> | undefined;
  /** wal, when on, logs commits; `segments` are rotated segments waiting for their INSERT. */
  private wal: SampleWal | undefined;
  private segments: Segment[] = [];
  private queuedRows = 0;
  /** oldRows counts logged samples, not yet in ClickHouse, that the head does not answer for. */
  private oldRows = 0;
  private batchOld = 0;
  private retries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** roomWaiters are commits waiting for the queue to shrink (MAX_QUEUED_BATCHES). */
  private roomWaiters: (() => void)[] = [];
  /** segCols collects the current log segment's samples; spareCols are flushed ones. */
  private segCols: Columns | undefined;
  private spareCols: Columns[] = [];
  /** appenderCols are free appender columns (log mode), by capacity, smallest first. */
  private appenderCols: Columns[] = [];

  constructor(
    private readonly driver: ClickHouseDriver,
    private readonly opts: ClickHouseStorageOptions,
  ) {
    this.engine = opts.engine;
    this.t = tables(opts);
    this.metrics = opts.metrics ?? newStorageMetrics();
    if (opts.headDurationMs && opts.headDurationMs > 0) {
      const head = new Head({
        durationMs: opts.headDurationMs,
        ...(opts.headMaxSamples ? { maxSamples: opts.headMaxSamples } : {}),
        openedMs: Date.now(),
        labelsOf: (ref) => this.series.labels[ref - 1]!,
      });
      this.head = head;
      this.headTimer = setInterval(() => {
        const st = head.truncate();
        this.metrics.headSamples.set(st.samples);
        this.metrics.headSeries.set(st.series);
        this.metrics.headSpanSeconds.set(head.keptMs / 1000);
      }, HEAD_TRUNCATE_INTERVAL_MS);
      this.headTimer.unref();
    }
    this.logs = new ClickHouseLogStore(driver, {
      ...opts,
      metrics: this.metrics,
      isClosed: () => this.closed,
      // The embedded engine's data directory is locked to this process: the only writer.
      bloomCacheBytes: opts.engine === "embedded" ? LOG_BLOOM_CACHE_BYTES : 0,
      walDir: opts.logWalDir,
    });
  }

  /**
   * startHeadLoad fills the head with the samples ClickHouse holds for the head's duration, in
   * the background (queries read ClickHouse until it is done), so that recent queries are
   * served from memory soon after a restart too.
   */
  startHeadLoad(): void {
    const head = this.head;
    if (!head || !this.opts.headDurationMs) return;
    this.headLoad = this.loadHead(head, Date.now() - this.opts.headDurationMs).catch(
      () => undefined, // the head then stays limited to what this process writes
    );
  }

  private async loadHead(head: Head, fromMs: number): Promise<void> {
    const rows = await this.driver.queryJson<{
      fp: string;
      mname: string;
      lbls: Record<string, string>;
    }>(
      `SELECT toString(fingerprint) AS fp, any(metric_name) AS mname, any(labels) AS lbls` +
        ` FROM ${this.t.series} WHERE date >= ${dayLiteral(fromMs)} GROUP BY fingerprint`,
    );
    const refByFp = new Map<bigint, number>();
    const byTarget = new Map<number, bigint[]>();
    for (const r of rows) {
      if (this.closed) return;
      const pairs = Object.entries(r.lbls).map(([name, value]) => ({ name, value }));
      pairs.push({ name: METRIC_NAME, value: r.mname });
      const labels = labelsFromPairs(pairs);
      const fp = BigInt(r.fp);
      refByFp.set(fp, this.resolveRef(labels));
      const target = targetOf(labels);
      const list = byTarget.get(target);
      if (list) list.push(fp);
      else byTarget.set(target, [fp]);
    }
    // Read by target, LITERAL_KEY_LIMIT series at a time, in the sorting key's order.
    let keys: bigint[] = [];
    let targets = new Set<number>();
    const flush = async (): Promise<void> => {
      if (keys.length === 0 || this.closed) return;
      const sql =
        `SELECT fingerprint, t, e, m, f FROM ${this.t.samples}` +
        ` WHERE target IN (${[...targets].join(",")}) AND fingerprint IN (${keys.join(",")})` +
        ` AND t >= ${msLiteral(fromMs)}`;
      keys = [];
      targets = new Set();
      const table = decodeNative(await this.driver.queryNative(sql));
      const { fps, ts, vs } = sampleRows(table);
      const refs = new Int32Array(vs.length);
      for (let i = 0; i < refs.length; i++) refs[i] = refByFp.get(fps[i]!) ?? 0;
      if (!this.closed) head.append(refs, ts, vs, vs.length);
    };
    for (const [target, fps] of byTarget) {
      for (const fp of fps) {
        keys.push(fp);
        targets.add(target);
        if (keys.length >= LITERAL_KEY_LIMIT) await flush();
      }
    }
    await flush();
    if (!this.closed) head.loaded(fromMs);
  }

  /** description names the backend for logs and errors. */
  get description(): string {
    return this.driver.description;
  }

  appender(sizeHint?: number): Appender {
    const cap = Math.min(Math.max(64, sizeHint ?? 0), 1 << 20);
    // With the log, commits copy their samples into the segment's columns, so an appender's
    // columns go back to a pool for later appenders; without it a batch keeps them.
    const cols = this.wal ? this.takeColumns(cap) : new Columns(cap);
    const release = (): void => {
      if (this.wal) this.giveColumns(cols);
    };
    let done = false;
    const use = () => {
      if (this.closed) throw new StorageClosedError();
      if (done) throw new Error("appender already committed or rolled back");
    };
    return {
      append: (ref, labels, tMs, value) => {
        use();
        if (ref <= 0 || ref > this.series.length) {
          validateAppend(labels, tMs);
          ref = this.resolveRef(labels);
        } else if (!Number.isSafeInteger(tMs)) {
          validateAppend(labels, tMs);
        }
        const n = cols.n;
        if (n === cols.cap) cols.reserve(1);
        cols.refs[n] = ref;
        cols.ts[n] = tMs;
        cols.vs[n] = value;
        cols.n = n + 1;
        return ref;
      },
      commit: () => {
        try {
          use();
        } catch (err) {
          return Promise.reject(err as Error);
        }
        done = true;
        const { refs, ts, vs, n } = cols;
        if (n === 0) {
          release();
          return Promise.resolve();
        }
        if (this.wal) return this.commitLogged(refs, ts, vs, n, release);
        return new Promise<void>((resolve, reject) => {
          this.enqueue({ refs, ts, vs, n, resolve, reject });
        });
      },
      rollback: () => {
        if (!done) release();
        done = true;
        cols.n = 0;
      },
    };
  }

  private resolveRef(labels: Labels): SeriesRef {
    const key = labelsKey(labels);
    let ref = this.refByKey.get(key);
    if (ref === undefined) {
      ref = this.series.add(
        labels,
        fingerprint(labels),
        targetOf(labels),
        this.nameId(metricName(labels)),
      );
      this.refByKey.set(key, ref);
    }
    return ref;
  }

  /**
   * nameId returns the index of a metric name in the dictionary that every samples block sends
   * for its LowCardinality(String) metric_name column (index 0 is the empty string, as
   * ClickHouse expects of a non-Nullable LowCardinality dictionary).
   */
  private nameId(n: string): number {
    let id = this.dictIds.get(n);
    if (id === undefined) {
      id = this.dict.length;
      this.dict.push(encodeString(n));
      this.dictIds.set(n, id);
    }
    return id;
  }

  /**
   * commitLogged writes a commit to the write-ahead log and the head and queues it for the
   * current segment's INSERT; it resolves once the log is fsynced.
   */
  private commitLogged(
    refs: Int32Array,
    ts: Float64Array,
    vs: Float64Array,
    n: number,
    release: () => void,
  ): Promise<void> {
    const wal = this.wal!;
    const head = this.head!;
    if (this.queuedRows >= MAX_QUEUED_BATCHES * this.opts.batchMaxRows) {
      if (this.retryTimer) {
        release();
        return Promise.reject(
          new StorageError(
            `${this.queuedRows} samples are waiting for ${this.driver.description}, which refuses them; retry later`,
          ),
        );
      }
      return new Promise<void>((resolve) => this.roomWaiters.push(resolve)).then(() =>
        this.commitLogged(refs, ts, vs, n, release),
      );
    }
    let durable: Promise<void>;
    try {
      durable = wal.append(refs, ts, vs, n);
    } catch (err) {
      release();
      return Promise.reject(
        new StorageError(`write-ahead log write failed: ${(err as Error).message}`, {
          cause: err,
        }),
      );
    }
    head.append(refs, ts, vs, n);
    const from = head.completeFromMs();
    let old = 0;
    for (let i = 0; i < n; i++) if (ts[i]! < from) old++;
    this.batchOld += old;
    this.oldRows += old;
    this.segCols ??= this.spareCols.pop() ?? new Columns(Math.min(this.opts.batchMaxRows, 1 << 16));
    this.segCols.add(refs, ts, vs, n);
    release();
    this.batchRows += n;
    this.queuedRows += n;
    this.metrics.pendingRows.inc(n);
    if (this.batchRows >= this.opts.batchMaxRows) this.kick();
    else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.opts.flushIntervalMs);
    return durable;
  }

  /**
   * replayWal writes the segments a previous process left in the write-ahead log to ClickHouse
   * (each with its name as deduplication token) and removes them; then the log is open for
   * this process' commits. Only with a head and a walDir.
   */
  async replayWal(): Promise<void> {
    const o = this.opts;
    if (!this.head || !o.walDir || !o.flushIntervalMs || o.flushIntervalMs <= 0) return;
    const { wal, segments } = SampleWal.open(o.walDir, (ref) => this.series.labels[ref - 1]!);
    for (const seg of segments) {
      const txns: Txn[] = [];
      let rows = 0;
      for (const c of seg.commits) {
        const refs = new Int32Array(c.n);
        for (let i = 0; i < c.n; i++) {
          const labels = seg.series.get(c.refs[i]!);
          if (!labels)
            throw new StorageError(
              `write-ahead log segment ${seg.name}: sample of an undefined series ${c.refs[i]}`,
            );
          refs[i] = this.resolveRef(labels);
        }
        txns.push({ refs, ts: c.ts, vs: c.vs, n: c.n, resolve: noop, reject: noop });
        rows += c.n;
      }
      if (rows > 0) await this.insertBatch(txns, rows, seg.name);
      wal.remove(seg.name);
    }
    this.wal = wal;
  }

  private enqueue(txn: Txn): void {
    this.batch.push(txn);
    this.batchRows += txn.n;
    this.metrics.pendingRows.inc(txn.n);
    if (this.batchRows >= this.opts.batchMaxRows) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.kick(), this.opts.batchMaxDelayMs);
    }
  }

  /** kick starts writing the current batch unless a write is in flight (it then chains). */
  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.wal) {
      this.rotate();
      return;
    }
    if (this.writing || this.batch.length === 0) return;
    const txns = this.batch;
    const rows = this.batchRows;
    this.batch = [];
    this.batchRows = 0;
    this.writing = this.writeBatch(txns, rows).finally(() => {
      this.writing = undefined;
      this.metrics.pendingRows.dec(rows);
      if (this.batch.length > 0) {
        if (this.batchRows >= this.opts.batchMaxRows || this.closed) this.kick();
        else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.opts.batchMaxDelayMs);
      }
    });
  }

  /**
   * rotate ends the write-ahead log segment being written (when it has samples) and queues its
   * INSERT; `drain` writes the queue in order.
   */
  private rotate(): void {
    if (this.segCols && this.segCols.n > 0) {
      const name = this.wal!.rotate();
      this.segments.push({ name, cols: this.segCols, old: this.batchOld });
      this.segCols = undefined;
      this.batchRows = 0;
      this.batchOld = 0;
    }
    this.startDrain();
  }

  private startDrain(): void {
    if (this.writing || this.retryTimer || this.segments.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      this.startDrain(); // segments queued after the loop's last check
    });
  }

  /** drain writes queued segments oldest first; a failure is retried after a delay. */
  private async drain(): Promise<void> {
    while (this.segments.length > 0) {
      const seg = this.segments[0]!;
      try {
        await this.insertBatch([seg.cols.txn()], seg.cols.n, seg.name);
      } catch {
        this.wakeRoomWaiters(); // they fail now instead of waiting for the retry
        const delay = FLUSH_RETRY_MS[Math.min(this.retries++, FLUSH_RETRY_MS.length - 1)]!;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.rotate();
        }, delay);
        this.retryTimer.unref();
        return;
      }
      this.retries = 0;
      this.segments.shift();
      this.queuedRows -= seg.cols.n;
      this.oldRows -= seg.old;
      this.metrics.pendingRows.dec(seg.cols.n);
      this.wal!.remove(seg.name);
      seg.cols.n = 0;
      if (this.spareCols.length < 2) this.spareCols.push(seg.cols);
      this.wakeRoomWaiters();
    }
  }

  /** takeColumns returns the smallest pooled columns with room for `cap` rows, or new ones. */
  private takeColumns(cap: number): Columns {
    const i = this.appenderCols.findIndex((c) => c.cap >= cap);
    return i >= 0 ? this.appenderCols.splice(i, 1)[0]! : new Columns(cap);
  }

  /** giveColumns returns appender columns to the pool (kept sorted by capacity). */
  private giveColumns(c: Columns): void {
    c.n = 0;
    const pool = this.appenderCols;
    if (pool.length >= COLUMN_POOL || c.cap > 1 << 16) return;
    let i = pool.length;
    while (i > 0 && pool[i - 1]!.cap > c.cap) i--;
    pool.splice(i, 0, c);
  }

  private wakeRoomWaiters(): void {
    const w = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of w) resolve();
  }

  private async writeBatch(txns: Txn[], rows: number): Promise<void> {
    try {
      await this.insertBatch(txns, rows);
      if (this.head) for (const t of txns) this.head.append(t.refs, t.ts, t.vs, t.n);
      for (const t of txns) t.resolve();
    } catch (err) {
      for (const t of txns) t.reject(err as Error);
    }
  }

  /**
   * insertBatch writes the series rows a batch needs and its samples (with `dedupToken`, when
   * given, as the samples INSERT's deduplication token). It rejects with a StorageError.
   */
  private async insertBatch(txns: Txn[], rows: number, dedupToken?: string): Promise<void> {
    const start = performance.now();
    try {
      const newDays = this.seriesRowsNeeded(txns);
      if (newDays.length > 0) {
        const block = this.encodeSeries(newDays);
        await this.driver.insertNative(this.t.series, SERIES_COLUMNS, block);
        this.metrics.rows.inc({ table: "series" }, newDays.length);
        this.metrics.bytes.inc({ table: "series" }, block.length);
      }
      const block = this.encodeSamples(txns, rows);
      await this.driver.insertNative(this.t.samples, SAMPLE_COLUMNS, block, dedupToken);
      for (const [ref, day] of newDays) this.series.addDay(ref - 1, day);
      this.metrics.batches.inc();
      this.metrics.rows.inc({ table: "samples" }, rows);
      this.metrics.bytes.inc({ table: "samples" }, block.length);
      this.metrics.insertDuration.observe((performance.now() - start) / 1000);
    } catch (err) {
      this.metrics.errors.inc();
      throw err instanceof StorageError
        ? err
        : new StorageError(`write failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** seriesRowsNeeded lists (ref, day) pairs whose series-per-day row is not yet committed. */
  private seriesRowsNeeded(txns: Txn[]): [SeriesRef, number][] {
    const out: [SeriesRef, number][] = [];
    const seen = new Set<number>();
    for (const t of txns) {
      for (let i = 0; i < t.n; i++) {
        const ref = t.refs[i]!;
        const day = Math.floor(t.ts[i]! / DAY_MS);
        if (this.series.hasDay(ref - 1, day)) continue;
        const k = ref * 100_000 + day; // day numbers stay below 100k until the year 2243
        if (seen.has(k)) continue;
        seen.add(k);
        out.push([ref, day]);
      }
    }
    return out;
  }

  private encodeSeries(rows: [SeriesRef, number][]): Uint8Array {
    const n = rows.length;
    const dates = new Uint16Array(n);
    const fps = new Uint32Array(n * 2);
    const names: Uint8Array[] = [];
    const mapParts: Uint8Array[] = [];
    const offsets = new BigUint64Array(n);
    let total = 0n;
    rows.forEach(([ref, day], i) => {
      const s = this.series;
      dates[i] = day;
      fps[2 * i] = s.fp[2 * (ref - 1)]!;
      fps[2 * i + 1] = s.fp[2 * (ref - 1) + 1]!;
      names.push(this.dict[s.nameId[ref - 1]!]!);
      total += BigInt(s.labels[ref - 1]!.length - 1);
      offsets[i] = total;
    });
    // Map(K, V) is encoded as Array(Tuple(K, V)): offsets, then all keys, then all values.
    const keys: Uint8Array[] = [];
    const vals: Uint8Array[] = [];
    for (const [ref] of rows) {
      for (const l of this.series.labels[ref - 1]!) {
        if (l.name === METRIC_NAME) continue;
        keys.push(encodeString(l.name));
        vals.push(encodeString(l.value));
      }
    }
    mapParts.push(new Uint8Array(offsets.buffer), concat(keys), concat(vals));
    return encodeBlock(n, [
      { name: "date", type: "Date", data: new Uint8Array(dates.buffer) },
      { name: "metric_name", type: "String", data: concat(names) },
      { name: "fingerprint", type: "UInt64", data: new Uint8Array(fps.buffer) },
      { name: "labels", type: "Map(String, String)", data: concat(mapParts) },
    ]);
  }

  /**
   * sortedRefs returns the series of a batch in the samples table's sorting-key order (target,
   * metric name, fingerprint) and leaves in rowsOf[ref] the block row where the series' first
   * sample goes. A block that arrives sorted is not sorted again by ClickHouse, which measured
   * as more than half of its INSERT work.
   */
  private sortedRefs(txns: Txn[]): number[] {
    if (this.rowsOf.length <= this.series.length) {
      this.rowsOf = new Int32Array(Math.max(1024, 2 * this.series.length));
    }
    if (this.nameRank.length !== this.dict.length) {
      const bytes = this.dict.map((d) => d.subarray(varintLength(d.length)));
      const ids = bytes.map((_, i) => i).sort((a, b) => Buffer.compare(bytes[a]!, bytes[b]!));
      this.nameRank = new Int32Array(ids.length);
      ids.forEach((id, rank) => (this.nameRank[id] = rank));
    }
    const rowsOf = this.rowsOf;
    const seen: number[] = [];
    for (const t of txns) {
      for (let i = 0; i < t.n; i++) {
        const ref = t.refs[i]!;
        if (rowsOf[ref]++ === 0) seen.push(ref);
      }
    }
    // Scrapes write the same series batch after batch, and a series' place in the order never
    // changes (new metric names change ranks, not how existing names compare).
    let refs = this.lastOrder;
    if (refs.length !== seen.length || !refs.every((ref) => rowsOf[ref]! > 0)) {
      refs = seen;
      const rank = this.nameRank;
      const { target, nameId, fp } = this.series;
      refs.sort((a, b) => {
        const x = a - 1;
        const y = b - 1;
        return (
          target[x]! - target[y]! ||
          rank[nameId[x]!]! - rank[nameId[y]!]! ||
          fp[2 * x + 1]! - fp[2 * y + 1]! ||
          fp[2 * x]! - fp[2 * y]!
        );
      });
      this.lastOrder = refs;
    }
    let row = 0;
    for (const ref of refs) {
      const n = rowsOf[ref]!;
      rowsOf[ref] = row;
      row += n;
    }
    return refs;
  }

  /**
   * encodeSamples writes a batch as one Native block, rows sorted by the table's sorting key
   * (series by sortedRefs, each series' samples in commit order, which is time order unless
   * samples came out of order), straight into a buffer kept from the previous batch: allocating
   * and first touching fresh pages for every batch cost more than the encoding itself.
   */
  private encodeSamples(txns: Txn[], rows: number): Uint8Array {
    // LowCardinality(String) in Native (ClickHouse's SerializationLowCardinality): a UInt64 keys
    // version, then per block a UInt64 flags word (index width, "has additional keys"), the
    // dictionary size and its strings, the row count and one index per row.
    let klen = 0;
    for (const k of this.dict) klen += k.length;
    const lcHead = 24 + klen + 8;
    const { bytes, view, offsets } = layoutBlock(
      rows,
      [
        { name: "metric_name", type: "LowCardinality(String)", size: lcHead + rows * 4 },
        { name: "target", type: "UInt32", size: rows * 4 },
        { name: "fingerprint", type: "UInt64", size: rows * 8 },
        { name: "t", type: "DateTime64(3, 'UTC')", size: rows * 8 },
        { name: "e", type: "UInt8", size: rows },
        { name: "m", type: "Int64", size: rows * 8 },
        { name: "f", type: "Float64", size: rows * 8 },
      ],
      this.sampleBlock,
    );
    this.sampleBlock = bytes;
    let o = offsets[0]!;
    view.setBigUint64(o, 1n, true); // KeysSerializationVersion = SharedDictionariesWithAdditionalKeys
    view.setBigUint64(o + 8, BigInt((1 << 9) | 2), true); // HasAdditionalKeys | UInt32 indexes
    view.setBigUint64(o + 16, BigInt(this.dict.length), true);
    o += 24;
    for (const k of this.dict) {
      bytes.set(k, o);
      o += k.length;
    }
    view.setBigUint64(o, BigInt(rows), true);
    const oIdx = o + 8;
    const [, oTg, oFp, oT, oE, oM, oF] = offsets as [number, ...number[]];
    // Gather the batch into one run per series, in sorting-key order: src[r] is where block row
    // r's sample is in the batch (flattened into ts and vs, kept from batch to batch).
    const refs = this.sortedRefs(txns);
    const rowsOf = this.rowsOf;
    if (this.flatTs.length < rows) {
      this.flatTs = new Float64Array(rows);
      this.flatVs = new Float64Array(rows);
      this.flatSrc = new Uint32Array(rows);
    }
    const { flatTs: ts, flatVs: vs, flatSrc: src } = this;
    let g = 0;
    for (const t of txns) {
      ts.set(t.ts.subarray(0, t.n), g);
      vs.set(t.vs.subarray(0, t.n), g); // a copy of the bits: NaN payloads stay intact
      for (let i = 0; i < t.n; i++, g++) src[rowsOf[t.refs[i]!]!++] = g;
    }
    const vw = new Uint32Array(vs.buffer, 0, rows * 2);
    let r = 0;
    const ser = this.series;
    for (const ref of refs) {
      const i = ref - 1;
      const nameId = ser.nameId[i]!;
      const target = ser.target[i]!;
      const fpLo = ser.fp[2 * i]!;
      const fpHi = ser.fp[2 * i + 1]!;
      let exp = ser.exp[i]!;
      const end = rowsOf[ref]!;
      rowsOf[ref] = 0;
      for (; r < end; r++) {
        const j = src[r]!;
        const r4 = 4 * r;
        const r8 = 8 * r;
        view.setUint32(oIdx + r4, nameId, true);
        view.setUint32(oTg! + r4, target, true);
        view.setUint32(oFp! + r8, fpLo, true);
        view.setUint32(oFp! + r8 + 4, fpHi, true);
        setInt64(view, oT! + r8, ts[j]!);
        // Inline fast path of decimalExponent: the value fits the series' current exponent.
        const v = vs[j]!;
        let p = POW10[exp]!;
        let m = Math.round(v * p);
        if (
          m / p !== v ||
          m > Number.MAX_SAFE_INTEGER ||
          m < -Number.MAX_SAFE_INTEGER ||
          (m === 0 && 1 / v < 0)
        ) {
          const e = decimalExponent(v, exp + 1);
          if (e === RAW_EXPONENT) {
            view.setUint8(oE! + r, RAW_EXPONENT);
            view.setUint32(oM! + r8, 0);
            view.setUint32(oM! + r8 + 4, 0);
            view.setUint32(oF! + r8, vw[2 * j]!, true);
            view.setUint32(oF! + r8 + 4, vw[2 * j + 1]!, true);
            continue;
          }
          exp = e;
          ser.exp[i] = e;
          p = POW10[e]!;
          m = Math.round(v * p);
        }
        view.setUint8(oE! + r, exp);
        setInt64(view, oM! + r8, m);
        view.setUint32(oF! + r8, 0);
        view.setUint32(oF! + r8 + 4, 0);
      }
    }
    return bytes;
  }

  querier(mintMs: number, maxtMs: number): Querier {
    const head = this.head;
    if (head && mintMs >= head.completeFromMs())
      return new HeadQuerier(head, () => this.checkOpen(), mintMs, maxtMs);
    if (!head || !this.wal) return new ClickHouseQuerier(this, mintMs, maxtMs);
    // With the write-ahead log, ClickHouse lags by up to a flush interval: it answers before
    // the head's complete range, and the head from there on.
    const from = head.completeFromMs();
    const ch = new ClickHouseQuerier(this, mintMs, Math.min(maxtMs, from - 1), () =>
      this.flushOld(),
    );
    if (maxtMs < from) return ch;
    return new SplitQuerier(ch, new HeadQuerier(head, () => this.checkOpen(), from, maxtMs));
  }

  /**
   * flushOld writes logged samples to ClickHouse before a read there when some of them are
   * older than what the head answers for (backfill, a head still loading), so that they are
   * read. A failed write leaves the read to what ClickHouse has.
   */
  private async flushOld(): Promise<void> {
    if (this.oldRows === 0) return;
    try {
      await this.flush();
    } catch {
      // read what is there
    }
  }

  /** @internal used by the querier */
  checkOpen(): void {
    if (this.closed) throw new StorageClosedError();
  }

  /** @internal */
  get drv(): ClickHouseDriver {
    return this.driver;
  }

  /** @internal */
  get tbl(): Tables {
    return this.t;
  }

  async stats(): Promise<StorageStats> {
    this.checkOpen();
    const [row] = await this.driver.queryJson<{
      series: string;
      samples: string;
      mint: string | null;
      maxt: string | null;
    }>(
      `SELECT toString(uniqExact(fingerprint)) AS series, toString(count()) AS samples,` +
        ` if(count() = 0, NULL, toString(toUnixTimestamp64Milli(min(t)))) AS mint,` +
        ` if(count() = 0, NULL, toString(toUnixTimestamp64Milli(max(t)))) AS maxt` +
        ` FROM ${this.t.samples}`,
    );
    const [disk] = await this.driver.queryJson<{ bytes: string }>(
      `SELECT toString(sum(bytes_on_disk)) AS bytes FROM system.parts` +
        ` WHERE active AND database = ${quote(this.opts.database)}`,
    );
    return {
      numSeries: Number(row?.series ?? 0),
      numSamples: Number(row?.samples ?? 0),
      minTimeMs: row?.mint == null ? null : Number(row.mint),
      maxTimeMs: row?.maxt == null ? null : Number(row.maxt),
      bytesOnDisk: Number(disk?.bytes ?? 0),
    };
  }

  /**
   * flush writes every pending batch and waits for it. With the write-ahead log it rejects when
   * ClickHouse refuses a segment (the samples stay logged and are retried).
   */
  async flush(): Promise<void> {
    if (this.wal) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.rotate();
      while (this.writing) await this.writing;
      if (this.segments.length > 0) {
        throw new StorageError(
          `${this.queuedRows} samples could not be written to ${this.driver.description};` +
            ` they stay in the write-ahead log and are retried`,
        );
      }
      return;
    }
    while (this.batch.length > 0 || this.writing) {
      this.kick();
      await this.writing;
    }
  }

  /** optimize merges parts (OPTIMIZE TABLE ... FINAL); used by benchmarks and maintenance. */
  async optimize(): Promise<void> {
    await this.driver.exec(`OPTIMIZE TABLE ${this.t.samples} FINAL`);
    await this.driver.exec(`OPTIMIZE TABLE ${this.t.series} FINAL`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.headTimer) clearInterval(this.headTimer);
    await this.headLoad;
    if (this.wal) {
      try {
        await this.flush();
      } catch {
        // The segments stay in the log; the next open writes them.
      }
      if (this.retryTimer) clearTimeout(this.retryTimer);
      await this.wal.close(true);
    } else {
      await this.flush();
    }
    await this.logs.close();
    this.sampleBlock = undefined;
    this.flatTs = this.flatVs = new Float64Array(0);
    this.flatSrc = new Uint32Array(0);
    await this.driver.close();
  }
}

/** HEAD_TRUNCATE_INTERVAL_MS: how often the head drops samples older than its duration. */
const HEAD_TRUNCATE_INTERVAL_MS = 30_000;

/** LITERAL_KEY_LIMIT: selects of at most this many series send their keys as SQL literals. */
const LITERAL_KEY_LIMIT = 2000;

const SERIES_COLUMNS = ["date", "metric_name", "fingerprint", "labels"] as const;
const SAMPLE_COLUMNS = ["metric_name", "target", "fingerprint", "t", "e", "m", "f"] as const;

function concat(parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

class ClickHouseQuerier implements Querier {
  constructor(
    private readonly s: ClickHouseStorage,
    readonly mintMs: number,
    readonly maxtMs: number,
    /** before runs ahead of every read (the write-ahead log's flushOld). */
    private readonly before: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** seriesWhere selects series-per-day rows for the matchers within the querier's days. */
  private seriesWhere(matchers: readonly Matcher[]): string {
    return (
      `date >= ${dayLiteral(this.mintMs)} AND date <= ${dayLiteral(this.maxtMs)}` +
      ` AND ${matchersSql(matchers)}`
    );
  }

  async select(matchers: readonly Matcher[], hints?: SelectHints): Promise<Series[]> {
    this.s.checkOpen();
    await this.before();
    const { drv, tbl } = this.s;
    const signal = hints?.signal;
    const labelRows = await drv.queryJson<{
      fp: string;
      mname: string;
      lbls: Record<string, string>;
    }>(
      `SELECT toString(fingerprint) AS fp, any(metric_name) AS mname, any(labels) AS lbls` +
        ` FROM ${tbl.series} WHERE ${this.seriesWhere(matchers)} GROUP BY fingerprint`,
      signal,
    );
    if (labelRows.length === 0) return [];
    const labelsByFp = new Map<bigint, Labels>();
    for (const r of labelRows) {
      const pairs = Object.entries(r.lbls).map(([name, value]) => ({ name, value }));
      pairs.push({ name: METRIC_NAME, value: r.mname });
      labelsByFp.set(BigInt(r.fp), labelsFromPairs(pairs));
    }
    // The whole sorting-key prefix (target, metric_name, fingerprint) comes from the series
    // table, so the samples table is read only where the matched series are, whatever the
    // matchers (a regex on the name, no name at all). For up to LITERAL_KEY_LIMIT series the
    // keys found above are sent as literals, which ClickHouse evaluates several times faster
    // than the equivalent subquery; beyond that the subquery keeps the SQL text small.
    const timeWhere = `${metricNameSql(matchers)} AND t >= ${msLiteral(this.mintMs)} AND t <= ${msLiteral(this.maxtMs)}`;
    let where: string;
    if (labelsByFp.size <= LITERAL_KEY_LIMIT) {
      const targets = new Set<number>();
      for (const ls of labelsByFp.values()) targets.add(targetOf(ls));
      where =
        `${timeWhere} AND target IN (${[...targets].join(",")})` +
        ` AND fingerprint IN (${[...labelsByFp.keys()].join(",")})`;
    } else {
      where =
        `${timeWhere} AND (target, metric_name, fingerprint) IN (SELECT ${TARGET_SQL}, metric_name, fingerprint` +
        ` FROM ${tbl.shardSeries} WHERE ${this.seriesWhere(matchers)})`;
    }
    const sql = hints?.seriesOnly
      ? `SELECT DISTINCT fingerprint FROM ${tbl.samples} WHERE ${where}`
      : `SELECT fingerprint, t, e, m, f FROM ${tbl.samples} WHERE ${where} ORDER BY fingerprint, t`;
    const table = decodeNative(await drv.queryNative(sql, signal));
    const fpCol = table.columns.get("fingerprint");
    const out: Series[] = [];
    if (!fpCol || fpCol.kind !== "u64") return out;
    const fps = fpCol.values;
    if (hints?.seriesOnly) {
      for (const fp of fps) {
        const labels = labelsByFp.get(fp);
        if (labels)
          out.push({ labels, timestamps: new Float64Array(0), values: new Float64Array(0) });
      }
    } else {
      const { ts, vs } = sampleRows(table);
      let i = 0;
      while (i < fps.length) {
        const fp = fps[i]!;
        let j = i + 1;
        while (j < fps.length && fps[j] === fp) j++;
        const labels = labelsByFp.get(fp);
        if (labels) out.push(dedup(labels, ts.subarray(i, j), vs.subarray(i, j)));
        i = j;
      }
    }
    out.sort((a, b) => compareLabels(a.labels, b.labels));
    return hints?.limit ? out.slice(0, hints.limit) : out;
  }

  async labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
    this.s.checkOpen();
    await this.before();
    const rows = await this.s.drv.queryJson<{ n: string }>(
      `SELECT DISTINCT arrayJoin(arrayConcat(['${METRIC_NAME}'], mapKeys(labels))) AS n` +
        ` FROM ${this.s.tbl.series} WHERE ${this.seriesWhere(matchers ?? [])} ORDER BY n`,
    );
    return rows.map((r) => r.n);
  }

  async labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
    this.s.checkOpen();
    await this.before();
    const col = name === METRIC_NAME ? "metric_name" : `labels[${quote(name)}]`;
    const rows = await this.s.drv.queryJson<{ v: string }>(
      `SELECT DISTINCT ${col} AS v FROM ${this.s.tbl.series}` +
        ` WHERE ${this.seriesWhere(matchers ?? [])} AND v != '' ORDER BY v`,
    );
    return rows.map((r) => r.v);
  }
}

/**
 * SplitQuerier answers a range from two queriers over adjacent parts of it (ClickHouse before
 * the head's complete range, the head after), joining each series' samples.
 */
class SplitQuerier implements Querier {
  readonly mintMs: number;
  readonly maxtMs: number;

  constructor(
    private readonly older: Querier,
    private readonly newer: Querier,
  ) {
    this.mintMs = older.mintMs;
    this.maxtMs = newer.maxtMs;
  }

  async select(matchers: readonly Matcher[], hints?: SelectHints): Promise<Series[]> {
    const [a, b] = await Promise.all([
      this.older.select(matchers, hints),
      this.newer.select(matchers, hints),
    ]);
    const out: Series[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const c =
        i === a.length ? 1 : j === b.length ? -1 : compareLabels(a[i]!.labels, b[j]!.labels);
      if (c < 0) out.push(a[i++]!);
      else if (c > 0) out.push(b[j++]!);
      else out.push(joinSeries(a[i++]!, b[j++]!));
    }
    return hints?.limit ? out.slice(0, hints.limit) : out;
  }

  async labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
    const [a, b] = await Promise.all([
      this.older.labelNames(matchers),
      this.newer.labelNames(matchers),
    ]);
    return mergeSorted(a, b);
  }

  async labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
    const [a, b] = await Promise.all([
      this.older.labelValues(name, matchers),
      this.newer.labelValues(name, matchers),
    ]);
    return mergeSorted(a, b);
  }
}

/** joinSeries appends `b`'s samples (all later) to `a`'s. */
function joinSeries(a: Series, b: Series): Series {
  if (a.timestamps.length === 0) return b;
  if (b.timestamps.length === 0) return a;
  const timestamps = new Float64Array(a.timestamps.length + b.timestamps.length);
  timestamps.set(a.timestamps);
  timestamps.set(b.timestamps, a.timestamps.length);
  const values = new Float64Array(timestamps.length);
  values.set(a.values); // typed-array copies keep NaN payloads (stale markers)
  values.set(b.values, a.values.length);
  return { labels: a.labels, timestamps, values };
}

/** mergeSorted unions two sorted, unique string lists (sorted by UTF-8 bytes). */
function mergeSorted(a: string[], b: string[]): string[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...new Set([...a, ...b])].sort(byBytes);
}

/**
 * sampleRows reads the result of `SELECT fingerprint, t, e, m, f` from the samples table, with
 * the values decoded (sample-encoding.ts).
 */
function sampleRows(table: NativeTable): {
  fps: BigUint64Array;
  ts: Float64Array;
  vs: Float64Array;
} {
  const fpCol = table.columns.get("fingerprint");
  const tCol = table.columns.get("t");
  const eCol = table.columns.get("e");
  const mCol = table.columns.get("m");
  const fCol = table.columns.get("f");
  if (
    fpCol?.kind !== "u64" ||
    tCol?.kind !== "i64" ||
    eCol?.kind !== "u8" ||
    mCol?.kind !== "i64" ||
    fCol?.kind !== "f64"
  ) {
    throw new StorageError("unexpected result columns from samples query");
  }
  const vs = new Float64Array(tCol.values.length);
  decodeValues(eCol.values, mCol.values, fCol.values, vs);
  return { fps: fpCol.values, ts: tCol.values, vs };
}

/** dedup copies one series' samples, dropping repeated timestamps (unmerged duplicates). */
function dedup(labels: Labels, ts: Float64Array, vs: Float64Array): Series {
  let dups = 0;
  for (let i = 1; i < ts.length; i++) if (ts[i] === ts[i - 1]) dups++;
  if (dups === 0) return { labels, timestamps: ts.slice(), values: vs.slice() };
  const nt = new Float64Array(ts.length - dups);
  const nv = new Float64Array(ts.length - dups);
  let k = 0;
  for (let i = 0; i < ts.length; i++) {
    if (i > 0 && ts[i] === ts[i - 1]) continue;
    nt[k] = ts[i]!;
    nv.set(vs.subarray(i, i + 1), k);
    k++;
  }
  return { labels, timestamps: nt, values: nv };
}

function noop(): void {}
