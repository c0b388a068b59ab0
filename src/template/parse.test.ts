// Ports text/template/parse/parse_test.go: number parsing, tree printing, comments,
// keywords versus functions, empty trees, blocks, line numbers and error messages.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { newNumber, parseTrees } from "./parse.ts";
import type { ParseTreeOptions } from "./parse.ts";
import { isEmptyTree, nodeString } from "./node.ts";
import type { ActionNode, Tree } from "./node.ts";
import type { ItemType } from "./lex.ts";

const BUILTIN_NAMES = new Set(["printf", "contains"]);
const opts: ParseTreeOptions = { hasFunction: (n) => BUILTIN_NAMES.has(n), maxExpressionDepth: 3 };

function parse(name: string, input: string, o: Partial<ParseTreeOptions> = {}): Tree {
  return parseTrees(name, input, { ...opts, ...o }).get(name)!;
}

interface NumberTest {
  text: string;
  isInt?: boolean;
  isUint?: boolean;
  isFloat?: boolean;
  isComplex?: boolean;
  int64?: bigint;
  uint64?: bigint;
  float64?: number;
  complex?: [number, number];
}

const numberTests: NumberTest[] = [
  { text: "0", isInt: true, isUint: true, isFloat: true, int64: 0n, uint64: 0n, float64: 0 },
  { text: "-0", isInt: true, isUint: true, isFloat: true, int64: 0n, uint64: 0n, float64: 0 },
  { text: "73", isInt: true, isUint: true, isFloat: true, int64: 73n, uint64: 73n, float64: 73 },
  { text: "7_3", isInt: true, isUint: true, isFloat: true, int64: 73n, uint64: 73n, float64: 73 },
  {
    text: "0b10_010_01",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 73n,
    uint64: 73n,
    float64: 73,
  },
  {
    text: "0B10_010_01",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 73n,
    uint64: 73n,
    float64: 73,
  },
  { text: "073", isInt: true, isUint: true, isFloat: true, int64: 59n, uint64: 59n, float64: 59 },
  { text: "0o73", isInt: true, isUint: true, isFloat: true, int64: 59n, uint64: 59n, float64: 59 },
  { text: "0O73", isInt: true, isUint: true, isFloat: true, int64: 59n, uint64: 59n, float64: 59 },
  {
    text: "0x73",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 115n,
    uint64: 115n,
    float64: 115,
  },
  {
    text: "0X73",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 115n,
    uint64: 115n,
    float64: 115,
  },
  {
    text: "0x7_3",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 115n,
    uint64: 115n,
    float64: 115,
  },
  { text: "-73", isInt: true, isFloat: true, int64: -73n, float64: -73 },
  { text: "+73", isInt: true, isFloat: true, int64: 73n, float64: 73 },
  {
    text: "100",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 100n,
    uint64: 100n,
    float64: 100,
  },
  {
    text: "1e9",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 1000000000n,
    uint64: 1000000000n,
    float64: 1e9,
  },
  { text: "-1e9", isInt: true, isFloat: true, int64: -1000000000n, float64: -1e9 },
  { text: "-1.2", isFloat: true, float64: -1.2 },
  { text: "1e19", isUint: true, isFloat: true, uint64: 10000000000000000000n, float64: 1e19 },
  { text: "1e1_9", isUint: true, isFloat: true, uint64: 10000000000000000000n, float64: 1e19 },
  { text: "1E19", isUint: true, isFloat: true, uint64: 10000000000000000000n, float64: 1e19 },
  { text: "-1e19", isFloat: true, float64: -1e19 },
  {
    text: "0x_1p4",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 16n,
    uint64: 16n,
    float64: 16,
  },
  {
    text: "0X_1P4",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 16n,
    uint64: 16n,
    float64: 16,
  },
  { text: "0x_1p-4", isFloat: true, float64: 1 / 16 },
  { text: "4i", isComplex: true, complex: [0, 4] },
  { text: "-1.2+4.2i", isComplex: true, complex: [-1.2, 4.2] },
  { text: "073i", isComplex: true, complex: [0, 73] },
  {
    text: "0i",
    isInt: true,
    isUint: true,
    isFloat: true,
    isComplex: true,
    int64: 0n,
    uint64: 0n,
    float64: 0,
    complex: [0, 0],
  },
  { text: "-1.2+0i", isFloat: true, isComplex: true, float64: -1.2, complex: [-1.2, 0] },
  {
    text: "-12+0i",
    isInt: true,
    isFloat: true,
    isComplex: true,
    int64: -12n,
    float64: -12,
    complex: [-12, 0],
  },
  {
    text: "13+0i",
    isInt: true,
    isUint: true,
    isFloat: true,
    isComplex: true,
    int64: 13n,
    uint64: 13n,
    float64: 13,
    complex: [13, 0],
  },
  { text: "0123", isInt: true, isUint: true, isFloat: true, int64: 83n, uint64: 83n, float64: 83 },
  { text: "-0x0", isInt: true, isUint: true, isFloat: true, int64: 0n, uint64: 0n, float64: 0 },
  {
    text: "0xdeadbeef",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 0xdeadbeefn,
    uint64: 0xdeadbeefn,
    float64: 0xdeadbeef,
  },
  { text: "'a'", isInt: true, isUint: true, isFloat: true, int64: 97n, uint64: 97n, float64: 97 },
  { text: "'\\n'", isInt: true, isUint: true, isFloat: true, int64: 10n, uint64: 10n, float64: 10 },
  {
    text: "'\\\\'",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 92n,
    uint64: 92n,
    float64: 92,
  },
  { text: "'\\''", isInt: true, isUint: true, isFloat: true, int64: 39n, uint64: 39n, float64: 39 },
  {
    text: "'\\xFF'",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 255n,
    uint64: 255n,
    float64: 255,
  },
  {
    text: "'パ'",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 0x30d1n,
    uint64: 0x30d1n,
    float64: 0x30d1,
  },
  {
    text: "'\\u30d1'",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 0x30d1n,
    uint64: 0x30d1n,
    float64: 0x30d1,
  },
  {
    text: "'\\U000030d1'",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 0x30d1n,
    uint64: 0x30d1n,
    float64: 0x30d1,
  },
  // Some broken syntax.
  { text: "+-2" },
  { text: "0x123." },
  { text: "1e." },
  { text: "0xi." },
  { text: "1+2." },
  { text: "'x" },
  { text: "'xx'" },
  { text: "'433937734937734969526500969526500'" },
  {
    text: "0xef",
    isInt: true,
    isUint: true,
    isFloat: true,
    int64: 0xefn,
    uint64: 0xefn,
    float64: 0xef,
  },
];

