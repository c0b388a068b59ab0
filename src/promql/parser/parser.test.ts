// Table-driven parser tests in the manner of prometheus promql/parser/parse_test.go: each case
// gives an input and either the expected tree (a subset of fields, compared recursively), its
// printed form and type, or the exact error message Prometheus 3.5 produces.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Expr, ValueType } from "./index.ts";
import {
  ParseError,
  exprToString,
  exprType,
  formatPosition,
  parseExpr,
  parseMetricSelector,
} from "./index.ts";

interface Case {
  input: string;
  /** A subset of the expected tree; objects match when every listed field matches. */
  expected?: unknown;
  /** The printed form (exprToString). */
  out?: string;
  type?: ValueType;
  /** The exact error message. */
  error?: string;
  /** Parse with experimental features switched off. */
  strict?: boolean;
  /** Set to false when the printed form does not parse back to itself. */
  roundTrip?: boolean;
}

const eq = (name: string, value: string) => ({ type: "=", name, value });
const nameEq = (value: string) => eq("__name__", value);
const sel = (name: string, start: number, end: number) => ({
  type: "VectorSelector",
  name,
  matchers: [nameEq(name)],
  pos: { start, end },
});
const num = (value: number, start: number, end: number) => ({
  type: "NumberLiteral",
  value,
  duration: false,
  pos: { start, end },
});

