// `vigil test rules` with log input: LogQL rules from Loki ruler files (log_rule_files) or
// `query_language: logql` groups, input_streams, and logql_expr_test.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BufferIo } from "./io.ts";
import { runTestFile } from "./runner.ts";
import { testRules } from "./test-rules.ts";
import { parseTestFile } from "./testfile.ts";

const TESTDATA = fileURLToPath(new URL("./testdata/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "vigil-rulestest-logql-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const RULES = join(TESTDATA, "logql-rules.yml");

describe("vigil test rules with log input", () => {
  it("passes the example: alerts and recorded series from log lines", async () => {
    const io = new BufferIo();
    const r = await testRules([`${TESTDATA}logql-test.yml`], { coverage: true }, io);
    assert.equal(io.stderr, "");
    assert.equal(r.exitCode, 0);
    assert.match(io.stdout, /^ {2}SUCCESS\n/);
    assert.deepEqual(r.files[0]!.ruleFiles, [RULES]);
    assert.deepEqual(
      r.files[0]!.alertRules.map((a) => `${a.group}/${a.name}@${a.line}`),
      ["api-logs/ApiErrors@5"],
    );
  });

  it("decodes input_streams in both line forms, and logql_expr_test", () => {
    const f = parseTestFile(`log_rule_files: [a.yml]
tests:
  - input_streams:
      - labels: '{app="x"}'
        lines:
          - [30s, "one"]
          - {line: two, at: 1m, every: 10s, count: 3}
          - {line: three}
    logql_expr_test:
      - expr: count_over_time({app="x"}[1m])
        eval_time: 1m
        exp_samples: [{labels: '{app="x"}', value: 2}]
`);
    assert.deepEqual(f.logRuleFiles, ["a.yml"]);
    const g = f.tests[0]!;
    assert.deepEqual(
      g.inputStreams[0]!.lines.map((l) => [l.atMs, l.text, l.everyMs, l.count, l.srcLine]),
      [
        [30_000, "one", 0, 1, 6],
        [60_000, "two", 10_000, 3, 7],
        [0, "three", 0, 1, 8],
      ],
    );
    assert.equal(g.logqlExprTests[0]!.expr, 'count_over_time({app="x"}[1m])');
    assert.throws(
      () => parseTestFile('tests:\n  - input_streams:\n      - lines: [[1m, "a", 3]]\n'),
      /line 3: a log line is \[at, line\] or \{line: \.\.\., at: \.\.\., every: \.\.\., count: \.\.\.\}/,
    );
    assert.throws(
      () => parseTestFile("tests:\n  - input_streams:\n      - lines: [{line: a, when: 1m}]\n"),
      /line 3: field when not found in type main\.logLine/,
    );
  });

  it("fails with promtool's wording when alerts or values differ", async () => {
    const f = write(
      "fail-test.yml",
      `log_rule_files: [${JSON.stringify(RULES)}]
tests:
  - name: too few errors
    input_streams:
      - labels: '{app="api"}'
        lines:
          # A range is open at its start: the line at 0s is not in the 5m before 5m.
          - {line: "level=error", at: 0s, every: 30s, count: 6}
    alert_rule_test:
      - eval_time: 5m
        alertname: ApiErrors
        exp_alerts:
          - exp_labels: {app: api, severity: warning}
    logql_expr_test:
      - expr: count_over_time({app="api"}[5m])
        eval_time: 5m
        exp_samples:
          - labels: '{app="api"}'
            value: 7
      - expr: '{app="api"}'
        eval_time: 5m
`,
    );
    const r = await runTestFile(f);
    assert.equal(r.errors.length, 3, r.errors.join("\n"));
    assert.match(
      r.errors[0]!,
      /^ {4}name: too few errors,\n {4}alertname: ApiErrors, time: 5m, \n {8}exp:\[\n {12}0:\n {14}Labels:\{alertname="ApiErrors", app="api", severity="warning"\}/,
    );
    assert.match(r.errors[0]!, /got:\[\]$/);
    assert.equal(
      r.errors[1],
      '    expr: "count_over_time({app=\\"api\\"}[5m])", time: 5m,\n        exp: {app="api"} 7E+00\n        got: {app="api"} 5E+00',
    );
    assert.match(r.errors[2]!, /^ {4}expr: "\{app=\\"api\\"\}", time: 5m, err: .*instant query/);
  });

  it("refuses bad input streams, and reports LogQL rule evaluation errors", async () => {
    const bad = async (streams: string): Promise<readonly string[]> =>
      (
        await runTestFile(
          write(
            "bad-streams-test.yml",
            `log_rule_files: [${JSON.stringify(RULES)}]\ntests:\n  - input_streams:\n${streams}`,
          ),
        )
      ).errors;
    assert.deepEqual(await bad("      - labels: '{}'\n        lines: [[0s, a]]\n"), [
      'input_streams: line 4: labels "{}": a log stream needs a label',
    ]);
    assert.deepEqual(await bad("      - labels: 'up{a=\"b\"}'\n"), [
      'input_streams: line 4: labels "up{a=\\"b\\"}": a log stream has no metric name',
    ]);
    assert.deepEqual(
      await bad("      - labels: '{a=\"b\"}'\n        lines: [{line: x, count: 2}]\n"),
      ["input_streams: line 5: every must be set to repeat a line"],
    );
    assert.match(
      (await bad("      - labels: '{a=~\"b\"}'\n"))[0]!,
      /^input_streams: line 4: labels "\{a=~\\"b\\"\}": 1:3: parse error: unexpected <op:=~>/,
    );

    const rules = write(
      "json-rules.yml",
      `groups:
  - name: g
    rules:
      - record: parsed
        expr: count_over_time({app="api"} | json [5m])
`,
    );
    const r = await runTestFile(
      write(
        "json-test.yml",
        `log_rule_files: [${JSON.stringify(rules)}]
tests:
  - input_streams:
      - labels: '{app="api"}'
        lines: [[0s, "not json"]]
    logql_expr_test:
      - expr: vector(1)
        eval_time: 1m
`,
      ),
    );
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /^ {4}rule: parsed, time: 0s, err: pipeline error: 'JSONParserErr'/);
  });

  it("runs query_language: logql groups of rule_files next to PromQL groups reading their output", async () => {
    const rules = write(
      "mixed-rules.yml",
      `groups:
  - name: logs
    query_language: logql
    rules:
      - record: app:lines:count1m
        expr: sum by (app) (count_over_time({app=~".+"}[1m]))
  - name: metrics
    rules:
      - alert: TooManyLines
        expr: app:lines:count1m > 5
        labels: {severity: warning}
`,
    );
    const f = write(
      "mixed-test.yml",
      `rule_files: [${JSON.stringify(rules)}]
group_eval_order: [logs, metrics]
tests:
  - input_streams:
      - labels: '{app="a"}'
        lines: [{line: hello, at: 1m, every: 6s, count: 20}]
    alert_rule_test:
      - eval_time: 1m
        alertname: TooManyLines
      - eval_time: 2m
        alertname: TooManyLines
        exp_alerts: [{exp_labels: {app: a, severity: warning}}]
`,
    );
    const r = await runTestFile(f);
    assert.deepEqual(r.errors, []);
  });
});
