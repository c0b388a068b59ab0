// Pure helpers of the Logs page: merging Loki streams into one list of lines, the log volume
// query, the live-tail WebSocket URL and Loki's nanosecond timestamps.
import type { LokiStream, TailMessage } from "../../api/responseTypes/loki.ts";
import { formatDuration } from "../../lib/time.ts";

/** LogLine is one entry with the labels of its stream. */
export interface LogLine {
  /** tsNs is the timestamp in nanoseconds, as Loki writes it (a decimal string). */
  readonly tsNs: string;
  readonly line: string;
  readonly labels: Record<string, string>;
  /** streamIndex tells streams apart (colour bar). */
  readonly streamIndex: number;
}

/** Direction is Loki's ordering: newest first (backward) or oldest first (forward). */
export type Direction = "backward" | "forward";

function compareNs(a: string, b: string): number {
  // Same-length decimal strings compare as text; pad so that older, shorter ones compare too.
  const pa = a.padStart(24, "0");
  const pb = b.padStart(24, "0");
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/** mergeStreams flattens streams into lines ordered by time in direction, at most limit lines. */
export function mergeStreams(
  streams: readonly LokiStream[],
  direction: Direction,
  limit = Infinity,
): LogLine[] {
  const out: LogLine[] = [];
  streams.forEach((s, streamIndex) => {
    for (const [tsNs, line] of s.values) out.push({ tsNs, line, labels: s.stream, streamIndex });
  });
  out.sort((a, b) =>
    direction === "backward" ? compareNs(b.tsNs, a.tsNs) : compareNs(a.tsNs, b.tsNs),
  );
  return out.length > limit ? out.slice(0, limit) : out;
}

/** nsToMs converts a nanosecond timestamp string to milliseconds (sub-ms digits dropped). */
export function nsToMs(ns: string): number {
  return ns.length <= 6 ? 0 : Number(ns.slice(0, -6));
}

/** msToNs converts milliseconds to a nanosecond timestamp string. */
export function msToNs(ms: number): string {
  return `${Math.floor(ms)}000000`;
}

/**
 * volumeQuery is the metric query that counts a log query's lines per step, for the volume
 * histogram: `sum(count_over_time(<query> [<step>]))`.
 */
export function volumeQuery(logQuery: string, stepMs: number): string {
  return `sum(count_over_time(${logQuery.trim()} [${formatDuration(Math.max(stepMs, 1000))}]))`;
}

/** tailUrl is the live-tail WebSocket URL for a page at origin (http → ws, https → wss). */
export function tailUrl(origin: string, query: string, startMs: number, limit: number): string {
  const u = new URL("/loki/api/v1/tail", origin);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.searchParams.set("query", query);
  u.searchParams.set("start", msToNs(startMs));
  u.searchParams.set("limit", String(limit));
  return u.toString();
}

/** TailState is what the live tail shows: the newest lines first, and the entries dropped. */
export interface TailState {
  readonly lines: readonly LogLine[];
  readonly dropped: number;
}

/**
 * applyTailMessage adds the entries of one tail message to state, newest first, keeping at most
 * max lines. Stream indexes (colours) stay stable by stream labels across messages.
 */
export function applyTailMessage(
  state: TailState,
  msg: TailMessage,
  max: number,
  streamIndexes: Map<string, number>,
): TailState {
  const streams = msg.streams ?? [];
  const fresh = mergeStreams(streams, "backward").map((l) => {
    const key = JSON.stringify(Object.entries(l.labels).sort());
    let i = streamIndexes.get(key);
    if (i === undefined) {
      i = streamIndexes.size;
      streamIndexes.set(key, i);
    }
    return { ...l, streamIndex: i };
  });
  const dropped = state.dropped + (msg.dropped_entries?.length ?? 0);
  if (fresh.length === 0) return dropped === state.dropped ? state : { ...state, dropped };
  return { lines: [...fresh, ...state.lines].slice(0, max), dropped };
}

/**
 * tailFailureMessage words why the live tail could not start, from the answer to the same URL
 * over plain HTTP (a browser does not expose a refused WebSocket handshake's answer): Vigil
 * checks the query before the upgrade and answers 400 with the reason.
 */
export function tailFailureMessage(status: number, body: string): string {
  const text = body.trim();
  if (status === 400 && text !== "" && !/websocket/i.test(text)) {
    return `The server refused the live tail: ${text}`;
  }
  if (status === 404) return "This Vigil does not serve the live tail (/loki/api/v1/tail).";
  if (status >= 500) return `The live tail failed on the server: ${status} ${text}`.trim();
  return "The live tail connection failed.";
}

/** LogsState is the Logs page's URL state. */
export interface LogsState {
  readonly query: string;
  /** range, start and end are a relative or absolute range (lib/time.ts RangeSpec). */
  readonly range: string;
  readonly start: string;
  readonly end: string;
  readonly limit: number;
  readonly direction: Direction;
}

/** DEFAULT_LOGS is the state of a fresh Logs page. */
export const DEFAULT_LOGS: LogsState = {
  query: "",
  range: "1h",
  start: "",
  end: "",
  limit: 1000,
  direction: "backward",
};

/** decodeLogs reads the Logs page's state from a query string. */
export function decodeLogs(search: string): LogsState {
  const q = new URLSearchParams(search);
  const limit = Number(q.get("limit"));
  return {
    query: q.get("query") ?? "",
    range: q.get("range") || DEFAULT_LOGS.range,
    start: q.get("start") ?? "",
    end: q.get("end") ?? "",
    limit: Number.isInteger(limit) && limit > 0 && limit <= 5000 ? limit : DEFAULT_LOGS.limit,
    direction: q.get("direction") === "forward" ? "forward" : "backward",
  };
}

/** encodeLogs writes the state as a query string (defaults left out). */
export function encodeLogs(s: LogsState): string {
  const q = new URLSearchParams();
  if (s.query !== "") q.set("query", s.query);
  if (s.range !== DEFAULT_LOGS.range) q.set("range", s.range);
  if (s.start !== "") q.set("start", s.start);
  if (s.end !== "") q.set("end", s.end);
  if (s.limit !== DEFAULT_LOGS.limit) q.set("limit", String(s.limit));
  if (s.direction !== DEFAULT_LOGS.direction) q.set("direction", s.direction);
  return q.toString();
}
