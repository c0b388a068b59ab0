// Query preparation, after prometheus promql/engine.go PreprocessExpr, setOffsetForAtModifier,
// FindMinMaxTime/getTimeRangesForSelector and promql/durations.go (v3.5): duration expressions
// become numbers, `@ start()`/`@ end()` become timestamps, step-invariant sub-trees are marked so
// that they are evaluated once, and every selector learns its effective offset and time range.
import type {
  DurationNode,
  Expr,
  MatrixSelector,
  SubqueryExpr,
  VectorSelector,
} from "../parser/index.ts";
import { inspect } from "../parser/index.ts";
import { QueryError } from "./errors.ts";
import { AT_MODIFIER_UNSAFE_FUNCTIONS } from "./functions/index.ts";

/** NodeState is what preparation learned about one selector or subquery. */
export interface NodeState {
  /** originalOffsetMs is the offset as written (duration expressions evaluated). */
  originalOffsetMs: number;
  /** offsetMs is the effective offset after folding in the `@` modifier. */
  offsetMs: number;
  /** timestampMs is the `@` time, if any. */
  timestampMs: number | undefined;
  /** rangeMs of a matrix selector or subquery. */
  rangeMs: number;
  /** stepMs of a subquery (0: the engine's default). */
  stepMs: number;
}

type Stateful = VectorSelector | MatrixSelector | SubqueryExpr;

/** Prepared holds the per-query state of a parsed expression. */
export class Prepared {
  readonly root: Expr;
  readonly #state = new Map<Stateful, NodeState>();
  /** invariant holds the step-invariant sub-trees that are evaluated once. */
  readonly invariant = new Set<Expr>();

