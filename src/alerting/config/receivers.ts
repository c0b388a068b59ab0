// Reading `receivers:` and their integration blocks, with Alertmanager's per-integration
// defaults and checks (config/notifiers.go, notify/*/config.go) and the global defaults applied
// afterwards (Config.UnmarshalYAML in config/config.go).
import type { HttpClientConfig } from "../../util/http-client/index.ts";
import type {
  DiscordConfig,
  EmailConfig,
  IntegrationConfigs,
  MSTeamsConfig,
  MSTeamsV2Config,
  MattermostAttachment,
  MattermostConfig,
  MattermostField,
  NtfyConfig,
  OpsGenieConfig,
  OtherIntegrationConfig,
  PagerdutyConfig,
  ReceiverConfig,
  SlackAction,
  SlackConfig,
  SlackField,
  TelegramConfig,
  VictorOpsConfig,
  WebhookConfig,
} from "../receivers-config.ts";
import { INTEGRATION_NAMES } from "../receivers-config.ts";
import type { AmGlobalConfig } from "./types.ts";
import { parseHttpConfig, parseTlsConfig } from "./http.ts";
import type { Obj, Path } from "./read.ts";
import { containsTemplating, errText, fail, objAt, parseAmURL } from "./read.ts";
import { Template } from "../../template/index.ts";

const tmpl = (name: string): string => `{{ template "${name}" . }}`;

/** Ctx carries what integration readers need. */
interface Ctx {
  global: AmGlobalConfig;
  baseDir: string;
}

function httpConfig(o: Obj, c: Ctx): HttpClientConfig {
  const h = o.obj("http_config");
  return h ? parseHttpConfig(h, c.baseDir) : c.global.httpConfig;
}

function url(o: Obj, key: string): string | undefined {
  const v = o.optStr(key);
  if (v === undefined || v === "") return undefined;
  if (v === "<secret>") return v;
  return parseAmURL(v, o.at(key));
}

function exclusive(o: Obj, a: string, b: string, av: unknown, bv: unknown): void {
  if (av && bv) fail(o.path, `at most one of ${a} & ${b} must be configured`);
}

function checkTemplate(text: string, path: Path): void {
  if (!containsTemplating(text)) return;
  try {
    Template.create("").parse(text);
  } catch (err) {
    fail(path, `invalid template syntax: ${errText(err)}`);
  }
}

function webhook(o: Obj, c: Ctx): WebhookConfig {
  const u = o.optStr("url");
  if (u && u !== "<secret>") {
    if (containsTemplating(u)) checkTemplate(u, o.at("url"));
    else parseAmURL(u, o.at("url"));
  }
  const urlFile = o.file("url_file", c.baseDir);
  if (!u && !urlFile) fail(o.path, "one of url or url_file must be configured");
  exclusive(o, "url", "url_file", u, urlFile);
  const payload = o.take("payload");
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    ...(u && { url: u }),
    ...(urlFile && { urlFile }),
    maxAlerts: o.int("max_alerts", 0, { min: 0 }),
    timeoutMs: o.goDuration("timeout"),
    ...(payload !== undefined && { payload }),
  };
}

const MIME_CANONICAL = (k: string): string =>
  k
    .split("-")
    .map((p) => (p === "" ? p : p[0].toUpperCase() + p.slice(1).toLowerCase()))
    .join("-");

