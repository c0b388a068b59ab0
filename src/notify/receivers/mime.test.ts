import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  dotStuff,
  multipartBody,
  parseAddressList,
  qEncodeHeader,
  quotedPrintable,
} from "./mime.ts";

describe("quotedPrintable", () => {
  // The text-mode cases of Go's mime/quotedprintable writer_test.go.
  const a = (n: number): string => "a".repeat(n);
  const sp = (n: number): string => " ".repeat(n);
  const cases: [string, string][] = [
    ["", ""],
    ["foo bar", "foo bar"],
    ["foo bar=", "foo bar=3D"],
    ["foo bar\r", "foo bar\r\n"],
    ["foo bar\r\r", "foo bar\r\n\r\n"],
    ["foo bar\n", "foo bar\r\n"],
    ["foo bar\r\n", "foo bar\r\n"],
    ["foo bar\r\r\n", "foo bar\r\n\r\n"],
    ["foo bar ", "foo bar=20"],
    ["foo bar\t", "foo bar=09"],
    ["foo bar  ", "foo bar =20"],
    ["foo bar \n", "foo bar=20\r\n"],
    ["foo bar \r", "foo bar=20\r\n"],
    ["foo bar \r\n", "foo bar=20\r\n"],
    ["foo bar  \n", "foo bar =20\r\n"],
    ["foo bar  \n ", "foo bar =20\r\n=20"],
    ["¡Hola Señor!", "=C2=A1Hola Se=C3=B1or!"],
    ["\t !\"#$%&'()*+,-./ :;<>?@[\\]^_`{|}~", "\t !\"#$%&'()*+,-./ :;<>?@[\\]^_`{|}~"],
    [a(75), a(75)],
    [a(76), a(75) + "=\r\na"],
    [a(72) + "=", a(72) + "=3D"],
    [a(73) + "=", a(73) + "=\r\n=3D"],
    [a(74) + "=", a(74) + "=\r\n=3D"],
    [a(75) + "=", a(75) + "=\r\n=3D"],
    [sp(73), sp(72) + "=20"],
    [sp(74), sp(73) + "=\r\n=20"],
    [sp(75), sp(74) + "=\r\n=20"],
    [sp(76), sp(75) + "=\r\n=20"],
    [sp(77), sp(75) + "=\r\n =20"],
  ];
  for (const [input, want] of cases) {
    it(`encodes ${JSON.stringify(input.length > 20 ? input.slice(0, 20) + "…" : input)}`, () => {
      assert.equal(quotedPrintable(input), want);
    });
  }
});

describe("qEncodeHeader", () => {
  it("leaves printable ASCII alone", () => {
    assert.equal(qEncodeHeader("[FIRING:1] Foo (bar)"), "[FIRING:1] Foo (bar)");
  });
  it("encodes other text as RFC 2047 words of at most 75 characters", () => {
    assert.equal(qEncodeHeader("¡Hola, señor!"), "=?utf-8?q?=C2=A1Hola,_se=C3=B1or!?=");
    assert.equal(
      qEncodeHeader("é".repeat(11)),
      "=?utf-8?q?" + "=C3=A9".repeat(10) + "?= =?utf-8?q?=C3=A9?=",
    );
    assert.equal(qEncodeHeader("a=b?c_d\n"), "=?utf-8?q?a=3Db=3Fc=5Fd=0A?=");
  });
});

describe("multipartBody", () => {
  it("writes parts as mime/multipart does", () => {
    assert.equal(
      multipartBody("B", [
        { headers: { "Content-Type": "text/plain", "A-First": "1" }, body: "one" },
        { headers: { "Content-Type": "text/html" }, body: "two" },
      ]),
      "--B\r\nA-First: 1\r\nContent-Type: text/plain\r\n\r\none" +
        "\r\n--B\r\nContent-Type: text/html\r\n\r\ntwo\r\n--B--\r\n",
    );
  });
});

describe("parseAddressList", () => {
  it("extracts addresses", () => {
    assert.deepEqual(
      parseAddressList('a@example.com, "Ops, Team" <ops@example.com>,Bob <bob@x.y> (pager)'),
      ["a@example.com", "ops@example.com", "bob@x.y"],
    );
  });
  it("rejects elements without an address", () => {
    assert.throws(() => parseAddressList("a@b,"), /no address/);
    assert.throws(() => parseAddressList("nobody"), /missing @/);
  });
});

describe("dotStuff", () => {
  it("doubles leading dots and ends the data", () => {
    assert.equal(dotStuff(".a\nb\r\n.c"), "..a\r\nb\r\n..c\r\n.\r\n");
    assert.equal(dotStuff("x\r\n"), "x\r\n.\r\n");
    assert.equal(dotStuff(""), "\r\n.\r\n");
  });
});
