// The Splunk On-Call (VictorOps) integration: the REST endpoint's JSON alert, whose
// entity_id (the SHA-256 of the group key) ties the RECOVERY to its CRITICAL. Matches
// Alertmanager 0.33 notify/victorops/victorops.go.
import type { VictorOpsConfig } from "../../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps } from "../notifier.ts";
import { encodeGoJSONLine } from "./go-json.ts";
import { HttpSender, checkResponse } from "./http.ts";
import { newRenderer } from "./render.ts";
import { hashKey, secretOrFile, truncateInRunes } from "./util.ts";

/** VICTOROPS_MAX_MESSAGE_RUNES is the limit on state_message. */
export const VICTOROPS_MAX_MESSAGE_RUNES = 20480;

const FIRING_TYPES = new Set(["INFO", "WARNING", "CRITICAL"]);

/** createVictorOpsNotifier builds the notifier of one victorops_configs entry. */
export function createVictorOpsNotifier(cfg: VictorOpsConfig, deps: NotifierDeps): Notifier {
  const http = new HttpSender(cfg.httpConfig, deps.userAgent, "victorops");
  return {
    async notify(ctx, signal) {
      const render = newRenderer(ctx);
      const apiKey = await secretOrFile(cfg.apiKey, cfg.apiKeyFile);
      const routingKey = await render.text("routing_key", cfg.routingKey);
      const url = `${cfg.apiUrl}${apiKey}/${routingKey}`;

      // A firing group is INFO, WARNING or CRITICAL (anything else: CRITICAL); a resolved one
      // is a RECOVERY.
      let messageType = await render.text("message_type", cfg.messageType);
      if (ctx.data.Status === "resolved") messageType = "RECOVERY";
      else if (!FIRING_TYPES.has(messageType)) messageType = "CRITICAL";

      const state = truncateInRunes(
        await render.text("state_message", cfg.stateMessage),
        VICTOROPS_MAX_MESSAGE_RUNES,
      );
      if (state.truncated) {
        deps.logger.warn({ max_runes: VICTOROPS_MAX_MESSAGE_RUNES }, "Truncated state_message");
      }

      const msg = new Map<string, unknown>([
        ["message_type", messageType],
        ["entity_id", hashKey(ctx.groupKey)],
        ["entity_display_name", await render.text("entity_display_name", cfg.entityDisplayName)],
        ["state_message", state.text],
        ["monitoring_tool", await render.text("monitoring_tool", cfg.monitoringTool)],
      ]);
      for (const [k, v] of Object.entries(cfg.customFields)) {
        msg.set(k, await render.text(`custom field ${k}`, v));
      }

      const res = await http.send(url, encodeGoJSONLine(msg), { signal });
      checkResponse(res);
    },
    close: () => http.close(),
  };
}