function email(o: Obj, c: Ctx): EmailConfig {
  const g = c.global;
  const to = o.str("to");
  if (to === "") fail(o.path, "missing to address in email config");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.strMap("headers") ?? {})) {
    const n = MIME_CANONICAL(k);
    if (Object.hasOwn(headers, n))
      fail(o.at("headers"), `duplicate header ${JSON.stringify(n)} in email config`);
    headers[n] = v;
  }
  const th = o.obj("threading");
  const threading = {
    enabled: false,
    threadByDate: "" as EmailConfig["threading"]["threadByDate"],
  };
  if (th) {
    threading.enabled = th.bool("enabled", false);
    const by = th.str("thread_by_date");
    if (by !== "" && by !== "none" && by !== "daily") {
      fail(th.at("thread_by_date"), "threading.thread_by_date must be either 'none' or 'daily'");
    }
    threading.threadByDate = by as "none" | "daily" | "";
    th.done("config.ThreadingConfig");
    if (threading.enabled && headers.References !== undefined) {
      fail(
        o.path,
        "conflicting configuration: threading.enabled conflicts with custom References header",
      );
    }
    if (threading.enabled && headers["In-Reply-To"] !== undefined) {
      fail(
        o.path,
        "conflicting configuration: threading.enabled conflicts with custom In-Reply-To header",
      );
    }
  }
  let smarthost: EmailConfig["smarthost"] | undefined;
  const sh = o.optStr("smarthost");
  if (sh) smarthost = parseHostPort(sh, o.at("smarthost"));
  smarthost ??= g.smtpSmarthost;
  if (smarthost === undefined) fail(o.path, "no global SMTP smarthost set");
  const from = o.str("from") || g.smtpFrom;
  if (from === "") fail(o.path, "no global SMTP from set");
  let authPassword = o.str("auth_password");
  let authPasswordFile = o.file("auth_password_file", c.baseDir);
  if (authPassword === "" && authPasswordFile === undefined) {
    authPassword = g.smtpAuthPassword;
    authPasswordFile = g.smtpAuthPasswordFile;
  }
  const tls = o.obj("tls_config");
  const requireTls = o.optBool("require_tls");
  const forceImplicitTls = o.optBool("force_implicit_tls") ?? g.smtpForceImplicitTls;
  const authSecretFile = o.file("auth_secret_file", c.baseDir) ?? g.smtpAuthSecretFile;
  return {
    sendResolved: o.bool("send_resolved", false),
    to,
    from,
    hello: o.str("hello") || g.smtpHello,
    smarthost,
    authUsername: o.str("auth_username") || g.smtpAuthUsername,
    authPassword,
    ...(authPasswordFile && { authPasswordFile }),
    authSecret: o.str("auth_secret") || g.smtpAuthSecret,
    ...(authSecretFile && { authSecretFile }),
    authIdentity: o.str("auth_identity") || g.smtpAuthIdentity,
    headers,
    html: o.str("html", tmpl("email.default.html")),
    text: o.str("text", ""),
    requireTls: requireTls ?? g.smtpRequireTls,
    tlsConfig: tls ? parseTlsConfig(tls, c.baseDir) : g.smtpTlsConfig,
    ...(forceImplicitTls !== undefined && { forceImplicitTls }),
    threading,
  };
}

/** parseHostPort splits "host:port" as net.SplitHostPort, requiring a port. */
export function parseHostPort(s: string, path: Path): { host: string; port: string } {
  const m = /^\[([^\]]*)\]:(.*)$/.exec(s) ?? /^([^:]*):([^:]*)$/.exec(s);
  if (m === null) {
    const why = s.includes(":") ? "too many colons in address" : "missing port in address";
    fail(path, `address ${s}: ${why}`);
  }
  if (m[2] === "") fail(path, `address ${JSON.stringify(s)}: port cannot be empty`);
  return { host: m[1], port: m[2] };
}

function pagerduty(o: Obj, c: Ctx): PagerdutyConfig {
  const serviceKey = o.str("service_key");
  const serviceKeyFile = o.file("service_key_file", c.baseDir);
  const routingKey = o.str("routing_key");
  const routingKeyFile = o.file("routing_key_file", c.baseDir);
  if (!routingKey && !serviceKey && !routingKeyFile && !serviceKeyFile) {
    fail(o.path, "missing service or routing key in PagerDuty config");
  }
  exclusive(o, "routing_key", "routing_key_file", routingKey, routingKeyFile);
  exclusive(o, "service_key", "service_key_file", serviceKey, serviceKeyFile);
  const detailsIn = o.obj("details");
  const details: Record<string, unknown> = {
    firing: "{{ .Alerts.Firing | toJson }}",
    resolved: "{{ .Alerts.Resolved | toJson }}",
    num_firing: "{{ .Alerts.Firing | len }}",
    num_resolved: "{{ .Alerts.Resolved | len }}",
  };
  if (detailsIn) {
    for (const k of Object.keys(detailsIn.value)) details[k] = detailsIn.take(k);
  }
  const images = o.list("images").map(({ value, path }) => {
    const i = objAt(value, path);
    const r = { src: i.str("src"), alt: i.str("alt"), href: i.str("href") };
    i.done("config.PagerdutyImage");
    return r;
  });
  const links = o.list("links").map(({ value, path }) => {
    const l = objAt(value, path);
    const r = { href: l.str("href"), text: l.str("text") };
    l.done("config.PagerdutyLink");
    return r;
  });
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    serviceKey,
    ...(serviceKeyFile && { serviceKeyFile }),
    routingKey,
    ...(routingKeyFile && { routingKeyFile }),
    url: url(o, "url") ?? c.global.pagerdutyUrl,
    client: o.str("client", tmpl("pagerduty.default.client")),
    clientUrl: o.str("client_url", tmpl("pagerduty.default.clientURL")),
    description: o.str("description", tmpl("pagerduty.default.description")),
    details,
    images,
    links,
    source: o.str("source"),
    severity: o.str("severity"),
    class: o.str("class"),
    component: o.str("component"),
    group: o.str("group"),
    timeoutMs: o.goDuration("timeout"),
  };
}

