// Functions over instant vectors and scalars, after prometheus promql/functions.go (v3.5.3):
// element-wise math, clamp, round, date functions, timestamp, vector, scalar, time, pi, the
// sorts and absent.
import { EMPTY_LABELS, getLabel, labelsFromPairs } from "../../../model/labels/index.ts";
import type { Labels } from "../../../model/labels/index.ts";
import type { Expr } from "../../parser/index.ts";
import type { EvalNodeHelper, FunctionCall } from "../functions.ts";
import type { FunctionValue, Sample, Vector } from "../value.ts";
import { dropMetadataLabels, scalarArg, stringArg, unwrapParens, vectorArg } from "./args.ts";
import { goInt64, goStringLess, natsortLess } from "./go-compat.ts";
import {
  goAcos,
  goAcosh,
  goAsin,
  goAsinh,
  goAtan,
  goAtanh,
  goCos,
  goCosh,
  goExp,
  goLog,
  goLog10,
  goLog2,
  goSin,
  goSinh,
  goTan,
  goTanh,
} from "./go-math.ts";
import { goSort } from "./go-sort.ts";
import { calendarFromUnix, daysInMonth } from "./go-time.ts";
import type { CalendarFields } from "./go-time.ts";

/**
 * transformed is the output sample for input el with value f: the metadata labels are dropped
 * now, or marked for dropping at the end of the query under delayed name removal.
 */
export function transformed(el: Sample, f: number, enh: EvalNodeHelper): Sample {
  const metric = enh.enableDelayedNameRemoval ? el.metric : dropMetadataLabels(el.metric);
  return { metric, t: enh.ts, f, dropName: true };
}

/** floatsOf returns the float samples of vec (filterFloats): histograms are skipped. */
function floatsOf(vec: Vector): Vector {
  return vec.some((s) => s.h !== undefined) ? vec.filter((s) => s.h === undefined) : vec;
}

function simpleFloatFunc(fn: (v: number) => number): FunctionCall {
  return (vals, _args, enh) =>
    floatsOf(vectorArg(vals, 0)).map((el) => transformed(el, fn(el.f), enh));
}

function clamp(vec: Vector, min: number, max: number, enh: EvalNodeHelper): Vector {
  if (max < min) return [];
  return floatsOf(vec).map((el) => transformed(el, Math.max(min, Math.min(max, el.f)), enh));
}

/** roundToNearest is round(v, toNearest): ties go up (towards +Inf). */
function roundToNearest(v: number, toNearest: number): number {
  // Multiplying by the inverse causes fewer floating-point surprises than dividing.
  const inverse = 1.0 / toNearest;
  return Math.floor(v * inverse + 0.5) / inverse;
}

function sgn(v: number): number {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v; // 0, -0 and NaN stay as they are
}

function dateFunc(field: (c: CalendarFields) => number): FunctionCall {
  return (vals, _args, enh) => {
    if (vals.length === 0) {
      // Go's integer division truncates toward zero.
      const c = calendarFromUnix(BigInt(Math.trunc(enh.ts / 1000)));
      return [{ metric: EMPTY_LABELS, t: enh.ts, f: field(c), dropName: false }];
    }
    return floatsOf(vectorArg(vals, 0)).map((el) =>
      transformed(el, field(calendarFromUnix(goInt64(el.f))), enh),
    );
  };
}

/**
 * labelsForAbsent builds the labels of absent() and absent_over_time() results from the
 * argument selector: every label matched by exactly one equality matcher, except `__name__`
 * (createLabelsForAbsentFunction). A label with several matchers is left out. Arguments other
 * than plain selectors yield no labels.
 */
export function labelsForAbsent(expr: Expr): Labels {
  const e = unwrapParens(expr);
  let matchers;
  if (e.type === "VectorSelector") matchers = e.matchers;
  else if (e.type === "MatrixSelector") matchers = e.vectorSelector.matchers;
  else return EMPTY_LABELS;
  const values = new Map<string, string>();
  const has = new Set<string>();
  for (const m of matchers) {
    if (m.name === "__name__") continue;
    if (m.type === "=" && !has.has(m.name)) {
      values.set(m.name, m.value);
      has.add(m.name);
    } else {
      values.delete(m.name);
    }
  }
  return labelsFromPairs([...values].map(([name, value]) => ({ name, value })));
}

function sortByLabel(vals: FunctionValue[], args: Expr[], desc: boolean): Vector {
  const out = vectorArg(vals, 0).slice();
  const names: string[] = [];
  for (let i = 1; i < Math.max(vals.length, args.length); i++) names.push(stringArg(vals, args, i));
  const sign = desc ? -1 : 1;
  goSort(out, (a, b) => {
    for (const name of names) {
      const lv1 = getLabel(a.metric, name);
      const lv2 = getLabel(b.metric, name);
      if (lv1 === lv2) continue;
      return (natsortLess(lv1, lv2) ? -1 : 1) * sign < 0;
    }
    return sign * compareLabelsGo(a.metric, b.metric) < 0;
  });
  return out;
}

