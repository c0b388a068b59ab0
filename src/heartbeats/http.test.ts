import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { Registry } from "prom-client";
import { parse } from "yaml";
import type { NotifierAlert } from "../rules/index.ts";
import { ManualClock } from "../rules/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import type { HeartbeatJson } from "./index.ts";
import { HeartbeatService, heartbeatsSchema, registerHeartbeatApi } from "./index.ts";

const T0 = Date.UTC(2025, 0, 6, 0, 0, 0);

async function server(withService = true) {
  const clock = new ManualClock(T0);
  const sent: NotifierAlert[] = [];
  const svc = new HeartbeatService({
    sinks: () => [{ name: "test", send: (a) => sent.push(...a) }],
    logger: silentLogger(),
    registry: new Registry(),
    clock,
  });
  svc.applyConfig(
    heartbeatsSchema.parse(
      parse(`
checks:
  - name: nightly-backup
    period: 1d
    grace: 1h
    labels: {team: infra}
  - name: report.v2
    schedule: "0 3 * * *"
    timezone: Europe/Berlin
`),
    ),
  );
  const app = Fastify();
  await registerHeartbeatApi(app, { heartbeats: () => (withService ? svc : undefined) });
  await app.ready();
  return { app, svc, clock, sent };
}

describe("heartbeat API", () => {
  it("answers 503 until the service is available", async () => {
    const { app } = await server(false);
    for (const url of ["/api/vigil/heartbeats", "/api/vigil/heartbeats/nightly-backup"]) {
      const r = await app.inject({ method: "GET", url });
      assert.equal(r.statusCode, 503);
      assert.deepEqual(r.json(), {
        status: "error",
        errorType: "unavailable",
        error: "heartbeats are not available yet",
      });
    }
  });

  it("records a success beat on GET and POST", async () => {
    const { app, svc, clock } = await server();
    let r = await app.inject({ method: "GET", url: "/api/vigil/heartbeats/nightly-backup" });
    assert.equal(r.statusCode, 200);
    const body = r.json() as { status: string; data: HeartbeatJson };
    assert.equal(body.status, "success");
    assert.equal(body.data.state, "up");
    assert.equal(body.data.lastBeat, "2025-01-06T00:00:00.000Z");
    assert.equal(body.data.nextExpected, "2025-01-07T00:00:00.000Z");
    assert.equal(body.data.downAt, "2025-01-07T01:00:00.000Z");

    await clock.advance(60_000);
    r = await app.inject({
      method: "POST",
      url: "/api/vigil/heartbeats/nightly-backup",
      headers: { "content-type": "text/plain" },
      payload: "backup: 12 GiB in 3m",
    });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(svc.get("nightly-backup")!.lastMessage, {
      kind: "success",
      timeMs: T0 + 60_000,
      body: "backup: 12 GiB in 3m",
    });
  });

  it("takes bodies of any content type, keeping the first 10 KB", async () => {
    const { app, svc } = await server();
    const cases: { headers: Record<string, string>; payload: string; want: string }[] = [
      {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "a=1&b=2",
        want: "a=1&b=2",
      },
      {
        headers: { "content-type": "application/json" },
        payload: '{"rows": 5',
        want: '{"rows": 5',
      },
      { headers: {}, payload: "no type", want: "no type" },
      {
        headers: { "content-type": "text/plain; charset=utf-8" },
        payload: "é".repeat(6000),
        want: "é".repeat(5120),
      },
    ];
    for (const c of cases) {
      const r = await app.inject({
        method: "POST",
        url: "/api/vigil/heartbeats/nightly-backup/fail",
        headers: c.headers,
        payload: c.payload,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(svc.get("nightly-backup")!.lastMessage!.body, c.want);
    }
  });

  it("records starts, failures and exit statuses", async () => {
    const { app, svc, sent } = await server();
    const hit = async (suffix: string) => {
      const r = await app.inject({
        method: "POST",
        url: `/api/vigil/heartbeats/report.v2${suffix}`,
      });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json() as { data: HeartbeatJson }).data;
    };
    let d = await hit("/start");
    assert.equal(d.started, true);
    assert.equal(d.lastStart, "2025-01-06T00:00:00.000Z");
    d = await hit("/fail");
    assert.equal(d.state, "failed");
    assert.equal(sent.length, 1);
    d = await hit("/0");
    assert.equal(d.state, "up");
    d = await hit("/3");
    assert.equal(d.state, "failed");
    assert.equal(svc.get("report.v2")!.lastMessage!.kind, "fail");
  });

  it("answers 404 for unknown checks and signals", async () => {
    const { app } = await server();
    let r = await app.inject({ method: "POST", url: "/api/vigil/heartbeats/nope" });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(r.json(), {
      status: "error",
      errorType: "not_found",
      error: 'heartbeat "nope" not found',
    });
    r = await app.inject({ method: "GET", url: "/api/vigil/heartbeats/nope/fail" });
    assert.equal(r.statusCode, 404);
    r = await app.inject({ method: "GET", url: "/api/vigil/heartbeats/report.v2/done" });
    assert.equal(r.statusCode, 404);
    assert.match((r.json() as { error: string }).error, /unknown heartbeat signal "done"/);
    r = await app.inject({ method: "GET", url: "/api/vigil/heartbeats/report.v2/256" });
    assert.equal(r.statusCode, 404);
  });

  it("lists every check", async () => {
    const { app, clock } = await server();
    await clock.advance(30 * 60_000);
    await app.inject({ method: "POST", url: "/api/vigil/heartbeats/report.v2/start" });
    const r = await app.inject({ method: "GET", url: "/api/vigil/heartbeats" });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), {
      status: "success",
      data: [
        {
          name: "nightly-backup",
          state: "new",
          started: false,
          lastBeat: null,
          lastStart: null,
          lastFailure: null,
          nextExpected: "2025-01-07T00:00:00.000Z",
          downAt: "2025-01-07T01:00:00.000Z",
          schedule: { period: "1d" },
          grace: "1h",
          labels: { team: "infra" },
          annotations: {},
          lastMessage: null,
        },
        {
          name: "report.v2",
          state: "new",
          started: true,
          lastBeat: null,
          lastStart: "2025-01-06T00:30:00.000Z",
          lastFailure: null,
          // 03:00 in Berlin (CET, UTC+1).
          nextExpected: "2025-01-06T02:00:00.000Z",
          downAt: "2025-01-06T01:30:00.000Z",
          schedule: { cron: "0 3 * * *", timezone: "Europe/Berlin" },
          grace: "1h",
          labels: {},
          annotations: {},
          lastMessage: { kind: "start", time: "2025-01-06T00:30:00.000Z", body: "" },
        },
      ],
    });
  });
});
