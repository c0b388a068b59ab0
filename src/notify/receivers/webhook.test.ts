import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WebhookConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import {
  CaptureServer,
  fixtureAlerts,
  fixtureContext,
  httpConfig,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";
import { createWebhookNotifier } from "./webhook.ts";

function webhookConfig(changes: Partial<WebhookConfig>): WebhookConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    maxAlerts: 0,
    timeoutMs: 0,
    ...changes,
  };
}

const GEN = "http://prom.example:9090/graph?g0.expr=latency+%3E+1\\u0026g0.tab=1";

function alertJSON(n: 1 | 2, status: string, endsAt: string): string {
  const [instance, description, fp] =
    n === 1
      ? ["api-1:8080", "Latency is 1.5s", "683a3817b3c25af6"]
      : ["api-2:8080", "Latency is 1.2s", "20ba5fa726e9c9ff"];
  return (
    `{"status":"${status}","labels":{"alertname":"HighLatency","instance":"${instance}",` +
    `"job":"api","severity":"critical"},"annotations":{"description":"${description}",` +
    `"summary":"p99 latency above 1s"},"startsAt":"2024-01-02T03:04:05Z","endsAt":"${endsAt}",` +
    `"generatorURL":"${GEN}","fingerprint":"${fp}"}`
  );
}

const ZERO = "0001-01-01T00:00:00Z";
const TAIL =
  `"groupLabels":{"alertname":"HighLatency"},` +
  `"commonLabels":{"alertname":"HighLatency","job":"api","severity":"critical"},` +
  `"commonAnnotations":{"summary":"p99 latency above 1s"},"externalURL":"http://vigil.example:9700",` +
  `"version":"4","groupKey":"{}:{alertname=\\"HighLatency\\"}","truncatedAlerts":0}\n`;

