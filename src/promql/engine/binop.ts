// Binary operators on scalars and instant vectors, after prometheus promql/engine.go (v3.5)
// VectorAnd/Or/Unless, VectorBinop, resultMetric, VectorscalarBinop, scalarBinop,
// vectorElemBinop and handleVectorBinopError, for float and native histogram samples.
import type { FloatHistogram } from "../../model/histogram/index.ts";
import { HistogramError } from "../../model/histogram/index.ts";
import { METRIC_NAME } from "../../model/labels/index.ts";
import type { Labels } from "../../model/labels/index.ts";
import type { BinaryExpr, BinaryOp, PositionRange } from "../parser/index.ts";
import type { Annotation, Annotations } from "./annotations.ts";
import {
  incompatibleBucketLayoutInBinOpWarning,
  incompatibleTypesInBinOpInfo,
} from "./annotations.ts";
import { evalError } from "./errors.ts";
import { dropMetadataLabels as dropMetricName } from "./functions/index.ts";
import { keyOf, labelsString, setLabel } from "./labels.ts";
import type { Vector } from "./value.ts";

/** goMod is Go's math.Mod: the remainder with the sign of x (JS % agrees). */
function goMod(x: number, y: number): number {
  return x % y;
}

/** goPow is Go's math.Pow, which differs from JS ** for a base of ±1 and an infinite exponent. */
export function goPow(x: number, y: number): number {
  if ((x === 1 || x === -1) && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  if (x === 1) return 1;
  return Math.pow(x, y);
}

/** arith applies an arithmetic operator; comparisons return the truth as 1 or 0. */
export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return l / r;
    case "^":
      return goPow(l, r);
    case "%":
      return goMod(l, r);
    case "==":
      return l === r ? 1 : 0;
    case "!=":
      return l !== r ? 1 : 0;
    case ">":
      return l > r ? 1 : 0;
    case "<":
      return l < r ? 1 : 0;
    case ">=":
      return l >= r ? 1 : 0;
    case "<=":
      return l <= r ? 1 : 0;
    case "atan2":
      return Math.atan2(l, r);
    default:
      throw evalError(`operator "${op}" not allowed for Scalar operations`);
  }
}

/** elemBinop returns [value, keep] for two floats (vectorElemBinop). */
function elemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case "+":
    case "-":
    case "*":
    case "/":
    case "^":
    case "%":
    case "atan2":
      return [scalarBinop(op, l, r), true];
    case "==":
      return [l, l === r];
    case "!=":
      return [l, l !== r];
    case ">":
      return [l, l > r];
    case "<":
      return [l, l < r];
    case ">=":
      return [l, l >= r];
    case "<=":
      return [l, l <= r];
    default:
      throw evalError(`operator "${op}" not allowed for operations between Vectors`);
  }
}

/** BinopError is why an element was dropped: an info annotation or a histogram error. */
type BinopError = Annotation | HistogramError;

/** ElemResult is the outcome of one element operation: a float or histogram value, or an error. */
type ElemResult =
  | { f: number; h: FloatHistogram | undefined; keep: boolean; err?: undefined }
  | { err: BinopError };

/**
 * vectorElemBinop applies op to two elements, each a float or (when hl/hr is set) a histogram.
 * Histograms support histogram+histogram, histogram−histogram, histogram==/!=histogram,
 * histogram*float, float*histogram and histogram/float; any other mix yields the
 * "incompatible sample types" info as error (vectorElemBinop).
 */
function vectorElemBinop(
  op: BinaryOp,
  l: number,
  r: number,
  hl: FloatHistogram | undefined,
  hr: FloatHistogram | undefined,
  pos: PositionRange,
): ElemResult {
  if (hl === undefined && hr === undefined) {
    const [f, keep] = elemBinop(op, l, r);
    return { f, h: undefined, keep };
  }
  checkVectorOp(op);
  const incompatible = (lt: string, rt: string): ElemResult => ({
    err: incompatibleTypesInBinOpInfo(lt, op, rt, pos),
  });
  try {
    if (hl === undefined) {
      if (op === "*") return { f: 0, h: hr!.copy().mul(l).compact(0), keep: true };
      return incompatible("float", "histogram");
    }
    if (hr === undefined) {
      if (op === "*") return { f: 0, h: hl.copy().mul(r).compact(0), keep: true };
      if (op === "/") return { f: 0, h: hl.copy().div(r).compact(0), keep: true };
      return incompatible("histogram", "float");
    }
    switch (op) {
      case "+":
        return { f: 0, h: hl.copy().add(hr).compact(0), keep: true };
      case "-":
        return { f: 0, h: hl.copy().sub(hr).compact(0), keep: true };
      case "==":
        return { f: 0, h: hl, keep: hl.equals(hr) };
      case "!=":
        return { f: 0, h: hl, keep: !hl.equals(hr) };
      default:
        return incompatible("histogram", "histogram");
    }
  } catch (err) {
    if (err instanceof HistogramError) return { err };
    throw err;
  }
}

