// The per-integration blocks of an Alertmanager receiver (webhook_configs, slack_configs, ...)
// as Vigil sees them after loading: camelCase keys, durations in milliseconds, file paths
// absolute, Alertmanager's defaults filled in and the `global:` defaults applied (the global
// http_config, smtp_*, slack_api_url, opsgenie_api_key, ...), exactly as Alertmanager's
// Config.UnmarshalYAML does (config/config.go). The YAML key of each field is in brackets.
//
// Templated fields hold Go template text, to be expanded with AlertmanagerTemplates against the
// notification's Data; their defaults name Alertmanager's default templates
// (`{{ template "slack.default.title" . }}`).
//
// Secrets are plain strings here (they are masked when the config is printed). A `...File`
// field names a file to read at notification time, trimmed of white space except where noted.
import type { HttpClientConfig, TlsConfig } from "../util/http-client/index.ts";

/** NotifierCommon holds the fields every integration has. */
export interface NotifierCommon {
  /** Whether to notify about resolved alerts [send_resolved]; the default differs per integration. */
  sendResolved: boolean;
  /** The effective HTTP client settings: the block's own [http_config] or global.http_config. */
  httpConfig: HttpClientConfig;
}

/** WebhookConfig [webhook_configs]: Alertmanager webhook JSON v4. send_resolved defaults to true. */
export interface WebhookConfig extends NotifierCommon {
  /** Target URL; may contain Go template text [url]. Exactly one of url and urlFile. */
  url?: string;
  /** File holding the URL [url_file]. */
  urlFile?: string;
  /** Most alerts per message, 0 = unlimited [max_alerts]; extra alerts are truncated. */
  maxAlerts: number;
  /** Per-request timeout in milliseconds, 0 = none [timeout]. */
  timeoutMs: number;
  /** Custom payload: a YAML value whose strings are templates, sent instead of the v4 JSON [payload]. */
  payload?: unknown;
}

/** EmailConfig [email_configs]. send_resolved defaults to false. */
export interface EmailConfig {
  sendResolved: boolean;
  /** Recipient addresses, comma separated; a template [to]; required. */
  to: string;
  /** Sender [from], default global.smtp_from; required after defaults. */
  from: string;
  /** Host name sent in EHLO [hello], default global.smtp_hello ("localhost"). */
  hello: string;
  /** SMTP server [smarthost] ("host:port"), default global.smtp_smarthost; required. */
  smarthost: { host: string; port: string };
  authUsername: string;
  authPassword: string;
  authPasswordFile?: string;
  authSecret: string;
  authSecretFile?: string;
  authIdentity: string;
  /** Extra headers, templates; keys in canonical MIME form ("Subject", "To", ...) [headers]. */
  headers: Record<string, string>;
  /** HTML body template [html]; default `{{ template "email.default.html" . }}`. */
  html: string;
  /** Text body template [text]; default "". */
  text: string;
  /** Require STARTTLS [require_tls], default global.smtp_require_tls (true). */
  requireTls: boolean;
  /** TLS settings [tls_config], default global.smtp_tls_config. */
  tlsConfig: TlsConfig;
  /** Use implicit TLS (SMTPS) whatever the port [force_implicit_tls]; unset: by port 465. */
  forceImplicitTls?: boolean;
  /** [threading]: thread notifications of one group with In-Reply-To/References. */
  threading: { enabled: boolean; threadByDate: "none" | "daily" | "" };
}

/** PagerdutyImage [images]. */
export interface PagerdutyImage {
  src: string;
  alt: string;
  href: string;
}

/** PagerdutyLink [links]. */
export interface PagerdutyLink {
  href: string;
  text: string;
}

/** PagerdutyConfig [pagerduty_configs]: Events API v2 with routing_key, v1 with service_key. */
export interface PagerdutyConfig extends NotifierCommon {
  serviceKey: string;
  serviceKeyFile?: string;
  routingKey: string;
  routingKeyFile?: string;
  /** Events endpoint [url], default global.pagerduty_url. */
  url: string;
  client: string;
  clientUrl: string;
  description: string;
  /** [details]: values are templates when strings; default the four firing/resolved entries. */
  details: Record<string, unknown>;
  images: PagerdutyImage[];
  links: PagerdutyLink[];
  source: string;
  severity: string;
  class: string;
  component: string;
  group: string;
  /** Per-request timeout in milliseconds, 0 = none [timeout]. */
  timeoutMs: number;
}

/** SlackConfirmationField [actions[].confirm]. */
export interface SlackConfirmationField {
  text: string;
  title: string;
  okText: string;
  dismissText: string;
}

/** SlackAction [actions]. */
export interface SlackAction {
  type: string;
  text: string;
  url: string;
  style: string;
  name: string;
  value: string;
  confirm?: SlackConfirmationField;
}

