// Aggregation operators, after prometheus promql/engine.go (v3.5) aggregation, aggregationK,
// aggregationCountValues and value.go fParams, for float and native histogram samples.
import type { FloatHistogram } from "../../model/histogram/index.ts";
import type { Labels } from "../../model/labels/index.ts";
import type { AggregateExpr, Expr, PositionRange } from "../parser/index.ts";
import type { Annotation, Annotations } from "./annotations.ts";
import {
  histogramErrorWarning,
  histogramIgnoredInAggregationInfo,
  mixedFloatsHistogramsAggWarning,
} from "./annotations.ts";
import { QueryError, evalError } from "./errors.ts";
import type { Evaluator } from "./evaluator.ts";
import { kahanSumInc, quantile } from "./functions/index.ts";
import { formatGoFloatF, xxhashLabels } from "./mathutil.ts";
import { setLabel, signatureOf } from "./labels.ts";
import type { Matrix, Sample, Vector } from "./value.ts";
import { METRIC_NAME, metricName } from "../../model/labels/index.ts";

/** FParams is an aggregation's numeric parameter over the steps of the query (fParams). */
export interface FParams {
  readonly min: number;
  readonly max: number;
  readonly hasAnyNaN: boolean;
  at(step: number): number;
}

/** newFParams evaluates the parameter of topk, bottomk, quantile, limitk or limit_ratio. */
export async function newFParams(
  ev: Evaluator,
  expr: Expr | undefined,
  annos: Annotations,
): Promise<FParams> {
  const none: FParams = { min: 0, max: 0, hasAnyNaN: false, at: () => 0 };
  if (expr === undefined) return none;
  const v = await ev.eval(expr, annos);
  if (!Array.isArray(v) || v.length === 0) return none;
  const floats = v[0]!.floats;
  if (expr.type === "NumberLiteral") {
    const c = floats[0]!.f;
    return { min: c, max: c, hasAnyNaN: Number.isNaN(c), at: () => c };
  }
  let min = Number.MAX_VALUE;
  let max = -Number.MAX_VALUE;
  let hasAnyNaN = false;
  for (const p of floats) {
    max = Math.max(max, p.f);
    min = Math.min(min, p.f);
    if (Number.isNaN(p.f)) hasAnyNaN = true;
  }
  return { min, max, hasAnyNaN, at: (step) => floats[step]?.f ?? 0 };
}

interface Group {
  seen: boolean;
  floatValue: number;
  histogramValue: FloatHistogram | undefined;
  floatMean: number;
  floatKahanC: number;
  groupCount: number;
  values: number[];
  hasFloat: boolean;
  hasHistogram: boolean;
  /** incompatibleHistograms: mixed exponential and custom buckets, or different custom bounds. */
  incompatibleHistograms: boolean;
  incrementalMean: boolean;
}

/**
 * Cursors track, per input series, the next float and histogram point not yet consumed; the
 * steps consume them in time order (upstream's nextValues slices the series instead).
 */
export interface Cursors {
  readonly f: number[];
  readonly h: number[];
}

/** newCursors makes cursors at the start of n series. */
export function newCursors(n: number): Cursors {
  return { f: new Array<number>(n).fill(0), h: new Array<number>(n).fill(0) };
}

/**
 * nextValue consumes series si's point at ts, if it has one (nextValues), and returns whether
 * it did; the value is left in NEXT (a float, or a histogram when NEXT.h is set). A shared
 * holder avoids an allocation per sample; the aggregations are synchronous.
 */
function nextValue(input: Matrix, cur: Cursors, si: number, ts: number): boolean {
  const s = input[si]!;
  const p = s.floats[cur.f[si]!];
  if (p !== undefined && p.t === ts) {
    cur.f[si]!++;
    NEXT.f = p.f;
    NEXT.h = undefined;
    return true;
  }
  const hp = s.histograms[cur.h[si]!];
  if (hp !== undefined && hp.t === ts) {
    cur.h[si]!++;
    NEXT.f = 0;
    NEXT.h = hp.h;
    return true;
  }
  return false;
}

const NEXT: { f: number; h: FloatHistogram | undefined } = { f: 0, h: undefined };

/** incompatibleWarning is the warning for a histogram error, which must be an incompatibility. */
function incompatibleWarning(err: unknown, metric: Labels, pos: PositionRange): Annotation {
  const w = histogramErrorWarning(err, metricName(metric), pos);
  if (w === undefined) throw err;
  return w;
}

/**
 * aggregate computes one step of sum, avg, count, min, max, group, stddev, stdvar or quantile,
 * appending a point to each group's output series that had input. sum and avg add native
 * histograms (and warn about a mix with floats, or drop groups with incompatible bucket
 * layouts); min, max, stddev, stdvar and quantile ignore them with an info. Returns the points
 * added.
 */