function checkVectorOp(op: BinaryOp): void {
  switch (op) {
    case "+":
    case "-":
    case "*":
    case "/":
    case "^":
    case "%":
    case "atan2":
    case "==":
    case "!=":
    case ">":
    case "<":
    case ">=":
    case "<=":
      return;
    default:
      throw evalError(`operator "${op}" not allowed for operations between Vectors`);
  }
}

/**
 * reportBinopError adds the annotation for the last element error of a step
 * (handleVectorBinopError): infos as they are, histogram incompatibilities as the
 * "incompatible bucket layout" warning at the operation's position.
 */
function reportBinopError(err: BinopError | undefined, e: BinaryExpr, annos: Annotations): void {
  if (err === undefined) return;
  if (err instanceof HistogramError) {
    if (err.kind === "incompatible_schema" || err.kind === "incompatible_bounds") {
      annos.add(incompatibleBucketLayoutInBinOpWarning(e.op, e.pos));
    }
    return;
  }
  annos.add(err);
}

/** changesMetricSchema: arithmetic drops the metric name; comparisons keep it. */
export function changesMetricSchema(op: BinaryOp): boolean {
  return (
    op === "+" ||
    op === "-" ||
    op === "*" ||
    op === "/" ||
    op === "^" ||
    op === "%" ||
    op === "atan2"
  );
}

export function vectorAnd(lhs: Vector, rhs: Vector, ls: string[], rs: string[], out: Vector): void {
  if (lhs.length === 0 || rhs.length === 0) return;
  const right = new Set(rs);
  lhs.forEach((s, i) => {
    if (right.has(ls[i]!)) out.push(s);
  });
}

export function vectorOr(lhs: Vector, rhs: Vector, ls: string[], rs: string[], out: Vector): void {
  if (lhs.length === 0) {
    out.push(...rhs);
    return;
  }
  if (rhs.length === 0) {
    out.push(...lhs);
    return;
  }
  const left = new Set(ls);
  out.push(...lhs);
  rhs.forEach((s, j) => {
    if (!left.has(rs[j]!)) out.push(s);
  });
}

export function vectorUnless(
  lhs: Vector,
  rhs: Vector,
  ls: string[],
  rs: string[],
  out: Vector,
): void {
  if (lhs.length === 0 || rhs.length === 0) {
    out.push(...lhs);
    return;
  }
  const right = new Set(rs);
  lhs.forEach((s, i) => {
    if (!right.has(ls[i]!)) out.push(s);
  });
}

/** BinopContext carries per-node state of a vector/vector operation across steps. */
export interface BinopContext {
  readonly delayed: boolean;
  /** cache memoizes result label sets by the pair of input label sets. */
  readonly cache: Map<string, Labels>;
  readonly annos: Annotations;
}

