// Token streams for representative inputs, in the manner of prometheus promql/parser/lex_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import { lex } from "./index.ts";

// Each expected token is "TYPE" or "TYPE:text"; EOF is implied unless the stream ends in ERROR.
const cases: { input: string; tokens: string[] }[] = [
  { input: ",", tokens: ["COMMA:,"] },
  { input: "()", tokens: ["LEFT_PAREN", "RIGHT_PAREN"] },
  {
    input: "1 0x1f 1e3 .5 5. 1_000 Inf nan",
    tokens: [
      "NUMBER:1",
      "NUMBER:0x1f",
      "NUMBER:1e3",
      "NUMBER:.5",
      "NUMBER:5.",
      "NUMBER:1_000",
      "NUMBER:Inf",
      "NUMBER:nan",
    ],
  },
  {
    input: "5m 1h30m 5ms 2y1d",
    tokens: ["DURATION:5m", "DURATION:1h30m", "DURATION:5ms", "DURATION:2y1d"],
  },
  {
    input: "+ - * / % ^ == != < <= > >= @",
    tokens: [
      "ADD",
      "SUB",
      "MUL",
      "DIV",
      "MOD",
      "POW",
      "EQLC",
      "NEQ",
      "LSS",
      "LTE",
      "GTR",
      "GTE",
      "AT",
    ],
  },
  { input: "and OR Unless atan2", tokens: ["LAND:and", "LOR:OR", "LUNLESS:Unless", "ATAN2:atan2"] },
  {
    input: "sum by without on ignoring group_left group_right bool offset start end",
    tokens: [
      "SUM",
      "BY",
      "WITHOUT",
      "ON",
      "IGNORING",
      "GROUP_LEFT",
      "GROUP_RIGHT",
      "BOOL",
      "OFFSET",
      "START",
      "END",
    ],
  },
  {
    input: "foo foo:bar _x1 :a",
    tokens: [
      "IDENTIFIER:foo",
      "METRIC_IDENTIFIER:foo:bar",
      "IDENTIFIER:_x1",
      "METRIC_IDENTIFIER::a",
    ],
  },
  // Inside braces keywords are identifiers and matching operators get their own tokens.
  {
    input: `{by="a",on!~'b',x=~"c",y!=\`d\`}`,
    tokens: [
      "LEFT_BRACE",
      "IDENTIFIER:by",
      "EQL",
      'STRING:"a"',
      "COMMA",
      "IDENTIFIER:on",
      "NEQ_REGEX",
      "STRING:'b'",
      "COMMA",
      "IDENTIFIER:x",
      "EQL_REGEX",
      'STRING:"c"',
      "COMMA",
      "IDENTIFIER:y",
      "NEQ",
      "STRING:`d`",
      "RIGHT_BRACE",
    ],
  },
  {
    input: `{"a.b"="c"}`,
    tokens: ["LEFT_BRACE", 'STRING:"a.b"', "EQL", 'STRING:"c"', "RIGHT_BRACE"],
  },
  { input: "foo # a comment\n+ bar", tokens: ["IDENTIFIER:foo", "ADD", "IDENTIFIER:bar"] },
  {
    input: "x[5m:1m]",
    tokens: [
      "IDENTIFIER:x",
      "LEFT_BRACKET",
      "DURATION:5m",
      "COLON",
      "DURATION:1m",
      "RIGHT_BRACKET",
    ],
  },
  {
    input: "x[ -(1m + 2) ]",
    tokens: [
      "IDENTIFIER:x",
      "LEFT_BRACKET",
      "SUB",
      "LEFT_PAREN",
      "DURATION:1m",
      "ADD",
      "NUMBER:2",
      "RIGHT_PAREN",
      "RIGHT_BRACKET",
    ],
  },
  // As in lex.go, a letter after a duration inside brackets lexes as the subquery colon.
  {
    input: "x[5m a]",
    tokens: ["IDENTIFIER:x", "LEFT_BRACKET", "DURATION:5m", "COLON:a", "RIGHT_BRACKET"],
  },
  // Errors end the stream; their text is the message.
  {
    input: "x[a]",
    tokens: [
      "IDENTIFIER:x",
      "LEFT_BRACKET",
      "ERROR:unexpected character in duration expression: 'a'",
    ],
  },
  { input: "1.2.3", tokens: ['ERROR:bad number or duration syntax: "1.2."'] },
  { input: "0x1e", tokens: ['ERROR:bad number or duration syntax: "0x1e"'] },
  { input: "a ! b", tokens: ["IDENTIFIER:a", "ERROR:unexpected character after '!': ' '"] },
  { input: `"\\c"`, tokens: ["ERROR:unknown escape sequence U+0063 'c'"] },
  { input: `"abc`, tokens: ["ERROR:unterminated quoted string"] },
  { input: "(", tokens: ["LEFT_PAREN", "ERROR:unclosed left parenthesis"] },
  { input: "[", tokens: ["LEFT_BRACKET", "ERROR:unexpected end of input in duration expression"] },
];

for (const c of cases) {
  test(`lex ${JSON.stringify(c.input)}`, () => {
    const got = lex(c.input).map((t) => `${t.type}:${t.val}`);
    const want = c.tokens.map((t) => (t.includes(":") ? t : null));
    if (got[got.length - 1].startsWith("EOF:")) got.pop();
    assert.equal(got.length, c.tokens.length, `tokens: ${got.join(" ")}`);
    got.forEach((g, i) => {
      const w = want[i];
      if (w === null) assert.equal(g.slice(0, g.indexOf(":")), c.tokens[i], `token ${i}`);
      else assert.equal(g, w, `token ${i}`);
    });
  });
}

test("lex reports positions as UTF-16 offsets", () => {
  const toks = lex(`"é" + x`);
  assert.deepEqual(
    toks.map((t) => [t.type, t.pos]),
    [
      ["STRING", 0],
      ["ADD", 4],
      ["IDENTIFIER", 6],
      ["EOF", 7],
    ],
  );
});
