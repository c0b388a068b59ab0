// Runs parsed promqltest scripts against a PromQL engine and an in-memory storage, after
// prometheus promql/promqltest/test.go (exec, execEval, execInstantEval, runInstantQuery,
// execRangeEval, atModifierTestCases). Unlike upstream, a failing eval does not stop the report:
// every eval gets its own verdict, and a failing load fails the evals after it.
import type { FloatHistogram } from "../../model/histogram/index.ts";
import { TempHistogram } from "../../model/histogram/index.ts";
import { METRIC_NAME, getLabel, labelsFromPairs, labelsKey } from "../../model/labels/index.ts";
import type { Labels } from "../../model/labels/index.ts";
import { STALE_NAN } from "../../model/value/index.ts";
import type { Appender, SeriesRef, Storage } from "../../storage/index.ts";
import { parseGoFloat } from "../engine/functions/go-compat.ts";
import { MemoryStorage } from "../../storage/memory/index.ts";
import type { EngineOptions, QueryOptions, QueryResult, Queryable } from "../engine/api.ts";
import type { Sample, Vector } from "../engine/value.ts";
import { exprToString, extractSelectors, inspect, parseExpr } from "../parser/index.ts";
import {
  assertMatrixSorted,
  checkAnnotations,
  checkExpectedFailure,
  compareResult,
} from "./compare.ts";
import type { EvalCommand, LoadCommand, Script, TimeRange } from "./script.ts";

/**
 * PromQLEngine is the part of the engine (src/promql/engine Engine) the runner uses. Both methods
 * reject with the error whose message `expect fail msg:` is compared with.
 */
export interface PromQLEngine {
  instantQuery(q: Queryable, query: string, tMs: number, opts?: QueryOptions): Promise<QueryResult>;
  rangeQuery(
    q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): Promise<QueryResult>;
}

/**
 * SCRIPT_ENGINE_OPTIONS is the engine configuration the scripts assume (upstream NewTestEngine as
 * TestEvaluations uses it): lookback 5m, 10,000 samples, 100s timeout, 1m default subquery step,
 * delayed name removal.
 */
export const SCRIPT_ENGINE_OPTIONS: EngineOptions = {
  lookbackDeltaMs: 5 * 60_000,
  maxSamples: 10_000,
  timeoutMs: 100_000,
  noStepSubqueryIntervalMs: 60_000,
  enableDelayedNameRemoval: true,
};

/** RunOptions tune runScript. */
export interface RunOptions {
  /**
   * stepInvariance re-runs instant evals with `@ <eval time>` on every selector and subquery at
   * other evaluation times (default true).
   */
  stepInvariance?: boolean;
  /** rangeMode re-runs instant evals as a range query around the eval time (default true). */
  rangeMode?: boolean;
  /** nativeHistograms counts every eval as a native-histogram eval (native_histograms.test). */
  nativeHistograms?: boolean;
  /** newStorage makes an empty storage; the default is a MemoryStorage. */
  newStorage?: () => Storage;
}

/** EvalStatus is the verdict on one eval. */
export type EvalStatus = "passed" | "failed" | "skipped";

/** EvalResult is the verdict on one eval of a script. */
export interface EvalResult {
  line: number;
  expr: string;
  status: EvalStatus;
  /**
   * native marks evals about native histograms: a selector of the query selects a series that
   * got histogram samples since the last clear (load_with_nhcb's converted series included), the
   * expectations hold histograms, or the whole script is about them. They are tallied apart.
   */
  native: boolean;
  /** reason says why the eval failed or was skipped. */
  reason?: string;
}

/**
 * UNSAFE_AT_FUNCTIONS are the functions whose result depends on the evaluation time even with
 * fixed inputs (upstream promql.AtModifierUnsafeFunctions); expressions calling them are not
 * re-checked for step invariance.
 */
const UNSAFE_AT_FUNCTIONS: ReadonlySet<string> = new Set([
  "days_in_month",
  "day_of_month",
  "day_of_week",
  "day_of_year",
  "hour",
  "minute",
  "month",
  "year",
  "predict_linear",
  "time",
  "timestamp",
  "start",
  "end",
  "range",
  "step",
]);

// Expressions whose value differs between an instant query and a range query around it.
const RANGE_DEPENDENT = /\b(?:start|end|range|step)\(\)/;

