// The calling convention for PromQL function implementations, after prometheus
// promql/functions.go (v3.5) FunctionCall. The implementations live in ./functions/.
import type { Expr } from "../parser/index.ts";
import type { Annotations } from "./annotations.ts";
import type { FunctionValue, Vector } from "./value.ts";

/**
 * EvalNodeHelper carries what a function needs besides its arguments at one evaluation step.
 * The evaluator creates one per Call node and reuses it across steps and series, so
 * implementations may keep per-node caches in `cache`.
 */
export interface EvalNodeHelper {
  /** ts is the evaluation timestamp in ms (upstream enh.Ts). */
  ts: number;
  /**
   * For functions with a range-vector argument: the range of that argument's selector or
   * subquery (ms) and its effective offset (ms, after `@` was folded into it, as upstream's
   * preprocessing does). The window of the current step is (ts - offsetMs - rangeMs, ts - offsetMs].
   */
  rangeMs: number;
  offsetMs: number;
  /** enableDelayedNameRemoval: mark samples with dropName instead of removing __name__ now. */
  enableDelayedNameRemoval: boolean;
  /** annotations collects the warnings and infos the call raises. */
  annotations: Annotations;
  /** cache is free for the implementation of this node (e.g. histogram bucket grouping). */
  cache: Map<string, unknown>;
}

/**
 * FunctionCall implements one PromQL function for one step. `vals` are the evaluated arguments
 * (see FunctionValue) and `args` the argument expressions (for positions in annotations and for
 * functions such as absent() that read label matchers). For a function with a range-vector
 * argument the evaluator calls it once per series and step with that series' window; the
 * returned vector then holds at most one sample whose metric is ignored (the evaluator labels
 * it). Otherwise it returns the output vector of the step, with metrics and dropName set.
 */
export type FunctionCall = (vals: FunctionValue[], args: Expr[], enh: EvalNodeHelper) => Vector;
