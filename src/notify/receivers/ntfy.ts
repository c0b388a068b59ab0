// The ntfy integration (a Vigil extension; Alertmanager has none): publishes the message as
// the body of a POST to <url>/<topic>, with ntfy's Title, Priority, Tags, Click, Icon and
// Markdown headers (https://docs.ntfy.sh/publish/). Header values that are not printable
// ASCII are sent as RFC 2047 encoded-words, which ntfy decodes.
import type { NtfyConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { NotifyError } from "../notifier.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { qEncodeHeader } from "./mime.ts";
import { newRenderer } from "./render.ts";
import { secretOrFile, truncateInBytes } from "./util.ts";

/**
 * NTFY_MAX_MESSAGE_BYTES is ntfy's default message size limit; longer bodies would be turned
 * into attachments, so the message is cut instead.
 */
export const NTFY_MAX_MESSAGE_BYTES = 4096;

/** createNtfyNotifier builds the notifier of one ntfy_configs entry. */
export function createNtfyNotifier(cfg: NtfyConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "ntfy");
  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const topic = await render.text("topic", cfg.topic);
      if (topic === "")
        throw new NotifyError("ntfy topic is empty after templating", { retry: false });
      const message = truncateInBytes(
        await render.text("message", cfg.message),
        NTFY_MAX_MESSAGE_BYTES,
      );
      if (message.truncated) {
        deps.logger.warn({ max_bytes: NTFY_MAX_MESSAGE_BYTES }, "Truncated message");
      }

      const headers: Record<string, string> = {};
      const set = (name: string, value: string): void => {
        if (value !== "") headers[name] = qEncodeHeader(value.replace(/[\r\n]+/g, " "));
      };
      set("Title", await render.text("title", cfg.title));
      set("Priority", await render.text("priority", cfg.priority));
      const tags: string[] = [];
      for (const tag of cfg.tags) {
        const t = (await render.text("tags", tag)).trim();
        if (t !== "") tags.push(t);
      }
      set("Tags", tags.join(","));
      set("Click", await render.text("click", cfg.click));
      set("Icon", await render.text("icon", cfg.icon));
      if (cfg.markdown) headers.Markdown = "yes";
      const usesToken = cfg.token !== "" || (cfg.tokenFile ?? "") !== "";
      if (usesToken && cfg.httpConfig.authorization === undefined) {
        headers.Authorization = `Bearer ${await secretOrFile(cfg.token, cfg.tokenFile)}`;
      }

      const url = `${cfg.url.replace(/\/+$/, "")}/${encodeURIComponent(topic)}`;
      const res = await http.send(url, message.text, {
        contentType: "text/plain; charset=utf-8",
        headers,
        timeoutMs: cfg.timeoutMs,
        signal,
      });
      checkResponse(res);
    },
    close: () => http.close(),
  };
}
