// Grouping, timing, de-duplication, resolve, silences, inhibition, time intervals, retries,
// isolation of a hanging receiver, and persistence across a restart, driven by a manual clock.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { ManualClock } from "../rules/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import type { Notifier, NotifyContext } from "../notify/notifier.ts";
import { NotifyError } from "../notify/notifier.ts";
import { Alertmanager } from "./alertmanager.ts";
import { parseAmConfigText } from "./config/load.ts";
import { DEFAULT_TEAM_ROUTING } from "./config/types.ts";

const T0 = Date.parse("2024-03-04T12:00:00Z"); // a Monday, noon UTC
const S = 1000;
const M = 60 * S;
const H = 60 * M;

interface Sent {
  atMs: number;
  receiver: string;
  url: string;
  groupKey: string;
  alerts: string[];
  reason: string | undefined;
}

/**
 * harness builds an Alertmanager whose webhook integrations record what they are asked to send
 * (the URL picks a behaviour: "hang" never answers, "flaky" fails twice, "bad" fails without
 * retry).
 */
function harness(
  yaml: string,
  opts: { dataDir?: string; clock?: ManualClock; registry?: Registry } = {},
) {
  const clock = opts.clock ?? new ManualClock(T0);
  const sent: Sent[] = [];
  const attempts = new Map<string, number>();
  const registry = opts.registry ?? new Registry();
  const webhook = (c: { url?: string }): Notifier => ({
    notify(ctx: NotifyContext): Promise<void> {
      const url = c.url ?? "";
      const n = (attempts.get(url) ?? 0) + 1;
      attempts.set(url, n);
      if (url.includes("hang")) return new Promise(() => undefined);
      if (url.includes("flaky") && n <= 2) return Promise.reject(new Error(`flaky attempt ${n}`));
      if (url.includes("bad"))
        return Promise.reject(new NotifyError("400 Bad Request", { retry: false }));
      sent.push({
        atMs: clock.nowMs() - T0,
        receiver: ctx.receiver,
        url,
        groupKey: ctx.groupKey,
        alerts: ctx.alerts.map((a) => `${a.labels.alertname}:${a.status}`),
        reason: ctx.notificationReason,
      });
      return Promise.resolve();
    },
  });
  const am = new Alertmanager({
    logger: silentLogger(),
    registry,
    clock,
    externalURL: () => "http://vigil.example",
    notifiers: { webhook },
    defaultTemplates: [],
    ...(opts.dataDir !== undefined && { dataDir: opts.dataDir }),
  });
  const cfg = parseAmConfigText(yaml, "am.yml");
  return {
    am,
    clock,
    sent,
    attempts,
    registry,
    async start() {
      await am.applyConfig({
        config: cfg,
        teamRouting: { ...DEFAULT_TEAM_ROUTING, enabled: false },
      });
      am.start();
    },
    post(
      name: string,
      extra: Record<string, string> = {},
      endsAtMs = 0,
      startsAtMs = clock.nowMs(),
    ) {
      return am.putAlerts([
        {
          labels: { alertname: name, ...extra },
          annotations: {},
          startsAtMs,
          endsAtMs,
          generatorURL: "",
        },
      ]);
    },
    /** at moves the clock to T0 + ms. */
    at(ms: number) {
      return clock.set(T0 + ms);
    },
  };
}

const BASIC = `
route:
  receiver: team
  group_by: [service]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: team
    webhook_configs: [{url: http://hook/team}]
`;

void test("group_wait batches, group_interval adds, repeat_interval repeats", async () => {
  const h = harness(BASIC);
  await h.start();
  await h.post("A", { service: "api" }, T0 + 10 * H);
  await h.at(10 * S);
  await h.post("B", { service: "api" }, T0 + 10 * H, T0 + 10 * S);
  await h.at(29 * S);
  assert.equal(h.sent.length, 0, "nothing before group_wait");
  await h.at(30 * S);
  assert.deepEqual(
    h.sent.map((s) => [s.atMs, s.alerts.join(" "), s.reason]),
    [[30 * S, "A:firing B:firing", "first notification"]],
  );
  assert.equal(h.sent[0].groupKey, '{}:{service="api"}');
  // A new alert waits for the next group_interval tick.
  await h.at(60 * S);
  await h.post("C", { service: "api" }, T0 + 10 * H, T0 + 60 * S);
  await h.at(5 * M);
  assert.equal(h.sent.length, 1);
  await h.at(5 * M + 30 * S);
  assert.equal(h.sent.length, 2);
  assert.deepEqual([h.sent[1].atMs, h.sent[1].reason], [5 * M + 30 * S, "new alerts added"]);
  // Nothing new: no notification until repeat_interval has elapsed since the last one.
  await h.at(4 * H + 5 * M);
  assert.equal(h.sent.length, 2);
  await h.at(4 * H + 10 * M + 30 * S);
  assert.equal(h.sent.length, 3);
  assert.equal(h.sent[2].reason, "repeat interval elapsed");
  // A second group notifies independently.
  await h.post("A", { service: "db" }, T0 + 10 * H);
  await h.at(4 * H + 11 * M + 1 * S);
  assert.equal(h.sent.at(-1)?.groupKey, '{}:{service="db"}');
  await h.am.stop();
});

