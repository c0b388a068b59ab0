// The PromQL engine, after prometheus promql/engine.go (v3.5) Engine: it parses a query,
// prepares it (durations, `@`, step invariants), reads the series every selector needs from
// storage (series selection and time filtering happen there, in SQL for ClickHouse), evaluates
// and shapes the result. It limits concurrency, time and memory per query.
import { compareLabels } from "../../model/labels/index.ts";
import { documentedType, exprType, inspect, parseExpr } from "../parser/index.ts";
import type { Expr, VectorSelector } from "../parser/index.ts";
import { Annotations } from "./annotations.ts";
import type { EngineOptions, QueryOptions, QueryResult, QueryStats, Queryable } from "./api.ts";
import { QueryError, canceledError, timeoutError } from "./errors.ts";
import { Evaluator, isStringValue } from "./evaluator.ts";
import type { QueryContext, RawSeries } from "./evaluator.ts";
import { histogramStatsSelector, statsSeries } from "./histogram-stats.ts";
import { Prepared } from "./preprocess.ts";
import type { QueryValue } from "./value.ts";

const DEFAULTS = {
  lookbackDeltaMs: 5 * 60_000,
  maxSamples: 50_000_000,
  timeoutMs: 2 * 60_000,
  maxConcurrent: 20,
  noStepSubqueryIntervalMs: 60_000,
  enableDelayedNameRemoval: false,
};

/** Engine evaluates PromQL queries against a Queryable. */
export class Engine {
  readonly opts: Required<EngineOptions>;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(opts: EngineOptions = {}) {
    this.opts = { ...DEFAULTS, ...stripUndefined(opts) };
  }

  /** activeQueries is the number of queries being evaluated now. */
  get activeQueries(): number {
    return this.#active;
  }

  /** instantQuery evaluates query at tMs. */
  async instantQuery(
    q: Queryable,
    query: string,
    tMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const expr = parseQuery(query);
    return this.#run(q, expr, tMs, tMs, 0, opts);
  }

  /** rangeQuery evaluates query at startMs, startMs+stepMs, ..., <= endMs. */
  async rangeQuery(
    q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const expr = parseQuery(query);
    const t = exprType(expr);
    if (t !== "vector" && t !== "scalar") {
      throw new QueryError(
        "bad_data",
        `invalid expression type "${documentedType(t)}" for range query, must be Scalar or instant Vector`,
      );
    }
    if (stepMs <= 0)
      throw new QueryError(
        "bad_data",
        "zero or negative query resolution step widths are not accepted. Try a positive integer",
      );
    if (endMs < startMs)
      throw new QueryError("bad_data", "end timestamp must not be before start time");
    return this.#run(q, expr, startMs, endMs, stepMs, opts);
  }

