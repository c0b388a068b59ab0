// FileTailer collects local log files into log storage, as promtail's file target does
// (clients/pkg/promtail/targets/file/filetarget.go: periodic glob sync; tailer.go: read lines,
// positions). Differences from promtail, and why:
//
// - Files are identified by device and inode, not by path. A file renamed by rotation keeps its
//   position and is read to its end (lines written to it after the rename are not lost) while
//   the new file at the path is read from its start.
// - Delivery is exactly-once as far as storage de-duplicates identical (stream, timestamp, line)
//   entries, which LogAppender promises. Before a batch is committed, its byte range, its first
//   timestamp and its labels are written to the positions file (an intent); the committed
//   offset moves only after the commit resolved. After a crash at any point the next run sends
//   the range again with the same timestamps (line i of the range gets tsNs + i), so a batch
//   that was in fact stored is stored once. Timestamps are otherwise the read time.
// - One loop reads, commits and saves positions in turn, so a failing or slow storage stops
//   reading (backpressure) and memory stays bounded by one batch.
import { stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { Counter, Gauge } from "prom-client";
import type { Registry } from "prom-client";
import { glob } from "tinyglobby";
import type { Labels } from "../../model/labels/index.ts";
import { EMPTY_LABELS, labelsFromRecord, labelsKey } from "../../model/labels/index.ts";
import type { LogEntry, LogStore } from "../../storage/logs.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Logger } from "../../util/logging/index.ts";
import type { FileTailerConfig, LogFileOptions, LogFilesTarget } from "./config.ts";
import { DEFAULT_LOG_FILE_OPTIONS, FILENAME_LABEL } from "./config.ts";
import type { PendingRange, Position } from "./positions.ts";
import { HEAD_BYTES, headHash, positionKey, readPositions, writePositions } from "./positions.ts";
import { scanLines } from "./scan.ts";
import type { ScanResult } from "./scan.ts";

/** FileTailerOptions wire the tailer to storage, logging and metrics. */
export interface FileTailerOptions {
  /** logs returns the log store, or undefined while storage opens (batches wait). */
  logs(): LogStore | undefined;
  readonly logger: Logger;
  /** registry receives the tailer's metrics; none are registered when absent. */
  readonly registry?: Registry;
  /** positionsFile is where read positions are kept (e.g. `<data_dir>/positions.json`). */
  readonly positionsFile: string;
  /** nowNs is the clock for entry timestamps (ns since the epoch); default the wall clock. */
  nowNs?(): bigint;
}

/** READ_BUFFER_BYTES is the size of one read from a file. */
const READ_BUFFER_BYTES = 64 * 1024;

interface Metrics {
  readonly watched: Gauge;
  readonly bytes: Counter;
  readonly lines: Counter;
  readonly truncatedLines: Counter;
  readonly errors: Counter<"kind">;
}

function newMetrics(registry: Registry | undefined): Metrics {
  const registers = registry ? [registry] : [];
  return {
    watched: new Gauge({
      name: "vigil_log_files_watched",
      help: "Local log files open for collection.",
      registers,
    }),
    bytes: new Counter({
      name: "vigil_log_files_read_bytes_total",
      help: "Bytes of local log files committed to storage (or skipped as part of cut lines).",
      registers,
    }),
    lines: new Counter({
      name: "vigil_log_files_read_lines_total",
      help: "Lines of local log files committed to storage.",
      registers,
    }),
    truncatedLines: new Counter({
      name: "vigil_log_files_truncated_lines_total",
      help: "Lines of local log files cut to log_file_options.max_line_size.",
      registers,
    }),
    errors: new Counter({
      name: "vigil_log_files_errors_total",
      help: "Errors collecting local log files, by kind: discovery, read, commit, positions.",
      labelNames: ["kind"],
      registers,
    }),
  };
}

/** Tracked is an open file. */
interface Tracked {
  readonly key: string;
  readonly dev: string;
  readonly ino: string;
  /** path is where the file was last found. */
  path: string;
  /** filename is the filename label: the path the file was first found at. */
  readonly filename: string;
  labels: Readonly<Record<string, string>>;
  readonly fh: FileHandle;
  offset: number;
  skipping: boolean;
  /** head and headLen: Position.head and the number of bytes it covers. */
  head: string;
  headLen: number;
  pending: PendingRange | undefined;
  /** partialAt/partialSinceMs: an unterminated last line and since when it has waited. */
  partialAt: number | undefined;
  partialSinceMs: number;
  /** retiring: the file is no longer at a matched path; it is read to its end, then closed. */
  retiring: boolean;
  lastSize: number;
  lastChangeMs: number;
}

/** Range is the part of one file read for a batch. */
interface Range {
  readonly file: Tracked;
  readonly start: number;
  readonly res: ScanResult;
  readonly replay: boolean;
}

class StoppedError extends Error {
  constructor() {
    super("file tailer stopped");
  }
}

/** wallClockNs returns a nanosecond clock anchored at the wall clock and advanced by hrtime. */
function wallClockNs(): () => bigint {
  const wall0 = BigInt(Date.now()) * 1_000_000n;
  const hr0 = process.hrtime.bigint();
  return () => wall0 + (process.hrtime.bigint() - hr0);
}

/**
 * FileTailer reads the local files named by `log_files` line by line and appends them to log
 * storage, one stream per file (the target's labels plus `filename`). Lifecycle: applyConfig
 * (any time), start, stop. Files matching the globs are found at start, every sync period and
 * after a reload; open files are polled for new data, truncation (copytruncate: read again
 * from the start) and rotation (the path now names another file, or none: read the old file to
 * its end, close it after flush_timeout without change, and forget its position once gone).
 */
export class FileTailer {
  private readonly opts: FileTailerOptions;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly nowNs: () => bigint;
  private readonly buf = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private targets: readonly LogFilesTarget[] = [];
  private options: LogFileOptions = DEFAULT_LOG_FILE_OPTIONS;
  /** open holds open files in the order they were opened. */
  private readonly open = new Map<string, Tracked>();
  /** dormant holds saved positions of files not open (still existing, or not yet found). */
  private dormant = new Map<string, Position>();
  /** lastTsNs holds the last timestamp sent per stream, to keep a stream's entries in order. */
  private readonly lastTsNs = new Map<string, bigint>();
  private dirty = false;
  private syncDue = true;
  /** initialSync: the next sync is the first since start or reload (start_at applies). */
  private initialSync = true;
  private nextSyncMs = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  /** The FileTailer constructor registers its metrics; nothing runs before start. */
  constructor(opts: FileTailerOptions) {
    this.opts = opts;
    this.logger = opts.logger;
    this.metrics = newMetrics(opts.registry);
    this.nowNs = opts.nowNs ?? wallClockNs();
  }

  /**
   * applyConfig sets the targets and options; a running tailer syncs at once. Files no longer
   * matched are read to their end and closed; their positions are kept while they exist.
   * The positions file is fixed at construction.
   */
  applyConfig(cfg: FileTailerConfig): void {
    this.targets = cfg.targets;
    this.options = cfg.options;
    this.syncDue = true;
    this.initialSync = true;
    this.wake?.();
  }

  /**
   * start loads the positions file, runs the first sync and starts collecting. It rejects
   * when the positions file exists but cannot be read or parsed.
   */
  async start(): Promise<void> {
    if (this.loop) throw new Error("file tailer already started");
    this.dormant = await readPositions(this.opts.positionsFile);
    this.initialSync = true;
    try {
      await this.sync();
    } catch (err) {
      this.metrics.errors.inc({ kind: "discovery" });
      this.logger.error({ err: errorMessage(err) }, "log files: first sync failed");
      this.syncDue = true;
    }
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal);
  }

  /**
   * stop ends collection: the batch being read is committed if storage accepts it (a commit
   * being retried is abandoned; its range stays in the positions file and is sent again with
   * the same timestamps by the next run), positions are saved and files closed. Unterminated
   * last lines are not sent; the next run reads them again.
   */
  async stop(): Promise<void> {
    if (!this.loop || !this.abort) return;
    this.abort.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    try {
      await this.savePositions();
    } catch (err) {
      this.metrics.errors.inc({ kind: "positions" });
      this.logger.error({ err: errorMessage(err) }, "log files: cannot save positions");
    }
    for (const f of this.open.values()) await f.fh.close().catch(() => {});
    this.open.clear();
    this.metrics.watched.set(0);
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let more = false;
      try {
        if (this.syncDue || Date.now() >= this.nextSyncMs) await this.sync();
        more = await this.cycle(signal);
      } catch (err) {
        if (err instanceof StoppedError || signal.aborted) break;
        this.metrics.errors.inc({ kind: "read" });
        this.logger.error({ err: errorMessage(err) }, "log files: collection failed");
      }
      if (!more) await this.sleep(this.options.pollIntervalMs, signal);
    }
  }

  /** sleep waits ms, or less when stopped or woken. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
      this.wake = done;
    });
  }

  /** sync expands the globs and opens new files, marking vanished ones as retiring. */
  private async sync(): Promise<void> {
    const initial = this.initialSync;
    this.syncDue = false;
    this.initialSync = false;
    this.nextSyncMs = Date.now() + this.options.syncPeriodMs;

    const found = new Map<string, { path: string; target: LogFilesTarget; size: number }>();
    for (const target of this.targets) {
      let paths: string[];
      try {
        paths = await globTarget(target);
      } catch (err) {
        this.metrics.errors.inc({ kind: "discovery" });
        this.logger.warn({ err: errorMessage(err), paths: target.paths }, "log files: glob failed");
        continue;
      }
      paths.sort();
      for (const path of paths) {
        const st = await stat(path, { bigint: true }).catch(() => undefined);
        if (!st?.isFile()) continue;
        const key = positionKey(st.dev, st.ino);
        if (!found.has(key)) found.set(key, { path, target, size: Number(st.size) });
      }
    }

    const now = Date.now();
    for (const [key, f] of found) {
      const t = this.open.get(key);
      if (t) {
        t.path = f.path;
        t.labels = streamLabels(f.target, t.filename);
        t.retiring = false;
      } else {
        await this.openFile(key, f.path, f.target, initial && f.target.startAt === "end");
      }
    }
    for (const t of this.open.values()) {
      if (!found.has(t.key) && !t.retiring) {
        t.retiring = true;
        t.lastChangeMs = now;
        this.logger.debug({ path: t.path }, "log files: file no longer matched; reading to end");
      }
    }
    // Forget saved positions of files that no longer exist where they were last seen.
    for (const [key, p] of this.dormant) {
      const st = await stat(p.path, { bigint: true }).catch(() => undefined);
      if (!st || positionKey(st.dev, st.ino) !== key) {
        this.dormant.delete(key);
        this.dirty = true;
      }
    }
  }

  private async openFile(
    key: string,
    path: string,
    target: LogFilesTarget,
    startAtEnd: boolean,
  ): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(path, "r");
    } catch (err) {
      this.metrics.errors.inc({ kind: "read" });
      this.logger.warn({ err: errorMessage(err), path }, "log files: cannot open file");
      return;
    }
    const st = await fh.stat({ bigint: true });
    if (positionKey(st.dev, st.ino) !== key) {
      // Replaced between the glob and the open; the next sync sees the new file.
      await fh.close();
      this.syncDue = true;
      return;
    }
    const size = Number(st.size);
    let saved = this.dormant.get(key);
    this.dormant.delete(key);
    if (saved && saved.head !== "") {
      const len = Number(saved.head.slice(0, saved.head.indexOf(":")));
      const head = await readHead(fh, len).catch(() => undefined);
      if (head === undefined || headHash(head) !== saved.head) {
        this.logger.info({ path }, "log files: inode reused by another file; reading it as new");
        saved = undefined;
      }
    }
    let offset = saved?.offset ?? (startAtEnd ? size : 0);
    let skipping = saved?.skipping ?? false;
    let pending = saved?.pending;
    if (size < offset || (pending && size < pending.end)) {
      this.logger.info({ path, offset, size }, "log files: file shrank while stopped; from start");
      offset = 0;
      skipping = false;
      pending = undefined;
      this.dirty = true;
    }
    const filename = saved?.filename ?? path;
    this.open.set(key, {
      key,
      dev: String(st.dev),
      ino: String(st.ino),
      path,
      filename,
      labels: streamLabels(target, filename),
      fh,
      offset,
      skipping,
      head: saved?.head ?? "",
      headLen: saved ? Number(saved.head.slice(0, saved.head.indexOf(":"))) : 0,
      pending,
      partialAt: undefined,
      partialSinceMs: 0,
      retiring: false,
      lastSize: size,
      lastChangeMs: Date.now(),
    });
    this.metrics.watched.set(this.open.size);
    if (!saved) this.dirty = true;
    await this.refreshHead(this.open.get(key)!);
    this.logger.debug({ path, offset }, "log files: watching file");
  }

  /**
   * cycle reads one batch from the open files, commits it and advances positions. It returns
   * true when a batch limit cut reading short (more data is waiting).
   */
  private async cycle(signal: AbortSignal): Promise<boolean> {
    const o = this.options;
    const now = Date.now();
    let linesLeft = o.maxBatchLines;
    let bytesLeft = o.maxBatchBytes;
    let more = false;
    const ranges: Range[] = [];

    // Retiring files first: the lines of a rotated file precede those of its successor.
    const files = [...this.open.values()].sort((a, b) => Number(b.retiring) - Number(a.retiring));
    for (const t of files) {
      if (linesLeft <= 0 || bytesLeft <= 0) {
        more = true;
        break;
      }
      // Visited files go to the back of the queue, so that busy files cannot starve others.
      this.open.delete(t.key);
      this.open.set(t.key, t);
      if (!t.retiring) await this.checkRotated(t, now);
      let size: number;
      try {
        size = (await t.fh.stat()).size;
      } catch (err) {
        this.metrics.errors.inc({ kind: "read" });
        this.logger.warn({ err: errorMessage(err), path: t.path }, "log files: stat failed");
        continue;
      }
      if (size < t.offset) {
        // copytruncate (or any truncation): the file now holds new content from its start.
        this.logger.info({ path: t.path, offset: t.offset, size }, "log files: file truncated");
        t.offset = 0;
        t.skipping = false;
        t.head = "";
        t.headLen = 0;
        t.pending = undefined;
        t.partialAt = undefined;
        this.dirty = true;
      }
      if (size !== t.lastSize) {
        t.lastSize = size;
        t.lastChangeMs = now;
      }
      if (size <= t.offset) continue;

      let res: ScanResult;
      const replay = t.pending !== undefined;
      try {
        res = await scanLines(t.fh, {
          start: t.offset,
          skipping: t.skipping,
          maxLineBytes: o.maxLineBytes,
          buf: this.buf,
          ...(t.pending
            ? { limit: t.pending.end, maxLines: Infinity, maxBytes: Infinity }
            : {
                maxLines: linesLeft,
                maxBytes: bytesLeft,
                ...(t.partialAt !== undefined &&
                  now - t.partialSinceMs >= o.flushTimeoutMs && { flushFrom: t.partialAt }),
              }),
        });
      } catch (err) {
        this.metrics.errors.inc({ kind: "read" });
        this.logger.warn({ err: errorMessage(err), path: t.path }, "log files: read failed");
        continue;
      }
      if (res.partialAt === undefined) {
        t.partialAt = undefined;
      } else if (t.partialAt !== res.partialAt) {
        t.partialAt = res.partialAt;
        t.partialSinceMs = now;
      }
      if (res.lines.length > 0 || res.end !== t.offset) {
        ranges.push({ file: t, start: t.offset, res, replay });
      }
      linesLeft -= res.lines.length;
      bytesLeft -= res.lineBytes;
      if (res.more) more = true;
    }

    if (ranges.some((r) => r.res.lines.length > 0)) await this.commit(ranges, signal);
    for (const r of ranges) {
      const t = r.file;
      t.offset = r.res.end;
      t.skipping = r.res.skipping;
      t.pending = undefined;
      this.metrics.bytes.inc(r.res.end - r.start);
      this.metrics.lines.inc(r.res.lines.length);
      this.metrics.truncatedLines.inc(r.res.truncated);
      this.dirty = true;
      await this.refreshHead(t);
    }

    await this.closeRetired(now);
    if (!more && this.dirty) {
      try {
        await this.savePositions();
      } catch (err) {
        this.metrics.errors.inc({ kind: "positions" });
        this.logger.warn({ err: errorMessage(err) }, "log files: cannot save positions");
      }
    }
    return more;
  }

  /** refreshHead hashes the file's first bytes until HEAD_BYTES of them have been read. */
  private async refreshHead(t: Tracked): Promise<void> {
    if (t.headLen >= HEAD_BYTES || t.offset <= t.headLen) return;
    try {
      const head = await readHead(t.fh, Math.min(t.offset, HEAD_BYTES));
      t.head = headHash(head);
      t.headLen = head.length;
    } catch (err) {
      this.logger.debug({ err: errorMessage(err), path: t.path }, "log files: cannot read head");
    }
  }

  /** checkRotated marks a file as retiring when its path is gone or names another file. */
  private async checkRotated(t: Tracked, now: number): Promise<void> {
    const st = await stat(t.path, { bigint: true }).catch(() => undefined);
    if (st && positionKey(st.dev, st.ino) === t.key) return;
    t.retiring = true;
    t.lastChangeMs = now;
    // A new file at the path is picked up by the next sync, which is brought forward.
    this.syncDue = true;
    this.logger.debug({ path: t.path }, "log files: file rotated or deleted; reading to end");
  }

  /**
   * commit writes the intent (ranges and timestamps) to the positions file, then commits the
   * entries, retrying both with backoff until they succeed or the tailer stops.
   */
  private async commit(ranges: Range[], signal: AbortSignal): Promise<void> {
    const nowNs = this.nowNs();
    const streams: { labels: Labels; entries: LogEntry[] }[] = [];
    for (const r of ranges) {
      const t = r.file;
      const n = r.res.lines.length;
      if (n === 0) continue;
      const labelRecord = r.replay && t.pending ? t.pending.labels : t.labels;
      const labels = labelsFromRecord(labelRecord);
      const streamKey = labelsKey(labels);
      const last = this.lastTsNs.get(streamKey);
      let tsNs: bigint;
      if (r.replay && t.pending) {
        tsNs = t.pending.tsNs;
      } else {
        tsNs = last !== undefined && last >= nowNs ? last + 1n : nowNs;
        t.pending = { end: r.res.end, tsNs, labels: labelRecord, skipAfter: r.res.skipping };
      }
      const lastOfRange = tsNs + BigInt(n - 1);
      if (last === undefined || lastOfRange > last) this.lastTsNs.set(streamKey, lastOfRange);
      const entries = r.res.lines.map((line, i): LogEntry => ({
        tsNs: tsNs + BigInt(i),
        line,
        metadata: EMPTY_LABELS,
      }));
      streams.push({ labels, entries });
    }
    this.pruneLastTs(nowNs);

    await this.retry(signal, "positions", () => this.savePositions());
    await this.retry(signal, "commit", async () => {
      const store = this.opts.logs();
      if (!store) throw new Error("log storage is not open");
      const app = store.logAppender();
      try {
        for (const s of streams) app.append(s.labels, s.entries);
        await app.commit();
      } catch (err) {
        try {
          app.rollback();
        } catch {
          // The appender is spent; nothing to undo.
        }
        throw err;
      }
    });
  }

  /** retry runs fn until it resolves, waiting min_backoff doubling to max_backoff between. */
  private async retry(
    signal: AbortSignal,
    kind: "commit" | "positions",
    fn: () => Promise<void>,
  ): Promise<void> {
    let backoffMs = this.options.minBackoffMs;
    for (;;) {
      try {
        await fn();
        return;
      } catch (err) {
        this.metrics.errors.inc({ kind });
        this.logger.warn(
          { err: errorMessage(err), retryInMs: backoffMs },
          kind === "commit"
            ? "log files: commit to log storage failed; retrying"
            : "log files: cannot save positions; retrying",
        );
      }
      if (signal.aborted) throw new StoppedError();
      await this.sleep(backoffMs, signal);
      if (signal.aborted) throw new StoppedError();
      backoffMs = Math.min(backoffMs * 2, this.options.maxBackoffMs);
    }
  }

  /** closeRetired closes retiring files that were read to their end and stayed unchanged. */
  private async closeRetired(now: number): Promise<void> {
    for (const t of [...this.open.values()]) {
      if (!t.retiring || t.pending || t.partialAt !== undefined || t.lastSize > t.offset) continue;
      if (now - t.lastChangeMs < this.options.flushTimeoutMs) continue;
      this.open.delete(t.key);
      await t.fh.close().catch(() => {});
      this.metrics.watched.set(this.open.size);
      this.dirty = true;
      const st = await stat(t.path, { bigint: true }).catch(() => undefined);
      if (st && positionKey(st.dev, st.ino) === t.key) {
        // Still there, just no longer matched: keep the position in case it is matched again.
        this.dormant.set(t.key, toPosition(t));
      }
      this.logger.debug({ path: t.path }, "log files: closed file");
    }
  }

  private pruneLastTs(nowNs: bigint): void {
    if (this.lastTsNs.size <= 2 * this.open.size + 64) return;
    for (const [k, ts] of this.lastTsNs) if (ts < nowNs) this.lastTsNs.delete(k);
  }

  private async savePositions(): Promise<void> {
    const all: Position[] = [...this.dormant.values()];
    for (const t of this.open.values()) all.push(toPosition(t));
    this.dirty = false;
    try {
      await writePositions(this.opts.positionsFile, all);
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }
}

