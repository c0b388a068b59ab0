// Printer round trips in the manner of prometheus promql/parser/printer_test.go and
// prettier_test.go: `in` is parsed and printed; the result must equal `out`, or `in` when `out`
// is omitted, and must parse back to the same text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { exprToString, parseExpr, prettify } from "./index.ts";

const roundTrips: { in: string; out?: string }[] = [
  // Numbers and durations.
  { in: "1" },
  { in: "-1.5" },
  { in: "1e3", out: "1000" },
  { in: "0.1e-6", out: "0.0000001" },
  { in: "0x10", out: "16" },
  { in: "+Inf" },
  { in: "-inf", out: "-Inf" },
  { in: "nan", out: "NaN" },
  { in: "5m" },
  { in: "90m", out: "1h30m" },
  { in: "-1d" },
  { in: "365d", out: "1y" },
  { in: "foo - 5m" },
  // Strings are always printed double-quoted with Go escapes.
  { in: `"a"` },
  { in: `'a"b'`, out: `"a\\"b"` },
  { in: "`a\\b`", out: `"a\\\\b"` },
  { in: `"tab\\there"` },
  { in: `"\\u00e9"`, out: `"é"` },
  { in: `"\\x01\\x7f"` },
  { in: `"\\xc5"` },
  { in: `"\\u200b"` },
  // Selectors.
  { in: "foo" },
  { in: `foo{b="2",a="1"}`, out: `foo{a="1",b="2"}` },
  { in: `foo{a=~"x|y", b!~"z"}`, out: `foo{a=~"x|y",b!~"z"}` },
  { in: `{__name__="foo"}` },
  { in: `{__name__=~"foo.*",job="x"}` },
  { in: `{"foo.bar"}`, out: `{__name__="foo.bar"}` },
  { in: `{"foo.bar", "a-b"="c"}`, out: `{"a-b"="c",__name__="foo.bar"}` },
  { in: `{__name__="",a="x"}` },
  { in: `{"0"="1"}` },
  { in: `{"_0"="1"}`, out: `{_0="1"}` },
  { in: '{``="0"}', out: `{""="0"}` },
  { in: `foo{a="\\n"}` },
  // Offsets and @.
  { in: "foo offset 5m" },
  { in: "foo offset -7m" },
  { in: "foo offset 1h30m" },
  { in: "foo offset 3600", out: "foo offset 1h" },
  { in: "foo @ 10", out: "foo @ 10.000" },
  { in: "foo @ 1.0005", out: "foo @ 1.001" },
  { in: "foo @ -10.25", out: "foo @ -10.250" },
  { in: "foo @ start()" },
  { in: "foo @ end()" },
  { in: "foo offset 1m @ 100", out: "foo @ 100.000 offset 1m" },
  { in: `foo{a="b"}[5m] offset 1m` },
  { in: "foo[5m] @ start()" },
  { in: "foo[12m] offset -3m" },
  { in: "foo[300]", out: "foo[5m]" },
  { in: "foo[0.5]", out: "foo[500ms]" },
  // Subqueries.
  { in: "foo[1h:]" },
  { in: "foo[1h:5m]" },
  { in: "foo[1h:5m] offset 1m" },
  { in: "foo[1h:5m] @ 100 offset 1m", out: "foo[1h:5m] @ 100.000 offset 1m" },
  { in: "rate(foo[5m])[1h:1m]" },
  { in: "max_over_time(deriv(rate(foo[5m])[30m:1m])[1h:])" },
  // Duration expressions keep their form.
  { in: "foo[5m + 1m]" },
  { in: "foo[5m*2]", out: "foo[5m * 2]" },
  { in: "foo[(1h - 5m) / 2]" },
  { in: "foo[-(1m - 2m)]" },
  { in: "foo[1h:(5m + 5m)]" },
  { in: "foo offset (1h + 1m)" },
  { in: "foo offset -(1h)", out: "foo offset -1h" },
  // Operators and vector matching.
  { in: "a + b * c" },
  { in: "(a + b) * c" },
  { in: "a ^ b ^ c" },
  { in: "a atan2 b" },
  { in: "a > bool 0" },
  { in: "a AND b", out: "a and b" },
  { in: "a unless on(x) b", out: "a unless on (x) b" },
  { in: "a - on() c", out: "a - on () c" },
  { in: "a - on(b) c", out: "a - on (b) c" },
  { in: "a - on(b) group_left(x, y) c", out: "a - on (b) group_left (x, y) c" },
  { in: "a - on(b) group_left c", out: "a - on (b) group_left () c" },
  { in: "a - ignoring(b) group_right() c", out: "a - ignoring (b) group_right () c" },
  { in: "a - ignoring() c", out: "a - c" },
  { in: "-a" },
  { in: "-(a + b)" },
  { in: "- -a", out: "--a" },
  { in: "1 + -2" },
  // Aggregations and calls.
  { in: "sum(foo)" },
  { in: "sum by() (foo)", out: "sum(foo)" },
  { in: "sum by(a,b) (foo)", out: "sum by (a, b) (foo)" },
  { in: "sum(foo) by (a)", out: "sum by (a) (foo)" },
  { in: "sum without() (foo)", out: "sum without () (foo)" },
  { in: "sum without(a) (foo)", out: "sum without (a) (foo)" },
  { in: `sum by("a.b", c:d) (foo)`, out: `sum by ("a.b", c:d) (foo)` },
  { in: "topk(5, foo)" },
  { in: "quantile without (a) (0.5, foo)" },
  { in: `count_values("v", foo)` },
  { in: "limitk(1, foo)" },
  { in: "rate(foo[5m])" },
  { in: "time()" },
  { in: `label_replace(foo, "a", "$1", "b", "(.*)")` },
  { in: "histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m])))" },
];

