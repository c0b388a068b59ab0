import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { PagerdutyConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createPagerdutyNotifier } from "./pagerduty.ts";
import {
  ALERTS_URL,
  CaptureServer,
  GROUP_KEY,
  SUBJECT,
  fixtureContext,
  goString,
  httpConfig,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";

/** pagerdutyConfig has Alertmanager's defaults (DefaultPagerdutyConfig and its details). */
function pagerdutyConfig(changes: Partial<PagerdutyConfig>): PagerdutyConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    serviceKey: "",
    routingKey: "",
    url: "https://events.pagerduty.com/v2/enqueue",
    client: '{{ template "pagerduty.default.client" . }}',
    clientUrl: '{{ template "pagerduty.default.clientURL" . }}',
    description: '{{ template "pagerduty.default.description" .}}',
    details: {
      firing: "{{ .Alerts.Firing | toJson }}",
      resolved: "{{ .Alerts.Resolved | toJson }}",
      num_firing: "{{ .Alerts.Firing | len }}",
      num_resolved: "{{ .Alerts.Resolved | len }}",
    },
    images: [],
    links: [],
    source: "",
    severity: "",
    class: "",
    component: "",
    group: "",
    timeoutMs: 0,
    ...changes,
  };
}

const DEDUP = createHash("sha256").update(GROUP_KEY).digest("hex");
const GEN = "http://prom.example:9090/graph?g0.expr=latency+%3E+1\\u0026g0.tab=1";

/** detailAlert is one alert of the firing/resolved details, keys sorted as Go sorts a map. */
function detailAlert(n: 1 | 2, status: string, endsAt: string): string {
  const [instance, description, fp] =
    n === 1
      ? ["api-1:8080", "Latency is 1.5s", "683a3817b3c25af6"]
      : ["api-2:8080", "Latency is 1.2s", "20ba5fa726e9c9ff"];
  return (
    `{"annotations":{"description":"${description}","summary":"p99 latency above 1s"},` +
    `"endsAt":"${endsAt}","fingerprint":"${fp}","generatorURL":"${GEN}",` +
    `"labels":{"alertname":"HighLatency","instance":"${instance}","job":"api","severity":"critical"},` +
    `"startsAt":"2024-01-02T03:04:05Z","status":"${status}"}`
  );
}

const FIRING_DETAILS =
  `{"firing":[${detailAlert(1, "firing", "0001-01-01T00:00:00Z")},` +
  `${detailAlert(2, "firing", "0001-01-01T00:00:00Z")}],"num_firing":2,"num_resolved":0,"resolved":[]}`;
const RESOLVED_DETAILS =
  `{"firing":[],"num_firing":0,"num_resolved":2,"resolved":[` +
  `${detailAlert(1, "resolved", "2024-01-02T03:14:05Z")},` +
  `${detailAlert(2, "resolved", "2024-01-02T03:14:05Z")}]}`;

