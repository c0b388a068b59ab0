import type { Labels, Matcher } from "../../model/labels/index.ts";
import { compareLabels, labelsKey } from "../../model/labels/index.ts";
import { StorageClosedError } from "../errors.ts";
import type {
  LogAppender,
  LogEntry,
  LogQuerier,
  LogRow,
  LogSelect,
  LogStats,
  LogStore,
} from "../logs.ts";
import { linesToEntries } from "../logs.ts";
import { matchesAll } from "../select.ts";
import {
  DAY_NS,
  compareBigints,
  compareForward,
  compareStrings,
  compileLineFilters,
  utf8Length,
  validateLogAppend,
  validateLogLines,
  groupVolume,
} from "./logs-common.ts";

/** MemoryLogStoreOptions tune a MemoryLogStore. */
export interface MemoryLogStoreOptions {
  /** batchRows: most rows in one batch that `select` yields (default 1000). */
  readonly batchRows?: number;
  /** isClosed reports whether the owning Storage is closed; operations then fail. */
  readonly isClosed?: () => boolean;
}

interface MemStream {
  readonly labels: Labels;
  /** entries sorted by (tsNs, line), without duplicates. */
  entries: LogEntry[];
}

/**
 * MemoryLogStore keeps log streams in process memory, for tests and tools. Entries are kept
 * sorted by (timestamp, line) per stream; an entry equal in timestamp and line to a stored one
 * is dropped. It follows the same ordering rules as the ClickHouse store (logs-validate.ts).
 */
export class MemoryLogStore implements LogStore {
  private readonly streams = new Map<string, MemStream>();
  private readonly batchRows: number;
  private readonly isClosed: () => boolean;

  constructor(opts: MemoryLogStoreOptions = {}) {
    this.batchRows = Math.max(1, opts.batchRows ?? 1000);
    this.isClosed = opts.isClosed ?? (() => false);
  }

  private checkOpen(): void {
    if (this.isClosed()) throw new StorageClosedError();
  }

  logAppender(): LogAppender {
    const pending = new Map<string, { labels: Labels; entries: LogEntry[] }>();
    let done = false;
    const use = () => {
      this.checkOpen();
      if (done) throw new Error("log appender already committed or rolled back");
    };
    const append = (labels: Labels, entries: readonly LogEntry[]): void => {
      use();
      validateLogAppend(labels, entries);
      const key = labelsKey(labels);
      let p = pending.get(key);
      if (!p) pending.set(key, (p = { labels, entries: [] }));
      // Copies: the caller may reuse its objects after append.
      for (const e of entries) {
        p.entries.push({ tsNs: e.tsNs, line: e.line, metadata: e.metadata.slice() });
      }
    };
    return {
      append,
      appendLines: (labels, lines) => {
        use();
        validateLogLines(labels, lines);
        append(labels, linesToEntries(lines));
      },
      commit: async () => {
        use();
        done = true;
        for (const [key, p] of pending) {
          let s = this.streams.get(key);
          if (!s) this.streams.set(key, (s = { labels: p.labels, entries: [] }));
          s.entries = mergeEntries(s.entries, p.entries);
        }
        pending.clear();
      },
      rollback: () => {
        done = true;
        pending.clear();
      },
    };
  }

