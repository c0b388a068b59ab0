// The LogQL printer: renders an AST in Loki's canonical form, the String() methods of
// pkg/logql/syntax/ast.go and pkg/logql/log/label_filter.go (what /loki/api/v1/format_query
// returns when prettifying is off).
import type { Matcher } from "../../model/labels/index.ts";
import { assertNever } from "./ast.ts";
import type {
  Expr,
  Grouping,
  LabelFilter,
  LineFilter,
  LogRange,
  LogSelector,
  NamedMatcher,
  Stage,
  Unwrap,
  VectorMatching,
} from "./ast.ts";
import {
  formatBytes,
  formatFloatF,
  formatFloatFixed,
  formatFloatV,
  formatGoDuration,
  formatPromDuration,
  goQuote,
} from "./go.ts";

/** exprToString renders e as Loki's Expr.String() does. */
export function exprToString(e: Expr): string {
  switch (e.type) {
    case "LogSelector":
      return selectorToString(e);
    case "RangeAggregation": {
      let s = e.op + "(";
      if (e.param !== undefined) s += formatFloatF(e.param) + ",";
      s += logRangeToString(e.range) + ")";
      if (e.grouping) s += groupingToString(e.grouping);
      return s;
    }
    case "VectorAggregation": {
      const params =
        e.op === "topk" || e.op === "bottomk" || e.op === "approx_topk" || e.param !== 0
          ? [String(e.param), exprToString(e.expr)]
          : [exprToString(e.expr)];
      let s: string = e.op;
      const g = e.grouping;
      if (g && !(g.labels.length === 0 && !g.without)) s += groupingToString(g);
      return `${s}(${params.join(",")})`;
    }
    case "BinaryExpr": {
      let op: string = e.op;
      if (e.returnBool) op += " bool";
      const m = e.matching;
      let group = groupModifier(m);
      if (m.include !== null) group = `${group} (${m.include.join(",")})`;
      if (m.on || m.matchingLabels !== null) {
        op = `${op} ${m.on ? "on" : "ignoring"} (${(m.matchingLabels ?? []).join(",")}) ${group}`;
      }
      return `(${exprToString(e.lhs)} ${op} ${exprToString(e.rhs)})`;
    }
    case "Literal":
      return formatFloatV(e.value);
    case "Vector":
      return `vector(${formatFloatFixed(e.value)})`;
    case "LabelReplace":
      return (
        `label_replace(${exprToString(e.expr)},${goQuote(e.dst)},${goQuote(e.replacement)},` +
        `${goQuote(e.src)},${goQuote(e.regex)})`
      );
    default:
      return assertNever(e);
  }
}

/** groupModifier is `group_left`, `group_right` or "" for a binary operation's cardinality. */
export function groupModifier(m: VectorMatching): string {
  if (m.card === "many-to-one") return "group_left";
  if (m.card === "one-to-many") return "group_right";
  return "";
}

/** matcherToString renders a stream matcher as Prometheus does: `name="value"`. */
export function matcherToString(m: Matcher): string {
  return `${m.name}${m.type}${goQuote(m.value)}`;
}

function selectorToString(e: LogSelector): string {
  const sel = `{${e.matchers.map(matcherToString).join(", ")}}`;
  if (e.stages.length === 0) return sel;
  return `${sel} ${e.stages.map(stageToString).join(" ")}`;
}

function groupingToString(g: Grouping): string {
  return `${g.without ? " without " : " by "}(${g.labels.join(",")})`;
}

function logRangeToString(r: LogRange): string {
  let s = selectorToString(r.selector);
  if (r.unwrap) s += unwrapToString(r.unwrap);
  s += `[${formatPromDuration(r.rangeNs)}]`;
  if (r.offsetNs !== 0n) s += ` offset ${formatGoDuration(r.offsetNs)}`;
  return s;
}

function unwrapToString(u: Unwrap): string {
  let s = u.conversion !== "" ? ` | unwrap ${u.conversion}(${u.label})` : ` | unwrap ${u.label}`;
  for (const f of u.postFilters) s += ` | ${labelFilterToString(f)}`;
  return s;
}

function lineFilterToString(f: LineFilter): string {
  return (
    f.op +
    " " +
    f.values.map((v) => (v.ip ? `ip(${goQuote(v.match)})` : goQuote(v.match))).join(" or ")
  );
}

function namedMatchersToString(ls: readonly NamedMatcher[]): string {
  return ls.map((l) => (l.matcher ? matcherToString(l.matcher) : l.name)).join(",");
}

/** stageToString renders one pipeline stage. */
export function stageToString(s: Stage): string {
  switch (s.type) {
    case "lineFilter":
      return s.filters.map(lineFilterToString).join(" ");
    case "logfmt":
      return `| logfmt${s.strict ? " --strict" : ""}${s.keepEmpty ? " --keep-empty" : ""}`;
    case "logfmtExpr":
      return (
        `| logfmt ${s.strict ? "--strict " : ""}${s.keepEmpty ? "--keep-empty " : ""}` +
        s.exprs.map((x) => `${x.name}=${goQuote(x.expression)}`).join(",")
      );
    case "json":
      return "| json";
    case "jsonExpr":
      return "| json " + s.exprs.map((x) => `${x.name}=${goQuote(x.expression)}`).join(",");
    case "regexp":
      return `| regexp ${goQuote(s.pattern)}`;
    case "pattern":
      return `| pattern ${goQuote(s.pattern)}`;
    case "unpack":
      return "| unpack";
    case "labelFilter":
      return `| ${labelFilterToString(s.filter)}`;
    case "lineFormat":
      return `| line_format ${goQuote(s.template)}`;
    case "labelFormat":
      return (
        "| label_format " +
        s.formats.map((f) => `${f.name}=${f.rename ? f.value : goQuote(f.value)}`).join(",")
      );
    case "decolorize":
      return "| decolorize";
    case "drop":
      return `| drop ${namedMatchersToString(s.labels)}`;
    case "keep":
      return `| keep ${namedMatchersToString(s.labels)}`;
    default:
      return assertNever(s);
  }
}

/** labelFilterToString renders a label filter as log/label_filter.go String() does. */
export function labelFilterToString(f: LabelFilter): string {
  switch (f.kind) {
    case "and":
    case "or":
      return `( ${labelFilterToString(f.left)} ${f.kind === "and" ? "," : "or"} ${labelFilterToString(f.right)} )`;
    case "string": {
      const m = f.matcher;
      if ((m.type === "=~" || m.type === "!~") && /[\\.+*?()|[\]{}^$]/.test(m.value)) {
        const re = m.value.includes("`") ? goQuote(m.value) : "`" + m.value + "`";
        return `${m.name}${m.type}${re}`;
      }
      return matcherToString(m);
    }
    case "ip":
      return `${f.name}${f.op}ip(${goQuote(f.pattern)})`;
    case "number":
      return `${f.name}${f.op}${formatFloatF(f.value)}`;
    case "duration":
      return `${f.name}${f.op}${formatGoDuration(f.valueNs)}`;
    case "bytes":
      return `${f.name}${f.op}${formatBytes(f.value).replace(/\s/g, "")}`;
    default:
      return assertNever(f);
  }
}
