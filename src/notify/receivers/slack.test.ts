import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { SlackConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createSlackNotifier } from "./slack.ts";
import {
  CaptureServer,
  fixtureContext,
  httpConfig,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";

/** slackConfig is a slack_configs entry with Alertmanager's defaults (config.DefaultSlackConfig). */
function slackConfig(changes: Partial<SlackConfig>): SlackConfig {
  return {
    sendResolved: false,
    httpConfig: httpConfig(),
    appToken: "",
    appUrl: "https://slack.com/api/chat.postMessage",
    channel: "",
    username: '{{ template "slack.default.username" . }}',
    color: '{{ template "slack.default.color" . }}',
    title: '{{ template "slack.default.title" . }}',
    titleLink: '{{ template "slack.default.titlelink" . }}',
    pretext: '{{ template "slack.default.pretext" . }}',
    text: '{{ template "slack.default.text" . }}',
    messageText: "",
    fields: [],
    shortFields: false,
    footer: '{{ template "slack.default.footer" . }}',
    fallback: '{{ template "slack.default.fallback" . }}',
    callbackId: '{{ template "slack.default.callbackid" . }}',
    iconEmoji: '{{ template "slack.default.iconemoji" . }}',
    iconUrl: '{{ template "slack.default.iconurl" . }}',
    imageUrl: "",
    thumbUrl: "",
    linkNames: false,
    mrkdwnIn: [],
    actions: [],
    updateMessage: false,
    timeoutMs: 0,
    ...changes,
  };
}

const LINK = "http://vigil.example:9700/#/alerts?receiver=team-api";

describe("slack", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
  });
  after(() => server.close());

  it("posts Alertmanager's attachment to an incoming webhook (firing)", async () => {
    server.requests.length = 0;
    server.respond = () => ({ status: 200, headers: { "Content-Type": "text/html" }, body: "ok" });
    const n = createSlackNotifier(
      slackConfig({ apiUrl: `${server.url}/services/T0/B0/XXX`, channel: "#alerts" }),
      testDeps,
    );
    await n.notify(fixtureContext({ integration: "slack" }), neverAborts());
    const req = server.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/services/T0/B0/XXX");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(
      req.body,
      '{"channel":"#alerts","username":"Alertmanager","attachments":[{' +
        '"title":"[FIRING:2] HighLatency (api critical)",' +
        `"title_link":"${LINK}","text":"",` +
        `"fallback":"[FIRING:2] HighLatency (api critical) | ${LINK}",` +
        '"callback_id":"","footer":"","color":"danger","mrkdwn_in":["fallback","pretext","text"]}]}\n',
    );
  });

  it("colours a resolved group good", async () => {
    server.requests.length = 0;
    server.respond = () => ({ status: 200, body: "ok" });
    const n = createSlackNotifier(slackConfig({ apiUrl: `${server.url}/hook` }), testDeps);
    await n.notify(fixtureContext({ status: "resolved" }), neverAborts());
    const body = JSON.parse(server.requests[0].body) as {
      attachments: { title: string; color: string }[];
    };
    assert.equal(body.attachments[0].title, "[RESOLVED] HighLatency (api critical)");
    assert.equal(body.attachments[0].color, "good");
  });

  it("renders fields, actions and message text", async () => {
    server.requests.length = 0;
    server.respond = () => ({ status: 200, body: "ok" });
    const n = createSlackNotifier(
      slackConfig({
        apiUrl: `${server.url}/hook`,
        messageText: "{{ len .Alerts }} alerts",
        linkNames: true,
        shortFields: true,
        mrkdwnIn: ["text"],
        fields: [
          { title: "Severity", value: "{{ .CommonLabels.severity }}" },
          { title: "Job", value: "{{ .CommonLabels.job }}", short: false },
        ],
        actions: [
          {
            type: "button",
            text: "Runbook",
            url: "https://runbooks/{{ .GroupLabels.alertname }}",
            style: "",
            name: "",
            value: "",
          },
          {
            type: "button",
            text: "Ack",
            url: "",
            style: "danger",
            name: "ack",
            value: "{{ .Status }}",
            confirm: { text: "Sure?", title: "", okText: "Yes", dismissText: "" },
          },
        ],
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const body = server.requests[0].body;
    assert.match(body, /^\{"username":"Alertmanager","link_names":true,"text":"2 alerts",/);
    assert.ok(
      body.includes(
        '"fields":[{"title":"Severity","value":"critical","short":true},' +
          '{"title":"Job","value":"api","short":false}],' +
          '"actions":[{"type":"button","text":"Runbook","url":"https://runbooks/HighLatency"},' +
          '{"type":"button","text":"Ack","style":"danger","name":"ack","value":"firing",' +
          '"confirm":{"text":"Sure?","ok_text":"Yes"}}],' +
          '"footer":"","color":"danger","mrkdwn_in":["text"]}',
      ),
      body,
    );
  });

  it("uses chat.postMessage with a bot token and updates the message with update_message", async () => {
    server.requests.length = 0;
    server.respond = () => ({
      status: 200,
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: '{"ok":true,"channel":"C123","ts":"1700000000.000100"}',
    });
    const n = createSlackNotifier(
      slackConfig({
        appToken: "xoxb-secret",
        appUrl: `${server.url}/api/chat.postMessage`,
        channel: "#alerts",
        updateMessage: true,
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    await n.notify(fixtureContext({ status: "resolved" }), neverAborts());
    assert.equal(server.requests[0].url, "/api/chat.postMessage");
    assert.equal(server.requests[0].headers.authorization, "Bearer xoxb-secret");
    assert.match(server.requests[0].body, /^\{"channel":"#alerts","username"/);
    assert.equal(server.requests[1].url, "/api/chat.update");
    assert.match(server.requests[1].body, /^\{"channel":"C123","ts":"1700000000.000100",/);
  });

  it("fails without retry on Slack's error answers", async () => {
    const n = createSlackNotifier(
      slackConfig({ apiUrl: `${server.url}/hook`, channel: "#x" }),
      testDeps,
    );
    server.respond = () => ({
      status: 200,
      headers: { "Content-Type": "application/json" },
      body: '{"ok":false,"error":"channel_not_found"}',
    });
    let err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, false);
    assert.equal(err.message, 'channel "#x": error response from Slack: channel_not_found');

    server.respond = () => ({ status: 200, body: "invalid_payload" });
    err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, false);
    assert.match(err.message, /received an error response from Slack: invalid_payload/);
    server.respond = () => ({ status: 200 });
  });

  for (const [status, retry] of [
    [500, true],
    [429, true],
    [400, false],
    [403, false],
  ] as const) {
    it(`decides retry=${retry} on status ${status} and keeps the webhook URL secret`, async () => {
      server.respond = () => ({ status, body: "no_service" });
      try {
        const n = createSlackNotifier(
          slackConfig({ apiUrl: `${server.url}/services/T0/B0/s3cr3t` }),
          testDeps,
        );
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.equal(err.message, `channel "": unexpected status code ${status}: no_service`);
        assert.ok(!err.message.includes("s3cr3t"));
      } finally {
        server.respond = () => ({ status: 200 });
      }
    });
  }

  it("truncates titles to 1024 characters", async () => {
    server.requests.length = 0;
    server.respond = () => ({ status: 200, body: "ok" });
    const n = createSlackNotifier(
      slackConfig({
        apiUrl: `${server.url}/hook`,
        title: "{{ range $i := .Alerts }}é{{ end }}" + "x".repeat(1100),
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const body = JSON.parse(server.requests[0].body) as { attachments: { title: string }[] };
    const title = body.attachments[0].title;
    assert.equal([...title].length, 1024);
    assert.ok(title.startsWith("éé"));
    assert.ok(title.endsWith("x…"));
  });

  it("rejects a broken template without retry", async () => {
    const n = createSlackNotifier(
      slackConfig({ apiUrl: `${server.url}/hook`, title: "{{ .Nope.Deeper }" }),
      testDeps,
    );
    const err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, false);
    assert.match(err.message, /^failed to template title: template: /);
  });
});
