// The Alertmanager configuration as Vigil sees it after loading (config/config.go at v0.33):
// camelCase keys, durations in milliseconds, file paths absolute, defaults filled in. The YAML
// key of each field is in brackets.
import type { HttpClientConfig, TlsConfig } from "../../util/http-client/index.ts";
import type { AmMatcher } from "../matchers.ts";
import type { ReceiverConfig } from "../receivers-config.ts";
import type { TimeInterval } from "../timeinterval.ts";

/** AmGlobalConfig is the `global:` section: resolve_timeout and the integrations' defaults. */
export interface AmGlobalConfig {
  /** How long an alert without endsAt stays firing without updates [resolve_timeout]; default 5m. */
  resolveTimeoutMs: number;
  /** Default http_config of every integration [http_config]. */
  httpConfig: HttpClientConfig;
  smtpFrom: string;
  /** [smtp_hello]; default "localhost". */
  smtpHello: string;
  smtpSmarthost?: { host: string; port: string };
  smtpAuthUsername: string;
  smtpAuthPassword: string;
  smtpAuthPasswordFile?: string;
  smtpAuthSecret: string;
  smtpAuthSecretFile?: string;
  smtpAuthIdentity: string;
  /** [smtp_require_tls]; default true. */
  smtpRequireTls: boolean;
  smtpTlsConfig: TlsConfig;
  smtpForceImplicitTls?: boolean;
  slackApiUrl?: string;
  slackApiUrlFile?: string;
  slackAppToken: string;
  slackAppTokenFile?: string;
  /** [slack_app_url]; default https://slack.com/api/chat.postMessage. */
  slackAppUrl: string;
  /** [pagerduty_url]; default https://events.pagerduty.com/v2/enqueue. */
  pagerdutyUrl: string;
  /** [opsgenie_api_url]; default https://api.opsgenie.com/. */
  opsgenieApiUrl: string;
  opsgenieApiKey: string;
  opsgenieApiKeyFile?: string;
  /** [victorops_api_url]; default https://alert.victorops.com/integrations/generic/20131114/alert/. */
  victoropsApiUrl: string;
  victoropsApiKey: string;
  victoropsApiKeyFile?: string;
  /** [telegram_api_url]; default https://api.telegram.org. */
  telegramApiUrl: string;
  telegramBotToken: string;
  telegramBotTokenFile?: string;
  mattermostWebhookUrl?: string;
  mattermostWebhookUrlFile?: string;
  /** Vigil extension [ntfy_url]: default server of ntfy_configs; default https://ntfy.sh. */
  ntfyUrl: string;
  /** Settings of integrations Vigil does not implement (wechat, webex, rocketchat, jira), as given. */
  other: Record<string, unknown>;
}

/**
 * RouteConfig is one node of the routing tree [route], as written: unset options inherit from
 * the parent when the tree is built (dispatch.NewRoute).
 */
export interface RouteConfig {
  /** [receiver]; required at the root. */
  receiver?: string;
  /** [group_by] without "..."; undefined when not set (inherit), [] when set empty. */
  groupBy?: string[];
  /** group_by: ['...']. */
  groupByAll: boolean;
  /** All matchers of the node: match (=), match_re (=~) and matchers, sorted (Matchers.Less). */
  matchers: AmMatcher[];
  /** The deprecated forms as written, for printing [match], [match_re]. */
  match: Record<string, string>;
  matchRe: Record<string, string>;
  /** The `matchers:` lines as written. */
  matcherLines: string[];
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  /** [continue] */
  continue: boolean;
  routes: RouteConfig[];
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs?: number;
  /**
   * Set on the routes Vigil synthesizes for team routing (see team-routing.ts): the route is
   * considered only when no earlier sibling without this flag matched.
   */
  fallback?: boolean;
}

/** InhibitRuleConfig is one entry of [inhibit_rules]. */
export interface InhibitRuleConfig {
  /** [name]; optional. */
  name: string;
  /** source_match, source_match_re and source_matchers together. */
  sourceMatchers: AmMatcher[];
  targetMatchers: AmMatcher[];
  /** [equal] */
  equal: string[];
}

/** NamedTimeInterval is one entry of [time_intervals] or the deprecated [mute_time_intervals]. */
export interface NamedTimeInterval {
  name: string;
  timeIntervals: TimeInterval[];
}

/**
 * TeamRoutingConfig configures Vigil's default team routing (docs/alerting.md). It is set in
 * vigil.yml under `alertmanager.team_routing`, never in an alertmanager.yml.
 */
export interface TeamRoutingConfig {
  /** [enabled]; default true. */
  enabled: boolean;
  /** Label naming the owning team, whose value names a receiver [team_label]; default "team". */
  teamLabel: string;
  /** Label naming a chat channel [channel_label]; default "slack_channel". */
  channelLabel: string;
  /**
   * Receiver that delivers to the channel in channelLabel [channel_receiver]; default
   * "vigil-slack-channel", synthesized from global.slack_api_url / slack_app_token when the
   * configuration has no receiver of that name.
   */
  channelReceiver: string;
}

/** DEFAULT_TEAM_ROUTING is the team routing used when vigil.yml does not configure it. */
export const DEFAULT_TEAM_ROUTING: TeamRoutingConfig = Object.freeze({
  enabled: true,
  teamLabel: "team",
  channelLabel: "slack_channel",
  channelReceiver: "vigil-slack-channel",
});

/** AmConfig is a loaded Alertmanager configuration. */
export interface AmConfig {
  global: AmGlobalConfig;
  route: RouteConfig;
  inhibitRules: InhibitRuleConfig[];
  receivers: ReceiverConfig[];
  /** Template file globs, absolute [templates]. */
  templates: string[];
  /** [mute_time_intervals] (deprecated) then [time_intervals]. */
  timeIntervals: NamedTimeInterval[];
  /** The input as parsed (nulls removed), for printing with secrets masked. */
  raw: Record<string, unknown>;
  /** The file the configuration came from, or the vigil.yml it is inline in. */
  file?: string;
}
