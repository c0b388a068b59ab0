// Cases from Go's fmt/fmt_test.go and strconv/ftoa_test.go for the verbs templates use.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sprint, sprintf, sprintln } from "./fmt.ts";
import { formatFloat, parseFloat64, parseInt64, unquote } from "./strconv.ts";
import { GoComplex, setGoType } from "./value.ts";
import { marshalJSON } from "./json.ts";

const strs = (...s: string[]): string[] => setGoType(s, { elem: "string" });
const ints = (...v: bigint[]): bigint[] => setGoType(v, { elem: "int" });

describe("strconv.FormatFloat (ftoa_test.go)", () => {
  const cases: [number, "e" | "f" | "g", number, string][] = [
    [1, "e", 5, "1.00000e+00"],
    [1, "f", 5, "1.00000"],
    [1, "g", 5, "1"],
    [1, "g", -1, "1"],
    [20, "g", -1, "20"],
    [1234567.8, "g", -1, "1.2345678e+06"],
    [200000, "g", -1, "200000"],
    [2000000, "g", -1, "2e+06"],
    [400, "g", 2, "4e+02"],
    [40, "g", 2, "40"],
    [4, "g", 2, "4"],
    [0.4, "g", 2, "0.4"],
    [0.04, "g", 2, "0.04"],
    [0.004, "g", 2, "0.004"],
    [0.0004, "g", 2, "0.0004"],
    [0.00004, "g", 2, "4e-05"],
    [0.000004, "g", 2, "4e-06"],
    [0, "e", 5, "0.00000e+00"],
    [0, "f", 5, "0.00000"],
    [0, "g", 5, "0"],
    [0, "g", -1, "0"],
    [-1, "e", 5, "-1.00000e+00"],
    [-1, "f", 5, "-1.00000"],
    [-1, "g", 5, "-1"],
    [12, "e", 5, "1.20000e+01"],
    [12, "f", 5, "12.00000"],
    [123456700, "e", 5, "1.23457e+08"],
    [123456700, "f", 5, "123456700.00000"],
    [123456700, "g", 5, "1.2346e+08"],
    [1.2345e6, "e", 5, "1.23450e+06"],
    [1.2345e6, "f", 5, "1234500.00000"],
    [1e23, "e", 17, "9.99999999999999916e+22"],
    [1e23, "f", 17, "99999999999999991611392.00000000000000000"],
    [1e23, "g", 17, "9.9999999999999992e+22"],
    [1e23, "e", -1, "1e+23"],
    [1e23, "f", -1, "100000000000000000000000"],
    [1e23, "g", -1, "1e+23"],
    [32, "g", -1, "32"],
    [32, "g", 0, "3e+01"],
    [100, "g", -1, "100"],
    [1000000, "g", -1, "1e+06"],
    [-0, "g", -1, "-0"],
    [0.5, "f", 0, "0"],
    [1.5, "f", 0, "2"],
    [2.5, "f", 0, "2"],
    [0.25, "f", 1, "0.2"],
    [0.35, "f", 1, "0.3"],
    [0.45, "f", 1, "0.5"],
    [1.005, "f", 2, "1.00"],
    [0.006, "f", 2, "0.01"],
    [0.0004, "f", 2, "0.00"],
    [5e-324, "e", -1, "5e-324"],
    [1.7976931348623157e308, "g", -1, "1.7976931348623157e+308"],
    [Infinity, "g", -1, "+Inf"],
    [-Infinity, "f", 2, "-Inf"],
    [NaN, "e", 3, "NaN"],
  ];
  for (const [v, fmt, prec, want] of cases) {
    it(`${v} ${fmt} ${prec}`, () => assert.equal(formatFloat(v, fmt, prec), want));
  }
});