describe("number parsing (TestNumberParse)", () => {
  const tree: Tree = { name: "t", parseName: "t", root: null, text: "" };
  for (const test of numberTests) {
    it(test.text, () => {
      let typ: ItemType = "number";
      if (test.text[0] === "'") typ = "charConstant";
      else if (/^[+-]?[0-9.]+[+-][0-9.]+i$/.test(test.text)) typ = "complex";
      const ok = test.isInt || test.isUint || test.isFloat || test.isComplex;
      if (!ok) {
        assert.throws(() => newNumber(tree, 0, test.text, typ));
        return;
      }
      const n = newNumber(tree, 0, test.text, typ);
      assert.equal(n.isComplex, test.isComplex ?? false, "isComplex");
      assert.equal(n.isInt, test.isInt ?? false, "isInt");
      assert.equal(n.isUint, test.isUint ?? false, "isUint");
      assert.equal(n.isFloat, test.isFloat ?? false, "isFloat");
      if (test.isInt) assert.equal(n.int64, test.int64);
      if (test.isUint) assert.equal(n.uint64, test.uint64);
      if (test.isFloat) assert.equal(n.float64, test.float64);
      if (test.isComplex) assert.deepEqual([n.complex.re, n.complex.im], test.complex);
    });
  }
});

const parseTests: [name: string, input: string, ok: boolean, result: string][] = [
  ["empty", "", true, ``],
  ["comment", "{{/*\n\n\n*/}}", true, ``],
  ["spaces", " \t\n", true, `" \\t\\n"`],
  ["text", "some text", true, `"some text"`],
  ["emptyAction", "{{}}", false, `{{}}`],
  ["field", "{{.X}}", true, `{{.X}}`],
  ["simple command", "{{printf}}", true, `{{printf}}`],
  ["$ invocation", "{{$}}", true, "{{$}}"],
  [
    "variable invocation",
    "{{with $x := 3}}{{$x 23}}{{end}}",
    true,
    "{{with $x := 3}}{{$x 23}}{{end}}",
  ],
  ["variable with fields", "{{$.I}}", true, "{{$.I}}"],
  ["multi-word command", "{{printf `%d` 23}}", true, "{{printf `%d` 23}}"],
  ["pipeline", "{{.X|.Y}}", true, `{{.X | .Y}}`],
  ["pipeline with decl", "{{$x := .X|.Y}}", true, `{{$x := .X | .Y}}`],
  ["nested pipeline", "{{.X (.Y .Z) (.A | .B .C) (.E)}}", true, `{{.X (.Y .Z) (.A | .B .C) (.E)}}`],
  ["field applied to parentheses", "{{(.Y .Z).Field}}", true, `{{(.Y .Z).Field}}`],
  ["simple if", "{{if .X}}hello{{end}}", true, `{{if .X}}"hello"{{end}}`],
  [
    "if with else",
    "{{if .X}}true{{else}}false{{end}}",
    true,
    `{{if .X}}"true"{{else}}"false"{{end}}`,
  ],
  [
    "if with else if",
    "{{if .X}}true{{else if .Y}}false{{end}}",
    true,
    `{{if .X}}"true"{{else}}{{if .Y}}"false"{{end}}{{end}}`,
  ],
  [
    "if else chain",
    "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
    true,
    `"+"{{if .X}}"X"{{else}}{{if .Y}}"Y"{{else}}{{if .Z}}"Z"{{end}}{{end}}{{end}}"+"`,
  ],
  ["simple range", "{{range .X}}hello{{end}}", true, `{{range .X}}"hello"{{end}}`],
  ["chained field range", "{{range .X.Y.Z}}hello{{end}}", true, `{{range .X.Y.Z}}"hello"{{end}}`],
  [
    "nested range",
    "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
    true,
    `{{range .X}}"hello"{{range .Y}}"goodbye"{{end}}{{end}}`,
  ],
  [
    "range with else",
    "{{range .X}}true{{else}}false{{end}}",
    true,
    `{{range .X}}"true"{{else}}"false"{{end}}`,
  ],
  [
    "range over pipeline",
    "{{range .X|.M}}true{{else}}false{{end}}",
    true,
    `{{range .X | .M}}"true"{{else}}"false"{{end}}`,
  ],
  ["range []int", "{{range .SI}}{{.}}{{end}}", true, `{{range .SI}}{{.}}{{end}}`],
  ["range 1 var", "{{range $x := .SI}}{{.}}{{end}}", true, `{{range $x := .SI}}{{.}}{{end}}`],
  [
    "range 2 vars",
    "{{range $x, $y := .SI}}{{.}}{{end}}",
    true,
    `{{range $x, $y := .SI}}{{.}}{{end}}`,
  ],
  [
    "range with break",
    "{{range .SI}}{{.}}{{break}}{{end}}",
    true,
    `{{range .SI}}{{.}}{{break}}{{end}}`,
  ],
  [
    "range with continue",
    "{{range .SI}}{{.}}{{continue}}{{end}}",
    true,
    `{{range .SI}}{{.}}{{continue}}{{end}}`,
  ],
  [
    "constants",
    "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}",
    true,
    `{{range .SI 1 -3.2i true false 'a' nil}}{{end}}`,
  ],
  ["template", "{{template `x`}}", true, `{{template "x"}}`],
  ["template with arg", "{{template `x` .Y}}", true, `{{template "x" .Y}}`],
  ["with", "{{with .X}}hello{{end}}", true, `{{with .X}}"hello"{{end}}`],
  [
    "with with else",
    "{{with .X}}hello{{else}}goodbye{{end}}",
    true,
    `{{with .X}}"hello"{{else}}"goodbye"{{end}}`,
  ],
  [
    "with with else with",
    "{{with .X}}hello{{else with .Y}}goodbye{{end}}",
    true,
    `{{with .X}}"hello"{{else}}{{with .Y}}"goodbye"{{end}}{{end}}`,
  ],
  [
    "with else chain",
    "{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}",
    true,
    `{{with .X}}"X"{{else}}{{with .Y}}"Y"{{else}}{{with .Z}}"Z"{{end}}{{end}}{{end}}`,
  ],
  ["trim left", "x \r\n\t{{- 3}}", true, `"x"{{3}}`],
  ["trim right", "{{3 -}}\n\n\ty", true, `{{3}}"y"`],
  ["trim left and right", "x \r\n\t{{- 3 -}}\n\n\ty", true, `"x"{{3}}"y"`],
  ["trim with extra spaces", "x\n{{-  3   -}}\ny", true, `"x"{{3}}"y"`],
  ["comment trim left", "x \r\n\t{{- /* hi */}}", true, `"x"`],
  ["comment trim right", "{{/* hi */ -}}\n\n\ty", true, `"y"`],
  ["comment trim left and right", "x \r\n\t{{- /* */ -}}\n\n\ty", true, `"x""y"`],
  ["block definition", `{{block "foo" .}}hello{{end}}`, true, `{{template "foo" .}}`],
  ["newline in assignment", "{{ $x \n := \n 1 \n }}", true, "{{$x := 1}}"],
  ["newline in empty action", "{{\n}}", false, "{{\n}}"],
  ["newline in pipeline", '{{\n"x"\n|\nprintf\n}}', true, `{{"x" | printf}}`],
  ["newline in comment", "{{/*\nhello\n*/}}", true, ""],
  ["newline in comment 2", "{{-\n/*\nhello\n*/\n-}}", true, ""],
  [
    "spaces around continue",
    "{{range .SI}}{{.}}{{ continue }}{{end}}",
    true,
    `{{range .SI}}{{.}}{{continue}}{{end}}`,
  ],
  [
    "spaces around break",
    "{{range .SI}}{{.}}{{ break }}{{end}}",
    true,
    `{{range .SI}}{{.}}{{break}}{{end}}`,
  ],
  // Errors.
  ["unclosed action", "hello{{range", false, ""],
  ["unmatched end", "{{end}}", false, ""],
  ["unmatched else", "{{else}}", false, ""],
  ["unmatched else after if", "{{if .X}}hello{{end}}{{else}}", false, ""],
  ["multiple else", "{{if .X}}1{{else}}2{{else}}3{{end}}", false, ""],
  ["missing end", "hello{{range .x}}", false, ""],
  ["missing end after else", "hello{{range .x}}{{else}}", false, ""],
  ["undefined function", "hello{{undefined}}", false, ""],
  ["undefined variable", "{{$x}}", false, ""],
  ["variable undefined after end", "{{with $x := 4}}{{end}}{{$x}}", false, ""],
  ["variable undefined in template", "{{template $v}}", false, ""],
  ["declare with field", "{{with $x.Y := 4}}{{end}}", false, ""],
  ["template with field ref", "{{template .X}}", false, ""],
  ["template with var", "{{template $v}}", false, ""],
  ["invalid punctuation", "{{printf 3, 4}}", false, ""],
  ["multidecl outside range", "{{with $v, $u := 3}}{{end}}", false, ""],
  ["too many decls in range", "{{range $u, $v, $w := 3}}{{end}}", false, ""],
  ["dot applied to parentheses", "{{printf (printf .).}}", false, ""],
  ["adjacent args", "{{printf 3`x`}}", false, ""],
  ["adjacent args with .", "{{printf `x`.}}", false, ""],
  ["extra end after if", "{{if .X}}a{{else if .Y}}b{{end}}{{end}}", false, ""],
  ["break outside range", "{{range .}}{{end}} {{break}}", false, ""],
  ["continue outside range", "{{range .}}{{end}} {{continue}}", false, ""],
  ["break in range else", "{{range .}}{{else}}{{break}}{{end}}", false, ""],
  ["continue in range else", "{{range .}}{{else}}{{continue}}{{end}}", false, ""],
  ["bug0a", "{{$x := 0}}{{$x}}", true, "{{$x := 0}}{{$x}}"],
  ["bug0b", "{{$x += 1}}{{$x}}", false, ""],
  ["bug0c", "{{$x ! 2}}{{$x}}", false, ""],
  ["bug0d", "{{$x % 3}}{{$x}}", false, ""],
  ["bug0e", "{{range $x := $y := 3}}{{end}}", false, ""],
  ["bug1a", "{{$x:=.}}{{$x!2}}", false, ""],
  ["bug1b", "{{$x:=.}}{{$x+2}}", false, ""],
  ["bug1c", "{{$x:=.}}{{$x +2}}", true, "{{$x := .}}{{$x +2}}"],
  ["bug2a", "{{range $x := 0}}{{$x}}{{end}}", true, "{{range $x := 0}}{{$x}}{{end}}"],
  ["bug2b", "{{range $x = 0}}{{$x}}{{end}}", true, "{{range $x = 0}}{{$x}}{{end}}"],
  ["dot after integer", "{{1.E}}", false, ""],
  ["dot after float", "{{0.1.E}}", false, ""],
  ["dot after boolean", "{{true.E}}", false, ""],
  ["dot after char", "{{'a'.any}}", false, ""],
  ["dot after string", `{{"hello".guys}}`, false, ""],
  ["dot after dot", "{{..E}}", false, ""],
  ["dot after nil", "{{nil.E}}", false, ""],
  ["wrong pipeline dot", "{{12|.}}", false, ""],
  ["wrong pipeline number", "{{.|12|printf}}", false, ""],
  ["wrong pipeline string", '{{.|printf|"error"}}', false, ""],
  ["wrong pipeline char", "{{12|printf|'e'}}", false, ""],
  ["wrong pipeline boolean", "{{.|true}}", false, ""],
  ["wrong pipeline nil", "{{'c'|nil}}", false, ""],
  ["empty pipeline", `{{printf "%d" ( ) }}`, false, ""],
  ["block without pipeline", `{{block "foo"}}hello{{end}}`, false, ""],
  ["paren nesting normal", "{{ (( 1 )) }}", true, "{{((1))}}"],
  ["paren nesting at limit", "{{ ((( 1 ))) }}", true, "{{(((1)))}}"],
  [
    "paren nesting exceeds limit",
    "{{ (((( 1 )))) }}",
    false,
    "template: test:1: max expression depth exceeded",
  ],
  ["paren nesting in pipeline", "{{ ((( 1 ))) | printf }}", true, "{{(((1))) | printf}}"],
  [
    "paren nesting in pipeline exceeds limit",
    "{{ (((( 1 )))) | printf }}",
    false,
    "template: test:1: max expression depth exceeded",
  ],
  [
    "paren nesting with other constructs",
    "{{ if ((( true ))) }}YES{{ end }}",
    true,
    '{{if (((true)))}}"YES"{{end}}',
  ],
  [
    "paren nesting with other constructs exceeds limit",
    "{{ if (((( true )))) }}YES{{ end }}",
    false,
    "template: test:1: max expression depth exceeded",
  ],
];

