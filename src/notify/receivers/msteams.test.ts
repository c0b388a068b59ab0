import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { MSTeamsConfig, MSTeamsV2Config } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createMSTeamsNotifier } from "./msteams.ts";
import { createMSTeamsV2Notifier } from "./msteamsv2.ts";
import {
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

function teamsConfig(url: string): MSTeamsConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    webhookUrl: url,
    title: '{{ template "msteams.default.title" . }}',
    summary: '{{ template "msteams.default.summary" . }}',
    text: '{{ template "msteams.default.text" . }}',
  };
}

function teamsV2Config(url: string): MSTeamsV2Config {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    webhookUrl: url,
    title: '{{ template "msteamsv2.default.title" . }}',
    text: '{{ template "msteamsv2.default.text" . }}',
  };
}

const TEXT = {
  firing: `\n\n# Alerts Firing:\n${MARKDOWN_LIST}\n\n\n`,
  resolved: `\n\n\n# Alerts Resolved:\n${MARKDOWN_LIST}\n\n`,
};

describe("msteams", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
  });
  after(() => server.close());

  for (const [status, color] of [
    ["firing", "8C1A1A"],
    ["resolved", "2DC72D"],
  ] as const) {
    it(`posts a MessageCard (${status})`, async () => {
      server.requests.length = 0;
      const n = createMSTeamsNotifier(teamsConfig(`${server.url}/webhookb2/abc`), testDeps);
      await n.notify(fixtureContext({ status }), neverAborts());
      const req = server.requests[0];
      assert.equal(req.method, "POST");
      assert.equal(req.url, "/webhookb2/abc");
      assert.equal(req.headers["content-type"], "application/json");
      assert.equal(
        req.body,
        '{"@context":"http://schema.org/extensions","type":"MessageCard",' +
          `"title":${goString(SUBJECT[status])},"summary":${goString(SUBJECT[status])},` +
          `"text":${goString(TEXT[status])},"themeColor":"${color}"}\n`,
      );
    });
  }

  for (const [status, retry] of RETRY_CASES) {
    it(`decides retry=${retry} on status ${status}`, async () => {
      server.respond = () => ({ status });
      try {
        const n = createMSTeamsNotifier(teamsConfig(`${server.url}/webhookb2/s3cr3t`), testDeps);
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.equal(err.message, `unexpected status code ${status}`);
      } finally {
        server.respond = () => ({ status: 200 });
      }
    });
  }
});

describe("msteamsv2", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
  });
  after(() => server.close());

  for (const [status, color] of [
    ["firing", "Attention"],
    ["resolved", "Good"],
  ] as const) {
    it(`posts an Adaptive Card (${status})`, async () => {
      server.requests.length = 0;
      const n = createMSTeamsV2Notifier(teamsV2Config(`${server.url}/workflows/abc`), testDeps);
      await n.notify(fixtureContext({ status }), neverAborts());
      const req = server.requests[0];
      assert.equal(req.url, "/workflows/abc");
      assert.equal(
        req.body,
        '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",' +
          '"contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json",' +
          '"type":"AdaptiveCard","version":"1.2","body":[' +
          `{"type":"TextBlock","text":${goString(SUBJECT[status])},"weight":"Bolder","size":"Medium",` +
          `"wrap":true,"style":"heading","color":"${color}"},` +
          `{"type":"TextBlock","text":${goString(TEXT[status])},"wrap":true}],` +
          '"msteams":{"width":"full"}}}]}\n',
      );
    });
  }

  it("retries 429 but not 400", async () => {
    for (const [status, retry] of [
      [429, true],
      [400, false],
    ] as const) {
      server.respond = () => ({ status });
      const n = createMSTeamsV2Notifier(teamsV2Config(`${server.url}/w`), testDeps);
      const err = await rejection(n.notify(fixtureContext(), neverAborts()));
      assert.ok(err instanceof NotifyError);
      assert.equal(err.retry, retry);
    }
    server.respond = () => ({ status: 200 });
  });
});
