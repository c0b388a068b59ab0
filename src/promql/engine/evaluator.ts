// The PromQL evaluator, after prometheus promql/engine.go (v3.5) `evaluator`: every node is
// evaluated for all steps of the query at once and yields a Matrix (one series per output label
// set, one point per step that has a value), or a string. Instant queries are range queries
// with one step.
import type { FloatHistogram } from "../../model/histogram/index.ts";
import { METRIC_NAME, getLabel } from "../../model/labels/index.ts";
import type { Labels } from "../../model/labels/index.ts";
import { isStaleNaN } from "../../model/value/index.ts";
// HistogramSamples is not re-exported by storage/index.ts yet; the seam is in interface.ts.
import type { HistogramSamples } from "../../storage/interface.ts";
import type {
  AggregateExpr,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  SubqueryExpr,
  VectorSelector,
} from "../parser/index.ts";
import { exprType, goQuote } from "../parser/index.ts";
import {
  aggregate,
  aggregateCountValues,
  aggregateK,
  newCursors,
  newFParams,
} from "./aggregate.ts";
import {
  invalidQuantileWarning as invalidQuantile,
  invalidRatioWarning as invalidRatio,
  possibleNonCounterInfo,
} from "./annotations.ts";
import type { Annotations } from "./annotations.ts";
import {
  scalarBinop,
  vectorAnd,
  vectorBinop,
  vectorOr,
  vectorScalarBinop,
  vectorUnless,
} from "./binop.ts";
import {
  QueryError,
  canceledError,
  evalError,
  timeoutError,
  tooManySamplesError,
} from "./errors.ts";
import type { EvalNodeHelper, FunctionCall } from "./functions.ts";
import {
  FUNCTION_CALLS,
  dropMetadataLabels as dropMetricName,
  labelsForAbsent,
} from "./functions/index.ts";
import { keyOf, setLabel, signatureOf } from "./labels.ts";
import type { Prepared } from "./preprocess.ts";
import {
  compileLabelRegex,
  expandRegexTemplate,
  isValidUtf8LabelName,
} from "../../model/regex/index.ts";
import type {
  FPoint,
  FunctionValue,
  HPoint,
  Matrix,
  Series,
  StringValue,
  Vector,
} from "./value.ts";
import { hpointSize, matrixTotalSamples, totalHPointSize, vectorTotalSamples } from "./value.ts";

/**
 * RawSeries is a selected series as storage returned it: floats (which may hold stale markers)
 * and, optionally, native histograms (a histogram whose sum is the stale NaN is a marker).
 */
export interface RawSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly histograms?: HistogramSamples | undefined;
}

const NO_HISTOGRAMS: HistogramSamples = { timestamps: new Float64Array(0), values: [] };

function histogramsOf(s: RawSeries): HistogramSamples {
  return s.histograms ?? NO_HISTOGRAMS;
}

/** isStaleHistogram reports whether h is a staleness marker. */
function isStaleHistogram(h: FloatHistogram): boolean {
  return isStaleNaN(h.sum);
}

/** newSeries is an output series without points. */
export function newSeries(metric: Labels, dropName: boolean): Series {
  return { metric, floats: [], histograms: [], dropName };
}

/** EvalValue is what evaluating a node yields. */
export type EvalValue = Matrix | StringValue;

/** QueryContext is shared by an evaluator and the evaluators of its subqueries. */
export interface QueryContext {
  readonly prepared: Prepared;
  readonly series: ReadonlyMap<VectorSelector, RawSeries[]>;
  readonly lookbackDeltaMs: number;
  readonly maxSamples: number;
  readonly noStepSubqueryIntervalMs: number;
  readonly enableDelayedNameRemoval: boolean;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** currentSamples is the number of samples held in memory right now. */
  currentSamples: number;
  peakSamples: number;
  totalSamples: number;
  lastYield: number;
}

const ENV = "query execution";

/** isString tells a string result from a matrix. */
export function isStringValue(v: EvalValue): v is StringValue {
  return !Array.isArray(v);
}

function asMatrix(v: EvalValue): Matrix {
  if (isStringValue(v)) throw new QueryError("internal", "unexpected string value");
  return v;
}

function unwrapParens(e: Expr): Expr {
  while (e.type === "ParenExpr") e = e.expr;
  return e;
}

/** Evaluator evaluates expressions over the steps start, start+interval, ..., <= end (ms). */
export class Evaluator {
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly ctx: QueryContext;

  constructor(ctx: QueryContext, start: number, end: number, interval: number) {
    this.ctx = ctx;
    this.start = start;
    this.end = end;
    this.interval = interval;
  }

  get numSteps(): number {
    return Math.floor((this.end - this.start) / this.interval) + 1;
  }

