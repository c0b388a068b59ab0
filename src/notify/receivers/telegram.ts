// The Telegram integration: the Bot API's sendMessage. Alertmanager 0.33 (notify/telegram)
// sends it through gopkg.in/telebot.v3, whose request this reproduces: a JSON object of string
// values (chat_id, disable_notification, disable_web_page_preview, message_thread_id,
// parse_mode, text) POSTed to <api_url>/bot<token>/sendMessage.
import type { TelegramConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { NotifyError, shouldRetryStatus } from "../notifier.ts";
import { encodeGoJSONLine, goMap } from "./go-json.ts";
import { HttpSender, bodyText } from "./http.ts";
import { newRenderer } from "./render.ts";
import { readSecretFile, secretOrFile, truncateInRunes } from "./util.ts";

/** TELEGRAM_MAX_MESSAGE_RUNES is Telegram's limit on a message's text. */
export const TELEGRAM_MAX_MESSAGE_RUNES = 4096;

/**
 * TELEGRAM_TOO_LONG is sent instead of an HTML message that is too long, since cutting HTML
 * could leave it malformed (the text, tabs included, of Alertmanager's telegram.go).
 */
export const TELEGRAM_TOO_LONG = `Alertmanager notification could not be sent: message length exceeds Telegram limits.
\t\t\tPlease check the template used for producing the message content.`;

/** createTelegramNotifier builds the notifier of one telegram_configs entry. */
export function createTelegramNotifier(cfg: TelegramConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "telegram");
  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      let text: string;
      if (cfg.parseMode === "HTML") {
        text = await render.html("message", cfg.message);
        if ([...text].length > TELEGRAM_MAX_MESSAGE_RUNES) text = TELEGRAM_TOO_LONG;
      } else {
        const t = truncateInRunes(
          await render.text("message", cfg.message),
          TELEGRAM_MAX_MESSAGE_RUNES,
        );
        if (t.truncated) {
          deps.logger.warn({ max_runes: TELEGRAM_MAX_MESSAGE_RUNES }, "Truncated message");
        }
        text = t.text;
      }

      const token = await secretOrFile(cfg.botToken, cfg.botTokenFile);
      const chatId = await chatID(cfg);
      const params: Record<string, string> = {
        chat_id: chatId.toString(),
        text,
        disable_web_page_preview: "true",
      };
      if (cfg.disableNotifications) params.disable_notification = "true";
      if (cfg.parseMode !== "") params.parse_mode = cfg.parseMode;
      if (cfg.messageThreadId !== 0) params.message_thread_id = String(cfg.messageThreadId);

      const url = `${cfg.apiUrl.replace(/\/+$/, "")}/bot${token}/sendMessage`;
      const res = await http.send(url, encodeGoJSONLine(goMap(params)), { signal });

      let reply: { ok?: unknown; error_code?: unknown; description?: unknown } | undefined;
      try {
        reply = JSON.parse(res.body.toString("utf8")) as typeof reply;
      } catch {
        reply = undefined;
      }
      if (reply?.ok === true && res.status >= 200 && res.status < 300) return;
      const why =
        reply !== undefined && typeof reply.description === "string"
          ? `telegram: ${reply.description} (${String(reply.error_code ?? res.status)})`
          : `unexpected status code ${res.status}: ${bodyText(res.body)}`;
      // The Bot API answers 429 with retry_after when flooded, 5xx when it is unwell.
      const retry = res.status >= 200 && res.status < 300 ? true : shouldRetryStatus(res.status);
      throw new NotifyError(why, { retry, statusCode: res.status });
    },
    close: () => http.close(),
  };
}

async function chatID(cfg: TelegramConfig): Promise<bigint> {
  if (cfg.chatIdFile !== undefined && cfg.chatIdFile !== "") {
    const text = await readSecretFile(cfg.chatIdFile);
    if (!/^[+-]?\d+$/.test(text)) {
      throw new NotifyError(`could not parse chat_id from ${cfg.chatIdFile}`, { retry: false });
    }
    return BigInt(text);
  }
  return cfg.chatId ?? 0n;
}
