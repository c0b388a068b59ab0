// The LogQL prettifier: what /loki/api/v1/format_query answers, after Loki's
// pkg/logql/syntax/prettier.go (Prettify). An expression whose one-line form (printer.ts) is at
// most 100 bytes stays on one line, indented by its depth; a longer one is split: a pipeline
// puts each stage on its own line, aggregations put their arguments on their own lines inside
// `(` … `)`, binary operations put the operator on a line between the operands.
import { assertNever } from "./ast.ts";
import type {
  BinaryExpr,
  Expr,
  Grouping,
  LineFilter,
  LogRange,
  LogSelector,
  Stage,
  Unwrap,
} from "./ast.ts";
import { formatFloatV, formatPromDuration, goQuote } from "./go.ts";
import {
  exprToString,
  groupModifier,
  labelFilterToString,
  matcherToString,
  stageToString,
} from "./printer.ts";

/** MAX_CHARS_PER_LINE: longer one-line forms are split (Loki's maxCharsPerLine, in bytes). */
const MAX_CHARS_PER_LINE = 100;

/**
 * prettify renders e as Loki's syntax.Prettify does. `maxCharsPerLine` is for tests (Loki's
 * own tests use 20).
 */
export function prettify(e: Expr, maxCharsPerLine = MAX_CHARS_PER_LINE): string {
  limit = maxCharsPerLine;
  try {
    return pretty(e, 0);
  } finally {
    limit = MAX_CHARS_PER_LINE;
  }
}

let limit = MAX_CHARS_PER_LINE;
const indent = (level: number): string => "  ".repeat(level);
const tooLong = (s: string): boolean => Buffer.byteLength(s, "utf8") > limit;

function pretty(e: Expr, level: number): string {
  if (e.type === "LogSelector") return prettySelector(e, level);
  const one = exprToString(e);
  if (!tooLong(one)) return indent(level) + one;
  switch (e.type) {
    case "RangeAggregation": {
      let s = indent(level) + e.op + "(\n";
      if (e.param !== undefined) s += `${indent(level + 1)}${formatFloatV(e.param)},\n`;
      s += prettyRange(e.range, level + 1) + "\n" + indent(level) + ")";
      if (e.grouping) s += prettyGrouping(e.grouping);
      return s;
    }
    case "VectorAggregation": {
      const left = pretty(e.expr, level + 1);
      const withParam = e.op === "topk" || e.op === "bottomk" || e.param !== 0;
      const params = withParam ? [`${indent(level + 1)}${Math.trunc(e.param)}`, left] : [left];
      let s = indent(level) + e.op;
      if (e.grouping) s += prettyGrouping(e.grouping);
      return `${s}(\n${params.join(",\n")}\n${indent(level)})`;
    }
    case "BinaryExpr":
      return (
        pretty(e.lhs, level + 1) +
        "\n" +
        indent(level) +
        binaryOp(e) +
        "\n" +
        pretty(e.rhs, level + 1)
      );
    case "Literal":
    case "Vector":
      return indent(level) + one;
    case "LabelReplace": {
      const args = [
        pretty(e.expr, level + 1),
        ...[e.dst, e.replacement, e.src, e.regex].map((a) => indent(level + 1) + goQuote(a)),
      ];
      return `${indent(level)}label_replace(\n${args.join(",\n")}\n${indent(level)})`;
    }
    default:
      return assertNever(e);
  }
}

/** prettySelector: the stream selector, then each stage on a line one level deeper. */
function prettySelector(e: LogSelector, level: number): string {
  const one = exprToString(e);
  if (e.stages.length === 0 || !tooLong(one)) return indent(level) + one;
  const sel = `{${e.matchers.map(matcherToString).join(", ")}}`;
  return indent(level) + sel + "\n" + e.stages.map((st) => prettyStage(st, level + 1)).join("\n");
}

function prettyStage(st: Stage, level: number): string {
  // Loki prints decolorize without its indentation (DecolorizeExpr.Pretty).
  if (st.type === "decolorize") return stageToString(st);
  if (st.type === "lineFilter") return prettyLineFilters(st.filters, st.filters.length, level);
  return indent(level) + stageToString(st);
}

/**
 * prettyLineFilters renders the first n filters of a chain: on one line while that fits,
 * otherwise the chain before the last one, then the last one on its own line (Loki's
 * LineFilterExpr is a chain linked through Left).
 */
function prettyLineFilters(fs: readonly LineFilter[], n: number, level: number): string {
  const one = stageToString({ type: "lineFilter", filters: fs.slice(0, n) });
  if (n === 1 || !tooLong(one)) return indent(level) + one;
  const last = stageToString({ type: "lineFilter", filters: [fs[n - 1]!] });
  return prettyLineFilters(fs, n - 1, level) + "\n" + indent(level) + last;
}

/** prettyRange: the selector, unwrap on its own line, then ` [range]` and ` offset d`. */
function prettyRange(r: LogRange, level: number): string {
  let s = prettySelector(r.selector, level);
  if (r.unwrap) s += "\n" + prettyUnwrap(r.unwrap, level + 1);
  s += ` [${formatPromDuration(r.rangeNs)}]`;
  if (r.offsetNs !== 0n) s += ` offset ${formatPromDuration(r.offsetNs)}`;
  return s;
}

function prettyUnwrap(u: Unwrap, level: number): string {
  let s =
    indent(level) +
    (u.conversion !== "" ? `| unwrap ${u.conversion}(${u.label})` : `| unwrap ${u.label}`);
  for (const f of u.postFilters) s += `\n${indent(level)}| ${labelFilterToString(f)}`;
  return s;
}

/** prettyGrouping: ` by (a, b)`, ` without (a)`, ` without`; nothing for `by ()`. */
function prettyGrouping(g: Grouping): string {
  let s = "";
  if (g.without) s += " without";
  else if (g.labels.length > 0) s += " by";
  if (g.labels.length > 0) s += ` (${g.labels.join(", ")})`;
  return s;
}

/** binaryOp renders the operator with bool and vector matching (Loki's formatBinaryOp). */
function binaryOp(e: BinaryExpr): string {
  let op: string = e.op;
  if (e.returnBool) op += " bool";
  const m = e.matching;
  let group = groupModifier(m);
  if (m.include && m.include.length > 0) group = `${group} (${m.include.join(", ")})`;
  if (m.matchingLabels && m.matchingLabels.length > 0) {
    op = `${op} ${m.on ? "on" : "ignoring"} (${m.matchingLabels.join(", ")}) ${group}`;
  }
  return op;
}
