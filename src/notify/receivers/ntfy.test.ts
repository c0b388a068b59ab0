import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NtfyConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createNtfyNotifier } from "./ntfy.ts";
import {
  CaptureServer,
  RETRY_CASES,
  SUBJECT,
  fixtureContext,
  httpConfig,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";

function ntfyConfig(changes: Partial<NtfyConfig>): NtfyConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    url: "https://ntfy.sh",
    topic: "alerts-{{ .CommonLabels.job }}",
    title: '{{ template "ntfy.default.title" . }}',
    message: '{{ template "ntfy.default.message" . }}',
    priority: '{{ if eq .Status "firing" }}high{{ else }}default{{ end }}',
    tags: ['{{ if eq .Status "firing" }}rotating_light{{ else }}white_check_mark{{ end }}'],
    click: "",
    icon: "",
    markdown: false,
    token: "",
    timeoutMs: 0,
    ...changes,
  };
}

const LINES = {
  firing: [
    "🔥 HighLatency: p99 latency above 1s (instance=api-1:8080, job=api, severity=critical)",
    "🔥 HighLatency: p99 latency above 1s (instance=api-2:8080, job=api, severity=critical)",
  ],
  resolved: [
    "✅ HighLatency: p99 latency above 1s (instance=api-1:8080, job=api, severity=critical)",
    "✅ HighLatency: p99 latency above 1s (instance=api-2:8080, job=api, severity=critical)",
  ],
};

describe("ntfy", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
  });
  after(() => server.close());

  for (const [status, priority, tags] of [
    ["firing", "high", "rotating_light"],
    ["resolved", "default", "white_check_mark"],
  ] as const) {
    it(`publishes to the topic URL with Title, Priority and Tags headers (${status})`, async () => {
      server.requests.length = 0;
      const n = createNtfyNotifier(ntfyConfig({ url: `${server.url}/` }), testDeps);
      await n.notify(fixtureContext({ status, integration: "ntfy" }), neverAborts());
      const req = server.requests[0];
      assert.equal(req.method, "POST");
      assert.equal(req.url, "/alerts-api");
      assert.equal(req.headers["content-type"], "text/plain; charset=utf-8");
      assert.equal(req.headers.title, SUBJECT[status]);
      assert.equal(req.headers.priority, priority);
      assert.equal(req.headers.tags, tags);
      assert.equal(req.headers.click, undefined);
      assert.equal(req.headers.authorization, undefined);
      assert.equal(req.body, LINES[status].join("\n"));
    });
  }

  it("encodes non-ASCII headers, sends click, icon, markdown and the access token", async () => {
    server.requests.length = 0;
    const n = createNtfyNotifier(
      ntfyConfig({
        url: server.url,
        topic: "ops",
        title: "Störung: {{ .GroupLabels.alertname }}",
        tags: ["warning", "{{ .CommonLabels.job }}", "{{ .CommonLabels.nope }}"],
        click: "https://vigil/alerts?x={{ .GroupLabels.alertname }}",
        icon: "https://vigil/icon.png",
        markdown: true,
        token: "tk_s3cr3t",
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const h = server.requests[0].headers;
    assert.equal(h.title, "=?utf-8?q?St=C3=B6rung:_HighLatency?=");
    assert.equal(h.tags, "warning,api");
    assert.equal(h.click, "https://vigil/alerts?x=HighLatency");
    assert.equal(h.icon, "https://vigil/icon.png");
    assert.equal(h.markdown, "yes");
    assert.equal(h.authorization, "Bearer tk_s3cr3t");
  });

  it("cuts messages at ntfy's 4096-byte limit", async () => {
    server.requests.length = 0;
    const n = createNtfyNotifier(
      ntfyConfig({ url: server.url, message: "é".repeat(3000) }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const body = server.requests[0].body;
    assert.equal(Buffer.byteLength(body), 4095);
    assert.ok(body.endsWith("é…"));
  });

  for (const [status, retry] of RETRY_CASES) {
    it(`decides retry=${retry} on status ${status}`, async () => {
      server.respond = () => ({ status, body: '{"code":40301,"http":403,"error":"forbidden"}' });
      try {
        const n = createNtfyNotifier(ntfyConfig({ url: server.url, token: "tk_s3cr3t" }), testDeps);
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.ok(!err.message.includes("tk_s3cr3t"));
      } finally {
        server.respond = () => ({ status: 200 });
      }
    });
  }
});
