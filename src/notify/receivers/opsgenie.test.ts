import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { OpsGenieConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createOpsGenieNotifier } from "./opsgenie.ts";
import {
  ALERTS_URL,
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

function opsgenieConfig(changes: Partial<OpsGenieConfig>): OpsGenieConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    apiKey: "g3n1e-key",
    apiUrl: "https://api.opsgenie.com/",
    message: '{{ template "opsgenie.default.message" . }}',
    description: '{{ template "opsgenie.default.description" . }}',
    source: '{{ template "opsgenie.default.source" . }}',
    details: {},
    entity: "",
    responders: [],
    actions: "",
    tags: "",
    note: "",
    priority: "",
    updateAlerts: false,
    ...changes,
  };
}

const ALIAS = createHash("sha256").update(GROUP_KEY).digest("hex");
const DESCRIPTION = `p99 latency above 1s\nAlerts Firing:\n${TEXT_LIST}\n`;

describe("opsgenie", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
    server.respond = () => ({ status: 202, body: '{"result":"Request will be processed"}' });
  });
  after(() => server.close());

  it("creates an alert for a firing group", async () => {
    server.requests.length = 0;
    const n = createOpsGenieNotifier(opsgenieConfig({ apiUrl: `${server.url}/` }), testDeps);
    await n.notify(fixtureContext({ integration: "opsgenie" }), neverAborts());
    const req = server.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/v2/alerts");
    assert.equal(req.headers.authorization, "GenieKey g3n1e-key");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(
      req.body,
      `{"alias":"${ALIAS}","message":${goString(SUBJECT.firing)},` +
        `"description":${goString(DESCRIPTION)},` +
        '"details":{"alertname":"HighLatency","job":"api","severity":"critical"},' +
        `"source":${goString(ALERTS_URL)}}\n`,
    );
  });

  it("closes the alert of a resolved group", async () => {
    server.requests.length = 0;
    const n = createOpsGenieNotifier(opsgenieConfig({ apiUrl: `${server.url}/` }), testDeps);
    await n.notify(fixtureContext({ status: "resolved" }), neverAborts());
    const req = server.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.url, `/v2/alerts/${ALIAS}/close?identifierType=alias`);
    assert.equal(req.body, `{"source":${goString(ALERTS_URL)}}\n`);
  });

  it("sends priority, responders, tags, actions, note and entity; updates with update_alerts", async () => {
    server.requests.length = 0;
    const n = createOpsGenieNotifier(
      opsgenieConfig({
        apiUrl: `${server.url}/`,
        message: "{{ .GroupLabels.alertname }}",
        description: "d",
        details: { job: "overridden", runbook: "https://rb/{{ .GroupLabels.alertname }}" },
        priority: '{{ if eq .CommonLabels.severity "critical" }}P1{{ else }}P3{{ end }}',
        responders: [
          { id: "", name: "sre", username: "", type: "team" },
          { id: "", name: "a, b", username: "", type: "teams" },
          { id: "", name: "{{ .CommonLabels.nope }}", username: "", type: "" },
          { id: "", name: "", username: "jane@example.com", type: "user" },
        ],
        tags: "{{ .CommonLabels.job }},latency, ,",
        actions: "restart",
        note: "n",
        entity: "{{ .CommonLabels.job }}",
        updateAlerts: true,
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.equal(
      server.requests[0].body,
      `{"alias":"${ALIAS}","message":"HighLatency","description":"d",` +
        '"details":{"alertname":"HighLatency","job":"overridden","runbook":"https://rb/HighLatency",' +
        '"severity":"critical"},' +
        `"source":${goString(ALERTS_URL)},` +
        '"responders":[{"name":"sre","type":"team"},{"name":"a","type":"team"},' +
        '{"name":" b","type":"team"},{"username":"jane@example.com","type":"user"}],' +
        '"tags":["api","latency"," "],"note":"n","priority":"P1","entity":"api","actions":["restart"]}\n',
    );
    assert.equal(server.requests[1].method, "PUT");
    assert.equal(server.requests[1].url, `/v2/alerts/${ALIAS}/message?identifierType=alias`);
    assert.equal(server.requests[1].body, '{"message":"HighLatency"}\n');
    assert.equal(server.requests[2].method, "PUT");
    assert.equal(server.requests[2].url, `/v2/alerts/${ALIAS}/description?identifierType=alias`);
    assert.equal(server.requests[2].body, '{"description":"d"}\n');
  });

  it("truncates the message to 130 characters", async () => {
    server.requests.length = 0;
    const n = createOpsGenieNotifier(
      opsgenieConfig({ apiUrl: `${server.url}/`, message: "m".repeat(200) }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const body = JSON.parse(server.requests[0].body) as { message: string };
    assert.equal(body.message, "m".repeat(129) + "…");
  });

  for (const [status, retry] of RETRY_CASES) {
    it(`decides retry=${retry} on status ${status} without leaking the key`, async () => {
      server.respond = () => ({ status, body: '{"message":"Key format is not valid!"}' });
      try {
        const n = createOpsGenieNotifier(opsgenieConfig({ apiUrl: `${server.url}/` }), testDeps);
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.equal(
          err.message,
          `unexpected status code ${status}: {"message":"Key format is not valid!"}`,
        );
        assert.ok(!err.message.includes("g3n1e-key"));
      } finally {
        server.respond = () => ({ status: 202 });
      }
    });
  }
});