for (const c of roundTrips) {
  test(`exprToString ${JSON.stringify(c.in)}`, () => {
    const out = exprToString(parseExpr(c.in));
    assert.equal(out, c.out ?? c.in);
    assert.equal(exprToString(parseExpr(out)), out);
  });
}

const prettyCases: { in: string; width?: number; out: string }[] = [
  { in: "sum(foo)", width: 10, out: "sum(foo)" },
  {
    in: "sum by (job) (rate(http_requests_total[5m]))",
    width: 20,
    out: "sum by (job) (\n  rate(\n    http_requests_total[5m]\n  )\n)",
  },
  {
    in: "topk(3, sum by (a) (foo))",
    width: 15,
    out: "topk(\n  3,\n  sum by (a) (\n    foo\n  )\n)",
  },
  { in: "a + b * c", width: 4, out: "  a\n+\n    b\n  *\n    c" },
  { in: "foo_1 + foo_2 + foo_3", width: 10, out: "    foo_1\n  +\n    foo_2\n+\n  foo_3" },
  { in: "a > bool on(x) group_left(y) b", width: 5, out: "  a\n> bool on (x) group_left (y)\n  b" },
  { in: "-(foo + bar)", width: 5, out: "-(\n    foo\n  +\n    bar\n)" },
  { in: "-rate(foo[5m])", width: 5, out: "-rate(\n  foo[5m]\n)" },
  { in: "(a + b)", width: 3, out: "(\n    a\n  +\n    b\n)" },
  {
    in: `label_replace(up, "a", "$1", "b", "(.*)")`,
    width: 20,
    out: 'label_replace(\n  up,\n  "a",\n  "$1",\n  "b",\n  "(.*)"\n)',
  },
  // A short subquery inside a split expression is not indented, as upstream does.
  {
    in: "max_over_time(rate(foo[5m])[1h:1m])",
    width: 20,
    out: "max_over_time(\nrate(foo[5m])[1h:1m]\n)",
  },
  {
    in: `max_over_time(rate(http_requests_total{job="api"}[5m])[1h:1m])`,
    width: 30,
    out: 'max_over_time(\n  rate(\n    http_requests_total{job="api"}[5m]\n  )[1h:1m]\n)',
  },
  // The default width is 100 bytes.
  {
    in: `histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{job="api", handler="/v1/query"}[5m])))`,
    out:
      "histogram_quantile(\n  0.9,\n" +
      '  sum by (le) (rate(http_request_duration_seconds_bucket{handler="/v1/query",job="api"}[5m]))\n)',
  },
  {
    in: "sum by (job) # comment\n(rate(foo[5m]))",
    out: "sum by (job) (rate(foo[5m]))",
  },
  // Widths count UTF-8 bytes: this is 15 characters but 17 bytes.
  { in: `foo{a="éé"} + b`, width: 16, out: `  foo{a="éé"}\n+\n  b` },
  { in: `foo{a="éé"} + b`, width: 17, out: `foo{a="éé"} + b` },
];

for (const c of prettyCases) {
  test(`prettify ${JSON.stringify(c.in)} at width ${c.width ?? 100}`, () => {
    const out = prettify(parseExpr(c.in), c.width);
    assert.equal(out, c.out);
    // Prettified output parses back to the same expression.
    assert.equal(exprToString(parseExpr(out)), exprToString(parseExpr(c.in)));
  });
}

test("prettify handles long chains and refuses absurdly large output", () => {
  const chain = Array.from({ length: 1000 }, (_, i) => `m${i}`).join(" or ");
  assert.equal(exprToString(parseExpr(prettify(parseExpr(chain)))), chain);
  const huge = Array.from({ length: 20000 }, (_, i) => `m${i}`).join(" or ");
  assert.throws(() => prettify(parseExpr(huge)), /too large or nested too deeply to prettify/);
});