/**
 * withAtModifier returns expr re-printed with `@ <tMs>` on every selector and subquery that has
 * none (leaving alone the inside of a subquery that has one), or undefined when expr calls a
 * function in UNSAFE_AT_FUNCTIONS (upstream atModifierTestCases).
 */
export function withAtModifier(expr: string, tMs: number): string | undefined {
  const root = parseExpr(expr);
  let unsafe = false;
  inspect(root, (node, path) => {
    if (path.some((p) => p.type === "SubqueryExpr" && p.timestampMs !== undefined)) return;
    switch (node.type) {
      case "VectorSelector":
        node.timestampMs ??= tMs;
        break;
      case "MatrixSelector":
        node.vectorSelector.timestampMs ??= tMs;
        break;
      case "SubqueryExpr":
        node.timestampMs ??= tMs;
        break;
      case "Call":
        if (UNSAFE_AT_FUNCTIONS.has(node.func.name)) unsafe = true;
        break;
      default:
        break;
    }
  });
  return unsafe ? undefined : exprToString(root);
}

/** stepInvarianceTimes are the extra evaluation times for the step invariance check. */
export function stepInvarianceTimes(tMs: number): number[] {
  if (tMs === 0) return [-1000, 0, 1000];
  return [-10 * tMs, 0, Math.trunc(tMs / 5), tMs, 10 * tMs];
}

type Outcome = { ok: true; result: QueryResult } | { ok: false; message: string };

