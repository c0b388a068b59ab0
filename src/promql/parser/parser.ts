// PromQL parser: a recursive-descent rendering of prometheus promql/parser/generated_parser.y
// (v3.5) with the helpers and type checks of parse.go (checkAST). Precedence, associativity and
// the error messages follow the yacc grammar:
//
//   - binary operators, lowest first: or < and, unless < comparisons < + - < * / % atan2 < ^
//     (^ is right-associative); a unary sign binds like * (so -a^b is -(a^b)) and a sign on a
//     number literal is folded into it;
//   - `[...]`, `offset` and `@` bind tighter than every operator and apply to the expression
//     immediately before them;
//   - a syntax error is reported as "unexpected <token>", with the context ("in aggregation",
//     "in label matching, expected string", ...) of the innermost grammar rule that has an error
//     production, as yacc's error recovery would pick it; the first error wins.
import { METRIC_NAME, Matcher } from "../../model/labels/index.ts";
import type { MatchType } from "../../model/labels/index.ts";
import type {
  AggregateExpr,
  AggregationOp,
  AtModifierPreprocessor,
  BinaryExpr,
  BinaryOp,
  Call,
  DurationExpr,
  DurationNode,
  DurationOp,
  Expr,
  MatrixSelector,
  NumberLiteral,
  SubqueryExpr,
  ValueType,
  VectorMatchCardinality,
  VectorSelector,
} from "./ast.ts";
import { assertNever, documentedType, exprType } from "./ast.ts";
import { ParseError } from "./errors.ts";
import { getFunction, isAggregationWithParam, isExperimentalAggregation } from "./functions.ts";
import type { ItemType, Token } from "./lexer.ts";
import { isAggregator, itemTypeString, lex, tokenDesc } from "./lexer.ts";
import type { PositionRange } from "./pos.ts";
import { formatGoFixed, goQuote, unquoteString } from "./quote.ts";

/**
 * ParseOptions switches Prometheus's experimental PromQL features. Both default to enabled, the
 * configuration the upstream acceptance scripts run with; Prometheus itself enables them with
 * --enable-feature=promql-experimental-functions and promql-duration-expr.
 */
export interface ParseOptions {
  /** enableExperimentalFunctions allows limitk, limit_ratio, info, sort_by_label, ... */
  enableExperimentalFunctions?: boolean;
  /** enableDurationExpressions allows arithmetic such as `[5m * 2]` and `offset (1h + 5m)`. */
  enableDurationExpressions?: boolean;
}

/**
 * parseExpr parses a PromQL expression and type-checks it as Prometheus's ParseExpr does. It
 * throws a ParseError, formatted like Prometheus's first parse error, on invalid input.
 */
export function parseExpr(input: string, options: ParseOptions = {}): Expr {
  const p = new Parser(input, options);
  try {
    if (p.peek().type === "EOF") p.fail({ start: 0, end: 0 }, "no expression found in input");
    const expr = p.parseExpression(0);
    p.expectEOF();
    p.check(expr);
    return expr;
  } catch (err) {
    // Go's parser has no nesting limit; ours is the JavaScript stack. Report running out of it
    // as a parse error rather than letting a hostile query escape as an internal error.
    if (err instanceof RangeError) p.fail({ start: 0, end: 0 }, "expression nested too deeply");
    throw err;
  }
}

/**
 * parseMetricSelector parses a series selector such as `up{job="x"}` or `{"my.metric"}` into its
 * label matchers, as Prometheus's ParseMetricSelector does for `match[]` parameters. The name
 * matcher, if the name is written outside the braces, comes last. Like upstream it does not
 * require a non-empty matcher; callers check that.
 */
export function parseMetricSelector(input: string): Matcher[] {
  const p = new Parser(input, {});
  const tok = p.peek();
  let vs: VectorSelector;
  if (tok.type === "LEFT_BRACE") vs = p.parseVectorSelector(undefined);
  else if (METRIC_IDENTIFIER_TOKENS.has(tok.type)) vs = p.parseVectorSelector(p.advance());
  else return p.syntaxError(tok);
  p.expectEOF();
  return vs.matchers;
}

// Binary operator precedence from the %left/%right declarations of generated_parser.y.
const BINARY_PREC: Partial<Record<ItemType, number>> = {
  LOR: 1,
  LAND: 2,
  LUNLESS: 2,
  EQLC: 3,
  NEQ: 3,
  LTE: 3,
  LSS: 3,
  GTE: 3,
  GTR: 3,
  ADD: 4,
  SUB: 4,
  MUL: 5,
  DIV: 5,
  MOD: 5,
  ATAN2: 5,
  POW: 6,
};
const POW_PREC = 6;

const DURATION_PREC: Partial<Record<ItemType, number>> = {
  ADD: 4,
  SUB: 4,
  MUL: 5,
  DIV: 5,
  MOD: 5,
  POW: 6,
};

const BINARY_OPS: Partial<Record<ItemType, BinaryOp>> = {
  ADD: "+",
  SUB: "-",
  MUL: "*",
  DIV: "/",
  MOD: "%",
  POW: "^",
  ATAN2: "atan2",
  EQLC: "==",
  NEQ: "!=",
  GTR: ">",
  LSS: "<",
  GTE: ">=",
  LTE: "<=",
  LAND: "and",
  LOR: "or",
  LUNLESS: "unless",
};

const MATCH_OPS: Partial<Record<ItemType, MatchType>> = {
  EQL: "=",
  NEQ: "!=",
  EQL_REGEX: "=~",
  NEQ_REGEX: "!~",
};

