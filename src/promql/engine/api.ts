// The engine's public contract: options, the storage it reads and what a query returns.
import type { Querier } from "../../storage/index.ts";
import type { Annotations } from "./annotations.ts";
import type { QueryValue } from "./value.ts";

/** Queryable is where the engine reads series from (a Storage satisfies it). */
export interface Queryable {
  querier(mintMs: number, maxtMs: number): Querier;
}

/** EngineOptions configures an Engine; every field has Prometheus's default. */
export interface EngineOptions {
  /** lookbackDeltaMs: how far back an instant selector looks for a sample (5m). */
  readonly lookbackDeltaMs?: number;
  /** maxSamples: samples a query may hold in memory at once (50,000,000). */
  readonly maxSamples?: number;
  /** timeoutMs: a query's time budget (2m). */
  readonly timeoutMs?: number;
  /** maxConcurrent: queries evaluated at once; more wait in line (20). */
  readonly maxConcurrent?: number;
  /** noStepSubqueryIntervalMs: the step of `[5m:]` subqueries (the global evaluation interval, 1m). */
  readonly noStepSubqueryIntervalMs?: number;
  /** enableDelayedNameRemoval: Prometheus's `promql-delayed-name-removal` feature (off). */
  readonly enableDelayedNameRemoval?: boolean;
}

/** QueryOptions tune one query. */
export interface QueryOptions {
  /** lookbackDeltaMs overrides the engine's lookback delta for this query (0: engine's). */
  readonly lookbackDeltaMs?: number;
  /** signal cancels the query; it then fails with errorType "canceled". */
  readonly signal?: AbortSignal;
  /** timeoutMs lowers the engine's timeout for this query. */
  readonly timeoutMs?: number;
}

/** QueryStats are the numbers `stats=all` reports. */
export interface QueryStats {
  readonly totalQueryableSamples: number;
  readonly peakSamples: number;
  readonly execTimeMs: number;
  readonly queueTimeMs: number;
}

/**
 * QueryResult is a finished query. A range query's value is always a matrix (sorted by labels);
 * an instant query's value has the expression's type.
 */
export interface QueryResult {
  readonly value: QueryValue;
  readonly annotations: Annotations;
  readonly stats: QueryStats;
}
