import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestFileError, parseTestFile } from "./testfile.ts";

describe("parseTestFile (promtool's unit test format)", () => {
  it("decodes every field", () => {
    const f = parseTestFile(`
rule_files: [a.yml, "b/*.yml"]
evaluation_interval: 30s
group_eval_order: [g2, g1]
fuzzy_compare: yes
tests:
  - name: t
    interval: 1m
    external_labels: {cluster: eu1}
    external_url: https://x
    input_series:
      - series: 'up{job="a"}'
        values: 0+1x3
      - series: b
        values: 1
    alert_rule_test:
      - eval_time: 5m
        alertname: A
        exp_alerts:
          - exp_labels: {severity: page, n: 10}
            exp_annotations: {summary: "x"}
          - {}
      - eval_time: 0
        alertname: B
    promql_expr_test:
      - expr: up
        eval_time: 1h
        exp_samples:
          - labels: 'up{job="a"}'
            value: 3.5
          - histogram: "{{count:1}}"
`);
    assert.deepEqual(f.ruleFiles, ["a.yml", "b/*.yml"]);
    assert.equal(f.evaluationIntervalMs, 30_000);
    assert.deepEqual(f.groupEvalOrder, ["g2", "g1"]);
    assert.equal(f.fuzzyCompare, true, "YAML 1.1: yes is true");
    const t = f.tests[0]!;
    assert.equal(t.name, "t");
    assert.equal(t.intervalMs, 60_000);
    assert.deepEqual(t.externalLabels, { cluster: "eu1" });
    assert.equal(t.externalURL, "https://x");
    assert.deepEqual(t.inputSeries, [
      { series: 'up{job="a"}', values: "0+1x3" },
      { series: "b", values: "1" },
    ]);
    assert.equal(t.alertRuleTests[0]!.evalTimeMs, 300_000);
    assert.deepEqual(t.alertRuleTests[0]!.expAlerts, [
      { expLabels: { severity: "page", n: "10" }, expAnnotations: { summary: "x" } },
      { expLabels: {}, expAnnotations: {} },
    ]);
    assert.deepEqual(t.alertRuleTests[1]!.expAlerts, []);
    assert.equal(t.promqlExprTests[0]!.evalTimeMs, 3_600_000);
    assert.deepEqual(t.promqlExprTests[0]!.expSamples, [
      { labels: 'up{job="a"}', value: 3.5, histogram: "" },
      { labels: "", value: 0, histogram: "{{count:1}}" },
    ]);
  });

  it("keeps scalars as written when they decode into strings", () => {
    const f = parseTestFile("tests:\n  - input_series:\n      - series: a\n        values: 0x10\n");
    assert.equal(f.tests[0]!.inputSeries[0]!.values, "0x10");
  });

  it("accepts an empty file and empty tests", () => {
    assert.deepEqual(parseTestFile("").tests, []);
    const f = parseTestFile("tests:\n  - {}\n  -\n");
    assert.equal(f.tests.length, 2);
    assert.equal(f.tests[1]!.name, "");
  });

  // Messages as yaml.v2 UnmarshalStrict and model.Duration word them (checked with promtool).
  for (const [name, text, want] of [
    [
      "unknown field",
      "tests:\n  - interval: 1m\n    foo: 1\n",
      "yaml: unmarshal errors:\n  line 3: field foo not found in type main.testGroup",
    ],
    [
      "wrong types, all reported",
      "tests:\n  - external_labels: 3\n    promql_expr_test:\n      - exp_samples:\n          - value: abc\n",
      "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!int `3` into map[string]string\n  line 5: cannot unmarshal !!str `abc` into float64",
    ],
    [
      "NaN is not a YAML 1.1 float",
      "tests:\n  - promql_expr_test:\n      - exp_samples:\n          - value: NaN\n",
      "yaml: unmarshal errors:\n  line 4: cannot unmarshal !!str `NaN` into float64",
    ],
    [
      "long values are shortened",
      "fuzzy_compare: abcdefghijkl\n",
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `abcdefg...` into bool",
    ],
    [
      "bad duration stops decoding",
      "evaluation_interval: 5\ntests: 3\n",
      'not a valid duration string: "5"',
    ],
    ["unknown unit", "tests:\n  - interval: 5x\n", 'unknown unit "x" in duration "5x"'],
    [
      "a list where a struct belongs",
      "tests: [[1]]\n",
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into main.testGroup",
    ],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseTestFile(text),
        (err: unknown) => err instanceof TestFileError && err.message === want,
      );
    });
  }

  it("reports YAML syntax errors with their line", () => {
    assert.throws(() => parseTestFile("tests:\n  - a: [\n"), /^TestFileError: yaml: line \d+: /);
  });
});
