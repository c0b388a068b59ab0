// Renders syntax trees back to PromQL exactly as Prometheus's String methods do
// (promql/parser/printer.go, v3.5), and pretty-prints them as parser.Prettify does
// (promql/parser/prettier.go), which is what /api/v1/format_query returns.
import { METRIC_NAME } from "../../model/labels/index.ts";
import type { Matcher } from "../../model/labels/index.ts";
import { formatDuration } from "../../model/duration.ts";
import type {
  AggregateExpr,
  AtModifierPreprocessor,
  BinaryExpr,
  DurationExpr,
  Expr,
  Node,
  NumberLiteral,
  SubqueryExpr,
  VectorSelector,
} from "./ast.ts";
import { assertNever } from "./ast.ts";
import { isAggregationWithParam } from "./functions.ts";
import { compareCodePoints, formatGoFixed, formatGoFloat, goQuote, utf8Length } from "./quote.ts";

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** matcherToString renders a label matcher as Prometheus's Matcher.String: `a="b"`, `"a.b"=~"c"`. */
export function matcherToString(m: Matcher): string {
  const name = LEGACY_LABEL.test(m.name) ? m.name : goQuote(m.name);
  return `${name}${m.type}${goQuote(m.value)}`;
}

// Durations print as model.Duration.String: milliseconds, truncated.
function durationString(ms: number): string {
  return formatDuration(Math.trunc(ms));
}

// Output collects printed pieces. With a finite limit it counts UTF-8 bytes and throws
// TOO_LONG as soon as the output exceeds the limit, so that prettify can decide whether a node
// fits on a line in time proportional to the line width rather than to the node's size.
const TOO_LONG = new Error("printed form exceeds the limit");

class Output {
  private readonly parts: string[] = [];
  private bytes = 0;

  constructor(private readonly limit: number = Infinity) {}

  write(s: string): void {
    this.parts.push(s);
    if (this.limit !== Infinity) {
      this.bytes += utf8Length(s);
      if (this.bytes > this.limit) throw TOO_LONG;
    }
  }

  toString(): string {
    return this.parts.join("");
  }
}

function writeOffset(o: Output, ms: number, expr: DurationExpr | undefined): void {
  if (expr !== undefined) {
    o.write(" offset ");
    print(expr, o);
  } else if (ms > 0) o.write(` offset ${durationString(ms)}`);
  else if (ms < 0) o.write(` offset -${durationString(-ms)}`);
}

function writeAt(
  o: Output,
  timestampMs: number | undefined,
  startOrEnd: AtModifierPreprocessor | undefined,
): void {
  if (timestampMs !== undefined) o.write(` @ ${formatGoFixed(timestampMs / 1000, 3)}`);
  else if (startOrEnd !== undefined) o.write(` @ ${startOrEnd}()`);
}

function joinLabels(labels: readonly string[]): string {
  return labels.map((l) => (LEGACY_METRIC.test(l) ? l : goQuote(l))).join(", ");
}

function numberToString(n: NumberLiteral): string {
  if (!n.duration) return formatGoFloat(n.value);
  // model.Duration(v * 1e9) truncates to whole nanoseconds, String() to whole milliseconds.
  const ms = (v: number): number => Math.trunc(Math.trunc(v * 1e9) / 1e6);
  return n.value < 0 ? `-${formatDuration(ms(-n.value))}` : formatDuration(ms(n.value));
}

function selectorBody(vs: VectorSelector): string {
  const labels: string[] = [];
  for (const m of vs.matchers) {
    // The name written outside the braces is printed there, not as a matcher.
    if (m.name === METRIC_NAME && m.type === "=" && m.value === vs.name && m.value !== "") continue;
    labels.push(matcherToString(m));
  }
  if (labels.length === 0) return vs.name;
  labels.sort(compareCodePoints);
  return `${vs.name}{${labels.join(",")}}`;
}

/** aggregateOpString renders `sum by (job) ` / `sum without (a) ` / `sum` (printer.go getAggOpStr). */
function aggregateOpString(e: AggregateExpr): string {
  if (e.without) return `${e.op} without (${joinLabels(e.grouping)}) `;
  if (e.grouping.length > 0) return `${e.op} by (${joinLabels(e.grouping)}) `;
  return e.op;
}

/** matchingString renders ` on (a) group_left (b)` as printer.go getMatchingStr does. */
function matchingString(e: BinaryExpr): string {
  const vm = e.vectorMatching;
  if (vm === null || (vm.matchingLabels.length === 0 && !vm.on)) return "";
  let s = ` ${vm.on ? "on" : "ignoring"} (${vm.matchingLabels.join(", ")})`;
  if (vm.card === "many-to-one" || vm.card === "one-to-many") {
    s += ` group_${vm.card === "many-to-one" ? "left" : "right"} (${vm.include.join(", ")})`;
  }
  return s;
}

