import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toChdbParamValue, unescapeEscaped } from "./query-params.ts";

void describe("toChdbParamValue", () => {
  void it("unescapes scalar values completely", () => {
    assert.equal(unescapeEscaped("a\\tb\\\\c\\'d\\x41"), "a\tb\\c'dA");
    assert.equal(toChdbParamValue("it\\'s\\n", "String"), "it's\n");
    assert.equal(toChdbParamValue("it\\'s", undefined), "it's");
  });

  void it("maps \\N to null", () => {
    assert.equal(toChdbParamValue("\\N", "Nullable(String)"), null);
  });

  void it("keeps composite literals, doubling escaped quotes", () => {
    assert.equal(toChdbParamValue("['o\\'k','t\\tb']", "Array(String)"), "['o''k','t\tb']");
    assert.equal(toChdbParamValue("{'k\\\\':'v'}", "Map(String, String)"), "{'k\\':'v'}");
  });
});
