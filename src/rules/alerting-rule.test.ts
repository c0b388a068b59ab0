import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isStaleNaN } from "../model/value/index.ts";
import type { AlertingRule } from "./alerting-rule.ts";
import type { Group } from "./group.ts";
import type { TemplateExpander } from "./template.ts";
import { MIN, labelString, newEnv, steps } from "./testdata/env.ts";

function alertRule(g: Group, i = 0): AlertingRule {
  return g.rules[i] as AlertingRule;
}

/** states lists each alert as "labels state". */
function states(r: AlertingRule): string[] {
  return r.currentAlerts().map((a) => `${labelString(a.labels)} ${a.state}`);
}

describe("alert state machine", () => {
  it("goes pending, then firing once `for` has passed, writing ALERTS and ALERTS_FOR_STATE", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x", job: "a" },
      steps(0, 20 * MIN, MIN, () => 10),
    );
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - alert: High
        expr: x > 5
        for: 3m
        labels: {severity: warning}
`);
    const r = alertRule(g!);
    const seen: string[] = [];
    for (let t = 0; t <= 6 * MIN; t += MIN) {
      await g!.eval(t);
      seen.push(`${t / MIN}:${r.state}`);
    }
    assert.deepEqual(seen, [
      "0:pending",
      "1:pending",
      "2:pending",
      "3:firing",
      "4:firing",
      "5:firing",
      "6:firing",
    ]);
    const [a] = r.activeAlerts();
    assert.equal(labelString(a!.labels), "alertname=High,job=a,severity=warning");
    assert.equal(a!.activeAtMs, 0);
    assert.equal(a!.firedAtMs, 3 * MIN);
    assert.equal(a!.value, 10);

    const alerts = await env.series("ALERTS");
    const byState = new Map(alerts.map((s) => [labelString(s.labels), s]));
    const pending = byState.get(
      "__name__=ALERTS,alertname=High,alertstate=pending,job=a,severity=warning",
    )!;
    assert.deepEqual([...pending.timestamps], [0, MIN, 2 * MIN, 3 * MIN]);
    assert.ok(isStaleNaN(pending.values[3]!), "the pending series ends with a stale marker");
    const firing = byState.get(
      "__name__=ALERTS,alertname=High,alertstate=firing,job=a,severity=warning",
    )!;
    assert.deepEqual([...firing.timestamps], [3 * MIN, 4 * MIN, 5 * MIN, 6 * MIN]);
    assert.deepEqual([...firing.values], [1, 1, 1, 1]);
    const [fs] = await env.series("ALERTS_FOR_STATE");
    assert.equal(
      labelString(fs!.labels),
      "__name__=ALERTS_FOR_STATE,alertname=High,job=a,severity=warning",
    );
    assert.deepEqual([...fs!.values], [0, 0, 0, 0, 0, 0, 0]);

    // Firing alerts are sent when they fire, then every resend delay (1m), valid for
    // 4 × max(resend delay, interval).
    const sent = env.sink.all.map((n) => [n.startsAtMs! / MIN, n.endsAtMs! / MIN]);
    assert.deepEqual(sent, [
      [3, 7],
      [3, 9],
    ]);
    assert.equal(
      env.sink.all[0]!.generatorURL,
      "http://vigil.test:9700/graph?g0.expr=x+%3E+5&g0.tab=1",
    );
  });

  it("keeps firing for keep_firing_for after the condition clears, then resolves", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x" },
      steps(0, 30 * MIN, MIN, (t) => (t < 5 * MIN ? 10 : 0)),
    );
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - alert: Flappy
        expr: x > 5
        keep_firing_for: 3m
`);
    const r = alertRule(g!);
    const seen: string[] = [];
    for (let t = 0; t <= 9 * MIN; t += MIN) {
      await g!.eval(t);
      const a = r.currentAlerts()[0];
      const since = a?.keepFiringSinceMs !== undefined ? `@${a.keepFiringSinceMs / MIN}` : "";
      seen.push(`${t / MIN}:${a?.state ?? "-"}${since}`);
    }
    assert.deepEqual(seen, [
      "0:firing",
      "1:firing",
      "2:firing",
      "3:firing",
      "4:firing",
      "5:firing@5",
      "6:firing@5",
      "7:firing@5",
      "8:inactive@5",
      "9:inactive@5",
    ]);
    const a = r.currentAlerts()[0]!;
    assert.equal(a.resolvedAtMs, 8 * MIN);
    assert.deepEqual(r.activeAlerts(), [], "resolved alerts are not active");
    const [firing] = await env.series("ALERTS");
    assert.equal(firing!.timestamps.at(-1), 8 * MIN);
    assert.ok(isStaleNaN(firing!.values.at(-1)!));
  });

  it("keeps resolved alerts for 15m, sending their resolution", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x" },
      steps(0, 40 * MIN, MIN, (t) => (t < 2 * MIN ? 10 : 0)),
    );
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - alert: Brief
        expr: x > 5
