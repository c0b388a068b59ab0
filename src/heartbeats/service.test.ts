import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { parse } from "yaml";
import { labelsToRecord } from "../model/labels/index.ts";
import type { AlertSink, NotifierAlert } from "../rules/index.ts";
import { ManualClock } from "../rules/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { HeartbeatService, STATE_FILE, heartbeatsSchema } from "./index.ts";

const T0 = Date.UTC(2025, 0, 6, 0, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

interface Sent {
  atMs: number;
  alert: NotifierAlert;
}

/** RecordingSink keeps every alert it receives with the (fake) time it arrived. */
class RecordingSink implements AlertSink {
  readonly name = "recording";
  readonly sent: Sent[] = [];
  constructor(private readonly clock: ManualClock) {}
  send(alerts: readonly NotifierAlert[]): void {
    for (const alert of alerts) this.sent.push({ atMs: this.clock.nowMs(), alert });
  }
  /** lines summarizes what arrived: "+10m HeartbeatMissing job firing". */
  lines(sinceMs = T0): string[] {
    return this.sent
      .filter((s) => s.atMs >= sinceMs)
      .map((s) => {
        const l = labelsToRecord(s.alert.labels);
        const state = s.alert.endsAtMs! > s.atMs ? "firing" : "resolved";
        return `+${(s.atMs - T0) / MIN}m ${l["alertname"]} ${l["heartbeat"]} ${state}`;
      });
  }
  clear(): void {
    this.sent.length = 0;
  }
}

function config(yaml: string) {
  return heartbeatsSchema.parse(parse(yaml));
}

function setup(yaml: string, o: { dataDir?: string; clock?: ManualClock } = {}) {
  const clock = o.clock ?? new ManualClock(T0);
  const sink = new RecordingSink(clock);
  const registry = new Registry();
  const svc = new HeartbeatService({
    sinks: () => [sink],
    logger: silentLogger(),
    registry,
    clock,
    ...(o.dataDir !== undefined && { dataDir: o.dataDir }),
    externalURL: () => "http://vigil:9700",
  });
  svc.applyConfig(config(yaml));
  svc.start();
  return { clock, sink, svc, registry };
}

const HOURLY = `
checks:
  - name: job
    period: 1h
    grace: 10m
    labels: {team: infra, severity: critical}
    annotations: {runbook_url: "https://runbooks/job"}
`;

describe("HeartbeatService", () => {
  it("keeps a new check quiet until its first deadline, then alerts and re-sends", async () => {
    const { clock, sink, svc } = setup(HOURLY);
    await clock.set(T0 + 69 * MIN);
    assert.equal(svc.get("job")!.state, "new");
    assert.deepEqual(sink.lines(), []);
    await clock.set(T0 + 70 * MIN);
    assert.equal(svc.get("job")!.state, "down");
    assert.deepEqual(sink.lines(), ["+70m HeartbeatMissing job firing"]);
    const a = sink.sent[0]!.alert;
    assert.deepEqual(labelsToRecord(a.labels), {
      alertname: "HeartbeatMissing",
      heartbeat: "job",
      severity: "critical",
      team: "infra",
    });
    const ann = labelsToRecord(a.annotations);
    assert.equal(ann["runbook_url"], "https://runbooks/job");
    assert.equal(ann["last_beat_time"], "never");
    assert.equal(ann["expected_time"], new Date(T0 + HOUR).toISOString());
    assert.match(ann["summary"]!, /job missed/);
    assert.equal(a.startsAtMs, T0 + 70 * MIN);
    assert.equal(a.endsAtMs, T0 + 74 * MIN);
    assert.equal(a.generatorURL, "http://vigil:9700/api/vigil/heartbeats");

    // Re-sent every resend delay (1m) while firing.
    await clock.set(T0 + 73 * MIN);
    assert.deepEqual(sink.lines(T0 + 71 * MIN), [
      "+71m HeartbeatMissing job firing",
      "+72m HeartbeatMissing job firing",
      "+73m HeartbeatMissing job firing",
    ]);
    await svc.stop();
  });

  it("goes up, late, down; a beat resolves the alert at once", async () => {
    const { clock, sink, svc } = setup(HOURLY);
    await clock.set(T0 + 5 * MIN);
    await svc.beat("job", "success");
    assert.equal(svc.get("job")!.state, "up");
    assert.equal(svc.get("job")!.expectedMs, T0 + 65 * MIN);
    await clock.set(T0 + 65 * MIN);
    assert.equal(svc.get("job")!.state, "late");
    await clock.set(T0 + 74 * MIN);
    assert.equal(svc.get("job")!.state, "late");
    assert.deepEqual(sink.lines(), []);
    await clock.set(T0 + 75 * MIN);
    assert.equal(svc.get("job")!.state, "down");
    assert.deepEqual(sink.lines(), ["+75m HeartbeatMissing job firing"]);
    assert.equal(
      labelsToRecord(sink.sent[0]!.alert.annotations)["last_beat_time"],
      new Date(T0 + 5 * MIN).toISOString(),
    );

    await clock.set(T0 + 75 * MIN + 30_000);
    const view = await svc.beat("job", "success", "backup done");
    assert.equal(view!.state, "up");
    assert.deepEqual(view!.lastMessage, {
      kind: "success",
      timeMs: T0 + 75 * MIN + 30_000,
      body: "backup done",
    });
    const last = sink.sent.at(-1)!;
    assert.equal(last.alert.endsAtMs, T0 + 75 * MIN + 30_000);
    assert.equal(last.alert.startsAtMs, T0 + 75 * MIN);

    // The resolved alert is re-sent for 15 minutes, then no more.
    sink.clear();
    await clock.set(T0 + 120 * MIN);
    const resolved = sink.lines();
    assert.ok(resolved.length >= 14 && resolved.length <= 15, resolved.join("\n"));
    assert.ok(resolved.every((l) => l.endsWith("HeartbeatMissing job resolved")));
    assert.ok(sink.sent.every((s) => s.atMs <= T0 + 90 * MIN + 30_000));
    await svc.stop();
  });

  it("alerts at once on an explicit failure, and resolves on the next success", async () => {
    const { clock, sink, svc } = setup(HOURLY);
    await clock.set(T0 + 10 * MIN);
    await svc.beat("job", "fail", "exit status 3: disk full");
    assert.equal(svc.get("job")!.state, "failed");
    assert.deepEqual(sink.lines(), ["+10m HeartbeatFailed job firing"]);
    const ann = labelsToRecord(sink.sent[0]!.alert.annotations);
    assert.equal(ann["failure_message"], "exit status 3: disk full");
    assert.equal(ann["failure_time"], new Date(T0 + 10 * MIN).toISOString());
    assert.equal(sink.sent[0]!.alert.startsAtMs, T0 + 10 * MIN);

    // Failed stays failed (no HeartbeatMissing on top) until a success.
    await clock.set(T0 + 3 * HOUR);
    assert.equal(svc.get("job")!.state, "failed");
    assert.ok(sink.lines().every((l) => l.includes("HeartbeatFailed job firing")));
    sink.clear();
    await svc.beat("job", "success");
    assert.deepEqual(sink.lines(), ["+180m HeartbeatFailed job resolved"]);
    assert.equal(svc.get("job")!.state, "up");
    await svc.stop();
  });

  it("replaces HeartbeatMissing by HeartbeatFailed when a late job reports failure", async () => {
    const { clock, sink, svc } = setup(HOURLY);
    await clock.set(T0 + 80 * MIN);
    assert.equal(sink.lines()[0], "+70m HeartbeatMissing job firing");
    sink.clear();
    await svc.beat("job", "fail");
    assert.deepEqual(sink.lines(), [
      "+80m HeartbeatMissing job resolved",
      "+80m HeartbeatFailed job firing",
    ]);
    await svc.stop();
  });

  it("after a start, expects the job to finish within the grace time", async () => {
    const { clock, sink, svc } = setup(HOURLY);
    await svc.beat("job", "success");
    await clock.set(T0 + 20 * MIN);
    await svc.beat("job", "start");
    let v = svc.get("job")!;
    assert.equal(v.started, true);
    assert.equal(v.deadlineMs, T0 + 30 * MIN);
    await clock.set(T0 + 25 * MIN);
    await svc.beat("job", "success");
    v = svc.get("job")!;
    assert.equal(v.started, false);
    assert.equal(v.state, "up");
    assert.equal(v.deadlineMs, T0 + 95 * MIN);

    await clock.set(T0 + 30 * MIN);
    await svc.beat("job", "start");
    await clock.set(T0 + 40 * MIN);
    assert.equal(svc.get("job")!.state, "down");
    assert.deepEqual(sink.lines(), ["+40m HeartbeatMissing job firing"]);
    assert.match(labelsToRecord(sink.sent[0]!.alert.annotations)["summary"]!, /did not finish/);
    await svc.stop();
  });

  it("follows a cron schedule in its time zone across DST changes", async () => {
    // 02:30 Europe/Berlin does not exist on 2025-03-30 (clocks jump 02:00 → 03:00) and occurs
    // twice on 2025-10-26 (03:00 → 02:00).
    const yaml = `
checks:
  - name: nightly
    schedule: "30 2 * * *"
    timezone: Europe/Berlin
    grace: 30m
`;
    const clock = new ManualClock(Date.parse("2025-03-29T01:35:00Z"));
    const first = setup(yaml, { clock });
    const sink = first.sink;
    let svc = first.svc;
    await svc.beat("nightly", "success"); // 02:35 CET
    let v = svc.get("nightly")!;
    // The next 02:30 runs at the first time after the gap: 03:00 CEST = 01:00Z.
    assert.equal(new Date(v.expectedMs!).toISOString(), "2025-03-30T01:00:00.000Z");
    assert.equal(new Date(v.deadlineMs!).toISOString(), "2025-03-30T01:30:00.000Z");
    await clock.set(Date.parse("2025-03-30T01:10:00Z"));
    assert.equal(svc.get("nightly")!.state, "late");
    await clock.set(Date.parse("2025-03-30T01:30:00Z"));
    assert.equal(svc.get("nightly")!.state, "down");
    assert.equal(sink.sent.length, 1);
    assert.equal(
      labelsToRecord(sink.sent[0]!.alert.annotations)["expected_time"],
      "2025-03-30T01:00:00.000Z",
    );
    await svc.beat("nightly", "success");
    v = svc.get("nightly")!;
    // Summer time: 02:30 CEST = 00:30Z.
    assert.equal(new Date(v.expectedMs!).toISOString(), "2025-03-31T00:30:00.000Z");

    await svc.stop();

    // Autumn: 02:30 occurs twice on 2025-10-26; the job is expected at the first one only.
    const autumn = new ManualClock(Date.parse("2025-10-25T00:35:00Z"));
    ({ svc } = setup(yaml, { clock: autumn }));
    await svc.beat("nightly", "success");
    assert.equal(
      new Date(svc.get("nightly")!.expectedMs!).toISOString(),
      "2025-10-26T00:30:00.000Z",
    );
    await autumn.set(Date.parse("2025-10-26T00:31:00Z"));
    await svc.beat("nightly", "success");
    assert.equal(
      new Date(svc.get("nightly")!.expectedMs!).toISOString(),
      "2025-10-27T01:30:00.000Z", // 02:30 CET
    );
    await autumn.set(Date.parse("2025-10-26T01:45:00Z")); // the second 02:45 local
    assert.equal(svc.get("nightly")!.state, "up");
    await svc.stop();
  });

  it("keeps state across reloads: adds, drops and keeps checks", async () => {
    const { clock, sink, svc } = setup(`
checks:
  - {name: a, period: 1h, grace: 0}
  - {name: b, period: 1h, grace: 0}
`);
    await svc.beat("a", "success");
    await clock.set(T0 + 61 * MIN);
    assert.deepEqual(sink.lines().slice(0, 2).sort(), [
      "+60m HeartbeatMissing a firing",
      "+60m HeartbeatMissing b firing",
    ]);
    assert.equal(svc.get("a")!.state, "down");
    sink.clear();
    svc.applyConfig(
      config(`
checks:
  - {name: a, period: 2h, grace: 0}
  - {name: c, period: 1h}
`),
    );
    // b is gone and its alert resolved; a keeps its last beat and is judged by its new period;
    // c is new from now.
    assert.deepEqual(sink.lines().sort(), [
      "+61m HeartbeatMissing a resolved",
      "+61m HeartbeatMissing b resolved",
    ]);
    assert.deepEqual(
      svc.list().map((v) => `${v.name} ${v.state} ${v.lastBeatMs === T0}`),
      ["a up true", "c new false"],
    );
    assert.equal(svc.has("b"), false);
    assert.equal(await svc.beat("b", "success"), undefined);
    await svc.stop();
  });

  it("persists beats and firing alerts across a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-heartbeats-"));
    try {
      const first = setup(HOURLY, { dataDir: dir });
      await first.clock.set(T0 + 10 * MIN);
      await first.svc.beat("job", "success", "ok");
      await first.clock.set(T0 + 80 * MIN);
      assert.equal(first.svc.get("job")!.state, "down");
      await first.svc.stop();
      const doc = JSON.parse(await readFile(join(dir, STATE_FILE), "utf8"));
      assert.equal(doc.version, 1);
      assert.equal(doc.checks.job.record.lastBeatMs, T0 + 10 * MIN);
      assert.equal(doc.checks.job.alert.alertname, "HeartbeatMissing");

      // Vigil was down for a while; the new instance still knows the beat was missed, and
      // re-sends the alert with its original start.
      const second = setup(HOURLY, { dataDir: dir, clock: new ManualClock(T0 + 3 * HOUR) });
      assert.equal(second.svc.get("job")!.state, "down");
      assert.equal(second.svc.get("job")!.lastBeatMs, T0 + 10 * MIN);
      assert.deepEqual(second.svc.get("job")!.lastMessage?.body, "ok");
      assert.equal(second.sink.sent[0]!.alert.startsAtMs, T0 + 80 * MIN);
      assert.deepEqual(second.sink.lines(), ["+180m HeartbeatMissing job firing"]);
      await second.svc.beat("job", "success");
      assert.deepEqual(second.sink.lines().at(-1), "+180m HeartbeatMissing job resolved");
      await second.svc.stop();

      // A check that never beat keeps its first deadline: a restart gives it no new period.
      await rm(join(dir, STATE_FILE));
      const third = setup(HOURLY, { dataDir: dir });
      await third.clock.set(T0 + 30 * MIN);
      await third.svc.stop();
      const fourth = setup(HOURLY, { dataDir: dir, clock: new ManualClock(T0 + 71 * MIN) });
      assert.equal(fourth.svc.get("job")!.state, "down");
      await fourth.svc.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("sets a corrupt state file aside and starts empty", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-heartbeats-"));
    try {
      await writeFile(join(dir, STATE_FILE), "{not json");
      const { svc } = setup(HOURLY, { dataDir: dir });
      assert.equal(svc.get("job")!.state, "new");
      await svc.stop();
      assert.equal(await readFile(join(dir, `${STATE_FILE}.corrupt`), "utf8"), "{not json");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("exports metrics", async () => {
    const { clock, svc, registry } = setup(HOURLY);
    await clock.set(T0 + 5 * MIN);
    await svc.beat("job", "start");
    await svc.beat("job", "success");
    await svc.beat("job", "success");
    let text = await registry.metrics();
    assert.match(text, /vigil_heartbeat_last_beat_timestamp_seconds\{name="job"\} 1736121900\n/);
    assert.match(text, /vigil_heartbeat_up\{name="job"\} 1\n/);
    assert.match(text, /vigil_heartbeat_beats_total\{name="job",kind="success"\} 2\n/);
    assert.match(text, /vigil_heartbeat_beats_total\{name="job",kind="start"\} 1\n/);
    await clock.set(T0 + 3 * HOUR);
    text = await registry.metrics();
    assert.match(text, /vigil_heartbeat_up\{name="job"\} 0\n/);
    await svc.stop();
  });
});
