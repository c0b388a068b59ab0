// The LogQL parser: a hand-written recursive-descent parser that accepts the language of Loki's
// yacc grammar (pkg/logql/syntax/syntax.y) and runs the checks Loki's ParseExpr runs
// (pkg/logql/syntax/parser.go validateExpr, and the constructors in ast.go that reject bad
// parameters, regexes and literal legs of set operators).
import { RE2JS } from "re2js";
import { Matcher } from "../../model/labels/index.ts";
import type { MatchType } from "../../model/labels/index.ts";
import { parsePattern } from "../log/pattern.ts";
import type {
  BinaryOp,
  CompareOp,
  Expr,
  Grouping,
  LabelExtraction,
  LabelFilter,
  LabelFormat,
  LineFilter,
  LineFilterOp,
  LineFilterValue,
  LogRange,
  LogSelector,
  NamedMatcher,
  RangeOp,
  SampleExpr,
  Stage,
  Unwrap,
  UnwrapConversion,
  VectorMatching,
  VectorOp,
} from "./ast.ts";
import { ParseError } from "./errors.ts";
import { formatFloatFixed, parseGoFloat } from "./go.ts";
import { Lexer } from "./lexer.ts";
import type { Token, TokenType } from "./lexer.ts";

const MAX_INPUT_SIZE = 131072;

const RANGE_OPS = new Set<string>([
  "count_over_time",
  "rate",
  "rate_counter",
  "bytes_over_time",
  "bytes_rate",
  "avg_over_time",
  "sum_over_time",
  "min_over_time",
  "max_over_time",
  "stdvar_over_time",
  "stddev_over_time",
  "quantile_over_time",
  "first_over_time",
  "last_over_time",
  "absent_over_time",
]);

const VECTOR_OPS = new Set<string>([
  "sum",
  "avg",
  "count",
  "max",
  "min",
  "stddev",
  "stdvar",
  "bottomk",
  "topk",
  "sort",
  "sort_desc",
  "approx_topk",
]);

const BIN_PRECEDENCE: Partial<Record<TokenType, number>> = {
  OR: 1,
  AND: 2,
  UNLESS: 2,
  CMP_EQ: 3,
  NEQ: 3,
  LT: 3,
  LTE: 3,
  GT: 3,
  GTE: 3,
  ADD: 4,
  SUB: 4,
  MUL: 5,
  DIV: 5,
  MOD: 5,
  POW: 6,
};

const BIN_OP_TEXT: Partial<Record<TokenType, BinaryOp>> = {
  OR: "or",
  AND: "and",
  UNLESS: "unless",
  CMP_EQ: "==",
  NEQ: "!=",
  LT: "<",
  LTE: "<=",
  GT: ">",
  GTE: ">=",
  ADD: "+",
  SUB: "-",
  MUL: "*",
  DIV: "/",
  MOD: "%",
  POW: "^",
};

const LINE_FILTER_OPS: Partial<Record<TokenType, LineFilterOp>> = {
  PIPE_EXACT: "|=",
  NEQ: "!=",
  PIPE_MATCH: "|~",
  NRE: "!~",
  PIPE_PATTERN: "|>",
  NPA: "!>",
};

/** ParseOptions tunes parseExpr. */
export interface ParseOptions {
  /** validate runs Loki's post-parse checks (ParseExpr); false is ParseExprWithoutValidation. */
  readonly validate?: boolean;
}

/**
 * parseExpr parses a LogQL query like Loki's syntax.ParseExpr and throws a ParseError with
 * Loki's message on failure.
 */
export function parseExpr(input: string, opts: ParseOptions = {}): Expr {
  if (input.length >= MAX_INPUT_SIZE) {
    throw new ParseError(`input size too long (${input.length} > ${MAX_INPUT_SIZE})`);
  }
  const p = new Parser(input);
  const e = p.parseRoot();
  if (opts.validate ?? true) validateExpr(e);
  return e;
}

/** parseSampleExpr parses a metric query; log queries are refused. */
export function parseSampleExpr(input: string): SampleExpr {
  const e = parseExpr(input);
  if (e.type === "LogSelector") throw new Error("only sample expression supported");
  return e;
}

/** parseLogSelector parses a log query; metric queries are refused. */
export function parseLogSelector(input: string, validate = true): LogSelector {
  const e = parseExpr(input, { validate });
  if (e.type !== "LogSelector") throw new Error("only log selector is supported");
  return e;
}

