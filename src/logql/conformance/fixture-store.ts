// A tiny in-memory LogQuerier for the conformance runner and the engine tests. It implements
// the storage/logs.ts contract (matchers, [startNs, endNs), line filters, order, limit) in the
// simplest way; the real stores live in src/storage.
import { RE2JS } from "re2js";
import type { Labels, Matcher } from "../../model/labels/index.ts";
import type {
  LineFilter,
  LogQuerier,
  LogRow,
  LogSelect,
  LogStats,
  LogVolume,
} from "../../storage/logs.ts";

/** FixtureEntry is one entry of a fixture stream. */
export interface FixtureEntry {
  readonly tsNs: bigint;
  readonly line: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** FixtureStream is a stream with its entries. */
export interface FixtureStream {
  readonly labels: Readonly<Record<string, string>>;
  readonly entries: readonly FixtureEntry[];
}

function toLabels(r: Readonly<Record<string, string>>, keepEmpty = false): Labels {
  return Object.keys(r)
    .filter((k) => keepEmpty || r[k] !== "")
    .sort()
    .map((name) => ({ name, value: r[name]! }));
}

function matchesAll(ms: readonly Matcher[], ls: Labels): boolean {
  return ms.every((m) => m.matches(ls.find((l) => l.name === m.name)?.value ?? ""));
}

function lineFilterFn(f: LineFilter): (line: string) => boolean {
  if (f.op === "|=" || f.op === "!=") {
    const any = (line: string): boolean => f.values.some((v) => line.includes(v));
    return f.op === "|=" ? any : (line) => !any(line);
  }
  const res = f.values.map((v) => RE2JS.compile(v));
  const any = (line: string): boolean => res.some((r) => r.test(line));
  return f.op === "|~" ? any : (line) => !any(line);
}

/** FixtureQuerier serves fixed streams. */
export class FixtureQuerier implements LogQuerier {
  private readonly data: { labels: Labels; rows: LogRow[] }[];

  constructor(streams: readonly FixtureStream[]) {
    this.data = streams.map((s) => {
      const labels = toLabels(s.labels);
      const rows = s.entries
        .map((e): LogRow => ({
          stream: labels,
          tsNs: e.tsNs,
          line: e.line,
          metadata: toLabels(e.metadata ?? {}, true),
        }))
        .sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
      return { labels, rows };
    });
  }

  async *select(q: LogSelect): AsyncIterable<readonly LogRow[]> {
    const filters = (q.lineFilters ?? []).map(lineFilterFn);
    let rows: LogRow[] = [];
    for (const s of this.data) {
      if (!matchesAll(q.matchers, s.labels)) continue;
      for (const r of s.rows) {
        if (r.tsNs < q.startNs || r.tsNs >= q.endNs) continue;
        if (!filters.every((f) => f(r.line))) continue;
        rows.push(r);
      }
    }
    if (q.order !== "stream") {
      rows.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
      if (q.order === "backward") rows.reverse();
    }
    if (q.limit) rows = rows.slice(0, q.limit);
    yield rows;
  }

  streams(matchers: readonly Matcher[], startNs: bigint, endNs: bigint): Promise<Labels[]> {
    return Promise.resolve(
      this.data
        .filter((s) => matchesAll(matchers, s.labels))
        .filter((s) => s.rows.some((r) => r.tsNs >= startNs && r.tsNs < endNs))
        .map((s) => s.labels),
    );
  }

  async labelNames(
    startNs: bigint,
    endNs: bigint,
    matchers?: readonly Matcher[],
  ): Promise<string[]> {
    const ls = await this.streams(matchers ?? [], startNs, endNs);
    return [...new Set(ls.flatMap((l) => l.map((x) => x.name)))].sort();
  }

  async labelValues(
    name: string,
    startNs: bigint,
    endNs: bigint,
    matchers?: readonly Matcher[],
  ): Promise<string[]> {
    const ls = await this.streams(matchers ?? [], startNs, endNs);
    return [
      ...new Set(ls.flatMap((l) => l.filter((x) => x.name === name).map((x) => x.value))),
    ].sort();
  }

  async stats(matchers: readonly Matcher[], startNs: bigint, endNs: bigint): Promise<LogStats> {
    let streams = 0;
    let entries = 0;
    let bytes = 0;
    for (const s of this.data) {
      if (!matchesAll(matchers, s.labels)) continue;
      const rows = s.rows.filter((r) => r.tsNs >= startNs && r.tsNs < endNs);
      if (rows.length === 0) continue;
      streams++;
      entries += rows.length;
      for (const r of rows) bytes += Buffer.byteLength(r.line);
    }
    return { streams, chunks: streams, entries, bytes };
  }

  async volume(): Promise<LogVolume[]> {
    return [];
  }
}