export function aggregate(
  e: AggregateExpr,
  q: number,
  input: Matrix,
  cursors: Cursors,
  output: Matrix,
  seriesToResult: number[],
  groupCount: number,
  ts: number,
  annos: Annotations,
): number {
  const op = e.op;
  const exprPos = e.expr.pos;
  const groups: (Group | undefined)[] = new Array<Group | undefined>(groupCount);
  for (let si = 0; si < input.length; si++) {
    if (!nextValue(input, cursors, si, ts)) continue;
    const f = NEXT.f;
    const h = NEXT.h;
    const gi = seriesToResult[si]!;
    let g = groups[gi];
    if (g === undefined || !g.seen) {
      g = {
        seen: true,
        floatValue: f,
        histogramValue: undefined,
        floatMean: f,
        floatKahanC: 0,
        groupCount: 1,
        values: [],
        hasFloat: false,
        hasHistogram: false,
        incompatibleHistograms: false,
        incrementalMean: false,
      };
      groups[gi] = g;
      switch (op) {
        case "sum":
        case "avg":
          if (h === undefined) g.hasFloat = true;
          else {
            g.histogramValue = h.copy();
            g.hasHistogram = true;
          }
          break;
        case "stddev":
        case "stdvar":
          if (h !== undefined) {
            // Histograms are ignored; the group starts with the next float.
            g.seen = false;
            annos.add(histogramIgnoredInAggregationInfo(op, exprPos));
          } else {
            g.floatValue = Number.isNaN(f) || !Number.isFinite(f) ? NaN : 0;
          }
          break;
        case "quantile":
          if (h !== undefined) {
            g.seen = false;
            annos.add(histogramIgnoredInAggregationInfo("quantile", exprPos));
          }
          g.values.push(f);
          break;
        case "group":
          g.floatValue = 1;
          break;
        case "min":
        case "max":
          if (h !== undefined) {
            g.seen = false;
            annos.add(histogramIgnoredInAggregationInfo(op, exprPos));
          }
          break;
        default:
          break;
      }
      continue;
    }
    if (g.incompatibleHistograms) continue;
    switch (op) {
      case "sum":
        if (h !== undefined) {
          g.hasHistogram = true;
          // With floats seen before, the group is invalid anyway: no need to add.
          if (g.histogramValue !== undefined) {
            try {
              g.histogramValue.add(h);
            } catch (err) {
              annos.add(incompatibleWarning(err, input[si]!.metric, exprPos));
              g.incompatibleHistograms = true;
            }
          }
        } else {
          g.hasFloat = true;
          [g.floatValue, g.floatKahanC] = kahanSumInc(f, g.floatValue, g.floatKahanC);
        }
        break;
      case "avg":
        g.groupCount++;
        if (h !== undefined) {
          g.hasHistogram = true;
          if (g.histogramValue !== undefined) {
            // Incremental mean without Kahan summation, as upstream does for histograms.
            try {
              const left = h.copy().div(g.groupCount);
              const right = g.histogramValue.copy().div(g.groupCount);
              g.histogramValue.add(left.sub(right));
            } catch (err) {
              annos.add(incompatibleWarning(err, input[si]!.metric, exprPos));
              g.incompatibleHistograms = true;
            }
          }
          break;
        }
        g.hasFloat = true;
        if (!g.incrementalMean) {
          const [nv, nc] = kahanSumInc(f, g.floatValue, g.floatKahanC);
          if (Number.isFinite(nv) || Number.isNaN(nv)) {
            g.floatValue = nv;
            g.floatKahanC = nc;
            break;
          }
          g.incrementalMean = true;
          g.floatMean = g.floatValue / (g.groupCount - 1);
          g.floatKahanC /= g.groupCount - 1;
        }
        {
          const r = (g.groupCount - 1) / g.groupCount;
          [g.floatMean, g.floatKahanC] = kahanSumInc(
            f / g.groupCount,
            r * g.floatMean,
            r * g.floatKahanC,
          );
        }
        break;
      case "group":
        break;
      case "max":
        if (h !== undefined) {
          annos.add(histogramIgnoredInAggregationInfo("max", exprPos));
          break;
        }
        if (g.floatValue < f || Number.isNaN(g.floatValue)) g.floatValue = f;
        break;
      case "min":
        if (h !== undefined) {
          annos.add(histogramIgnoredInAggregationInfo("min", exprPos));
          break;
        }
        if (g.floatValue > f || Number.isNaN(g.floatValue)) g.floatValue = f;
        break;
      case "count":
        g.groupCount++;
        break;
      case "stddev":
      case "stdvar": {
        if (h !== undefined) {
          annos.add(histogramIgnoredInAggregationInfo(op, exprPos));
          break;
        }
        g.groupCount++;
        const delta = f - g.floatMean;
        g.floatMean += delta / g.groupCount;
        g.floatValue += delta * (f - g.floatMean);
        break;
      }
      case "quantile":
        if (h !== undefined) {
          annos.add(histogramIgnoredInAggregationInfo("quantile", exprPos));
          break;
        }
        g.values.push(f);
        break;
      default:
        throw new QueryError("internal", `expected aggregation operator but got "${op}"`);
    }
  }
  let added = 0;
  for (let ri = 0; ri < groupCount; ri++) {
    const g = groups[ri];
    if (g === undefined || !g.seen) continue;
    let v = g.floatValue;
    let hv: FloatHistogram | undefined;
    switch (op) {
      case "avg":
      case "sum":
        if (g.hasFloat && g.hasHistogram) {
          // A histogram cannot be aggregated with a float.
          annos.add(mixedFloatsHistogramsAggWarning(exprPos));
          continue;
        }
        if (g.incompatibleHistograms) continue;
        if (g.hasHistogram) {
          hv = g.histogramValue!.compact(0);
        } else if (op === "sum") {
          v = g.floatValue + g.floatKahanC;
        } else {
          v = g.incrementalMean
            ? g.floatMean + g.floatKahanC
            : g.floatValue / g.groupCount + g.floatKahanC / g.groupCount;
        }
        break;
      case "count":
        v = g.groupCount;
        break;
      case "stdvar":
        v = g.floatValue / g.groupCount;
        break;
      case "stddev":
        v = Math.sqrt(g.floatValue / g.groupCount);
        break;
      case "quantile":
        v = quantile(q, g.values);
        break;
      default:
        break;
    }
    const ss = output[ri]!;
    if (hv === undefined) ss.floats.push({ t: ts, f: v });
    else ss.histograms.push({ t: ts, h: hv });
    ss.dropName = input[ri]?.dropName ?? false;
    added++;
  }
  return added;
}

