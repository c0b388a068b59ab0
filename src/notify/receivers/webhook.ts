// The webhook integration: POSTs Alertmanager's webhook JSON (version 4) to a URL, or a
// custom payload rendered from templates. Matches Alertmanager 0.33 notify/webhook/webhook.go.
import type { WebhookConfig } from "../../alerting/receivers-config.ts";
import { marshalJSON } from "../../template/index.ts";
import type { Data } from "../../template/index.ts";
import type { Notifier, NotifierDeps, NotifyAlert } from "../notifier.ts";
import { NotifyError } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { dataForAlerts, newRenderer } from "./render.ts";
import { readSecretFile } from "./util.ts";

/**
 * truncateAlerts keeps the first maxAlerts alerts (0: all) and counts the others, as the
 * webhook's max_alerts does.
 */
export function truncateAlerts(
  maxAlerts: number,
  alerts: readonly NotifyAlert[],
): { alerts: readonly NotifyAlert[]; truncated: number } {
  if (maxAlerts > 0 && alerts.length > maxAlerts) {
    return { alerts: alerts.slice(0, maxAlerts), truncated: alerts.length - maxAlerts };
  }
  return { alerts, truncated: 0 };
}

/**
 * webhookMessage is the version 4 webhook body: the template data's fields (receiver, status,
 * alerts, notification_reason, groupLabels, commonLabels, commonAnnotations, externalURL)
 * followed by version, groupKey and truncatedAlerts, with a trailing newline — the encoding
 * of Alertmanager's webhook.Message.
 */
export function webhookMessage(data: Data, groupKey: string, truncatedAlerts: number): string {
  const dataJSON = data.MarshalJSON();
  return (
    dataJSON.slice(0, -1) +
    `,"version":"4","groupKey":${marshalJSON(groupKey)},"truncatedAlerts":${truncatedAlerts}}\n`
  );
}

/** createWebhookNotifier builds the notifier of one webhook_configs entry. */
export function createWebhookNotifier(cfg: WebhookConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "webhook");
  return {
    async notify(ctx, signal) {
      const { alerts, truncated } = truncateAlerts(cfg.maxAlerts, ctx.alerts);
      const data = truncated > 0 ? dataForAlerts(ctx, alerts) : ctx.data;
      const render = newRenderer(ctx, data);

      let body = webhookMessage(data, ctx.groupKey, truncated);
      if (cfg.payload !== undefined && cfg.payload !== null) {
        body = encodeGoJSONLine(await render.deep("custom payload", cfg.payload));
      }

      const urlTemplate =
        cfg.url !== undefined && cfg.url !== "" ? cfg.url : await readSecretFile(cfg.urlFile ?? "");
      const url = await render.text("webhook URL", urlTemplate);
      if (url === "") {
        throw new NotifyError("webhook URL is empty after templating", { retry: false });
      }

      const res = await http.send(url, body, { timeoutMs: cfg.timeoutMs, signal });
      checkResponse(res);
    },
    close: () => http.close(),
  };
}