function slackFields(o: Obj): SlackField[] {
  return o.list("fields").map(({ value, path }) => {
    const f = objAt(value, path);
    const r: SlackField = { title: f.str("title"), value: f.str("value") };
    const short = f.optBool("short");
    if (short !== undefined) r.short = short;
    f.done("config.SlackField");
    if (r.title === "") fail(path, "missing title in Slack field configuration");
    if (r.value === "") fail(path, "missing value in Slack field configuration");
    return r;
  });
}

function slack(o: Obj, c: Ctx): SlackConfig {
  const g = c.global;
  let apiUrl = url(o, "api_url");
  let apiUrlFile = o.file("api_url_file", c.baseDir);
  let appToken = o.str("app_token");
  let appTokenFile = o.file("app_token_file", c.baseDir);
  const appUrl = url(o, "app_url") ?? g.slackAppUrl;
  exclusive(o, "api_url", "api_url_file", apiUrl, apiUrlFile);
  exclusive(o, "app_token", "app_token_file", appToken, appTokenFile);
  if ((apiUrl || apiUrlFile) && (appToken || appTokenFile)) {
    fail(
      o.path,
      "at most one of api_url/api_url_file & app_token/app_token_file must be configured",
    );
  }
  const updateMessage = o.bool("update_message", false);
  const ownHttp = o.obj("http_config");
  const http: HttpClientConfig = ownHttp
    ? parseHttpConfig(ownHttp, c.baseDir)
    : { ...g.httpConfig, httpHeaders: { ...g.httpConfig.httpHeaders } };
  const actions = o.list("actions").map(({ value, path }): SlackAction => {
    const a = objAt(value, path);
    const r: SlackAction = {
      type: a.str("type"),
      text: a.str("text"),
      url: a.str("url"),
      style: a.str("style"),
      name: a.str("name"),
      value: a.str("value"),
    };
    const cf = a.obj("confirm");
    if (cf) {
      r.confirm = {
        text: cf.str("text"),
        title: cf.str("title"),
        okText: cf.str("ok_text"),
        dismissText: cf.str("dismiss_text"),
      };
      cf.done("config.SlackConfirmationField");
      if (r.confirm.text === "") fail(cf.path, "missing text in Slack confirmation configuration");
    }
    a.done("config.SlackAction");
    if (r.type === "") fail(path, "missing type in Slack action configuration");
    if (r.text === "") fail(path, "missing text in Slack action configuration");
    if (r.url === "" && r.name === "")
      fail(path, "missing name or url in Slack action configuration");
    return r;
  });
  // Global defaults (Config.UnmarshalYAML).
  if (!appToken && !appTokenFile && !ownHttp?.has("authorization") && apiUrl === undefined) {
    appToken = g.slackAppToken;
    appTokenFile = g.slackAppTokenFile;
  }
  if (apiUrl === undefined && apiUrlFile === undefined) {
    apiUrl = g.slackApiUrl;
    apiUrlFile = g.slackApiUrlFile;
  }
  if (!apiUrl && !apiUrlFile && !appToken && !appTokenFile) {
    fail(o.path, "no Slack API URL nor App token set either inline or in a file");
  }
  if (appToken || appTokenFile) {
    if (ownHttp?.has("authorization") || http.authorization) {
      fail(o.path, "http authorization can't be set when using Slack App tokens");
    }
    http.authorization = {
      type: "Bearer",
      ...(appToken && { credentials: appToken }),
      ...(appTokenFile && { credentialsFile: appTokenFile }),
    };
    apiUrl = appUrl;
  }
  if (updateMessage && !(appToken || appTokenFile)) {
    fail(
      o.path,
      "update_message can only be used with bot tokens. api_url must be set to https://slack.com/api/chat.postMessage",
    );
  }
  return {
    sendResolved: o.bool("send_resolved", false),
    httpConfig: http,
    ...(apiUrl && { apiUrl }),
    ...(apiUrlFile && { apiUrlFile }),
    appToken,
    ...(appTokenFile && { appTokenFile }),
    appUrl,
    channel: o.str("channel"),
    username: o.str("username", tmpl("slack.default.username")),
    color: o.str("color", tmpl("slack.default.color")),
    title: o.str("title", tmpl("slack.default.title")),
    titleLink: o.str("title_link", tmpl("slack.default.titlelink")),
    pretext: o.str("pretext", tmpl("slack.default.pretext")),
    text: o.str("text", tmpl("slack.default.text")),
    messageText: o.str("message_text"),
    fields: slackFields(o),
    shortFields: o.bool("short_fields", false),
    footer: o.str("footer", tmpl("slack.default.footer")),
    fallback: o.str("fallback", tmpl("slack.default.fallback")),
    callbackId: o.str("callback_id", tmpl("slack.default.callbackid")),
    iconEmoji: o.str("icon_emoji", tmpl("slack.default.iconemoji")),
    iconUrl: o.str("icon_url", tmpl("slack.default.iconurl")),
    imageUrl: o.str("image_url"),
    thumbUrl: o.str("thumb_url"),
    linkNames: o.bool("link_names", false),
    mrkdwnIn: o.strList("mrkdwn_in") ?? [],
    actions,
    updateMessage,
    timeoutMs: o.goDuration("timeout"),
  };
}