void test("resolved alerts are notified once, then the group is gone", async () => {
  const h = harness(`global: {resolve_timeout: 10m}\n${BASIC}`);
  await h.start();
  await h.post("A", { service: "api" }, T0 + H);
  await h.post("B", { service: "api" });
  await h.at(30 * S);
  assert.equal(h.sent.length, 1);
  // A resolves (the sender gives endsAt now).
  await h.at(2 * M);
  await h.post("A", { service: "api" }, T0 + 2 * M, T0);
  await h.at(5 * M + 30 * S);
  assert.deepEqual(h.sent[1].alerts, ["A:resolved", "B:firing"]);
  assert.equal(h.sent[1].reason, "some alerts resolved");
  // B had no endsAt: it resolves after resolve_timeout without updates.
  await h.at(10 * M);
  assert.equal(h.sent.length, 2, "B still firing until its timeout");
  await h.at(10 * M + 30 * S);
  assert.deepEqual(h.sent[2].alerts, ["B:resolved"]);
  assert.equal(h.sent[2].reason, "all alerts resolved");
  await h.at(16 * M);
  h.am.dispatcher.doMaintenance();
  assert.equal(h.am.dispatcher.aggrGroups().length, 0, "empty group collected");
  assert.equal(h.sent.length, 3);
  await h.am.stop();
});

void test("send_resolved: false sends firing alerts only", async () => {
  const h = harness(`
route: {receiver: r, group_by: [alertname], group_wait: 1s, group_interval: 1m}
receivers:
  - name: r
    webhook_configs: [{url: http://hook/r, send_resolved: false}]
`);
  await h.start();
  await h.post("A", {}, T0 + H);
  await h.post("B", {}, T0 + H);
  await h.at(1 * S);
  await h.post("A", {}, T0 + 2 * S, T0);
  await h.at(1 * M + 1 * S);
  await h.at(2 * M + 1 * S);
  assert.deepEqual(
    h.sent.map((s) => s.alerts.join(" ")),
    ["A:firing", "B:firing"],
  );
  await h.am.stop();
});

const MUTING = `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1m
  routes:
    - matchers: [team="night"]
      receiver: night
      mute_time_intervals: [office-hours]
    - matchers: [team="day"]
      receiver: day
      active_time_intervals: [office-hours]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
time_intervals:
  - name: office-hours
    time_intervals:
      - weekdays: ['monday:friday']
        times: [{start_time: '09:00', end_time: '17:00'}]
        location: Europe/Paris
receivers:
  - name: default
    webhook_configs: [{url: http://hook/default}]
  - name: night
    webhook_configs: [{url: http://hook/night}]
  - name: day
    webhook_configs: [{url: http://hook/day}]
`;

void test("silences, inhibition and time intervals keep alerts from being sent", async () => {
  const h = harness(MUTING);
  await h.start();
  const sid = await h.am.silences.set({
    id: "",
    matchers: [{ name: "alertname", value: "Silenced", type: "=" }],
    startsAtMs: 0,
    endsAtMs: T0 + H,
    createdBy: "t",
    comment: "t",
    annotations: {},
  });
  const end = T0 + 10 * H;
  await h.post("Silenced", {}, end);
  await h.post("Crit", { severity: "critical", cluster: "eu" }, end);
  await h.post("Warn", { severity: "warning", cluster: "eu" }, end);
  await h.post("WarnUS", { severity: "warning", cluster: "us" }, end);
  // 12:00 UTC on a Monday is 13:00 in Paris: office hours.
  await h.post("Night", { team: "night" }, end);
  await h.post("Day", { team: "day" }, end);
  await h.at(1 * S);
  const names = h.sent.map((s) => `${s.receiver}:${s.alerts.join(",")}`).sort();
  assert.deepEqual(names, ["day:Day:firing", "default:Crit:firing", "default:WarnUS:firing"]);
  assert.deepEqual(h.am.alertStatus({ alertname: "Silenced" }).silencedBy, [sid]);
  assert.equal(
    h.am.alertStatus({ alertname: "Warn", severity: "warning", cluster: "eu" }).inhibitedBy.length,
    1,
  );
  // The muted group is marked for the API.
  const night = h.am.dispatcher.aggrGroups().find((g) => g.route.opts.receiver === "night")!;
  assert.deepEqual(h.am.marker.mutedBy(night.routeId, night.groupKey), ["office-hours"]);
  // Silence expires at T0+1h: the silenced alert goes out at the next flush after that.
  await h.at(H + 1 * M);
  assert.ok(h.sent.some((s) => s.alerts.includes("Silenced:firing")));
  // Out of office hours (18:30 Paris), the night route sends and the day route is muted.
  await h.at(5 * H + 31 * M);
  const later = h.sent.filter((s) => s.atMs >= 4 * H).map((s) => s.receiver);
  assert.ok(later.includes("night"), `night receiver notified: ${JSON.stringify(later)}`);
  assert.ok(!later.includes("day"));
  await h.am.stop();
});

