// The Microsoft Teams integration for Power Automate workflows ("Workflows" webhooks): an
// Adaptive Card in a message. Matches Alertmanager 0.33 notify/msteamsv2.
import type { MSTeamsV2Config } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import { readSecretFile } from "./util.ts";

/** MSTEAMSV2_COLORS are the title's Adaptive Card color by group status. */
export const MSTEAMSV2_COLORS = { firing: "Attention", resolved: "Good" } as const;

/** createMSTeamsV2Notifier builds the notifier of one msteamsv2_configs entry. */
export function createMSTeamsV2Notifier(cfg: MSTeamsV2Config, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "msteamsv2");
  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const title = await render.text("title", cfg.title);
      const text = await render.text("text", cfg.text);
      const message = {
        type: "message",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            contentUrl: null,
            content: {
              $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
              type: "AdaptiveCard",
              version: "1.2",
              body: [
                {
                  type: "TextBlock",
                  text: title,
                  weight: "Bolder",
                  size: "Medium",
                  wrap: true,
                  style: "heading",
                  color: MSTEAMSV2_COLORS[ctx.data.Status === "firing" ? "firing" : "resolved"],
                },
                { type: "TextBlock", text, wrap: true },
              ],
              msteams: { width: "full" },
            },
          },
        ],
      };
      const url =
        cfg.webhookUrl !== undefined && cfg.webhookUrl !== ""
          ? cfg.webhookUrl
          : await readSecretFile(cfg.webhookUrlFile ?? "");
      const res = await http.send(url, encodeGoJSONLine(message), { signal });
      checkResponse(res);
    },
    close: () => http.close(),
  };
}
