import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TelegramConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { TELEGRAM_TOO_LONG, createTelegramNotifier } from "./telegram.ts";
import {
  CaptureServer,
  TEXT_LIST,
  fixtureContext,
  goString,
  httpConfig,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";

function telegramConfig(changes: Partial<TelegramConfig>): TelegramConfig {
  return {
    sendResolved: true,
    httpConfig: httpConfig(),
    apiUrl: "https://api.telegram.org",
    botToken: "123456:SECRET-TOKEN",
    chatId: -1001234567890123n,
    messageThreadId: 0,
    message: '{{ template "telegram.default.message" . }}',
    disableNotifications: false,
    parseMode: "HTML",
    ...changes,
  };
}

const OK = { status: 200, body: '{"ok":true,"result":{"message_id":1,"chat":{"id":1}}}' };

describe("telegram", () => {
  let server: CaptureServer;
  before(async () => {
    server = await CaptureServer.start();
    server.respond = () => OK;
  });
  after(() => server.close());

  it("sends sendMessage with the HTML-escaped default message (firing)", async () => {
    server.requests.length = 0;
    const n = createTelegramNotifier(telegramConfig({ apiUrl: server.url }), testDeps);
    await n.notify(fixtureContext({ integration: "telegram" }), neverAborts());
    const req = server.requests[0];
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/bot123456:SECRET-TOKEN/sendMessage");
    assert.equal(req.headers["content-type"], "application/json");
    // html/template escapes + as &#43; and & as &amp; in the generator URL.
    const escaped = TEXT_LIST.replaceAll("latency+%3E+1&g0", "latency&#43;%3E&#43;1&amp;g0");
    assert.equal(
      req.body,
      '{"chat_id":"-1001234567890123","disable_web_page_preview":"true","parse_mode":"HTML",' +
        `"text":${goString(`\n\nAlerts Firing:\n${escaped}\n\n\n`)}}\n`,
    );
  });

  it("sends the resolved message with thread id, silence and Markdown unescaped", async () => {
    server.requests.length = 0;
    const n = createTelegramNotifier(
      telegramConfig({
        apiUrl: `${server.url}/`,
        parseMode: "MarkdownV2",
        messageThreadId: 42,
        disableNotifications: true,
      }),
      testDeps,
    );
    await n.notify(fixtureContext({ status: "resolved" }), neverAborts());
    assert.equal(
      server.requests[0].body,
      '{"chat_id":"-1001234567890123","disable_notification":"true",' +
        '"disable_web_page_preview":"true","message_thread_id":"42","parse_mode":"MarkdownV2",' +
        `"text":${goString(`\n\n\nAlerts Resolved:\n${TEXT_LIST}\n\n`)}}\n`,
    );
  });

  it("reads the bot token and chat id from files", async () => {
    server.requests.length = 0;
    const dir = mkdtempSync(join(tmpdir(), "vigil-telegram-"));
    writeFileSync(join(dir, "token"), "999:FILE-TOKEN\n");
    writeFileSync(join(dir, "chat"), " 77\n");
    const n = createTelegramNotifier(
      telegramConfig({
        apiUrl: server.url,
        botToken: "",
        botTokenFile: join(dir, "token"),
        chatId: undefined,
        chatIdFile: join(dir, "chat"),
        parseMode: "",
        message: "hi",
      }),
      testDeps,
    );
    await n.notify(fixtureContext(), neverAborts());
    assert.equal(server.requests[0].url, "/bot999:FILE-TOKEN/sendMessage");
    assert.equal(
      server.requests[0].body,
      '{"chat_id":"77","disable_web_page_preview":"true","text":"hi"}\n',
    );
  });

  it("replaces an HTML message that is too long, and truncates others", async () => {
    server.requests.length = 0;
    const long = "{{ range $i := .Alerts }}{{ end }}" + "a".repeat(5000);
    const html = createTelegramNotifier(
      telegramConfig({ apiUrl: server.url, message: long }),
      testDeps,
    );
    await html.notify(fixtureContext(), neverAborts());
    const plain = createTelegramNotifier(
      telegramConfig({ apiUrl: server.url, message: long, parseMode: "Markdown" }),
      testDeps,
    );
    await plain.notify(fixtureContext(), neverAborts());
    const texts = server.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);
    assert.equal(texts[0], TELEGRAM_TOO_LONG);
    assert.equal(texts[1], "a".repeat(4095) + "…");
  });

  for (const [status, body, retry, message] of [
    [
      400,
      '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}',
      false,
      "telegram: Bad Request: chat not found (400)",
    ],
    [
      429,
      '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}',
      true,
      "telegram: Too Many Requests: retry after 5 (429)",
    ],
    [502, "<html>bad gateway</html>", true, "unexpected status code 502: <html>bad gateway</html>"],
    [
      401,
      '{"ok":false,"error_code":401,"description":"Unauthorized"}',
      false,
      "telegram: Unauthorized (401)",
    ],
  ] as const) {
    it(`decides retry=${retry} on status ${status} without leaking the token`, async () => {
      server.respond = () => ({ status, body });
      try {
        const n = createTelegramNotifier(telegramConfig({ apiUrl: server.url }), testDeps);
        const err = await rejection(n.notify(fixtureContext(), neverAborts()));
        assert.ok(err instanceof NotifyError);
        assert.equal(err.retry, retry);
        assert.equal(err.message, message);
      } finally {
        server.respond = () => OK;
      }
    });
  }

  it("keeps the bot token out of network errors", async () => {
    const closed = await CaptureServer.start();
    await closed.close();
    const n = createTelegramNotifier(telegramConfig({ apiUrl: closed.url }), testDeps);
    const err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, true);
    assert.ok(!err.message.includes("SECRET-TOKEN"), err.message);
  });
});