/** compareLabelsGo is labels.Compare with Go's byte-wise string order. */
function compareLabelsGo(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return goStringLess(x.name, y.name) ? -1 : 1;
    if (x.value !== y.value) return goStringLess(x.value, y.value) ? -1 : 1;
  }
  return a.length - b.length;
}

/** INSTANT_FUNCTIONS are the implementations of functions without a range-vector argument. */
export const INSTANT_FUNCTIONS: Record<string, FunctionCall> = {
  abs: simpleFloatFunc(Math.abs),
  ceil: simpleFloatFunc(Math.ceil),
  floor: simpleFloatFunc(Math.floor),
  exp: simpleFloatFunc(goExp),
  sqrt: simpleFloatFunc(Math.sqrt),
  ln: simpleFloatFunc(goLog),
  log2: simpleFloatFunc(goLog2),
  log10: simpleFloatFunc(goLog10),
  sin: simpleFloatFunc(goSin),
  cos: simpleFloatFunc(goCos),
  tan: simpleFloatFunc(goTan),
  asin: simpleFloatFunc(goAsin),
  acos: simpleFloatFunc(goAcos),
  atan: simpleFloatFunc(goAtan),
  sinh: simpleFloatFunc(goSinh),
  cosh: simpleFloatFunc(goCosh),
  tanh: simpleFloatFunc(goTanh),
  asinh: simpleFloatFunc(goAsinh),
  acosh: simpleFloatFunc(goAcosh),
  atanh: simpleFloatFunc(goAtanh),
  rad: simpleFloatFunc((v) => (v * Math.PI) / 180),
  deg: simpleFloatFunc((v) => (v * 180) / Math.PI),
  sgn: simpleFloatFunc(sgn),
  round: (vals, args, enh) => {
    const toNearest = args.length >= 2 || vals.length >= 2 ? scalarArg(vals, 1) : 1;
    return floatsOf(vectorArg(vals, 0)).map((el) =>
      transformed(el, roundToNearest(el.f, toNearest), enh),
    );
  },
  clamp: (vals, _args, enh) =>
    clamp(vectorArg(vals, 0), scalarArg(vals, 1), scalarArg(vals, 2), enh),
  clamp_max: (vals, _args, enh) => clamp(vectorArg(vals, 0), -Infinity, scalarArg(vals, 1), enh),
  clamp_min: (vals, _args, enh) => clamp(vectorArg(vals, 0), scalarArg(vals, 1), Infinity, enh),
  timestamp: (vals, _args, enh) =>
    vectorArg(vals, 0).map((el) => transformed(el, el.t / 1000, enh)),
  days_in_month: dateFunc((c) => daysInMonth(c.year, c.month)),
  day_of_month: dateFunc((c) => c.day),
  day_of_week: dateFunc((c) => c.weekday),
  day_of_year: dateFunc((c) => c.yearDay),
  hour: dateFunc((c) => c.hour),
  minute: dateFunc((c) => c.minute),
  month: dateFunc((c) => c.month),
  year: dateFunc((c) => c.year),
  time: (_vals, _args, enh) => [
    { metric: EMPTY_LABELS, t: enh.ts, f: enh.ts / 1000, dropName: false },
  ],
  pi: (_vals, _args, enh) => [{ metric: EMPTY_LABELS, t: enh.ts, f: Math.PI, dropName: false }],
  vector: (vals, _args, enh) => [
    { metric: EMPTY_LABELS, t: enh.ts, f: scalarArg(vals, 0), dropName: false },
  ],
  scalar: (vals, _args, enh) => {
    const v = floatsOf(vectorArg(vals, 0));
    // Exactly one float element gives its value; none or several give NaN.
    const f = v.length === 1 ? v[0]!.f : NaN;
    return [{ metric: EMPTY_LABELS, t: enh.ts, f, dropName: false }];
  },
  // sort and sort_desc order NaNs last, through Go's sort of the reversed opposite order.
  sort: (vals) => {
    const out = floatsOf(vectorArg(vals, 0)).slice();
    goSort(out, (x, y) => Number.isNaN(y.f) || y.f > x.f);
    return out;
  },
  sort_desc: (vals) => {
    const out = floatsOf(vectorArg(vals, 0)).slice();
    goSort(out, (x, y) => Number.isNaN(y.f) || y.f < x.f);
    return out;
  },
  sort_by_label: (vals, args) => sortByLabel(vals, args, false),
  sort_by_label_desc: (vals, args) => sortByLabel(vals, args, true),
  absent: (vals, args, enh) => {
    if (vectorArg(vals, 0).length > 0) return [];
    return [{ metric: labelsForAbsent(args[0]!), t: enh.ts, f: 1, dropName: false }];
  },
};
