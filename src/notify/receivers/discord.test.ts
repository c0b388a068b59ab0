import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { DiscordConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createDiscordNotifier } from "./discord.ts";
import {
  CaptureServer,
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

function discordConfig(changes: Partial<DiscordConfig>): DiscordConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    content: "",
    title: '{{ template "discord.default.title" . }}',
    message: '{{ template "discord.default.message" . }}',
    username: "",
    avatarUrl: "",
    ...changes,
  };
}

describe("discord", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
  });
  after(() => server.close());

  for (const [status, color, text] of [
    ["firing", 10038562, `\n\nAlerts Firing:\n${TEXT_LIST}\n\n\n`],
    ["resolved", 3066993, `\n\n\nAlerts Resolved:\n${TEXT_LIST}\n\n`],
  ] as const) {
    it(`posts an embed with title, description and color (${status})`, async () => {
      server.requests.length = 0;
      const n = createDiscordNotifier(
        discordConfig({ webhookUrl: `${server.url}/api/webhooks/1/tok` }),
        testDeps,
      );
      await n.notify(fixtureContext({ status }), neverAborts());
      const req = server.requests[0];
      assert.equal(req.method, "POST");
      assert.equal(req.url, "/api/webhooks/1/tok");
      assert.equal(req.headers["content-type"], "application/json");
      assert.equal(
        req.body,
        `{"content":"","embeds":[{"title":${goString(SUBJECT[status])},` +
          `"description":${goString(text)},"color":${color}}]}\n`,
      );
    });
  }

  it("sends username and avatar, and truncates to Discord's limits", async () => {
    server.requests.length = 0;
    const n = createDiscordNotifier(
      discordConfig({
        webhookUrl: `${server.url}/w`,
        username: "vigil",
        avatarUrl: "https://example.com/a.png",
        title: "t".repeat(300),
        content: "{{ .Status }}",
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    const body = JSON.parse(server.requests[0].body) as Record<string, unknown>;
    assert.equal(body.username, "vigil");
    assert.equal(body.avatar_url, "https://example.com/a.png");
    assert.equal(body.content, "firing");
    const embed = (body.embeds as { title: string }[])[0];
    assert.equal(embed.title, "t".repeat(255) + "…");
  });

  for (const [status, retry] of RETRY_CASES) {
    it(`decides retry=${retry} on status ${status}`, async () => {
      server.respond = () => ({ status, body: '{"message":"x"}' });
      try {
        const n = createDiscordNotifier(
          discordConfig({ webhookUrl: `${server.url}/api/webhooks/1/s3cr3t` }),
          testDeps,
        );
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.ok(!err.message.includes("s3cr3t"));
      } finally {
        server.respond = () => ({ status: 200 });
      }
    });
  }
});