describe("parse (TestParse)", () => {
  for (const [name, input, ok, result] of parseTests) {
    it(name, () => {
      if (!ok) {
        assert.throws(
          () => parse("test", input),
          (err: Error) => result === "" || result.startsWith("{{") || err.message === result,
        );
        return;
      }
      const tree = parse("test", input);
      assert.equal(nodeString(tree.root!, true), result);
    });
  }
});

describe("parse with comments (TestParseWithComments)", () => {
  const tests: [string, string, string][] = [
    ["comment", "{{/*\n\n\n*/}}", "{{/*\n\n\n*/}}"],
    ["comment trim left", "x \r\n\t{{- /* hi */}}", `"x"{{/* hi */}}`],
    ["comment trim right", "{{/* hi */ -}}\n\n\ty", `{{/* hi */}}"y"`],
    ["comment trim left and right", "x \r\n\t{{- /* */ -}}\n\n\ty", `"x"{{/* */}}"y"`],
  ];
  for (const [name, input, result] of tests) {
    it(name, () => {
      const tree = parse(name, input, { parseComments: true });
      assert.equal(nodeString(tree.root!, true), result);
    });
  }
});

describe("keywords and functions", () => {
  const inp = "{{range .X}}{{break 20}}{{end}}";
  it("treats break as a function when one is defined", () => {
    const tree = parse("", inp, { hasFunction: (n) => n === "break" });
    assert.equal(nodeString(tree.root!), "{{range .X}}{{break 20}}{{end}}");
  });
  it("treats break as a keyword otherwise", () => {
    assert.throws(() => parse("", inp, { hasFunction: () => false }));
  });
  it("skips the function check on request", () => {
    const tree = parse("skip func check", "{{fn 1 2}}", { skipFuncCheck: true });
    assert.equal(nodeString(tree.root!), "{{fn 1 2}}");
  });
});

