// Test doubles for the runner's tests: an engine answering from a function, and a minimal
// engine that evaluates bare selectors and numbers against the storage (enough to exercise
// loads, clears, `@` injection and range-mode checks end to end). Not part of the public API.
import { isStaleNaN } from "../../model/value/index.ts";
import { Annotations } from "../engine/annotations.ts";
import type { QueryResult, Queryable } from "../engine/api.ts";
import type { Matrix, QueryValue, Series, Vector } from "../engine/value.ts";
import type { Expr } from "../parser/index.ts";
import { parseExpr } from "../parser/index.ts";
import type { PromQLEngine } from "./runner.ts";

/** FakeCall describes one query the runner made. */
export interface FakeCall {
  kind: "instant" | "range";
  query: string;
  tMs: number;
  endMs?: number;
  stepMs?: number;
}

/** FakeAnswer is what a FakeEngine handler returns: a value, optionally with annotations. */
export interface FakeAnswer {
  value: QueryValue;
  annotations?: Annotations;
}

const NO_STATS = { totalQueryableSamples: 0, peakSamples: 0, execTimeMs: 0, queueTimeMs: 0 };

/**
 * FakeEngine answers every query with handler(call); a thrown error becomes the query's error.
 * `calls` records the queries made.
 */
export class FakeEngine implements PromQLEngine {
  readonly calls: FakeCall[] = [];
  readonly #handler: (call: FakeCall) => FakeAnswer;

  constructor(handler: (call: FakeCall) => FakeAnswer) {
    this.#handler = handler;
  }

  async instantQuery(_q: Queryable, query: string, tMs: number): Promise<QueryResult> {
    return this.#answer({ kind: "instant", query, tMs });
  }

  async rangeQuery(
    _q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<QueryResult> {
    return this.#answer({ kind: "range", query, tMs: startMs, endMs, stepMs });
  }

  #answer(call: FakeCall): QueryResult {
    this.calls.push(call);
    const a = this.#handler(call);
    return { value: a.value, annotations: a.annotations ?? new Annotations(), stats: NO_STATS };
  }
}

const LOOKBACK_MS = 5 * 60_000;

/**
 * SelectorEngine evaluates only number literals, vector selectors (floats and native
 * histograms) and matrix selectors of floats (with `@`), with a 5m lookback and staleness
 * markers ending a series; anything else fails with "unsupported expression".
 */
export class SelectorEngine implements PromQLEngine {
  async instantQuery(q: Queryable, query: string, tMs: number): Promise<QueryResult> {
    const value = await evalAt(q, parseExpr(query), tMs);
    return { value, annotations: new Annotations(), stats: NO_STATS };
  }

  async rangeQuery(
    q: Queryable,
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<QueryResult> {
    const expr = parseExpr(query);
    const byKey = new Map<string, Series>();
    for (let t = startMs; t <= endMs; t += stepMs) {
      const v = await evalAt(q, expr, t);
      const samples =
        v.type === "scalar"
          ? [{ metric: [], f: v.scalar.f }]
          : v.type === "vector"
            ? v.vector
            : undefined;
      if (!samples) throw new Error(`invalid expression type for range query: ${v.type}`);
      for (const s of samples) {
        const key = JSON.stringify(s.metric);
        let series = byKey.get(key);
        if (!series) {
          series = { metric: s.metric, floats: [], histograms: [], dropName: false };
          byKey.set(key, series);
        }
        const h = "h" in s ? s.h : undefined;
        if (h !== undefined) series.histograms.push({ t, h });
        else series.floats.push({ t, f: s.f });
      }
      if (stepMs <= 0) break;
    }
    const matrix: Matrix = [...byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map((e) => e[1]);
    return { value: { type: "matrix", matrix }, annotations: new Annotations(), stats: NO_STATS };
  }
}

async function evalAt(q: Queryable, expr: Expr, tMs: number): Promise<QueryValue> {
  switch (expr.type) {
    case "NumberLiteral":
      return { type: "scalar", scalar: { t: tMs, f: expr.value } };
    case "VectorSelector": {
      const ref = (expr.timestampMs ?? tMs) - expr.originalOffsetMs;
      const vector: Vector = [];
      for (const s of await q.querier(ref - LOOKBACK_MS + 1, ref).select(expr.matchers)) {
        const last = s.timestamps.length - 1;
        const hs = s.histograms;
        const hlast = (hs?.timestamps.length ?? 0) - 1;
        if (hs && hlast >= 0 && (last < 0 || hs.timestamps[hlast]! > s.timestamps[last]!)) {
          const h = hs.values[hlast]!;
          if (!isStaleNaN(h.sum))
            vector.push({ metric: s.labels, t: tMs, f: 0, h, dropName: false });
          continue;
        }
        if (last < 0 || isStaleNaN(s.values[last]!)) continue;
        vector.push({ metric: s.labels, t: tMs, f: s.values[last]!, dropName: false });
      }
      return { type: "vector", vector };
    }
    case "MatrixSelector": {
      const vs = expr.vectorSelector;
      const ref = (vs.timestampMs ?? tMs) - vs.originalOffsetMs;
      const matrix: Matrix = [];
      for (const s of await q.querier(ref - expr.rangeMs + 1, ref).select(vs.matchers)) {
        const floats = [];
        for (let i = 0; i < s.timestamps.length; i++) {
          if (!isStaleNaN(s.values[i]!)) floats.push({ t: s.timestamps[i]!, f: s.values[i]! });
        }
        if (floats.length > 0)
          matrix.push({ metric: s.labels, floats, histograms: [], dropName: false });
      }
      return { type: "matrix", matrix };
    }
    case "ParenExpr":
      return evalAt(q, expr.expr, tMs);
    default:
      throw new Error(`unsupported expression ${expr.type}`);
  }
}