/** vectorBinop is a vector/vector arithmetic or comparison operation with vector matching. */
export function vectorBinop(
  e: BinaryExpr,
  lhsIn: Vector,
  rhsIn: Vector,
  lsigsIn: string[],
  rsigsIn: string[],
  out: Vector,
  c: BinopContext,
): void {
  const m = e.vectorMatching!;
  if (lhsIn.length === 0 || rhsIn.length === 0) return;
  let lhs = lhsIn;
  let rhs = rhsIn;
  let lsigs = lsigsIn;
  let rsigs = rsigsIn;
  const oneToMany = m.card === "one-to-many";
  if (oneToMany) {
    [lhs, rhs] = [rhs, lhs];
    [lsigs, rsigs] = [rsigs, lsigs];
  }
  const rightSigs = new Map<string, (typeof rhs)[number]>();
  rhs.forEach((rs, i) => {
    const sig = rsigs[i]!;
    const dup = rightSigs.get(sig);
    if (dup) {
      const side = oneToMany ? "left" : "right";
      const matched = matchLabels(rs.metric, m.on, m.matchingLabels);
      throw evalError(
        `found duplicate series for the match group ${labelsString(matched)} on the ${side} hand-side of the operation: [${labelsString(rs.metric)}, ${labelsString(dup.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    rightSigs.set(sig, rs);
  });
  const matchedSigs = new Map<string, Set<string> | null>();
  let lastErr: BinopError | undefined;
  for (let i = 0; i < lhs.length; i++) {
    const ls = lhs[i]!;
    const sig = lsigs[i]!;
    const rs = rightSigs.get(sig);
    if (!rs) continue;
    let fl = ls.f;
    let fr = rs.f;
    let hl = ls.h;
    let hr = rs.h;
    if (oneToMany) {
      [fl, fr] = [fr, fl];
      [hl, hr] = [hr, hl];
    }
    let value: number;
    let h: FloatHistogram | undefined;
    let keep: boolean;
    if (hl === undefined && hr === undefined) {
      // The common float case, without allocating an ElemResult.
      [value, keep] = elemBinop(e.op, fl, fr);
    } else {
      const res = vectorElemBinop(e.op, fl, fr, hl, hr, e.pos);
      if (res.err !== undefined) {
        lastErr = res.err;
        continue;
      }
      value = res.f;
      h = res.h;
      keep = res.keep;
    }
    if (e.returnBool) {
      h = undefined;
      value = keep ? 1 : 0;
    } else if (!keep) continue;
    let metric = resultMetric(ls.metric, rs.metric, e, c);
    if (!c.delayed && e.returnBool) metric = dropMetricName(metric);
    if (m.card === "one-to-one") {
      if (matchedSigs.has(sig)) {
        throw evalError(
          "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
        );
      }
      matchedSigs.set(sig, null);
    } else {
      const insertSig = keyOf(metric);
      let inserted = matchedSigs.get(sig);
      if (!inserted) {
        inserted = new Set();
        matchedSigs.set(sig, inserted);
      } else if (inserted.has(insertSig)) {
        throw evalError("multiple matches for labels: grouping labels must ensure unique matches");
      }
      inserted.add(insertSig);
    }
    out.push({ metric, t: 0, f: value, h, dropName: e.returnBool });
  }
  reportBinopError(lastErr, e, c.annos);
}

function matchLabels(ls: Labels, on: boolean, names: readonly string[]): Labels {
  const set = new Set(names);
  if (on) return ls.filter((l) => set.has(l.name));
  return ls.filter((l) => !set.has(l.name) && l.name !== METRIC_NAME);
}

/** resultMetric computes the labels of a vector/vector operation's output sample. */
function resultMetric(lhs: Labels, rhs: Labels, e: BinaryExpr, c: BinopContext): Labels {
  const key = keyOf(lhs) + "\x00" + keyOf(rhs);
  const hit = c.cache.get(key);
  if (hit) return hit;
  const m = e.vectorMatching!;
  let ls: Labels = lhs;
  if (changesMetricSchema(e.op)) ls = dropMetricName(ls);
  if (m.card === "one-to-one") {
    const names = new Set(m.matchingLabels);
    ls = m.on ? ls.filter((l) => names.has(l.name)) : ls.filter((l) => !names.has(l.name));
  }
  for (const name of m.include) {
    const v = rhs.find((l) => l.name === name)?.value ?? "";
    ls = setLabel(ls, name, v);
  }
  c.cache.set(key, ls);
  return ls;
}

/** vectorScalarBinop is a vector/scalar operation; swap means the scalar is on the left. */
export function vectorScalarBinop(
  e: BinaryExpr,
  lhs: Vector,
  scalar: number,
  swap: boolean,
  out: Vector,
  delayed: boolean,
  annos: Annotations,
): void {
  const comparison = !changesMetricSchema(e.op);
  let lastErr: BinopError | undefined;
  for (const s of lhs) {
    let lf = s.f;
    let rf = scalar;
    let lh = s.h;
    let rh: FloatHistogram | undefined;
    if (swap) {
      [lf, rf] = [rf, lf];
      [lh, rh] = [rh, lh];
    }
    let value: number;
    let h: FloatHistogram | undefined;
    let keep: boolean;
    if (lh === undefined && rh === undefined) {
      [value, keep] = elemBinop(e.op, lf, rf);
    } else {
      const res = vectorElemBinop(e.op, lf, rf, lh, rh, e.pos);
      if (res.err !== undefined) {
        lastErr = res.err;
        continue;
      }
      value = res.f;
      h = res.h;
      keep = res.keep;
    }
    // The vector element's value stays the output value even when it is on the right.
    if (comparison && swap) {
      value = rf;
      h = rh;
    }
    if (e.returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    let metric = s.metric;
    let dropName = s.dropName;
    if (changesMetricSchema(e.op) || e.returnBool) {
      if (!delayed) metric = dropMetricName(metric);
      dropName = true;
    }
    out.push({ metric, t: s.t, f: value, h, dropName });
  }
  reportBinopError(lastErr, e, annos);
}