describe("webhook", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
  });
  after(() => server.close());

  it("posts the version 4 JSON of a firing group", async () => {
    server.requests.length = 0;
    const n = createWebhookNotifier(webhookConfig({ url: `${server.url}/hook` }), testDeps);
    await n.notify(fixtureContext(), neverAborts());
    n.close?.();
    assert.equal(server.requests.length, 1);
    const req = server.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/hook");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(req.headers["user-agent"], "Vigil/test");
    assert.equal(
      req.body,
      `{"receiver":"team-api","status":"firing","alerts":[` +
        `${alertJSON(1, "firing", ZERO)},${alertJSON(2, "firing", ZERO)}],` +
        `"notification_reason":"",` +
        TAIL,
    );
  });

  it("posts the version 4 JSON of a resolved group", async () => {
    server.requests.length = 0;
    const n = createWebhookNotifier(webhookConfig({ url: `${server.url}/hook` }), testDeps);
    await n.notify(fixtureContext({ status: "resolved" }), neverAborts());
    const end = "2024-01-02T03:14:05Z";
    assert.equal(
      server.requests[0].body,
      `{"receiver":"team-api","status":"resolved","alerts":[` +
        `${alertJSON(1, "resolved", end)},${alertJSON(2, "resolved", end)}],` +
        `"notification_reason":"",` +
        TAIL,
    );
  });

  it("truncates to max_alerts and reports how many were dropped", async () => {
    server.requests.length = 0;
    const n = createWebhookNotifier(
      webhookConfig({ url: `${server.url}/hook`, maxAlerts: 1 }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const body = JSON.parse(server.requests[0].body) as Record<string, unknown>;
    assert.equal(body.truncatedAlerts, 1);
    assert.equal((body.alerts as unknown[]).length, 1);
    // The template data is that of the truncated list: instance is now a common label.
    assert.deepEqual(body.commonLabels, {
      alertname: "HighLatency",
      instance: "api-1:8080",
      job: "api",
      severity: "critical",
    });
    assert.equal(body.receiver, "team-api");
  });

  it("expands templates in the URL and reads url_file", async () => {
    server.requests.length = 0;
    const n = createWebhookNotifier(
      webhookConfig({ url: `${server.url}/{{ .GroupLabels.alertname }}/{{ .Status }}` }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.equal(server.requests[0].url, "/HighLatency/firing");

    const dir = mkdtempSync(join(tmpdir(), "vigil-webhook-"));
    const file = join(dir, "url");
    writeFileSync(file, `  ${server.url}/from-file\n`);
    const f = createWebhookNotifier(webhookConfig({ urlFile: file }), testDeps);
    await f.notify(fixtureContext(), neverAborts());
    assert.equal(server.requests[1].url, "/from-file");

    const missing = createWebhookNotifier(
      webhookConfig({ urlFile: join(dir, "missing") }),
      testDeps,
    );
    const err = await rejection(missing.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, false);
    assert.match(err.message, /could not read .*missing: ENOENT/);
  });

  it("sends basic auth and bearer credentials from http_config", async () => {
    server.requests.length = 0;
    const basic = createWebhookNotifier(
      webhookConfig({
        url: `${server.url}/b`,
        httpConfig: httpConfig({ basicAuth: { username: "user", password: "pa:ss" } }),
      }),
      testDeps,
    );
    await basic.notify(fixtureContext(), neverAborts());
    assert.equal(
      server.requests[0].headers.authorization,
      "Basic " + Buffer.from("user:pa:ss").toString("base64"),
    );
    const bearer = createWebhookNotifier(
      webhookConfig({
        url: `${server.url}/b`,
        httpConfig: httpConfig({ authorization: { type: "Bearer", credentials: "tok3n" } }),
      }),
      testDeps,
    );
    await bearer.notify(fixtureContext(), neverAborts());
    assert.equal(server.requests[1].headers.authorization, "Bearer tok3n");
  });

  it("renders a custom payload as Alertmanager's DeepCopyWithTemplate does", async () => {
    server.requests.length = 0;
    const n = createWebhookNotifier(
      webhookConfig({
        url: `${server.url}/p`,
        payload: {
          text: "{{ .CommonAnnotations.summary }} <{{ .Status }}>",
          count: "{{ len .Alerts.Firing }}",
          flag: "yes",
          "{{ .GroupLabels.alertname }}": ["a", "{{ .Receiver }}"],
          instances: '{{ range .Alerts }}- "{{ .Labels.instance }}"\n{{ end }}',
          empty: "",
        },
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.equal(
      server.requests[0].body,
      '{"HighLatency":["a","team-api"],"count":2,"empty":null,"flag":true,' +
        '"instances":["api-1:8080","api-2:8080"],' +
        '"text":"p99 latency above 1s \\u003cfiring\\u003e"}\n',
    );
  });

  for (const [status, retry] of [
    [500, true],
    [503, true],
    [429, true],
    [400, false],
    [404, false],
  ] as const) {
    it(`decides retry=${retry} on status ${status}`, async () => {
      server.respond = () => ({ status, body: "nope" });
      try {
        const n = createWebhookNotifier(
          webhookConfig({ url: `${server.url}/secret-token-abc` }),
          testDeps,
        );
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.equal(err.statusCode, status);
        assert.equal(err.message, `unexpected status code ${status}: nope`);
      } finally {
        server.respond = () => ({ status: 200 });
      }
    });
  }

  it("keeps the URL out of network errors and retries them", async () => {
    const closed = await CaptureServer.start();
    const url = `${closed.url}/hooks/s3cr3t`;
    await closed.close();
    const n = createWebhookNotifier(webhookConfig({ url }), testDeps);
    const err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, true);
    assert.ok(!err.message.includes("s3cr3t"), err.message);
    assert.ok(!String(err.stack).includes("s3cr3t"));
    assert.equal(err.cause, undefined);
    assert.match(err.message, /^Post "<redacted>": /);
  });

  it("gives up after its timeout", async () => {
    server.respond = () => new Promise(() => {});
    try {
      const n = createWebhookNotifier(
        webhookConfig({ url: `${server.url}/slow`, timeoutMs: 50 }),
        testDeps,
      );
      const err = await rejection(n.notify(fixtureContext(), neverAborts()));
      assert.ok(err instanceof NotifyError);
      assert.equal(err.retry, true);
      assert.match(err.message, /configured webhook timeout reached \(50ms\)/);
      n.close?.();
    } finally {
      server.respond = () => ({ status: 200 });
    }
  });

  it("stops when the signal aborts", async () => {
    server.respond = () => new Promise(() => {});
    try {
      const n = createWebhookNotifier(webhookConfig({ url: `${server.url}/slow` }), testDeps);
      const ac = new AbortController();
      const p = n.notify(fixtureContext(), ac.signal);
      setTimeout(() => ac.abort(new Error("shutdown")), 20);
      const err = await rejection(p);
      assert.ok(err instanceof NotifyError);
      assert.match(err.message, /aborted: shutdown/);
      n.close?.();
    } finally {
      server.respond = () => ({ status: 200 });
    }
  });

  it("sends a group with a single alert", async () => {
    server.requests.length = 0;
    const n = createWebhookNotifier(webhookConfig({ url: `${server.url}/one` }), testDeps);
    await n.notify(fixtureContext({ alerts: fixtureAlerts("firing").slice(1) }), neverAborts());
    const body = JSON.parse(server.requests[0].body) as { alerts: unknown[] };
    assert.equal(body.alerts.length, 1);
  });
});
