// Ports text/template's exec_test.go and multi_test.go. The Go test data (type T) is rebuilt
// with the value model of value.ts: ints are bigints, floats numbers, structs class instances
// with methods. Go func-typed fields become entries of the Map `.Funcs` (JavaScript function
// properties are method values, so `call` gets its functions through `index .Funcs "Name"`).
// Cases that depend on Go-only types (pointers, channels, unsigned integers, iterators) are
// left out.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Template, parseTemplate } from "./template.ts";
import type { FuncMap } from "./template.ts";
import { TemplateExecError } from "./exec.ts";
import { GoComplex, goFunc, isTrue, setGoType } from "./value.ts";
import type { CustomParamType } from "./value.ts";
import { sprint, sprintf, sprintln } from "./fmt.ts";
import { jsEscapeString } from "./funcs.ts";

class U {
  constructor(readonly V: string) {}

  TrueFalse(b: boolean): string {
    return b ? "true" : "";
  }
}
goFunc(["bool"], U.prototype.TrueFalse);
setGoType(U.prototype, { name: "*template.U", kind: "struct" });

class V {
  constructor(private readonly j: bigint) {}

  String(): string {
    return `<${this.j}>`;
  }
}

class W {
  constructor(private readonly k: bigint) {}

  Error(): string {
    return `[${this.k}]`;
  }
}

const ints = (...v: bigint[]): bigint[] => setGoType([...v], { elem: "int" });
const intMap = (o: Record<string, bigint>): Record<string, bigint> =>
  setGoType({ ...o }, { elem: "int" });

const myError = new Error("my error");

class T {
  True = true;
  I = 17n;
  U16 = 16n;
  X = "x";
  S = "xyz";
  FloatZero = 0;
  ComplexZero = new GoComplex(0, 0);
  U = new U("v");
  V0 = new V(6666n);
  V1 = new V(7777n);
  W0 = new W(888n);
  W1 = new W(999n);
  SI = ints(3n, 4n, 5n);
  SIEmpty = ints();
  SB = [true, false];
  AI = ints(3n, 4n, 5n);
  MSI = intMap({ one: 1n, two: 2n, three: 3n });
  MSIone = intMap({ one: 1n });
  MSIEmpty = intMap({});
  MXI = setGoType({ one: 1n } as Record<string, unknown>, { elem: "any" });
  MII = new Map([[1n, 1n]]);
  MI64S = new Map([
    [2n, "i642"],
    [3n, "i643"],
  ]);
  SMSI = [intMap({ one: 1n, two: 2n }), intMap({ eleven: 11n, twelve: 12n })];
  Empty0: unknown = null;
  Empty1: unknown = 3n;
  Empty2: unknown = "empty2";
  Empty3: unknown = ints(7n, 8n);
  Empty4: unknown = new U("UinEmpty");
  Str = { String: () => "foozle" };
  Err = new Error("erroozle");
  PI = 23n;
  PS = "a string";
  PSI = ints(21n, 22n, 23n);
  Funcs = new Map<string, unknown>([
    ["BinaryFunc", goFunc(["string", "string"], (a: string, b: string) => `[${a}=${b}]`)],
    ["VariadicFunc", goFunc([], (...s: string[]) => sprint(["<", s.join("+"), ">"]), "string")],
    [
      "VariadicFuncInt",
      goFunc(["int"], (a: bigint, ...s: string[]) => sprint([a, "=<", s.join("+"), ">"]), "string"),
    ],
    [
      "NilOKFunc",
      goFunc(
        [{ name: "*int", nilable: true, accepts: (v) => typeof v === "bigint" }],
        (s: unknown) => s == null,
      ),
    ],
    ["ErrFunc", goFunc([], () => "bla")],
    [
      "PanicFunc",
      goFunc([], () => {
        throw new Error("test panic");
      }),
    ],
  ]);

  Method0(): string {
    return "M0";
  }

  Method1(a: bigint): bigint {
    return a;
  }

  Method2(a: bigint, b: string): string {
    return sprintf("Method2: %d %s", [a, b]);
  }

  Method3(v: unknown): string {
    return sprintf("Method3: %v", [v]);
  }

  Copy(): T {
    return Object.assign(new T(), this);
  }

  MAdd(a: bigint, b: bigint[]): bigint[] {
    return ints(...b.map((x) => x + a));
  }

  MyError(error: boolean): boolean {
    if (error) throw myError;
    return false;
  }

  GetU(): U {
    return this.U;
  }
}
setGoType(T.prototype, { name: "*template.T", kind: "struct" });
goFunc([], T.prototype.Method0);
goFunc(["int"], T.prototype.Method1);
goFunc(["int", "string"], T.prototype.Method2);
goFunc(["any"], T.prototype.Method3);
goFunc([], T.prototype.Copy);
goFunc(["int", { name: "[]int", nilable: true, accepts: Array.isArray }], T.prototype.MAdd);
goFunc(["bool"], T.prototype.MyError);
goFunc([], T.prototype.GetU);

const tVal = new T();

const STRINGER: CustomParamType = {
  name: "fmt.Stringer",
  nilable: true,
  accepts: (v) => typeof (v as { String?: unknown })?.String === "function",
};

const funcs: FuncMap = {
  add: goFunc([], (...args: bigint[]) => args.reduce((a, b) => a + b, 0n), "int"),
  dddArg: goFunc(["int"], (a: bigint, ...b: string[]) => sprintln([a, b]), "string"),
  die: goFunc([], () => {
    throw new Error("die");
  }),
  echo: goFunc(["any"], (arg: unknown) => arg),
  makemap: goFunc(
    [],
    (...arg: string[]) => {
      if (arg.length % 2 !== 0) throw new Error("bad makemap");
      const m: Record<string, string> = {};
      for (let i = 0; i < arg.length; i += 2) m[arg[i]] = arg[i + 1];
      return setGoType(m, { elem: "string" });
    },
    "string",
  ),
  mapOfThree: goFunc([], () => intMap({ three: 3n })),
  oneArg: goFunc(["string"], (a: string) => "oneArg=" + a),
  returnInt: goFunc([], () => 7n),
  stringer: goFunc([STRINGER], (s: { String(): string }) => s.String()),
  twoArgs: goFunc(["string", "string"], (a: string, b: string) => "twoArgs=" + a + b),
  typeOf: goFunc(["any"], (arg: unknown) => sprintf("%T", [arg])),
  valueString: goFunc(["string"], () => "value is ignored"),
  zeroArgs: goFunc([], () => "zeroArgs"),
  count: goFunc(["int"], (n: bigint) =>
    Array.from({ length: Number(n) }, (_, i) => "abcdefghijklmnop"[i]),
  ),
};

type ExecTest = [name: string, input: string, output: string, data: unknown, ok: boolean];

const BIG_INT = "0x7fffffffffffffff";
const BIG_UINT = "0x8000000000000000";