/** parseMatchers parses `{a="b", ...}` and nothing else. */
export function parseMatchers(input: string, validate = true): Matcher[] {
  const e = parseExpr(input, { validate });
  if (e.type !== "LogSelector" || e.stages.length > 0) {
    throw new Error("only label matchers are supported");
  }
  return [...e.matchers];
}

function tokenName(t: Token): string {
  switch (t.type) {
    case "EOF":
      return "$end";
    case "IDENTIFIER":
    case "STRING":
    case "NUMBER":
    case "DURATION":
    case "RANGE":
    case "BYTES":
    case "FUNCTION_FLAG":
      return t.type;
    case "FUNCTION":
      return t.text.toUpperCase();
    default:
      return t.text.toLowerCase();
  }
}

class Parser {
  private readonly lexer: Lexer;
  private readonly buf: Token[] = [];
  private last: Token | null = null;

  constructor(private readonly input: string) {
    this.lexer = new Lexer(input);
  }

  private peek(k = 0): Token {
    while (this.buf.length <= k) this.buf.push(this.lexer.next());
    return this.buf[k]!;
  }

  private nextToken(): Token {
    const t = this.peek();
    this.buf.shift();
    this.last = t;
    return t;
  }

  private is(type: TokenType, k = 0): boolean {
    return this.peek(k).type === type;
  }

  private accept(type: TokenType): Token | null {
    return this.is(type) ? this.nextToken() : null;
  }

  private unexpected(expecting?: string): never {
    const t = this.peek();
    const msg = `syntax error: unexpected ${tokenName(t)}${expecting ? `, expecting ${expecting}` : ""}`;
    throw new ParseError(msg, this.input, t.pos);
  }

  private expect(type: TokenType, name?: string): Token {
    if (!this.is(type)) this.unexpected(name ?? type);
    return this.nextToken();
  }

  private fail(msg: string, pos?: number): never {
    throw new ParseError(msg, this.input, pos ?? this.last?.pos ?? 0);
  }

  /** validationError: errors Loki raises in AST constructors carry no position. */
  private invalid(msg: string): never {
    throw new ParseError(msg);
  }

  parseRoot(): Expr {
    if (this.is("EOF")) this.unexpected();
    const e = this.parseExpr(0);
    if (!this.is("EOF")) this.unexpected();
    return e;
  }

  // ---- expressions ----