function toPosition(t: Tracked): Position {
  return {
    dev: t.dev,
    ino: t.ino,
    path: t.path,
    filename: t.filename,
    offset: t.offset,
    skipping: t.skipping,
    head: t.head,
    ...(t.pending && { pending: t.pending }),
  };
}

/** streamLabels returns a target's labels plus the filename label. */
function streamLabels(target: LogFilesTarget, filename: string): Record<string, string> {
  return { ...target.labels, [FILENAME_LABEL]: filename };
}

/**
 * globTarget lists the files matching a target's patterns, minus its exclusions. An exclusion
 * without "/" matches base names at any depth; one with "/" matches absolute paths.
 */
async function globTarget(target: LogFilesTarget): Promise<string[]> {
  const fromRoot = (p: string): string => p.replace(/^\/+/, "");
  return glob(target.paths.map(fromRoot), {
    cwd: "/",
    absolute: true,
    ignore: target.exclude.map((p) => (p.includes("/") ? fromRoot(p) : `**/${p}`)),
    dot: true,
    expandDirectories: false,
    onlyFiles: true,
  });
}

/** readHead reads the first `len` bytes of a file (fewer if it is shorter). */
async function readHead(fh: FileHandle, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let n = 0;
  while (n < len) {
    const { bytesRead } = await fh.read(buf, n, len - n, n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return buf.subarray(0, n);
}