  /** check fails the query when it timed out or was canceled, and yields to the event loop. */
  async check(): Promise<void> {
    this.checkSync();
    const now = performance.now();
    if (now - this.ctx.lastYield > 20) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.ctx.lastYield = performance.now();
      this.checkSync();
    }
  }

  checkSync(): void {
    if (this.ctx.signal?.aborted) throw canceledError("expression evaluation");
    if (Date.now() > this.ctx.deadline) throw timeoutError("expression evaluation");
  }

  addSamples(n: number): void {
    const c = this.ctx;
    c.currentSamples += n;
    if (c.currentSamples > c.peakSamples) c.peakSamples = c.currentSamples;
    if (c.currentSamples > c.maxSamples) throw tooManySamplesError(ENV);
  }

  /** evalTop evaluates the whole query and applies delayed name removal. */
  async evalTop(expr: Expr, annos: Annotations): Promise<EvalValue> {
    const v = await this.eval(expr, annos);
    if (this.ctx.enableDelayedNameRemoval && !isStringValue(v)) {
      for (const s of v) if (s.dropName) s.metric = dropMetricName(s.metric);
      if (containsSameLabelset(v))
        throw evalError("vector cannot contain metrics with the same labelset");
    }
    return v;
  }

  async eval(expr: Expr, annos: Annotations): Promise<EvalValue> {
    await this.check();
    if (this.end < this.start) return [];
    if (this.ctx.prepared.invariant.has(expr)) return this.evalStepInvariant(expr, annos);
    return this.evalNode(expr, annos);
  }

  async evalStepInvariant(expr: Expr, annos: Annotations): Promise<EvalValue> {
    if (expr.type === "StringLiteral" || expr.type === "NumberLiteral") {
      return this.evalNode(expr, annos);
    }
    const sub = new Evaluator(this.ctx, this.start, this.start, this.interval);
    const res = await sub.evalNode(expr, annos);
    const inner = unwrapParens(expr);
    if (inner.type === "MatrixSelector" || inner.type === "SubqueryExpr") return res;
    if (isStringValue(res)) return res;
    for (const s of res) {
      if (s.floats.length + s.histograms.length !== 1) {
        throw new QueryError("internal", "unexpected number of samples");
      }
      if (s.floats.length === 1) {
        const f = s.floats[0]!.f;
        for (let ts = this.start + this.interval; ts <= this.end; ts += this.interval) {
          s.floats.push({ t: ts, f });
          this.addSamples(1);
        }
      } else {
        const h = s.histograms[0]!.h;
        const size = hpointSize(h);
        for (let ts = this.start + this.interval; ts <= this.end; ts += this.interval) {
          s.histograms.push({ t: ts, h });
          this.addSamples(size);
        }
      }
    }
    return res;
  }

  async evalNode(expr: Expr, annos: Annotations): Promise<EvalValue> {
    switch (expr.type) {
      case "AggregateExpr":
        return this.evalAggregate(expr, annos);
      case "Call":
        return this.evalCall(expr, annos);
      case "ParenExpr":
        return this.eval(expr.expr, annos);
      case "UnaryExpr": {
        const mat = asMatrix(await this.eval(expr.expr, annos));
        if (expr.op === "-") {
          for (const s of mat) {
            if (!this.ctx.enableDelayedNameRemoval) s.metric = dropMetricName(s.metric);
            s.dropName = true;
            for (const p of s.floats) p.f = -p.f;
            for (const p of s.histograms) p.h = p.h.copy().mul(-1);
          }
          if (!this.ctx.enableDelayedNameRemoval && containsSameLabelset(mat)) {
            throw evalError("vector cannot contain metrics with the same labelset");
          }
        }
        return mat;
      }
      case "BinaryExpr":
        return this.evalBinary(expr, annos);
      case "NumberLiteral": {
        const v = expr.value;
        return this.rangeEval(annos, null, [], (_v, _h, out) => {
          out.push({ metric: [], t: 0, f: v, dropName: false });
        });
      }
      case "StringLiteral":
        return { t: this.start, s: expr.value };
      case "VectorSelector": {
        const series = this.ctx.series.get(expr) ?? [];
        const st = this.ctx.prepared.state(expr);
        return this.evalSeries(series, st.offsetMs);
      }
      case "MatrixSelector":
        if (this.start !== this.end) {
          throw new QueryError("internal", "cannot do range evaluation of matrix selector");
        }
        return this.matrixSelector(expr);
      case "SubqueryExpr":
        return this.evalSubqueryRaw(expr, annos);
    }
  }

  // --- selectors -------------------------------------------------------------------------

  /**
   * evalSeries samples each series at every step (vectorSelectorSingle): the latest float or
   * histogram sample at or before the step within the lookback window, unless it is stale.
   */
  async evalSeries(series: readonly RawSeries[], offsetMs: number): Promise<Matrix> {
    const mat: Matrix = [];
    const lookback = this.ctx.lookbackDeltaMs;
    for (const s of series) {
      await this.check();
      const ts = s.timestamps;
      const vs = s.values;
      const n = ts.length;
      const hs = histogramsOf(s);
      const hts = hs.timestamps;
      const hn = hts.length;
      let j = 0; // first float index with timestamp > refTime
      let k = 0; // first histogram index with timestamp > refTime
      const floats: FPoint[] = [];
      const histograms: HPoint[] = [];
      for (let t = this.start; t <= this.end; t += this.interval) {
        const ref = t - offsetMs;
        if (j > 0 && ts[j - 1]! > ref) j = upperBound(ts, ref);
        while (j < n && ts[j]! <= ref) j++;
        if (hn > 0) {
          if (k > 0 && hts[k - 1]! > ref) k = upperBound(hts, ref);
          while (k < hn && hts[k]! <= ref) k++;
        }
        const ft = j > 0 ? ts[j - 1]! : -Infinity;
        const ht = k > 0 ? hts[k - 1]! : -Infinity;
        if (ht > ft) {
          if (ht <= ref - lookback) continue;
          const h = hs.values[k - 1]!;
          if (isStaleHistogram(h)) continue;
          this.addSamples(hpointSize(h));
          histograms.push({ t, h });
          continue;
        }
        if (j === 0) continue;
        if (ft <= ref - lookback) continue;
        const v = vs[j - 1]!;
        if (isStaleNaN(v)) continue;
        this.addSamples(1);
        floats.push({ t, f: v });
      }
      if (floats.length > 0 || histograms.length > 0) {
        mat.push({ metric: s.labels, floats, histograms, dropName: false });
      }
    }
    return mat;
  }

  /** matrixSelector evaluates `sel[range]` at the (single) evaluation time. */
  matrixSelector(node: MatrixSelector): Matrix {
    const vs = node.vectorSelector;
    const st = this.ctx.prepared.state(vs);
    const range = this.ctx.prepared.state(node).rangeMs;
    const maxt = this.start - st.offsetMs;
    const mint = maxt - range;
    const out: Matrix = [];
    for (const s of this.ctx.series.get(vs) ?? []) {
      const { floats, histograms } = this.windowPoints(s, mint, maxt);
      if (floats.length > 0 || histograms.length > 0) {
        out.push({ metric: s.labels, floats, histograms, dropName: false });
      }
    }
    return out;
  }

  /** windowPoints returns the non-stale float and histogram points of s in (mint, maxt]. */
  windowPoints(
    s: RawSeries,
    mint: number,
    maxt: number,
  ): { floats: FPoint[]; histograms: HPoint[] } {
    const floats: FPoint[] = [];
    const histograms: HPoint[] = [];
    if (mint === maxt) return { floats, histograms };
    const ts = s.timestamps;
    const vs = s.values;
    for (let i = upperBound(ts, mint); i < ts.length && ts[i]! <= maxt; i++) {
      const v = vs[i]!;
      if (isStaleNaN(v)) continue;
      floats.push({ t: ts[i]!, f: v });
    }
    const hs = histogramsOf(s);
    for (let i = upperBound(hs.timestamps, mint); i < hs.timestamps.length; i++) {
      const t = hs.timestamps[i]!;
      if (t > maxt) break;
      const h = hs.values[i]!;
      if (isStaleHistogram(h)) continue;
      histograms.push({ t, h });
    }
    this.addSamples(floats.length + totalHPointSize(histograms));
    return { floats, histograms };
  }

  // --- rangeEval --------------------------------------------------------------------------

  /**
   * rangeEval evaluates exprs, then calls fn once per step with the vectors of that step; fn
   * appends the step's output samples to `out`. sigs, when given, computes a matching signature
   * per input series, passed to fn alongside each vector.
   */
  async rangeEval(
    annos: Annotations,
    sigf: ((ls: Labels) => string) | null,
    exprs: readonly Expr[],
    fn: (vectors: FunctionValue[], sigs: string[][], out: Vector, ts: number) => void,
  ): Promise<Matrix> {
    const originalNumSamples = this.ctx.currentSamples;
    const matrixes: (Matrix | null)[] = [];
    const strings: (string | null)[] = [];
    for (const e of exprs) {
      if (exprType(e) === "string") {
        const v = await this.eval(e, annos);
        strings.push(isStringValue(v) ? v.s : "");
        matrixes.push(null);
      } else {
        matrixes.push(asMatrix(await this.eval(e, annos)));
        strings.push(null);
      }
    }
    const seriesSigs: string[][] = sigf
      ? matrixes.map((m) => (m ?? []).map((s) => sigf(s.metric)))
      : [];
    const cursors = matrixes.map((m) => new Array<number>(m?.length ?? 0).fill(0));
    const hcursors = matrixes.map((m) => new Array<number>(m?.length ?? 0).fill(0));
    const seriess = new Map<string, { series: Series; ts: number }>();
    let tempNumSamples = this.ctx.currentSamples;
    const vectors: FunctionValue[] = [];
    const sigs: string[][] = [];

    for (let ts = this.start; ts <= this.end; ts += this.interval) {
      await this.check();
      this.ctx.currentSamples = tempNumSamples;
      for (let i = 0; i < exprs.length; i++) {
        const m = matrixes[i];
        if (m === null || m === undefined) {
          vectors[i] = strings[i] ?? "";
          sigs[i] = [];
          continue;
        }
        const vec: Vector = [];
        const sg: string[] = [];
        const cur = cursors[i]!;
        const hcur = hcursors[i]!;
        for (let k = 0; k < m.length; k++) {
          const s = m[k]!;
          const p = s.floats[cur[k]!];
          if (p !== undefined && p.t === ts) {
            cur[k]!++;
            vec.push({ metric: s.metric, t: ts, f: p.f, dropName: s.dropName });
          } else {
            const hp = s.histograms[hcur[k]!];
            if (hp === undefined || hp.t !== ts) continue;
            hcur[k]!++;
            vec.push({ metric: s.metric, t: ts, f: 0, h: hp.h, dropName: s.dropName });
          }
          if (sigf) sg.push(seriesSigs[i]![k]!);
          // Only the reference to a histogram is copied here: it counts as one sample.
          this.addSamples(1);
        }
        vectors[i] = vec;
        sigs[i] = sg;
      }
      const out: Vector = [];
      fn(vectors, sigs, out, ts);
      const outSamples = vectorTotalSamples(out);
      this.addSamples(outSamples);
      tempNumSamples += outSamples;

      if (this.start === this.end) {
        if (!this.ctx.enableDelayedNameRemoval && containsSameLabelsetVec(out)) {
          throw evalError("vector cannot contain metrics with the same labelset");
        }
        const mat: Matrix = out.map((s) => pointSeries(s.metric, ts, s.f, s.h, s.dropName));
        this.ctx.currentSamples = originalNumSamples + matrixTotalSamples(mat);
        return mat;
      }
      for (const s of out) {
        const key = keyOf(s.metric);
        const ss = seriess.get(key);
        if (ss) {
          if (ss.ts === ts) throw evalError("vector cannot contain metrics with the same labelset");
          ss.ts = ts;
          addToSeries(ss.series, ts, s.f, s.h);
        } else {
          seriess.set(key, { series: pointSeries(s.metric, ts, s.f, s.h, s.dropName), ts });
        }
      }
    }
    const mat: Matrix = [];
    for (const { series } of seriess.values()) mat.push(series);
    this.ctx.currentSamples = originalNumSamples + matrixTotalSamples(mat);
    return mat;
  }

  // --- binary operators -------------------------------------------------------------------

  async evalBinary(e: BinaryExpr, annos: Annotations): Promise<Matrix> {
    const lt = exprType(e.lhs);
    const rt = exprType(e.rhs);
    const delayed = this.ctx.enableDelayedNameRemoval;
    if (lt === "scalar" && rt === "scalar") {
      return this.rangeEval(annos, null, [e.lhs, e.rhs], (v, _s, out) => {
        const l = (v[0] as Vector)[0]!.f;
        const r = (v[1] as Vector)[0]!.f;
        out.push({ metric: [], t: 0, f: scalarBinop(e.op, l, r), dropName: false });
      });
    }
    if (lt === "vector" && rt === "vector") {
      const vm = e.vectorMatching!;
      const names = new Set(vm.matchingLabels);
      if (!vm.on) names.add(METRIC_NAME);
      const sigf = (ls: Labels): string => signatureOf(ls, names, vm.on);
      const binAnnos = annos;
      switch (e.op) {
        case "and":
          return this.rangeEval(annos, sigf, [e.lhs, e.rhs], (v, s, out) =>
            vectorAnd(v[0] as Vector, v[1] as Vector, s[0]!, s[1]!, out),
          );
        case "or":
          return this.rangeEval(annos, sigf, [e.lhs, e.rhs], (v, s, out) =>
            vectorOr(v[0] as Vector, v[1] as Vector, s[0]!, s[1]!, out),
          );
        case "unless":
          return this.rangeEval(annos, sigf, [e.lhs, e.rhs], (v, s, out) =>
            vectorUnless(v[0] as Vector, v[1] as Vector, s[0]!, s[1]!, out),
          );
        default: {
          const cache = new Map<string, Labels>();
          return this.rangeEval(annos, sigf, [e.lhs, e.rhs], (v, s, out) =>
            vectorBinop(e, v[0] as Vector, v[1] as Vector, s[0]!, s[1]!, out, {
              delayed,
              cache,
              annos: binAnnos,
            }),
          );
        }
      }
    }
    if (lt === "vector" && rt === "scalar") {
      return this.rangeEval(annos, null, [e.lhs, e.rhs], (v, _s, out) =>
        vectorScalarBinop(e, v[0] as Vector, (v[1] as Vector)[0]!.f, false, out, delayed, annos),
      );
    }
    if (lt === "scalar" && rt === "vector") {
      return this.rangeEval(annos, null, [e.lhs, e.rhs], (v, _s, out) =>
        vectorScalarBinop(e, v[1] as Vector, (v[0] as Vector)[0]!.f, true, out, delayed, annos),
      );
    }
    throw new QueryError("internal", `binary expression with ${lt} and ${rt} operands`);
  }

  // --- aggregations -----------------------------------------------------------------------

  async evalAggregate(e: AggregateExpr, annos: Annotations): Promise<Matrix> {
    const grouping = [...e.grouping].sort();
    if (e.op === "count_values") {
      const p = unwrapParens(e.param!);
      const valueLabel = p.type === "StringLiteral" ? p.value : "";
      if (!isValidUtf8LabelName(valueLabel)) {
        throw evalError(`invalid label name ${goQuote(valueLabel)}`);
      }
      const g = e.without ? grouping : [...grouping, valueLabel].sort();
      return this.rangeEval(annos, null, [e.expr], (v, _s, out) => {
        aggregateCountValues(e, g, valueLabel, v[0] as Vector, out);
      });
    }
    const originalNumSamples = this.ctx.currentSamples;
    const fp = await newFParams(this, e.param, annos);
    const input = asMatrix(await this.eval(e.expr, annos));
    const result = await this.rangeEvalAgg(e, grouping, input, fp, annos);
    this.ctx.currentSamples = originalNumSamples + matrixTotalSamples(result);
    return result;
  }

  async rangeEvalAgg(
    e: AggregateExpr,
    grouping: string[],
    input: Matrix,
    fp: Awaited<ReturnType<typeof newFParams>>,
    annos: Annotations,
  ): Promise<Matrix> {
    const groupSet = new Set(grouping);
    const kOps =
      e.op === "topk" || e.op === "bottomk" || e.op === "limitk" || e.op === "limit_ratio";
    const groupIndex = new Map<string, number>();
    const seriesToResult: number[] = [];
    const result: Matrix = [];
    for (const s of input) {
      const key = e.without
        ? signatureOf(s.metric, withName(groupSet), false)
        : grouping.length === 0
          ? ""
          : signatureOf(s.metric, groupSet, true);
      let idx = groupIndex.get(key);
      if (idx === undefined) {
        if (!kOps) result.push(newSeries(groupingLabels(s.metric, e.without, groupSet), false));
        idx = groupIndex.size;
        groupIndex.set(key, idx);
      }
      seriesToResult.push(idx);
    }
    const groupCount = groupIndex.size;
    const paramPos = e.param?.pos ?? e.pos;
    switch (e.op) {
      case "topk":
      case "bottomk":
      case "limitk":
        if (fp.max < 1) return [];
        break;
      case "limit_ratio":
        if (fp.max === 0 && fp.min === 0) return [];
        if (fp.max > 1) annos.add(invalidRatio(fp.max, 1, paramPos));
        if (fp.min < -1) annos.add(invalidRatio(fp.min, -1, paramPos));
        break;
      case "quantile":
        if (fp.hasAnyNaN) annos.add(invalidQuantile(NaN, paramPos));
        if (fp.max > 1) annos.add(invalidQuantile(fp.max, paramPos));
        if (fp.min < 0) annos.add(invalidQuantile(fp.min, paramPos));
        break;
      default:
        break;
    }
    const cursors = newCursors(input.length);
    const kSeries = new Map<string, Series>();
    const tempNumSamples = this.ctx.currentSamples;
    let step = 0;
    for (let ts = this.start; ts <= this.end; ts += this.interval, step++) {
      const param = fp.at(step);
      await this.check();
      this.ctx.currentSamples = tempNumSamples;
      if (kOps) {
        const out = aggregateK(
          this,
          e,
          param,
          input,
          cursors,
          seriesToResult,
          groupCount,
          ts,
          annos,
        );
        if (this.start === this.end) {
          return out.map((s) => pointSeries(s.metric, ts, s.f, s.h, s.dropName));
        }
        for (const s of out) {
          const key = keyOf(s.metric);
          const ss = kSeries.get(key);
          if (ss) addToSeries(ss, ts, s.f, s.h);
          else kSeries.set(key, pointSeries(s.metric, ts, s.f, s.h, s.dropName));
        }
      } else {
        const n = aggregate(
          e,
          param,
          input,
          cursors,
          result,
          seriesToResult,
          groupCount,
          ts,
          annos,
        );
        this.addSamples(n);
      }
    }
    if (kOps) return [...kSeries.values()];
    return result.filter((s) => s.floats.length > 0 || s.histograms.length > 0);
  }

  // --- functions --------------------------------------------------------------------------

  async evalCall(e: Call, annos: Annotations): Promise<EvalValue> {
    const name = e.func.name;
    if (name === "label_replace") return this.evalLabelReplace(e, annos);
    if (name === "label_join") return this.evalLabelJoin(e, annos);
    const call = FUNCTION_CALLS[name];
    if (call === undefined) {
      throw evalError(`function ${JSON.stringify(name)} is not supported`);
    }
    if (name === "timestamp") {
      const arg = unwrapParens(e.args[0]!);
      if (arg.type === "VectorSelector") return this.evalTimestampOverSelector(arg, call, e, annos);
    }
    let matrixArgIndex = -1;
    for (let i = 0; i < e.args.length; i++) {
      const a = unwrapParens(e.args[i]!);
      if (a.type === "MatrixSelector" || a.type === "SubqueryExpr") {
        matrixArgIndex = i;
        break;
      }
    }
    const enh: EvalNodeHelper = {
      ts: 0,
      rangeMs: 0,
      offsetMs: 0,
      enableDelayedNameRemoval: this.ctx.enableDelayedNameRemoval,
      annotations: annos,
      cache: new Map(),
    };
    if (matrixArgIndex < 0) {
      return this.rangeEval(annos, null, e.args, (v, _s, out, ts) => {
        enh.ts = ts;
        for (const s of call(v, e.args, enh)) out.push(s);
      });
    }
    return this.evalMatrixCall(e, call, matrixArgIndex, enh, annos);
  }

  async evalMatrixCall(
    e: Call,
    call: FunctionCall,
    matrixArgIndex: number,
    enh: EvalNodeHelper,
    annos: Annotations,
  ): Promise<Matrix> {
    const name = e.func.name;
    // Evaluate the other arguments (scalars or strings) over all steps.
    const other: (Matrix | string | null)[] = [];
    for (let i = 0; i < e.args.length; i++) {
      if (i === matrixArgIndex) {
        other.push(null);
        continue;
      }
      const v = await this.eval(e.args[i]!, annos);
      other.push(isStringValue(v) ? v.s : v);
    }
    const arg = unwrapParens(e.args[matrixArgIndex]!);
    let series: readonly RawSeries[];
    let offsetMs: number;
    let rangeMs: number;
    let atTimestamp: number | undefined;
    let subquerySamples = 0;
    if (arg.type === "MatrixSelector") {
      const vs = arg.vectorSelector;
      series = this.ctx.series.get(vs) ?? [];
      const st = this.ctx.prepared.state(vs);
      offsetMs = st.offsetMs;
      atTimestamp = st.timestampMs;
      rangeMs = this.ctx.prepared.state(arg).rangeMs;
    } else if (arg.type === "SubqueryExpr") {
      const sq = await this.evalSubquery(arg, annos);
      series = sq.series;
      offsetMs = sq.offsetMs;
      atTimestamp = sq.timestampMs;
      rangeMs = sq.rangeMs;
      subquerySamples = sq.samples;
    } else {
      throw new QueryError("internal", "matrix argument expected");
    }
    enh.rangeMs = rangeMs;
    enh.offsetMs = offsetMs;
    const dropName = name !== "last_over_time" && name !== "first_over_time";
    const vals: FunctionValue[] = other.map((o) =>
      o === null ? [] : typeof o === "string" ? o : [{ metric: [], t: 0, f: 0, dropName: false }],
    );
    const inSeries: Series = newSeries([], false);
    vals[matrixArgIndex] = [inSeries];
    const mat: Matrix = [];
    for (const s of series) {
      await this.check();
      let metric = s.labels;
      if (!this.ctx.enableDelayedNameRemoval && dropName) metric = dropMetricName(metric);
      const out = newSeries(metric, dropName);
      inSeries.metric = s.labels;
      let floats: FPoint[] = [];
      let histograms: HPoint[] = [];
      let held = 0; // samples of the current window counted in currentSamples
      // The series' non-stale points, built once; each step's window is a slice of them found
      // with cursors that only move forward (windows only move forward in time).
      const pts: FPoint[] = [];
      for (let i = 0; i < s.timestamps.length; i++) {
        const v = s.values[i]!;
        if (!isStaleNaN(v)) pts.push({ t: s.timestamps[i]!, f: v });
      }
      const hpts: HPoint[] = [];
      const hs = histogramsOf(s);
      for (let i = 0; i < hs.timestamps.length; i++) {
        const h = hs.values[i]!;
        if (!isStaleHistogram(h)) hpts.push({ t: hs.timestamps[i]!, h });
      }
      let lo = 0;
      let hi = 0;
      let hlo = 0;
      let hhi = 0;
      let step = 0;
      for (let ts = this.start; ts <= this.end; ts += this.interval, step++) {
        for (let j = 0; j < e.args.length; j++) {
          const o = other[j];
          if (j === matrixArgIndex || o === null || typeof o === "string" || o === undefined)
            continue;
          const vec = vals[j] as Vector;
          vec[0]!.f = o[0]?.floats[step]?.f ?? NaN;
        }
        if (ts === this.start || atTimestamp === undefined) {
          this.ctx.currentSamples -= held;
          const maxt = ts - offsetMs;
          const mint = maxt - rangeMs;
          while (lo < pts.length && pts[lo]!.t <= mint) lo++;
          if (hi < lo) hi = lo;
          while (hi < pts.length && pts[hi]!.t <= maxt) hi++;
          floats = rangeMs === 0 ? [] : pts.slice(lo, hi);
          if (hpts.length > 0) {
            while (hlo < hpts.length && hpts[hlo]!.t <= mint) hlo++;
            if (hhi < hlo) hhi = hlo;
            while (hhi < hpts.length && hpts[hhi]!.t <= maxt) hhi++;
            histograms = rangeMs === 0 ? [] : hpts.slice(hlo, hhi);
          }
          held = floats.length + totalHPointSize(histograms);
          this.addSamples(held);
        }
        if (floats.length === 0 && histograms.length === 0) continue;
        inSeries.floats = floats;
        inSeries.histograms = histograms;
        enh.ts = ts;
        const res = call(vals, e.args, enh);
        if (res.length > 0) addToSeries(out, ts, res[0]!.f, res[0]!.h);
      }
      this.ctx.currentSamples -= held;
      const outSamples = out.floats.length + totalHPointSize(out.histograms);
      if (outSamples > 0) {
        this.addSamples(outSamples);
        mat.push(out);
      }
      if ((name === "rate" || name === "increase") && out.floats.length > 0) {
        const mn = getLabel(s.labels, METRIC_NAME);
        if (
          mn !== "" &&
          !mn.endsWith("_total") &&
          !mn.endsWith("_sum") &&
          !mn.endsWith("_count") &&
          !mn.endsWith("_bucket")
        ) {
          annos.add(possibleNonCounterInfo(mn, e.args[0]!.pos));
        }
      }
    }
    this.ctx.currentSamples -= subquerySamples;

    if (name === "absent_over_time") {
      const steps = this.numSteps;
      for (const s of mat) if (s.floats.length + s.histograms.length === steps) return [];
      const found = new Set<number>();
      for (const s of mat) {
        for (const p of s.floats) found.add(p.t);
        for (const p of s.histograms) found.add(p.t);
      }
      if (mat.length > 1 && found.size === steps) return [];
      const floats: FPoint[] = [];
      for (let ts = this.start; ts <= this.end; ts += this.interval) {
        if (!found.has(ts)) floats.push({ t: ts, f: 1 });
      }
      return [{ metric: labelsForAbsent(e.args[0]!), floats, histograms: [], dropName }];
    }
    if (!this.ctx.enableDelayedNameRemoval && containsSameLabelset(mat)) {
      throw evalError("vector cannot contain metrics with the same labelset");
    }
    return mat;
  }

  async evalTimestampOverSelector(
    vs: VectorSelector,
    call: FunctionCall,
    e: Call,
    annos: Annotations,
  ): Promise<Matrix> {
    const series = this.ctx.series.get(vs) ?? [];
    const st = this.ctx.prepared.state(vs);
    const lookback = this.ctx.lookbackDeltaMs;
    const enh: EvalNodeHelper = {
      ts: 0,
      rangeMs: 0,
      offsetMs: 0,
      enableDelayedNameRemoval: this.ctx.enableDelayedNameRemoval,
      annotations: annos,
      cache: new Map(),
    };
    return this.rangeEval(annos, null, [], (_v, _s, out, ts) => {
      let offset = st.offsetMs;
      if (st.timestampMs !== undefined) offset = ts - st.timestampMs;
      const vec: Vector = [];
      const ref = ts - offset;
      for (const s of series) {
        const j = upperBound(s.timestamps, ref);
        const hs = histogramsOf(s);
        const k = hs.values.length > 0 ? upperBound(hs.timestamps, ref) : 0;
        const ft = j > 0 ? s.timestamps[j - 1]! : -Infinity;
        const ht = k > 0 ? hs.timestamps[k - 1]! : -Infinity;
        if (j === 0 && k === 0) continue;
        const t = Math.max(ft, ht);
        // The memoized iterator upstream uses a lookback one millisecond shorter here.
        if (t <= ref - (lookback - 1)) continue;
        if (ht > ft ? isStaleHistogram(hs.values[k - 1]!) : isStaleNaN(s.values[j - 1]!)) continue;
        vec.push({ metric: s.labels, t, f: 0, dropName: false });
        this.addSamples(1);
      }
      enh.ts = ts;
      for (const x of call([vec], e.args, enh)) out.push(x);
    });
  }

  async evalLabelReplace(e: Call, annos: Annotations): Promise<Matrix> {
    const [, dstE, replE, srcE, reE] = e.args.map(stringArg);
    const dst = dstE!;
    const re = compileLabelRegex(reE!);
    if (re === null) throw evalError(`invalid regular expression in label_replace(): ${reE}`);
    if (!isValidUtf8LabelName(dst)) {
      throw evalError(`invalid destination label name in label_replace(): ${dst}`);
    }
    const mat = asMatrix(await this.eval(e.args[0]!, annos));
    for (const s of mat) {
      const srcVal = getLabel(s.metric, srcE!);
      const res = expandRegexTemplate(re, srcVal, replE!);
      if (res !== null) {
        s.metric = setLabel(s.metric, dst, res);
        s.dropName = dst === METRIC_NAME ? false : s.dropName;
      }
    }
    if (containsSameLabelset(mat))
      throw evalError("vector cannot contain metrics with the same labelset");
    return mat;
  }

  async evalLabelJoin(e: Call, annos: Annotations): Promise<Matrix> {
    const strs = e.args.map(stringArg);
    const dst = strs[1]!;
    const sep = strs[2]!;
    const srcs = strs.slice(3);
    for (const src of srcs) {
      if (!isValidUtf8LabelName(src)) {
        throw evalError(`invalid source label name in label_join(): ${src}`);
      }
    }
    if (!isValidUtf8LabelName(dst)) {
      throw evalError(`invalid destination label name in label_join(): ${dst}`);
    }
    const mat = asMatrix(await this.eval(e.args[0]!, annos));
    for (const s of mat) {
      const v = srcs.map((src) => getLabel(s.metric, src)).join(sep);
      s.metric = setLabel(s.metric, dst, v);
      s.dropName = dst === METRIC_NAME ? false : s.dropName;
    }
    if (containsSameLabelset(mat))
      throw evalError("vector cannot contain metrics with the same labelset");
    return mat;
  }

  // --- subqueries -------------------------------------------------------------------------

  /** evalSubqueryRaw evaluates a subquery on its own steps (the SubqueryExpr case of eval). */
  async evalSubqueryRaw(e: SubqueryExpr, annos: Annotations): Promise<Matrix> {
    const st = this.ctx.prepared.state(e);
    const offset = st.offsetMs;
    const range = st.rangeMs;
    const interval = st.stepMs !== 0 ? st.stepMs : this.ctx.noStepSubqueryIntervalMs;
    const lo = this.start - offset - range;
    let start = interval * Math.trunc(lo / interval);
    if (start <= lo) start += interval;
    const sub = new Evaluator(this.ctx, start, this.end - offset, interval);
    if (start !== this.start) this.ctx.prepared.setOffsetForAtModifier(start, e.expr);
    return asMatrix(await sub.eval(e.expr, annos));
  }

  /**
   * evalSubquery evaluates a subquery used as a range-vector argument (upstream evalSubquery):
   * its result series stand in for a matrix selector's.
   */
  async evalSubquery(
    e: SubqueryExpr,
    annos: Annotations,
  ): Promise<{
    series: RawSeries[];
    offsetMs: number;
    rangeMs: number;
    timestampMs: number | undefined;
    samples: number;
  }> {
    const mat = asMatrix(await this.eval(e, annos));
    const st = this.ctx.prepared.state(e);
    let offsetMs = st.offsetMs;
    if (st.timestampMs !== undefined)
      offsetMs = st.originalOffsetMs + (this.start - st.timestampMs);
    const samples = matrixTotalSamples(mat);
    const series = mat.map((s): RawSeries => {
      const timestamps = new Float64Array(s.floats.length);
      const values = new Float64Array(s.floats.length);
      s.floats.forEach((p, i) => {
        timestamps[i] = p.t;
        values[i] = p.f;
      });
      if (s.histograms.length === 0) return { labels: s.metric, timestamps, values };
      // Explicit reset hints are dropped: a subquery may skip samples or return one several
      // times, so they no longer hold (evalSubquery).
      const hvalues = s.histograms.map((p) => {
        if (p.h.counterResetHint !== "reset" && p.h.counterResetHint !== "not_reset") return p.h;
        const h = p.h.copy();
        h.counterResetHint = "unknown";
        return h;
      });
      const htimestamps = Float64Array.from(s.histograms, (p) => p.t);
      return {
        labels: s.metric,
        timestamps,
        values,
        histograms: { timestamps: htimestamps, values: hvalues },
      };
    });
    return { series, offsetMs, rangeMs: st.rangeMs, timestampMs: st.timestampMs, samples };
  }
}

