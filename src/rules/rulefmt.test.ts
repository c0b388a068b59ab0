import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseGoDuration, parseRuleFile } from "./rulefmt.ts";
import { goTemplateExpander } from "./template.ts";

const templates = goTemplateExpander;

describe("parseRuleFile", () => {
  it("decodes groups and rules with their settings", () => {
    const r = parseRuleFile(
      `groups:
  - name: api
    interval: 30s
    query_offset: 1m
    limit: 10
    labels: {team: payments}
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
        labels: {source: rule}
      - alert: HighErrorRate
        expr: job:http_errors:rate5m / job:http_requests:rate5m > 0.05
        for: 10m
        keep_firing_for: 5m
        labels:
          severity: critical
          priority: 1
        annotations:
          summary: "{{ $labels.job }} fails"
`,
      "api.yml",
      { templates },
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.groups.length, 1);
    const g = r.groups[0]!;
    assert.equal(g.name, "api");
    assert.equal(g.intervalMs, 30_000);
    assert.equal(g.queryOffsetMs, 60_000);
    assert.equal(g.limit, 10);
    assert.deepEqual(g.labels, { team: "payments" });
    assert.equal(g.rules.length, 2);
    const [rec, alert] = g.rules;
    assert.equal(rec!.kind, "recording");
    assert.equal(rec!.query.text, "sum by (job) (rate(http_requests_total[5m]))");
    assert.deepEqual(rec!.pos, { line: 8, column: 9 });
    assert.equal(alert!.kind, "alerting");
    assert.equal(alert!.forMs, 600_000);
    assert.equal(alert!.keepFiringForMs, 300_000);
    // A YAML number in a string map is decoded as its text, like yaml.v3 does.
    assert.deepEqual(alert!.labels, { severity: "critical", priority: "1" });
    assert.deepEqual(alert!.annotations, { summary: "{{ $labels.job }} fails" });
  });

  it("accepts an empty file and empty groups", () => {
    assert.deepEqual(parseRuleFile("", "e.yml"), { file: "e.yml", groups: [], errors: [] });
    assert.deepEqual(parseRuleFile("# nothing\n", "e.yml").errors, []);
    assert.deepEqual(parseRuleFile("groups:\n", "e.yml").groups, []);
    const r = parseRuleFile("groups:\n  - name: g\n", "e.yml");
    assert.deepEqual(r.errors, []);
    assert.equal(r.groups[0]!.rules.length, 0);
    assert.equal(r.groups[0]!.queryOffsetMs, undefined);
  });

  // Each case is a rule file and the messages of the problems found, in order.
  const cases: { name: string; yaml: string; errors: string[]; ignoreUnknown?: boolean }[] = [
    {
      name: "bad expression, braces in a record name",
      yaml: "groups:\n  - name: g\n    rules:\n      - record: a{b}\n        expr: sum(x\n",
      errors: [
        'f.yml:5:15: group "g", rule 1, "a{b}": could not parse expression: 1:6: parse error: unclosed left parenthesis',
        'f.yml:4:17: group "g", rule 1, "a{b}": braces present in the recording rule name; should it be in expr?: a{b}',
      ],
    },
    {
      name: "both record and alert",
      yaml: "groups:\n  - name: g\n    rules:\n      - alert: A\n        record: B\n        expr: up\n",
      errors: [`f.yml:5:17: group "g", rule 1, "A": only one of 'record' and 'alert' must be set`],
    },
    {
      name: "neither record nor alert, no expr",
      yaml: "groups:\n  - name: g\n    rules:\n      - alert: ''\n        expr: ''\n",
      errors: [
        `f.yml:4:16: group "g", rule 1, "": one of 'record' or 'alert' must be set`,
        `f.yml:5:15: group "g", rule 1, "": field 'expr' must be set in rule`,
      ],
    },
    {
      name: "missing expr",
      yaml: "groups:\n  - name: g\n    rules:\n      - alert: A\n",
      errors: [`f.yml:4:9: group "g", rule 1, "A": field 'expr' must be set in rule`],
    },
    {
      name: "bad template",
      yaml: "groups:\n  - name: g\n    rules:\n      - alert: T\n        expr: up\n        labels:\n          x: '{{ .Foo'\n",
      errors: [
        'f.yml:7:11: group "g", rule 1, "T": label "x": template: __alert_T:1: unclosed action',
      ],
    },
    {
      name: "bad annotation template",
      yaml: "groups:\n  - name: g\n    rules:\n      - alert: T\n        expr: up\n        annotations:\n          s: '{{ {{ }}'\n",
      errors: [
        'f.yml:7:11: group "g", rule 1, "T": annotation "s": template: __alert_T:1: unexpected "{" in command',
      ],
    },
    {
      name: "recording rule with alerting fields",
      yaml: "groups:\n  - name: g\n    rules:\n    - record: r\n      expr: up\n      for: 5m\n      keep_firing_for: 1m\n      annotations: {a: b}\n      labels:\n        __name__: x\n",
      errors: [
        `f.yml:4:15: group "g", rule 1, "r": invalid field 'annotations' in recording rule`,
        `f.yml:4:15: group "g", rule 1, "r": invalid field 'for' in recording rule`,
        `f.yml:4:15: group "g", rule 1, "r": invalid field 'keep_firing_for' in recording rule`,
        'f.yml:10:9: group "g", rule 1, "r": invalid label name: __name__',
      ],
    },
    {
      name: "repeated and empty group names",
      yaml: "groups:\n  - name: g\n  - name: g\n  - name: ''\n",
      errors: [
        'f.yml:3:5: groupname: "g" is repeated in the same file',
        "f.yml:4:5: Groupname must not be empty",
      ],
    },
    {
      name: "duplicate rules",
      yaml: "groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up\n  - name: h\n    rules:\n    - alert: A\n      expr: up == 0\n",
      errors: [
        'f.yml:8:14: group "h", rule 1, "A": duplicate rule: same name and labels as rule 1 of group "g"',
      ],
    },
    {
      name: "unknown fields",
      yaml: "groups:\n  - name: g\n    foo: 1\n    rules:\n      - alert: A\n        expr: up\n        bogus: 2\n",
      errors: [
        "f.yml:3:5: field foo not found in type rulefmt.RuleGroup",
        'f.yml:7:9: group "g", rule 1, "A": field bogus not found in type rulefmt.Rule',
      ],
    },
    {
      name: "unknown fields ignored on request",
      yaml: "groups:\n  - name: g\n    foo: 1\n    rules:\n      - alert: A\n        expr: up\n        bogus: 2\n",
      errors: [],
      ignoreUnknown: true,
    },
    {
      name: "unknown top-level field",
      yaml: "group:\n  - name: g\n",
      errors: ["f.yml:1:1: field group not found in type rulefmt.RuleGroups"],
    },
    {
      name: "bad durations",
      yaml: "groups:\n  - name: g\n    interval: 5x\n    rules:\n      - alert: A\n        expr: up\n        for: abc\n",
      errors: [
        'f.yml:3:15: unknown unit "x" in duration "5x"',
        'f.yml:7:14: group "g", rule 1, "A": not a valid duration string: "abc"',
      ],
    },
    {
      name: "wrong types",
      yaml: "groups:\n  - name: g\n    limit: x\n    rules:\n      - alert: A\n        expr: up\n        labels: [a]\n",
      errors: [
        "f.yml:3:12: cannot unmarshal !!str `x` into int",
        'f.yml:7:17: group "g", rule 1, "A": cannot unmarshal !!seq into map[string]string',
      ],
    },
    {
      name: "groups not a list",
      yaml: "groups: {name: g}\n",
      errors: ["f.yml:1:9: cannot unmarshal !!map into []rulefmt.RuleGroup"],
    },
    {
      name: "top level not a mapping",
      yaml: "- a\n",
      errors: ["f.yml:1:1: cannot unmarshal !!seq into rulefmt.RuleGroups"],
    },
    {
      name: "YAML syntax error",
      yaml: "groups: [\n",
      errors: [
        "f.yml:2:1: yaml: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const r = parseRuleFile(c.yaml, "f.yml", { templates, ignoreUnknownFields: c.ignoreUnknown });
      assert.deepEqual(
        r.errors.map((e) => e.message),
        c.errors,
      );
      if (c.errors.length > 0) assert.deepEqual(r.groups, []);
    });
  }

  it("gives structured errors", () => {
    const r = parseRuleFile(
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up +\n",
      "f.yml",
    );
    const [e] = r.errors;
    assert.equal(e!.kind, "invalid");
    assert.equal(e!.file, "f.yml");
    assert.equal(e!.line, 5);
    assert.equal(e!.column, 15);
    assert.equal(e!.group, "g");
    assert.equal(e!.ruleIndex, 1);
    assert.equal(e!.ruleName, "A");
    assert.match(e!.reason, /^could not parse expression: /);
  });

  it("lets duplicates pass when asked", () => {
    const yaml =
      "groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up\n    - alert: A\n      expr: up\n";
    assert.equal(parseRuleFile(yaml, "f.yml").errors[0]?.kind, "duplicate");
    assert.deepEqual(parseRuleFile(yaml, "f.yml", { duplicates: "ignore" }).errors, []);
    // Different labels make different rules.
    const labelled = yaml.replace(
      "expr: up\n    -",
      "expr: up\n      labels: {severity: critical}\n    -",
    );
    assert.deepEqual(parseRuleFile(labelled, "f.yml").errors, []);
  });
});

describe("parseGoDuration", () => {
  for (const [s, ms] of [
    ["0", 0],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["2w", 1_209_600_000],
    ["100ms", 100],
  ] as const) {
    it(`parses ${s}`, () => assert.equal(parseGoDuration(s), ms));
  }
  for (const [s, msg] of [
    ["", "empty duration string"],
    ["5", 'not a valid duration string: "5"'],
    ["m5", 'not a valid duration string: "m5"'],
    ["5x", 'unknown unit "x" in duration "5x"'],
    ["1m1h", 'not a valid duration string: "1m1h"'],
    ["1000000y", "duration out of range"],
  ] as const) {
    it(`rejects ${JSON.stringify(s)}`, () =>
      assert.throws(() => parseGoDuration(s), { message: msg }));
  }
});
