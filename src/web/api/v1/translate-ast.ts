// The syntax tree /api/v1/parse_query returns for the UI's tree view, after prometheus
// web/api/v1/translate_ast.go (v3.5). Keys are in sorted order because Go encodes its maps so.
import type { Matcher } from "../../../model/labels/index.ts";
import type { Expr } from "../../../promql/parser/index.ts";
import { assertNever, formatGoFloat } from "../../../promql/parser/index.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function translateMatchers(ms: readonly Matcher[]): Json[] {
  return ms.map((m) => ({ name: m.name, type: m.type, value: m.value }));
}

/** translateAst converts expr into the JSON tree upstream's translateAST produces. */
export function translateAst(e: Expr | undefined): Json {
  if (e === undefined) return null;
  switch (e.type) {
    case "AggregateExpr":
      return {
        expr: translateAst(e.expr),
        grouping: [...e.grouping],
        op: e.op,
        param: translateAst(e.param),
        type: "aggregation",
        without: e.without,
      };
    case "BinaryExpr": {
      const m = e.vectorMatching;
      return {
        bool: e.returnBool,
        lhs: translateAst(e.lhs),
        matching: m && {
          card: m.card,
          include: [...m.include],
          labels: [...m.matchingLabels],
          on: m.on,
        },
        op: e.op,
        rhs: translateAst(e.rhs),
        type: "binaryExpr",
      };
    }
    case "Call":
      return {
        args: e.args.map((a) => translateAst(a)),
        func: {
          argTypes: [...e.func.argTypes],
          name: e.func.name,
          returnType: e.func.returnType,
          variadic: e.func.variadic,
        },
        type: "call",
      };
    case "MatrixSelector": {
      const vs = e.vectorSelector;
      return {
        matchers: translateMatchers(vs.matchers),
        name: vs.name,
        offset: vs.originalOffsetMs,
        range: e.rangeMs,
        startOrEnd: vs.startOrEnd ?? null,
        timestamp: vs.timestampMs ?? null,
        type: "matrixSelector",
      };
    }
    case "SubqueryExpr":
      return {
        expr: translateAst(e.expr),
        offset: e.originalOffsetMs,
        range: e.rangeMs,
        startOrEnd: e.startOrEnd ?? null,
        step: e.stepMs,
        timestamp: e.timestampMs ?? null,
        type: "subquery",
      };
    case "NumberLiteral":
      return { type: "numberLiteral", val: formatGoFloat(e.value) };
    case "ParenExpr":
      return { expr: translateAst(e.expr), type: "parenExpr" };
    case "StringLiteral":
      return { type: "stringLiteral", val: e.value };
    case "UnaryExpr":
      return { expr: translateAst(e.expr), op: e.op, type: "unaryExpr" };
    case "VectorSelector":
      return {
        matchers: translateMatchers(e.matchers),
        name: e.name,
        offset: e.originalOffsetMs,
        startOrEnd: e.startOrEnd ?? null,
        timestamp: e.timestampMs ?? null,
        type: "vectorSelector",
      };
    default:
      return assertNever(e);
  }
}