  private parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const prec = BIN_PRECEDENCE[t.type];
      if (prec === undefined || prec < minPrec) return lhs;
      // NEQ right after a log selector starts a line filter, never a binary operator; the
      // pipeline parser consumed those already, so reaching here with one means a binop.
      this.nextToken();
      const op = BIN_OP_TEXT[t.type]!;
      const { returnBool, matching } = this.parseBinOpModifier();
      const nextMin = t.type === "POW" ? prec : prec + 1;
      const rhs = this.parseExpr(nextMin);
      lhs = this.newBinOp(op, returnBool, matching, lhs, rhs, t.pos);
    }
  }

  private parseBinOpModifier(): { returnBool: boolean; matching: VectorMatching } {
    const returnBool = this.accept("BOOL") !== null;
    let on = false;
    let matchingLabels: string[] | null = null;
    let card: VectorMatching["card"] = "one-to-one";
    let include: string[] | null = null;
    if (this.is("ON") || this.is("IGNORING")) {
      on = this.nextToken().type === "ON";
      this.expect("OPEN_PARENTHESIS", "(");
      const labels = this.parseLabelList();
      matchingLabels = labels.length > 0 ? labels : on ? null : null;
      if (on && labels.length === 0) matchingLabels = null;
      if (labels.length > 0) matchingLabels = labels;
      if (this.is("GROUP_LEFT") || this.is("GROUP_RIGHT")) {
        card = this.nextToken().type === "GROUP_LEFT" ? "many-to-one" : "one-to-many";
        if (this.accept("OPEN_PARENTHESIS")) {
          const inc = this.parseLabelList();
          if (inc.length > 0) include = inc;
        }
      }
    }
    return { returnBool, matching: { card, on, matchingLabels, include } };
  }

  /** parseLabelList parses `a, b)` after an opening parenthesis, consuming the `)`. */
  private parseLabelList(): string[] {
    const out: string[] = [];
    if (this.accept("CLOSE_PARENTHESIS")) return out;
    for (;;) {
      out.push(this.expect("IDENTIFIER", "IDENTIFIER or )").text);
      if (this.accept("CLOSE_PARENTHESIS")) return out;
      this.expect("COMMA", ", or )");
    }
  }

  private newBinOp(
    op: BinaryOp,
    returnBool: boolean,
    matching: VectorMatching,
    lhs: Expr,
    rhs: Expr,
    pos: number,
  ): SampleExpr {
    if (lhs.type === "LogSelector") {
      this.invalid(`unexpected type for left leg of binary operation (${op}): ${goTypeName(lhs)}`);
    }
    if (rhs.type === "LogSelector") {
      this.invalid(`unexpected type for right leg of binary operation (${op}): ${goTypeName(rhs)}`);
    }
    const setOp = op === "or" || op === "and" || op === "unless";
    if (setOp && lhs.type === "Literal") {
      this.invalid(
        `unexpected literal for left leg of logical/set binary operation (${op}): ${formatFloatFixed(lhs.value)}`,
      );
    }
    if (setOp && rhs.type === "Literal") {
      this.invalid(
        `unexpected literal for right leg of logical/set binary operation (${op}): ${formatFloatFixed(rhs.value)}`,
      );
    }
    const span = { start: lhs.pos.start, end: rhs.pos.end };
    if (lhs.type === "Literal" && rhs.type === "Literal") {
      return { type: "Literal", value: foldLiterals(op, lhs.value, rhs.value), pos: span };
    }
    void pos;
    return { type: "BinaryExpr", op, lhs, rhs, returnBool, matching, pos: span };
  }

  private parseUnary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case "ADD":
      case "SUB": {
        this.nextToken();
        const n = this.expect("NUMBER", "NUMBER");
        return this.literal(n, t.type === "SUB", t.pos);
      }
      case "NUMBER":
        this.nextToken();
        return this.literal(t, false, t.pos);
      case "OPEN_BRACE":
        return this.parseLogExpr();
      case "OPEN_PARENTHESIS": {
        this.nextToken();
        const e = this.parseExpr(0);
        this.expect("CLOSE_PARENTHESIS", ")");
        return e;
      }
      case "LABEL_REPLACE":
        return this.parseLabelReplace();
      case "FUNCTION": {
        if (RANGE_OPS.has(t.text)) return this.parseRangeAggregation();
        if (VECTOR_OPS.has(t.text)) return this.parseVectorAggregation();
        if (t.text === "vector") return this.parseVector();
        return this.unexpected();
      }
      default:
        return this.unexpected();
    }
  }

  private literal(t: Token, negate: boolean, start: number): SampleExpr {
    const v = parseGoFloat(t.text);
    if (v === null) {
      this.invalid(
        `unable to parse literal as a float: strconv.ParseFloat: parsing ${JSON.stringify(t.text)}: invalid syntax`,
      );
    }
    return { type: "Literal", value: negate ? -v : v, pos: { start, end: t.end } };
  }

  private parseVector(): SampleExpr {
    const start = this.nextToken().pos;
    this.expect("OPEN_PARENTHESIS", "(");
    const n = this.expect("NUMBER", "NUMBER");
    const end = this.expect("CLOSE_PARENTHESIS", ")").end;
    const v = parseGoFloat(n.text);
    if (v === null) {
      this.invalid(
        `unable to parse vectorExpr as a float: strconv.ParseFloat: parsing ${JSON.stringify(n.text)}: invalid syntax`,
      );
    }
    return { type: "Vector", value: v, pos: { start, end } };
  }

  private parseLabelReplace(): SampleExpr {
    const start = this.nextToken().pos;
    this.expect("OPEN_PARENTHESIS", "(");
    const e = this.parseExpr(0);
    const strs: string[] = [];
    for (let i = 0; i < 4; i++) {
      this.expect("COMMA", ",");
      strs.push(this.expect("STRING", "STRING").text);
    }
    const end = this.expect("CLOSE_PARENTHESIS", ")").end;
    if (e.type === "LogSelector") this.unexpectedExprType(e);
    const [dst, replacement, src, regex] = strs as [string, string, string, string];
    try {
      RE2JS.compile(`^(?:${regex})$`);
    } catch (err) {
      this.invalid(`invalid regex in label_replace: ${(err as Error).message}`);
    }
    return { type: "LabelReplace", expr: e, dst, replacement, src, regex, pos: { start, end } };
  }

  private unexpectedExprType(e: Expr): never {
    return this.fail(`syntax error: unexpected ${goTypeName(e)}`);
  }

  private parseGrouping(): Grouping | null {
    if (!this.is("BY") && !this.is("WITHOUT")) return null;
    const without = this.nextToken().type === "WITHOUT";
    this.expect("OPEN_PARENTHESIS", "(");
    return { without, labels: this.parseLabelList() };
  }

  private parseVectorAggregation(): SampleExpr {
    const t = this.nextToken();
    const op = t.text as VectorOp;
    let grouping = this.parseGrouping();
    this.expect("OPEN_PARENTHESIS", "(");
    let param: string | undefined;
    if (this.is("NUMBER") && this.is("COMMA", 1)) {
      param = this.nextToken().text;
      this.nextToken();
    }
    const inner = this.parseExpr(0);
    let end = this.expect("CLOSE_PARENTHESIS", ")").end;
    if (grouping === null) {
      grouping = this.parseGrouping();
      if (grouping) end = this.last!.end;
    }
    if (inner.type === "LogSelector") this.unexpectedExprType(inner);
    let p = 0;
    if (op === "topk" || op === "bottomk" || op === "approx_topk") {
      if (param === undefined) this.invalid(`parameter required for operation ${op}`);
      if (!/^[+-]?\d+$/.test(param)) this.invalid(`invalid parameter ${op}(${param},`);
      p = Number(param);
      if (p <= 0) this.invalid(`invalid parameter (must be greater than 0) ${op}(${param}`);
      if (op === "approx_topk" && grouping !== null) {
        this.invalid(`grouping not allowed for ${op} aggregation`);
      }
    } else if (param !== undefined) {
      this.invalid(`unsupported parameter for operation ${op}(${param},`);
    }
    if ((op === "sort" || op === "sort_desc") && grouping && grouping.labels.length > 0) {
      this.invalid("sort and sort_desc doesn't allow grouping by ");
    }
    return {
      type: "VectorAggregation",
      op,
      param: p,
      grouping,
      expr: inner,
      pos: { start: t.pos, end },
    };
  }

  private parseRangeAggregation(): SampleExpr {
    const t = this.nextToken();
    const op = t.text as RangeOp;
    this.expect("OPEN_PARENTHESIS", "(");
    let param: string | undefined;
    if (this.is("NUMBER")) {
      param = this.nextToken().text;
      this.expect("COMMA", ",");
    }
    const range = this.parseLogRange();
    let end = this.expect("CLOSE_PARENTHESIS", ")").end;
    const grouping = this.parseGrouping();
    if (grouping) end = this.last!.end;
    let value: number | undefined;
    if (param !== undefined) {
      if (op !== "quantile_over_time") {
        this.invalid(`parameter ${param} not supported for operation ${op}`);
      }
      const v = parseGoFloat(param);
      if (v === null) {
        this.invalid(
          `invalid parameter for operation ${op}: strconv.ParseFloat: parsing ${JSON.stringify(param)}: invalid syntax`,
        );
      }
      value = v;
    } else if (op === "quantile_over_time") {
      this.invalid(`parameter required for operation ${op}`);
    }
    validateRangeAggregation(op, grouping, range);
    return {
      type: "RangeAggregation",
      op,
      ...(value !== undefined ? { param: value } : {}),
      range,
      ...(grouping ? { grouping } : {}),
      pos: { start: t.pos, end },
    };
  }

  /** parseLogRange parses the log-range argument of a range aggregation (syntax.y logRangeExpr). */
  private parseLogRange(): LogRange {
    if (this.is("OPEN_PARENTHESIS")) {
      const open = this.nextToken();
      if (this.is("OPEN_PARENTHESIS")) {
        const r = this.parseLogRange();
        this.expect("CLOSE_PARENTHESIS", ")");
        return r;
      }
      if (!this.is("OPEN_BRACE")) this.unexpected("{ or (");
      const sel = this.parseSelector();
      if (this.is("RANGE")) {
        // ( selector RANGE ... ) : a parenthesised log range.
        const r = this.parseRangeTail(sel, null, null);
        this.expect("CLOSE_PARENTHESIS", ")");
        return r;
      }
      const stages = this.parsePipeline();
      const unwrap = this.parseUnwrap();
      if ((stages.length > 0 || unwrap !== null) && this.is("RANGE")) {
        const r = this.parseRangeTail(
          { ...sel, stages, pos: { start: sel.pos.start, end: this.last!.end } },
          unwrap,
          null,
        );
        this.expect("CLOSE_PARENTHESIS", ")");
        return r;
      }
      this.expect("CLOSE_PARENTHESIS", ")");
      void open;
      const selector: LogSelector = { ...sel, stages };
      const rangeTok = this.expect("RANGE", "RANGE");
      const offsetNs = this.parseOffset();
      let u = unwrap;
      if (stages.length === 0 && u === null) u = this.parseUnwrap();
      return makeRange(selector, rangeTok.durationNs!, offsetNs, u);
    }
    if (!this.is("OPEN_BRACE")) this.unexpected("{ or (");
    const sel = this.parseSelector();
    if (this.is("RANGE")) return this.parseRangeTail(sel, null, null);
    const stages = this.parsePipeline();
    const unwrap = this.parseUnwrap();
    return this.parseRangeTail({ ...sel, stages }, unwrap, stages.length > 0 ? "pipeline" : null);
  }

  /**
   * parseRangeTail parses `RANGE [offset]` and, when the selector had nothing after it, the
   * pipeline and unwrap that may follow the range.
   */
  private parseRangeTail(
    sel: LogSelector,
    unwrap: Unwrap | null,
    _before: string | null,
  ): LogRange {
    const rangeTok = this.expect("RANGE", "RANGE");
    const offsetNs = this.parseOffset();
    if (sel.stages.length === 0 && unwrap === null) {
      const stages = this.parsePipeline();
      const u = this.parseUnwrap();
      return makeRange({ ...sel, stages }, rangeTok.durationNs!, offsetNs, u);
    }
    return makeRange(sel, rangeTok.durationNs!, offsetNs, unwrap);
  }

  private parseOffset(): bigint {
    if (!this.accept("OFFSET")) return 0n;
    const d = this.expect("DURATION", "DURATION");
    return d.durationNs!;
  }

  private parseUnwrap(): Unwrap | null {
    if (!(this.is("PIPE") && this.is("UNWRAP", 1))) return null;
    this.nextToken();
    this.nextToken();
    let label: string;
    let conversion: UnwrapConversion = "";
    const t = this.peek();
    if (
      t.type === "FUNCTION" &&
      (t.text === "bytes" || t.text === "duration" || t.text === "duration_seconds")
    ) {
      this.nextToken();
      conversion = t.text;
      this.expect("OPEN_PARENTHESIS", "(");
      label = this.expect("IDENTIFIER", "IDENTIFIER").text;
      this.expect("CLOSE_PARENTHESIS", ")");
    } else {
      label = this.expect("IDENTIFIER", "IDENTIFIER").text;
    }
    const postFilters: LabelFilter[] = [];
    while (this.is("PIPE") && !this.is("UNWRAP", 1)) {
      this.nextToken();
      postFilters.push(this.parseLabelFilterExpr());
    }
    return { label, conversion, postFilters };
  }

  // ---- log selectors and pipelines ----

  private parseLogExpr(): LogSelector {
    const sel = this.parseSelector();
    const stages = this.parsePipeline();
    if (this.is("PIPE") && this.is("UNWRAP", 1)) this.unexpected();
    return { ...sel, stages, pos: { start: sel.pos.start, end: this.last!.end } };
  }

  private parseSelector(): LogSelector {
    const open = this.expect("OPEN_BRACE", "{");
    const matchers: Matcher[] = [];
    if (!this.accept("CLOSE_BRACE")) {
      for (;;) {
        matchers.push(this.parseMatcher());
        if (this.accept("CLOSE_BRACE")) break;
        if (!this.is("COMMA")) this.unexpected("} or ,");
        this.nextToken();
      }
    }
    return {
      type: "LogSelector",
      matchers,
      stages: [],
      pos: { start: open.pos, end: this.last!.end },
    };
  }

  private parseMatcher(): Matcher {
    const name = this.expect("IDENTIFIER", "IDENTIFIER").text;
    const opTok = this.nextToken();
    let type: MatchType;
    switch (opTok.type) {
      case "EQ":
        type = "=";
        break;
      case "NEQ":
        type = "!=";
        break;
      case "RE":
        type = "=~";
        break;
      case "NRE":
        type = "!~";
        break;
      default:
        this.buf.unshift(opTok);
        return this.unexpected("=, !=, =~ or !~");
    }
    const value = this.expect("STRING", "STRING").text;
    return this.newMatcher(type, name, value);
  }

  private newMatcher(type: MatchType, name: string, value: string): Matcher {
    try {
      return new Matcher(type, name, value);
    } catch (err) {
      const cause = (err as Error).cause;
      const msg = cause instanceof Error ? cause.message : (err as Error).message;
      return this.invalid(msg);
    }
  }

  /** parsePipeline parses stages until something that is not a stage (or `| unwrap`). */
  private parsePipeline(): Stage[] {
    const stages: Stage[] = [];
    for (;;) {
      const t = this.peek();
      if (LINE_FILTER_OPS[t.type] !== undefined) {
        const filters = this.parseLineFilters();
        const prev = stages[stages.length - 1];
        if (prev && prev.type === "lineFilter") {
          stages[stages.length - 1] = {
            type: "lineFilter",
            filters: [...prev.filters, ...filters],
          };
        } else {
          stages.push({ type: "lineFilter", filters });
        }
        continue;
      }
      if (t.type === "PIPE" && !this.is("UNWRAP", 1)) {
        this.nextToken();
        stages.push(this.parseStage());
        continue;
      }
      return stages;
    }
  }

  /** parseLineFilters parses one `op value [or value...]` (syntax.y lineFilter). */
  private parseLineFilters(): LineFilter[] {
    const op = LINE_FILTER_OPS[this.nextToken().type]!;
    const values: LineFilterValue[] = [this.parseLineFilterValue(true)];
    while (this.is("OR")) {
      this.nextToken();
      values.push(this.parseLineFilterValue(false));
    }
    const negative = op === "!=" || op === "!~" || op === "!>";
    if (negative && values.length > 1) return values.map((v) => ({ op, values: [v] }));
    return [{ op, values }];
  }

  private parseLineFilterValue(first: boolean): LineFilterValue {
    if (this.is("STRING")) return { match: this.nextToken().text, ip: false };
    if (this.is("IP")) {
      this.nextToken();
      this.expect("OPEN_PARENTHESIS", "(");
      const s = this.expect("STRING", "STRING").text;
      this.expect("CLOSE_PARENTHESIS", ")");
      return { match: s, ip: true };
    }
    return this.unexpected(first ? "STRING or ip" : "STRING or ip");
  }

  private parseStage(): Stage {
    const t = this.peek();
    switch (t.type) {
      case "LOGFMT": {
        this.nextToken();
        let strict = false;
        let keepEmpty = false;
        while (this.is("FUNCTION_FLAG")) {
          const f = this.nextToken().text;
          if (f === "--strict") strict = true;
          else keepEmpty = true;
        }
        if (this.is("IDENTIFIER")) {
          const exprs = this.parseLabelExtractions();
          return { type: "logfmtExpr", strict, keepEmpty, exprs };
        }
        return { type: "logfmt", strict, keepEmpty };
      }
      case "JSON": {
        this.nextToken();
        if (this.is("IDENTIFIER")) return { type: "jsonExpr", exprs: this.parseLabelExtractions() };
        return { type: "json" };
      }
      case "REGEXP": {
        this.nextToken();
        const s = this.expect("STRING", "STRING").text;
        validateRegexpParser(s, (m) => this.invalid(`invalid regexp parser: ${m}`));
        return { type: "regexp", pattern: s };
      }
      case "PATTERN": {
        this.nextToken();
        const s = this.expect("STRING", "STRING").text;
        try {
          parsePattern(s, "parser");
        } catch (err) {
          this.invalid(`invalid pattern parser: ${(err as Error).message}`);
        }
        return { type: "pattern", pattern: s };
      }
      case "UNPACK":
        this.nextToken();
        return { type: "unpack" };
      case "LINE_FMT": {
        this.nextToken();
        return { type: "lineFormat", template: this.expect("STRING", "STRING").text };
      }
      case "LABEL_FMT": {
        this.nextToken();
        const formats: LabelFormat[] = [];
        for (;;) {
          const name = this.expect("IDENTIFIER", "IDENTIFIER").text;
          this.expect("EQ", "=");
          if (this.is("IDENTIFIER")) {
            formats.push({ name, value: this.nextToken().text, rename: true });
          } else {
            formats.push({
              name,
              value: this.expect("STRING", "IDENTIFIER or STRING").text,
              rename: false,
            });
          }
          if (!this.accept("COMMA")) break;
        }
        return { type: "labelFormat", formats };
      }
      case "DECOLORIZE":
        this.nextToken();
        return { type: "decolorize" };
      case "DROP":
      case "KEEP": {
        this.nextToken();
        const labels: NamedMatcher[] = [];
        for (;;) {
          const name = this.expect("IDENTIFIER", "IDENTIFIER").text;
          const op = this.peek().type;
          if (op === "EQ" || op === "NEQ" || op === "RE" || op === "NRE") {
            this.nextToken();
            const v = this.expect("STRING", "STRING").text;
            const mt: MatchType =
              op === "EQ" ? "=" : op === "NEQ" ? "!=" : op === "RE" ? "=~" : "!~";
            labels.push({ matcher: this.newMatcher(mt, name, v) });
          } else {
            labels.push({ name });
          }
          if (!this.accept("COMMA")) break;
        }
        return { type: t.type === "DROP" ? "drop" : "keep", labels };
      }
      case "IDENTIFIER":
      case "OPEN_PARENTHESIS":
        return { type: "labelFilter", filter: this.parseLabelFilterExpr() };
      default:
        return this.unexpected();
    }
  }

  private parseLabelExtractions(): LabelExtraction[] {
    const out: LabelExtraction[] = [];
    for (;;) {
      const name = this.expect("IDENTIFIER", "IDENTIFIER").text;
      if (this.accept("EQ")) {
        out.push({ name, expression: this.expect("STRING", "STRING").text });
      } else {
        out.push({ name, expression: name });
      }
      if (!this.accept("COMMA")) return out;
    }
  }

  /**
   * parseLabelFilterExpr parses a label filter expression. Precedence follows the yacc grammar:
   * `and` binds tighter than `or` (both left-associative), while a comma or juxtaposition
   * takes the filter before it and everything after it (yacc resolves those conflicts by
   * shifting).
   */
  private parseLabelFilterExpr(): LabelFilter {
    return this.parseLabelFilterOr();
  }

  private parseLabelFilterOr(): LabelFilter {
    let left = this.parseLabelFilterAnd();
    while (this.is("OR")) {
      this.nextToken();
      const right = this.parseLabelFilterAnd();
      left = { kind: "or", left, right };
    }
    return left;
  }

  private parseLabelFilterAnd(): LabelFilter {
    let left = this.parseLabelFilterUnit();
    while (this.is("AND")) {
      this.nextToken();
      const right = this.parseLabelFilterUnit();
      left = { kind: "and", left, right };
    }
    return left;
  }

  private parseLabelFilterUnit(): LabelFilter {
    const first = this.parseLabelFilterPrimary();
    if (this.is("COMMA")) {
      this.nextToken();
      return { kind: "and", left: first, right: this.parseLabelFilterExpr() };
    }
    if (this.is("IDENTIFIER") || this.is("OPEN_PARENTHESIS")) {
      return { kind: "and", left: first, right: this.parseLabelFilterExpr() };
    }
    return first;
  }

  private parseLabelFilterPrimary(): LabelFilter {
    if (this.accept("OPEN_PARENTHESIS")) {
      const f = this.parseLabelFilterExpr();
      this.expect("CLOSE_PARENTHESIS", ")");
      return f;
    }
    const name = this.expect("IDENTIFIER", "IDENTIFIER or (").text;
    const opTok = this.nextToken();
    const v = this.peek();
    const cmp: Partial<Record<TokenType, CompareOp>> = {
      EQ: "==",
      CMP_EQ: "==",
      NEQ: "!=",
      GT: ">",
      GTE: ">=",
      LT: "<",
      LTE: "<=",
    };
    if (opTok.type === "RE" || opTok.type === "NRE") {
      const s = this.expect("STRING", "STRING").text;
      return {
        kind: "string",
        matcher: this.newMatcher(opTok.type === "RE" ? "=~" : "!~", name, s),
      };
    }
    const op = cmp[opTok.type];
    if (op === undefined) {
      this.buf.unshift(opTok);
      return this.unexpected();
    }
    if (v.type === "STRING" && (opTok.type === "EQ" || opTok.type === "NEQ")) {
      this.nextToken();
      return {
        kind: "string",
        matcher: this.newMatcher(opTok.type === "EQ" ? "=" : "!=", name, v.text),
      };
    }
    if (v.type === "IP" && (opTok.type === "EQ" || opTok.type === "NEQ")) {
      this.nextToken();
      this.expect("OPEN_PARENTHESIS", "(");
      const s = this.expect("STRING", "STRING").text;
      this.expect("CLOSE_PARENTHESIS", ")");
      return { kind: "ip", name, op: opTok.type === "EQ" ? "=" : "!=", pattern: s };
    }
    if (v.type === "DURATION") {
      this.nextToken();
      return { kind: "duration", name, op, valueNs: v.durationNs! };
    }
    if (v.type === "BYTES") {
      this.nextToken();
      return { kind: "bytes", name, op, value: v.bytes! };
    }
    if (v.type === "NUMBER" || v.type === "ADD" || v.type === "SUB") {
      this.nextToken();
      let negate = false;
      let n = v;
      if (v.type !== "NUMBER") {
        negate = v.type === "SUB";
        n = this.expect("NUMBER", "NUMBER");
      }
      const f = parseGoFloat(n.text);
      if (f === null) {
        this.invalid(
          `unable to parse literal as a float: strconv.ParseFloat: parsing ${JSON.stringify(n.text)}: invalid syntax`,
        );
      }
      return { kind: "number", name, op, value: negate ? -f : f };
    }
    return this.unexpected();
  }
}