describe("isEmptyTree", () => {
  const tests: [string, string, boolean][] = [
    ["empty", ``, true],
    ["nonempty", `hello`, false],
    ["spaces only", " \t\n \t\n", true],
    ["comment only", "{{/* comment */}}", true],
    ["definition", `{{define "x"}}something{{end}}`, true],
    [
      "definitions and space",
      "{{define `x`}}something{{end}}\n\n{{define `y`}}something{{end}}\n\n",
      true,
    ],
    [
      "definitions and text",
      "{{define `x`}}something{{end}}\nx\n{{define `y`}}something{{end}}\ny\n",
      false,
    ],
    ["definition and action", "{{define `x`}}something{{end}}{{if 3}}foo{{end}}", false],
  ];
  it("nil tree is empty", () => assert.equal(isEmptyTree(null), true));
  for (const [name, input, empty] of tests) {
    it(name, () => assert.equal(isEmptyTree(parse("root", input).root), empty));
  }
});

const errorTests: [name: string, input: string, result: string][] = [
  ["unclosed1", "line1\n{{", `unclosed1:2: unclosed action`],
  ["unclosed2", "line1\n{{define `x`}}line2\n{{", `unclosed2:3: unclosed action`],
  ["unclosed3", 'line1\n{{"x"\n"y"\n', `unclosed3:4: unclosed action started at unclosed3:2`],
  ["unclosed4", "{{\n\n\n\n\n", `unclosed4:6: unclosed action started at unclosed4:1`],
  ["var1", "line1\n{{\nx\n}}", `var1:3: function "x" not defined`],
  ["function", "{{foo}}", `function "foo" not defined`],
  ["comment1", "{{/*}}", `comment1:1: unclosed comment`],
  ["comment2", "{{/*\nhello\n}}", `comment2:1: unclosed comment`],
  ["lparen", "{{.X (1 2 3}}", `unclosed left paren`],
  ["rparen", "{{.X 1 2 3 ) }}", "unexpected right paren"],
  ["rparen2", "{{(.X 1 2 3", `unclosed action`],
  ["space", "{{`x`3}}", `in operand`],
  ["idchar", "{{a#}}", `'#'`],
  ["charconst", "{{'a}}", `unterminated character constant`],
  ["stringconst", `{{"a}}`, `unterminated quoted string`],
  ["rawstringconst", "{{`a}}", `unterminated raw quoted string`],
  ["number", "{{0xi}}", `number syntax`],
  [
    "multidefine",
    "{{define `a`}}a{{end}}{{define `a`}}b{{end}}",
    `multiple definition of template`,
  ],
  ["eof", "{{range .X}}", `unexpected EOF`],
  ["variable", "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}", `unexpected ":="`],
  ["multidecl", "{{$a,$b,$c := 23}}", `too many declarations`],
  ["undefvar", "{{$a}}", `undefined variable`],
  ["wrongdot", "{{true.any}}", `unexpected . after term`],
  ["wrongpipeline", "{{12|false}}", `non executable command in pipeline`],
  ["emptypipeline", `{{ ( ) }}`, `missing value for parenthesized pipeline`],
  ["multilinerawstring", "{{ $v := `\n` }} {{", `multilinerawstring:2: unclosed action`],
  ["rangeundefvar", "{{range $k}}{{end}}", `undefined variable`],
  ["rangeundefvars", "{{range $k, $v}}{{end}}", `undefined variable`],
  ["rangemissingvalue1", "{{range $k,}}{{end}}", `missing value for range`],
  ["rangemissingvalue2", "{{range $k, $v := }}{{end}}", `missing value for range`],
  ["rangenotvariable1", "{{range $k, .}}{{end}}", `range can only initialize variables`],
  ["rangenotvariable2", "{{range $k, 123 := .}}{{end}}", `range can only initialize variables`],
];