const cases: Case[] = [
  // Number literals.
  { input: "1", expected: num(1, 0, 1), type: "scalar" },
  { input: "+Inf", expected: num(Infinity, 0, 4) },
  { input: "-Inf", expected: num(-Infinity, 0, 4) },
  { input: "inF", out: "+Inf" },
  { input: "NaN", out: "NaN" },
  { input: ".5", expected: num(0.5, 0, 2) },
  { input: "5.", expected: num(5, 0, 2) },
  { input: "123.4567", out: "123.4567" },
  { input: "5e-3", out: "0.005" },
  { input: "5E3", out: "5000" },
  { input: "0x1F", out: "31" },
  { input: "0X_ff", out: "255" },
  { input: "0644", out: "420", expected: num(420, 0, 4) },
  { input: "09", out: "9" },
  { input: "1_000_000", out: "1000000" },
  { input: "-0644", expected: num(-420, 0, 5) },
  { input: "- -  7", expected: num(7, 0, 6) },
  { input: "1e21", out: "1000000000000000000000" },
  { input: "0.0000001", out: "0.0000001" },
  { input: "9223372036854775808", out: "9223372036854776000" },
  { input: "5m", expected: { type: "NumberLiteral", value: 300, duration: true }, out: "5m" },
  { input: "1h30m", expected: { value: 5400, duration: true }, out: "1h30m" },
  {
    input: "-90s",
    expected: { value: -90, duration: true, pos: { start: 0, end: 4 } },
    out: "-1m30s",
  },
  { input: "2w", out: "2w" },
  { input: "7d", out: "1w" },

  // Scalar arithmetic, precedence and associativity.
  {
    input: "1 + 2 * 3",
    expected: {
      type: "BinaryExpr",
      op: "+",
      lhs: num(1, 0, 1),
      rhs: { op: "*" },
      vectorMatching: null,
    },
    type: "scalar",
  },
  {
    input: "(1 + 2) * 3",
    expected: { op: "*", lhs: { type: "ParenExpr", pos: { start: 0, end: 7 } } },
  },
  { input: "1 - 2 - 3", expected: { op: "-", lhs: { op: "-" }, rhs: num(3, 8, 9) } },
  { input: "2 ^ 3 ^ 2", expected: { op: "^", lhs: num(2, 0, 1), rhs: { op: "^" } } },
  {
    input: "-2 ^ 2",
    expected: { type: "UnaryExpr", op: "-", expr: { op: "^" }, pos: { start: 0, end: 6 } },
  },
  { input: "-2 * 3", expected: { op: "*", lhs: num(-2, 0, 2) } },
  { input: "2 * -3 ^ 2", expected: { op: "*", rhs: { type: "UnaryExpr", expr: { op: "^" } } } },
  { input: "1 atan2 2 + 3", expected: { op: "+", lhs: { op: "atan2" } } },
  { input: "1 + 2 == bool 3", expected: { op: "==", returnBool: true, lhs: { op: "+" } } },
  {
    input: "1 < bool 2 and bool 3",
    error: "1:12: parse error: bool modifier can only be used on comparison operators",
  },
  {
    input: "1 < bool 2 and 3",
    error: '1:1: parse error: set operator "and" not allowed in binary scalar expression',
  },
  {
    input: "1 == 1",
    error: "1:3: parse error: comparisons between scalars must use BOOL modifier",
  },
  {
    input: "1   >=  1",
    error: "1:5: parse error: comparisons between scalars must use BOOL modifier",
  },
  {
    input: "1 + bool 2",
    error: "1:3: parse error: bool modifier can only be used on comparison operators",
  },
  {
    input: "1 or 1",
    error: '1:1: parse error: set operator "or" not allowed in binary scalar expression',
  },
  {
    input: "1 unless foo",
    error: '1:1: parse error: set operator "unless" not allowed in binary scalar expression',
  },

  // Vector binary operations and vector matching.
  {
    input: "foo * bar",
    expected: {
      type: "BinaryExpr",
      op: "*",
      lhs: sel("foo", 0, 3),
      rhs: sel("bar", 6, 9),
      returnBool: false,
      vectorMatching: { card: "one-to-one", matchingLabels: [], on: false, include: [] },
      pos: { start: 0, end: 9 },
    },
    type: "vector",
  },
  { input: "foo == 1", expected: { op: "==", vectorMatching: null }, type: "vector" },
  { input: "foo > bool bar", expected: { returnBool: true }, out: "foo > bool bar" },
  {
    input: "foo AND bar",
    expected: { op: "and", vectorMatching: { card: "many-to-many" } },
    out: "foo and bar",
  },
  { input: "foo or bar and baz", expected: { op: "or", rhs: { op: "and" } } },
  { input: "foo unless bar or baz", expected: { op: "or", lhs: { op: "unless" } } },
  { input: "a + b == c * d", expected: { op: "==", lhs: { op: "+" }, rhs: { op: "*" } } },
  {
    input: "foo + on(a, b) group_left(c) bar",
    expected: {
      vectorMatching: { card: "many-to-one", matchingLabels: ["a", "b"], on: true, include: ["c"] },
    },
    out: "foo + on (a, b) group_left (c) bar",
  },
  {
    input: "foo / ignoring(x) group_right bar",
    expected: {
      vectorMatching: { card: "one-to-many", matchingLabels: ["x"], on: false, include: [] },
    },
    out: "foo / ignoring (x) group_right () bar",
  },
  {
    input: "foo - on(a) group_left (b) (bar)",
    expected: { vectorMatching: { include: ["b"] }, rhs: { type: "ParenExpr" } },
  },
  {
    input: "foo and on(instance) bar",
    expected: { vectorMatching: { card: "many-to-many", on: true } },
  },
  { input: "foo + ignoring() bar", out: "foo + bar" },
  { input: "foo + on() bar", out: "foo + on () bar" },
  { input: "foo > on(job) bool bar", error: "1:15: parse error: unexpected <bool>" },
  { input: "foo + group_left bar", error: "1:7: parse error: unexpected <group_left>" },
  { input: "foo - on(a) ignoring(b) bar", error: "1:13: parse error: unexpected <ignoring>" },
  {
    input: "foo * on bar",
    error: '1:10: parse error: unexpected identifier "bar" in grouping opts, expected "("',
  },
  {
    input: "foo * on(a bar",
    error: '1:12: parse error: unexpected identifier "bar" in grouping opts, expected "," or ")"',
  },
  {
    input: "foo + bool bar",
    error: "1:5: parse error: bool modifier can only be used on comparison operators",
  },
  {
    input: "foo == on(a) 1",
    error: "1:1: parse error: vector matching only allowed between instant vectors",
  },
  { input: "1 + on() foo", out: "1 + foo", expected: { vectorMatching: null } },
  {
    input: "foo or on(a) group_left bar",
    error: '1:1: parse error: no grouping allowed for "or" operation',
  },
  {
    input: "foo + on(a) group_left(a) bar",
    error: '1:5: parse error: label "a" must not occur in ON and GROUP clause at once',
  },
  { input: "foo + ignoring(a) group_left(a) bar", out: "foo + ignoring (a) group_left (a) bar" },
  {
    input: 'foo + "str"',
    error: "1:7: parse error: binary expression must contain only scalar and instant vector types",
  },
  {
    input: "foo[5m] / 2",
    error: "1:1: parse error: binary expression must contain only scalar and instant vector types",
  },

  // Unary expressions.
  {
    input: "-foo",
    expected: { type: "UnaryExpr", op: "-", expr: sel("foo", 1, 4), pos: { start: 0, end: 4 } },
  },
  { input: "+foo", out: "+foo" },
  { input: "-(foo + 1)", out: "-(foo + 1)" },
  { input: "-foo offset 5m", expected: { type: "UnaryExpr", expr: { originalOffsetMs: 300000 } } },
  {
    input: '-"s"',
    error:
      '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"',
  },
  {
    input: "-foo[1m]",
    error:
      '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
  },

  // Vector selectors.
  { input: "foo", expected: sel("foo", 0, 3), type: "vector" },
  { input: "foo:bar:rate5m", expected: sel("foo:bar:rate5m", 0, 14) },
  { input: "min", expected: sel("min", 0, 3) },
  { input: "offset", expected: sel("offset", 0, 6) },
  { input: "start", expected: sel("start", 0, 5) },
  { input: "and", expected: sel("and", 0, 3) },
  { input: "Sum", expected: sel("Sum", 0, 3), out: "Sum" },
  {
    input: `foo{a="b", c!="d"}`,
    expected: {
      name: "foo",
      matchers: [eq("a", "b"), { type: "!=", name: "c", value: "d" }, nameEq("foo")],
      pos: { start: 0, end: 18 },
    },
    out: `foo{a="b",c!="d"}`,
  },
  { input: `foo{z="1",a=~"x.*",m!~'y'}`, out: `foo{a=~"x.*",m!~"y",z="1"}` },
  { input: `foo{a="b",}`, out: `foo{a="b"}` },
  { input: `foo{}`, out: "foo" },
  { input: `foo {a="b"}`, out: `foo{a="b"}` },
  {
    input: `{__name__="foo"}`,
    expected: { name: "", matchers: [nameEq("foo")] },
    out: `{__name__="foo"}`,
  },
  { input: `{__name__=~"foo|bar"}`, out: `{__name__=~"foo|bar"}` },
  { input: `{"foo"}`, expected: { name: "", matchers: [nameEq("foo")] }, out: `{__name__="foo"}` },
  {
    input: `{"my.metric", "a.b"="x", 'c'="y"}`,
    expected: { matchers: [nameEq("my.metric"), eq("a.b", "x"), eq("c", "y")] },
    out: `{"a.b"="x",__name__="my.metric",c="y"}`,
  },
  { input: "foo{`a`=`b\\n`}", expected: { matchers: [eq("a", "b\\n"), nameEq("foo")] } },
  {
    input: `foo{a="\\u00e9\\x41\\101\\t"}`,
    expected: { matchers: [eq("a", "éAA\t"), nameEq("foo")] },
  },
  { input: `foo{a="\\xc5"}`, out: `foo{a="\\xc5"}` },
  { input: `{by="x", offset="y"}`, out: `{by="x",offset="y"}` },
  { input: 'foo{a="b"} # trailing comment', out: `foo{a="b"}` },
  {
    input: `{}`,
    error: "1:1: parse error: vector selector must contain at least one non-empty matcher",
  },
  {
    input: `{a=""}`,
    error: "1:1: parse error: vector selector must contain at least one non-empty matcher",
  },
  {
    input: `{a=~".*", b!~".+"}`,
    error: "1:1: parse error: vector selector must contain at least one non-empty matcher",
  },
  { input: `{a=~".+"}`, out: `{a=~".+"}` },
  { input: `{a!=""}`, out: `{a!=""}` },
  {
    input: `foo{__name__="bar"}`,
    error: '1:1: parse error: metric name must not be set twice: "foo" or "bar"',
  },
  {
    input: `foo{"bar"}`,
    error: '1:1: parse error: metric name must not be set twice: "foo" or "bar"',
  },
  { input: `foo{a=~"("}`, error: "1:5: parse error: error parsing regexp: missing closing ): `(`" },
  {
    input: `foo{a=b}`,
    error: '1:7: parse error: unexpected identifier "b" in label matching, expected string',
  },
  {
    input: `foo{a}`,
    error: '1:6: parse error: unexpected "}" in label matching, expected label matching operator',
  },
  {
    input: `foo{=}`,
    error: '1:5: parse error: unexpected "=" in label matching, expected identifier or "}"',
  },
  {
    input: `foo{a="b" c="d"}`,
    error: '1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}"',
  },
  {
    input: `foo{a="b",,}`,
    error: '1:11: parse error: unexpected "," in label matching, expected identifier or "}"',
  },
  {
    input: `foo{"a" b}`,
    error: '1:9: parse error: unexpected identifier "b" in label matching, expected "," or "}"',
  },
  {
    input: `foo{a==}`,
    error: '1:7: parse error: unexpected "=" in label matching, expected string',
  },
  { input: `foo{a:b="c"}`, error: "1:6: parse error: unexpected character inside braces: ':'" },
  { input: `foo{a>"b"}`, error: "1:6: parse error: unexpected character inside braces: '>'" },
  {
    input: `foo{a!"b"}`,
    error: "1:6: parse error: unexpected character after '!' inside braces: '\"'",
  },
  { input: `foo{1}`, error: "1:5: parse error: unexpected character inside braces: '1'" },
  { input: `foo{{`, error: "1:5: parse error: unexpected left brace '{'" },
  { input: `foo{a="b"`, error: "1:10: parse error: unexpected end of input inside braces" },
  { input: `foo}`, error: "1:4: parse error: unexpected character: '}'" },
  { input: `foo{a="b\nc"}`, error: "1:7: parse error: unterminated quoted string" },
  { input: `foo{a="\\q"}`, error: "1:7: parse error: unknown escape sequence U+0071 'q'" },
  {
    input: `foo{a="\\x4"}`,
    error: "1:7: parse error: illegal character U+0022 '\"' in escape sequence",
  },
  {
    input: `foo{a="\\ud800"}`,
    error: "1:7: parse error: escape sequence is an invalid Unicode code point",
  },
  { input: "foo{a=`b}", error: "1:7: parse error: unterminated raw string" },
  { input: `foo{a="\ufffd"}`, error: "1:7: parse error: invalid UTF-8 rune" },

  // Range selectors, offsets and @ modifiers.
  {
    input: "foo[5m]",
    expected: {
      type: "MatrixSelector",
      vectorSelector: sel("foo", 0, 3),
      rangeMs: 300000,
      pos: { start: 0, end: 7 },
    },
    type: "matrix",
  },
  { input: "foo[90s]", out: "foo[1m30s]" },
  { input: "foo[1.5]", expected: { rangeMs: 1500 }, out: "foo[1s500ms]" },
  { input: "foo[ 1h ]", out: "foo[1h]" },
  {
    input: `foo{a="b"}[5m] offset 1h`,
    expected: {
      pos: { start: 0, end: 24 },
      vectorSelector: { originalOffsetMs: 3600000, pos: { start: 0, end: 10 } },
    },
  },
  { input: "foo offset 5m", expected: { originalOffsetMs: 300000, pos: { start: 0, end: 13 } } },
  { input: "foo OFFSET -1h", expected: { originalOffsetMs: -3600000 }, out: "foo offset -1h" },
  { input: "foo offset 1.5", expected: { originalOffsetMs: 1500 }, out: "foo offset 1s500ms" },
  { input: "foo offset 0s offset 1m", out: "foo offset 1m" },
  { input: "foo @ 100", expected: { timestampMs: 100000 }, out: "foo @ 100.000" },
  { input: "foo @ -1.2345", expected: { timestampMs: -1235 }, out: "foo @ -1.235" },
  { input: "foo @ +5m", expected: { timestampMs: 300000 } },
  { input: "foo @ 0x10", out: "foo @ 16.000" },
  { input: "foo @ start()", expected: { startOrEnd: "start", pos: { start: 0, end: 13 } } },
  {
    input: "foo[1m] @ end()",
    expected: { vectorSelector: { startOrEnd: "end" } },
    out: "foo[1m] @ end()",
  },
  { input: "foo offset 1m @ 10", out: "foo @ 10.000 offset 1m" },
  { input: "foo @ start() [1m]", out: "foo[1m] @ start()" },
  {
    input: "foo offset 5m [1m:]",
    expected: { type: "SubqueryExpr", expr: { originalOffsetMs: 300000 } },
  },
  { input: "foo + bar offset 5m", expected: { rhs: { originalOffsetMs: 300000 } } },
  { input: "foo offset 5m - 1", expected: { op: "-", lhs: { originalOffsetMs: 300000 } } },
  { input: "foo offset -1 ^ 2", expected: { op: "^", lhs: { originalOffsetMs: -1000 } } },
  { input: "foo[5mm]", error: '1:5: parse error: bad number or duration syntax: "5mm"' },
  { input: "foo[5m1]", error: '1:5: parse error: bad number or duration syntax: "5m1"' },
  { input: "foo[1m5h]", error: '1:5: parse error: not a valid duration string: "1m5h"' },
  { input: "foo[2ys]", error: '1:5: parse error: unknown unit "ys" in duration "2ys"' },
  { input: "foo[1.5h]", error: '1:5: parse error: unknown unit "." in duration "1.5h"' },
  { input: "foo[0s]", error: "1:5: parse error: duration must be greater than 0" },
  { input: "foo[-5]", error: "1:5: parse error: duration must be greater than 0" },
  {
    input: "foo[]",
    error: '1:5: parse error: unexpected "]" in subquery selector, expected number or duration',
  },
  { input: "foo[", error: "1:5: parse error: unexpected end of input in duration expression" },
  { input: "foo[5m", error: "1:7: parse error: unclosed left bracket" },
  {
    input: "foo[5m 1m]",
    error: '1:8: parse error: unexpected duration "1m" in subquery or range, expected ":" or "]"',
  },
  { input: "foo[a]", error: "1:5: parse error: unexpected character in duration expression: 'a'" },
  { input: "foo[5m] [5m]", error: "1:9: parse error: ranges only allowed for vector selectors" },
  { input: "(foo)[5m]", error: "1:6: parse error: ranges only allowed for vector selectors" },
  {
    input: "foo offset 1m [5m]",
    error: "1:15: parse error: no offset modifiers allowed before range",
  },
  { input: "foo @ 1 [5m]", error: "1:9: parse error: no @ modifiers allowed before range" },
  {
    input: "foo offset",
    error: "1:11: parse error: unexpected end of input in offset, expected number or duration",
  },
  {
    input: "foo offset bar",
    error: '1:12: parse error: unexpected identifier "bar" in offset, expected number or duration',
  },
  {
    input: "foo offset 1m offset 2m",
    error: "1:1: parse error: offset may not be set multiple times",
  },
  {
    input: "sum(foo) offset 1m",
    error:
      "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
  },
  { input: "foo @", error: "1:6: parse error: unexpected end of input in @, expected timestamp" },
  {
    input: "foo @ bar",
    error: '1:7: parse error: unexpected identifier "bar" in @, expected timestamp',
  },
  {
    input: "foo @ start",
    error: "1:12: parse error: unexpected end of input in @, expected timestamp",
  },
  { input: "foo @ 1 @ 2", error: "1:1: parse error: @ <timestamp> may not be set multiple times" },
  {
    input: "foo @ end() @ start()",
    error: "1:1: parse error: @ <timestamp> may not be set multiple times",
  },
  {
    input: "rate(foo[1m]) @ 1",
    error:
      "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
  },
  { input: "foo @ Inf", error: "1:1: parse error: timestamp out of bounds for @ modifier: +Inf" },
  { input: "foo @ -NaN", error: "1:1: parse error: timestamp out of bounds for @ modifier: NaN" },
  {
    input: "foo @ 1e19",
    error: "1:1: parse error: timestamp out of bounds for @ modifier: 10000000000000000000.000000",
  },
  { input: "start()", error: '1:6: parse error: unexpected "("' },

  // Subqueries.
  {
    input: "foo[1h:5m]",
    expected: {
      type: "SubqueryExpr",
      expr: sel("foo", 0, 3),
      rangeMs: 3600000,
      stepMs: 300000,
      pos: { start: 0, end: 10 },
    },
    type: "matrix",
  },
  { input: "foo[1h:]", expected: { stepMs: 0 }, out: "foo[1h:]" },
  {
    input: "rate(foo[5m])[1h:1m] offset 10m @ 100",
    out: "rate(foo[5m])[1h:1m] @ 100.000 offset 10m",
  },
  { input: "min_over_time(rate(foo[5m])[30m:])", type: "vector" },
  { input: "(foo + bar)[5m:1m]", out: "(foo + bar)[5m:1m]" },
  {
    input: "foo[5m:1m][1h:]",
    error: "1:1: parse error: subquery is only allowed on instant vector, got matrix instead",
  },
  {
    input: "1[5m:]",
    error: "1:1: parse error: subquery is only allowed on instant vector, got scalar instead",
  },
  {
    input: "foo[5m:1m 2]",
    error: '1:11: parse error: unexpected number "2" in subquery selector, expected "]"',
  },
  { input: "foo[5m:0]", error: "1:8: parse error: duration must be greater than 0" },
  { input: "foo[5m::]", error: "1:8: parse error: unexpected colon ':'" },
  {
    input: "foo[:5m]",
    error: "1:6: parse error: unexpected colon before duration in duration expression",
  },

  // Duration expressions (experimental in 3.5).
  {
    input: "foo[5m * 2]",
    expected: {
      type: "MatrixSelector",
      rangeMs: 0,
      rangeExpr: {
        type: "DurationExpr",
        op: "*",
        lhs: { value: 300, duration: true },
        rhs: num(2, 9, 10),
        wrapped: false,
      },
    },
    out: "foo[5m * 2]",
  },
  {
    input: "foo[1h-10m+5m]",
    expected: { rangeExpr: { op: "+", lhs: { op: "-" } } },
    out: "foo[1h - 10m + 5m]",
  },
  { input: "foo[2 ^ 3 ^ 2]", expected: { rangeExpr: { op: "^", rhs: { op: "^" } } } },
  {
    input: "foo[-(1m - 2m)]",
    expected: {
      rangeExpr: {
        op: "-",
        lhs: undefined,
        rhs: { op: "-", wrapped: true },
        pos: { start: 4, end: 13 },
      },
    },
    out: "foo[-(1m - 2m)]",
  },
  {
    input: "foo[-2m + 5m]",
    expected: { rangeExpr: { lhs: { value: -120, pos: { start: 4, end: 7 } } } },
  },
  { input: "foo[(5m)]", expected: { rangeMs: 300000 }, out: "foo[5m]" },
  {
    input: "foo[1h:5m / 5]",
    expected: { type: "SubqueryExpr", stepExpr: { op: "/" } },
    out: "foo[1h:5m / 5]",
  },
  {
    input: "foo offset (1h + 5m)",
    expected: { originalOffsetMs: 0, originalOffsetExpr: { op: "+", wrapped: true } },
    out: "foo offset (1h + 5m)",
  },
  {
    input: "foo offset -(2 * 3)",
    expected: { originalOffsetExpr: { op: "-", rhs: { op: "*", wrapped: true } } },
    out: "foo offset -(2 * 3)",
  },
  {
    input: "foo offset (5m) * 2",
    expected: { type: "VectorSelector", originalOffsetExpr: { op: "*" } },
    out: "foo offset 5m * 2",
  },
  { input: "foo offset -(5m)", expected: { originalOffsetMs: -300000 } },
  { input: "foo[1m / 0]", error: "1:8: parse error: division by zero" },
  { input: "foo offset (1m % 0s)", error: "1:16: parse error: modulo by zero" },
  { input: "foo[1e10]", error: "1:5: parse error: duration out of range" },
  { input: "foo offset -1e10", error: "1:12: parse error: duration out of range" },
  {
    input: "foo[1m +]",
    error: '1:9: parse error: unexpected "]" in subquery selector, expected number or duration',
  },
  {
    input: "foo offset (1m + foo)",
    error: '1:18: parse error: unexpected identifier "foo" in offset, expected number or duration',
  },
  {
    input: "foo[5m * 2]",
    strict: true,
    error: "1:5: parse error: experimental duration expression is not enabled",
  },
  {
    input: "foo offset (5m)",
    strict: true,
    error: "1:13: parse error: experimental duration expression is not enabled",
  },

  // Aggregations.
  {
    input: "sum by (a, b) (foo)",
    expected: {
      type: "AggregateExpr",
      op: "sum",
      expr: sel("foo", 15, 18),
      grouping: ["a", "b"],
      without: false,
      pos: { start: 0, end: 19 },
    },
    type: "vector",
  },
  {
    input: "sum(foo) by (a)",
    expected: { grouping: ["a"], pos: { start: 0, end: 15 } },
    out: "sum by (a) (foo)",
  },
  {
    input: "avg without (a) (foo)",
    expected: { without: true, grouping: ["a"] },
    out: "avg without (a) (foo)",
  },
  { input: "count without () (foo)", out: "count without () (foo)" },
  { input: "max by () (foo)", out: "max(foo)" },
  { input: "min by (a,) (foo)", out: "min by (a) (foo)" },
  { input: "SUM BY (le) (foo)", out: "sum by (le) (foo)" },
  {
    input: "sum by (by, on, offset, bool, group_left, ignoring, start, sum, atan2) (foo)",
    expected: {
      grouping: ["by", "on", "offset", "bool", "group_left", "ignoring", "start", "sum", "atan2"],
    },
  },
  {
    input: `sum by ("a.b", foo:bar) (foo)`,
    expected: { grouping: ["a.b", "foo:bar"] },
    out: `sum by ("a.b", foo:bar) (foo)`,
  },
  { input: "topk(5, foo)", expected: { op: "topk", param: num(5, 5, 6), expr: sel("foo", 8, 11) } },
  { input: "bottomk by (a) (2, foo)", out: "bottomk by (a) (2, foo)" },
  { input: `count_values("v", foo)`, expected: { param: { type: "StringLiteral", value: "v" } } },
  { input: "quantile(0.9, foo)", out: "quantile(0.9, foo)" },
  { input: "limitk(2, foo)", out: "limitk(2, foo)" },
  { input: "limit_ratio(-0.5, foo)", out: "limit_ratio(-0.5, foo)" },
  { input: "group(foo)", out: "group(foo)" },
  { input: "stddev(foo) + stdvar(foo)", type: "vector" },
  { input: "sum(sum(foo))", out: "sum(sum(foo))" },
  { input: "sum()", error: "1:1: parse error: no arguments for aggregate expression provided" },
  {
    input: "sum(foo, bar)",
    error:
      "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2",
  },
  {
    input: "topk(foo)",
    error:
      "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1",
  },
  {
    input: "topk(foo, bar)",
    error: "1:6: parse error: expected type scalar in aggregation parameter, got instant vector",
  },
  {
    input: "count_values(1, foo)",
    error: "1:14: parse error: expected type string in aggregation parameter, got scalar",
  },
  {
    input: "sum(1)",
    error: "1:5: parse error: expected type instant vector in aggregation expression, got scalar",
  },
  {
    input: "sum(foo[5m])",
    error:
      "1:5: parse error: expected type instant vector in aggregation expression, got range vector",
  },
  {
    input: "limitk(1, foo)",
    strict: true,
    error:
      "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions",
  },
  { input: "sum foo", error: '1:5: parse error: unexpected identifier "foo"' },
  {
    input: "sum by (a) foo",
    error: '1:12: parse error: unexpected identifier "foo" in aggregation',
  },
  { input: "sum(foo bar)", error: '1:9: parse error: unexpected identifier "bar" in aggregation' },
  { input: "sum(rate(foo[5m]) ])", error: "1:19: parse error: unexpected right bracket ']'" },
  { input: "sum by (a) (foo) by (b)", error: "1:18: parse error: unexpected <by>" },
  {
    input: "sum(foo) by",
    error: '1:12: parse error: unexpected end of input in grouping opts, expected "("',
  },
  {
    input: "sum by foo (bar)",
    error: '1:8: parse error: unexpected identifier "foo" in grouping opts, expected "("',
  },
  {
    input: "sum by (without) (foo)",
    error: "1:9: parse error: unexpected <without> in grouping opts, expected label",
  },
  {
    input: "sum by (a b) (foo)",
    error: '1:11: parse error: unexpected identifier "b" in grouping opts, expected "," or ")"',
  },
  {
    input: "sum by (a,,) (foo)",
    error: '1:11: parse error: unexpected "," in grouping opts, expected label',
  },
  {
    input: "sum by (1) (foo)",
    error: '1:9: parse error: unexpected number "1" in grouping opts, expected label',
  },
  { input: `sum by ("") (foo)`, error: '1:9: parse error: invalid label name for grouping: ""' },
  {
    input: "sum(foo,)",
    error: "1:8: parse error: trailing commas not allowed in function call args",
  },

  // Function calls.
  {
    input: "rate(foo[5m])",
    expected: {
      type: "Call",
      func: { name: "rate", returnType: "vector" },
      args: [{ type: "MatrixSelector" }],
      pos: { start: 0, end: 13 },
    },
    type: "vector",
  },
  { input: "time()", expected: { func: { name: "time" }, args: [] }, type: "scalar" },
  { input: "scalar(foo)", type: "scalar" },
  { input: "round(foo)", out: "round(foo)" },
  { input: "round(foo, 0.5)", out: "round(foo, 0.5)" },
  { input: "hour()", out: "hour()" },
  { input: 'label_join(foo, "dst", ",", "a", "b", "c")', type: "vector" },
  { input: `label_replace(foo, "dst", "$1", "src", "(.*)")`, type: "vector" },
  { input: "histogram_quantile(0.99, sum by (le) (rate(foo_bucket[5m])))", type: "vector" },
  { input: "histogram_fraction(0, 0.1, foo)", type: "vector" },
  { input: "predict_linear(foo[1h], 3600)", type: "vector" },
  { input: "double_exponential_smoothing(foo[1h], 0.5, 0.5)", type: "vector" },
  { input: "quantile_over_time(0.5, foo[5m])", type: "vector" },
  { input: `sort_by_label_desc(foo, "a", "b")`, type: "vector" },
  { input: "ts_of_max_over_time(foo[5m])", type: "vector" },
  { input: "rate((foo[5m]))", type: "vector" },
  { input: `info(foo, {job="x"})`, expected: { args: [{}, { bypassEmptyMatcherCheck: true }] } },
  // An empty selector prints as nothing, as upstream prints it, so this one does not round-trip.
  { input: "info(rate(foo[5m]), {})", out: "info(rate(foo[5m]), )", roundTrip: false },
  {
    input: `info(foo, bar{a="b"})`,
    error: "1:11: parse error: expected label selectors only, got vector selector instead",
  },
  { input: "abs()", error: '1:1: parse error: expected 1 argument(s) in call to "abs", got 0' },
  {
    input: "abs(foo, bar)",
    error: '1:1: parse error: expected 1 argument(s) in call to "abs", got 2',
  },
  {
    input: "abs(1)",
    error: '1:5: parse error: expected type instant vector in call to function "abs", got scalar',
  },
  {
    input: "rate(foo)",
    error:
      '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
  },
  {
    input: "vector(foo)",
    error:
      '1:8: parse error: expected type scalar in call to function "vector", got instant vector',
  },
  {
    input: "label_join(foo)",
    error: '1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1',
  },
  {
    input: 'label_join(foo, "a", ",", 1)',
    error: '1:27: parse error: expected type string in call to function "label_join", got scalar',
  },
  {
    input: "round(foo, 1, 2)",
    error: '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3',
  },
  {
    input: "time(foo)",
    error: '1:1: parse error: expected 0 argument(s) in call to "time", got 1',
  },
  {
    input: "nonexistent(foo)",
    error: '1:1: parse error: unknown function with name "nonexistent"',
  },
  { input: "foo > bar()", error: '1:7: parse error: unknown function with name "bar"' },
  {
    input: "abs(foo,)",
    error: "1:8: parse error: trailing commas not allowed in function call args",
  },
  { input: "rate(foo bar)", error: '1:10: parse error: unexpected identifier "bar"' },
  { input: "foo:bar()", error: '1:8: parse error: unexpected "("' },
  {
    input: 'sort_by_label(foo, "a")',
    strict: true,
    error: '1:1: parse error: function "sort_by_label" is not enabled',
  },

  // Strings, parentheses and comments.
  {
    input: `"double \\"quoted\\""`,
    expected: { type: "StringLiteral", value: 'double "quoted"', pos: { start: 0, end: 19 } },
    type: "string",
  },
  {
    input: "'single \\'quoted\\''",
    expected: { value: "single 'quoted'" },
    out: "\"single 'quoted'\"",
  },
  { input: "`raw \\n`", expected: { value: "raw \\n" }, out: '"raw \\\\n"' },
  {
    input: '"\\a\\b\\f\\n\\r\\t\\v\\\\ \\u263a \\U0001F600 \\x7f"',
    out: '"\\a\\b\\f\\n\\r\\t\\v\\\\ ☺ 😀 \\x7f"',
  },
  { input: '"\\xff\\377"', out: '"\\xff\\xff"' },
  {
    input: "((foo))",
    expected: {
      type: "ParenExpr",
      expr: { type: "ParenExpr", pos: { start: 1, end: 6 } },
      pos: { start: 0, end: 7 },
    },
  },
  { input: "# comment\nfoo # another\n+ bar", out: "foo + bar" },
  { input: "foo\n\t+\r\nbar", out: "foo + bar" },

  // Lexer and generic syntax errors.
  { input: "", error: "unknown position: parse error: no expression found in input" },
  { input: "  # only a comment\n", error: "1:1: parse error: no expression found in input" },
  { input: "1 +", error: "1:4: parse error: unexpected end of input" },
  { input: "*1", error: "1:1: parse error: unexpected <op:*>" },
  { input: "foo bar", error: '1:5: parse error: unexpected identifier "bar"' },
  { input: "foo 1", error: '1:5: parse error: unexpected number "1"' },
  {
    input: `foo "a long string value"`,
    error: '1:5: parse error: unexpected string "\\"a long st"...',
  },
  { input: "foo 5m", error: '1:5: parse error: unexpected duration "5m"' },
  { input: "foo bar:baz", error: '1:5: parse error: unexpected metric identifier "bar:baz"' },
  { input: "foo sum", error: "1:5: parse error: unexpected <aggr:sum>" },
  { input: "foo ,", error: '1:5: parse error: unexpected ","' },
  { input: "foo ]", error: "1:5: parse error: unexpected right bracket ']'" },
  { input: "foo )", error: "1:6: parse error: unexpected right parenthesis ')'" },
  { input: "((foo)", error: "1:7: parse error: unclosed left parenthesis" },
  { input: "(", error: "1:2: parse error: unclosed left parenthesis" },
  { input: "()", error: '1:2: parse error: unexpected ")"' },
  { input: ".", error: "1:1: parse error: unexpected character: '.'" },
  { input: "foo $", error: "1:5: parse error: unexpected character: '$'" },
  { input: "1.2.3", error: '1:1: parse error: bad number or duration syntax: "1.2."' },
  { input: "1e", error: '1:1: parse error: bad number or duration syntax: "1e"' },
  { input: "1ee1", error: '1:1: parse error: bad number or duration syntax: "1ee"' },
  { input: "0x1.5", error: '1:1: parse error: bad number or duration syntax: "0x1."' },
  {
    input: "1e999",
    error:
      '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e999": value out of range',
  },
  { input: "foo !~ bar", error: "1:5: parse error: unexpected character after '!': '~'" },
  { input: "foo =~ bar", error: "1:5: parse error: unexpected character after '=': '~'" },
  { input: "foo !", error: "1:5: parse error: unexpected character after '!': '�'" },
  {
    input: "foo @ @",
    error: '1:7: parse error: unexpected "<Item 57400>" <op:@> in @, expected timestamp',
  },
  { input: "foo\n  + bar baz", error: '2:9: parse error: unexpected identifier "baz"' },
  { input: "é + foo bar", error: "1:1: parse error: unexpected character: 'é'" },
  { input: `"é" + foo bar`, error: '1:12: parse error: unexpected identifier "bar"' },
];

