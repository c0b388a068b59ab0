// Helpers for the function library's tests: building arguments, running a function over a
// loaded series the way the evaluator does, and comparing floats like promqltest.
import assert from "node:assert/strict";
import { labelsFromRecord } from "../../../model/labels/index.ts";
import type { Labels } from "../../../model/labels/index.ts";
import { parseExpr } from "../../parser/index.ts";
import type { Expr } from "../../parser/index.ts";
import { Annotations } from "../annotations.ts";
import type { EvalNodeHelper } from "../functions.ts";
import type { FPoint, FunctionValue, HPoint, Matrix, Sample, Vector } from "../value.ts";
import { FUNCTION_CALLS } from "./index.ts";

/** newEnh returns a fresh EvalNodeHelper; delayed name removal is on unless disabled. */
export function newEnh(opts: Partial<EvalNodeHelper> = {}): EvalNodeHelper {
  return {
    ts: 0,
    rangeMs: 0,
    offsetMs: 0,
    enableDelayedNameRemoval: true,
    annotations: new Annotations(),
    cache: new Map(),
    ...opts,
  };
}

/** lbls builds labels from a record. */
export function lbls(rec: Record<string, string>): Labels {
  return labelsFromRecord(rec);
}

/** smp builds an instant-vector sample. */
export function smp(rec: Record<string, string>, f: number, t = 0): Sample {
  return { metric: lbls(rec), t, f, dropName: false };
}

/** sc is a scalar argument. */
export function sc(f: number): Vector {
  return [{ metric: lbls({}), t: 0, f, dropName: false }];
}

/** win is a range-vector argument: one series with the given points. */
export function win(
  rec: Record<string, string>,
  points: FPoint[],
  histograms: HPoint[] = [],
): Matrix {
  return [{ metric: lbls(rec), floats: points, histograms, dropName: false }];
}

/** callArgs parses a call and returns its argument expressions. */
export function callArgs(query: string): Expr[] {
  const e = parseExpr(query, { enableExperimentalFunctions: true });
  if (e.type !== "Call") throw new Error(`not a call: ${query}`);
  return e.args;
}

/** call runs a function through FUNCTION_CALLS. */
export function call(
  name: string,
  vals: FunctionValue[],
  args: Expr[],
  enh: EvalNodeHelper = newEnh(),
): Vector {
  const fn = FUNCTION_CALLS[name];
  if (fn === undefined) throw new Error(`no function ${name}`);
  return fn(vals, args, enh);
}

/**
 * load expands promqltest's notation for one series ("0+10x3 _ 5 NaN") into points every
 * stepMs starting at 0.
 */
export function load(stepMs: number, values: string): FPoint[] {
  const out: FPoint[] = [];
  let i = 0;
  for (const item of values.trim().split(/\s+/)) {
    let m: RegExpMatchArray | null;
    if (item === "_") {
      i++;
    } else if ((m = item.match(/^_x(\d+)$/))) {
      i += Number(m[1]);
    } else if ((m = item.match(/^(.+?)([+-][^x]+)x(\d+)$/))) {
      const start = Number(m[1]);
      const inc = Number(m[2]);
      for (let k = 0; k <= Number(m[3]); k++) out.push({ t: stepMs * i++, f: start + k * inc });
    } else if ((m = item.match(/^(.+)x(\d+)$/))) {
      for (let k = 0; k <= Number(m[2]); k++) out.push({ t: stepMs * i++, f: parseNum(m[1]!) });
    } else {
      out.push({ t: stepMs * i++, f: parseNum(item) });
    }
  }
  return out;
}

function parseNum(s: string): number {
  const l = s.toLowerCase();
  if (l === "nan") return NaN;
  if (l === "inf" || l === "+inf") return Infinity;
  if (l === "-inf") return -Infinity;
  return Number(s);
}

/** RangeEval describes one evaluation of a range-vector function over one series. */
export interface RangeEval {
  tsMs: number;
  rangeMs: number;
  offsetMs?: number;
  /** scalars are the other arguments, in position order around the matrix argument. */
  before?: number[];
  after?: number[];
  /** args are the call's argument expressions (for annotation positions). */
  args?: Expr[];
  enh?: EvalNodeHelper;
}

/**
 * evalRange selects the points of the window (ts - offset - range, ts - offset] and calls the
 * function as the evaluator would; it returns undefined when the evaluator would produce no
 * point (an empty window, or an empty result).
 */
export function evalRange(
  name: string,
  points: FPoint[],
  e: RangeEval,
  metric: Record<string, string> = {},
): number | undefined {
  const offsetMs = e.offsetMs ?? 0;
  const maxt = e.tsMs - offsetMs;
  const mint = maxt - e.rangeMs;
  const window = points.filter((p) => p.t > mint && p.t <= maxt);
  if (window.length === 0) return undefined;
  const enh = e.enh ?? newEnh();
  enh.ts = e.tsMs;
  enh.rangeMs = e.rangeMs;
  enh.offsetMs = offsetMs;
  const vals: FunctionValue[] = [
    ...(e.before ?? []).map(sc),
    win(metric, window),
    ...(e.after ?? []).map(sc),
  ];
  const out = call(name, vals, e.args ?? [], enh);
  assert.ok(out.length <= 1, `${name} returned ${out.length} samples`);
  return out[0]?.f;
}

/**
 * assertClose checks a float like promqltest does: equal, both NaN, or within a relative
 * error of 1e-6.
 */
export function assertClose(actual: number | undefined, expected: number, msg?: string): void {
  assert.ok(actual !== undefined, msg ?? `expected ${expected}, got no value`);
  if (Number.isNaN(expected) || Number.isNaN(actual)) {
    assert.ok(Number.isNaN(expected) && Number.isNaN(actual), msg ?? `${actual} != ${expected}`);
    return;
  }
  if (actual === expected) return;
  const ok =
    expected === 0 || actual === 0
      ? Math.abs(actual - expected) < 1e-6 * 2 ** -1022
      : Math.abs(actual - expected) /
          Math.min(Math.abs(actual) + Math.abs(expected), Number.MAX_VALUE) <
        1e-6;
  assert.ok(ok, msg ?? `${actual} is not close to ${expected}`);
}

/** annotationTexts lists the texts of the annotations gathered in enh. */
export function annotationTexts(enh: EvalNodeHelper): string[] {
  return [...enh.annotations].map((a) => a.text);
}