  async #acquire(signal: AbortSignal | undefined, deadline: number): Promise<void> {
    if (this.#active < this.opts.maxConcurrent) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const i = this.#waiting.indexOf(go);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(timeoutError("query queue"));
        },
        Math.max(0, deadline - Date.now()),
      );
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(go);
        if (i >= 0) this.#waiting.splice(i, 1);
        clearTimeout(timer);
        reject(canceledError("query queue"));
      };
      const go = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#active++;
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(go);
    });
  }

  #release(): void {
    this.#active--;
    const next = this.#waiting.shift();
    if (next) next();
  }

  async #run(
    q: Queryable,
    expr: Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions,
  ): Promise<QueryResult> {
    const t0 = performance.now();
    const timeout = Math.min(opts.timeoutMs ?? this.opts.timeoutMs, this.opts.timeoutMs);
    const deadline = Date.now() + timeout;
    await this.#acquire(opts.signal, deadline);
    const queued = performance.now() - t0;
    try {
      return await this.#exec(q, expr, startMs, endMs, stepMs, opts, deadline, queued);
    } finally {
      this.#release();
    }
  }

  async #exec(
    q: Queryable,
    expr: Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions,
    deadline: number,
    queueTimeMs: number,
  ): Promise<QueryResult> {
    const t0 = performance.now();
    const lookbackDeltaMs =
      opts.lookbackDeltaMs && opts.lookbackDeltaMs > 0
        ? opts.lookbackDeltaMs
        : this.opts.lookbackDeltaMs;
    const prepared = new Prepared(expr, startMs, endMs);
    const series = await this.#select(
      q,
      prepared,
      startMs,
      endMs,
      lookbackDeltaMs,
      opts.signal,
      deadline,
    );
    const statsOnly = histogramStatsSelector(expr);
    const statsSource = statsOnly && series.get(statsOnly);
    if (statsOnly && statsSource) series.set(statsOnly, statsSource.map(statsSeries));
    prepared.setOffsetForAtModifier(startMs, expr);
    const ctx: QueryContext = {
      prepared,
      series,
      lookbackDeltaMs,
      maxSamples: this.opts.maxSamples,
      noStepSubqueryIntervalMs: this.opts.noStepSubqueryIntervalMs,
      enableDelayedNameRemoval: this.opts.enableDelayedNameRemoval,
      deadline,
      signal: opts.signal,
      currentSamples: 0,
      peakSamples: 0,
      totalSamples: 0,
      lastYield: performance.now(),
    };
    const annos = new Annotations();
    const instant = stepMs === 0;
    const ev = new Evaluator(ctx, startMs, endMs, instant ? 1 : stepMs);
    let v;
    try {
      v = await ev.evalTop(expr, annos);
    } catch (err) {
      if (err instanceof QueryError) {
        err.annotations = annos.merge(err.annotations);
        throw err;
      }
      if (err instanceof RangeError) {
        // Deep recursion or an allocation failure in the evaluator.
        throw new QueryError("execution", `unexpected error: ${err.message}`, annos);
      }
      throw err;
    }
    let total = 0;
    for (const s of series.values()) {
      for (const x of s) total += x.timestamps.length + (x.histograms?.values.length ?? 0);
    }
    const stats: QueryStats = {
      totalQueryableSamples: total,
      peakSamples: ctx.peakSamples,
      execTimeMs: performance.now() - t0 + queueTimeMs,
      queueTimeMs,
    };
    let value: QueryValue;
    if (isStringValue(v)) {
      value = { type: "string", string: v };
    } else if (!instant) {
      v.sort((a, b) => compareLabels(a.metric, b.metric));
      value = { type: "matrix", matrix: v };
    } else {
      switch (exprType(expr)) {
        case "vector":
          value = {
            type: "vector",
            vector: v.map((s) =>
              s.histograms.length > 0
                ? {
                    metric: s.metric,
                    t: startMs,
                    f: 0,
                    h: s.histograms[0]!.h,
                    dropName: s.dropName,
                  }
                : { metric: s.metric, t: startMs, f: s.floats[0]!.f, dropName: s.dropName },
            ),
          };
          break;
        case "scalar":
          value = { type: "scalar", scalar: { t: startMs, f: v[0]?.floats[0]?.f ?? NaN } };
          break;
        default:
          v.sort((a, b) => compareLabels(a.metric, b.metric));
          value = { type: "matrix", matrix: v };
      }
    }
    return { value, annotations: annos, stats };
  }

  /** #select reads the series of every selector, each over the time range it needs. */
  async #select(
    q: Queryable,
    prepared: Prepared,
    startMs: number,
    endMs: number,
    lookbackDeltaMs: number,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<Map<VectorSelector, RawSeries[]>> {
    const ranges = prepared.selectorRanges(startMs, endMs, lookbackDeltaMs);
    const out = new Map<VectorSelector, RawSeries[]>();
    const timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const jobs: Promise<void>[] = [];
    // Identical selectors over identical ranges are read once.
    const shared = new Map<string, Promise<RawSeries[]>>();
    for (const [vs, r] of ranges) {
      const key = `${r.mint}:${r.maxt}:${vs.matchers.map((m) => `${m.name}${m.type}${m.value}`).join("\u0000")}`;
      let p = shared.get(key);
      if (!p) {
        p = q.querier(r.mint, r.maxt).select(vs.matchers, { signal: combined }) as Promise<
          RawSeries[]
        >;
        shared.set(key, p);
      }
      jobs.push(
        p.then((s) => {
          out.set(vs, s);
        }),
      );
    }
    try {
      await Promise.all(jobs);
    } catch (err) {
      if (signal?.aborted) throw canceledError("query preparation");
      if (timeout.aborted) throw timeoutError("query preparation");
      throw err;
    }
    return out;
  }
}

/** parseQuery parses a query, turning syntax errors into bad_data errors. */
function parseQuery(query: string): Expr {
  try {
    return parseExpr(query);
  } catch (err) {
    if (err instanceof Error) throw new QueryError("bad_data", err.message);
    throw err;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** selectorsOf lists the vector selectors of expr (for tests and tools). */
export function selectorsOf(expr: Expr): VectorSelector[] {
  const out: VectorSelector[] = [];
  inspect(expr, (n) => {
    if (n.type === "VectorSelector") out.push(n);
  });
  return out;
}
