// Loki's query API (/loki/api/v1/query_range, /query, /tail), as documented by Grafana Loki.
import type { MatrixSeries } from "../../lib/series.ts";

/** LokiStream is one stream of a "streams" result: [nanosecond timestamp string, line]. */
export interface LokiStream {
  readonly stream: Record<string, string>;
  readonly values: [string, string][];
}

/** LokiQueryResult is the data of a Loki query. */
export type LokiQueryResult =
  | { readonly resultType: "streams"; readonly result: LokiStream[]; readonly stats?: unknown }
  | { readonly resultType: "matrix"; readonly result: MatrixSeries[]; readonly stats?: unknown }
  | {
      readonly resultType: "vector";
      readonly result: { metric: Record<string, string>; value: [number, string] }[];
      readonly stats?: unknown;
    };

/** TailMessage is one message of the /loki/api/v1/tail WebSocket. */
export interface TailMessage {
  readonly streams?: LokiStream[];
  readonly dropped_entries?: { labels: Record<string, string>; timestamp: string }[] | null;
}