function makeRange(
  selector: LogSelector,
  rangeNs: bigint,
  offsetNs: bigint,
  unwrap: Unwrap | null,
): LogRange {
  return { selector, rangeNs, offsetNs, ...(unwrap ? { unwrap } : {}) };
}

function goTypeName(e: Expr): string {
  if (e.type === "LogSelector") {
    return e.stages.length > 0 ? "*syntax.PipelineExpr" : "*syntax.MatchersExpr";
  }
  return `*syntax.${e.type}Expr`;
}

/** validateRegexpParser checks `| regexp` (log/parser.go NewRegexpParser). */
export function validateRegexpParser(re: string, fail: (msg: string) => never): RE2JS {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(re);
  } catch (err) {
    // Go's regexp accepts repeated group names; Loki then refuses them itself.
    const dup = /duplicate capture group name: `([^`]*)`/.exec((err as Error).message);
    if (dup) return fail(`duplicate extracted label name '${dup[1]}'`);
    return fail((err as Error).message);
  }
  const named = compiled.namedGroups() as Record<string, number>;
  if (compiled.groupCount() === 0 || Object.keys(named).length === 0) {
    return fail("at least one named capture must be supplied");
  }
  return compiled;
}

const GROUPING_ALLOWED = new Set([
  "avg_over_time",
  "stddev_over_time",
  "stdvar_over_time",
  "quantile_over_time",
  "max_over_time",
  "min_over_time",
  "first_over_time",
  "last_over_time",
]);

const UNWRAP_ALLOWED = new Set([
  "avg_over_time",
  "sum_over_time",
  "max_over_time",
  "min_over_time",
  "stddev_over_time",
  "stdvar_over_time",
  "quantile_over_time",
  "rate",
  "rate_counter",
  "absent_over_time",
  "first_over_time",
  "last_over_time",
]);

/** validateRangeAggregation is ast.go RangeAggregationExpr.validate. */
function validateRangeAggregation(op: RangeOp, grouping: Grouping | null, range: LogRange): void {
  if (grouping !== null && !GROUPING_ALLOWED.has(op)) {
    throw new ParseError(`grouping not allowed for ${op} aggregation`);
  }
  if (range.unwrap !== undefined) {
    if (!UNWRAP_ALLOWED.has(op)) throw new ParseError(`invalid aggregation ${op} with unwrap`);
    return;
  }
  switch (op) {
    case "bytes_over_time":
    case "bytes_rate":
    case "count_over_time":
    case "rate":
    case "absent_over_time":
      return;
    default:
      throw new ParseError(`invalid aggregation ${op} without unwrap`);
  }
}

const AT_LEAST_ONE_MATCHER =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

/** validateExpr is parser.go validateExpr: every selector needs a non-empty-compatible matcher. */
export function validateExpr(e: Expr): void {
  switch (e.type) {
    case "LogSelector":
      validateMatchers(e.matchers);
      return;
    case "RangeAggregation":
      validateMatchers(e.range.selector.matchers);
      return;
    case "VectorAggregation":
    case "LabelReplace":
      validateExpr(e.expr);
      return;
    case "BinaryExpr":
      validateExpr(e.lhs);
      validateExpr(e.rhs);
      return;
    case "Literal":
    case "Vector":
      return;
  }
}

function validateMatchers(ms: readonly Matcher[]): void {
  if (!ms.some((m) => !m.matchesEmpty())) throw new ParseError(AT_LEAST_ONE_MATCHER);
}

/** foldLiterals evaluates `a op b` for two literals (ast.go reduceBinOp / MergeBinOp). */
export function foldLiterals(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? NaN : a / b;
    case "%":
      return b === 0 ? NaN : a % b;
    case "^":
      return Math.pow(a, b);
    case "==":
      return a === b ? 1 : 0;
    case "!=":
      return a !== b ? 1 : 0;
    case ">":
      return a > b ? 1 : 0;
    case ">=":
      return a >= b ? 1 : 0;
    case "<":
      return a < b ? 1 : 0;
    case "<=":
      return a <= b ? 1 : 0;
    default:
      return NaN;
  }
}