// Tokens the grammar accepts as a metric name (metric_identifier).
const METRIC_IDENTIFIER_TOKENS: ReadonlySet<ItemType> = new Set<ItemType>([
  "AVG",
  "BOTTOMK",
  "BY",
  "COUNT",
  "COUNT_VALUES",
  "GROUP",
  "IDENTIFIER",
  "LAND",
  "LOR",
  "LUNLESS",
  "MAX",
  "METRIC_IDENTIFIER",
  "MIN",
  "OFFSET",
  "QUANTILE",
  "STDDEV",
  "STDVAR",
  "SUM",
  "TOPK",
  "WITHOUT",
  "START",
  "END",
  "LIMITK",
  "LIMIT_RATIO",
]);

// Tokens accepted as a label name in grouping clauses (maybe_label).
const MAYBE_LABEL_TOKENS: ReadonlySet<ItemType> = new Set<ItemType>([
  "AVG",
  "BOOL",
  "BOTTOMK",
  "BY",
  "COUNT",
  "COUNT_VALUES",
  "GROUP",
  "GROUP_LEFT",
  "GROUP_RIGHT",
  "IDENTIFIER",
  "IGNORING",
  "LAND",
  "LOR",
  "LUNLESS",
  "MAX",
  "METRIC_IDENTIFIER",
  "MIN",
  "OFFSET",
  "ON",
  "QUANTILE",
  "STDDEV",
  "STDVAR",
  "SUM",
  "TOPK",
  "START",
  "END",
  "ATAN2",
  "LIMITK",
  "LIMIT_RATIO",
]);

// Tokens that can start an expression; after a comma in a call anything else makes the comma a
// (rejected) trailing comma.
const EXPR_START_TOKENS: ReadonlySet<ItemType> = new Set<ItemType>([
  ...METRIC_IDENTIFIER_TOKENS,
  "NUMBER",
  "DURATION",
  "STRING",
  "LEFT_PAREN",
  "LEFT_BRACE",
  "ADD",
  "SUB",
]);

// Largest magnitude, in seconds, of a duration literal: 2^63 ns (the nearest double, as in Go).
const MAX_DURATION_SECONDS = 2 ** 63 / 1e9;
// float64(math.MaxInt64), which rounds to 2^63.
const MAX_INT64_FLOAT = 2 ** 63;

const TOPK_LIKE: ReadonlySet<AggregationOp> = new Set<AggregationOp>([
  "topk",
  "bottomk",
  "quantile",
  "limitk",
  "limit_ratio",
]);

function isComparison(op: BinaryOp): boolean {
  return op === "==" || op === "!=" || op === ">" || op === "<" || op === ">=" || op === "<=";
}

function isSetOp(op: BinaryOp): boolean {
  return op === "and" || op === "or" || op === "unless";
}

/** goRound rounds half away from zero, like Go's math.Round. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** secondsToMs converts seconds to milliseconds via whole nanoseconds, as time.Duration does. */
function secondsToMs(seconds: number): number {
  return goRound(seconds * 1e9) / 1e6;
}

interface ErrorContext {
  context: string;
  expected: string;
}

interface CallBody {
  args: Expr[];
  end: number;
}

class Parser {
  private readonly input: string;
  private readonly tokens: Token[];
  private i = 0;
  private readonly experimentalFunctions: boolean;
  private readonly durationExpressions: boolean;
  // End offset of the last consumed token (yacc's lastClosing for offsets and @ modifiers).
  private prevEnd = 0;
  // Grammar rules with error productions that enclose the current position, innermost last.
  private readonly contexts: ErrorContext[] = [];

  constructor(input: string, options: ParseOptions) {
    this.input = input;
    this.tokens = lex(input);
    this.experimentalFunctions = options.enableExperimentalFunctions ?? true;
    this.durationExpressions = options.enableDurationExpressions ?? true;
  }

  // ---- Tokens and errors -------------------------------------------------------------------