describe("parse errors (TestErrors)", () => {
  for (const [name, input, result] of errorTests) {
    it(name, () => {
      assert.throws(
        () => parse(name, input, { hasFunction: () => false }),
        (err: Error) => {
          assert.ok(err.message.includes(result), `${err.message} does not contain ${result}`);
          return true;
        },
      );
    });
  }

  it("full messages", () => {
    const cases: [string, string][] = [
      ["{{", "template: t:1: unclosed action"],
      ["{{end}}", "template: t:1: unexpected {{end}}"],
      ["{{if .X}}", "template: t:1: unexpected EOF"],
      ["{{$x}}", 'template: t:1: undefined variable "$x"'],
      ["{{.X | 3}}", "template: t:1: non executable command in pipeline stage 2"],
      ["{{a#}}", "template: t:1: bad character U+0023 '#'"],
      ["{{'ab'}}", "template: t:1: malformed character constant: 'ab'"],
      ["{{1 2 3 ) }}", "template: t:1: unexpected right paren"],
      ["{{99999999999999999999}}", 'template: t:1: integer overflow: "99999999999999999999"'],
      [
        "{{0x8000000000000000000}}",
        'template: t:1: illegal number syntax: "0x8000000000000000000"',
      ],
      ["{{`x`3}}", 'template: t:1: unexpected "3" in operand'],
      ["x\n\n{{`a\n}}", "template: t:3: unterminated raw quoted string"],
      [
        '{{define "a"}}a{{end}}{{define "a"}}b{{end}}',
        'template: t:1: template: multiple definition of template "a"',
      ],
      ["{{with 1}}{{else}}{{else}}{{end}}", "template: t:1: expected end; found {{else}}"],
      ['{{"abcdefghijklmnop" "x"}}{{end', "template: t:1: unclosed action"],
      ["{{range .}}{{end}}{{template}}", 'template: t:1: unexpected "}}" in template clause'],
    ];
    for (const [input, msg] of cases) {
      assert.throws(() => parse("t", input), { message: msg }, input);
    }
  });
});

