import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isStaleNaN } from "../model/value/index.ts";
import type { AlertingRule } from "./alerting-rule.ts";
import type { LoadedRules } from "./loader.ts";
import { parseRuleFile } from "./rulefmt.ts";
import { goTemplateExpander } from "./template.ts";
import { MIN, SETTINGS, newEnv, steps } from "./testdata/env.ts";
import { WATCHDOG_ALERT, withWatchdog } from "./watchdog.ts";

function loaded(files: Record<string, string>): LoadedRules {
  const groups = Object.entries(files).flatMap(([file, yaml]) => {
    const p = parseRuleFile(yaml, file, { templates: goTemplateExpander });
    if (p.errors.length > 0) throw new Error(p.errors[0]!.message);
    return p.groups.map((spec) => ({ file, spec }));
  });
  return { files: Object.keys(files), groups };
}

const REC = (name: string, expr = "vector(1)") =>
  `groups:\n  - name: g\n    interval: 10s\n    rules:\n      - record: ${name}\n        expr: ${expr}\n`;

describe("RuleManager", () => {
  it("evaluates groups on their slots once started, and restores `for` state after two", async () => {
    const env = newEnv();
    const start = 1_000_000_000_000;
    await env.clock.set(start);
    await env.add(
      { __name__: "x" },
      steps(start - 10 * MIN, start + 10 * MIN, 10_000, () => 1),
    );
    await env.manager.update(
      loaded({
        "r.yml": `groups:
  - name: g
    interval: 10s
    rules:
      - record: y
        expr: x
      - alert: A
        expr: y > 0
        for: 20m
`,
      }),
      SETTINGS,
    );
    const [g] = env.manager.ruleGroups();
    assert.equal(g!.lastEvalTimestampMs, undefined, "nothing runs before start");
    env.manager.start();
    // The first slot after the start: start - 10s + the group's offset (2.184s) + 10s.
    await env.clock.advance(5_000);
    const first = g!.lastEvalTimestampMs!;
    assert.equal(first, g!.evalTimestamp(start) + 10_000);
    const rule = g!.rules[1] as AlertingRule;
    assert.equal(rule.restored, false);
    await env.clock.advance(10_000);
    assert.equal(g!.lastEvalTimestampMs, first + 10_000);
    assert.equal(rule.restored, true, "restored after the second evaluation");
    await env.clock.advance(30_000);
    assert.equal(g!.lastEvalTimestampMs, first + 40_000);
    const [y] = await env.series("y");
    assert.deepEqual(
      [...y!.timestamps],
      [0, 1, 2, 3, 4].map((i) => first + i * 10_000),
    );
    // ALERTS are written once the state is restored.
    const [alerts] = await env.series("ALERTS");
    assert.deepEqual(
      [...alerts!.timestamps],
      [2, 3, 4].map((i) => first + i * 10_000),
    );
    await env.manager.stop();
    await env.clock.advance(60_000);
    assert.equal(g!.lastEvalTimestampMs, first + 40_000, "stopped");
  });

  it("keeps unchanged groups, replaces changed ones with their state, and marks removed ones stale", async () => {
    const env = newEnv();
    await env.clock.set(1_000_000_000_000);
    const t0 = env.clock.nowMs();
    await env.add(
      { __name__: "x" },
      steps(t0 - 10 * MIN, t0 + 10 * MIN, 10_000, () => 1),
    );
    const alertGroup = `groups:
  - name: alerts
    interval: 10s
    rules:
      - alert: A
        expr: x > 0
        for: 5m
`;
    await env.manager.update(
      loaded({ "a.yml": alertGroup, "keep.yml": REC("kept"), "gone.yml": REC("gone") }),
      SETTINGS,
    );
    env.manager.start();
    await env.clock.advance(40_000);
    const before = new Map(env.manager.ruleGroups().map((g) => [g.file, g]));
    const activeAt = (before.get("a.yml")!.rules[0] as AlertingRule).activeAlerts()[0]!.activeAtMs;

    // Reload: a.yml gains a label (changed), keep.yml is unchanged, gone.yml is removed.
    await env.manager.update(
      loaded({
        "a.yml": alertGroup.replace("for: 5m", "for: 5m\n        labels: {severity: warning}"),
        "keep.yml": REC("kept"),
      }),
      SETTINGS,
    );
    const after = new Map(env.manager.ruleGroups().map((g) => [g.file, g]));
    assert.deepEqual([...after.keys()], ["a.yml", "keep.yml"]);
    assert.equal(after.get("keep.yml"), before.get("keep.yml"), "unchanged group kept");
    assert.notEqual(after.get("a.yml"), before.get("a.yml"));
    // Rules are matched by name and labels: A changed labels, so it starts over.
    await env.clock.advance(10_000);
    const a2 = after.get("a.yml")!.rules[0] as AlertingRule;
    assert.ok(a2.activeAlerts()[0]!.activeAtMs > activeAt);

    // The removed group's series are marked stale two intervals after it stopped.
    const stopAt = env.clock.nowMs() - 10_000;
    await env.clock.advance(30_000);
    const [gone] = await env.series("gone");
    assert.ok(isStaleNaN(gone!.values.at(-1)!));
    assert.equal(gone!.timestamps.at(-1), stopAt);
    await env.manager.stop();
  });

  it("carries alert state over to a changed group when the rule itself is unchanged", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x" },
      steps(0, 10 * MIN, MIN, () => 1),
    );
    const rules = (extra: string) => `groups:
  - name: g
    rules:
      - alert: A
        expr: x > 0
        for: 5m
${extra}`;
    await env.manager.update(loaded({ "r.yml": rules("") }), SETTINGS);
    const [g1] = env.manager.ruleGroups();
    await g1!.eval(MIN);
    await g1!.eval(2 * MIN);
    await env.manager.update(
      loaded({ "r.yml": rules("      - record: extra\n        expr: vector(1)\n") }),
      SETTINGS,
    );
    const [g2] = env.manager.ruleGroups();
    assert.notEqual(g1, g2);
    const a = (g2!.rules[0] as AlertingRule).activeAlerts();
    assert.equal(a[0]!.activeAtMs, MIN);
    await env.manager.stop();
  });

  it("runs the built-in Watchdog, always firing, to the sinks", async () => {
    const env = newEnv();
    await env.manager.update(withWatchdog({ files: [], groups: [] }), SETTINGS);
    const [g] = env.manager.ruleGroups();
    await g!.eval(MIN);
    const rule = env.manager.alertingRules()[0]!;
    assert.equal(rule.name, WATCHDOG_ALERT);
    assert.equal(rule.state, "firing");
    const [sent] = env.sink.all;
    assert.deepEqual(
      sent!.labels.map((l) => `${l.name}=${l.value}`),
      ["alertname=Watchdog", "severity=none"],
    );
    assert.deepEqual(
      sent!.annotations.map((l) => l.name),
      ["description", "runbook_url", "summary"],
    );
    await env.manager.stop();
  });
});
