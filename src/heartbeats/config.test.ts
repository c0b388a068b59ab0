import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { heartbeatsSchema, heartbeatsToDoc } from "./index.ts";

/** problems parses a heartbeats section and returns its problems as "path: message". */
function problems(yaml: string): string[] {
  const r = heartbeatsSchema.safeParse(parse(yaml));
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("heartbeatsSchema", () => {
  it("reads periods, cron schedules, labels, annotations and ping", () => {
    const cfg = heartbeatsSchema.parse(
      parse(`
checks:
  - name: nightly-backup
    period: 1d
    grace: 1h
    labels: {team: infra, severity: critical}
    annotations: {summary: "Backup did not run", runbook_url: "https://runbooks/backup"}
  - name: report.v2
    schedule: "0 3 * * *"
    timezone: Europe/Berlin
  - name: utc_job
    schedule: "*/5 * * * *"
    grace: 0
ping:
  url: https://other-vigil:9700/api/vigil/heartbeats/vigil-a
  interval: 30s
`),
    );
    assert.deepEqual(cfg.checks, [
      {
        name: "nightly-backup",
        schedule: { kind: "period", periodMs: 86_400_000 },
        graceMs: 3_600_000,
        labels: { team: "infra", severity: "critical" },
        annotations: { summary: "Backup did not run", runbook_url: "https://runbooks/backup" },
      },
      {
        name: "report.v2",
        schedule: { kind: "cron", cron: "0 3 * * *", timezone: "Europe/Berlin" },
        graceMs: 3_600_000,
        labels: {},
        annotations: {},
      },
      {
        name: "utc_job",
        schedule: { kind: "cron", cron: "*/5 * * * *", timezone: "UTC" },
        graceMs: 0,
        labels: {},
        annotations: {},
      },
    ]);
    assert.deepEqual(cfg.ping, {
      url: "https://other-vigil:9700/api/vigil/heartbeats/vigil-a",
      intervalMs: 30_000,
      timeoutMs: 10_000,
    });
  });

  it("defaults to no checks and no ping", () => {
    assert.deepEqual(heartbeatsSchema.parse({}), { checks: [] });
  });

  it("prints back what it reads", () => {
    const doc = {
      checks: [
        { name: "a", period: "1d", grace: "1h", labels: { team: "infra" } },
        { name: "b", schedule: "0 3 * * *", timezone: "Europe/Berlin", grace: "30m" },
      ],
      ping: { url: "http://127.0.0.1:9700/x", interval: "1m", timeout: "5s" },
    };
    assert.deepEqual(heartbeatsToDoc(heartbeatsSchema.parse(doc)), doc);
  });

  const bad: { name: string; yaml: string; want: string }[] = [
    {
      name: "bad duration",
      yaml: "checks: [{name: a, period: 1x}]",
      want: 'checks.0.period: invalid duration "1x"',
    },
    {
      name: "zero period",
      yaml: "checks: [{name: a, period: 0}]",
      want: 'checks.0.period: must be greater than 0, got "0"',
    },
    {
      name: "bad grace",
      yaml: "checks: [{name: a, period: 1d, grace: soon}]",
      want: 'checks.0.grace: invalid duration "soon"',
    },
    {
      name: "both period and schedule",
      yaml: "checks: [{name: a, period: 1d, schedule: '0 3 * * *'}]",
      want: "checks.0.schedule: period and schedule are mutually exclusive",
    },
    {
      name: "neither period nor schedule",
      yaml: "checks: [{name: a}]",
      want: "checks.0: one of period or schedule is required",
    },
    {
      name: "bad cron",
      yaml: "checks: [{name: a, schedule: '61 3 * * *'}]",
      want: 'checks.0.schedule: invalid cron expression "61 3 * * *": Invalid value for minute: 61',
    },
    {
      name: "cron with seconds",
      yaml: "checks: [{name: a, schedule: '0 0 3 * * *'}]",
      want: "checks.0.schedule: invalid cron expression",
    },
    {
      name: "cron that never fires",
      yaml: "checks: [{name: a, schedule: '0 0 30 2 *'}]",
      want: 'checks.0.schedule: cron expression "0 0 30 2 *" never fires',
    },
    {
      name: "bad timezone",
      yaml: "checks: [{name: a, schedule: '0 3 * * *', timezone: Mars/Olympus}]",
      want: 'checks.0.timezone: unknown time zone "Mars/Olympus"',
    },
    {
      name: "timezone with period",
      yaml: "checks: [{name: a, period: 1d, timezone: UTC}]",
      want: "checks.0.timezone: only allowed with schedule",
    },
    {
      name: "duplicate name",
      yaml: "checks: [{name: a, period: 1d}, {name: b, period: 1d}, {name: a, period: 2d}]",
      want: 'checks.2.name: duplicate heartbeat name "a"',
    },
    {
      name: "bad name",
      yaml: "checks: [{name: 'a/b', period: 1d}]",
      want: "checks.0.name: must match [a-zA-Z0-9_.-]+",
    },
    {
      name: "reserved label",
      yaml: "checks: [{name: a, period: 1d, labels: {heartbeat: x}}]",
      want: 'checks.0.labels.heartbeat: label "heartbeat" is reserved',
    },
    {
      name: "bad label name",
      yaml: "checks: [{name: a, period: 1d, labels: {'team-name': x}}]",
      want: 'checks.0.labels.team-name: invalid label name "team-name"',
    },
    {
      name: "unknown key",
      yaml: "checks: [{name: a, period: 1d, perod: 2d}]",
      want: "checks.0: Unrecognized key",
    },
    {
      name: "bad ping url",
      yaml: "ping: {url: 'ftp://x'}",
      want: 'ping.url: invalid URL "ftp://x"',
    },
    {
      name: "bad ping interval",
      yaml: "ping: {url: 'http://x', interval: 0}",
      want: 'ping.interval: must be greater than 0, got "0"',
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}, naming the field`, () => {
      const got = problems(c.yaml);
      assert.ok(
        got.some((p) => p.startsWith(c.want)),
        `want a problem starting ${JSON.stringify(c.want)}, got ${JSON.stringify(got)}`,
      );
    });
  }
});