const execTests: ExecTest[] = [
  // Trivial cases.
  ["empty", "", "", null, true],
  ["text", "some text", "some text", null, true],
  ["nil action", "{{nil}}", "", null, false],

  // Ideal constants.
  ["ideal int", "{{typeOf 3}}", "int", 0n, true],
  ["ideal float", "{{typeOf 1.0}}", "float64", 0n, true],
  ["ideal exp float", "{{typeOf 1e1}}", "float64", 0n, true],
  ["ideal complex", "{{typeOf 1i}}", "complex128", 0n, true],
  ["ideal big int", "{{typeOf " + BIG_INT + "}}", "int", 0n, true],
  ["ideal too big", "{{typeOf " + BIG_UINT + "}}", "", 0n, false],
  ["ideal nil without type", "{{nil}}", "", 0n, false],

  // Fields of structs.
  [".X", "-{{.X}}-", "-x-", tVal, true],
  [".U.V", "-{{.U.V}}-", "-v-", tVal, true],
  [".unexported", "{{.unexported}}", "", tVal, false],

  // Fields on maps.
  ["map .one", "{{.MSI.one}}", "1", tVal, true],
  ["map .two", "{{.MSI.two}}", "2", tVal, true],
  ["map .NO", "{{.MSI.NO}}", "<no value>", tVal, true],
  ["map .one interface", "{{.MXI.one}}", "1", tVal, true],
  ["map .WRONG args", "{{.MSI.one 1}}", "", tVal, false],
  ["map .WRONG type", "{{.MII.one}}", "", tVal, false],

  // Dots of all kinds to test basic evaluation.
  ["dot int", "<{{.}}>", "<13>", 13n, true],
  ["dot float", "<{{.}}>", "<15.1>", 15.1, true],
  ["dot bool", "<{{.}}>", "<true>", true, true],
  ["dot complex", "<{{.}}>", "<(16.2-17i)>", new GoComplex(16.2, -17), true],
  ["dot string", "<{{.}}>", "<hello>", "hello", true],
  ["dot slice", "<{{.}}>", "<[-1 -2 -3]>", ints(-1n, -2n, -3n), true],
  ["dot map", "<{{.}}>", "<map[two:22]>", intMap({ two: 22n }), true],
  [
    "dot struct",
    "<{{.}}>",
    "<{7 seven}>",
    new (class {
      a = 7n;
      b = "seven";
    })(),
    true,
  ],

  // Variables.
  ["$ int", "{{$}}", "123", 123n, true],
  ["$.I", "{{$.I}}", "17", tVal, true],
  ["$.U.V", "{{$.U.V}}", "v", tVal, true],
  ["declare in action", "{{$x := $.U.V}}{{$x}}", "v", tVal, true],
  ["simple assignment", "{{$x := 2}}{{$x = 3}}{{$x}}", "3", tVal, true],
  ["nested assignment", "{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}", "3", tVal, true],
  [
    "nested assignment changes the last declaration",
    "{{$x := 1}}{{if true}}{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{end}}{{$x}}",
    "1",
    tVal,
    true,
  ],

  // Type with String method.
  ["V{6666}.String()", "-{{.V0}}-", "-<6666>-", tVal, true],
  ["&V{7777}.String()", "-{{.V1}}-", "-<7777>-", tVal, true],

  // Type with Error method.
  ["W{888}.Error()", "-{{.W0}}-", "-[888]-", tVal, true],
  ["&W{999}.Error()", "-{{.W1}}-", "-[999]-", tVal, true],

  // Pointers (held by value here).
  ["*int", "{{.PI}}", "23", tVal, true],
  ["*string", "{{.PS}}", "a string", tVal, true],
  ["*[]int", "{{.PSI}}", "[21 22 23]", tVal, true],
  ["*[]int[1]", "{{index .PSI 1}}", "22", tVal, true],

  // Empty interfaces holding values.
  ["empty nil", "{{.Empty0}}", "<no value>", tVal, true],
  ["empty with int", "{{.Empty1}}", "3", tVal, true],
  ["empty with string", "{{.Empty2}}", "empty2", tVal, true],
  ["empty with slice", "{{.Empty3}}", "[7 8]", tVal, true],
  ["empty with struct", "{{.Empty4}}", "{UinEmpty}", tVal, true],
  ["empty with struct, field", "{{.Empty4.V}}", "UinEmpty", tVal, true],

  // Edge cases with <no value> with an interface value.
  ["field on interface", "{{.foo}}", "<no value>", null, true],
  ["field on parenthesized interface", "{{(.).foo}}", "<no value>", null, true],

  // Issue 31810: Parenthesized first element of pipeline with arguments.
  ["unparenthesized non-function", "{{1 2}}", "", null, false],
  ["parenthesized non-function", "{{(1) 2}}", "", null, false],
  ["parenthesized non-function with no args", "{{(1)}}", "1", null, true],

  // Method calls.
  [".Method0", "-{{.Method0}}-", "-M0-", tVal, true],
  [".Method1(1234)", "-{{.Method1 1234}}-", "-1234-", tVal, true],
  [".Method1(.I)", "-{{.Method1 .I}}-", "-17-", tVal, true],
  [".Method2(3, .X)", "-{{.Method2 3 .X}}-", "-Method2: 3 x-", tVal, true],
  [".Method2(.U16, `str`)", "-{{.Method2 .U16 `str`}}-", "-Method2: 16 str-", tVal, true],
  [
    ".Method2(.U16, $x)",
    "{{if $x := .X}}-{{.Method2 .U16 $x}}{{end}}-",
    "-Method2: 16 x-",
    tVal,
    true,
  ],
  [".Method3(nil constant)", "-{{.Method3 nil}}-", "-Method3: <nil>-", tVal, true],
  [".Method3(nil value)", "-{{.Method3 .MXI.unset}}-", "-Method3: <nil>-", tVal, true],
  [
    "method on var",
    "{{if $x := .}}-{{$x.Method2 .U16 $x.X}}{{end}}-",
    "-Method2: 16 x-",
    tVal,
    true,
  ],
  [
    "method on chained var",
    "{{range .MSIone}}{{if $.U.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}",
    "true",
    tVal,
    true,
  ],
  [
    "chained method",
    "{{range .MSIone}}{{if $.GetU.TrueFalse $.True}}{{$.U.TrueFalse $.True}}{{else}}WRONG{{end}}{{end}}",
    "true",
    tVal,
    true,
  ],
  [
    "chained method on variable",
    "{{with $x := .}}{{with .SI}}{{$.GetU.TrueFalse $.True}}{{end}}{{end}}",
    "true",
    tVal,
    true,
  ],
  [".NilOKFunc not nil", '{{call (index .Funcs "NilOKFunc") .PI}}', "false", tVal, true],
  [".NilOKFunc nil", '{{call (index .Funcs "NilOKFunc") nil}}', "true", tVal, true],

  // Function call builtin.
  [".BinaryFunc", '{{call (index .Funcs "BinaryFunc") `1` `2`}}', "[1=2]", tVal, true],
  [".VariadicFunc0", '{{call (index .Funcs "VariadicFunc")}}', "<>", tVal, true],
  [".VariadicFunc2", '{{call (index .Funcs "VariadicFunc") `he` `llo`}}', "<he+llo>", tVal, true],
  [
    ".VariadicFuncInt",
    '{{call (index .Funcs "VariadicFuncInt") 33 `he` `llo`}}',
    "33=<he+llo>",
    tVal,
    true,
  ],
  ["Interface Call", `{{stringer .S}}`, "foozle", { S: { String: () => "foozle" } }, true],
  [".ErrFunc", '{{call (index .Funcs "ErrFunc")}}', "bla", tVal, true],
  ["call nil", "{{call nil}}", "", tVal, false],
  ["empty call", "{{call}}", "", tVal, false],
  ["empty call after pipe valid", '{{index .Funcs "ErrFunc" | call}}', "bla", tVal, true],
  ["empty call after pipe invalid", "{{1 | call}}", "", tVal, false],

  // Erroneous function calls (check args).
  [".BinaryFuncTooFew", '{{call (index .Funcs "BinaryFunc") `1`}}', "", tVal, false],
  [".BinaryFuncTooMany", '{{call (index .Funcs "BinaryFunc") `1` `2` `3`}}', "", tVal, false],
  [".BinaryFuncBad0", '{{call (index .Funcs "BinaryFunc") 1 3}}', "", tVal, false],
  [".BinaryFuncBad1", '{{call (index .Funcs "BinaryFunc") `1` 3}}', "", tVal, false],
  [".VariadicFuncBad0", '{{call (index .Funcs "VariadicFunc") 3}}', "", tVal, false],
  [".VariadicFuncIntBad0", '{{call (index .Funcs "VariadicFuncInt")}}', "", tVal, false],
  [".VariadicFuncIntBad`", '{{call (index .Funcs "VariadicFuncInt") `x`}}', "", tVal, false],
  [".VariadicFuncNilBad", '{{call (index .Funcs "VariadicFunc") nil}}', "", tVal, false],

  // Pipelines.
  ["pipeline", "-{{.Method0 | .Method2 .U16}}-", "-Method2: 16 M0-", tVal, true],
  [
    "pipeline func",
    '-{{call (index .Funcs "VariadicFunc") `llo` | call (index .Funcs "VariadicFunc") `he` }}-',
    "-<he+<llo>>-",
    tVal,
    true,
  ],

  // Nil values aren't missing arguments.
  ["nil pipeline", '{{ .Empty0 | call (index .Funcs "NilOKFunc") }}', "true", tVal, true],
  ["nil call arg", '{{ call (index .Funcs "NilOKFunc") .Empty0 }}', "true", tVal, true],
  ["bad nil pipeline", '{{ .Empty0 | call (index .Funcs "VariadicFunc") }}', "", tVal, false],

  // Parenthesized expressions.
  [
    "parens in pipeline",
    "{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}",
    "1 5 15",
    tVal,
    true,
  ],

  // Parenthesized expressions with field accesses.
  ["parens: $ in paren", "{{($).X}}", "x", tVal, true],
  ["parens: $.GetU in paren", "{{($.GetU).V}}", "v", tVal, true],
  ["parens: $ in paren in pipe", "{{($ | echo).X}}", "x", tVal, true],
  ["parens: spaces and args", `{{(makemap "up" "down" "left" "right").left}}`, "right", tVal, true],

  // If.
  ["if true", "{{if true}}TRUE{{end}}", "TRUE", tVal, true],
  ["if false", "{{if false}}TRUE{{else}}FALSE{{end}}", "FALSE", tVal, true],
  ["if nil", "{{if nil}}TRUE{{end}}", "", tVal, false],
  ["if 1", "{{if 1}}NON-ZERO{{else}}ZERO{{end}}", "NON-ZERO", tVal, true],
  ["if 0", "{{if 0}}NON-ZERO{{else}}ZERO{{end}}", "ZERO", tVal, true],
  ["if 1.5", "{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}", "NON-ZERO", tVal, true],
  ["if 0.0", "{{if .FloatZero}}NON-ZERO{{else}}ZERO{{end}}", "ZERO", tVal, true],
  ["if 1.5i", "{{if 1.5i}}NON-ZERO{{else}}ZERO{{end}}", "NON-ZERO", tVal, true],
  ["if 0.0i", "{{if .ComplexZero}}NON-ZERO{{else}}ZERO{{end}}", "ZERO", tVal, true],
  ["if emptystring", "{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  ["if string", "{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}", "NON-EMPTY", tVal, true],
  ["if emptyslice", "{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  ["if slice", "{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}", "NON-EMPTY", tVal, true],
  ["if emptymap", "{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  ["if map", "{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}", "NON-EMPTY", tVal, true],
  ["if map unset", "{{if .MXI.none}}NON-ZERO{{else}}ZERO{{end}}", "ZERO", tVal, true],
  ["if map not unset", "{{if not .MXI.none}}ZERO{{else}}NON-ZERO{{end}}", "ZERO", tVal, true],
  [
    "if $x with $y int",
    "{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}",
    "true,17",
    tVal,
    true,
  ],
  [
    "if $x with $x int",
    "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}",
    "17,true",
    tVal,
    true,
  ],
  ["if else if", "{{if false}}FALSE{{else if true}}TRUE{{end}}", "TRUE", tVal, true],
  ["if else chain", "{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", "3", tVal, true],

  // Print etc.
  ["print", `{{print "hello, print"}}`, "hello, print", tVal, true],
  ["print 123", `{{print 1 2 3}}`, "1 2 3", tVal, true],
  ["print nil", `{{print nil}}`, "<nil>", tVal, true],
  ["println", `{{println 1 2 3}}`, "1 2 3\n", tVal, true],
  ["printf int", `{{printf "%04x" 127}}`, "007f", tVal, true],
  ["printf float", `{{printf "%g" 3.5}}`, "3.5", tVal, true],
  ["printf complex", `{{printf "%g" 1+7i}}`, "(1+7i)", tVal, true],
  ["printf string", `{{printf "%s" "hello"}}`, "hello", tVal, true],
  ["printf function", `{{printf "%#q" zeroArgs}}`, "`zeroArgs`", tVal, true],
  ["printf field", `{{printf "%s" .U.V}}`, "v", tVal, true],
  ["printf method", `{{printf "%s" .Method0}}`, "M0", tVal, true],
  ["printf dot", `{{with .I}}{{printf "%d" .}}{{end}}`, "17", tVal, true],
  ["printf var", `{{with $x := .I}}{{printf "%d" $x}}{{end}}`, "17", tVal, true],
  [
    "printf lots",
    `{{printf "%d %s %g %s" 127 "hello" 7-3i .Method0}}`,
    "127 hello (7-3i) M0",
    tVal,
    true,
  ],

  // HTML.
  [
    "html",
    `{{html "<script>alert(\\"XSS\\");</script>"}}`,
    "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;",
    null,
    true,
  ],
  [
    "html pipeline",
    `{{printf "<script>alert(\\"XSS\\");</script>" | html}}`,
    "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;",
    null,
    true,
  ],
  ["html string", `{{html .PS}}`, "a string", tVal, true],
  ["html untyped nil", `{{html .Empty0}}`, "&lt;no value&gt;", tVal, true],

  // JavaScript.
  ["js", `{{js .}}`, `It\\'d be nice.`, `It'd be nice.`, true],

  // URL query.
  [
    "urlquery",
    `{{"http://www.example.org/"|urlquery}}`,
    "http%3A%2F%2Fwww.example.org%2F",
    null,
    true,
  ],

  // Booleans.
  ["not", "{{not true}} {{not false}}", "false true", null, true],
  ["and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", "false 0 0 1", null, true],
  ["or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", "0 1 true 1", null, true],
  ["or short-circuit", "{{or 0 1 (die)}}", "1", null, true],
  ["and short-circuit", "{{and 1 0 (die)}}", "0", null, true],
  ["or short-circuit2", "{{or 0 0 (die)}}", "", null, false],
  ["and short-circuit2", "{{and 1 1 (die)}}", "", null, false],
  ["and pipe-true", "{{1 | and 1}}", "1", null, true],
  ["and pipe-false", "{{0 | and 1}}", "0", null, true],
  ["or pipe-true", "{{1 | or 0}}", "1", null, true],
  ["or pipe-false", "{{0 | or 0}}", "0", null, true],
  ["and undef", "{{and 1 .Unknown}}", "<no value>", null, true],
  ["or undef", "{{or 0 .Unknown}}", "<no value>", null, true],
  ["boolean if", "{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}", "TRUE", tVal, true],
  ["boolean if not", "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}", "FALSE", null, true],
  ["boolean if pipe", "{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}", "FALSE", null, true],

  // Indexing.
  ["slice[0]", "{{index .SI 0}}", "3", tVal, true],
  ["slice[1]", "{{index .SI 1}}", "4", tVal, true],
  ["slice[HUGE]", "{{index .SI 10}}", "", tVal, false],
  ["slice[WRONG]", "{{index .SI `hello`}}", "", tVal, false],
  ["slice[nil]", "{{index .SI nil}}", "", tVal, false],
  ["map[one]", "{{index .MSI `one`}}", "1", tVal, true],
  ["map[two]", "{{index .MSI `two`}}", "2", tVal, true],
  ["map[NO]", "{{index .MSI `XXX`}}", "0", tVal, true],
  ["map[nil]", "{{index .MSI nil}}", "", tVal, false],
  ["map[``]", "{{index .MSI ``}}", "0", tVal, true],
  ["map[WRONG]", "{{index .MSI 10}}", "", tVal, false],
  ["double index", "{{index .SMSI 1 `eleven`}}", "11", tVal, true],
  ["nil[1]", "{{index nil 1}}", "", tVal, false],
  ["map MI64S", "{{index .MI64S 2}}", "i642", tVal, true],
  ["index of an interface field", "{{index .Empty3 0}}", "7", tVal, true],

  // Slicing.
  ["slice[:]", "{{slice .SI}}", "[3 4 5]", tVal, true],
  ["slice[1:]", "{{slice .SI 1}}", "[4 5]", tVal, true],
  ["slice[1:2]", "{{slice .SI 1 2}}", "[4]", tVal, true],
  ["slice[-1:]", "{{slice .SI -1}}", "", tVal, false],
  ["slice[1:-2]", "{{slice .SI 1 -2}}", "", tVal, false],
  ["slice[1:2:-1]", "{{slice .SI 1 2 -1}}", "", tVal, false],
  ["slice[2:1]", "{{slice .SI 2 1}}", "", tVal, false],
  ["slice[2:2:1]", "{{slice .SI 2 2 1}}", "", tVal, false],
  ["out of range", "{{slice .SI 4 5}}", "", tVal, false],
  ["out of range 3", "{{slice .SI 2 2 5}}", "", tVal, false],
  ["array[:]", "{{slice .AI}}", "[3 4 5]", tVal, true],
  ["array[1:]", "{{slice .AI 1}}", "[4 5]", tVal, true],
  ["array[1:2]", "{{slice .AI 1 2}}", "[4]", tVal, true],
  ["string[:]", "{{slice .S}}", "xyz", tVal, true],
  ["string[0:1]", "{{slice .S 0 1}}", "x", tVal, true],
  ["string[1:]", "{{slice .S 1}}", "yz", tVal, true],
  ["string[1:2]", "{{slice .S 1 2}}", "y", tVal, true],
  ["string out of range", "{{slice .S 1 5}}", "", tVal, false],
  ["3-index slice of string", "{{slice .S 1 2 2}}", "", tVal, false],
  ["slice of an interface field", "{{slice .Empty3 0 1}}", "[7]", tVal, true],

  // Len.
  ["len slice", "{{len .SI}}", "3", tVal, true],
  ["len map", "{{len .MSI }}", "3", tVal, true],
  ["len of int", "{{len 3}}", "", tVal, false],
  ["len of nothing", "{{len .Empty0}}", "", tVal, false],
  ["len of an interface field", "{{len .Empty3}}", "2", tVal, true],

  // With.
  ["with true", "{{with true}}{{.}}{{end}}", "true", tVal, true],
  ["with false", "{{with false}}{{.}}{{else}}FALSE{{end}}", "FALSE", tVal, true],
  ["with 1", "{{with 1}}{{.}}{{else}}ZERO{{end}}", "1", tVal, true],
  ["with 0", "{{with 0}}{{.}}{{else}}ZERO{{end}}", "ZERO", tVal, true],
  ["with 1.5", "{{with 1.5}}{{.}}{{else}}ZERO{{end}}", "1.5", tVal, true],
  ["with 0.0", "{{with .FloatZero}}{{.}}{{else}}ZERO{{end}}", "ZERO", tVal, true],
  ["with 1.5i", "{{with 1.5i}}{{.}}{{else}}ZERO{{end}}", "(0+1.5i)", tVal, true],
  ["with 0.0i", "{{with .ComplexZero}}{{.}}{{else}}ZERO{{end}}", "ZERO", tVal, true],
  ["with emptystring", "{{with ``}}{{.}}{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  ["with string", "{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}", "notempty", tVal, true],
  ["with emptyslice", "{{with .SIEmpty}}{{.}}{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  ["with slice", "{{with .SI}}{{.}}{{else}}EMPTY{{end}}", "[3 4 5]", tVal, true],
  ["with emptymap", "{{with .MSIEmpty}}{{.}}{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  ["with map", "{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}", "map[one:1]", tVal, true],
  ["with empty interface, struct field", "{{with .Empty4}}{{.V}}{{end}}", "UinEmpty", tVal, true],
  ["with $x int", "{{with $x := .I}}{{$x}}{{end}}", "17", tVal, true],
  ["with $x struct.U.V", "{{with $x := $}}{{$x.U.V}}{{end}}", "v", tVal, true],
  ["with variable and action", "{{with $x := $}}{{$y := $.U.V}}{{$y}}{{end}}", "v", tVal, true],
  ["with else with", "{{with 0}}{{.}}{{else with true}}{{.}}{{end}}", "true", tVal, true],
  [
    "with else with chain",
    "{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}",
    "notempty",
    tVal,
    true,
  ],

  // Range.
  ["range []int", "{{range .SI}}-{{.}}-{{end}}", "-3--4--5-", tVal, true],
  ["range empty no else", "{{range .SIEmpty}}-{{.}}-{{end}}", "", tVal, true],
  ["range []int else", "{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}", "-3--4--5-", tVal, true],
  ["range empty else", "{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  [
    "range []int break else",
    "{{range .SI}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}",
    "-3-",
    tVal,
    true,
  ],
  [
    "range []int continue else",
    "{{range .SI}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}",
    "-3--4--5-",
    tVal,
    true,
  ],
  ["range []bool", "{{range .SB}}-{{.}}-{{end}}", "-true--false-", tVal, true],
  ["range []int method", "{{range .SI | .MAdd .I}}-{{.}}-{{end}}", "-20--21--22-", tVal, true],
  ["range map", "{{range .MSI}}-{{.}}-{{end}}", "-1--3--2-", tVal, true],
  ["range empty map no else", "{{range .MSIEmpty}}-{{.}}-{{end}}", "", tVal, true],
  ["range map else", "{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}", "-1--3--2-", tVal, true],
  ["range empty map else", "{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY", tVal, true],
  ["range empty interface", "{{range .Empty3}}-{{.}}-{{else}}EMPTY{{end}}", "-7--8-", tVal, true],
  ["range empty nil", "{{range .Empty0}}-{{.}}-{{end}}", "", tVal, true],
  ["range $x SI", "{{range $x := .SI}}<{{$x}}>{{end}}", "<3><4><5>", tVal, true],
  [
    "range $x $y SI",
    "{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}",
    "<0=3><1=4><2=5>",
    tVal,
    true,
  ],
  ["range $x MSIone", "{{range $x := .MSIone}}<{{$x}}>{{end}}", "<1>", tVal, true],
  [
    "range $x $y MSIone",
    "{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}",
    "<one=1>",
    tVal,
    true,
  ],
  ["range $x PSI", "{{range $x := .PSI}}<{{$x}}>{{end}}", "<21><22><23>", tVal, true],
  [
    "declare in range",
    "{{range $x := .PSI}}<{{$foo:=$x}}{{$x}}>{{end}}",
    "<21><22><23>",
    tVal,
    true,
  ],
  [
    "range count",
    `{{range $i, $x := count 5}}[{{$i}}]{{$x}}{{end}}`,
    "[0]a[1]b[2]c[3]d[4]e",
    tVal,
    true,
  ],
  ["range nil count", `{{range $i, $x := count 0}}{{else}}empty{{end}}`, "empty", tVal, true],
  [
    "range int",
    `{{range $v := .}}{{printf "%T%d" $v $v}}{{end}}`,
    "int0int1int2int3int4",
    5n,
    true,
  ],
  ["range int zero", `{{range $v := .}}{{print $v}}{{else}}empty{{end}}`, "empty", 0n, true],
  [
    "range 5",
    `{{range $v := 5}}{{printf "%T%d" $v $v}}{{end}}`,
    "int0int1int2int3int4",
    null,
    true,
  ],
  ["range int two vars", `{{range $i, $v := 5}}{{$v}}{{end}}`, "", null, false],
  ["range over string", `{{range .}}{{.}}{{end}}`, "", "abc", false],

  // Cute examples.
  ["or as if true", `{{or .SI "slice is empty"}}`, "[3 4 5]", tVal, true],
  ["or as if false", `{{or .SIEmpty "slice is empty"}}`, "slice is empty", tVal, true],

  // Error handling.
  ["error method, error", "{{.MyError true}}", "", tVal, false],
  ["error method, no error", "{{.MyError false}}", "false", tVal, true],

  // Numbers.
  ["decimal", "{{print 1234}}", "1234", tVal, true],
  ["decimal _", "{{print 12_34}}", "1234", tVal, true],
  ["binary", "{{print 0b101}}", "5", tVal, true],
  ["binary _", "{{print 0b_1_0_1}}", "5", tVal, true],
  ["BINARY", "{{print 0B101}}", "5", tVal, true],
  ["octal0", "{{print 0377}}", "255", tVal, true],
  ["octal", "{{print 0o377}}", "255", tVal, true],
  ["octal _", "{{print 0o_3_7_7}}", "255", tVal, true],
  ["OCTAL", "{{print 0O377}}", "255", tVal, true],
  ["hex", "{{print 0x123}}", "291", tVal, true],
  ["hex _", "{{print 0x1_23}}", "291", tVal, true],
  ["HEX", "{{print 0X123ABC}}", "1194684", tVal, true],
  ["float", "{{print 123.4}}", "123.4", tVal, true],
  ["float _", "{{print 0_0_1_2_3.4}}", "123.4", tVal, true],
  ["hex float", "{{print +0x1.ep+2}}", "7.5", tVal, true],
  ["hex float _", "{{print +0x_1.e_0p+0_2}}", "7.5", tVal, true],
  ["HEX float", "{{print +0X1.EP+2}}", "7.5", tVal, true],
  ["print multi", "{{print 1_2_3_4 7.5_00_00_00}}", "1234 7.5", tVal, true],
  ["print multi2", "{{print 1234 0x0_1.e_0p+02}}", "1234 7.5", tVal, true],

  // Fixed bugs.
  ["bug0", "{{range .MSIone}}{{if $.Method1 .}}X{{end}}{{end}}", "X", tVal, true],
  ["bug3", "{{with $}}{{.Method0}}{{end}}", "M0", tVal, true],
  ["bug4", "{{if .Empty0}}non-nil{{else}}nil{{end}}", "nil", tVal, true],
  ["bug5", "{{.Str}}", "foozle", tVal, true],
  ["bug5a", "{{.Err}}", "erroozle", tVal, true],
  ["bug7a", "{{3 2}}", "", tVal, false],
  ["bug7b", "{{$x := 1}}{{$x 2}}", "", tVal, false],
  ["bug7c", "{{$x := 1}}{{3 | $x}}", "", tVal, false],
  ["bug8a", "{{3|oneArg}}", "", tVal, false],
  ["bug8b", "{{4|dddArg 3}}", "", tVal, false],
  ["bug9", "{{.cause}}", "neglect", { cause: "neglect" }, true],
  ["bug10", "{{mapOfThree.three}}-{{(mapOfThree).three}}", "3-3", 0n, true],
  ["bug12xe", "{{printf `%T` 0xef}}", "int", null, true],
  ["bug12xE", "{{printf `%T` 0xEE}}", "int", null, true],
  ["bug12Xe", "{{printf `%T` 0Xef}}", "int", null, true],
  ["bug12XE", "{{printf `%T` 0XEE}}", "int", null, true],
  ["bug13", "{{print (.Copy).I}}", "17", tVal, true],
  ["bug14a", "{{(nil).True}}", "", tVal, false],
  ["bug14b", "{{$x := nil}}{{$x.anything}}", "", tVal, false],
  ["bug14c", `{{$x := (1.0)}}{{$y := ("hello")}}{{$x.anything}}{{$y.true}}`, "", tVal, false],
  ["bug15", "{{valueString returnInt}}", "", tVal, false],
  ["bug16a", "{{true|printf}}", "", tVal, false],
  ["bug16b", "{{1|printf}}", "", tVal, false],
  ["bug16c", "{{1.1|printf}}", "", tVal, false],
  ["bug16d", "{{'x'|printf}}", "", tVal, false],
  ["bug16e", "{{0i|printf}}", "", tVal, false],
  ["bug16f", '{{true|twoArgs "xxx"}}', "", tVal, false],
  ["bug16g", '{{"aaa" |twoArgs "bbb"}}', "twoArgs=bbbaaa", tVal, true],
  ["bug16h", "{{1|oneArg}}", "", tVal, false],
  ["bug16i", '{{"aaa"|oneArg}}', "oneArg=aaa", tVal, true],
  ["bug16j", '{{1+2i|printf "%v"}}', "(1+2i)", tVal, true],
  ["bug16k", '{{"aaa"|printf }}', "aaa", tVal, true],
  ["bug18a", "{{eq . '.'}}", "true", 46n, true],
  ["bug18b", "{{eq . 'e'}}", "true", 101n, true],
  ["bug18c", "{{eq . 'P'}}", "true", 80n, true],
  ["issue56490", "{{$i := 0}}{{$x := 0}}{{range $i = .AI}}{{end}}{{$i}}", "5", tVal, true],
  [
    "issue60801",
    "{{$k := 0}}{{$v := 0}}{{range $k, $v = .AI}}{{$k}}={{$v}} {{end}}",
    "0=3 1=4 2=5 ",
    tVal,
    true,
  ],
];

async function run(tmpl: Template, data: unknown): Promise<{ out?: string; err?: Error }> {
  try {
    return { out: await tmpl.execute(data) };
  } catch (err) {
    return { err: err as Error };
  }
}

function testExecute(tests: ExecTest[], base?: () => Template): void {
  for (const [name, input, output, data, ok] of tests) {
    it(name, async () => {
      const tmpl = (base ? base().new(name) : Template.create(name)).funcs(funcs).parse(input);
      const { out, err } = await run(tmpl, data);
      if (ok) {
        assert.equal(err, undefined, `unexpected execute error: ${err?.message}`);
        assert.equal(out, output);
      } else {
        assert.ok(err instanceof TemplateExecError, `expected an execution error; got ${out}`);
      }
    });
  }
}

describe("TestExecute", () => testExecute(execTests));

describe("error messages", () => {
  const cases: [string, string, unknown, string][] = [
    [
      "{{.MyError true}}",
      "t",
      tVal,
      'template: t:1:2: executing "t" at <.MyError>: error calling MyError: my error',
    ],
    [
      "{{index .SI 10}}",
      "t",
      tVal,
      'template: t:1:2: executing "t" at <index .SI 10>: error calling index: index out of range: 10',
    ],
    [
      "{{index .SI 3}}",
      "t",
      tVal,
      'template: t:1:2: executing "t" at <index .SI 3>: error calling index: reflect: slice index out of range',
    ],
    [
      "{{index .MSI 10}}",
      "t",
      tVal,
      'template: t:1:2: executing "t" at <index .MSI 10>: error calling index: value has type int; should be string',
    ],
    [
      "{{.X.Y}}",
      "t",
      0n,
      'template: t:1:4: executing "t" at <.X.Y>: can\'t evaluate field X in type int',
    ],
    ["{{nil}}", "t", 0n, 'template: t:1:2: executing "t" at <nil>: nil is not a command'],
    [
      "{{1 2}}",
      "t",
      0n,
      'template: t:1:2: executing "t" at <1>: can\'t give argument to non-function 1',
    ],
    [
      "{{if nil}}x{{end}}",
      "t",
      0n,
      'template: t:1:5: executing "t" at <nil>: nil is not a command',
    ],
    [
      "{{printf}}",
      "t",
      0n,
      'template: t:1:2: executing "t" at <printf>: wrong number of args for printf: want at least 1 got 0',
    ],
    [
      "{{1|printf}}",
      "t",
      0n,
      'template: t:1:4: executing "t" at <printf>: wrong type for value; expected string; got int',
    ],
    ["{{oneArg 1}}", "t", 0n, 'template: t:1:9: executing "t" at <1>: expected string; found 1'],
    [
      "{{twoArgs `a`}}",
      "t",
      0n,
      'template: t:1:2: executing "t" at <twoArgs>: wrong number of args for twoArgs: want 2 got 1',
    ],
    [
      "{{valueString nil}}",
      "t",
      0n,
      'template: t:1:14: executing "t" at <nil>: cannot assign nil to string',
    ],
    [
      "{{valueString .Missing}}",
      "t",
      {},
      'template: t:1:14: executing "t" at <.Missing>: invalid value; expected string',
    ],
    [
      "{{eq 2 2.0}}",
      "t",
      0n,
      'template: t:1:2: executing "t" at <eq 2 2.0>: error calling eq: incompatible types for comparison: int and float64',
    ],
    [
      "{{lt true true}}",
      "t",
      0n,
      'template: t:1:2: executing "t" at <lt true true>: error calling lt: invalid type for comparison',
    ],
    [
      "{{eq 1}}",
      "t",
      0n,
      'template: t:1:2: executing "t" at <eq 1>: error calling eq: missing argument for comparison',
    ],
    [
      "{{range .}}{{end}}",
      "t",
      "abc",
      'template: t:1:8: executing "t" at <.>: range can\'t iterate over abc',
    ],
    [
      "{{range $i, $v := 3}}{{end}}",
      "t",
      0n,
      'template: t:1:18: executing "t" at <3>: can\'t use 3 to iterate over more than one variable',
    ],
    [
      '{{template "x"}}',
      "t",
      0n,
      'template: t:1:11: executing "t" at <{{template "x"}}>: template "x" not defined',
    ],
    [
      "{{len 3}}",
      "t",
      0n,
      'template: t:1:2: executing "t" at <len 3>: error calling len: len of type int',
    ],
    [
      "{{.MSI.one 1}}",
      "t",
      tVal,
      'template: t:1:6: executing "t" at <.MSI.one>: one is not a method but has arguments',
    ],
    [
      "{{.X 1}}",
      "t",
      tVal,
      'template: t:1:2: executing "t" at <.X>: X has arguments but cannot be invoked as function',
    ],
    [
      "{{.Method1 `a`}}",
      "t",
      tVal,
      'template: t:1:11: executing "t" at <`a`>: expected integer; found `a`',
    ],
    [
      "{{call .True}}",
      "t",
      tVal,
      'template: t:1:2: executing "t" at <call .True>: error calling call: non-function .True of type bool',
    ],
    [
      '{{call (len "test")}}',
      "t",
      null,
      'template: t:1:2: executing "t" at <call (len "test")>: error calling call: non-function len "test" of type int',
    ],
    [
      "{{call}}",
      "t",
      tVal,
      'template: t:1:2: executing "t" at <call>: wrong number of args for call: want at least 1 got 0',
    ],
    [
      '{{$f := index .Funcs "BinaryFunc"}}{{call $f 1}}',
      "t",
      tVal,
      'template: t:1:37: executing "t" at <call $f 1>: error calling call: wrong number of args for $f: got 1 want 2',
    ],
    [
      '{{$f := index .Funcs "VariadicFuncInt"}}{{call $f}}',
      "t",
      tVal,
      'template: t:1:42: executing "t" at <call $f>: error calling call: wrong number of args for $f: got 0 want at least 1',
    ],
    [
      '{{call (index .Funcs "PanicFunc")}}',
      "t",
      tVal,
      'template: t:1:2: executing "t" at <call (index .Funcs "PanicFunc")>: error calling call: test panic',
    ],
    [
      "{{.GetU.Nope}}",
      "t",
      tVal,
      'template: t:1:7: executing "t" at <.GetU.Nope>: can\'t evaluate field Nope in type *template.U',
    ],
    [
      "{{ (.) }}",
      "t",
      () => "result",
      'template: t:1:3: executing "t" at <{{(.)}}>: can\'t print {{(.)}} of type func()',
    ],
  ];
  for (const [input, name, data, want] of cases) {
    it(input, async () => {
      const { err } = await run(parseTemplate(name, input, { funcs }), data);
      assert.equal(err?.message, want);
    });
  }

  it("nested template errors name the template and position (TestExecError)", async () => {
    const text = `line 1
line 2
line 3
{{template "one" .}}
{{define "one"}}{{template "two" .}}{{end}}
{{define "two"}}{{template "three" .}}{{end}}
{{define "three"}}{{index "hi" $}}{{end}}`;
    const { err } = await run(parseTemplate("top", text), 5n);
    assert.equal(
      err?.message,
      'template: top:7:20: executing "three" at <index "hi" $>: error calling index: index out of range: 5',
    );
  });

  it("keeps the error a function returned as the cause (TestExecError_CustomError)", async () => {
    class CustomError extends Error {}
    const { err } = await run(
      parseTemplate("top", "{{ err }}", {
        funcs: {
          err: goFunc([], () => {
            throw new CustomError("heyo !");
          }),
        },
      }),
      null,
    );
    assert.ok(err instanceof TemplateExecError);
    assert.ok(err.cause instanceof CustomError);
  });

  it("counts columns in bytes", async () => {
    const { err } = await run(parseTemplate("t", "héllo {{.X}}"), 1n);
    assert.equal(
      err?.message,
      'template: t:1:9: executing "t" at <.X>: can\'t evaluate field X in type int',
    );
  });

  it("reports an empty template (TestMessageForExecuteEmpty)", async () => {
    const tmpl = Template.create("empty");
    assert.equal(
      (await run(tmpl, 0n)).err?.message,
      'template: empty: "empty" is an incomplete or empty template',
    );
    const tests = parseTemplate("", `{{define "one"}}one{{end}}{{define "two"}}two{{end}}`);
    tmpl.addParseTree("secondary", tests.tree!);
    assert.equal(
      (await run(tmpl, 0n)).err?.message,
      'template: empty: "empty" is an incomplete or empty template',
    );
    assert.equal(await tmpl.executeTemplate("secondary", 0n), "");
  });

  it("stops infinite recursion (TestMaxExecDepth)", async () => {
    const { err } = await run(parseTemplate("tmpl", `{{template "tmpl" .}}`), null);
    assert.match(err?.message ?? "", /exceeded maximum template depth \(100000\)/);
  });
});

describe("comparisons (TestComparison)", () => {
  const cmpData = {
    Uthree: 3n,
    Ufour: 4n,
    NegOne: -1n,
    Three: 3n,
    Map: null,
    NonNilMap: setGoType({}, { elem: "int" }),
    V1: new V(1n),
    Iface1: { String: () => "" },
    NilIface: null,
  };
  const cmpTests: [expr: string, truth: string, ok: boolean][] = [
    ["eq true true", "true", true],
    ["eq true false", "false", true],
    ["eq 1+2i 1+2i", "true", true],
    ["eq 1+2i 1+3i", "false", true],
    ["eq 1.5 1.5", "true", true],
    ["eq 1.5 2.5", "false", true],
    ["eq 1 1", "true", true],
    ["eq 1 2", "false", true],
    ["eq `xy` `xy`", "true", true],
    ["eq `xy` `xyz`", "false", true],
    ["eq .Uthree .Uthree", "true", true],
    ["eq .Uthree .Ufour", "false", true],
    ["eq 3 4 5 6 3", "true", true],
    ["eq 3 4 5 6 7", "false", true],
    ["ne true true", "false", true],
    ["ne true false", "true", true],
    ["ne 1+2i 1+2i", "false", true],
    ["ne 1+2i 1+3i", "true", true],
    ["ne 1.5 1.5", "false", true],
    ["ne 1.5 2.5", "true", true],
    ["ne 1 1", "false", true],
    ["ne 1 2", "true", true],
    ["ne `xy` `xy`", "false", true],
    ["ne `xy` `xyz`", "true", true],
    ["lt 1.5 1.5", "false", true],
    ["lt 1.5 2.5", "true", true],
    ["lt 1 1", "false", true],
    ["lt 1 2", "true", true],
    ["lt `xy` `xy`", "false", true],
    ["lt `xy` `xyz`", "true", true],
    ["le 1.5 1.5", "true", true],
    ["le 1.5 2.5", "true", true],
    ["le 2.5 1.5", "false", true],
    ["le 1 1", "true", true],
    ["le 1 2", "true", true],
    ["le 2 1", "false", true],
    ["le `xy` `xy`", "true", true],
    ["le `xy` `xyz`", "true", true],
    ["le `xyz` `xy`", "false", true],
    ["gt 1.5 1.5", "false", true],
    ["gt 1.5 2.5", "false", true],
    ["gt 1 1", "false", true],
    ["gt 2 1", "true", true],
    ["gt 1 2", "false", true],
    ["gt `xy` `xy`", "false", true],
    ["gt `xy` `xyz`", "false", true],
    ["ge 1.5 1.5", "true", true],
    ["ge 1.5 2.5", "false", true],
    ["ge 2.5 1.5", "true", true],
    ["ge 1 1", "true", true],
    ["ge 1 2", "false", true],
    ["ge 2 1", "true", true],
    ["ge `xy` `xy`", "true", true],
    ["ge `xy` `xyz`", "false", true],
    ["ge `xyz` `xy`", "true", true],
    ["lt .NegOne .Uthree", "true", true],
    ["gt .Uthree .NegOne", "true", true],
    ["eq (index `x` 0) 'x'", "true", true],
    ["eq (index `x` 0) 'y'", "false", true],
    ["eq .NilIface .NilIface", "true", true],
    ["eq .NilIface 0", "false", true],
    ["eq 0 .NilIface", "false", true],
    ["eq .Iface1 .NilIface", "false", true],
    ["eq .Map .Map", "true", true],
    ["eq .Map nil", "true", true],
    ["eq nil .Map", "true", true],
    ["eq .Map .NonNilMap", "false", true],
    ["eq .V1 .V1", "true", true],
    // Errors.
    ["eq `xy` 1", "", false],
    ["eq 2 2.0", "", false],
    ["lt true true", "", false],
    ["lt 1+0i 1+0i", "", false],
    ["eq .NonNilMap .NonNilMap", "", false],
    ["eq .NonNilMap .V1", "", false],
  ];
  for (const [expr, truth, ok] of cmpTests) {
    it(expr, async () => {
      const { out, err } = await run(
        parseTemplate("empty", `{{if ${expr}}}true{{else}}false{{end}}`),
        cmpData,
      );
      if (ok) {
        assert.equal(err, undefined, err?.message);
        assert.equal(out, truth);
      } else {
        assert.ok(err, `${expr} did not error`);
      }
    });
  }
});

describe("missing map keys (TestMissingMapKey)", () => {
  const data = setGoType({ x: 99n }, { elem: "int" });
  it("default, zero and error", async () => {
    const tmpl = parseTemplate("t1", "{{.x}} {{.y}}");
    assert.equal(await tmpl.execute(data), "99 <no value>");
    tmpl.option("missingkey=default");
    assert.equal(await tmpl.execute(data), "99 <no value>");
    tmpl.option("missingkey=zero");
    assert.equal(await tmpl.execute(data), "99 0");
    tmpl.option("missingkey=error");
    await assert.rejects(tmpl.execute(data), /map has no entry for key "y"/);
    await assert.rejects(tmpl.execute(null), /nil data; no entry for key "x"/);
  });

  it("zero values follow the element type of plain data", async () => {
    const tmpl = parseTemplate(
      "t",
      "[{{.a.missing}}][{{index .a `missing`}}][{{.b.missing}}][{{index .b `missing`}}]",
      {
        missingKey: "zero",
      },
    );
    assert.equal(await tmpl.execute({ a: { x: "y" }, b: { n: 1 } }), "[][][0][0]");
    assert.equal(
      await tmpl.execute({ a: { x: "y", n: 1 }, b: {} }),
      "[<no value>][<no value>][<no value>][<no value>]",
    );
  });

  it("rejects unknown options", () => {
    assert.throws(
      () => Template.create("t").option("missingkey=bogus"),
      /unrecognized option: missingkey=bogus/,
    );
  });
});

describe("templates (multi_test.go)", () => {
  it("parses definitions (TestMultiParse)", () => {
    const t = parseTemplate("root", `{{define "foo"}} FOO {{end}}{{define "bar"}} BAR {{end}}`);
    assert.equal(t.templates().length, 3);
    assert.equal(t.lookup("foo")?.tree?.root?.nodes.length, 1);
    assert.throws(() => parseTemplate("root", `{{define "foo"}} FOO `));
    assert.throws(() => parseTemplate("root", `{{define "foo}} FOO `));
  });

  const multiText1 = `
	{{define "x"}}TEXT{{end}}
	{{define "dotV"}}{{.V}}{{end}}
`;
  const multiText2 = `
	{{define "dot"}}{{.}}{{end}}
	{{define "nested"}}{{template "dot" .}}{{end}}
`;
  const root = (): Template =>
    Template.create("root").funcs(funcs).parse(multiText1).parse(multiText2);
  describe("TestMultiExecute", () =>
    testExecute(
      [
        ["empty", "", "", null, true],
        ["text", "some text", "some text", null, true],
        ["invoke x", `{{template "x" .SI}}`, "TEXT", tVal, true],
        ["invoke x no args", `{{template "x"}}`, "TEXT", tVal, true],
        ["invoke dot int", `{{template "dot" .I}}`, "17", tVal, true],
        ["invoke dot []int", `{{template "dot" .SI}}`, "[3 4 5]", tVal, true],
        ["invoke dotV", `{{template "dotV" .U}}`, "v", tVal, true],
        ["invoke nested int", `{{template "nested" .I}}`, "17", tVal, true],
        [
          "variable declared by template",
          `{{template "nested" $x:=.SI}},{{index $x 1}}`,
          "[3 4 5],4",
          tVal,
          true,
        ],
        ["testFunc literal", `{{oneArg "joe"}}`, "oneArg=joe", tVal, true],
        ["testFunc .", `{{oneArg .}}`, "oneArg=joe", "joe", true],
      ],
      root,
    ));

  it("clones (TestClone)", async () => {
    const r = parseTemplate("root", `{{define "a"}}{{template "b"}}{{template "c"}}{{end}}`).parse(
      `{{define "b"}}b{{end}}`,
    );
    const clone = r.clone();
    r.parse(`{{define "c"}}root{{end}}`);
    clone.parse(`{{define "c"}}clone{{end}}`);
    assert.equal(clone.lookup("root"), clone);
    assert.equal(await r.executeTemplate("a", 0n), "broot");
    assert.equal(await clone.executeTemplate("a", 0n), "bclone");
  });

  it("adds parse trees (TestAddParseTree)", async () => {
    const r = parseTemplate("root", `{{define "a"}}{{template "b"}}{{template "c"}}{{end}}`).parse(
      `{{define "b"}}b{{end}}`,
    );
    const other = parseTemplate("cloneText3", `{{define "c"}}root{{end}}`);
    const added = r.addParseTree("c", other.lookup("c")!.tree!);
    assert.equal(await added.executeTemplate("a", 0n), "broot");
  });

  it("allows redefinition in later parses (TestRedefinition)", () => {
    const t = parseTemplate("tmpl1", `{{define "test"}}foo{{end}}`);
    t.parse(`{{define "test"}}bar{{end}}`);
    t.new("tmpl2").parse(`{{define "test"}}bar{{end}}`);
  });

  it("looks up only defined templates (TestTemplateLookUp)", () => {
    const t1 = Template.create("foo");
    assert.equal(t1.lookup("foo"), undefined);
    t1.new("bar");
    assert.equal(t1.lookup("bar"), undefined);
    t1.parse(`{{define "foo"}}test{{end}}`);
    assert.notEqual(t1.lookup("foo"), undefined);
  });

  it("does not replace definitions by empty ones (TestEmptyTemplate)", async () => {
    const cases: [string[], string, string][] = [
      [["x", "y"], "", "y"],
      [[""], "once", ""],
      [["", ""], "twice", ""],
      [["{{.}}", "{{.}}"], "twice", "twice"],
      [["{{/* a comment */}}", "{{/* a comment */}}"], "comment", ""],
      [["{{.}}", ""], "twice", ""],
    ];
    for (const [defn, input, want] of cases) {
      const r = Template.create("root");
      let m: Template | undefined;
      for (const d of defn) m = r.new(input).parse(d);
      assert.equal(await m!.execute(input), want);
    }
  });

  it("overrides empty blocks (TestIssue19294)", async () => {
    const res = parseTemplate("title.xhtml", `{{template "xhtml" .}}`);
    res.new("stylesheet").parse(`{{define "stylesheet"}}stylesheet{{end}}`);
    res.new("xhtml").parse(`{{block "stylesheet" .}}{{end}}`);
    assert.equal(await res.execute(0n), "stylesheet");
  });

  it("overlays blocks on a clone (TestBlock)", async () => {
    const tmpl = parseTemplate("outer", `a({{block "inner" .}}bar({{.}})baz{{end}})b`);
    const tmpl2 = tmpl.clone().parse(`{{define "inner"}}foo({{.}})bar{{end}}`);
    assert.equal(await tmpl.execute("hello"), "a(bar(hello)baz)b");
    assert.equal(await tmpl2.execute("goodbye"), "a(foo(goodbye)bar)b");
  });

  it("walks a tree with other delimiters and trimming (TestTree)", async () => {
    const treeTemplate = `
	(- define "tree" -)
	[
		(- .Val -)
		(- with .Left -)
			(template "tree" . -)
		(- end -)
		(- with .Right -)
			(- template "tree" . -)
		(- end -)
	]
	(- end -)
`;
    type Node = { Val: bigint; Left: Node | null; Right: Node | null };
    const n = (Val: bigint, Left: Node | null = null, Right: Node | null = null): Node => ({
      Val,
      Left,
      Right,
    });
    const tree = n(1n, n(2n, n(3n, n(4n)), n(5n, n(6n))), n(7n, n(8n, n(9n)), n(10n, n(11n))));
    const tmpl = Template.create("root").delims("(", ")").parse(treeTemplate);
    const expect = "[1[2[3[4]][5[6]]][7[8[9]][10[11]]]]";
    assert.equal(await tmpl.lookup("tree")!.execute(tree), expect);
    assert.equal(await tmpl.executeTemplate("tree", tree), expect);
  });

  it("supports delimiters (TestDelims)", async () => {
    const pairs = [
      ["", ""],
      ["{{", "}}"],
      ["<<", ">>"],
      ["|", "|"],
      ["(日)", "(本)"],
    ];
    for (const [left, right] of pairs) {
      const l = left || "{{";
      const r = right || "}}";
      const text = `${l}.Str${r}${l}/*comment*/${r}${l}"${l}"${r}`;
      const tmpl = Template.create("delims").delims(left, right).parse(text);
      assert.equal(await tmpl.execute({ Str: "Hello, world" }), "Hello, world" + l);
    }
  });

  it("rejects unknown templates in executeTemplate", async () => {
    await assert.rejects(parseTemplate("a", "x").executeTemplate("b", null), {
      message: 'template: no template "b" associated with template "a"',
    });
  });

  it("validates function names (TestGoodFuncNames, TestBadFuncNames)", () => {
    for (const name of ["_", "a", "a1", "Ӵ"]) Template.create("X").funcs({ [name]: () => 0 });
    for (const name of ["", "2", "a-b"]) {
      assert.throws(
        () => Template.create("X").funcs({ [name]: () => 0 }),
        /is not a valid identifier/,
      );
    }
  });
});

describe("misc", () => {
  it("JS escaping (TestJSEscaping)", () => {
    const cases: [string, string][] = [
      [`a`, `a`],
      [`'foo`, `\\'foo`],
      [`Go "jump" \\`, `Go \\"jump\\" \\\\`],
      [`Yukihiro says "今日は世界"`, `Yukihiro says \\"今日は世界\\"`],
      ["unprintable \uFFFE", `unprintable \\uFFFE`],
      [`<html>`, `\\u003Chtml\\u003E`],
      [`no = in attributes`, `no \\u003D in attributes`],
      [`&#x27; does not become HTML entity`, `\\u0026#x27; does not become HTML entity`],
    ];
    for (const [input, exp] of cases) assert.equal(jsEscapeString(input), exp);
  });

  it("truth values (TestIsTrue)", () => {
    const cases: [unknown, boolean][] = [
      [1n, true],
      [0n, false],
      [1.0, true],
      [0.0, false],
      [new GoComplex(1, 0), true],
      [new GoComplex(0, 0), false],
      [true, true],
      [false, false],
      [[1n, 2n], true],
      [[], false],
      [{ a: 1n }, true],
      [{}, false],
      [new Map(), false],
      [null, false],
      [() => 1, true],
    ];
    for (const [v, want] of cases) assert.equal(isTrue(v)[0], want);
  });

  it("finalizes printf with a piped argument (TestFinalForPrintf)", async () => {
    assert.equal(await parseTemplate("", `{{"x" | printf}}`).execute(0n), "x");
  });

  it("calls functions explicitly (TestIssue31810)", async () => {
    assert.equal(await parseTemplate("", "{{ (.)  }}").execute("result"), "result");
    assert.equal(await parseTemplate("", "{{ (call .)  }}").execute(() => "result"), "result");
  });

  it("finds methods on indexed values (TestAddrOfIndex)", async () => {
    for (const text of [`{{range .}}{{.String}}{{end}}`, `{{with index . 0}}{{.String}}{{end}}`]) {
      assert.equal(await parseTemplate("tmpl", text).execute([new V(1n)]), "<1>");
    }
  });

  it("handles interface values (TestInterfaceValues)", async () => {
    const data = new Map<string, unknown>([
      ["PlusOne", goFunc(["int"], (n: bigint) => n + 1n)],
      ["Slice", ints(0n, 1n, 2n, 3n)],
      ["One", 1n],
      ["Two", 2n],
      ["Nil", null],
      ["Zero", 0n],
    ]);
    const tests: [string, string][] = [
      [`{{index .Nil 1}}`, "ERROR: index of untyped nil"],
      [`{{index .Slice 2}}`, "2"],
      [`{{index .Slice .Two}}`, "2"],
      [`{{call .Nil 1}}`, "ERROR: call of nil"],
      [`{{call (index . "PlusOne") 1}}`, "2"],
      [`{{call (index . "PlusOne") .One}}`, "2"],
      [`{{and (index .Slice 0) true}}`, "0"],
      [`{{and .Zero true}}`, "0"],
      [`{{and (index .Slice 1) false}}`, "false"],
      [`{{and .One false}}`, "false"],
      [`{{or (index .Slice 0) false}}`, "false"],
      [`{{or .Zero false}}`, "false"],
      [`{{or (index .Slice 1) true}}`, "1"],
      [`{{or .One true}}`, "1"],
      [`{{not (index .Slice 0)}}`, "true"],
      [`{{not .Zero}}`, "true"],
      [`{{not (index .Slice 1)}}`, "false"],
      [`{{not .One}}`, "false"],
      [`{{eq (index .Slice 0) .Zero}}`, "true"],
      [`{{eq (index .Slice 1) .One}}`, "true"],
      [`{{ne (index .Slice 0) .Zero}}`, "false"],
      [`{{ne (index .Slice 1) .One}}`, "false"],
      [`{{ge (index .Slice 0) .One}}`, "false"],
      [`{{ge (index .Slice 1) .Zero}}`, "true"],
      [`{{gt (index .Slice 0) .One}}`, "false"],
      [`{{gt (index .Slice 1) .Zero}}`, "true"],
      [`{{le (index .Slice 0) .One}}`, "true"],
      [`{{le (index .Slice 1) .Zero}}`, "false"],
      [`{{lt (index .Slice 0) .One}}`, "true"],
      [`{{lt (index .Slice 1) .Zero}}`, "false"],
    ];
    for (const [text, want] of tests) {
      const { out, err } = await run(parseTemplate("tmpl", text), data);
      if (want.startsWith("ERROR:")) {
        assert.ok(err?.message.includes(want.slice(7)), `${text}: ${err?.message}`);
      } else {
        assert.equal(err, undefined, `${text}: ${err?.message}`);
        assert.equal(out, want, text);
      }
    }
  });

  it("awaits asynchronous functions", async () => {
    const tmpl = parseTemplate(
      "a",
      `{{ range $i := slow 3 }}{{ $i }}{{ end }}-{{ slow 1 | len }}`,
      {
        funcs: {
          slow: goFunc(["int"], async (n: bigint) => {
            await new Promise((r) => setTimeout(r, 1));
            return ints(...Array.from({ length: Number(n) }, (_, i) => BigInt(i)));
          }),
        },
      },
    );
    assert.equal(await tmpl.execute(null), "012-1");
  });

  it("calls function-valued properties as methods", async () => {
    const data = { Name: () => "n", Greet: (who: string) => `hi ${who}`, Labels: { job: "x" } };
    assert.equal(
      await parseTemplate("m", `{{ .Name }} {{ .Greet "bob" }} {{ .Labels.job }}`).execute(data),
      "n hi bob x",
    );
  });

  it("converts Dates to Go times", async () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    assert.equal(
      await parseTemplate("d", `{{ . }}|{{ .Format "Jan 2 15:04" }}|{{ .Unix }}`).execute(d),
      "2024-01-02 03:04:05.678 +0000 UTC|Jan 2 03:04|1704164645",
    );
  });

  it("formats with sprint, sprintln and sprintf like Go", () => {
    assert.equal(sprint(["a", 1n, 2n, "b", "c", 3.5, true]), "a1 2bc3.5 true");
    assert.equal(sprintln(["a", 1n]), "a 1\n");
    assert.equal(sprintf("%d %!", [1n]), "1 %!!(MISSING)");
    assert.equal(sprintf("%d %", [1n]), "1 %!(NOVERB)");
  });
});
