// The notification integrations (Alertmanager's notify/<name> packages), one module each,
// with Vigil's default notification templates. Wire them in with NOTIFIER_FACTORIES and parse
// DEFAULT_TEMPLATES before the configuration's `templates:` files.
import type { NotifierFactories } from "../notifier.ts";
import { createDiscordNotifier } from "./discord.ts";
import { createEmailNotifier } from "./email.ts";
import { createMattermostNotifier } from "./mattermost.ts";
import { createMSTeamsNotifier } from "./msteams.ts";
import { createMSTeamsV2Notifier } from "./msteamsv2.ts";
import { createNtfyNotifier } from "./ntfy.ts";
import { createOpsGenieNotifier } from "./opsgenie.ts";
import { createPagerdutyNotifier } from "./pagerduty.ts";
import { createSlackNotifier } from "./slack.ts";
import { createTelegramNotifier } from "./telegram.ts";
import { DEFAULT_TMPL } from "./templates/default.tmpl.ts";
import { EMAIL_TMPL } from "./templates/email.tmpl.ts";
import { createVictorOpsNotifier } from "./victorops.ts";
import { createWebhookNotifier } from "./webhook.ts";

export {
  createDiscordNotifier,
  createEmailNotifier,
  createMattermostNotifier,
  createMSTeamsNotifier,
  createMSTeamsV2Notifier,
  createNtfyNotifier,
  createOpsGenieNotifier,
  createPagerdutyNotifier,
  createSlackNotifier,
  createTelegramNotifier,
  createVictorOpsNotifier,
  createWebhookNotifier,
  DEFAULT_TMPL,
  EMAIL_TMPL,
};
export { webhookMessage } from "./webhook.ts";
export { htmlEscape, htmlEscapedData } from "./render.ts";
export { truncateInBytes, truncateInRunes } from "./util.ts";

/**
 * NOTIFIER_FACTORIES maps each integration Vigil implements to its factory. Alertmanager's
 * pushover, sns, webex, wechat, rocketchat, jira and incidentio are not implemented.
 */
export const NOTIFIER_FACTORIES: NotifierFactories = {
  webhook: createWebhookNotifier,
  email: createEmailNotifier,
  pagerduty: createPagerdutyNotifier,
  slack: createSlackNotifier,
  opsgenie: createOpsGenieNotifier,
  victorops: createVictorOpsNotifier,
  msteams: createMSTeamsNotifier,
  msteamsv2: createMSTeamsV2Notifier,
  discord: createDiscordNotifier,
  telegram: createTelegramNotifier,
  mattermost: createMattermostNotifier,
  ntfy: createNtfyNotifier,
};

/**
 * DEFAULT_TEMPLATES are the texts of the default notification templates, in parsing order:
 * default.tmpl (every `<integration>.default.*` template Alertmanager defines, same output,
 * plus ntfy.default.*) and email.tmpl (email.default.subject, email.default.html).
 */
export const DEFAULT_TEMPLATES: readonly string[] = [DEFAULT_TMPL, EMAIL_TMPL];
