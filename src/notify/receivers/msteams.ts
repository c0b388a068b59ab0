// The Microsoft Teams integration for Office 365 connectors: a MessageCard. Matches
// Alertmanager 0.33 notify/msteams.
import type { MSTeamsConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import { readSecretFile } from "./util.ts";

/** MSTEAMS_COLORS are the card's themeColor by group status (msteams.colorRed, colorGreen). */
export const MSTEAMS_COLORS = { firing: "8C1A1A", resolved: "2DC72D" } as const;

/** createMSTeamsNotifier builds the notifier of one msteams_configs entry. */
export function createMSTeamsNotifier(cfg: MSTeamsConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "msteams");
  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const card = {
        "@context": "http://schema.org/extensions",
        type: "MessageCard",
        title: await render.text("title", cfg.title),
        summary: await render.text("summary", cfg.summary),
        text: await render.text("text", cfg.text),
        themeColor: MSTEAMS_COLORS[ctx.data.Status === "firing" ? "firing" : "resolved"],
      };
      const url =
        cfg.webhookUrl !== undefined && cfg.webhookUrl !== ""
          ? cfg.webhookUrl
          : await readSecretFile(cfg.webhookUrlFile ?? "");
      const res = await http.send(url, encodeGoJSONLine(card), { signal });
      checkResponse(res);
    },
    close: () => http.close(),
  };
}
