import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { labelsFromRecord } from "../../../model/labels/index.ts";
import { historyLabels } from "../../../rules/index.ts";
import type { AlertHistoryState } from "../../../rules/index.ts";
import { MemoryStorage } from "../../../storage/memory/index.ts";
import type { Storage } from "../../../storage/index.ts";
import { silentLogger } from "../../../util/logging/index.ts";
import { registerAlertHistoryApi } from "./index.ts";

const T0 = Date.UTC(2025, 0, 2, 3, 0, 0);
const MIN = 60_000;

async function server(storage: Storage | undefined) {
  const app = Fastify();
  registerAlertHistoryApi(app, {
    storage: () => storage,
    logger: silentLogger(),
    now: () => T0 + 10 * MIN,
  });
  await app.ready();
  return app;
}

async function filled(): Promise<MemoryStorage> {
  const s = new MemoryStorage();
  const app = s.appender();
  const add = (
    alert: Record<string, string>,
    name: string,
    state: AlertHistoryState,
    tMs: number,
  ) => app.append(0, historyLabels(labelsFromRecord(alert), name, state), tMs, 1);
  add({ job: "a", severity: "critical" }, "Down", "pending", T0 + MIN);
  add({ job: "a", severity: "critical" }, "Down", "firing", T0 + 2 * MIN);
  add({ job: "b" }, "Slow", "pending", T0 + 3 * MIN);
  add({ job: "b" }, "Slow", "inactive", T0 + 4 * MIN);
  add({ job: "a", severity: "critical" }, "Down", "resolved", T0 + 5 * MIN);
  // An older change, outside the default day.
  add({ job: "a", severity: "critical" }, "Down", "firing", T0 - 2 * 24 * 60 * MIN);
  await app.commit();
  return s;
}

describe("GET /api/vigil/alerts/history", () => {
  it("returns the state changes of the last day, oldest first", async () => {
    const app = await server(await filled());
    const r = await app.inject({ method: "GET", url: "/api/vigil/alerts/history" });
    assert.equal(r.statusCode, 200);
    const body = r.json() as {
      status: string;
      data: {
        labels: Record<string, string>;
        state: string;
        time: string;
        timestamp: number;
        value: number;
      }[];
    };
    assert.equal(body.status, "success");
    assert.deepEqual(
      body.data.map((e) => `${e.time} ${e.state} ${e.labels["alertname"]}`),
      [
        "2025-01-02T03:01:00.000Z pending Down",
        "2025-01-02T03:02:00.000Z firing Down",
        "2025-01-02T03:03:00.000Z pending Slow",
        "2025-01-02T03:04:00.000Z inactive Slow",
        "2025-01-02T03:05:00.000Z resolved Down",
      ],
    );
    assert.deepEqual(body.data[0], {
      labels: { alertname: "Down", job: "a", severity: "critical" },
      state: "pending",
      time: "2025-01-02T03:01:00.000Z",
      timestamp: (T0 + MIN) / 1000,
      value: 1,
    });
  });

  it("selects by match[], start, end and limit", async () => {
    const app = await server(await filled());
    const get = async (qs: string) => {
      const r = await app.inject({ method: "GET", url: `/api/vigil/alerts/history?${qs}` });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json() as { data: { state: string; labels: Record<string, string> }[] }).data.map(
        (e) => `${e.state} ${e.labels["alertname"]}`,
      );
    };
    assert.deepEqual(await get(`match[]=${encodeURIComponent('{alertname="Slow"}')}`), [
      "pending Slow",
      "inactive Slow",
    ]);
    assert.deepEqual(
      await get(
        `match[]=${encodeURIComponent('{alertstate="firing"}')}&match[]=${encodeURIComponent('{job="b",alertstate="inactive"}')}`,
      ),
      ["firing Down", "inactive Slow"],
    );
    assert.deepEqual(await get(`start=${(T0 + 2 * MIN) / 1000}&end=2025-01-02T03:03:00Z`), [
      "firing Down",
      "pending Slow",
    ]);
    assert.deepEqual(await get(`start=0&match[]=${encodeURIComponent('{alertname="Down"}')}`), [
      "firing Down",
      "pending Down",
      "firing Down",
      "resolved Down",
    ]);
    assert.deepEqual(await get("limit=1"), ["resolved Down"]);
  });

  it("refuses bad parameters and answers 503 before storage opens", async () => {
    const app = await server(new MemoryStorage());
    for (const [qs, want] of [
      ["start=yesterday", /invalid parameter "start"/],
      ["start=100&end=50", /end timestamp must not be before start time/],
      ["match[]=up{", /invalid parameter "match\[\]"/],
      ["limit=-1", /invalid parameter "limit"/],
    ] as const) {
      const r = await app.inject({ method: "GET", url: `/api/vigil/alerts/history?${qs}` });
      assert.equal(r.statusCode, 400, qs);
      const body = r.json() as { status: string; errorType: string; error: string };
      assert.equal(body.status, "error");
      assert.equal(body.errorType, "bad_data");
      assert.match(body.error, want);
    }
    const closed = await server(undefined);
    const r = await closed.inject({ method: "GET", url: "/api/vigil/alerts/history" });
    assert.equal(r.statusCode, 503);
  });
});
