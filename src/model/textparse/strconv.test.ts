import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatGoFloat,
  formatOpenMetricsFloat,
  goQuote,
  goQuoteBytes,
  parseGoFloat,
  parseGoInt,
  parsePromFloat,
} from "./strconv.ts";

test("parseGoFloat accepts what Go's ParseFloat accepts", () => {
  const ok: [string, number][] = [
    ["1", 1],
    ["-1.5e3", -1500],
    ["+.5", 0.5],
    ["5.", 5],
    ["08", 8],
    ["1E-2", 0.01],
    ["inf", Infinity],
    ["+Inf", Infinity],
    ["-infinity", -Infinity],
    ["INFINITY", Infinity],
    ["1e-400", 0],
  ];
  for (const [s, v] of ok) assert.equal(parseGoFloat(s), v, s);
  assert.ok(Number.isNaN(parseGoFloat("NaN")));
  assert.ok(Number.isNaN(parseGoFloat("nan")));
  for (const s of ["", "+", ".", "1e", "1e+", "+nan", "infin", "0x1", "1.2.3", " 1", "true"]) {
    assert.throws(
      () => parseGoFloat(s),
      { message: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` },
      s,
    );
  }
  assert.throws(() => parseGoFloat("-1e309"), {
    message: 'strconv.ParseFloat: parsing "-1e309": value out of range',
  });
  assert.throws(() => parsePromFloat("1_000"), { message: "unsupported character in float" });
  assert.throws(() => parsePromFloat("0x1p3"), { message: "unsupported character in float" });
});

test("parseGoInt", () => {
  assert.equal(parseGoInt("-2"), -2);
  assert.equal(parseGoInt("+15"), 15);
  assert.equal(parseGoInt("9223372036854775807"), 2 ** 63);
  assert.throws(() => parseGoInt("9223372036854775808"), {
    message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range',
  });
  assert.throws(() => parseGoInt("2.5"), {
    message: 'strconv.ParseInt: parsing "2.5": invalid syntax',
  });
});

test("formatGoFloat spells floats like FormatFloat(f, 'g', -1, 64)", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [1, "1"],
    [-2.5, "-2.5"],
    [172.8, "172.8"],
    [100000, "100000"],
    [1e6, "1e+06"],
    [1756047.3, "1.7560473e+06"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [1e21, "1e+21"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [5e-324, "5e-324"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ];
  for (const [f, s] of cases) assert.equal(formatGoFloat(f), s, String(f));
  assert.equal(formatOpenMetricsFloat(1), "1.0");
  assert.equal(formatOpenMetricsFloat(0.25), "0.25");
  assert.equal(formatOpenMetricsFloat(1e6), "1e+06");
  assert.equal(formatOpenMetricsFloat(Infinity), "+Inf");
});

test("goQuote renders like Go's %q", () => {
  assert.equal(goQuote('a"b\\c\n\t\0'), '"a\\"b\\\\c\\n\\t\\x00"');
  assert.equal(goQuote("Björn 佖 😀"), '"Björn 佖 😀"');
  assert.equal(goQuote("\u00a0\u00ad\u200b"), '"\\u00a0\\u00ad\\u200b"');
  assert.equal(goQuoteBytes(Uint8Array.of(0x61, 0xff, 0xc3, 0x28)), '"a\\xff\\xc3("');
  assert.equal(goQuote("\x7f"), '"\\x7f"');
});