const OPSGENIE_TYPE = /^(team|teams|user|escalation|schedule)$/;

function withSlash(u: string): string {
  const parsed = new URL(u);
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  return parsed.toString();
}

function opsgenie(o: Obj, c: Ctx): OpsGenieConfig {
  const g = c.global;
  const apiKey = o.str("api_key");
  const apiKeyFile = o.file("api_key_file", c.baseDir);
  exclusive(o, "api_key", "api_key_file", apiKey, apiKeyFile);
  const responders = o.list("responders").map(({ value, path }) => {
    const r = objAt(value, path);
    const out = {
      id: r.str("id"),
      name: r.str("name"),
      username: r.str("username"),
      type: r.str("type"),
    };
    r.done("config.OpsGenieConfigResponder");
    const desc = `{${out.id} ${out.name} ${out.username} ${out.type}}`;
    if (!out.id && !out.username && !out.name) {
      fail(
        path,
        `opsGenieConfig responder ${desc} has to have at least one of id, username or name specified`,
      );
    }
    if (!containsTemplating(out.type)) {
      out.type = out.type.toLowerCase();
      if (!OPSGENIE_TYPE.test(out.type)) {
        fail(
          path,
          `opsGenieConfig responder ${desc} type does not match valid options ${OPSGENIE_TYPE.source}`,
        );
      }
    }
    return out;
  });
  const key = apiKey || (apiKeyFile ? "" : g.opsgenieApiKey);
  const keyFile = apiKeyFile ?? (apiKey ? undefined : g.opsgenieApiKeyFile);
  if (!key && !keyFile) fail(o.path, "no global OpsGenie API Key set either inline or in a file");
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    apiKey: key,
    ...(keyFile && { apiKeyFile: keyFile }),
    apiUrl: withSlash(url(o, "api_url") ?? g.opsgenieApiUrl),
    message: o.str("message", tmpl("opsgenie.default.message")),
    description: o.str("description", tmpl("opsgenie.default.description")),
    source: o.str("source", tmpl("opsgenie.default.source")),
    details: o.strMap("details") ?? {},
    entity: o.str("entity"),
    responders,
    actions: o.str("actions"),
    tags: o.str("tags"),
    note: o.str("note"),
    priority: o.str("priority"),
    updateAlerts: o.bool("update_alerts", false),
  };
}

const VICTOROPS_RESERVED = [
  "routing_key",
  "message_type",
  "state_message",
  "entity_display_name",
  "monitoring_tool",
  "entity_id",
  "entity_state",
];