void test("a hanging receiver does not block the others; retries back off; failures count", async () => {
  const h = harness(`
route:
  receiver: ok
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1m
  routes:
    - {matchers: [to="hang"], receiver: hang, continue: true}
    - {matchers: [to="flaky"], receiver: flaky}
    - {matchers: [to="bad"], receiver: bad}
receivers:
  - name: ok
    webhook_configs: [{url: http://hook/ok}]
  - name: hang
    webhook_configs: [{url: http://hook/hang}, {url: http://hook/sibling}]
  - name: flaky
    webhook_configs: [{url: http://hook/flaky}]
  - name: bad
    webhook_configs: [{url: http://hook/bad}]
`);
  await h.start();
  await h.post("H", { to: "hang" }, T0 + H);
  await h.post("F", { to: "flaky" }, T0 + H);
  await h.post("X", { to: "bad" }, T0 + H);
  await h.post("O", {}, T0 + H);
  await h.at(1 * S);
  const urls = (): string[] => h.sent.map((s) => s.url).sort();
  assert.ok(urls().includes("http://hook/ok"), "unrelated receiver notified at once");
  assert.ok(urls().includes("http://hook/sibling"), "other integration of the same receiver too");
  // The flaky one succeeds on the third attempt after exponential backoff (0.5s, 0.75s ± 50%).
  await h.at(5 * S);
  assert.ok(urls().includes("http://hook/flaky"));
  assert.equal(h.attempts.get("http://hook/flaky"), 3);
  assert.equal(h.attempts.get("http://hook/bad"), 1, "no retry for unrecoverable errors");
  // The hanging attempt is abandoned at the flush deadline: max(group_interval, 10s).
  await h.at(1 * M + 2 * S);
  const metrics = await h.registry.getSingleMetricAsString("vigil_notifications_failed_total");
  // The unrecoverable one failed at each of its two flushes (0s and 1m).
  assert.match(metrics, /integration="webhook",reason="other"} 2/);
  assert.match(metrics, /integration="webhook",reason="context_deadline_exceeded"} 1/);
  const total = await h.registry.getSingleMetricAsString("vigil_notifications_total");
  assert.match(total, /vigil_notifications_total{integration="webhook"} \d+/);
  const status = h.am.receiverIntegrations.get("bad")![0].status;
  assert.equal(status.lastError, "400 Bad Request");
  await h.am.stop();
});

void test("after a restart, silences hold and nothing already sent is sent again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-am-"));
  const clock = new ManualClock(T0);
  const a = harness(BASIC, { dataDir: dir, clock });
  await a.start();
  await a.post("A", { service: "api" }, T0 + 10 * H);
  await a.post("Quiet", { service: "web" }, T0 + 10 * H);
  await a.am.silences.set({
    id: "",
    matchers: [{ name: "alertname", value: "Quiet", type: "=" }],
    startsAtMs: 0,
    endsAtMs: T0 + 9 * H,
    createdBy: "t",
    comment: "t",
    annotations: {},
  });
  await a.at(30 * S);
  assert.deepEqual(
    a.sent.map((s) => s.alerts.join()),
    ["A:firing"],
  );
  await a.am.stop();

  // A new process on the same data directory, an hour later.
  await clock.set(T0 + H);
  const b = harness(BASIC, { dataDir: dir, clock });
  await b.start();
  assert.equal(b.am.store.size, 2, "alerts restored");
  assert.equal(b.am.silences.list().length, 1, "silence restored");
  await b.at(H + 2 * M);
  assert.equal(b.sent.length, 0, "the restored group flushed at once but the log says it was sent");
  // New information still goes out.
  await b.post("A", { service: "api" }, T0 + H + 2 * M, T0);
  await b.at(H + 10 * M);
  assert.deepEqual(
    b.sent.map((s) => s.alerts.join()),
    ["A:resolved"],
  );
  await b.am.stop();
});