describe("pagerduty", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
    server.respond = () => ({ status: 202, body: '{"status":"success","dedup_key":"x"}' });
  });
  after(() => server.close());

  it("triggers an Events API v2 event for a firing group", async () => {
    server.requests.length = 0;
    const n = createPagerdutyNotifier(
      pagerdutyConfig({ routingKey: "R0UT1NG", url: `${server.url}/v2/enqueue` }),
      testDeps,
    );
    await n.notify(fixtureContext({ integration: "pagerduty" }), neverAborts());
    const req = server.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/v2/enqueue");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(
      req.body,
      `{"routing_key":"R0UT1NG","dedup_key":"${DEDUP}","event_action":"trigger",` +
        `"payload":{"summary":${goString(SUBJECT.firing)},"source":"Alertmanager",` +
        `"severity":"error","custom_details":${FIRING_DETAILS}},` +
        `"client":"Alertmanager","client_url":${goString(ALERTS_URL)}}\n`,
    );
  });

  it("resolves the event of a resolved group with the same dedup_key", async () => {
    server.requests.length = 0;
    const n = createPagerdutyNotifier(
      pagerdutyConfig({ routingKey: "R0UT1NG", url: `${server.url}/v2/enqueue` }),
      testDeps,
    );
    await n.notify(fixtureContext({ status: "resolved" }), neverAborts());
    assert.equal(
      server.requests[0].body,
      `{"routing_key":"R0UT1NG","dedup_key":"${DEDUP}","event_action":"resolve",` +
        `"payload":{"summary":${goString(SUBJECT.resolved)},"source":"Alertmanager",` +
        `"severity":"error","custom_details":${RESOLVED_DETAILS}},` +
        `"client":"Alertmanager","client_url":${goString(ALERTS_URL)}}\n`,
    );
  });

  it("renders severity, class, component, group, links, images and custom details", async () => {
    server.requests.length = 0;
    const n = createPagerdutyNotifier(
      pagerdutyConfig({
        routingKey: "{{ .CommonLabels.job }}-key",
        url: `${server.url}/v2/enqueue`,
        severity: "{{ .CommonLabels.severity }}",
        class: "latency",
        component: "{{ .CommonLabels.job }}",
        group: "prod",
        source: "vigil",
        details: { summary: "{{ .CommonAnnotations.summary }}", count: "{{ len .Alerts }}" },
        links: [
          { href: "https://runbook/{{ .GroupLabels.alertname }}", text: "Runbook" },
          { href: "", text: "dropped" },
        ],
        images: [{ src: "https://img/x.png", alt: "graph", href: "" }],
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.equal(
      server.requests[0].body,
      `{"routing_key":"api-key","dedup_key":"${DEDUP}","event_action":"trigger",` +
        `"payload":{"summary":${goString(SUBJECT.firing)},"source":"vigil","severity":"critical",` +
        `"class":"latency","component":"api","group":"prod",` +
        `"custom_details":{"count":2,"summary":"p99 latency above 1s"}},` +
        `"client":"Alertmanager","client_url":${goString(ALERTS_URL)},` +
        `"images":[{"src":"https://img/x.png","alt":"graph","href":""}],` +
        `"links":[{"href":"https://runbook/HighLatency","text":"Runbook"}]}\n`,
    );
  });

  it("sends v1 events with a service key", async () => {
    server.requests.length = 0;
    const n = createPagerdutyNotifier(
      pagerdutyConfig({ serviceKey: "S3RV1CE", url: `${server.url}/generic/create_event.json` }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.equal(server.requests[0].url, "/generic/create_event.json");
    assert.equal(
      server.requests[0].body,
      `{"service_key":"S3RV1CE","incident_key":"${DEDUP}","event_type":"trigger",` +
        `"description":${goString(SUBJECT.firing)},"event_action":"","payload":null,` +
        `"client":"Alertmanager","client_url":${goString(ALERTS_URL)},"details":${FIRING_DETAILS}}\n`,
    );
  });

  it("replaces custom details of an event above 512KB", async () => {
    server.requests.length = 0;
    const n = createPagerdutyNotifier(
      pagerdutyConfig({
        routingKey: "R",
        url: `${server.url}/v2/enqueue`,
        details: { big: "x".repeat(600_000) },
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const body = JSON.parse(server.requests[0].body) as { payload: Record<string, unknown> };
    assert.deepEqual(body.payload.custom_details, {
      error:
        "Custom details have been removed because the original event exceeds the maximum size of 512KB",
    });
  });

  it("refuses an empty routing key without retry", async () => {
    const n = createPagerdutyNotifier(
      pagerdutyConfig({ routingKey: "{{ .CommonLabels.nope }}", url: `${server.url}/v2/enqueue` }),
      testDeps,
    );
    const err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, false);
    assert.equal(err.message, "routing key cannot be empty");
  });

  for (const [v1, status, retry] of [
    [false, 500, true],
    [false, 429, true],
    [false, 403, false],
    [false, 400, false],
    [true, 403, true],
    [true, 429, true],
    [true, 400, false],
  ] as const) {
    it(`decides retry=${retry} on status ${status} (${v1 ? "v1" : "v2"})`, async () => {
      server.respond = () => ({
        status,
        body: '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect"]}',
      });
      try {
        const n = createPagerdutyNotifier(
          pagerdutyConfig({
            ...(v1 ? { serviceKey: "S" } : { routingKey: "R" }),
            url: `${server.url}/v2/enqueue`,
          }),
          testDeps,
        );
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.equal(
          err.message,
          status === 400
            ? "unexpected status code 400: Event object is invalid: Length of 'routing_key' is incorrect"
            : `unexpected status code ${status}`,
        );
      } finally {
        server.respond = () => ({ status: 202 });
      }
    });
  }
});
