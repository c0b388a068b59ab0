import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ParseError, exprToString, lex, parseExpr } from "./index.ts";

describe("LogQL lexer", () => {
  it("lexes durations, bytes, flags and function names", () => {
    const types = (q: string): string[] => lex(q).map((t) => t.type);
    assert.deepEqual(types('rate({a="b"}[5m])'), [
      "FUNCTION",
      "OPEN_PARENTHESIS",
      "OPEN_BRACE",
      "IDENTIFIER",
      "EQ",
      "STRING",
      "CLOSE_BRACE",
      "RANGE",
      "CLOSE_PARENTHESIS",
      "EOF",
    ]);
    assert.deepEqual(types("x > 5s and y < 1KiB"), [
      "IDENTIFIER",
      "GT",
      "DURATION",
      "AND",
      "IDENTIFIER",
      "LT",
      "BYTES",
      "EOF",
    ]);
    assert.deepEqual(types("| logfmt --strict --keep-empty"), [
      "PIPE",
      "LOGFMT",
      "FUNCTION_FLAG",
      "FUNCTION_FLAG",
      "EOF",
    ]);
    // A function name without "(" is an identifier.
    assert.deepEqual(types("rate=1"), ["IDENTIFIER", "EQ", "NUMBER", "EOF"]);
    assert.deepEqual(types("# comment only"), ["EOF"]);
  });
});

describe("LogQL parser", () => {
  const valid = [
    '{app="foo"}',
    '{app="foo"} |= "a" or "b" != "c" |~ `x.*` !~ "y" |> "<_> z" !> "w"',
    '{app="foo"} | json | logfmt --strict | regexp "(?P<a>.)" | pattern "<a> <_>" | unpack',
    '{app="foo"} | json a="b.c[0]", d | logfmt --keep-empty x="y"',
    '{app="foo"} | a > 1 and b =~ "c" or (d < 5s, e >= 1MB) f="g"',
    '{app="foo"} | addr = ip("10.0.0.0/8") |= ip("1.2.3.4")',
    '{app="foo"} | line_format "{{.a}}" | label_format a=b, c="{{.d}}" | drop a, b="c" | keep x | decolorize',
    'sum by (app) (rate({app="foo"}[5m] offset 1m))',
    'quantile_over_time(0.9, {app="foo"} | json | unwrap duration(latency) | __error__="" [5m]) by (app)',
    'topk(3, count_over_time({app="foo"}[1m])) / on(app) group_left(x) sum(bytes_rate({app="foo"}[1m]))',
    'label_replace(rate({app="foo"}[1m]), "dst", "$1", "src", "(.*)")',
    "vector(1) + 2 * 3",
    "1 + 1",
    'count_over_time(({app="foo"} |= "x")[5m])',
    'rate(({app="foo"} | unwrap x)[1m])',
    'sort_desc(sum(rate({app="foo"}[1m])))',
    "0x1p3",
  ];
  for (const q of valid) {
    it(`accepts ${q}`, () => {
      parseExpr(q);
    });
  }

  const invalid: [string, RegExp][] = [
    ["{}", /at least one regexp or equality matcher/],
    ['{a=~".*"}', /at least one regexp or equality matcher/],
    ['{a="b"', /unexpected \$end/],
    ['{a="b"} |~', /unexpected \$end/],
    ['rate({a="b"}[5m]) by (a)', /grouping not allowed for rate aggregation/],
    ['sum_over_time({a="b"}[5m])', /invalid aggregation sum_over_time without unwrap/],
    ['count_over_time({a="b"} | unwrap x [5m])', /invalid aggregation count_over_time with unwrap/],
    ['topk(0, rate({a="b"}[5m]))', /must be greater than 0/],
    ['rate({a="b"}[5m]) or 1', /unexpected literal for right leg/],
    ['{a="b"} + 1', /unexpected type for left leg/],
    ['{a="b"} | x == "y"', /syntax error/],
    ['{a="b"} | regexp "nocapture"', /at least one named capture/],
    ['{a="b"} | pattern "<a><b>"', /consecutive capture/],
    ["0x10", /unable to parse literal as a float/],
    ['sort(rate({a="b"}[1m])) by (a)', /sort and sort_desc doesn't allow grouping/],
    ['{a="(" } | x=~"("', /error parsing regexp/],
  ];
  for (const [q, re] of invalid) {
    it(`rejects ${q}`, () => {
      assert.throws(
        () => parseExpr(q),
        (err: unknown) => {
          assert.ok(err instanceof ParseError);
          assert.match(err.message, re);
          return true;
        },
      );
    });
  }

  it("reports positions like Loki", () => {
    assert.throws(() => parseExpr('{foo="bar"} foo'), {
      message: "parse error at line 1, col 13: syntax error: unexpected IDENTIFIER",
    });
  });

  it("splits negated or-filters and folds literals", () => {
    const e = parseExpr('{a="b"} != "x" or "y"');
    assert.equal(e.type, "LogSelector");
    if (e.type === "LogSelector") {
      assert.deepEqual(e.stages, [
        {
          type: "lineFilter",
          filters: [
            { op: "!=", values: [{ match: "x", ip: false }] },
            { op: "!=", values: [{ match: "y", ip: false }] },
          ],
        },
      ]);
    }
    assert.deepEqual(parseExpr("2 * 3 + 1").type, "Literal");
  });

  it("label filter precedence follows the yacc grammar", () => {
    const e = parseExpr('{a="b"} | x="1" or y="2", z="3"');
    assert.equal(exprToString(e), '{a="b"} | ( x="1" or ( y="2" , z="3" ) )');
    const f = parseExpr('{a="b"} | x="1" and y="2" or z="3"');
    assert.equal(exprToString(f), '{a="b"} | ( ( x="1" , y="2" ) or z="3" )');
  });
});

describe("LogQL printer", () => {
  const cases: [string, string][] = [
    ['{ foo = "bar" }', '{foo="bar"}'],
    [
      '{app="foo"} |= "x" or "y" | json | logfmt --strict',
      '{app="foo"} |= "x" or "y" | json | logfmt --strict',
    ],
    [
      'sum by (a,b) (rate({app="foo"}[5m] offset 1h30m))',
      'sum by (a,b)(rate({app="foo"}[5m] offset 1h30m0s))',
    ],
    [
      'sum_over_time({app="foo"} | x > 1.5 | unwrap bytes(y) [1h])',
      'sum_over_time({app="foo"} | x>1.5 | unwrap bytes(y)[1h])',
    ],
    [
      'rate({a="b"}[1m]) / on (x) group_left (y) rate({a="c"}[1m])',
      '(rate({a="b"}[1m]) / on (x) group_left (y) rate({a="c"}[1m]))',
    ],
    ["vector(1)", "vector(1.000000)"],
    ['topk(2, rate({a="b"}[1m]))', 'topk(2,rate({a="b"}[1m]))'],
  ];
  for (const [input, want] of cases) {
    it(`prints ${input}`, () => {
      // count_over_time with unwrap is invalid; print without validating.
      assert.equal(exprToString(parseExpr(input, { validate: false })), want);
    });
  }
});
