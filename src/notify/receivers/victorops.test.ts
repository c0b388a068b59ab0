import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { VictorOpsConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createVictorOpsNotifier } from "./victorops.ts";
import {
  CaptureServer,
  GROUP_KEY,
  RETRY_CASES,
  SUBJECT,
  TEXT_LIST,
  fixtureContext,
  goString,
  httpConfig,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";

function victorOpsConfig(changes: Partial<VictorOpsConfig>): VictorOpsConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    apiKey: "AP1-KEY",
    apiUrl: "https://alert.victorops.com/integrations/generic/20131114/alert/",
    routingKey: "team-{{ .CommonLabels.job }}",
    messageType: "CRITICAL",
    stateMessage: '{{ template "victorops.default.state_message" . }}',
    entityDisplayName: '{{ template "victorops.default.entity_display_name" . }}',
    monitoringTool: '{{ template "victorops.default.monitoring_tool" . }}',
    customFields: {},
    ...changes,
  };
}

const ENTITY = createHash("sha256").update(GROUP_KEY).digest("hex");

describe("victorops", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
    server.respond = () => ({ status: 200, body: '{"result":"success","entity_id":"x"}' });
  });
  after(() => server.close());

  for (const [status, type, state] of [
    ["firing", "CRITICAL", `p99 latency above 1s\nAlerts Firing:\n${TEXT_LIST}\n`],
    ["resolved", "RECOVERY", `p99 latency above 1s\n\nAlerts Resolved:\n${TEXT_LIST}`],
  ] as const) {
    it(`posts a ${type} alert (${status})`, async () => {
      server.requests.length = 0;
      const n = createVictorOpsNotifier(
        victorOpsConfig({ apiUrl: `${server.url}/alert/` }),
        testDeps,
      );
      await n.notify(fixtureContext({ status }), neverAborts());
      const req = server.requests[0];
      assert.equal(req.method, "POST");
      assert.equal(req.url, "/alert/AP1-KEY/team-api");
      assert.equal(req.headers["content-type"], "application/json");
      assert.equal(
        req.body,
        `{"entity_display_name":${goString(SUBJECT[status])},"entity_id":"${ENTITY}",` +
          `"message_type":"${type}","monitoring_tool":"Alertmanager",` +
          `"state_message":${goString(state)}}\n`,
      );
    });
  }

  it("keeps INFO and WARNING, maps other firing types to CRITICAL, adds custom fields", async () => {
    server.requests.length = 0;
    for (const messageType of ["WARNING", "{{ .CommonLabels.severity }}"]) {
      const n = createVictorOpsNotifier(
        victorOpsConfig({
          apiUrl: `${server.url}/`,
          messageType,
          customFields: { team: "{{ .CommonLabels.job }}", zz: "1" },
        }),
        testDeps,
      );
      await n.notify(fixtureContext(), neverAborts());
    }
    const bodies = server.requests.map((r) => JSON.parse(r.body) as Record<string, string>);
    assert.equal(bodies[0].message_type, "WARNING");
    assert.equal(bodies[1].message_type, "CRITICAL");
    assert.equal(bodies[0].team, "api");
    assert.match(server.requests[0].body, /"state_message":".*","team":"api","zz":"1"\}\n$/);
  });

  for (const [status, retry] of RETRY_CASES) {
    it(`decides retry=${retry} on status ${status} without leaking the API key`, async () => {
      server.respond = () => ({ status });
      try {
        const n = createVictorOpsNotifier(victorOpsConfig({ apiUrl: `${server.url}/` }), testDeps);
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.ok(!err.message.includes("AP1-KEY"));
      } finally {
        server.respond = () => ({ status: 200 });
      }
    });
  }

  it("keeps the API key out of network errors", async () => {
    const closed = await CaptureServer.start();
    await closed.close();
    const n = createVictorOpsNotifier(victorOpsConfig({ apiUrl: `${closed.url}/` }), testDeps);
    const err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, true);
    assert.ok(!err.message.includes("AP1-KEY"), err.message);
  });
});