describe("blocks and line numbers", () => {
  it("block defines a template (TestBlock)", () => {
    const trees = parseTrees("outer", `a{{block "inner" .}}bar{{.}}baz{{end}}b`, opts);
    assert.equal(nodeString(trees.get("outer")!.root!), `a{{template "inner" .}}b`);
    assert.equal(nodeString(trees.get("inner")!.root!), `bar{{.}}baz`);
  });

  it("records the line of each action (TestLineNum)", () => {
    const tree = parse("bench", "{{printf 1234}}\n".repeat(3));
    const nodes = tree.root!.nodes;
    for (let i = 0; i < nodes.length; i += 2) {
      const action = nodes[i] as ActionNode;
      assert.equal(action.line, 1 + i / 2);
      assert.equal(action.pipe.line, 1 + i / 2);
    }
  });

  it("names definitions and keeps the top-level name for errors", () => {
    const trees = parseTrees("file.tmpl", '{{define "x"}}{{.}}{{end}}', opts);
    const x = trees.get("x")!;
    assert.equal(x.name, "x");
    assert.equal(x.parseName, "file.tmpl");
  });

  it("supports other delimiters", () => {
    const tree = parse("d", "<<.X>> {{.Y}} <<- 3 ->> z", { leftDelim: "<<", rightDelim: ">>" });
    assert.equal(nodeString(tree.root!, true), '{{.X}}" {{.Y}}"{{3}}"z"');
  });
});
