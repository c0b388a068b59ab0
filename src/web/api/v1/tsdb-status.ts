// The cardinality statistics of /api/v1/status/tsdb. Prometheus computes them from the postings
// of its in-memory head block (tsdb/index/postings.go MemPostings.Stats); Vigil has no head, so
// they are computed from the series that have samples in the last HEAD_WINDOW_MS.
import { METRIC_NAME } from "../../../model/labels/index.ts";
import type { Storage } from "../../../storage/index.ts";
import { RawJson } from "./json.ts";

/** HEAD_WINDOW_MS is the time range standing in for Prometheus's head block (2h). */
export const HEAD_WINDOW_MS = 2 * 3600_000;

/** TsdbStat is one entry of a top-N list. */
export interface TsdbStat {
  name: string;
  value: number;
}

/** TsdbStatus is the data of /api/v1/status/tsdb. */
export interface TsdbStatus {
  headStats: {
    numSeries: number;
    numLabelPairs: number;
    chunkCount: number;
    minTime: number | RawJson;
    maxTime: number | RawJson;
  };
  seriesCountByMetricName: TsdbStat[];
  labelValueCountByLabelName: TsdbStat[];
  memoryInBytesByLabelName: TsdbStat[];
  seriesCountByLabelValuePair: TsdbStat[];
}

// An empty Prometheus head reports math.MaxInt64 / math.MinInt64, beyond what a double holds.
const EMPTY_MIN_TIME = new RawJson("9223372036854775807");
const EMPTY_MAX_TIME = new RawJson("-9223372036854775808");

const encoder = new TextEncoder();

/** topN sorts counts descending (ties by name) and keeps the first limit. */
function topN(counts: Map<string, number>, limit: number): TsdbStat[] {
  return [...counts]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
}

function inc(m: Map<string, number>, k: string, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/**
 * tsdbStatus computes the statistics over the series with samples in [nowMs - HEAD_WINDOW_MS,
 * maxtMs]: series per metric name, distinct values per label name, bytes of label values per
 * label name (each value's UTF-8 length times the series holding it, as upstream counts them),
 * and series per label pair; each list the top `limit`.
 */
export async function tsdbStatus(
  storage: Storage,
  nowMs: number,
  maxtMs: number,
  limit: number,
): Promise<TsdbStatus> {
  const mintMs = nowMs - HEAD_WINDOW_MS;
  const [series, stats] = await Promise.all([
    storage.querier(mintMs, maxtMs).select([], { seriesOnly: true }),
    storage.stats(),
  ]);
  const byMetric = new Map<string, number>();
  const pairs = new Map<string, number>();
  const valuesByName = new Map<string, Set<string>>();
  const bytesByName = new Map<string, number>();
  for (const s of series) {
    for (const l of s.labels) {
      if (l.name === METRIC_NAME) inc(byMetric, l.value);
      inc(pairs, `${l.name}=${l.value}`);
      let vs = valuesByName.get(l.name);
      if (!vs) valuesByName.set(l.name, (vs = new Set()));
      vs.add(l.value);
      inc(bytesByName, l.name, encoder.encode(l.value).length);
    }
  }
  const valueCounts = new Map([...valuesByName].map(([n, vs]) => [n, vs.size]));
  const empty = series.length === 0 || stats.minTimeMs === null || stats.maxTimeMs === null;
  return {
    headStats: {
      numSeries: series.length,
      numLabelPairs: pairs.size,
      // Vigil keeps no chunks in memory; ClickHouse stores columns.
      chunkCount: 0,
      minTime: empty ? EMPTY_MIN_TIME : Math.max(stats.minTimeMs!, mintMs),
      maxTime: empty ? EMPTY_MAX_TIME : stats.maxTimeMs!,
    },
    seriesCountByMetricName: topN(byMetric, limit),
    labelValueCountByLabelName: topN(valueCounts, limit),
    memoryInBytesByLabelName: topN(bytesByName, limit),
    seriesCountByLabelValuePair: topN(pairs, limit),
  };
}