  constructor(root: Expr, startMs: number, endMs: number) {
    this.root = root;
    inspect(root, (n) => {
      if (n.type === "VectorSelector" || n.type === "SubqueryExpr") {
        const off = n.originalOffsetExpr
          ? durationMs(n.originalOffsetExpr, true)
          : n.originalOffsetMs;
        let ts = n.timestampMs;
        if (n.startOrEnd === "start") ts = startMs;
        else if (n.startOrEnd === "end") ts = endMs;
        const st = this.state(n);
        st.originalOffsetMs = off;
        st.offsetMs = off;
        st.timestampMs = ts;
        if (n.type === "SubqueryExpr") {
          st.rangeMs = n.rangeExpr ? durationMs(n.rangeExpr, false) : n.rangeMs;
          st.stepMs = n.stepExpr ? durationMs(n.stepExpr, false) : n.stepMs;
        }
      } else if (n.type === "MatrixSelector") {
        this.state(n).rangeMs = n.rangeExpr ? durationMs(n.rangeExpr, false) : n.rangeMs;
      }
    });
    if (this.#markInvariant(root)) this.invariant.add(root);
  }

  state(n: Stateful): NodeState {
    let s = this.#state.get(n);
    if (!s) {
      s = { originalOffsetMs: 0, offsetMs: 0, timestampMs: undefined, rangeMs: 0, stepMs: 0 };
      this.#state.set(n, s);
    }
    return s;
  }

  /** preprocessExprHelper: returns whether n is step invariant, marking invariant children. */
  #markInvariant(n: Expr): boolean {
    switch (n.type) {
      case "VectorSelector":
        return this.state(n).timestampMs !== undefined;
      case "AggregateExpr":
        // Upstream only looks at the aggregated expression, not the parameter.
        return this.#markInvariant(n.expr);
      case "BinaryExpr": {
        const l = this.#markInvariant(n.lhs);
        const r = this.#markInvariant(n.rhs);
        if (l && r) return true;
        if (l) this.invariant.add(n.lhs);
        if (r) this.invariant.add(n.rhs);
        return false;
      }
      case "Call": {
        let inv = !AT_MODIFIER_UNSAFE_FUNCTIONS.has(n.func.name);
        const each = n.args.map((a) => this.#markInvariant(a));
        for (const x of each) inv &&= x;
        if (inv) return true;
        each.forEach((x, i) => {
          if (x) this.invariant.add(n.args[i]!);
        });
        return false;
      }
      case "MatrixSelector":
        return this.#markInvariant(n.vectorSelector);
      case "SubqueryExpr": {
        if (this.#markInvariant(n.expr)) this.invariant.add(n.expr);
        return this.state(n).timestampMs !== undefined;
      }
      case "ParenExpr":
      case "UnaryExpr":
        return this.#markInvariant(n.expr);
      case "StringLiteral":
      case "NumberLiteral":
        return true;
    }
  }

  /**
   * setOffsetForAtModifier rewrites the effective offsets of the selectors and subqueries under
   * expr so that an evaluation starting at evalTime reads the `@` time.
   */
  setOffsetForAtModifier(evalTime: number, expr: Expr): void {
    const offsetFor = (ts: number | undefined, original: number, path: readonly Expr[]): number => {
      if (ts === undefined) return original;
      const sq = this.subqueryTimes(path);
      let subqOffset = sq.offsetMs;
      if (sq.timestampMs !== undefined) subqOffset += evalTime - sq.timestampMs;
      return original + (evalTime - ts - subqOffset);
    };
    inspect(expr, (n, path) => {
      if (n.type === "VectorSelector" || n.type === "SubqueryExpr") {
        const st = this.state(n);
        st.offsetMs = offsetFor(st.timestampMs, st.originalOffsetMs, path);
      }
    });
  }

  /** subqueryTimes sums the offsets and ranges of the subqueries on path (reset at an `@`). */
  subqueryTimes(path: readonly Expr[]): {
    offsetMs: number;
    rangeMs: number;
    timestampMs: number | undefined;
  } {
    let offsetMs = 0;
    let rangeMs = 0;
    let timestampMs: number | undefined;
    for (const n of path) {
      if (n.type !== "SubqueryExpr") continue;
      const st = this.state(n);
      offsetMs += st.originalOffsetMs;
      rangeMs += st.rangeMs;
      if (st.timestampMs !== undefined) {
        offsetMs = st.originalOffsetMs;
        rangeMs = st.rangeMs;
        timestampMs = st.timestampMs;
      }
    }
    return { offsetMs, rangeMs, timestampMs };
  }

  /**
   * selectorRanges returns, for every vector selector, the inclusive time range its samples are
   * read from (getTimeRangesForSelector), for a query over [startMs, endMs].
   */
  selectorRanges(
    startMs: number,
    endMs: number,
    lookbackDeltaMs: number,
  ): Map<VectorSelector, { mint: number; maxt: number }> {
    const out = new Map<VectorSelector, { mint: number; maxt: number }>();
    inspect(this.root, (n, path) => {
      if (n.type !== "VectorSelector") return;
      const parent = path[path.length - 1];
      const evalRange = parent?.type === "MatrixSelector" ? this.state(parent).rangeMs : 0;
      let start = startMs;
      let end = endMs;
      const sq = this.subqueryTimes(path);
      if (sq.timestampMs !== undefined) {
        start = sq.timestampMs;
        end = sq.timestampMs;
      }
      const st = this.state(n);
      if (st.timestampMs !== undefined) {
        start = st.timestampMs;
        end = st.timestampMs;
      } else {
        start = start - sq.offsetMs - sq.rangeMs;
        end -= sq.offsetMs;
      }
      if (evalRange === 0) start -= lookbackDeltaMs - 1;
      else start -= evalRange - 1;
      start -= st.originalOffsetMs;
      end -= st.originalOffsetMs;
      out.set(n, { mint: start, maxt: end });
    });
    return out;
  }
}

/** durationMs evaluates a duration expression (durations.go calculateDuration) to ms. */
function durationMs(expr: DurationNode, allowNegative: boolean): number {
  const seconds = evalDuration(expr);
  const where = `${expr.pos.start}:${expr.pos.end}`;
  if (seconds <= 0 && !allowNegative) {
    throw new QueryError("bad_data", `${where}: duration must be greater than 0`);
  }
  const ms = Math.trunc(seconds * 1000);
  if (!Number.isFinite(seconds) || Math.abs(seconds * 1e9) > 9.223372036854776e18) {
    throw new QueryError("bad_data", `${where}: duration is out of range`);
  }
  return ms;
}

function evalDuration(n: DurationNode): number {
  if (n.type === "NumberLiteral") return n.value;
  const lhs = n.lhs ? evalDuration(n.lhs) : 0;
  const rhs = evalDuration(n.rhs);
  const where = `${n.pos.start}:${n.pos.end}`;
  switch (n.op) {
    case "+":
      return lhs + rhs;
    case "-":
      return n.lhs ? lhs - rhs : -rhs;
    case "*":
      return lhs * rhs;
    case "/":
      if (rhs === 0) throw new QueryError("bad_data", `${where}: division by zero`);
      return lhs / rhs;
    case "%":
      if (rhs === 0) throw new QueryError("bad_data", `${where}: modulo by zero`);
      return lhs % rhs;
    case "^":
      return Math.pow(lhs, rhs);
  }
}
