// The PagerDuty integration: Events API v2 (routing_key) trigger and resolve events whose
// dedup_key is the SHA-256 of the group key, or the v1 generic events API (service_key).
// Matches Alertmanager 0.33 notify/pagerduty/pagerduty.go.
import type { PagerdutyConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { NotifyError } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import type { Renderer } from "./render.ts";
import { hashKey, secretOrFile, truncateInRunes } from "./util.ts";

/** PAGERDUTY_V1_URL is the v1 generic events endpoint, used with service_key. */
export const PAGERDUTY_V1_URL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json";
/** PAGERDUTY_V2_URL is global.pagerduty_url's default. */
export const PAGERDUTY_V2_URL = "https://events.pagerduty.com/v2/enqueue";
/** PAGERDUTY_MAX_EVENT_BYTES is the largest event PagerDuty accepts (maxEventSize). */
export const PAGERDUTY_MAX_EVENT_BYTES = 512_000;
/** PAGERDUTY_MAX_SUMMARY_RUNES limits the v2 summary and the v1 description. */
export const PAGERDUTY_MAX_SUMMARY_RUNES = 1024;

const TOO_LARGE =
  "Custom details have been removed because the original event exceeds the maximum size of 512KB";

/**
 * errDetails explains a 400 answer from PagerDuty's {status, message, errors} body, as
 * Alertmanager's pagerduty.errDetails does; other answers add nothing.
 */
function errDetails(status: number, body: Buffer): string {
  if (status !== 400) return "";
  try {
    const r = JSON.parse(body.toString("utf8")) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(r.errors) ? r.errors.map(String).join(",") : "";
    return `${typeof r.message === "string" ? r.message : ""}: ${errors}`;
  } catch {
    return "";
  }
}

/** createPagerdutyNotifier builds the notifier of one pagerduty_configs entry. */
export function createPagerdutyNotifier(cfg: PagerdutyConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "pagerduty");
  const v1 = cfg.serviceKey !== "" || (cfg.serviceKeyFile ?? "") !== "";
  // v1: retrying helps on 403 (rate limiting); v2: on 429. Both retry 5xx.
  const retryCodes = v1 ? [403] : [429];

  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const eventType = ctx.data.Status === "resolved" ? "resolve" : "trigger";
      const dedupKey = hashKey(ctx.groupKey);
      const details = await renderDetails(render, cfg.details);

      const summary = truncateInRunes(
        await render.text("description", cfg.description),
        PAGERDUTY_MAX_SUMMARY_RUNES,
      );
      if (summary.truncated) {
        deps.logger.warn({ max_runes: PAGERDUTY_MAX_SUMMARY_RUNES }, "Truncated summary");
      }

      let url: string;
      let message: Record<string, unknown>;
      let setDetails: (d: Map<string, unknown>) => void;
      if (v1) {
        const serviceKey = await render.text(
          "service key",
          await secretOrFile(cfg.serviceKey, cfg.serviceKeyFile),
        );
        if (serviceKey === "")
          throw new NotifyError("service key cannot be empty", { retry: false });
        message = {
          service_key: serviceKey,
          incident_key: dedupKey,
          event_type: eventType,
          description: summary.text || undefined,
          event_action: "",
          payload: null,
          client:
            eventType === "trigger"
              ? (await render.text("client", cfg.client)) || undefined
              : undefined,
          client_url:
            eventType === "trigger"
              ? (await render.text("client_url", cfg.clientUrl)) || undefined
              : undefined,
          details: details.size > 0 ? details : undefined,
        };
        setDetails = (d) => (message.details = d);
        // Alertmanager always posts v1 events to PagerDuty; a url other than the v2 default
        // (a proxy, a test server) is honoured.
        url = cfg.url !== "" && cfg.url !== PAGERDUTY_V2_URL ? cfg.url : PAGERDUTY_V1_URL;
      } else {
        const routingKey = await render.text(
          "routing key",
          await secretOrFile(cfg.routingKey, cfg.routingKeyFile),
        );
        if (routingKey === "")
          throw new NotifyError("routing key cannot be empty", { retry: false });
        const images: object[] = [];
        for (const img of cfg.images) {
          const image = {
            src: await render.text("image src", img.src),
            alt: await render.text("image alt", img.alt),
            href: await render.text("image href", img.href),
          };
          if (image.src !== "") images.push(image);
        }
        const links: object[] = [];
        for (const l of cfg.links) {
          const link = {
            href: await render.text("link href", l.href),
            text: await render.text("link text", l.text),
          };
          if (link.href !== "") links.push(link);
        }
        const payload: Record<string, unknown> = {
          summary: summary.text,
          source: await render.text("source", cfg.source !== "" ? cfg.source : cfg.client),
          severity: await render.text("severity", cfg.severity !== "" ? cfg.severity : "error"),
          timestamp: undefined,
          class: (await render.text("class", cfg.class)) || undefined,
          component: (await render.text("component", cfg.component)) || undefined,
          group: (await render.text("group", cfg.group)) || undefined,
          custom_details: details.size > 0 ? details : undefined,
        };
        message = {
          routing_key: routingKey,
          dedup_key: dedupKey,
          event_action: eventType,
          payload,
          client: (await render.text("client", cfg.client)) || undefined,
          client_url: (await render.text("client_url", cfg.clientUrl)) || undefined,
          images: images.length > 0 ? images : undefined,
          links: links.length > 0 ? links : undefined,
        };
        setDetails = (d) => (payload.custom_details = d);
        url = cfg.url !== "" ? cfg.url : PAGERDUTY_V2_URL;
      }

      let body = encodeGoJSONLine(message);
      const size = Buffer.byteLength(body, "utf8");
      if (size > PAGERDUTY_MAX_EVENT_BYTES) {
        deps.logger.warn({ size, limit: PAGERDUTY_MAX_EVENT_BYTES }, "Truncated Details");
        setDetails(new Map([["error", TOO_LARGE]]));
        body = encodeGoJSONLine(message);
      }

      const res = await http.send(url, body, { timeoutMs: cfg.timeoutMs, signal });
      checkResponse(res, { retryCodes, details: errDetails });
    },
    close: () => http.close(),
  };
}

/** renderDetails renders each detail value with DeepCopyWithTemplate (pagerduty.renderDetails). */
async function renderDetails(
  render: Renderer,
  details: Readonly<Record<string, unknown>>,
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(details)) out.set(k, await render.deep(`details ${k}`, v));
  return out;
}
