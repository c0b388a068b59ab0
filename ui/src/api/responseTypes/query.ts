// /api/v1/query and /api/v1/query_range results.
import type { MatrixSeries } from "../../lib/series.ts";

/** InstantSample is one series of a "vector" result. */
export interface InstantSample {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  readonly histogram?: [number, unknown];
}

/** QueryResult is the data of a query: a discriminated union on resultType. */
export type QueryResult =
  | { readonly resultType: "vector"; readonly result: InstantSample[] }
  | { readonly resultType: "matrix"; readonly result: MatrixSeries[] }
  | { readonly resultType: "scalar"; readonly result: [number, string] }
  | { readonly resultType: "string"; readonly result: [number, string] };
