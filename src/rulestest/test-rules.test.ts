import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { coverageOf } from "./coverage.ts";
import { BufferIo } from "./io.ts";
import { runTestFile } from "./runner.ts";
import { testRules } from "./test-rules.ts";

const TESTDATA = fileURLToPath(new URL("./testdata/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "vigil-rulestest-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe("runTestFile", () => {
  it("reports the rule files, alerting rules and alert cases it ran", async () => {
    const r = await runTestFile(`${TESTDATA}policy-test.yml`);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.ruleFiles, [`${TESTDATA}policy-rules.yml`]);
    assert.deepEqual(
      r.alertRules.map((a) => `${a.group}/${a.name}@${a.line}`),
      [
        "payments/PaymentsErrors@7",
        "payments/PaymentsSlow@15",
        "general/Watchdog@27",
        "general/NoOwner@35",
      ],
    );
    assert.deepEqual(
      r.alertCases.map((c) => `${c.alertname}:${c.firing ? "fires" : "silent"}`),
      [
        "PaymentsErrors:silent",
        "PaymentsErrors:fires",
        "Watchdog:fires",
        "NoOwner:silent",
        "Typo:silent",
      ],
    );
  });

  it("runs only the test groups --run selects, by RE2 alternatives", async () => {
    const f = `${TESTDATA}service-test.yml`;
    const all = await runTestFile(f);
    const latency = await runTestFile(f, { run: ["^lat"] });
    const none = await runTestFile(f, { run: ["nothing matches"] });
    assert.equal(all.errors.length, 6);
    assert.equal(latency.errors.length, 1);
    assert.match(latency.errors[0]!, /expr: "native_latency", time: 4m/);
    assert.deepEqual(none.errors, []);
  });

  it("fails a test file that cannot be read or decoded, with promtool's words", async () => {
    const missing = await runTestFile(join(tmp, "nope.yml"));
    assert.deepEqual(missing.errors, [`open ${join(tmp, "nope.yml")}: no such file or directory`]);
    const bad = await runTestFile(write("bad.yml", "tests:\n  - intervall: 1m\n"));
    assert.deepEqual(bad.errors, [
      "yaml: unmarshal errors:\n  line 2: field intervall not found in type main.testGroup",
    ]);
    const order = await runTestFile(write("order.yml", "group_eval_order: [a, b, a]\ntests: []\n"));
    assert.deepEqual(order.errors, ["group name repeated in evaluation order: a"]);
  });

  it("warns about rule_files patterns that match nothing", async () => {
    const io = new BufferIo();
    const f = write("nomatch.yml", "rule_files: [missing-*.yml]\ntests: [{}]\n");
    const r = await runTestFile(f, { err: io.err });
    assert.deepEqual(r.errors, []);
    assert.equal(io.stderr, `  WARNING: no file match pattern ${join(tmp, "missing-*.yml")}\n`);
  });

  it("compares floats exactly, or within one ulp with fuzzy_compare", async () => {
    const text = (fuzzy: boolean, v: string) =>
      `fuzzy_compare: ${fuzzy}\ntests:\n  - input_series:\n      - series: x\n        values: ${v}\n    promql_expr_test:\n      - expr: x\n        eval_time: 0\n        exp_samples:\n          - labels: x\n            value: 3\n`;
    const run = async (fuzzy: boolean, v: string) =>
      (await runTestFile(write("f.yml", text(fuzzy, v)))).errors.length;
    assert.equal(await run(false, "3"), 0);
    assert.equal(await run(false, "3.0000000000000004"), 1);
    assert.equal(await run(true, "3.0000000000000004"), 0);
    assert.equal(await run(true, "2.9999999999999996"), 0);
    assert.equal(await run(true, "3.000000000000001"), 1);
  });

  it("prints debug output with --debug", async () => {
    const io = new BufferIo();
    const f = write(
      "debug.yml",
      "tests:\n  - name: d\n    input_series:\n      - series: x\n        values: 1 2\n    promql_expr_test:\n      - expr: x\n        eval_time: 1m\n        exp_samples: [{labels: x, value: 2}]\n",
    );
    const r = await runTestFile(f, { debug: true, out: io.out });
    assert.deepEqual(r.errors, []);
    assert.match(io.stdout, /^DEBUG: Starting test d\n/);
    // The range (0, 1m1s] is open on the left, as in promtool: the sample at 0 is not shown.
    assert.match(
      io.stdout,
      /DEBUG: Dump of all data \(input_series and rules\) at 1m1s:\n\{__name__="x"\} =>\n2 @\[60000\]\n/,
    );
    assert.match(io.stdout, /DEBUG: Test d finished, took \d/);
  });
});

describe("test rules --coverage", () => {
  it("lists alerts without a firing or a silent case", async () => {
    const r = await runTestFile(`${TESTDATA}policy-test.yml`);
    const c = coverageOf([r]);
    assert.deepEqual(
      c.alerts.map((a) => `${a.name} ${a.firingCases}/${a.silentCases}`),
      ["NoOwner 0/1", "PaymentsErrors 1/1", "PaymentsSlow 0/0", "Watchdog 1/0"],
    );
    assert.deepEqual(
      c.neverFiring.map((a) => a.name),
      ["NoOwner", "PaymentsSlow"],
    );
    assert.deepEqual(
      c.neverSilent.map((a) => a.name),
      ["PaymentsSlow", "Watchdog"],
    );
    assert.deepEqual(c.unknownAlerts, ["Typo"]);
    assert.equal(c.complete, false);
  });

  it("fails only when the policy requires both cases", async () => {
    const f = `${TESTDATA}policy-test.yml`;
    const listed = await testRules([f], { coverage: true }, new BufferIo());
    assert.equal(listed.exitCode, 0);
    const io = new BufferIo();
    const required = await testRules([f], { coverage: true, requireCoverage: true }, io);
    assert.equal(required.exitCode, 1);
    assert.match(
      io.stdout,
      /no test expects these alerts to fire:\n {4}NoOwner \(.*policy-rules\.yml:35\)\n {4}PaymentsSlow/,
    );
    assert.match(io.stdout, /FAILED: the team policy requires a firing and a silent test case/);
  });

  it("passes the policy when every alert has both cases", async () => {
    const rules = write(
      "cov-rules.yml",
      "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n",
    );
    const test = write(
      "cov-test.yml",
      `rule_files: [${rules}]\ntests:\n  - input_series:\n      - series: up\n        values: 1 0\n    alert_rule_test:\n      - {eval_time: 0, alertname: Down, exp_alerts: []}\n      - {eval_time: 1m, alertname: Down, exp_alerts: [{}]}\n`,
    );
    const io = new BufferIo();
    const r = await testRules([test], { coverage: true, requireCoverage: true }, io);
    assert.equal(r.exitCode, 0, io.stdout + io.stderr);
    assert.match(io.stdout, /SUCCESS: every alert has a firing and a silent test case/);
  });
});
