import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { testAlertsCommand } from "../cli/alerts.ts";
import { loadRoutingConfig } from "../cli/routes.ts";
import { AlertTestFileError, parseAlertTestText, runAlertTestFile } from "./index.ts";

const DATA = fileURLToPath(new URL("./testdata/", import.meta.url));

function bufferIo(): {
  out: string;
  err: string;
  io: { out(s: string): void; err(s: string): void };
} {
  const b = {
    out: "",
    err: "",
    io: { out: (s: string) => void (b.out += s), err: (s: string) => void (b.err += s) },
  };
  return b;
}

/** run parses `text` as if it were a file in testdata/ and runs it. */
async function run(text: string) {
  const f = parseAlertTestText(text, join(DATA, "inline.test.yml"));
  return runAlertTestFile(f, loadRoutingConfig);
}

void test("vigil test alerts: the example files pass", async () => {
  const b = bufferIo();
  const code = await testAlertsCommand(
    [join(DATA, "disk.test.yml"), join(DATA, "team.test.yml")],
    b.io,
  );
  assert.equal(b.err, "");
  assert.equal(code, 0);
  assert.match(b.out, /disk\.test\.yml\n {2}SUCCESS\n/);
  assert.match(b.out, /team\.test\.yml\n {2}SUCCESS\n/);
});

void test("vigil test alerts: a wrong time, title, status or alert set fails and says what was sent", async () => {
  const good = readFileSync(join(DATA, "disk.test.yml"), "utf8");
  const cases: [string, string, RegExp][] = [
    [
      "at: 4m30s",
      "at: 4m",
      /expected a notification at 4m to pager[\s\S]*got notifications at 4m30s, 9m30s/,
    ],
    ['title: "FIRING: DiskFull"', 'title: "FIRING: Disk"', /title is "FIRING: DiskFull"/],
    ["status: resolved\n        title", "status: firing\n        title", /status is resolved/],
    [
      "alerts: [{ alertname: DiskFull, instance: a, team: infra }]",
      "alerts: [{ alertname: DiskFull, instance: b }]",
      /no alert has labels \{alertname="DiskFull", instance="b"\}/,
    ],
    ["integration: slack", "integration: slack[1]", /integration is slack\[0\]/],
  ];
  for (const [from, to, want] of cases) {
    assert.ok(good.includes(from), from);
    const [r] = await run(good.replace(from, to));
    assert.ok(
      r!.failures.some((f) => want.test(f)),
      `${to}: ${r!.failures.join("\n")}`,
    );
  }
  // Leaving an expectation out makes the notification unexpected.
  const cut = good.slice(0, good.indexOf("      # DiskFilling was inhibited"));
  const [r] = await run(cut);
  assert.deepEqual(r!.failures, [
    'unexpected notification: at 11m30s default (webhook[0]) resolved [{alertname="DiskFilling", instance="a", severity="warning", team="infra"}]',
  ]);
});

void test("vigil test alerts: repeat_interval resends a firing group", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-alerttest-"));
  writeFileSync(
    join(dir, "am.yml"),
    "route: {receiver: r, group_wait: 0s, group_interval: 1m, repeat_interval: 20m}\n" +
      "receivers: [{name: r, webhook_configs: [{url: 'http://127.0.0.1:1/'}]}]\n",
  );
  writeFileSync(
    join(dir, "rules.yml"),
    "groups: [{name: g, rules: [{alert: Up, expr: 'up == 1', labels: {team: x}}]}]\n",
  );
  const text =
    "rule_files: [rules.yml]\nrouting_config: am.yml\ntests:\n" +
    "  - input_series: [{series: 'up{job=\"a\"}', values: '1x60'}]\n" +
    "    duration: 50m\n";
  const [r] = await runAlertTestFile(
    parseAlertTestText(text, join(dir, "t.yml")),
    loadRoutingConfig,
  );
  // group_wait 0: sent at the first evaluation. A repeat is due once the last notification is
  // strictly older than repeat_interval (nflog's needsUpdate), checked at group_interval ticks:
  // so at 21m, not 20m.
  assert.deepEqual(
    r!.sent.map((s) => s.atMs / 60_000),
    [0, 21, 42],
  );
  assert.ok(r!.failures.length === 3 && r!.failures.every((f) => f.startsWith("unexpected")));
});

void test("vigil test alerts: file errors name the file, line and field", () => {
  const f = join(DATA, "bad.yml");
  const bad: [string, RegExp][] = [
    ["tests: []", /bad\.yml:1: tests: at least one test is required/],
    [
      "tests:\n  - notifications:\n      - at: 5x\n        receiver: r\n",
      /bad\.yml:3: tests\.0\.notifications\.0\.at: .*5x/,
    ],
    ["tests:\n  - name: a\n    colour: red\n", /bad\.yml:2: tests\.0: .*colour/],
    ["tests:\n  - notifications: [{at: 1m}]\n", /receiver/],
    ["rule_files: [a\n", /bad\.yml: Flow sequence/],
    ["start_time: yesterday\ntests: [{name: a}]\n", /start_time: expected an RFC 3339 time/],
  ];
  for (const [text, want] of bad) {
    assert.throws(
      () => parseAlertTestText(text, f),
      (err: Error) => {
        assert.ok(err instanceof AlertTestFileError);
        assert.match(err.message, want);
        return true;
      },
    );
  }
});

void test("vigil test alerts: bad rule files and routing configs are failures, not crashes", async () => {
  const b = bufferIo();
  const dir = mkdtempSync(join(tmpdir(), "vigil-alerttest-"));
  writeFileSync(
    join(dir, "rules.yml"),
    "groups: [{name: g, rules: [{alert: A, expr: 'up =='}]}]\n",
  );
  writeFileSync(join(dir, "t.yml"), "rule_files: [rules.yml]\ntests: [{name: a}]\n");
  writeFileSync(join(dir, "u.yml"), "routing_config: nope.yml\ntests: [{name: a}]\n");
  const code = await testAlertsCommand(
    [join(dir, "t.yml"), join(dir, "u.yml"), join(dir, "none.yml")],
    b.io,
  );
  assert.equal(code, 1);
  assert.match(b.err, /rules\.yml:1:45: .*parse error/);
  assert.match(b.err, /routing_config: .*no such file.*nope\.yml/);
  assert.match(b.err, /none\.yml: ENOENT|none\.yml: .*no such file/);
});