function victorops(o: Obj, c: Ctx): VictorOpsConfig {
  const g = c.global;
  const routingKey = o.str("routing_key");
  if (routingKey === "") fail(o.path, "missing Routing key in VictorOps config");
  const apiKey = o.str("api_key");
  const apiKeyFile = o.file("api_key_file", c.baseDir);
  exclusive(o, "api_key", "api_key_file", apiKey, apiKeyFile);
  const customFields = o.strMap("custom_fields") ?? {};
  for (const k of Object.keys(customFields)) {
    if (VICTOROPS_RESERVED.includes(k)) {
      fail(
        o.at("custom_fields"),
        `victorOps config contains custom field ${k} which cannot be used as it conflicts with the fixed/static fields`,
      );
    }
  }
  const key = apiKey || (apiKeyFile ? "" : g.victoropsApiKey);
  const keyFile = apiKeyFile ?? (apiKey ? undefined : g.victoropsApiKeyFile);
  if (!key && !keyFile) fail(o.path, "no global VictorOps API Key set");
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    apiKey: key,
    ...(keyFile && { apiKeyFile: keyFile }),
    apiUrl: withSlash(url(o, "api_url") ?? g.victoropsApiUrl),
    routingKey,
    messageType: o.str("message_type", "CRITICAL"),
    stateMessage: o.str("state_message", tmpl("victorops.default.state_message")),
    entityDisplayName: o.str("entity_display_name", tmpl("victorops.default.entity_display_name")),
    monitoringTool: o.str("monitoring_tool", tmpl("victorops.default.monitoring_tool")),
    customFields,
  };
}

function webhookUrlPair(
  o: Obj,
  c: Ctx,
  required: string,
): { webhookUrl?: string; webhookUrlFile?: string } {
  const webhookUrl = url(o, "webhook_url");
  const webhookUrlFile = o.file("webhook_url_file", c.baseDir);
  if (!webhookUrl && !webhookUrlFile && required) fail(o.path, required);
  exclusive(o, "webhook_url", "webhook_url_file", webhookUrl, webhookUrlFile);
  return { ...(webhookUrl && { webhookUrl }), ...(webhookUrlFile && { webhookUrlFile }) };
}

function msteams(o: Obj, c: Ctx): MSTeamsConfig {
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    ...webhookUrlPair(o, c, "one of webhook_url or webhook_url_file must be configured"),
    title: o.str("title", tmpl("msteams.default.title")),
    summary: o.str("summary", tmpl("msteams.default.summary")),
    text: o.str("text", tmpl("msteams.default.text")),
  };
}

function msteamsv2(o: Obj, c: Ctx): MSTeamsV2Config {
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    ...webhookUrlPair(o, c, "one of webhook_url or webhook_url_file must be configured"),
    title: o.str("title", tmpl("msteamsv2.default.title")),
    text: o.str("text", tmpl("msteamsv2.default.text")),
  };
}

function discord(o: Obj, c: Ctx): DiscordConfig {
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    ...webhookUrlPair(o, c, "one of webhook_url or webhook_url_file must be configured"),
    content: o.str("content"),
    title: o.str("title", tmpl("discord.default.title")),
    message: o.str("message", tmpl("discord.default.message")),
    username: o.str("username"),
    avatarUrl: o.str("avatar_url"),
  };
}

const TELEGRAM_PARSE_MODES = ["", "Markdown", "MarkdownV2", "HTML"];

function telegram(o: Obj, c: Ctx): TelegramConfig {
  const g = c.global;
  let botToken = o.str("bot_token");
  let botTokenFile = o.file("bot_token_file", c.baseDir);
  exclusive(o, "bot_token", "bot_token_file", botToken, botTokenFile);
  const rawChat = o.take("chat_id");
  let chatId: bigint | undefined;
  if (rawChat !== undefined) {
    if (
      typeof rawChat !== "number" &&
      typeof rawChat !== "bigint" &&
      !(typeof rawChat === "string" && /^-?\d+$/.test(rawChat))
    ) {
      fail(o.at("chat_id"), `cannot unmarshal ${JSON.stringify(rawChat)} into int64`);
    }
    chatId = BigInt(rawChat as number | bigint | string);
    if (chatId === 0n) chatId = undefined;
  }
  const chatIdFile = o.file("chat_id_file", c.baseDir);
  if (chatId === undefined && chatIdFile === undefined) {
    fail(o.path, "missing chat_id or chat_id_file on telegram_config");
  }
  if (chatId !== undefined && chatIdFile !== undefined) {
    fail(o.path, "at most one of chat_id & chat_id_file must be configured");
  }
  const parseMode = o.str("parse_mode", "HTML");
  if (!TELEGRAM_PARSE_MODES.includes(parseMode)) {
    fail(
      o.at("parse_mode"),
      "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string",
    );
  }
  if (!botToken && !botTokenFile) {
    if (!g.telegramBotToken && !g.telegramBotTokenFile) {
      fail(o.path, "missing bot_token or bot_token_file on telegram_config");
    }
    botToken = g.telegramBotToken;
    botTokenFile = g.telegramBotTokenFile;
  }
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    apiUrl: url(o, "api_url") ?? g.telegramApiUrl,
    botToken,
    ...(botTokenFile && { botTokenFile }),
    ...(chatId !== undefined && { chatId }),
    ...(chatIdFile && { chatIdFile }),
    messageThreadId: o.int("message_thread_id", 0),
    message: o.str("message", tmpl("telegram.default.message")),
    disableNotifications: o.bool("disable_notifications", false),
    parseMode,
  };
}