  logQuerier(): LogQuerier {
    return {
      select: (q) => this.select(q),
      streams: async (matchers, startNs, endNs) => {
        this.checkOpen();
        return this.matching(matchers, startNs, endNs).map((m) => m.s.labels);
      },
      labelNames: async (startNs, endNs, matchers) => {
        this.checkOpen();
        const names = new Set<string>();
        for (const m of this.matching(matchers ?? [], startNs, endNs)) {
          for (const l of m.s.labels) names.add(l.name);
        }
        return [...names].sort(compareStrings);
      },
      labelValues: async (name, startNs, endNs, matchers) => {
        this.checkOpen();
        const values = new Set<string>();
        for (const m of this.matching(matchers ?? [], startNs, endNs)) {
          for (const l of m.s.labels) if (l.name === name) values.add(l.value);
        }
        return [...values].sort(compareStrings);
      },
      stats: async (matchers, startNs, endNs) => {
        this.checkOpen();
        let entries = 0;
        let bytes = 0;
        let chunks = 0;
        const ms = this.matching(matchers, startNs, endNs);
        for (const { s, lo, hi } of ms) {
          let lastDay = -1n;
          for (let i = lo; i < hi; i++) {
            const e = s.entries[i]!;
            entries++;
            bytes += utf8Length(e.line);
            const day = e.tsNs / DAY_NS;
            if (day !== lastDay) chunks++;
            lastDay = day;
          }
        }
        const st: LogStats = { streams: ms.length, chunks, entries, bytes };
        return st;
      },
      volume: async (matchers, startNs, endNs, targetLabels, limit) => {
        this.checkOpen();
        const perStream = this.matching(matchers, startNs, endNs).map(({ s, lo, hi }) => {
          let bytes = 0;
          for (let i = lo; i < hi; i++) bytes += utf8Length(s.entries[i]!.line);
          return { labels: s.labels, bytes };
        });
        return groupVolume(perStream, matchers, targetLabels, limit);
      },
    };
  }

  /** matching lists the streams that match and have entries in [startNs, endNs), sorted. */
  private matching(
    matchers: readonly Matcher[],
    startNs: bigint,
    endNs: bigint,
  ): { s: MemStream; lo: number; hi: number }[] {
    const out: { s: MemStream; lo: number; hi: number }[] = [];
    for (const s of this.streams.values()) {
      if (!matchesAll(s.labels, matchers)) continue;
      const lo = lowerBoundTs(s.entries, startNs);
      const hi = lowerBoundTs(s.entries, endNs, lo);
      if (hi > lo) out.push({ s, lo, hi });
    }
    out.sort((a, b) => compareLabels(a.s.labels, b.s.labels));
    return out;
  }

  private async *select(q: LogSelect): AsyncGenerator<readonly LogRow[]> {
    this.checkOpen();
    q.signal?.throwIfAborted();
    const keep = compileLineFilters(q.lineFilters ?? []);
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity;
    const rows: LogRow[] = [];
    for (const { s, lo, hi } of this.matching(q.matchers, q.startNs, q.endNs)) {
      for (let i = lo; i < hi; i++) {
        const e = s.entries[i]!;
        if (keep(e.line))
          rows.push({ tsNs: e.tsNs, line: e.line, metadata: e.metadata, stream: s.labels });
      }
    }
    // Streams come sorted by labels and each stream's entries by (tsNs, line), which is the
    // `stream` order already; the other orders sort across streams.
    if (q.order === "forward") rows.sort(compareForward);
    else if (q.order === "backward") rows.sort((a, b) => compareForward(b, a));
    const n = Math.min(rows.length, limit);
    for (let i = 0; i < n; i += this.batchRows) {
      q.signal?.throwIfAborted();
      this.checkOpen();
      yield rows.slice(i, Math.min(n, i + this.batchRows));
    }
  }
}

/** lowerBoundTs returns the first index whose entry has tsNs >= ts. */
function lowerBoundTs(entries: readonly LogEntry[], ts: bigint, lo = 0): number {
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.tsNs < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function compareEntries(a: LogEntry, b: LogEntry): number {
  return compareBigints(a.tsNs, b.tsNs) || compareStrings(a.line, b.line);
}

/** mergeEntries returns stored entries plus new ones, sorted, duplicates (ts, line) dropped. */
function mergeEntries(stored: LogEntry[], added: LogEntry[]): LogEntry[] {
  added.sort(compareEntries);
  const last = stored[stored.length - 1];
  const all =
    last === undefined || (added.length > 0 && compareEntries(last, added[0]!) < 0)
      ? stored.concat(added)
      : stored.concat(added).sort(compareEntries);
  const out: LogEntry[] = [];
  for (const e of all) {
    const prev = out[out.length - 1];
    if (prev && prev.tsNs === e.tsNs && prev.line === e.line) continue;
    out.push(e);
  }
  return out;
}