/** SlackField [fields]. */
export interface SlackField {
  title: string;
  value: string;
  short?: boolean;
}

/**
 * SlackConfig [slack_configs]. Either an incoming webhook (apiUrl / apiUrlFile) or a bot
 * token: with app_token (or the global one) apiUrl is the app URL (chat.postMessage) and the
 * token is in httpConfig.authorization, as Alertmanager arranges it. send_resolved: false.
 */
export interface SlackConfig extends NotifierCommon {
  apiUrl?: string;
  apiUrlFile?: string;
  appToken: string;
  appTokenFile?: string;
  /** [app_url], default global.slack_app_url. */
  appUrl: string;
  channel: string;
  username: string;
  color: string;
  title: string;
  titleLink: string;
  pretext: string;
  text: string;
  messageText: string;
  fields: SlackField[];
  shortFields: boolean;
  footer: string;
  fallback: string;
  callbackId: string;
  iconEmoji: string;
  iconUrl: string;
  imageUrl: string;
  thumbUrl: string;
  linkNames: boolean;
  mrkdwnIn: string[];
  actions: SlackAction[];
  /** Update the first message of a group instead of posting new ones [update_message]. */
  updateMessage: boolean;
  timeoutMs: number;
}

/** OpsGenieResponder [responders]. */
export interface OpsGenieResponder {
  id: string;
  name: string;
  username: string;
  type: string;
}

/** OpsGenieConfig [opsgenie_configs]. send_resolved: true. */
export interface OpsGenieConfig extends NotifierCommon {
  apiKey: string;
  apiKeyFile?: string;
  /** [api_url], default global.opsgenie_api_url, always ending in "/". */
  apiUrl: string;
  message: string;
  description: string;
  source: string;
  details: Record<string, string>;
  entity: string;
  responders: OpsGenieResponder[];
  actions: string;
  tags: string;
  note: string;
  priority: string;
  updateAlerts: boolean;
}

/** VictorOpsConfig [victorops_configs]: Splunk On-Call REST. send_resolved: true. */
export interface VictorOpsConfig extends NotifierCommon {
  apiKey: string;
  apiKeyFile?: string;
  /** [api_url], default global.victorops_api_url, always ending in "/". */
  apiUrl: string;
  routingKey: string;
  messageType: string;
  stateMessage: string;
  entityDisplayName: string;
  monitoringTool: string;
  customFields: Record<string, string>;
}

/** MSTeamsConfig [msteams_configs]: Office 365 connector cards. send_resolved: true. */
export interface MSTeamsConfig extends NotifierCommon {
  webhookUrl?: string;
  webhookUrlFile?: string;
  title: string;
  summary: string;
  text: string;
}

/** MSTeamsV2Config [msteamsv2_configs]: Power Automate / Workflows adaptive cards. send_resolved: true. */
export interface MSTeamsV2Config extends NotifierCommon {
  webhookUrl?: string;
  webhookUrlFile?: string;
  title: string;
  text: string;
}

/** DiscordConfig [discord_configs]. send_resolved: true. */
export interface DiscordConfig extends NotifierCommon {
  webhookUrl?: string;
  webhookUrlFile?: string;
  content: string;
  title: string;
  message: string;
  username: string;
  avatarUrl: string;
}

/** TelegramConfig [telegram_configs]. send_resolved: true. */
export interface TelegramConfig extends NotifierCommon {
  /** [api_url], default global.telegram_api_url ("https://api.telegram.org"). */
  apiUrl: string;
  botToken: string;
  botTokenFile?: string;
  /** [chat_id]; exactly one of chatId and chatIdFile. A bigint: chat ids exceed 2^53. */
  chatId?: bigint;
  chatIdFile?: string;
  messageThreadId: number;
  message: string;
  disableNotifications: boolean;
  /** "", "Markdown", "MarkdownV2" or "HTML" [parse_mode]; default "HTML". */
  parseMode: string;
}

/** MattermostField [fields]. */
export interface MattermostField {
  title: string;
  value: string;
  short?: boolean;
}

/** MattermostAttachment [attachments]. */
export interface MattermostAttachment {
  fallback: string;
  color: string;
  pretext: string;
  text: string;
  authorName: string;
  authorLink: string;
  authorIcon: string;
  title: string;
  titleLink: string;
  fields: MattermostField[];
  thumbUrl: string;
  footer: string;
  footerIcon: string;
  imageUrl: string;
}

/**
 * MattermostConfig [mattermost_configs]: Mattermost incoming webhooks, Alertmanager 0.33's
 * native integration (notify/mattermost). send_resolved: true.
 */
