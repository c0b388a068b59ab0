import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeYamlV2, resolvePlain } from "./yaml-v2.ts";

describe("resolvePlain (yaml.v2 resolve)", () => {
  const cases: [string, unknown][] = [
    ["", null],
    ["~", null],
    ["null", null],
    ["yes", true],
    ["On", true],
    ["n", false],
    ["FALSE", false],
    ["12", 12n],
    ["-3", -3n],
    ["+7", 7n],
    ["0x1F", 31n],
    ["017", 15n],
    ["0o17", 15n],
    ["0b101", 5n],
    ["-0b11", -3n],
    ["1_000", 1000n],
    ["08", 8],
    ["1.5", 1.5],
    [".5", 0.5],
    ["1e3", 1000],
    ["18446744073709551615", 18446744073709551615n],
    ["18446744073709551616", 18446744073709552000],
    ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"],
    ["683a3817b3c25af6", "683a3817b3c25af6"],
    ["api-1:8080", "api-1:8080"],
    ["critical", "critical"],
    ["1.2.3", "1.2.3"],
  ];
  for (const [input, want] of cases) {
    it(`resolves ${JSON.stringify(input)}`, () => {
      assert.deepEqual(resolvePlain(input), want);
    });
  }
  it("resolves .inf and .nan", () => {
    assert.equal(resolvePlain(".inf"), Infinity);
    assert.equal(resolvePlain("-.Inf"), -Infinity);
    assert.ok(Number.isNaN(resolvePlain(".nan") as number));
  });
});

describe("decodeYamlV2", () => {
  it("decodes structures, keeps quoted scalars as strings and drops non-string keys", () => {
    const r = decodeYamlV2('{"a": ["1", 2, null], "b": {"c": "yes", "d": yes}, 1: x}');
    assert.ok(r.ok);
    assert.deepEqual(
      r.value,
      new Map<string, unknown>([
        ["a", ["1", 2n, null]],
        [
          "b",
          new Map<string, unknown>([
            ["c", "yes"],
            ["d", true],
          ]),
        ],
      ]),
    );
  });
  it("reads 'key: value' text as a mapping, as Alertmanager does", () => {
    const r = decodeYamlV2("Disk is full: 95% used");
    assert.ok(r.ok);
    assert.deepEqual(r.value, new Map([["Disk is full", "95% used"]]));
  });
  it("reports invalid YAML", () => {
    assert.equal(decodeYamlV2("key: [").ok, false);
    assert.equal(decodeYamlV2("a: b: c").ok, false);
  });
  it("resolves aliases and explicit tags", () => {
    const r = decodeYamlV2("a: &x 5\nb: *x\nc: !!str 6");
    assert.ok(r.ok);
    assert.deepEqual(
      r.value,
      new Map<string, unknown>([
        ["a", 5n],
        ["b", 5n],
        ["c", "6"],
      ]),
    );
  });
});
