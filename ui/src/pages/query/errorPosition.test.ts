import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseErrorPosition } from "./errorPosition.ts";

describe("parseErrorPosition", () => {
  it("maps line and column to offsets", () => {
    assert.deepEqual(
      parseErrorPosition(
        'invalid parameter "query": 1:6: parse error: expected range vector',
        "rate(up)",
      ),
      { from: 5, to: 7, detail: "expected range vector" },
    );
    assert.deepEqual(parseErrorPosition('1:7: parse error: unexpected "}"', "foo{a=}"), {
      from: 6,
      to: 7,
      detail: 'unexpected "}"',
    });
    assert.deepEqual(parseErrorPosition("2:3: parse error: x", "up\n+ bar{"), {
      from: 5,
      to: 8,
      detail: "x",
    });
  });

  it("marks the last character for an error at the end", () => {
    assert.deepEqual(parseErrorPosition("1:5: parse error: unexpected end of input", "up +"), {
      from: 3,
      to: 4,
      detail: "unexpected end of input",
    });
  });

  it("counts columns in UTF-8 bytes", () => {
    // "é" is two bytes: column 9 is after `{a="é"` + 1 → the "}" at offset 7.
    const q = 'x{a="é"}}';
    assert.equal(parseErrorPosition("1:9: parse error: y", q)?.from, 7);
  });

  it("reads LogQL's positions, whose columns count characters", () => {
    assert.deepEqual(
      parseErrorPosition(
        "parse error at line 1, col 11: syntax error: unexpected IDENTIFIER",
        '{app="a"} foo',
      ),
      { from: 10, to: 13, detail: "syntax error: unexpected IDENTIFIER" },
    );
    // "é" is one character: col 9 is the "|" after `{a="é"} `.
    assert.equal(parseErrorPosition("parse error at line 1, col 9: x", '{a="é"} | bad')?.from, 8);
    assert.equal(parseErrorPosition("parse error : queries require a selector", "x"), undefined);
  });

  it("returns undefined without a position", () => {
    assert.equal(parseErrorPosition("query timed out", "up"), undefined);
    assert.equal(parseErrorPosition("9:1: parse error: x", "up"), undefined);
  });
});