describe("strconv parsing", () => {
  it("ParseFloat", () => {
    assert.equal(parseFloat64("1.5"), 1.5);
    assert.equal(parseFloat64("+Inf"), Infinity);
    assert.equal(parseFloat64("-infinity"), -Infinity);
    assert.ok(Number.isNaN(parseFloat64("NaN")));
    assert.equal(parseFloat64("0x1p-2"), 0.25);
    assert.equal(parseFloat64("1_000.5"), 1000.5);
    assert.throws(() => parseFloat64("one"), {
      message: 'strconv.ParseFloat: parsing "one": invalid syntax',
    });
    assert.throws(() => parseFloat64("1e400"), {
      message: 'strconv.ParseFloat: parsing "1e400": value out of range',
    });
    assert.throws(() => parseFloat64("_1"), /invalid syntax/);
    assert.throws(() => parseFloat64("0x1.8"), /invalid syntax/);
  });

  it("ParseInt with base prefixes", () => {
    assert.equal(parseInt64("0x_1F"), 31n);
    assert.equal(parseInt64("-0b101"), -5n);
    assert.equal(parseInt64("017"), 15n);
    assert.equal(parseInt64("0o17"), 15n);
    assert.equal(parseInt64("0"), 0n);
    assert.throws(() => parseInt64("9223372036854775808"), /value out of range/);
    assert.throws(() => parseInt64("1__0"), /invalid syntax/);
    assert.throws(() => parseInt64("0x"), /invalid syntax/);
  });

  it("Unquote", () => {
    assert.equal(unquote('"a\\tb\\u00e9\\x41"'), "a\tbéA");
    assert.equal(unquote("`raw\\n`"), "raw\\n");
    assert.equal(unquote("'x'"), "x");
    assert.throws(() => unquote('"\\q"'), /invalid syntax/);
    assert.throws(() => unquote('"abc'), /invalid syntax/);
  });
});

