// Values the PromQL engine computes with, after prometheus promql/value.go (v3.5): every
// sample and point is either a float or a native histogram (FloatHistogram).
import type { FloatHistogram } from "../../model/histogram/index.ts";
import type { Labels } from "../../model/labels/index.ts";

/** FPoint is one float point of a series at time t (ms). */
export interface FPoint {
  t: number;
  f: number;
}

/**
 * HPoint is one native histogram point of a series at time t (ms). Histograms in results may be
 * shared with the storage or with other points: copy before modifying one.
 */
export interface HPoint {
  t: number;
  h: FloatHistogram;
}

/**
 * Sample is one element of an instant vector: a float `f`, or a native histogram when `h` is
 * set (then `f` is meaningless, 0 by convention). dropName marks a sample whose `__name__` is
 * to be removed when the query finishes (delayed name removal, EnableDelayedNameRemoval).
 */
export interface Sample {
  metric: Labels;
  t: number;
  f: number;
  h?: FloatHistogram | undefined;
  dropName: boolean;
}

/**
 * Series is one element of a range vector (matrix): its float points and its histogram points,
 * each in ascending time, with disjoint timestamps.
 */
export interface Series {
  metric: Labels;
  floats: FPoint[];
  histograms: HPoint[];
  dropName: boolean;
}

/** Vector is an instant vector. */
export type Vector = Sample[];

/** Matrix is a range vector, or the step-wise result of a range query. */
export type Matrix = Series[];

/**
 * hpointSize is the weight of a histogram point in the engine's sample count (HPoint.size): its
 * memory size over that of a float point, 16 bytes.
 */
export function hpointSize(h: FloatHistogram): number {
  return Math.trunc((h.size() + 8) / 16);
}

/** totalHPointSize is the weight of histogram points in samples (totalHPointSize). */
export function totalHPointSize(points: readonly HPoint[]): number {
  let n = 0;
  for (const p of points) n += hpointSize(p.h);
  return n;
}

/**
 * vectorTotalSamples counts a vector's samples, each histogram weighted by its size
 * (Vector.TotalSamples).
 */
export function vectorTotalSamples(vec: readonly Sample[]): number {
  let n = 0;
  for (const s of vec) {
    n++;
    if (s.h !== undefined) n += Math.trunc(s.h.size() / 16);
  }
  return n;
}

/** matrixTotalSamples counts a matrix's points, histograms weighted (Matrix.TotalSamples). */
export function matrixTotalSamples(m: readonly Series[]): number {
  let n = 0;
  for (const s of m) n += s.floats.length + totalHPointSize(s.histograms);
  return n;
}

/** Scalar is a single float at a time. */
export interface Scalar {
  t: number;
  f: number;
}

/** StringValue is a string result at a time. */
export interface StringValue {
  t: number;
  s: string;
}

/** QueryValue is the result of evaluating a whole query. */
export type QueryValue =
  | { type: "vector"; vector: Vector }
  | { type: "matrix"; matrix: Matrix }
  | { type: "scalar"; scalar: Scalar }
  | { type: "string"; string: StringValue };

/**
 * FunctionValue is an evaluated argument as a function implementation receives it for one step
 * (the `vals` of upstream's FunctionCall): an instant vector (floats and histograms); a scalar,
 * passed as a vector of exactly one float sample (whose metric is empty); a matrix of exactly
 * one series holding the float and histogram points of the current window, for the range-vector
 * argument; or a string.
 */
export type FunctionValue = Vector | Matrix | string;