export interface MattermostConfig extends NotifierCommon {
  /** [webhook_url], default global.mattermost_webhook_url. */
  webhookUrl?: string;
  webhookUrlFile?: string;
  channel: string;
  username: string;
  text: string;
  fallback: string;
  color: string;
  pretext: string;
  authorName: string;
  authorLink: string;
  authorIcon: string;
  title: string;
  titleLink: string;
  fields: MattermostField[];
  thumbUrl: string;
  footer: string;
  footerIcon: string;
  imageUrl: string;
  iconUrl: string;
  iconEmoji: string;
  attachments: MattermostAttachment[];
  type: string;
  /** [props]: { card } */
  props?: { card: string };
  /** [priority]: { priority, requested_ack, persistent_notifications } */
  priority?: { priority: string; requestedAck: boolean; persistentNotifications: boolean };
}

/**
 * NtfyConfig [ntfy_configs] is a Vigil extension (Alertmanager has no ntfy integration):
 * publishes to an ntfy topic with ntfy's JSON publishing API (POST to the server URL with
 * {topic, title, message, priority, tags, click, ...}). send_resolved defaults to true.
 */
export interface NtfyConfig extends NotifierCommon {
  /** The ntfy server's base URL [url]; default global.ntfy_url, itself "https://ntfy.sh". */
  url: string;
  /** Topic to publish to, a template [topic]; required. */
  topic: string;
  /** [title]; default `{{ template "ntfy.default.title" . }}`. */
  title: string;
  /** [message]; default `{{ template "ntfy.default.message" . }}`. */
  message: string;
  /**
   * Priority 1-5 or min/low/default/high/max, a template [priority];
   * default `{{ if eq .Status "firing" }}high{{ else }}default{{ end }}`.
   */
  priority: string;
  /** Tags (emoji short codes or words), each a template [tags]; default none. */
  tags: string[];
  /** URL opened when the notification is clicked, a template [click]; default "". */
  click: string;
  /** Icon URL [icon]; default "". */
  icon: string;
  /** Render the message as Markdown [markdown]; default false. */
  markdown: boolean;
  /** Access token sent as Bearer [token]; or use http_config. */
  token: string;
  tokenFile?: string;
  timeoutMs: number;
}

/**
 * OtherIntegrationConfig holds the blocks of Alertmanager integrations Vigil parses but does
 * not implement (pushover, sns, webex, wechat, rocketchat, jira, incidentio): the raw YAML
 * mapping, so that a team's alertmanager.yml loads unchanged; their notifications fail and are
 * counted as failed.
 */
export interface OtherIntegrationConfig {
  sendResolved: boolean;
  raw: Record<string, unknown>;
}

/** IntegrationConfigMap maps each integration name to its config type. */
export interface IntegrationConfigMap {
  webhook: WebhookConfig;
  email: EmailConfig;
  pagerduty: PagerdutyConfig;
  slack: SlackConfig;
  opsgenie: OpsGenieConfig;
  victorops: VictorOpsConfig;
  msteams: MSTeamsConfig;
  msteamsv2: MSTeamsV2Config;
  discord: DiscordConfig;
  telegram: TelegramConfig;
  mattermost: MattermostConfig;
  ntfy: NtfyConfig;
  pushover: OtherIntegrationConfig;
  sns: OtherIntegrationConfig;
  webex: OtherIntegrationConfig;
  wechat: OtherIntegrationConfig;
  rocketchat: OtherIntegrationConfig;
  jira: OtherIntegrationConfig;
  incidentio: OtherIntegrationConfig;
}

/** IntegrationName is an integration's name, as in `<name>_configs` and in metric labels. */
export type IntegrationName = keyof IntegrationConfigMap;

/**
 * INTEGRATION_NAMES lists the integrations in the order Alertmanager builds a receiver's
 * integrations (notify/receiver.BuildReceiverIntegrations), ntfy last.
 */
export const INTEGRATION_NAMES: readonly IntegrationName[] = [
  "webhook",
  "email",
  "pagerduty",
  "opsgenie",
  "wechat",
  "slack",
  "victorops",
  "pushover",
  "sns",
  "telegram",
  "discord",
  "webex",
  "msteams",
  "msteamsv2",
  "jira",
  "incidentio",
  "rocketchat",
  "mattermost",
  "ntfy",
];

/** IntegrationConfigs are a receiver's integration blocks, by integration name. */
export type IntegrationConfigs = { [N in IntegrationName]: IntegrationConfigMap[N][] };

/** ReceiverConfig is one entry of `receivers:`. */
export interface ReceiverConfig {
  /** [name]; unique. */
  name: string;
  /** [labels]; always includes name=<name> as Alertmanager adds it. */
  labels: Record<string, string>;
  integrations: IntegrationConfigs;
}