describe("fmt.Sprintf (fmt_test.go)", () => {
  const cases: [string, unknown[], string][] = [
    ["%d", [12345n], "12345"],
    ["%v", [12345n], "12345"],
    ["%t", [true], "true"],
    // Strings.
    ["%s", ["abc"], "abc"],
    ["%q", ["abc"], `"abc"`],
    ["%x", ["abc"], "616263"],
    ["%x", ["xyz"], "78797a"],
    ["%X", ["xyz"], "78797A"],
    ["% x", ["xyz"], "78 79 7a"],
    ["%#x", ["xyz"], "0x78797a"],
    ["%# x", ["xyz"], "0x78 0x79 0x7a"],
    ["%q", ['"'], `"\\""`],
    ["%#q", ["abc"], "`abc`"],
    ["%#q", ["`"], '"`"'],
    ["%+q", ["日本語"], `"\\u65e5\\u672c\\u8a9e"`],
    ["%q", ["\x00"], `"\\x00"`],
    ["%q", ["\u263a"], `"☺"`],
    ["%5s", ["abc"], "  abc"],
    ["%-5s", ["abc"], "abc  "],
    ["%05s", ["abc"], "00abc"],
    ["%5s", ["abcdefghijklmnopqrstuvwxyz"], "abcdefghijklmnopqrstuvwxyz"],
    ["%.5s", ["abcdefghijklmnopqrstuvwxyz"], "abcde"],
    ["%.0s", ["日本語日本語"], ""],
    ["%.5s", ["日本語日本語"], "日本語日本"],
    ["%10.3q", ["日本語日本語"], `     "日本語"`],
    // Characters.
    ["%c", [120n], "x"],
    ["%c", [0xe4n], "ä"],
    ["%c", [0x672cn], "本"],
    ["%q", [120n], `'x'`],
    ["%q", [10n], `'\\n'`],
    ["%+q", [0xe4n], `'\\u00e4'`],
    ["%U", [1n], "U+0001"],
    ["%U", [0x1234n], "U+1234"],
    ["%#U", [120n], "U+0078 'x'"],
    ["%#U", [10n], "U+000A"],
    ["%#14.6U", [0x2318n], "  U+002318 '⌘'"],
    ["%-14.6U", [0x2318n], "U+002318      "],
    // Integers.
    ["%d", [-12345n], "-12345"],
    ["%10d", [12345n], "     12345"],
    ["%10d", [-12345n], "    -12345"],
    ["%+d", [12345n], "+12345"],
    ["%+d", [-12345n], "-12345"],
    ["%010d", [12345n], "0000012345"],
    ["%010d", [-12345n], "-000012345"],
    ["%-10d", [12345n], "12345     "],
    ["%-010d", [12345n], "12345     "],
    ["% d", [12345n], " 12345"],
    ["%.3d", [7n], "007"],
    ["%6.3d", [7n], "   007"],
    ["%.0d", [0n], ""],
    ["%5.0d", [0n], "     "],
    ["%b", [7n], "111"],
    ["%#b", [7n], "0b111"],
    ["%o", [0o1234n], "1234"],
    ["%#o", [0o1234n], "01234"],
    ["%O", [0o1234n], "0o1234"],
    ["%x", [0x12abcdefn], "12abcdef"],
    ["%X", [0x12abcdefn], "12ABCDEF"],
    ["%#x", [255n], "0xff"],
    ["%#X", [255n], "0XFF"],
    ["%x", [-1n], "-1"],
    ["%04x", [127n], "007f"],
    ["%x", [-9223372036854775808n], "-8000000000000000"],
    // Floats.
    ["%+.3e", [0.0], "+0.000e+00"],
    ["%+.3e", [1.0], "+1.000e+00"],
    ["%+.3f", [-1.0], "-1.000"],
    ["%+07.2f", [1.0], "+001.00"],
    ["%+07.2f", [-1.0], "-001.00"],
    ["%-07.2f", [1.0], "1.00   "],
    ["%+-07.2f", [-1.0], "-1.00  "],
    ["%e", [1.0], "1.000000e+00"],
    ["%e", [1234.5678e3], "1.234568e+06"],
    ["%e", [1234.5678e-8], "1.234568e-05"],
    ["%e", [-7.0], "-7.000000e+00"],
    ["%e", [-1e-9], "-1.000000e-09"],
    ["%f", [1234.5678e3], "1234567.800000"],
    ["%f", [1234.5678e-8], "0.000012"],
    ["%f", [-7.0], "-7.000000"],
    ["%f", [-1e-9], "-0.000000"],
    ["%g", [1234.5678e3], "1.2345678e+06"],
    ["%g", [1234.5678e-8], "1.2345678e-05"],
    ["%g", [-7.0], "-7"],
    ["%g", [-1e-9], "-1e-09"],
    ["%E", [1.0], "1.000000E+00"],
    ["%G", [1234.5678e3], "1.2345678E+06"],
    ["%G", [-1e-9], "-1E-09"],
    ["%v", [1e6], "1e+06"],
    ["%v", [123456.0], "123456"],
    ["%v", [0.000012], "1.2e-05"],
    ["%5.2f", [3.14159], " 3.14"],
    ["%.4g", [1234567.0], "1.235e+06"],
    ["%.3g", [1.0], "1"],
    ["%#g", [1.0], "1.00000"],
    ["%#g", [1000000.0], "1.00000e+06"],
    ["%#.4g", [1.0], "1.000"],
    ["%#.0f", [1.0], "1."],
    ["%#.0e", [1.0], "1.e+00"],
    ["%#.3g", [1.0], "1.00"],
    ["%f", [NaN], "NaN"],
    ["%+f", [NaN], "+NaN"],
    ["% f", [NaN], " NaN"],
    ["%f", [Infinity], "+Inf"],
    ["%.1f", [-Infinity], "-Inf"],
    ["%20f", [Infinity], "                +Inf"],
    ["% 20F", [Infinity], "                 Inf"],
    ["% 20e", [-Infinity], "                -Inf"],
    ["%+-20G", [Infinity], "+Inf                "],
    ["%20e", [NaN], "                 NaN"],
    ["% +20E", [NaN], "                +NaN"],
    ["% -20g", [NaN], " NaN                "],
    ["%+020e", [Infinity], "                +Inf"],
    ["%-020f", [-Infinity], "-Inf                "],
    ["%0-20E", [NaN], "NaN                 "],
    // Complex.
    ["%v", [new GoComplex(1, 2)], "(1+2i)"],
    ["%.2f", [new GoComplex(1, -2)], "(1.00-2.00i)"],
    // Composites.
    ["%v", [ints(1n, 2n, 3n)], "[1 2 3]"],
    ["%d", [ints(1n, 2n, 3n)], "[1 2 3]"],
    ["%q", [strs("a", "b")], `["a" "b"]`],
    ["%5q", [strs("a", "b")], `[  "a"   "b"]`],
    ["%x", [strs("a", "b")], "[61 62]"],
    ["%v", [{ b: 2n, a: 1n }], "map[a:1 b:2]"],
    [
      "%v",
      [
        new Map([
          [2n, "x"],
          [1n, "y"],
        ]),
      ],
      "map[1:y 2:x]",
    ],
    [
      "%+v",
      [
        new (class {
          A = 7n;
          B = "seven";
        })(),
      ],
      "{A:7 B:seven}",
    ],
    [
      "%v",
      [
        new (class {
          A = 7n;
          B = strs("x");
        })(),
      ],
      "{7 [x]}",
    ],
    ["%s", [{ String: () => "stringer" }], "stringer"],
    ["%v", [new Error("boom")], "boom"],
    // Types.
    ["%T", [1n], "int"],
    ["%T", [1.5], "float64"],
    ["%T", ["x"], "string"],
    ["%T", [null], "<nil>"],
    ["%T", [true], "bool"],
    ["%T", [strs("a")], "[]string"],
    ["%T", [{ a: "b" }], "map[string]string"],
    ["%T", [new GoComplex(0, 1)], "complex128"],
    // Errors.
    ["%d", ["hello"], "%!d(string=hello)"],
    ["%z", [12n], "%!z(int=12)"],
    ["%d", [1.5], "%!d(float64=1.5)"],
    ["%s", [3n], "%!s(int=3)"],
    ["%t", [1n], "%!t(int=1)"],
    ["%v", [null], "<nil>"],
    ["%s", [null], "%!s(<nil>)"],
    ["%d", [undefined], "%!d(<nil>)"],
    ["%d", [1n, 2n], "1%!(EXTRA int=2)"],
    ["%d", [1n, "x", null], "1%!(EXTRA string=x, <nil>)"],
    ["%d %d", [1n], "1 %!d(MISSING)"],
    ["%", [], "%!(NOVERB)"],
    ["%%", [], "%"],
    ["%5%", [], "%"],
    // Widths and precisions from arguments, and argument indexes.
    ["%*d", [4n, 42n], "  42"],
    ["%-*d", [4n, 42n], "42  "],
    ["%*d", [-4n, 42n], "42  "],
    ["%.*d", [4n, 42n], "0042"],
    ["%*d", ["x", 42n], "%!(BADWIDTH)42"],
    ["%.*d", ["x", 42n], "%!(BADPREC)42"],
    ["%[2]d %[1]d", [1n, 2n], "2 1"],
    ["%[3]d", [1n, 2n], "%!d(BADINDEX)"],
    ["%[1]d %d", [1n, 2n], "1 2"],
    ["%[2]*[1]d", [12n, 2n], "12"],
    ["%d %d %[1]d", [1n, 2n], "1 2 1"],
  ];
  for (const [format, args, want] of cases) {
    it(`${format} ${sprint(args.map((a) => (typeof a === "object" && a !== null ? "obj" : a)))}`, () =>
      assert.equal(sprintf(format, args), want));
  }
});

describe("fmt.Sprint and Sprintln", () => {
  it("adds spaces between operands when neither is a string", () => {
    assert.equal(sprint([1n, 2n, "a", "b", 3.5, null]), "1 2ab3.5 <nil>");
    assert.equal(sprint([]), "");
    assert.equal(sprintln(["a", "b", 1n]), "a b 1\n");
  });
});

describe("json.Marshal", () => {
  it("encodes like encoding/json", () => {
    assert.equal(marshalJSON("<a&b>\u2028"), '"\\u003ca\\u0026b\\u003e\\u2028"');
    assert.equal(marshalJSON(1e21), "1e+21");
    assert.equal(marshalJSON(1e-7), "1e-7");
    assert.equal(marshalJSON(0.1), "0.1");
    assert.equal(marshalJSON(123456789.0), "123456789");
    assert.equal(marshalJSON({ b: [1n, null], a: true }), '{"a":true,"b":[1,null]}');
    assert.throws(() => marshalJSON(NaN), { message: "json: unsupported value: NaN" });
  });
});