async function attempt(run: () => Promise<QueryResult>): Promise<Outcome> {
  try {
    return { ok: true, result: await run() };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

function hasHistograms(values: readonly { kind: string }[]): boolean {
  return values.some((v) => v.kind === "histogram");
}

/**
 * runScript executes script's commands in order against engine, with a fresh storage at the
 * start and at every `clear`, and returns a verdict per eval.
 */
export async function runScript(
  script: Script,
  engine: PromQLEngine,
  options: RunOptions = {},
): Promise<EvalResult[]> {
  const runner = new ScriptRunner(engine, options);
  try {
    return await runner.run(script);
  } finally {
    await runner.close();
  }
}

class ScriptRunner {
  readonly #engine: PromQLEngine;
  readonly #newStorage: () => Storage;
  readonly #stepInvariance: boolean;
  readonly #rangeMode: boolean;
  readonly #nativeFile: boolean;
  #storage: Storage;
  /** histogramSeries are the label sets that got histogram samples since the last clear. */
  #histogramSeries: Labels[] = [];
  #loadFailure: string | undefined;

  constructor(engine: PromQLEngine, options: RunOptions) {
    this.#engine = engine;
    this.#newStorage = options.newStorage ?? (() => new MemoryStorage());
    this.#stepInvariance = options.stepInvariance ?? true;
    this.#rangeMode = options.rangeMode ?? true;
    this.#nativeFile = options.nativeHistograms ?? false;
    this.#storage = this.#newStorage();
  }

  async run(script: Script): Promise<EvalResult[]> {
    const results: EvalResult[] = [];
    for (const cmd of script.commands) {
      switch (cmd.kind) {
        case "clear":
          await this.#storage.close();
          this.#storage = this.#newStorage();
          this.#histogramSeries = [];
          break;
        case "load":
          if (this.#loadFailure === undefined) await this.#load(cmd);
          break;
        case "eval": {
          const native =
            this.#nativeFile ||
            cmd.series.some((s) => hasHistograms(s.values)) ||
            this.#touchesHistograms(cmd.expr);
          const base = { line: cmd.line, expr: cmd.expr, native };
          if (this.#loadFailure !== undefined) {
            results.push({ ...base, status: "failed", reason: `not run: ${this.#loadFailure}` });
            break;
          }
          let reason: string | undefined;
          try {
            reason =
              cmd.query.type === "range"
                ? await this.#evalRange(cmd)
                : await this.#evalInstant(cmd);
          } catch (err) {
            reason = `runner error: ${err instanceof Error ? err.message : String(err)}`;
          }
          results.push(
            reason === undefined
              ? { ...base, status: "passed" }
              : { ...base, status: "failed", reason },
          );
          break;
        }
      }
    }
    return results;
  }

  async close(): Promise<void> {
    await this.#storage.close();
  }

  // touchesHistograms reports whether a selector of expr selects a series that has histogram
  // samples: such an eval counts as a native-histogram eval.
  #touchesHistograms(expr: string): boolean {
    if (this.#histogramSeries.length === 0) return false;
    let selectors: ReturnType<typeof extractSelectors>;
    try {
      selectors = extractSelectors(parseExpr(expr));
    } catch {
      return false;
    }
    return selectors.some((ms) =>
      this.#histogramSeries.some((ls) => ms.every((m) => m.matches(getLabel(ls, m.name)))),
    );
  }

  // load appends the samples of a load block: floats and stale markers with append, native
  // histograms with appendHistogram. load_with_nhcb then converts the block's classic
  // histograms into native histograms with custom buckets (see appendNhcb). Series with
  // histogram samples are recorded: evals that select them count as native.
  async #load(cmd: LoadCommand): Promise<void> {
    for (const s of cmd.series) {
      if (hasHistograms(s.values)) this.#histogramSeries.push(s.labels);
    }
    const app = this.#storage.appender();
    try {
      for (const s of cmd.series) {
        let ref = 0;
        s.values.forEach((v, i) => {
          const tMs = i * cmd.stepMs;
          if (v.kind === "float") ref = app.append(ref, s.labels, tMs, v.value);
          else if (v.kind === "stale") ref = app.append(ref, s.labels, tMs, STALE_NAN);
          else if (v.kind === "histogram")
            ref = appendHistogramTo(app, ref, s.labels, tMs, v.histogram);
        });
      }
      if (cmd.withNhcb) {
        for (const ls of appendNhcb(app, cmd)) this.#histogramSeries.push(ls);
      }
      await app.commit();
    } catch (err) {
      app.rollback();
      this.#loadFailure = `load at line ${cmd.line} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  async #evalRange(ev: EvalCommand): Promise<string | undefined> {
    const r = ev.query as { type: "range" } & TimeRange;
    const out = await attempt(() =>
      this.#engine.rangeQuery(this.#storage, ev.expr, r.startMs, r.endMs, r.stepMs),
    );
    if (!out.ok) {
      if (ev.fail) return checkExpectedFailure(ev, out.message);
      return `error evaluating query: ${out.message}`;
    }
    if (ev.fail) return "expected error evaluating query but got none";
    return (
      checkAnnotations(ev, out.result.annotations, ev.expr) ??
      compareResult(ev, out.result.value, r)
    );
  }

  // evalInstant runs an instant eval, then its step-invariance variants. With `expect range
  // vector` the query runs at the range's end, as upstream does (evalCmd.eval).
  async #evalInstant(ev: EvalCommand): Promise<string | undefined> {
    const tMs = ev.rangeVector ? ev.rangeVector.endMs : (ev.query as { timeMs: number }).timeMs;
    const runs: { expr: string; tMs: number; label: string }[] = [
      { expr: ev.expr, tMs, label: "" },
    ];
    if (this.#stepInvariance) {
      let atExpr: string | undefined;
      try {
        atExpr = withAtModifier(ev.expr, tMs);
      } catch (err) {
        return `step invariance: cannot add @ modifiers: ${(err as Error).message}`;
      }
      if (atExpr !== undefined) {
        for (const t of stepInvarianceTimes(tMs)) {
          runs.push({ expr: atExpr, tMs: t, label: `step invariance (${atExpr} at ${t}ms): ` });
        }
      }
    }
    for (const run of runs) {
      const reason = await this.#instantRun(ev, run.expr, run.tMs);
      if (reason !== undefined) return run.label + reason;
    }
    return undefined;
  }

  async #instantRun(ev: EvalCommand, expr: string, tMs: number): Promise<string | undefined> {
    const out = await attempt(() => this.#engine.instantQuery(this.#storage, expr, tMs));
    if (!out.ok) {
      if (ev.fail) return checkExpectedFailure(ev, out.message);
      return `error evaluating query: ${out.message}`;
    }
    if (ev.fail) return "expected error evaluating query but got none";
    const { value, annotations } = out.result;
    const range = ev.rangeVector ?? { startMs: tMs, endMs: tMs, stepMs: 0 };
    const bad = checkAnnotations(ev, annotations, expr) ?? compareResult(ev, value, range);
    if (bad !== undefined) return bad;

    // Range-mode consistency: the same expression as a range query around tMs must have the
    // same value at tMs. Range vectors and strings cannot be range query results, and
    // start()/end()/range()/step() legitimately differ between the two modes.
    if (!this.#rangeMode || ev.rangeVector || ev.expectedString !== undefined) return undefined;
    if (RANGE_DEPENDENT.test(expr)) return undefined;
    const ranged = await attempt(() =>
      this.#engine.rangeQuery(this.#storage, expr, tMs - 60_000, tMs + 60_000, 60_000),
    );
    if (!ranged.ok) return `range mode: error evaluating query: ${ranged.message}`;
    // Range results are sorted by labels, so an expected order cannot be checked.
    if (ev.ordered) return undefined;
    const rv = ranged.result.value;
    if (rv.type !== "matrix") return `range mode: expected a matrix, got a ${rv.type}`;
    const unsorted = assertMatrixSorted(rv.matrix);
    if (unsorted !== undefined) return `range mode: ${unsorted}`;
    const vec: Vector = [];
    for (const s of rv.matrix) {
      const p = s.floats.find((p) => p.t === tMs);
      if (p) vec.push({ metric: s.metric, t: p.t, f: p.f, dropName: false } satisfies Sample);
      const hp = s.histograms.find((p) => p.t === tMs);
      if (hp) vec.push({ metric: s.metric, t: hp.t, f: 0, h: hp.h, dropName: false });
    }
    let rangeBad: string | undefined;
    if (value.type === "scalar") {
      rangeBad =
        vec.length === 0
          ? `no point at t=${tMs}ms in the range result`
          : compareResult(ev, { type: "scalar", scalar: { t: tMs, f: vec[0]!.f } }, range);
    } else {
      rangeBad = compareResult(ev, { type: "vector", vector: vec }, range);
    }
    return rangeBad === undefined ? undefined : `range mode: ${rangeBad}`;
  }
}

/**
 * appendHistogramTo appends a native histogram sample, failing clearly when the storage engine
 * cannot store native histograms (Appender.appendHistogram is optional).
 */
function appendHistogramTo(
  app: Appender,
  ref: SeriesRef,
  labels: Labels,
  tMs: number,
  h: FloatHistogram,
): SeriesRef {
  if (app.appendHistogram === undefined) {
    throw new Error("the storage engine does not support native histograms");
  }
  return app.appendHistogram(ref, labels, tMs, h);
}

/**
 * appendNhcb converts the classic histograms of a load_with_nhcb block into native histograms
 * with custom buckets and appends them under the base metric name, without `le` (upstream
 * loadCmd.appendCustomHistogram): `<base>_bucket` series with a parsable, non-NaN `le` give the
 * buckets, `<base>_count` the count and `<base>_sum` the sum, grouped by the remaining labels
 * and by timestamp. Histogram and stale samples of those series are left out. Returns the label
 * sets of the series it appended to; throws when a conversion fails.
 */
function appendNhcb(app: Appender, cmd: LoadCommand): Labels[] {
  const groups = new Map<string, { labels: Labels; byTs: Map<number, TempHistogram> }>();
  for (const s of cmd.series) {
    const name = getLabel(s.labels, METRIC_NAME);
    const m = /^(.*)_(bucket|count|sum)$/s.exec(name);
    if (m === null) continue;
    const [, base, suffix] = m;
    let le = 0;
    if (suffix === "bucket") {
      const parsed = parseGoFloat(getLabel(s.labels, "le"));
      if (parsed === null || Number.isNaN(parsed)) continue;
      le = parsed;
    }
    const labels = labelsFromPairs([
      ...s.labels.filter((l) => l.name !== "le" && l.name !== METRIC_NAME),
      { name: METRIC_NAME, value: base! },
    ]);
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { labels, byTs: new Map() }));
    s.values.forEach((v, i) => {
      // Upstream feeds every float sample, the staleness marker included, to the conversion.
      if (v.kind !== "float" && v.kind !== "stale") return;
      const f = v.kind === "float" ? v.value : STALE_NAN;
      const tMs = i * cmd.stepMs;
      let th = g.byTs.get(tMs);
      if (th === undefined) g.byTs.set(tMs, (th = new TempHistogram()));
      if (suffix === "bucket") th.setBucketCount(le, f);
      else if (suffix === "count") th.setCount(f);
      else th.setSum(f);
    });
  }
  const out: Labels[] = [];
  for (const g of groups.values()) {
    let ref = 0;
    for (const tMs of [...g.byTs.keys()].sort((a, b) => a - b)) {
      const h = g.byTs.get(tMs)!.convert();
      h.validate();
      ref = appendHistogramTo(app, ref, g.labels, tMs, h);
    }
    out.push(g.labels);
  }
  return out;
}