function mattermostFields(o: Obj): MattermostField[] {
  return o.list("fields").map(({ value, path }) => {
    const f = objAt(value, path);
    const r: MattermostField = { title: f.str("title"), value: f.str("value") };
    const short = f.optBool("short");
    if (short !== undefined) r.short = short;
    f.done("mattermost.MattermostField");
    if (r.title === "") fail(path, "missing title in Mattermost field configuration");
    if (r.value === "") fail(path, "missing value in Mattermost field configuration");
    return r;
  });
}

function mattermost(o: Obj, c: Ctx): MattermostConfig {
  const g = c.global;
  let pair = webhookUrlPair(o, c, "");
  if (!pair.webhookUrl && !pair.webhookUrlFile) {
    if (!g.mattermostWebhookUrl && !g.mattermostWebhookUrlFile) {
      fail(o.path, "missing webhook_url or webhook_url_file on mattermost_config");
    }
    pair = {
      ...(g.mattermostWebhookUrl && { webhookUrl: g.mattermostWebhookUrl }),
      ...(g.mattermostWebhookUrlFile && { webhookUrlFile: g.mattermostWebhookUrlFile }),
    };
  }
  const attachments = o.list("attachments").map(({ value, path }): MattermostAttachment => {
    const a = objAt(value, path);
    const r: MattermostAttachment = {
      fallback: a.str("fallback"),
      color: a.str("color"),
      pretext: a.str("pretext"),
      text: a.str("text"),
      authorName: a.str("author_name"),
      authorLink: a.str("author_link"),
      authorIcon: a.str("author_icon"),
      title: a.str("title"),
      titleLink: a.str("title_link"),
      fields: mattermostFields(a),
      thumbUrl: a.str("thumb_url"),
      footer: a.str("footer"),
      footerIcon: a.str("footer_icon"),
      imageUrl: a.str("image_url"),
    };
    a.done("mattermost.MattermostAttachment");
    return r;
  });
  const props = o.obj("props");
  const prio = o.obj("priority");
  const out: MattermostConfig = {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    ...pair,
    channel: o.str("channel"),
    username: o.str("username", tmpl("mattermost.default.username")),
    text: o.str("text", tmpl("mattermost.default.text")),
    fallback: o.str("fallback", tmpl("mattermost.default.fallback")),
    color: o.str("color", tmpl("mattermost.default.color")),
    pretext: o.str("pretext"),
    authorName: o.str("author_name"),
    authorLink: o.str("author_link"),
    authorIcon: o.str("author_icon"),
    title: o.str("title", tmpl("mattermost.default.title")),
    titleLink: o.str("title_link", tmpl("mattermost.default.titlelink")),
    fields: mattermostFields(o),
    thumbUrl: o.str("thumb_url"),
    footer: o.str("footer"),
    footerIcon: o.str("footer_icon"),
    imageUrl: o.str("image_url"),
    iconUrl: o.str("icon_url"),
    iconEmoji: o.str("icon_emoji"),
    attachments,
    type: o.str("type"),
  };
  if (props) {
    out.props = { card: props.str("card") };
    props.done("mattermost.MattermostProps");
  }
  if (prio) {
    out.priority = {
      priority: prio.str("priority"),
      requestedAck: prio.bool("requested_ack", false),
      persistentNotifications: prio.bool("persistent_notifications", false),
    };
    prio.done("mattermost.MattermostPriority");
  }
  return out;
}

