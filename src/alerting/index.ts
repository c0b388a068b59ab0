// Public API of Vigil's Alertmanager: configuration (alertmanager.yml or the `alertmanager:`
// section of vigil.yml), routing tree with team routing, silences, inhibition, notification
// log, dispatcher, and the Alertmanager API v2.
export type { Alert } from "./alert.ts";
export { fingerprint, resolvedAt } from "./alert.ts";
export { AlertStore } from "./alert-store.ts";
export type { AlertmanagerOptions, AlertStatusView, PostResult } from "./alertmanager.ts";
export { Alertmanager } from "./alertmanager.ts";
export type { AlertmanagerApiOptions } from "./api-v2.ts";
export { registerAlertmanagerApi } from "./api-v2.ts";
export type { AlertmanagerSection, SectionIssue } from "./config/load.ts";
export {
  alertmanagerSectionToDoc,
  amConfigToYaml,
  defaultAmConfig,
  loadAmConfigFile,
  parseAlertmanagerSection,
  parseAmConfigText,
} from "./config/load.ts";
export type {
  AmConfig,
  AmGlobalConfig,
  InhibitRuleConfig,
  NamedTimeInterval,
  RouteConfig,
  TeamRoutingConfig,
} from "./config/types.ts";
export { DEFAULT_TEAM_ROUTING } from "./config/types.ts";
export type { AggrGroup, AlertGroupView } from "./dispatcher.ts";
export { Dispatcher } from "./dispatcher.ts";
export { Inhibitor } from "./inhibit.ts";
export type { LabelSet, MatchType } from "./matchers.ts";
export { AmMatcher, parseMatcher, parseMatchers } from "./matchers.ts";
export { NotificationLog } from "./nflog.ts";
export type {
  DiscordConfig,
  EmailConfig,
  IntegrationConfigMap,
  IntegrationConfigs,
  IntegrationName,
  MSTeamsConfig,
  MSTeamsV2Config,
  MattermostConfig,
  NtfyConfig,
  OpsGenieConfig,
  OtherIntegrationConfig,
  PagerdutyConfig,
  ReceiverConfig,
  SlackConfig,
  TelegramConfig,
  VictorOpsConfig,
  WebhookConfig,
} from "./receivers-config.ts";
export { INTEGRATION_NAMES } from "./receivers-config.ts";
export type { RouteOpts } from "./route.ts";
export { Route, receiversFor } from "./route.ts";
export type { Silence, SilenceMatcher, SilenceState } from "./silences.ts";
export { Silences, silenceState } from "./silences.ts";
export { applyTeamRouting } from "./team-routing.ts";
export type { TimeInterval } from "./timeinterval.ts";
export { Intervener, containsTime } from "./timeinterval.ts";
