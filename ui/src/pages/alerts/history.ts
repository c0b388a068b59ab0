// Pure helpers of the alert history (GET /api/vigil/alerts/history): the selector of one
// alert's changes, and its changes turned into spans of time in one state.
import type { AlertHistoryEntry } from "../../api/responseTypes/vigil.ts";
import { formatMatchers } from "../../lib/matchers.ts";

/**
 * alertSelector is the series selector that picks one alert's history: an equality matcher per
 * label (the history series carry the alert's labels, alertname included).
 */
export function alertSelector(labels: Record<string, string>): string {
  return formatMatchers(
    Object.keys(labels)
      .sort()
      .map((name) => ({ name, type: "=" as const, value: labels[name]! })),
  );
}

/** HistorySpan is a stretch of time in one state; toMs is undefined for the current state. */
export interface HistorySpan {
  readonly state: string;
  readonly fromMs: number;
  readonly toMs: number | undefined;
}

/**
 * historySpans turns one alert's state changes (any order) into spans, newest first: each
 * change lasts until the next one; the last lasts until now (toMs undefined).
 */
export function historySpans(entries: readonly AlertHistoryEntry[]): HistorySpan[] {
  const sorted = [...entries].sort((a, b) => a.timestamp - b.timestamp);
  return sorted
    .map((e, i) => ({
      state: e.state,
      fromMs: Math.round(e.timestamp * 1000),
      toMs: i + 1 < sorted.length ? Math.round(sorted[i + 1]!.timestamp * 1000) : undefined,
    }))
    .reverse();
}

/** HISTORY_RANGES are the look-back choices of the history (Prometheus durations). */
export const HISTORY_RANGES = ["1h", "6h", "24h", "7d"] as const;
