// The Opsgenie integration: the Alert API v2. A firing group creates (or, with the same alias,
// deduplicates) an alert whose alias is the SHA-256 of the group key; a resolved group closes
// it; update_alerts also updates the message and description of an existing alert. Matches
// Alertmanager 0.33 notify/opsgenie/opsgenie.go.
import type { OpsGenieConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import { hashKey, readSecretFile, safeSplit, truncateInRunes } from "./util.ts";

/** OPSGENIE_MAX_MESSAGE_RUNES is Opsgenie's limit on an alert's message. */
export const OPSGENIE_MAX_MESSAGE_RUNES = 130;

interface OpsgenieRequest {
  readonly method: "POST" | "PUT";
  readonly url: string;
  readonly body: string;
}

/** createOpsGenieNotifier builds the notifier of one opsgenie_configs entry. */
export function createOpsGenieNotifier(cfg: OpsGenieConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "opsgenie");
  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const t = (field: string, text: string): Promise<string> => render.text(field, text);
      const alias = hashKey(ctx.groupKey);
      const endpoint = (path: string): string => `${cfg.apiUrl}v2/alerts${path}`;
      const requests: OpsgenieRequest[] = [];

      if (ctx.data.Status === "resolved") {
        requests.push({
          method: "POST",
          url: endpoint(`/${alias}/close?identifierType=alias`),
          body: encodeGoJSONLine({ source: await t("source", cfg.source) }),
        });
      } else {
        const message = truncateInRunes(
          await t("message", cfg.message),
          OPSGENIE_MAX_MESSAGE_RUNES,
        );
        if (message.truncated) {
          deps.logger.warn({ max_runes: OPSGENIE_MAX_MESSAGE_RUNES }, "Truncated message");
        }
        // The details are the common labels, overridden by the configured details.
        const details = new Map<string, unknown>(ctx.data.CommonLabels.entries());
        for (const [k, v] of Object.entries(cfg.details))
          details.set(k, await t(`details ${k}`, v));

        const responders: object[] = [];
        for (const r of cfg.responders) {
          const responder = {
            id: await t("responder id", r.id),
            name: await t("responder name", r.name),
            username: await t("responder username", r.username),
            type: await t("responder type", r.type),
          };
          // Responders that template to nothing are dropped, so that they can come from labels.
          if (Object.values(responder).every((v) => v === "")) continue;
          if (responder.type === "teams") {
            for (const team of safeSplit(responder.name, ",")) {
              responders.push({
                name: (await t("responder name", team)) || undefined,
                type: await t("responder type", "team"),
              });
            }
            continue;
          }
          responders.push({
            id: responder.id || undefined,
            name: responder.name || undefined,
            username: responder.username || undefined,
            type: responder.type,
          });
        }

        const tags = safeSplit(await t("tags", cfg.tags), ",");
        const actions = safeSplit(await t("actions", cfg.actions), ",");
        const description = await t("description", cfg.description);
        requests.push({
          method: "POST",
          url: endpoint(""),
          body: encodeGoJSONLine({
            alias,
            message: message.text,
            description: description || undefined,
            details,
            source: await t("source", cfg.source),
            responders: responders.length > 0 ? responders : undefined,
            tags: tags.length > 0 ? tags : undefined,
            note: (await t("note", cfg.note)) || undefined,
            priority: (await t("priority", cfg.priority)) || undefined,
            entity: (await t("entity", cfg.entity)) || undefined,
            actions: actions.length > 0 ? actions : undefined,
          }),
        });
        if (cfg.updateAlerts) {
          requests.push({
            method: "PUT",
            url: endpoint(`/${alias}/message?identifierType=alias`),
            body: encodeGoJSONLine({ message: message.text || undefined }),
          });
          requests.push({
            method: "PUT",
            url: endpoint(`/${alias}/description?identifierType=alias`),
            body: encodeGoJSONLine({ description: description || undefined }),
          });
        }
      }

      const apiKey =
        cfg.apiKeyFile !== undefined && cfg.apiKeyFile !== ""
          ? (await t("api key", await readSecretFile(cfg.apiKeyFile, { trim: false }))).trim()
          : await t("api key", cfg.apiKey);

      for (const req of requests) {
        const res = await http.send(req.url, req.body, {
          method: req.method,
          headers: { Authorization: `GenieKey ${apiKey}` },
          signal,
        });
        checkResponse(res);
      }
    },
    close: () => http.close(),
  };
}