  /** peek returns the next token; a lexer error surfaces here, when the parser first needs it. */
  peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
    if (t.type === "ERROR") this.fail({ start: t.pos, end: this.input.length }, t.val);
    return t;
  }

  advance(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    this.prevEnd = t.pos + t.val.length;
    return t;
  }

  fail(range: PositionRange, detail: string): never {
    throw new ParseError({ start: range.start, end: range.end }, this.input, detail);
  }

  private tokenRange(t: Token): PositionRange {
    return { start: t.pos, end: t.pos + t.val.length };
  }

  /** unexpected reports token t as parse.go's unexpected(context, expected) does. */
  unexpected(t: Token, context = "", expected = ""): never {
    let msg = "unexpected " + tokenDesc(t);
    if (context !== "") msg += " in " + context;
    if (expected !== "") msg += ", expected " + expected;
    return this.fail(this.tokenRange(t), msg);
  }

  /** syntaxError reports t in the innermost enclosing error context, or without one. */
  syntaxError(t: Token): never {
    const ctx = this.contexts[this.contexts.length - 1];
    return ctx === undefined ? this.unexpected(t) : this.unexpected(t, ctx.context, ctx.expected);
  }

  private withContext<T>(context: string, expected: string, fn: () => T): T {
    this.contexts.push({ context, expected });
    try {
      return fn();
    } finally {
      this.contexts.pop();
    }
  }

  expectEOF(): void {
    const t = this.peek();
    if (t.type !== "EOF") this.syntaxError(t);
  }

  // ---- Expressions -------------------------------------------------------------------------

  /** parseExpression parses operators of at least precedence minPrec (precedence climbing). */
  parseExpression(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const opTok = this.peek();
      const prec = BINARY_PREC[opTok.type];
      if (prec === undefined || prec < minPrec) return lhs;
      this.advance();
      const op = BINARY_OPS[opTok.type]!;
      let returnBool = false;
      let card: VectorMatchCardinality = "one-to-one";
      let matchingLabels: string[] = [];
      let on = false;
      let include: string[] = [];
      if (this.peek().type === "BOOL") {
        this.advance();
        returnBool = true;
      }
      const m = this.peek();
      if (m.type === "ON" || m.type === "IGNORING") {
        this.advance();
        matchingLabels = this.parseGroupingLabels();
        on = m.type === "ON";
        const g = this.peek();
        if (g.type === "GROUP_LEFT" || g.type === "GROUP_RIGHT") {
          this.advance();
          card = g.type === "GROUP_LEFT" ? "many-to-one" : "one-to-many";
          // `group_left (...)` always takes the parentheses as its label list.
          if (this.peek().type === "LEFT_PAREN") include = this.parseGroupingLabels();
        }
      }
      const rhs = this.parseExpression(opTok.type === "POW" ? prec : prec + 1);
      const bin: BinaryExpr = {
        type: "BinaryExpr",
        op,
        lhs,
        rhs,
        returnBool,
        vectorMatching: { card, matchingLabels, on, include },
        pos: { start: lhs.pos.start, end: rhs.pos.end },
      };
      lhs = bin;
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.type !== "ADD" && t.type !== "SUB") return this.parsePostfix(this.parsePrimary());
    this.advance();
    // The unary rule has the precedence of *, so only ^ (and postfix modifiers) bind tighter.
    const operand = this.parseExpression(POW_PREC);
    if (operand.type === "NumberLiteral") {
      if (t.type === "SUB") operand.value = -operand.value;
      operand.pos.start = t.pos;
      return operand;
    }
    return {
      type: "UnaryExpr",
      op: t.type === "SUB" ? "-" : "+",
      expr: operand,
      pos: { start: t.pos, end: operand.pos.end },
    };
  }

  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      switch (this.peek().type) {
        case "LEFT_BRACKET":
          expr = this.parseRangeOrSubquery(expr);
          break;
        case "OFFSET":
          expr = this.parseOffset(expr);
          break;
        case "AT":
          expr = this.parseAt(expr);
          break;
        default:
          return expr;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case "NUMBER":
      case "DURATION":
        this.advance();
        return this.numberLiteral(t);
      case "STRING":
        this.advance();
        return { type: "StringLiteral", value: this.unquote(t), pos: this.tokenRange(t) };
      case "LEFT_PAREN": {
        this.advance();
        const expr = this.parseExpression(0);
        const close = this.peek();
        if (close.type !== "RIGHT_PAREN") this.syntaxError(close);
        this.advance();
        return { type: "ParenExpr", expr, pos: { start: t.pos, end: close.pos + 1 } };
      }
      case "LEFT_BRACE":
        return this.parseVectorSelector(undefined);
      case "IDENTIFIER":
        this.advance();
        if (this.peek().type === "LEFT_PAREN") return this.parseCall(t);
        return this.parseVectorSelector(t);
      default:
        if (isAggregator(t.type)) {
          this.advance();
          const next = this.peek().type;
          if (next === "LEFT_PAREN" || next === "BY" || next === "WITHOUT") {
            return this.parseAggregate(t);
          }
          return this.parseVectorSelector(t);
        }
        if (METRIC_IDENTIFIER_TOKENS.has(t.type)) {
          this.advance();
          return this.parseVectorSelector(t);
        }
        return this.syntaxError(t);
    }
  }

  private numberLiteral(t: Token): NumberLiteral {
    if (t.type === "DURATION") {
      return {
        type: "NumberLiteral",
        value: this.duration(t) / 1000,
        duration: true,
        pos: this.tokenRange(t),
      };
    }
    return {
      type: "NumberLiteral",
      value: this.number(t),
      duration: false,
      pos: this.tokenRange(t),
    };
  }

  private unquote(t: Token): string {
    try {
      return unquoteString(t.val);
    } catch (err) {
      return this.fail(
        this.tokenRange(t),
        `error unquoting string ${goQuote(t.val)}: ${(err as Error).message}`,
      );
    }
  }

  /** number parses a NUMBER token as parse.go's number does: Go ParseInt base 0, else ParseFloat. */
  private number(t: Token): number {
    const asInt = parseGoInt(t.val);
    if (asInt !== undefined) return asInt;
    const f = parseGoFloat(t.val);
    if (typeof f === "number") return f;
    return this.fail(
      this.tokenRange(t),
      `error parsing number: strconv.ParseFloat: parsing ${goQuote(t.val)}: ${f.error}`,
    );
  }

  /** duration parses a DURATION token (model.ParseDuration) into milliseconds. */
  private duration(t: Token): number {
    const d = parseGoDuration(t.val);
    if (typeof d === "number") return d;
    return this.fail(this.tokenRange(t), d.error);
  }

  // ---- Selectors ---------------------------------------------------------------------------

  parseVectorSelector(nameTok: Token | undefined): VectorSelector {
    const start = nameTok?.pos ?? this.peek().pos;
    let end = nameTok === undefined ? start : nameTok.pos + nameTok.val.length;
    let matchers: Matcher[] = [];
    if (this.peek().type === "LEFT_BRACE") {
      matchers = this.parseLabelMatchers();
      end = this.prevEnd;
    }
    const name = nameTok?.val ?? "";
    if (name !== "") matchers.push(new Matcher("=", METRIC_NAME, name));
    return {
      type: "VectorSelector",
      name,
      matchers,
      originalOffsetMs: 0,
      bypassEmptyMatcherCheck: false,
      pos: { start, end },
    };
  }

  private parseLabelMatchers(): Matcher[] {
    this.advance(); // {
    const matchers: Matcher[] = [];
    if (this.peek().type === "RIGHT_BRACE") {
      this.advance();
      return matchers;
    }
    for (;;) {
      matchers.push(this.parseLabelMatcher());
      const t = this.peek();
      if (t.type === "RIGHT_BRACE") {
        this.advance();
        return matchers;
      }
      if (t.type !== "COMMA") this.unexpected(t, "label matching", '"," or "}"');
      this.advance();
      if (this.peek().type === "RIGHT_BRACE") {
        this.advance();
        return matchers;
      }
    }
  }

  private parseLabelMatcher(): Matcher {
    const t = this.peek();
    if (t.type === "IDENTIFIER") {
      this.advance();
      const op = this.peek();
      if (MATCH_OPS[op.type] === undefined) {
        this.unexpected(op, "label matching", "label matching operator");
      }
      this.advance();
      return this.finishLabelMatcher(t.val, t.pos, op);
    }
    if (t.type === "STRING") {
      this.advance();
      const name = this.unquote(t);
      const op = this.peek();
      if (MATCH_OPS[op.type] === undefined) {
        // A lone quoted string is a metric name: {"my.metric"}.
        return this.newMatcher("=", METRIC_NAME, name, this.tokenRange(t));
      }
      this.advance();
      return this.finishLabelMatcher(name, t.pos, op);
    }
    return this.unexpected(t, "label matching", 'identifier or "}"');
  }

  private finishLabelMatcher(name: string, namePos: number, op: Token): Matcher {
    const v = this.peek();
    if (v.type !== "STRING") this.unexpected(v, "label matching", "string");
    this.advance();
    const value = this.unquote(v);
    return this.newMatcher(MATCH_OPS[op.type]!, name, value, {
      start: namePos,
      end: v.pos + v.val.length,
    });
  }

  private newMatcher(type: MatchType, name: string, value: string, range: PositionRange): Matcher {
    try {
      return new Matcher(type, name, value);
    } catch (err) {
      // Report the regexp engine's own message, which matches Go's regexp/syntax wording.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      return this.fail(range, cause instanceof Error ? cause.message : String(cause));
    }
  }

  private parseRangeOrSubquery(expr: Expr): Expr {
    const lb = this.advance(); // [
    const range = this.withContext("subquery selector", "number or duration", () =>
      this.parsePositiveDuration(),
    );
    const t = this.peek();
    if (t.type === "RIGHT_BRACKET") {
      this.advance();
      return this.newMatrixSelector(expr, range, { start: lb.pos, end: t.pos + 1 });
    }
    if (t.type !== "COLON") this.unexpected(t, "subquery or range", '":" or "]"');
    this.advance();
    let step: DurationNode | undefined;
    if (this.peek().type !== "RIGHT_BRACKET") {
      step = this.withContext("subquery selector", 'number or duration or "]"', () =>
        this.parsePositiveDuration(),
      );
      const rb = this.peek();
      if (rb.type !== "RIGHT_BRACKET") this.unexpected(rb, "subquery selector", '"]"');
    }
    const rb = this.advance();
    const sq: SubqueryExpr = {
      type: "SubqueryExpr",
      expr,
      rangeMs: range.type === "NumberLiteral" ? secondsToMs(range.value) : 0,
      stepMs: step?.type === "NumberLiteral" ? secondsToMs(step.value) : 0,
      originalOffsetMs: 0,
      pos: { start: expr.pos.start, end: rb.pos + 1 },
    };
    if (range.type === "DurationExpr") sq.rangeExpr = range;
    if (step?.type === "DurationExpr") sq.stepExpr = step;
    return sq;
  }

  private newMatrixSelector(expr: Expr, range: DurationNode, brackets: PositionRange): Expr {
    let msg = "";
    if (expr.type !== "VectorSelector") msg = "ranges only allowed for vector selectors";
    else if (expr.originalOffsetMs !== 0) msg = "no offset modifiers allowed before range";
    else if (expr.timestampMs !== undefined) msg = "no @ modifiers allowed before range";
    if (msg !== "" || expr.type !== "VectorSelector") return this.fail(brackets, msg);
    const ms: MatrixSelector = {
      type: "MatrixSelector",
      vectorSelector: expr,
      rangeMs: range.type === "NumberLiteral" ? secondsToMs(range.value) : 0,
      pos: { start: expr.pos.start, end: brackets.end },
    };
    if (range.type === "DurationExpr") ms.rangeExpr = range;
    return ms;
  }

  // ---- Offset and @ ------------------------------------------------------------------------

  private parseOffset(expr: Expr): Expr {
    this.advance(); // offset
    const d = this.withContext("offset", "number or duration", () => this.parseOffsetDuration());
    let target: VectorSelector | SubqueryExpr;
    switch (expr.type) {
      case "VectorSelector":
      case "SubqueryExpr":
        target = expr;
        break;
      case "MatrixSelector":
        target = expr.vectorSelector;
        break;
      default:
        return this.fail(
          expr.pos,
          "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
        );
    }
    if (target.originalOffsetMs !== 0 || target.originalOffsetExpr !== undefined) {
      this.fail(expr.pos, "offset may not be set multiple times");
    }
    if (d.type === "NumberLiteral") target.originalOffsetMs = secondsToMs(d.value);
    else target.originalOffsetExpr = d;
    expr.pos.end = this.prevEnd;
    return expr;
  }

  // offset_duration_expr: a possibly signed literal ends the offset (so `x offset 5m * 2` is
  // `(x offset 5m) * 2`); anything else is a full duration expression.
  private parseOffsetDuration(): DurationNode {
    const t = this.peek();
    if (t.type === "NUMBER" || t.type === "DURATION") {
      this.advance();
      return this.checkedDurationLiteral(this.numberLiteral(t), this.tokenRange(t));
    }
    if (t.type === "ADD" || t.type === "SUB") {
      const n = this.peek(1);
      if (n.type === "NUMBER" || n.type === "DURATION") {
        this.advance();
        this.advance();
        const nl = this.numberLiteral(n);
        if (t.type === "SUB") nl.value = -nl.value;
        this.checkedDurationLiteral(nl, this.tokenRange(t));
        nl.pos.start = t.pos;
        return nl;
      }
      return this.parseDuration(0);
    }
    if (t.type === "LEFT_PAREN") return this.parseDuration(0);
    return this.syntaxError(t);
  }

  private parseAt(expr: Expr): Expr {
    this.advance(); // @
    this.withContext("@", "timestamp", () => {
      const t = this.peek();
      if (t.type === "START" || t.type === "END") {
        this.advance();
        const lp = this.peek();
        if (lp.type !== "LEFT_PAREN") this.syntaxError(lp);
        this.advance();
        const rp = this.peek();
        if (rp.type !== "RIGHT_PAREN") this.syntaxError(rp);
        this.advance();
        this.setAt(expr, undefined, t.type === "START" ? "start" : "end");
        return;
      }
      let sign = 1;
      let n = t;
      if (t.type === "ADD" || t.type === "SUB") {
        this.advance();
        sign = t.type === "SUB" ? -1 : 1;
        n = this.peek();
      }
      if (n.type !== "NUMBER" && n.type !== "DURATION") this.syntaxError(n);
      this.advance();
      this.setAt(expr, sign * this.numberLiteral(n).value, undefined);
    });
    return expr;
  }

  private setAt(
    expr: Expr,
    ts: number | undefined,
    preproc: AtModifierPreprocessor | undefined,
  ): void {
    if (
      ts !== undefined &&
      (!Number.isFinite(ts) || ts >= MAX_INT64_FLOAT || ts <= -MAX_INT64_FLOAT)
    ) {
      this.fail(expr.pos, `timestamp out of bounds for @ modifier: ${formatGoFixed(ts, 6)}`);
    }
    let target: VectorSelector | SubqueryExpr;
    switch (expr.type) {
      case "VectorSelector":
      case "SubqueryExpr":
        target = expr;
        break;
      case "MatrixSelector":
        target = expr.vectorSelector;
        break;
      default:
        return this.fail(
          expr.pos,
          "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
        );
    }
    if (target.timestampMs !== undefined || target.startOrEnd !== undefined) {
      this.fail(expr.pos, "@ <timestamp> may not be set multiple times");
    }
    if (ts !== undefined) target.timestampMs = goRound(ts * 1000);
    else target.startOrEnd = preproc;
    expr.pos.end = this.prevEnd;
  }

  // ---- Duration expressions ----------------------------------------------------------------

  private parsePositiveDuration(): DurationNode {
    const d = this.parseDuration(0);
    if (d.type === "NumberLiteral" && d.value <= 0)
      this.fail(d.pos, "duration must be greater than 0");
    return d;
  }

  private parseDuration(minPrec: number): DurationNode {
    let lhs = this.parseDurationUnary();
    for (;;) {
      const opTok = this.peek();
      const prec = DURATION_PREC[opTok.type];
      if (prec === undefined || prec < minPrec) return lhs;
      this.advance();
      const rhs = this.parseDuration(opTok.type === "POW" ? prec : prec + 1);
      this.experimentalDuration(lhs);
      const op = itemTypeString(opTok.type) as DurationOp;
      if ((op === "/" || op === "%") && rhs.type === "NumberLiteral" && rhs.value === 0) {
        this.fail(this.tokenRange(opTok), op === "/" ? "division by zero" : "modulo by zero");
      }
      lhs = {
        type: "DurationExpr",
        op,
        lhs,
        rhs,
        wrapped: false,
        pos: { start: lhs.pos.start, end: rhs.pos.end },
      };
    }
  }

  private parseDurationUnary(): DurationNode {
    const t = this.peek();
    if (t.type !== "ADD" && t.type !== "SUB") return this.parseDurationPrimary();
    this.advance();
    const operand = this.parseDuration(POW_PREC);
    if (operand.type === "NumberLiteral") {
      if (t.type === "SUB") operand.value = -operand.value;
      this.checkedDurationLiteral(operand, this.tokenRange(t));
      operand.pos.start = t.pos;
      return operand;
    }
    if (t.type === "ADD") return operand;
    const neg: DurationExpr = {
      type: "DurationExpr",
      op: "-",
      rhs: operand,
      wrapped: false,
      pos: { start: t.pos, end: operand.pos.end },
    };
    return neg;
  }

  private parseDurationPrimary(): DurationNode {
    const t = this.peek();
    if (t.type === "NUMBER" || t.type === "DURATION") {
      this.advance();
      const nl = this.numberLiteral(t);
      return this.checkedDurationLiteral(nl, nl.pos);
    }
    if (t.type === "LEFT_PAREN") {
      this.advance();
      const inner = this.parseDuration(0);
      const close = this.peek();
      if (close.type !== "RIGHT_PAREN") this.syntaxError(close);
      this.advance();
      this.experimentalDuration(inner);
      if (inner.type === "DurationExpr") inner.wrapped = true;
      return inner;
    }
    return this.syntaxError(t);
  }

  private checkedDurationLiteral(nl: NumberLiteral, errRange: PositionRange): NumberLiteral {
    if (nl.value > MAX_DURATION_SECONDS || nl.value < -MAX_DURATION_SECONDS) {
      this.fail(errRange, "duration out of range");
    }
    return nl;
  }

  private experimentalDuration(e: DurationNode): void {
    if (!this.durationExpressions)
      this.fail(e.pos, "experimental duration expression is not enabled");
  }

  // ---- Calls and aggregations --------------------------------------------------------------

  private parseCallBody(): CallBody {
    const lp = this.peek();
    if (lp.type !== "LEFT_PAREN") this.syntaxError(lp);
    this.advance();
    const args: Expr[] = [];
    if (this.peek().type === "RIGHT_PAREN") {
      this.advance();
      return { args, end: this.prevEnd };
    }
    for (;;) {
      args.push(this.parseExpression(0));
      const t = this.peek();
      if (t.type === "RIGHT_PAREN") {
        this.advance();
        return { args, end: this.prevEnd };
      }
      if (t.type !== "COMMA") this.syntaxError(t);
      this.advance();
      if (!EXPR_START_TOKENS.has(this.peek().type)) {
        this.fail(this.tokenRange(t), "trailing commas not allowed in function call args");
      }
    }
  }

  private parseCall(nameTok: Token): Call {
    const body = this.parseCallBody();
    const func = getFunction(nameTok.val);
    if (func === undefined) {
      return this.fail(
        this.tokenRange(nameTok),
        `unknown function with name ${goQuote(nameTok.val)}`,
      );
    }
    if (func.experimental && !this.experimentalFunctions) {
      this.fail(this.tokenRange(nameTok), `function ${goQuote(nameTok.val)} is not enabled`);
    }
    return { type: "Call", func, args: body.args, pos: { start: nameTok.pos, end: body.end } };
  }

  private parseAggregate(opTok: Token): AggregateExpr {
    return this.withContext("aggregation", "", () => {
      let grouping: string[] = [];
      let without = false;
      const before = this.peek();
      if (before.type === "BY" || before.type === "WITHOUT") {
        this.advance();
        grouping = this.parseGroupingLabels();
        without = before.type === "WITHOUT";
      }
      const body = this.parseCallBody();
      let end = body.end;
      if (before.type !== "BY" && before.type !== "WITHOUT") {
        const after = this.peek();
        if (after.type === "BY" || after.type === "WITHOUT") {
          this.advance();
          grouping = this.parseGroupingLabels();
          without = after.type === "WITHOUT";
          end = this.prevEnd;
        }
      }
      const op = itemTypeString(opTok.type) as AggregationOp;
      const pos = { start: opTok.pos, end };
      const args = body.args;
      if (args.length === 0) this.fail(pos, "no arguments for aggregate expression provided");
      let desiredArgs = 1;
      let param: Expr | undefined;
      if (isAggregationWithParam(op)) {
        if (isExperimentalAggregation(op) && !this.experimentalFunctions) {
          this.fail(
            pos,
            `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
          );
        }
        desiredArgs = 2;
        param = args[0];
      }
      if (args.length !== desiredArgs) {
        this.fail(
          pos,
          `wrong number of arguments for aggregate expression provided, expected ${desiredArgs}, got ${args.length}`,
        );
      }
      const agg: AggregateExpr = {
        type: "AggregateExpr",
        op,
        expr: args[desiredArgs - 1],
        grouping,
        without,
        pos,
      };
      if (param !== undefined) agg.param = param;
      return agg;
    });
  }

  /** parseGroupingLabels parses `(a, b)` after by/without/on/ignoring/group_left/group_right. */
  private parseGroupingLabels(): string[] {
    const lp = this.peek();
    if (lp.type !== "LEFT_PAREN") this.unexpected(lp, "grouping opts", '"("');
    this.advance();
    const labels: string[] = [];
    if (this.peek().type === "RIGHT_PAREN") {
      this.advance();
      return labels;
    }
    for (;;) {
      const t = this.peek();
      if (t.type === "STRING") {
        this.advance();
        const name = this.unquote(t);
        if (name === "")
          this.fail(this.tokenRange(t), `invalid label name for grouping: ${goQuote(name)}`);
        labels.push(name);
      } else if (MAYBE_LABEL_TOKENS.has(t.type)) {
        this.advance();
        labels.push(t.val);
      } else {
        this.unexpected(t, "grouping opts", "label");
      }
      const sep = this.peek();
      if (sep.type === "RIGHT_PAREN") {
        this.advance();
        return labels;
      }
      if (sep.type !== "COMMA") this.unexpected(sep, "grouping opts", '"," or ")"');
      this.advance();
      if (this.peek().type === "RIGHT_PAREN") {
        this.advance();
        return labels;
      }
    }
  }

  // ---- Type checks (parse.go checkAST) -----------------------------------------------------

  /** check type-checks expr and its children and returns its type; it throws on the first error. */
  check(expr: Expr): ValueType {
    if (expr.type === "BinaryExpr") return this.checkBinaryChain(expr);
    const typ = exprType(expr);
    switch (expr.type) {
      case "AggregateExpr":
        this.expectType(expr.expr, "vector", "aggregation expression");
        if (TOPK_LIKE.has(expr.op)) this.expectType(expr.param!, "scalar", "aggregation parameter");
        if (expr.op === "count_values") {
          this.expectType(expr.param!, "string", "aggregation parameter");
        }
        break;
      case "Call":
        this.checkCall(expr);
        break;
      case "ParenExpr":
        this.check(expr.expr);
        break;
      case "UnaryExpr": {
        const t = this.check(expr.expr);
        if (t !== "scalar" && t !== "vector") {
          this.fail(
            expr.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`,
          );
        }
        break;
      }
      case "SubqueryExpr": {
        const t = this.check(expr.expr);
        if (t !== "vector") {
          this.fail(expr.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        }
        break;
      }
      case "MatrixSelector":
        this.check(expr.vectorSelector);
        break;
      case "VectorSelector":
        this.checkVectorSelector(expr);
        break;
      case "NumberLiteral":
      case "StringLiteral":
        break;
      default:
        assertNever(expr);
    }
    return typ;
  }

  // Checks a chain of binary operations along its left spine iteratively, so that long
  // generated queries such as `a or b or c ...` do not exhaust the stack.
  private checkBinaryChain(top: BinaryExpr): ValueType {
    const spine: BinaryExpr[] = [];
    let cur: Expr = top;
    while (cur.type === "BinaryExpr") {
      spine.push(cur);
      cur = cur.lhs;
    }
    let lt = this.check(cur);
    for (let k = spine.length - 1; k >= 0; k--) {
      const n = spine[k];
      const rt = this.check(n.rhs);
      this.checkBinary(n, lt, rt);
      lt = lt === "scalar" && rt === "scalar" ? "scalar" : "vector";
    }
    return lt;
  }

  private expectType(expr: Expr, want: ValueType, context: string): void {
    const t = this.check(expr);
    if (t !== want) {
      this.fail(
        expr.pos,
        `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`,
      );
    }
  }

  private checkBinary(n: BinaryExpr, lt: ValueType, rt: ValueType): void {
    // The operator's range: from the end of lhs to the start of rhs, without surrounding space.
    const opRange = (): PositionRange => {
      let start = n.lhs.pos.end;
      while (/[ \t\n\r]/.test(this.input[start] ?? "")) start++;
      let end = n.rhs.pos.start - 1;
      while (/[ \t\n\r]/.test(this.input[end] ?? "")) end--;
      return { start, end };
    };
    if (n.returnBool && !isComparison(n.op)) {
      this.fail(opRange(), "bool modifier can only be used on comparison operators");
    }
    if (isComparison(n.op) && !n.returnBool && rt === "scalar" && lt === "scalar") {
      this.fail(opRange(), "comparisons between scalars must use BOOL modifier");
    }
    const vm = n.vectorMatching;
    if (vm !== null && isSetOp(n.op) && vm.card === "one-to-one") vm.card = "many-to-many";
    if (vm !== null && vm.on) {
      for (const l1 of vm.matchingLabels) {
        if (vm.include.includes(l1)) {
          this.fail(
            opRange(),
            `label ${goQuote(l1)} must not occur in ON and GROUP clause at once`,
          );
        }
      }
    }
    if (lt !== "scalar" && lt !== "vector") {
      this.fail(n.lhs.pos, "binary expression must contain only scalar and instant vector types");
    }
    if (rt !== "scalar" && rt !== "vector") {
      this.fail(n.rhs.pos, "binary expression must contain only scalar and instant vector types");
    }
    if ((lt !== "vector" || rt !== "vector") && vm !== null) {
      if (vm.matchingLabels.length > 0) {
        this.fail(n.pos, "vector matching only allowed between instant vectors");
      }
      n.vectorMatching = null;
    } else if (vm !== null && isSetOp(n.op)) {
      if (vm.card === "one-to-many" || vm.card === "many-to-one") {
        this.fail(n.pos, `no grouping allowed for ${goQuote(n.op)} operation`);
      }
      if (vm.card !== "many-to-many")
        this.fail(n.pos, "set operations must always be many-to-many");
    }
    if ((lt === "scalar" || rt === "scalar") && isSetOp(n.op)) {
      this.fail(n.pos, `set operator ${goQuote(n.op)} not allowed in binary scalar expression`);
    }
  }

  private checkCall(n: Call): void {
    const f = n.func;
    const nargs = f.argTypes.length;
    const name = goQuote(f.name);
    if (f.variadic === 0) {
      if (nargs !== n.args.length) {
        this.fail(n.pos, `expected ${nargs} argument(s) in call to ${name}, got ${n.args.length}`);
      }
    } else {
      const na = nargs - 1;
      if (na > n.args.length) {
        this.fail(
          n.pos,
          `expected at least ${na} argument(s) in call to ${name}, got ${n.args.length}`,
        );
      } else if (f.variadic > 0 && na + f.variadic < n.args.length) {
        this.fail(
          n.pos,
          `expected at most ${na + f.variadic} argument(s) in call to ${name}, got ${n.args.length}`,
        );
      }
    }
    if (f.name === "info" && n.args.length > 1) {
      const sel = n.args[1];
      // Upstream type-asserts a vector selector here and reports any other argument as a
      // recovered panic, "unexpected error".
      if (sel.type !== "VectorSelector") return this.fail(n.pos, "unexpected error");
      if (sel.name !== "")
        this.fail(sel.pos, "expected label selectors only, got vector selector instead");
      sel.bypassEmptyMatcherCheck = true;
    }
    for (let i = 0; i < n.args.length; i++) {
      let ti = i;
      if (i >= nargs) {
        if (f.variadic === 0) break;
        ti = nargs - 1;
      }
      this.expectType(n.args[i], f.argTypes[ti], `call to function ${name}`);
    }
  }

  private checkVectorSelector(n: VectorSelector): void {
    if (n.name !== "") {
      // The last matcher is the one for the name written outside the braces.
      for (const m of n.matchers.slice(0, -1)) {
        if (m.name === METRIC_NAME) {
          this.fail(
            n.pos,
            `metric name must not be set twice: ${goQuote(n.name)} or ${goQuote(m.value)}`,
          );
        }
      }
      return;
    }
    if (!n.bypassEmptyMatcherCheck && !n.matchers.some((m) => !m.matches(""))) {
      this.fail(n.pos, "vector selector must contain at least one non-empty matcher");
    }
  }
}

// ---- Go number and duration parsing ----------------------------------------------------------

/** underscoreOK reports whether underscores in s separate digits, as Go's strconv requires. */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.startsWith("+") || s.startsWith("-")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "box".includes(s[1].toLowerCase())) {
    i = 2;
    saw = "0";
    hex = s[1].toLowerCase() === "x";
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= "0" && c <= "9") || (hex && c.toLowerCase() >= "a" && c.toLowerCase() <= "f")) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** parseGoInt parses s like strconv.ParseInt(s, 0, 64), or returns undefined on any error. */
function parseGoInt(s: string): number | undefined {
  if (s === "") return undefined;
  let base = 10;
  let digits = s;
  if (s[0] === "0") {
    const p = s.length >= 3 ? s[1].toLowerCase() : "";
    if (p === "b" || p === "o" || p === "x") {
      base = p === "b" ? 2 : p === "o" ? 8 : 16;
      digits = s.slice(2);
    } else {
      base = 8;
      digits = s.slice(1);
    }
  }
  let n = 0n;
  const big = BigInt(base);
  let underscores = false;
  for (const c of digits) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * big + BigInt(d);
  }
  if (underscores && !underscoreOK(s)) return undefined;
  if (n > 9223372036854775807n) return undefined;
  return Number(n);
}

