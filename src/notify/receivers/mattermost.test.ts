import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { MattermostConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createMattermostNotifier } from "./mattermost.ts";
import {
  ALERTS_URL,
  CaptureServer,
  MARKDOWN_LIST,
  RETRY_CASES,
  SUBJECT,
  fixtureContext,
  goString,
  httpConfig,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";

/** mattermostConfig has the defaults of Alertmanager's DefaultMattermostConfig. */
function mattermostConfig(changes: Partial<MattermostConfig>): MattermostConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    channel: "",
    username: '{{ template "mattermost.default.username" . }}',
    text: '{{ template "mattermost.default.text" . }}',
    fallback: '{{ template "mattermost.default.fallback" . }}',
    color: '{{ template "mattermost.default.color" . }}',
    pretext: "",
    authorName: "",
    authorLink: "",
    authorIcon: "",
    title: '{{ template "mattermost.default.title" . }}',
    titleLink: '{{ template "mattermost.default.titlelink" . }}',
    fields: [],
    thumbUrl: "",
    footer: "",
    footerIcon: "",
    imageUrl: "",
    iconUrl: "",
    iconEmoji: "",
    attachments: [],
    type: "",
    ...changes,
  };
}

describe("mattermost", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
  });
  after(() => server.close());

  for (const status of ["firing", "resolved"] as const) {
    it(`posts the Slack-compatible attachment (${status})`, async () => {
      server.requests.length = 0;
      const n = createMattermostNotifier(
        mattermostConfig({ webhookUrl: `${server.url}/hooks/xyz` }),
        testDeps,
      );
      await n.notify(fixtureContext({ status }), neverAborts());
      const req = server.requests[0];
      assert.equal(req.method, "POST");
      assert.equal(req.url, "/hooks/xyz");
      assert.equal(req.headers["content-type"], "application/json");
      const heading = status === "firing" ? "# Alerts Firing:" : "# Alerts Resolved:";
      const text =
        status === "firing"
          ? `\n\n${heading}\n${MARKDOWN_LIST}\n\n\n`
          : `\n\n\n${heading}\n${MARKDOWN_LIST}\n\n`;
      assert.equal(
        req.body,
        '{"username":"Alertmanager","attachments":[{' +
          `"fallback":${goString(`${SUBJECT[status]} | ${ALERTS_URL}`)},` +
          `"color":"${status === "firing" ? "danger" : "good"}",` +
          `"text":${goString(text)},` +
          `"title":${goString(SUBJECT[status])},"title_link":${goString(ALERTS_URL)}}]}\n`,
      );
    });
  }

  it("puts the text in the post when attachments are configured, and sanitizes priority", async () => {
    server.requests.length = 0;
    const n = createMattermostNotifier(
      mattermostConfig({
        webhookUrl: `${server.url}/hooks/xyz`,
        channel: "town-square",
        text: "{{ .Status }}",
        attachments: [
          {
            fallback: "",
            color: "#FF0000",
            pretext: "",
            text: "{{ len .Alerts }} alerts",
            authorName: "",
            authorLink: "",
            authorIcon: "",
            title: "T",
            titleLink: "",
            fields: [{ title: "a", value: "{{ .CommonLabels.job }}", short: true }],
            thumbUrl: "",
            footer: "",
            footerIcon: "",
            imageUrl: "",
          },
        ],
        props: { card: "card {{ .Status }}" },
        priority: { priority: "Important", requestedAck: true, persistentNotifications: true },
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.equal(
      server.requests[0].body,
      '{"text":"firing","channel":"town-square","username":"Alertmanager","attachments":[' +
        '{"color":"#FF0000","text":"2 alerts","title":"T","fields":[{"title":"a","value":"api","short":true}]}],' +
        '"props":{"card":"card firing"},"priority":{"priority":"important","requested_ack":true}}\n',
    );
  });

  it("falls back to standard priority without ack or persistent notifications", async () => {
    server.requests.length = 0;
    const n = createMattermostNotifier(
      mattermostConfig({
        webhookUrl: `${server.url}/hooks/xyz`,
        priority: {
          priority: "{{ .CommonLabels.severity }}",
          requestedAck: true,
          persistentNotifications: true,
        },
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.match(server.requests[0].body, /,"priority":\{"priority":"standard"\}\}\n$/);
  });

  for (const [status, retry] of RETRY_CASES) {
    it(`decides retry=${retry} on status ${status}`, async () => {
      server.respond = () => ({ status, body: "bad" });
      try {
        const n = createMattermostNotifier(
          mattermostConfig({ webhookUrl: `${server.url}/hooks/s3cr3t`, channel: "c" }),
          testDeps,
        );
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.equal(err.message, `channel "c": unexpected status code ${status}: bad`);
      } finally {
        server.respond = () => ({ status: 200 });
      }
    });
  }
});
