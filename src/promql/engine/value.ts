// Values the PromQL engine computes with, after prometheus promql/value.go (v3.5). Native
// histograms are not represented yet: every point is a float.
import type { Labels } from "../../model/labels/index.ts";

/** FPoint is one float point of a series at time t (ms). */
export interface FPoint {
  t: number;
  f: number;
}

/**
 * Sample is one element of an instant vector. dropName marks a sample whose `__name__` is to be
 * removed when the query finishes (delayed name removal, EnableDelayedNameRemoval).
 */
export interface Sample {
  metric: Labels;
  t: number;
  f: number;
  dropName: boolean;
}

/** Series is one element of a range vector (matrix), points in ascending time. */
export interface Series {
  metric: Labels;
  floats: FPoint[];
  dropName: boolean;
}

/** Vector is an instant vector. */
export type Vector = Sample[];

/** Matrix is a range vector, or the step-wise result of a range query. */
export type Matrix = Series[];

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
 * (the `vals` of upstream's FunctionCall): an instant vector; a scalar, passed as a vector of
 * exactly one sample (whose metric is empty); a matrix of exactly one series holding the points
 * of the current window, for the range-vector argument; or a string.
 */
export type FunctionValue = Vector | Matrix | string;