function ntfy(o: Obj, c: Ctx): NtfyConfig {
  const topic = o.str("topic");
  if (topic === "") fail(o.path, "missing topic in ntfy config");
  const token = o.str("token");
  const tokenFile = o.file("token_file", c.baseDir);
  exclusive(o, "token", "token_file", token, tokenFile);
  return {
    sendResolved: o.bool("send_resolved", true),
    httpConfig: httpConfig(o, c),
    url: url(o, "url") ?? c.global.ntfyUrl,
    topic,
    title: o.str("title", tmpl("ntfy.default.title")),
    message: o.str("message", tmpl("ntfy.default.message")),
    priority: o.str("priority", `{{ if eq .Status "firing" }}high{{ else }}default{{ end }}`),
    tags: o.strList("tags") ?? [],
    click: o.str("click"),
    icon: o.str("icon"),
    markdown: o.bool("markdown", false),
    token,
    ...(tokenFile && { tokenFile }),
    timeoutMs: o.goDuration("timeout"),
  };
}

/** Send-resolved defaults of the integrations Vigil only parses. */
const OTHER_SEND_RESOLVED: Record<string, boolean> = {
  pushover: true,
  sns: true,
  webex: true,
  wechat: false,
  rocketchat: false,
  jira: true,
  incidentio: true,
};

function other(o: Obj, integration: string): OtherIntegrationConfig {
  const raw = { ...o.value };
  for (const k of Object.keys(o.value)) o.take(k);
  const sr = raw.send_resolved;
  return {
    sendResolved: typeof sr === "boolean" ? sr : (OTHER_SEND_RESOLVED[integration] ?? true),
    raw,
  };
}

type Reader = (o: Obj, c: Ctx) => unknown;

const READERS: Record<string, Reader> = {
  webhook,
  email,
  pagerduty,
  slack,
  opsgenie,
  victorops,
  msteams,
  msteamsv2,
  discord,
  telegram,
  mattermost,
  ntfy,
};

/** Alertmanager's Go type names, for "field x not found in type ..." messages. */
const TYPE_NAMES: Record<string, string> = {
  webhook: "webhook.plain",
  email: "config.plain",
  pagerduty: "config.plain",
  slack: "config.plain",
  opsgenie: "config.plain",
  victorops: "config.plain",
  msteams: "msteams.plain",
  msteamsv2: "config.plain",
  discord: "discord.plain",
  telegram: "config.plain",
  mattermost: "mattermost.plain",
  ntfy: "ntfy.plain",
};

/**
 * parseReceivers reads the receivers list, checking names are present and unique and applying
 * the global defaults.
 */
export function parseReceivers(
  items: { value: unknown; path: Path }[],
  global: AmGlobalConfig,
  baseDir: string,
): ReceiverConfig[] {
  const ctx: Ctx = { global, baseDir };
  const names = new Set<string>();
  const out: ReceiverConfig[] = [];
  for (const { value, path } of items) {
    const o = objAt(value, path);
    const name = o.str("name");
    const labels = o.strMap("labels") ?? {};
    const integrations = {} as Record<string, unknown[]>;
    for (const n of INTEGRATION_NAMES) {
      integrations[n] = [];
      for (const item of o.list(`${n}_configs`)) {
        if (item.value === null || item.value === undefined) {
          fail(item.path, `missing ${n} config`);
        }
        const io = objAt(item.value, item.path);
        const reader = READERS[n];
        if (reader === undefined) {
          integrations[n].push(other(io, n));
          continue;
        }
        const cfg = reader(io, ctx);
        io.done(TYPE_NAMES[n] ?? "config.plain");
        integrations[n].push(cfg);
      }
    }
    o.done("config.plain");
    if (name === "") fail(path, "missing name in receiver");
    if (labels.name !== undefined && labels.name !== name) {
      fail(
        [...path, "labels"],
        `receiver label "name" must match receiver name ${JSON.stringify(name)}, got ${JSON.stringify(labels.name)}`,
      );
    }
    labels.name = name;
    if (names.has(name))
      fail([...path, "name"], `notification config name ${JSON.stringify(name)} is not unique`);
    names.add(name);
    out.push({ name, labels, integrations: integrations as unknown as IntegrationConfigs });
  }
  return out;
}