function binaryOpString(e: BinaryExpr): string {
  return `${e.op}${e.returnBool ? " bool" : ""}${matchingString(e)}`;
}

function writeRange(o: Output, ms: number, expr: DurationExpr | undefined): void {
  if (expr === undefined) o.write(durationString(ms));
  else print(expr, o);
}

function writeSubquerySuffix(o: Output, e: SubqueryExpr): void {
  o.write("[");
  writeRange(o, e.rangeMs, e.rangeExpr);
  o.write(":");
  if (e.stepMs !== 0) o.write(durationString(e.stepMs));
  else if (e.stepExpr !== undefined) print(e.stepExpr, o);
  o.write("]");
  writeAt(o, e.timestampMs, e.startOrEnd);
  writeOffset(o, e.originalOffsetMs, e.originalOffsetExpr);
}

function subquerySuffix(e: SubqueryExpr): string {
  const o = new Output();
  writeSubquerySuffix(o, e);
  return o.toString();
}

function print(node: Node, o: Output): void {
  switch (node.type) {
    case "AggregateExpr":
      o.write(aggregateOpString(node));
      o.write("(");
      if (isAggregationWithParam(node.op) && node.param) {
        print(node.param, o);
        o.write(", ");
      }
      print(node.expr, o);
      o.write(")");
      return;
    case "BinaryExpr": {
      // Iterate down the left spine so that long chains of operations print without deep recursion.
      const spine: BinaryExpr[] = [];
      let cur: Expr = node;
      while (cur.type === "BinaryExpr") {
        spine.push(cur);
        cur = cur.lhs;
      }
      print(cur, o);
      for (let k = spine.length - 1; k >= 0; k--) {
        o.write(` ${binaryOpString(spine[k])} `);
        print(spine[k].rhs, o);
      }
      return;
    }
    case "Call":
      o.write(`${node.func.name}(`);
      node.args.forEach((a, i) => {
        if (i > 0) o.write(", ");
        print(a, o);
      });
      o.write(")");
      return;
    case "DurationExpr":
      if (node.wrapped) o.write("(");
      if (node.lhs === undefined) {
        o.write(node.op);
      } else {
        print(node.lhs, o);
        o.write(` ${node.op} `);
      }
      print(node.rhs, o);
      if (node.wrapped) o.write(")");
      return;
    case "MatrixSelector": {
      const vs = node.vectorSelector;
      o.write(selectorBody(vs));
      o.write("[");
      writeRange(o, node.rangeMs, node.rangeExpr);
      o.write("]");
      writeAt(o, vs.timestampMs, vs.startOrEnd);
      writeOffset(o, vs.originalOffsetMs, vs.originalOffsetExpr);
      return;
    }
    case "NumberLiteral":
      o.write(numberToString(node));
      return;
    case "ParenExpr":
      o.write("(");
      print(node.expr, o);
      o.write(")");
      return;
    case "StringLiteral":
      o.write(goQuote(node.value));
      return;
    case "SubqueryExpr":
      print(node.expr, o);
      writeSubquerySuffix(o, node);
      return;
    case "UnaryExpr":
      o.write(node.op);
      print(node.expr, o);
      return;
    case "VectorSelector":
      o.write(selectorBody(node));
      writeAt(o, node.timestampMs, node.startOrEnd);
      writeOffset(o, node.originalOffsetMs, node.originalOffsetExpr);
      return;
    default:
      assertNever(node);
  }
}

/**
 * exprToString renders a node as PromQL, exactly like Prometheus's Node.String(): for example
 * `sum by(job)(rate(x[5m]))` becomes `sum by (job) (rate(x[5m]))`, matchers are sorted, numbers
 * use the shortest decimal form and `@` timestamps print with three decimals.
 */
export function exprToString(node: Node): string {
  const o = new Output();
  print(node, o);
  return o.toString();
}

// Fits decides, per node, whether its one-line form is at most max bytes (upstream's
// !needsSplit). Binary chains are measured in one bounded pass along their left spine and the
// answers remembered, since the one-line length only grows towards the top of a chain.
class Fits {
  private readonly memo = new Map<Expr, boolean>();

  constructor(readonly max: number) {}