// --- topk, bottomk, limitk, limit_ratio ----------------------------------------------------

type Less = (a: Sample, b: Sample) => boolean;

const byValue: Less = (a, b) => (Number.isNaN(a.f) ? true : a.f < b.f);
const byReverseValue: Less = (a, b) => (Number.isNaN(a.f) ? true : a.f > b.f);

function heapUp(h: Sample[], j: number, less: Less): void {
  while (j > 0) {
    const i = (j - 1) >> 1;
    if (i === j || !less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    j = i;
  }
}

function heapDown(h: Sample[], i0: number, n: number, less: Less): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    i = j;
  }
  return i > i0;
}

function heapPush(h: Sample[], s: Sample, less: Less): void {
  h.push(s);
  heapUp(h, h.length - 1, less);
}

function heapFix(h: Sample[], i: number, less: Less): void {
  if (!heapDown(h, i, h.length, less)) heapUp(h, i, less);
}

/** addRatioSample decides limit_ratio membership from the hash of the series' labels. */
function addRatioSample(ratio: number, s: Sample): boolean {
  const offset = Number(xxhashLabels(s.metric)) / 2 ** 64;
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio);
}

interface KGroup {
  heap: Sample[];
  complete: boolean;
  /** seen is false when the group's first sample was an ignored histogram. */
  seen: boolean;
}

/**
 * aggregateK computes one step of topk, bottomk, limitk or limit_ratio. topk and bottomk ignore
 * native histograms (with an info); limitk and limit_ratio pass them through.
 */
