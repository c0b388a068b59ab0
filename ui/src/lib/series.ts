// Conversion of Prometheus range-query results into uPlot's columnar data.
import { formatSeriesName, parseSampleValue } from "./format.ts";

/** MatrixSeries is one series of a "matrix" result: [Unix seconds, "value"] pairs. */
export interface MatrixSeries {
  readonly metric: Record<string, string>;
  readonly values?: readonly (readonly [number, string])[];
}

/** PlotData is uPlot's AlignedData plus the series names, in the same order. */
export interface PlotData {
  /** data[0] is the x axis in Unix seconds; data[i + 1] are series i's values or null. */
  readonly data: [number[], ...(number | null)[][]];
  readonly names: string[];
}

/**
 * toPlotData aligns series on the step grid from startMs to endMs (both inclusive, as
 * query_range evaluates them): a missing point is null, so uPlot draws a gap. With stacked,
 * each series holds the running sum of itself and the series before it (missing points count 0
 * in the sum but stay null in their own series). Points off the grid snap to the nearest step.
 */
export function toPlotData(
  series: readonly MatrixSeries[],
  range: { startMs: number; endMs: number; stepMs: number },
  stacked = false,
): PlotData {
  const { startMs, endMs, stepMs } = range;
  const n = stepMs > 0 ? Math.floor((endMs - startMs) / stepMs) + 1 : 0;
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push((startMs + i * stepMs) / 1000);
  const ys: (number | null)[][] = [];
  const names: string[] = [];
  const sums = new Array<number>(n).fill(0);
  for (const s of series) {
    const y = new Array<number | null>(n).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t * 1000 - startMs) / stepMs);
      if (i < 0 || i >= n) continue;
      const num = parseSampleValue(v);
      y[i] = Number.isFinite(num) ? num : null;
    }
    if (stacked) {
      for (let i = 0; i < n; i++) {
        sums[i]! += y[i] ?? 0;
        if (y[i] !== null) y[i] = sums[i]!;
      }
    }
    ys.push(y);
    names.push(formatSeriesName(s.metric));
  }
  return { data: [xs, ...ys], names };
}

/** PALETTE holds the series colours (readable on light and dark backgrounds). */
export const PALETTE = [
  "#3b82f6",
  "#22c55e",
  "#f59e0b",
  "#ef4444",
  "#a855f7",
  "#14b8a6",
  "#ec4899",
  "#84cc16",
  "#f97316",
  "#06b6d4",
  "#8b5cf6",
  "#eab308",
];

/** seriesColor picks a colour for the i-th series. */
export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