/** parseGoFloat parses s like strconv.ParseFloat(s, 64); errors carry Go's reason text. */
function parseGoFloat(s: string): number | { error: string } {
  const lower = s.toLowerCase();
  const body = lower.replace(/^[+-]/, "");
  const neg = lower.startsWith("-");
  if (body === "inf" || body === "infinity") return neg ? -Infinity : Infinity;
  if (body === "nan") return NaN;
  // Hexadecimal floats need a 'p' exponent, which the lexer never lets through.
  if (!/^[+-]?(\d[\d_]*\.?[\d_]*|\.[\d_]+)(e[+-]?[\d_]+)?$/.test(lower) || body.startsWith("0x")) {
    return { error: "invalid syntax" };
  }
  if (s.includes("_") && !underscoreOK(s)) return { error: "invalid syntax" };
  const v = Number(lower.replaceAll("_", ""));
  if (Number.isNaN(v)) return { error: "invalid syntax" };
  if (!Number.isFinite(v)) return { error: "value out of range" };
  return v;
}

const DURATION_UNITS_NS: ReadonlyMap<string, { pos: number; mult: bigint }> = new Map([
  ["ms", { pos: 7, mult: 1_000_000n }],
  ["s", { pos: 6, mult: 1_000_000_000n }],
  ["m", { pos: 5, mult: 60_000_000_000n }],
  ["h", { pos: 4, mult: 3_600_000_000_000n }],
  ["d", { pos: 3, mult: 86_400_000_000_000n }],
  ["w", { pos: 2, mult: 604_800_000_000_000n }],
  ["y", { pos: 1, mult: 31_536_000_000_000_000n }],
]);