export function aggregateK(
  ev: Evaluator,
  e: AggregateExpr,
  param: number,
  input: Matrix,
  cursors: Cursors,
  seriesToResult: number[],
  groupCount: number,
  ts: number,
  annos: Annotations,
): Vector {
  const op = e.op;
  const groups: (KGroup | undefined)[] = new Array<KGroup | undefined>(groupCount);
  let groupsRemaining = groupCount;
  let k = 0;
  let r = 0;
  const advanceRest = (from: number): void => {
    for (let i = from; i < input.length; i++) nextValue(input, cursors, i, ts);
  };
  seriesLoop: for (let si = 0; si < input.length; si++) {
    if (!nextValue(input, cursors, si, ts)) continue;
    const s: Sample = {
      metric: input[si]!.metric,
      t: ts,
      f: NEXT.f,
      h: NEXT.h,
      dropName: input[si]!.dropName,
    };
    if (op === "topk" || op === "bottomk" || op === "limitk") {
      if (!(param >= -(2 ** 63) && param <= 2 ** 63)) {
        throw evalError(`Scalar value ${formatGoFloatV(param)} overflows int64`);
      }
      k = Math.min(Math.trunc(param), input.length);
      if (k < 1) {
        if (ts !== ev.end) advanceRest(si + 1);
        return [];
      }
    } else {
      if (Number.isNaN(param)) throw evalError(`Ratio value ${formatGoFloatV(param)} is NaN`);
      if (param === 0) {
        if (ts !== ev.end) advanceRest(si + 1);
        return [];
      }
      r = param < -1 ? -1 : param > 1 ? 1 : param;
    }
    const gi = seriesToResult[si]!;
    let g = groups[gi];
    if (g === undefined || !g.seen) {
      g = { heap: [], complete: false, seen: true };
      groups[gi] = g;
      switch (op) {
        case "limit_ratio":
          if (addRatioSample(r, s)) heapPush(g.heap, s, byValue);
          break;
        case "limitk":
          g.heap.push(s);
          break;
        case "topk":
          if (s.h !== undefined) {
            g.seen = false;
            annos.add(histogramIgnoredInAggregationInfo(op, e.pos));
          } else heapPush(g.heap, s, byValue);
          break;
        case "bottomk":
          if (s.h !== undefined) {
            g.seen = false;
            annos.add(histogramIgnoredInAggregationInfo(op, e.pos));
          } else heapPush(g.heap, s, byReverseValue);
          break;
        default:
          break;
      }
      // A group is complete as soon as it has k members (limitk); that check happens on the
      // next member upstream, so a k of 1 completes on the second series of the group.
      continue;
    }
    switch (op) {
      case "topk":
        if (s.h !== undefined) annos.add(histogramIgnoredInAggregationInfo(op, e.pos));
        else if (g.heap.length < k) heapPush(g.heap, s, byValue);
        else if (g.heap[0]!.f < s.f || (Number.isNaN(g.heap[0]!.f) && !Number.isNaN(s.f))) {
          g.heap[0] = s;
          if (k > 1) heapFix(g.heap, 0, byValue);
        }
        break;
      case "bottomk":
        if (s.h !== undefined) annos.add(histogramIgnoredInAggregationInfo(op, e.pos));
        else if (g.heap.length < k) heapPush(g.heap, s, byReverseValue);
        else if (g.heap[0]!.f > s.f || (Number.isNaN(g.heap[0]!.f) && !Number.isNaN(s.f))) {
          g.heap[0] = s;
          if (k > 1) heapFix(g.heap, 0, byReverseValue);
        }
        break;
      case "limitk":
        if (g.heap.length < k) heapPush(g.heap, s, byValue);
        if (!g.complete && g.heap.length === k) {
          g.complete = true;
          groupsRemaining--;
          if (groupsRemaining === 0) {
            if (ts !== ev.end) advanceRest(si + 1);
            break seriesLoop;
          }
        }
        break;
      case "limit_ratio":
        if (addRatioSample(r, s)) heapPush(g.heap, s, byValue);
        break;
      default:
        break;
    }
  }
  const out: Vector = [];
  for (const g of groups) {
    if (g === undefined || !g.seen) continue;
    if (op === "topk" && g.heap.length > 1) {
      g.heap.sort((a, b) => (byValue(b, a) ? -1 : byValue(a, b) ? 1 : 0));
    } else if (op === "bottomk" && g.heap.length > 1) {
      g.heap.sort((a, b) => (byReverseValue(b, a) ? -1 : byReverseValue(a, b) ? 1 : 0));
    }
    for (const s of g.heap) out.push(s);
  }
  return out;
}

function formatGoFloatV(v: number): string {
  // Go's %v for float64 is %g.
  return formatGoFloatF(v, "g");
}

/** aggregateCountValues computes one step of count_values. */
export function aggregateCountValues(
  e: AggregateExpr,
  grouping: string[],
  valueLabel: string,
  vec: Vector,
  out: Vector,
): void {
  const groupSet = new Set(grouping);
  const without = new Set(grouping);
  without.add(METRIC_NAME);
  const result = new Map<string, { labels: Labels; count: number }>();
  for (const s of vec) {
    const value = s.h === undefined ? formatGoFloatF(s.f, "f") : s.h.toString();
    const metric = setLabel(s.metric, valueLabel, value);
    const key = e.without
      ? signatureOf(metric, without, false)
      : grouping.length === 0
        ? ""
        : signatureOf(metric, groupSet, true);
    const g = result.get(key);
    if (g) {
      g.count++;
      continue;
    }
    const labels = e.without
      ? metric.filter((l) => !groupSet.has(l.name) && l.name !== METRIC_NAME)
      : grouping.length > 0
        ? metric.filter((l) => groupSet.has(l.name))
        : [];
    result.set(key, { labels, count: 1 });
  }
  for (const g of result.values())
    out.push({ metric: g.labels, t: 0, f: g.count, dropName: false });
}
