// The Discord integration: a webhook message with one embed (title, description, color).
// Matches Alertmanager 0.33 notify/discord.
import type { DiscordConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import { readSecretFile, truncateInRunes } from "./util.ts";

/** Discord's embed and content limits, in characters (discord.go). */
export const DISCORD_LIMITS = { title: 256, description: 4096, content: 2000 } as const;

/** DISCORD_COLORS are the embed colors by group status (0x992D22 red, 0x2ECC71 green). */
export const DISCORD_COLORS = { firing: 0x992d22, resolved: 0x2ecc71 } as const;

/** createDiscordNotifier builds the notifier of one discord_configs entry. */
export function createDiscordNotifier(cfg: DiscordConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "discord");
  const limited = async (
    render: (field: string, text: string) => Promise<string>,
    field: keyof typeof DISCORD_LIMITS,
    text: string,
  ): Promise<string> => {
    const t = truncateInRunes(await render(field, text), DISCORD_LIMITS[field]);
    if (t.truncated) deps.logger.warn({ max_runes: DISCORD_LIMITS[field] }, `Truncated ${field}`);
    return t.text;
  };
  let avatarUrl: string | undefined;
  if (cfg.avatarUrl !== "") {
    if (URL.canParse(cfg.avatarUrl)) avatarUrl = cfg.avatarUrl;
    else deps.logger.warn("Bad avatar url");
  }
  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const r = (field: string, text: string): Promise<string> => render.text(field, text);
      const title = await limited(r, "title", cfg.title);
      const description = await limited(r, "description", cfg.message);
      const content = await limited(r, "content", cfg.content);
      const message = {
        content,
        embeds: [
          {
            title,
            description,
            color: BigInt(DISCORD_COLORS[ctx.data.Status === "firing" ? "firing" : "resolved"]),
          },
        ],
        // Like Alertmanager, username and avatar_url are sent as configured, not templated.
        username: cfg.username || undefined,
        avatar_url: avatarUrl,
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