function assertSubset(actual: unknown, expected: unknown, path: string): void {
  if (expected === null || typeof expected !== "object") {
    assert.deepEqual(actual, expected, `${path}: got ${String(actual)}, want ${String(expected)}`);
    return;
  }
  assert.ok(actual !== null && typeof actual === "object", `${path}: got ${String(actual)}`);
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertSubset(actual[i], e, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(expected)) {
    assertSubset((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  }
}

for (const c of cases) {
  test(`parseExpr ${JSON.stringify(c.input)}`, () => {
    const options = c.strict
      ? { enableExperimentalFunctions: false, enableDurationExpressions: false }
      : {};
    if (c.error !== undefined) {
      assert.throws(
        () => parseExpr(c.input, options),
        (err: unknown) => {
          assert.ok(err instanceof ParseError, `not a ParseError: ${String(err)}`);
          assert.equal(err.message, c.error);
          assert.equal(err.query, c.input);
          return true;
        },
      );
      return;
    }
    const expr: Expr = parseExpr(c.input, options);
    if (c.expected !== undefined) assertSubset(expr, c.expected, "expr");
    if (c.out !== undefined) assert.equal(exprToString(expr), c.out);
    if (c.type !== undefined) assert.equal(exprType(expr), c.type);
    // Whatever prints must parse back to the same text.
    if (c.roundTrip === false) return;
    const printed = exprToString(expr);
    assert.equal(exprToString(parseExpr(printed, options)), printed);
  });
}

test("deeply nested and very long expressions do not overflow the stack", () => {
  const chain = Array.from({ length: 20000 }, (_, i) => `m${i}`).join(" or ");
  assert.equal(exprType(parseExpr(chain)), "vector");
  assert.equal(exprToString(parseExpr(chain)), chain);
  const bad = "(" + "-{}-1".repeat(10000) + ")" + "[1m:]".repeat(1000);
  assert.throws(() => parseExpr(bad), {
    message: "1:3: parse error: vector selector must contain at least one non-empty matcher",
  });
  const nested = "(".repeat(100000) + "1" + ")".repeat(100000);
  assert.throws(() => parseExpr(nested), {
    message: "1:1: parse error: expression nested too deeply",
  });
});

const selectorCases: { input: string; expected?: string[]; error?: string }[] = [
  { input: `up`, expected: ['__name__="up"'] },
  { input: `up{job="a", x=~"b|c"}`, expected: ['job="a"', 'x=~"b|c"', '__name__="up"'] },
  { input: `{"my.metric", a!="b"}`, expected: ['__name__="my.metric"', 'a!="b"'] },
  { input: `{}`, expected: [] },
  { input: `sum`, expected: ['__name__="sum"'] },
  { input: `up[5m]`, error: '1:3: parse error: unexpected "["' },
  { input: `rate(up[5m])`, error: '1:5: parse error: unexpected "("' },
  { input: `1`, error: '1:1: parse error: unexpected number "1"' },
  { input: ``, error: "unknown position: parse error: unexpected end of input" },
  {
    input: `up{a="b" c}`,
    error: '1:10: parse error: unexpected identifier "c" in label matching, expected "," or "}"',
  },
];

for (const c of selectorCases) {
  test(`parseMetricSelector ${JSON.stringify(c.input)}`, () => {
    if (c.error !== undefined) {
      assert.throws(() => parseMetricSelector(c.input), { message: c.error });
      return;
    }
    assert.deepEqual(
      parseMetricSelector(c.input).map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`),
      c.expected,
    );
  });
}

test("formatPosition counts UTF-8 bytes per line like posrange", () => {
  assert.equal(formatPosition("abc", 0), "1:1");
  assert.equal(formatPosition("ab\ncd", 4), "2:2");
  assert.equal(formatPosition("é€x", 2), "1:6");
  assert.equal(formatPosition("😀x", 2), "1:5");
  assert.equal(formatPosition("", 0), "unknown position");
  assert.equal(formatPosition("abc", 4), "invalid position");
});
