// The Mattermost integration: an incoming webhook with a Slack-compatible attachment.
// Matches Alertmanager 0.33 notify/mattermost (mattermost.go, config.go).
import type { MattermostConfig, MattermostField } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { NotifyError } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import { readSecretFile, truncateInRunes } from "./util.ts";

/** MATTERMOST_MAX_TEXT_RUNES is Mattermost's limit on a post's text (maxTextLenRunes). */
export const MATTERMOST_MAX_TEXT_RUNES = 16383;

type Render = (field: string, text: string) => Promise<string>;

interface AttachmentSource {
  fallback: string;
  color: string;
  pretext: string;
  text?: string;
  authorName: string;
  authorLink: string;
  authorIcon: string;
  title: string;
  titleLink: string;
  fields: MattermostField[];
  thumbUrl: string;
  footer: string;
  footerIcon: string;
  imageUrl: string;
}

async function renderAttachment(
  a: AttachmentSource,
  text: string | undefined,
  t: Render,
): Promise<object> {
  const opt = async (field: string, s: string): Promise<string | undefined> =>
    (await t(field, s)) || undefined;
  const fields: object[] = [];
  for (const f of a.fields) {
    fields.push({
      title: await opt("field title", f.title),
      value: await opt("field value", f.value),
      short: f.short,
    });
  }
  return {
    fallback: await opt("fallback", a.fallback),
    color: await opt("color", a.color),
    pretext: await opt("pretext", a.pretext),
    text: text !== undefined ? text || undefined : await opt("text", a.text ?? ""),
    author_name: await opt("author_name", a.authorName),
    author_link: await opt("author_link", a.authorLink),
    author_icon: await opt("author_icon", a.authorIcon),
    title: await opt("title", a.title),
    title_link: await opt("title_link", a.titleLink),
    fields: fields.length > 0 ? fields : undefined,
    thumb_url: await opt("thumb_url", a.thumbUrl),
    footer: await opt("footer", a.footer),
    footer_icon: await opt("footer_icon", a.footerIcon),
    image_url: await opt("image_url", a.imageUrl),
  };
}

/** createMattermostNotifier builds the notifier of one mattermost_configs entry. */
export function createMattermostNotifier(cfg: MattermostConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "mattermost");
  return {
    async notify(ctx, signal) {
      const url =
        cfg.webhookUrl !== undefined && cfg.webhookUrl !== ""
          ? cfg.webhookUrl
          : await readSecretFile(cfg.webhookUrlFile ?? "");
      if (url === "") throw new NotifyError("webhook url missing", { retry: false });

      const render = newRenderer(ctx);
      const t: Render = (field, text) => render.text(field, text);
      const opt = async (field: string, s: string): Promise<string | undefined> =>
        (await t(field, s)) || undefined;

      const text = await t("text", cfg.text);
      let topText: string | undefined;
      let attachments: object[];
      if (cfg.attachments.length > 0) {
        // Configured attachments replace the default one; the text goes into the post.
        attachments = [];
        for (const a of cfg.attachments) attachments.push(await renderAttachment(a, undefined, t));
        topText = text;
      } else {
        attachments = [await renderAttachment(cfg, text, t)];
      }

      const request = {
        text: undefined as string | undefined,
        channel: await opt("channel", cfg.channel),
        username: await opt("username", cfg.username),
        icon_url: await opt("icon_url", cfg.iconUrl),
        icon_emoji: await opt("icon_emoji", cfg.iconEmoji),
        attachments,
        type: await opt("type", cfg.type),
        props:
          cfg.props && cfg.props.card !== ""
            ? { card: await opt("props card", cfg.props.card) }
            : undefined,
        priority:
          cfg.priority && cfg.priority.priority !== ""
            ? sanitizePriority(
                await t("priority", cfg.priority.priority),
                cfg.priority.requestedAck,
                cfg.priority.persistentNotifications,
                deps,
              )
            : undefined,
      };
      if (topText !== undefined) {
        const truncated = truncateInRunes(topText, MATTERMOST_MAX_TEXT_RUNES);
        if (truncated.truncated) {
          deps.logger.warn({ max_runes: MATTERMOST_MAX_TEXT_RUNES }, "Truncated text");
        }
        request.text = truncated.text || undefined;
      }

      const res = await http.send(url, encodeGoJSONLine(request), { signal });
      checkResponse(res, { prefix: `channel ${JSON.stringify(request.channel ?? "")}` });
    },
    close: () => http.close(),
  };
}

/**
 * sanitizePriority applies Mattermost's rules (mattermost.sanitizeRequest): the priority is
 * urgent, important or standard (anything else becomes standard), acknowledgements are not
 * requested for standard posts, persistent notifications exist only for urgent ones.
 */
function sanitizePriority(
  priority: string,
  requestedAck: boolean,
  persistent: boolean,
  deps: NotifierDeps,
): object {
  let p = priority.toLowerCase();
  if (p !== "urgent" && p !== "important" && p !== "standard") {
    deps.logger.warn({ priority }, "Priority is set to standard due to invalid value");
    p = "standard";
  }
  return {
    priority: p,
    requested_ack: (requestedAck && p !== "standard") || undefined,
    persistent_notifications: (persistent && p === "urgent") || undefined,
  };
}
