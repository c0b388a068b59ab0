import assert from "node:assert/strict";
import { test } from "node:test";
import {
  matchersString,
  parseClassicMatchers,
  parseMatcher,
  parseMatchers,
  parseUtf8Matchers,
} from "./matchers.ts";

// Cases from Alertmanager's matcher/parse/parse_test.go, pkg/labels/parse_test.go and
// matcher/compliance: input → printed matchers, or an error substring.
const cases: {
  in: string;
  out?: string;
  err?: string;
  parser?: "utf8" | "classic" | "fallback";
}[] = [
  { in: "", out: "{}" },
  { in: "{}", out: "{}" },
  { in: "foo=bar", out: '{foo="bar"}' },
  { in: '{foo="bar"}', out: '{foo="bar"}' },
  { in: "foo=bar,bar=baz", out: '{foo="bar",bar="baz"}' },
  { in: '{foo="bar", bar!="baz",}', out: '{foo="bar",bar!="baz"}' },
  { in: 'foo=~"a|b"', out: '{foo=~"a|b"}' },
  { in: "foo!~a.*", out: '{foo!~"a.*"}' },
  { in: 'foo="bar\\"baz"', out: '{foo="bar\\"baz"}' },
  { in: "foo=", out: '{foo=""}' },
  { in: '"foo bar"="baz"', out: '{"foo bar"="baz"}', parser: "utf8" },
  { in: "foo=🙂", out: '{foo="🙂"}' },
  { in: 'statuscode=~"5.."', out: '{statuscode=~"5.."}' },
  { in: "{foo=bar}}", err: "expected end of input", parser: "utf8" },
  { in: "{foo=bar", err: "expected close brace", parser: "utf8" },
  { in: "foo=bar}", err: "expected opening brace", parser: "utf8" },
  { in: "foo", err: "expected an operator", parser: "utf8" },
  { in: "foo=~(", err: "error parsing regexp", parser: "utf8" },
  { in: 'foo="bar', err: 'missing end "', parser: "utf8" },
  // The classic parser accepts unquoted values with spaces and stray quotes are errors.
  { in: "foo=bar baz", out: '{foo="bar baz"}', parser: "classic" },
  { in: 'foo=bar"', err: "unescaped double quote", parser: "classic" },
  { in: "1foo=bar", err: "bad matcher format", parser: "classic" },
  // Fallback: invalid for the UTF-8 parser, valid for the classic one.
  { in: "foo=bar baz", out: '{foo="bar baz"}' },
  { in: "foo=a\\b", out: '{foo="a\\\\b"}' },
  { in: "foo=~(", err: "error parsing regexp" },
];

void test("matcher parsers", () => {
  for (const c of cases) {
    const fn =
      c.parser === "utf8"
        ? parseUtf8Matchers
        : c.parser === "classic"
          ? parseClassicMatchers
          : parseMatchers;
    if (c.err !== undefined) {
      assert.throws(
        () => fn(c.in),
        (e: Error) => e.message.includes(c.err!),
        `${c.in}: want ${c.err}`,
      );
      continue;
    }
    assert.equal(matchersString(fn(c.in)), c.out, c.in);
  }
});

void test("parseMatcher refuses braces and lists", () => {
  assert.throws(() => parseMatcher("{a=b}"), /unexpected open or close brace/);
  // Two matchers for the UTF-8 parser, so the classic parser's one matcher wins.
  assert.equal(parseMatcher("a=b,c=d").value, "b,c=d");
  assert.equal(parseMatcher('alertname="Foo"').toString(), 'alertname="Foo"');
  assert.equal(parseMatcher("a!=b").type, "!=");
});

void test("matchers are anchored RE2 and treat missing labels as empty", () => {
  const [m] = parseMatchers('job=~"api|web"');
  assert.ok(m.matchesLabels({ job: "api" }));
  assert.ok(!m.matchesLabels({ job: "apis" }));
  const [n] = parseMatchers('env!~"prod.*"');
  assert.ok(n.matchesLabels({}));
  const [e] = parseMatchers('team=""');
  assert.ok(e.matchesLabels({}));
  assert.ok(!e.matchesLabels({ team: "x" }));
});