/** pointSeries is a series holding one float or histogram point. */
export function pointSeries(
  metric: Labels,
  t: number,
  f: number,
  h: FloatHistogram | undefined,
  dropName: boolean,
): Series {
  return h === undefined
    ? { metric, floats: [{ t, f }], histograms: [], dropName }
    : { metric, floats: [], histograms: [{ t, h }], dropName };
}

/** addToSeries appends a float or histogram point to ss (addToSeries). */
export function addToSeries(ss: Series, t: number, f: number, h: FloatHistogram | undefined): void {
  if (h === undefined) ss.floats.push({ t, f });
  else ss.histograms.push({ t, h });
}

/** upperBound returns the index of the first element of ts greater than x. */
export function upperBound(ts: Float64Array, x: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function withName(s: ReadonlySet<string>): Set<string> {
  const out = new Set(s);
  out.add(METRIC_NAME);
  return out;
}

/** groupingLabels is generateGroupingLabels: the output labels of an aggregation group. */
export function groupingLabels(
  ls: Labels,
  without: boolean,
  grouping: ReadonlySet<string>,
): Labels {
  if (without) return ls.filter((l) => !grouping.has(l.name) && l.name !== METRIC_NAME);
  if (grouping.size > 0) return ls.filter((l) => grouping.has(l.name));
  return [];
}

export function containsSameLabelset(m: Matrix): boolean {
  if (m.length < 2) return false;
  const seen = new Set<string>();
  for (const s of m) {
    const k = keyOf(s.metric);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

function containsSameLabelsetVec(v: Vector): boolean {
  if (v.length < 2) return false;
  const seen = new Set<string>();
  for (const s of v) {
    const k = keyOf(s.metric);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

function stringArg(e: Expr): string {
  const x = unwrapParens(e);
  return x.type === "StringLiteral" ? x.value : "";
}
