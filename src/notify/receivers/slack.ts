// The Slack integration: one message with one attachment, through an incoming webhook
// (api_url) or the Web API's chat.postMessage with a bot token (app_token). Matches
// Alertmanager 0.33 notify/slack (slack.go, types.go), including update_message, which edits
// the group's first message with chat.update instead of posting a new one.
import type { SlackConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { NotifyError } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, bodyText, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import { readSecretFile, secretOrFile, truncateInRunes } from "./util.ts";

/** MAX_TITLE_RUNES is Slack's limit on attachment titles (slack.maxTitleLenRunes). */
export const SLACK_MAX_TITLE_RUNES = 1024;

/** MAX_THREADS bounds the remembered message timestamps of update_message. */
const MAX_THREADS = 10_000;

/** createSlackNotifier builds the notifier of one slack_configs entry. */
export function createSlackNotifier(cfg: SlackConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "slack");
  // update_message: the channel and timestamp of the first message of each group. Alertmanager
  // keeps them in the notification log; Vigil keeps them in memory.
  const threads = new Map<string, { ts: string; channel: string }>();

  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const t = (field: string, text: string): Promise<string> => render.text(field, text);

      const title = truncateInRunes(await t("title", cfg.title), SLACK_MAX_TITLE_RUNES);
      if (title.truncated) {
        deps.logger.warn({ max_runes: SLACK_MAX_TITLE_RUNES }, "Truncated title");
      }
      const attachment = {
        title: title.text || undefined,
        title_link: (await t("title_link", cfg.titleLink)) || undefined,
        pretext: (await t("pretext", cfg.pretext)) || undefined,
        text: await t("text", cfg.text),
        fallback: await t("fallback", cfg.fallback),
        callback_id: await t("callback_id", cfg.callbackId),
        fields: cfg.fields.length > 0 ? await renderFields(cfg, t) : undefined,
        actions: cfg.actions.length > 0 ? await renderActions(cfg, t) : undefined,
        image_url: (await t("image_url", cfg.imageUrl)) || undefined,
        thumb_url: (await t("thumb_url", cfg.thumbUrl)) || undefined,
        footer: await t("footer", cfg.footer),
        color: (await t("color", cfg.color)) || undefined,
        mrkdwn_in: cfg.mrkdwnIn.length > 0 ? cfg.mrkdwnIn : ["fallback", "pretext", "text"],
      };

      let url =
        cfg.apiUrl !== undefined && cfg.apiUrl !== ""
          ? cfg.apiUrl
          : cfg.apiUrlFile !== undefined && cfg.apiUrlFile !== ""
            ? await readSecretFile(cfg.apiUrlFile)
            : cfg.appUrl;
      const headers: Record<string, string> = {};
      const usesAppToken = cfg.appToken !== "" || (cfg.appTokenFile ?? "") !== "";
      if (usesAppToken && cfg.httpConfig.authorization === undefined) {
        // The configuration normally moves the token into http_config.authorization, as
        // Alertmanager does; send it here when it did not.
        headers.Authorization = `Bearer ${await secretOrFile(cfg.appToken, cfg.appTokenFile)}`;
      }

      const request = {
        channel: (await t("channel", cfg.channel)) || undefined,
        ts: undefined as string | undefined,
        username: (await t("username", cfg.username)) || undefined,
        icon_emoji: (await t("icon_emoji", cfg.iconEmoji)) || undefined,
        icon_url: (await t("icon_url", cfg.iconUrl)) || undefined,
        link_names: cfg.linkNames || undefined,
        text: (await t("message_text", cfg.messageText)) || undefined,
        attachments: [attachment],
      };

      const previous = cfg.updateMessage ? threads.get(ctx.groupKey) : undefined;
      if (previous) {
        url = chatUpdateURL(url);
        request.ts = previous.ts;
        request.channel = previous.channel;
      }

      const res = await http.send(url, encodeGoJSONLine(request), {
        headers,
        timeoutMs: cfg.timeoutMs,
        signal,
      });
      const prefix = `channel ${JSON.stringify(request.channel ?? "")}`;
      checkResponse(res, { prefix });

      const body = res.body.toString("utf8");
      const contentType = String(res.headers["content-type"] ?? "");
      if (!contentType.startsWith("application/json")) {
        // Incoming webhooks answer with the text "ok".
        if (body !== "ok") {
          throw new NotifyError(
            `${prefix}: received an error response from Slack: ${bodyText(res.body)}`,
            { retry: false, statusCode: res.status },
          );
        }
        return;
      }
      let reply: { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown };
      try {
        reply = JSON.parse(body) as typeof reply;
      } catch (err) {
        throw new NotifyError(
          `${prefix}: could not unmarshal JSON response ${JSON.stringify(bodyText(res.body))}: ${(err as Error).message}`,
          { retry: true, statusCode: res.status },
        );
      }
      if (reply.ok !== true) {
        throw new NotifyError(
          `${prefix}: error response from Slack: ${String(reply.error ?? "")}`,
          {
            retry: false,
            statusCode: res.status,
          },
        );
      }
      if (cfg.updateMessage && typeof reply.ts === "string" && typeof reply.channel === "string") {
        if (reply.ts !== "" && reply.channel !== "") {
          threads.delete(ctx.groupKey);
          threads.set(ctx.groupKey, { ts: reply.ts, channel: reply.channel });
          if (threads.size > MAX_THREADS) threads.delete(threads.keys().next().value!);
        }
      }
    },
    close: () => http.close(),
  };
}

type Render = (field: string, text: string) => Promise<string>;

async function renderFields(cfg: SlackConfig, t: Render): Promise<object[]> {
  const out: object[] = [];
  for (const f of cfg.fields) {
    out.push({
      title: (await t("field title", f.title)) || undefined,
      value: (await t("field value", f.value)) || undefined,
      // A field without its own `short` takes short_fields.
      short: f.short ?? cfg.shortFields,
    });
  }
  return out;
}

async function renderActions(cfg: SlackConfig, t: Render): Promise<object[]> {
  const out: object[] = [];
  for (const a of cfg.actions) {
    out.push({
      type: (await t("action type", a.type)) || undefined,
      text: (await t("action text", a.text)) || undefined,
      url: (await t("action url", a.url)) || undefined,
      style: (await t("action style", a.style)) || undefined,
      name: (await t("action name", a.name)) || undefined,
      value: (await t("action value", a.value)) || undefined,
      confirm: a.confirm
        ? {
            text: (await t("confirm text", a.confirm.text)) || undefined,
            title: (await t("confirm title", a.confirm.title)) || undefined,
            ok_text: (await t("confirm ok_text", a.confirm.okText)) || undefined,
            dismiss_text: (await t("confirm dismiss_text", a.confirm.dismissText)) || undefined,
          }
        : undefined,
    });
  }
  return out;
}

/**
 * chatUpdateURL is the chat.update endpoint next to a chat.postMessage URL. Alertmanager
 * always uses https://slack.com/api/chat.update; deriving it from the configured URL keeps a
 * proxy or test server in the path.
 */
function chatUpdateURL(postURL: string): string {
  return postURL.endsWith("/chat.postMessage")
    ? postURL.slice(0, -"chat.postMessage".length) + "chat.update"
    : "https://slack.com/api/chat.update";
}