/**
 * parseGoDuration parses a duration like prometheus/common model.ParseDuration and returns
 * milliseconds, or Go's error message.
 */
function parseGoDuration(s: string): number | { error: string } {
  if (s === "0") return 0;
  if (s === "") return { error: "empty duration string" };
  const invalid = { error: `not a valid duration string: ${goQuote(s)}` };
  let rest = s;
  let dur = 0n;
  let lastUnitPos = 0;
  while (rest !== "") {
    const num = /^\d+/.exec(rest);
    if (num === null) return invalid;
    const v = BigInt(num[0]);
    if (v > 18446744073709551615n) return invalid;
    rest = rest.slice(num[0].length);
    const unitMatch = /^\D+/.exec(rest);
    if (unitMatch === null) return invalid;
    const u = unitMatch[0];
    rest = rest.slice(u.length);
    const unit = DURATION_UNITS_NS.get(u);
    if (unit === undefined)
      return { error: `unknown unit ${goQuote(u)} in duration ${goQuote(s)}` };
    if (unit.pos <= lastUnitPos) return invalid;
    lastUnitPos = unit.pos;
    if (v > (1n << 63n) / unit.mult) return { error: "duration out of range" };
    dur += v * unit.mult;
    if (dur > (1n << 63n) - 1n) return { error: "duration out of range" };
  }
  return Number(dur / 1_000_000n);
}