  check(e: Expr): boolean {
    const known = this.memo.get(e);
    if (known !== undefined) return known;
    if (e.type !== "BinaryExpr") return this.measure(e);
    const spine: BinaryExpr[] = [];
    let cur: Expr = e;
    while (cur.type === "BinaryExpr" && !this.memo.has(cur)) {
      spine.push(cur);
      cur = cur.lhs;
    }
    // Every spine node's text starts with the text of the node below it.
    const o = new Output(this.max);
    let fits = true;
    try {
      if (cur.type === "BinaryExpr" && this.memo.get(cur) === false) throw TOO_LONG;
      print(cur, o);
      for (let k = spine.length - 1; k >= 0; k--) {
        o.write(` ${binaryOpString(spine[k])} `);
        print(spine[k].rhs, o);
        this.memo.set(spine[k], true);
      }
    } catch (err) {
      if (err !== TOO_LONG) throw err;
      fits = false;
    }
    if (!fits) for (const n of spine) if (!this.memo.has(n)) this.memo.set(n, false);
    return this.memo.get(e)!;
  }

  private measure(e: Expr): boolean {
    try {
      print(e, new Output(this.max));
      return true;
    } catch (err) {
      if (err === TOO_LONG) return false;
      throw err;
    }
  }
}

/** PRETTIFY_MAX_WIDTH is the line length above which prettify splits an expression. */
export const PRETTIFY_MAX_WIDTH = 100;

/**
 * prettify formats expr over several lines with two-space indentation wherever a node's
 * one-line form is longer than maxWidth bytes, exactly as Prometheus's parser.Prettify does
 * (the result of /api/v1/format_query). Short expressions come back as exprToString gives them.
 */
export function prettify(expr: Expr, maxWidth: number = PRETTIFY_MAX_WIDTH): string {
  try {
    return pretty(expr, 0, new Fits(maxWidth));
  } catch (err) {
    // Deep nesting exhausts the stack, and long split chains make huge output.
    if (err instanceof RangeError) {
      throw new Error("expression too large or nested too deeply to prettify", { cause: err });
    }
    throw err;
  }
}

function indent(level: number): string {
  return "  ".repeat(level);
}

// Output beyond this many characters is refused: splitting a long chain of operations indents
// each level further, so the output grows quadratically with the chain's length.
const MAX_PRETTY_LENGTH = 1 << 26;

function pretty(e: Expr, level: number, fits: Fits): string {
  const split = !fits.check(e);
  switch (e.type) {
    case "AggregateExpr": {
      if (!split) return indent(level) + exprToString(e);
      let s = `${indent(level)}${aggregateOpString(e)}(\n`;
      if (isAggregationWithParam(e.op) && e.param) s += `${pretty(e.param, level + 1, fits)},\n`;
      return `${s}${pretty(e.expr, level + 1, fits)}\n${indent(level)})`;
    }
    case "BinaryExpr": {
      if (!split) return indent(level) + exprToString(e);
      // lhs, operator line, rhs, with the lhs one level deeper; walked iteratively down the
      // left spine while the lhs needs splitting too.
      const spine: [BinaryExpr, number][] = [];
      let cur: Expr = e;
      let lvl = level;
      while (cur.type === "BinaryExpr" && !fits.check(cur)) {
        spine.push([cur, lvl]);
        cur = cur.lhs;
        lvl++;
      }
      let out = pretty(cur, lvl, fits);
      for (let k = spine.length - 1; k >= 0; k--) {
        const [b, l] = spine[k];
        out += `\n${indent(l)}${binaryOpString(b)}\n${pretty(b.rhs, l + 1, fits)}`;
        if (out.length > MAX_PRETTY_LENGTH) throw new RangeError("prettified expression too long");
      }
      return out;
    }
    case "Call": {
      if (!split) return indent(level) + exprToString(e);
      const args = e.args.map((a) => pretty(a, level + 1, fits)).join(",\n");
      return `${indent(level)}${e.func.name}(\n${args}\n${indent(level)})`;
    }
    case "ParenExpr":
      if (!split) return indent(level) + exprToString(e);
      return `${indent(level)}(\n${pretty(e.expr, level + 1, fits)}\n${indent(level)})`;
    case "SubqueryExpr":
      // Upstream returns the short form of a subquery without indentation; kept for fidelity.
      if (!split) return exprToString(e);
      return `${pretty(e.expr, level, fits)}${subquerySuffix(e)}`;
    case "UnaryExpr":
      return `${indent(level)}${e.op}${pretty(e.expr, level, fits).trim()}`;
    case "MatrixSelector":
    case "VectorSelector":
    case "NumberLiteral":
    case "StringLiteral":
      // Leaves are never split, however long they are.
      return indent(level) + exprToString(e);
    default:
      return assertNever(e);
  }
}