`);
    const r = alertRule(g!);
    const held: number[] = [];
    for (let t = 0; t <= 25 * MIN; t += MIN) {
      await g!.eval(t);
      if (r.currentAlerts().length > 0) held.push(t / MIN);
    }
    // Resolved at 2m, kept until more than 15m old.
    assert.deepEqual(
      held,
      Array.from({ length: 18 }, (_, i) => i),
    );
    // The resolution is sent at once (2m), then every resend delay (1m) while kept: at 4m, 6m,
    // ... 16m.
    const resolved = env.sink.all.filter((n) => n.endsAtMs === 2 * MIN);
    assert.equal(resolved.length, 8);
    assert.equal(resolved[0]!.startsAtMs, 0);
  });

  it("starts over when a resolved alert fires again", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x" },
      steps(0, 10 * MIN, MIN, (t) => (t === 2 * MIN ? 0 : 10)),
    );
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - alert: Again
        expr: x > 5
        for: 1m
`);
    const r = alertRule(g!);
    for (let t = 0; t <= 4 * MIN; t += MIN) await g!.eval(t);
    const [a] = r.activeAlerts();
    assert.equal(a!.activeAtMs, 3 * MIN);
    assert.equal(a!.state, "firing");
    assert.equal(a!.firedAtMs, 4 * MIN);
  });

  it("fails and forgets its alerts when they exceed the group limit", async () => {
    const env = newEnv();
    await env.add({ __name__: "x", i: "1" }, [[0, 1]]);
    await env.add({ __name__: "x", i: "2" }, [[0, 1]]);
    const [g] = env.groups(`groups:
  - name: g
    limit: 1
    rules:
      - alert: Many
        expr: x
`);
    await g!.eval(MIN);
    const r = alertRule(g!);
    assert.equal(r.health, "err");
    assert.equal(r.lastError?.message, "exceeded limit of 1 with 2 alerts");
    assert.deepEqual(states(r), []);
    assert.deepEqual(await env.series("ALERTS"), []);
  });

  it("expands templates in labels and annotations, and shows template errors", async () => {
    const env = newEnv();
    await env.add({ __name__: "x", job: "api" }, [[0, 42]]);
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - alert: T
        expr: x
        labels:
          service: "{{ $labels.job }}-svc"
        annotations:
          summary: "{{ $labels.job }} is at {{ $value }}"
          broken: '{{ first (query "nothing") }}'
          humanized: "{{ humanize 1234567 }}"
`);
    await g!.eval(MIN);
    const [a] = alertRule(g!).activeAlerts();
    assert.equal(labelString(a!.labels), "alertname=T,job=api,service=api-svc");
    assert.deepEqual(
      a!.annotations.map((l) => `${l.name}=${l.value}`),
      [
        // As promtool shows it for the same rule.
        'broken=<error expanding template: error executing template __alert_T: template: __alert_T:1:115: executing "__alert_T" at <first (query "nothing")>: error calling first: first() called on vector with no elements>',
        "humanized=1.235M",
        "summary=api is at 42",
      ],
    );
  });

  it("passes template data, names and defs to the template expander", async () => {
    const calls: unknown[] = [];
    const templates: TemplateExpander = {
      expand: async (text, data, ctx) => {
        calls.push({ text, data, name: ctx.name, tMs: ctx.tMs });
        return "ok";
      },
      check: () => undefined,
    };
    const env = newEnv({ templates });
    await env.add({ __name__: "x" }, [[0, 1]]);
    const [g] = env.groups(
      `groups:
  - name: g
    rules:
      - alert: T
        expr: x
        annotations: {a: "{{ $value }}"}
`,
      {
        settings: {
          evaluationIntervalMs: MIN,
          externalLabels: [{ name: "cluster", value: "c1" }],
          externalURL: "http://x",
        },
      },
    );
    await g!.eval(MIN);
    assert.deepEqual(calls, [
      {
        text: "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}{{ $value }}",
        data: {
          labels: { __name__: "x" },
          externalLabels: { cluster: "c1" },
          externalURL: "http://x",
          value: 1,
        },
        name: "__alert_T",
        tMs: MIN,
      },
    ]);
  });
});

describe("for state restore", () => {
  const RULES = (forDur: string) => `groups:
  - name: g
    rules:
      - alert: Slow
        expr: x > 5
        for: ${forDur}
`;

  /** runUntil evaluates a fresh group every minute from 0 to endMs: Vigil's "first life". */
  async function firstLife(forDur: string, endMs: number) {
    const env = newEnv();
    await env.add(
      { __name__: "x" },
      steps(0, 90 * MIN, MIN, () => 10),
    );
    const [g] = env.groups(RULES(forDur));
    for (let t = 0; t <= endMs; t += MIN) await g!.eval(t);
    return env;
  }

  it("resumes pending alerts shifted by the downtime", async () => {
    const first = await firstLife("30m", 20 * MIN);
    // Restart: a new manager on the same storage, down from 20m to 25m.
    const env = newEnv({}, first.storage);
    const [g] = env.groups(RULES("30m"), { restore: true });
    const r = alertRule(g!);
    await g!.eval(25 * MIN);
    const before = (await env.series("ALERTS"))[0]!.timestamps.length;
    await g!.eval(26 * MIN);
    assert.equal(
      (await env.series("ALERTS"))[0]!.timestamps.length,
      before,
      "no ALERTS samples before the restore",
    );
    await g!.restoreForState(26 * MIN);
    // 20m were spent pending; 10m remain (not less than the 10m grace period): the alert's
    // activeAt moves forward by the 6m between the last sample and the restore.
    assert.equal(r.activeAlerts()[0]!.activeAtMs, 6 * MIN);
    for (let t = 27 * MIN; t <= 36 * MIN; t += MIN) {
      await g!.eval(t);
      if (t < 36 * MIN) assert.equal(r.state, "pending", `still pending at ${t / MIN}m`);
    }
    assert.equal(r.state, "firing");
  });

  it("gives alerts about to fire the grace period", async () => {
    const first = await firstLife("15m", 10 * MIN);
    const env = newEnv({}, first.storage);
    const [g] = env.groups(RULES("15m"), { restore: true });
    await g!.eval(12 * MIN);
    await g!.eval(13 * MIN);
    await g!.restoreForState(13 * MIN);
    // 5m remained, less than the 10m grace period: it fires 10m after the restore.
    assert.equal(alertRule(g!).activeAlerts()[0]!.activeAtMs, 13 * MIN + 10 * MIN - 15 * MIN);
  });

  it("fires at once what fired before", async () => {
    const first = await firstLife("10m", 20 * MIN);
    const env = newEnv({}, first.storage);
    const [g] = env.groups(RULES("10m"), { restore: true });
    await g!.eval(22 * MIN);
    await g!.eval(23 * MIN);
    await g!.restoreForState(23 * MIN);
    assert.equal(alertRule(g!).activeAlerts()[0]!.activeAtMs, 0);
    await g!.eval(24 * MIN);
    assert.equal(alertRule(g!).state, "firing");
  });

  it("does not restore state older than the outage tolerance or shorter `for`s", async () => {
    const first = await firstLife("30m", 20 * MIN);
    const env = newEnv({ outageToleranceMs: 5 * MIN }, first.storage);
    const [g] = env.groups(RULES("30m"), { restore: true });
    await g!.eval(30 * MIN);
    await g!.restoreForState(30 * MIN);
    assert.equal(alertRule(g!).activeAlerts()[0]!.activeAtMs, 30 * MIN);
    assert.equal(alertRule(g!).restored, true);

    const short = newEnv({}, first.storage);
    const [g2] = short.groups(RULES("5m"), { restore: true });
    await g2!.eval(21 * MIN);
    await g2!.restoreForState(21 * MIN);
    assert.equal(alertRule(g2!).activeAlerts()[0]!.activeAtMs, 21 * MIN);
  });
});
