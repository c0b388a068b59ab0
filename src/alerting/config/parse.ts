// Reading an Alertmanager configuration from a parsed YAML value, with Alertmanager 0.33's
// defaults and checks (config/config.go Load and the UnmarshalYAML methods; timeinterval).
import { isAbsolute, resolve } from "node:path";
import type { AmMatcher } from "../matchers.ts";
import {
  AmMatcher as Matcher,
  LEGACY_LABEL_NAME,
  compareMatchers,
  isValidLabelName,
  parseMatchers,
} from "../matchers.ts";
import type { TimeInterval } from "../timeinterval.ts";
import {
  checkLocation,
  parseDayOfMonthRange,
  parseMonthRange,
  parseTimeRange,
  parseWeekdayRange,
  parseYearRange,
} from "../timeinterval.ts";
import { defaultHttpConfig, parseHttpConfig, parseTlsConfig } from "./http.ts";
import type { Obj, Path } from "./read.ts";
import { errText, fail, objAt, parseAmURL } from "./read.ts";
import { parseHostPort, parseReceivers } from "./receivers.ts";
import type {
  AmConfig,
  AmGlobalConfig,
  InhibitRuleConfig,
  NamedTimeInterval,
  RouteConfig,
} from "./types.ts";

/** DEFAULT_GLOBAL returns DefaultGlobalConfig(). */
export function defaultGlobal(): AmGlobalConfig {
  return {
    resolveTimeoutMs: 5 * 60_000,
    httpConfig: defaultHttpConfig(),
    smtpFrom: "",
    smtpHello: "localhost",
    smtpAuthUsername: "",
    smtpAuthPassword: "",
    smtpAuthSecret: "",
    smtpAuthIdentity: "",
    smtpRequireTls: true,
    smtpTlsConfig: { insecureSkipVerify: false },
    slackAppToken: "",
    slackAppUrl: "https://slack.com/api/chat.postMessage",
    pagerdutyUrl: "https://events.pagerduty.com/v2/enqueue",
    opsgenieApiUrl: "https://api.opsgenie.com/",
    opsgenieApiKey: "",
    victoropsApiUrl: "https://alert.victorops.com/integrations/generic/20131114/alert/",
    victoropsApiKey: "",
    telegramApiUrl: "https://api.telegram.org",
    telegramBotToken: "",
    ntfyUrl: "https://ntfy.sh",
    other: {},
  };
}

const OTHER_GLOBAL_KEYS = [
  "jira_api_url",
  "wechat_api_url",
  "wechat_api_secret",
  "wechat_api_secret_file",
  "wechat_api_corp_id",
  "webex_api_url",
  "rocketchat_api_url",
  "rocketchat_token",
  "rocketchat_token_file",
  "rocketchat_token_id",
  "rocketchat_token_id_file",
];

function optUrl(o: Obj, key: string): string | undefined {
  const v = o.optStr(key);
  if (v === undefined || v === "") return undefined;
  if (v === "<secret>") return v;
  return parseAmURL(v, o.at(key));
}

function parseGlobal(o: Obj | undefined, baseDir: string): AmGlobalConfig {
  const g = defaultGlobal();
  if (o === undefined) return g;
  const rt = o.duration("resolve_timeout");
  if (rt !== undefined) g.resolveTimeoutMs = rt;
  const http = o.obj("http_config");
  if (http) g.httpConfig = parseHttpConfig(http, baseDir);
  g.smtpFrom = o.str("smtp_from");
  g.smtpHello = o.str("smtp_hello", "localhost");
  const sh = o.optStr("smtp_smarthost");
  if (sh) g.smtpSmarthost = parseHostPort(sh, o.at("smtp_smarthost"));
  g.smtpAuthUsername = o.str("smtp_auth_username");
  g.smtpAuthPassword = o.str("smtp_auth_password");
  g.smtpAuthPasswordFile = o.file("smtp_auth_password_file", baseDir);
  g.smtpAuthSecret = o.str("smtp_auth_secret");
  g.smtpAuthSecretFile = o.file("smtp_auth_secret_file", baseDir);
  g.smtpAuthIdentity = o.str("smtp_auth_identity");
  g.smtpRequireTls = o.bool("smtp_require_tls", true);
  const tls = o.obj("smtp_tls_config");
  if (tls) g.smtpTlsConfig = parseTlsConfig(tls, baseDir);
  g.smtpForceImplicitTls = o.optBool("smtp_force_implicit_tls");
  g.slackApiUrl = optUrl(o, "slack_api_url");
  g.slackApiUrlFile = o.file("slack_api_url_file", baseDir);
  g.slackAppToken = o.str("slack_app_token");
  g.slackAppTokenFile = o.file("slack_app_token_file", baseDir);
  g.slackAppUrl = optUrl(o, "slack_app_url") ?? g.slackAppUrl;
  g.pagerdutyUrl = optUrl(o, "pagerduty_url") ?? g.pagerdutyUrl;
  g.opsgenieApiUrl = optUrl(o, "opsgenie_api_url") ?? g.opsgenieApiUrl;
  g.opsgenieApiKey = o.str("opsgenie_api_key");
  g.opsgenieApiKeyFile = o.file("opsgenie_api_key_file", baseDir);
  g.victoropsApiUrl = optUrl(o, "victorops_api_url") ?? g.victoropsApiUrl;
  g.victoropsApiKey = o.str("victorops_api_key");
  g.victoropsApiKeyFile = o.file("victorops_api_key_file", baseDir);
  g.telegramApiUrl = optUrl(o, "telegram_api_url") ?? g.telegramApiUrl;
  g.telegramBotToken = o.str("telegram_bot_token");
  g.telegramBotTokenFile = o.file("telegram_bot_token_file", baseDir);
  g.mattermostWebhookUrl = optUrl(o, "mattermost_webhook_url");
  g.mattermostWebhookUrlFile = o.file("mattermost_webhook_url_file", baseDir);
  g.ntfyUrl = optUrl(o, "ntfy_url") ?? g.ntfyUrl;
  for (const k of OTHER_GLOBAL_KEYS) {
    const v = o.take(k);
    if (v !== undefined) g.other[k] = v;
  }
  o.done("config.plain");

  // Checks of Config.UnmarshalYAML on the global section.
  const both = (a: unknown, b: unknown, ka: string, kb: string): void => {
    if (a && b) fail(o.path, `at most one of ${ka} & ${kb} must be configured`);
  };
  both(g.slackAppToken, g.slackAppTokenFile, "slack_app_token", "slack_app_token_file");
  both(g.slackApiUrl, g.slackApiUrlFile, "slack_api_url", "slack_api_url_file");
  if ((g.slackAppToken || g.slackAppTokenFile) && (g.slackApiUrl || g.slackApiUrlFile)) {
    if (g.slackApiUrl !== g.slackAppUrl) {
      fail(
        o.path,
        "at most one of slack_app_token/slack_app_token_file & slack_api_url/slack_api_url_file must be configured",
      );
    }
  }
  both(g.opsgenieApiKey, g.opsgenieApiKeyFile, "opsgenie_api_key", "opsgenie_api_key_file");
  both(g.victoropsApiKey, g.victoropsApiKeyFile, "victorops_api_key", "victorops_api_key_file");
  both(g.telegramBotToken, g.telegramBotTokenFile, "telegram_bot_token", "telegram_bot_token_file");
  both(g.smtpAuthPassword, g.smtpAuthPasswordFile, "smtp_auth_password", "smtp_auth_password_file");
  both(g.smtpAuthSecret, g.smtpAuthSecretFile, "smtp_auth_secret", "smtp_auth_secret_file");
  both(
    g.mattermostWebhookUrl,
    g.mattermostWebhookUrlFile,
    "mattermost_webhook_url",
    "mattermost_webhook_url_file",
  );
  return g;
}

/** parseMatcherLines reads a `matchers:` list (config/common Matchers.UnmarshalYAML). */
function parseMatcherLines(o: Obj, key: string): { lines: string[]; matchers: AmMatcher[] } {
  const lines = o.strList(key) ?? [];
  const matchers: AmMatcher[] = [];
  lines.forEach((line, i) => {
    try {
      matchers.push(...parseMatchers(line));
    } catch (err) {
      fail([...o.at(key), i], errText(err));
    }
  });
  return { lines, matchers };
}

/** parseMatch reads a deprecated `match:` map (label names must be legacy names). */
function parseMatch(o: Obj, key: string): Record<string, string> {
  const m = o.strMap(key) ?? {};
  for (const k of Object.keys(m)) {
    if (!LEGACY_LABEL_NAME.test(k)) fail(o.at(key), `invalid label name ${JSON.stringify(k)}`);
  }
  return m;
}

/** parseMatchRe reads a deprecated `match_re:` map, compiling each regular expression. */
function parseMatchRe(o: Obj, key: string): Record<string, string> {
  const m = o.strMap(key) ?? {};
  for (const [k, v] of Object.entries(m)) {
    if (!LEGACY_LABEL_NAME.test(k)) fail(o.at(key), `invalid label name ${JSON.stringify(k)}`);
    try {
      new Matcher("=~", k, v);
    } catch (err) {
      fail([...o.at(key), k], errText(err));
    }
  }
  return m;
}

function combineMatchers(
  match: Record<string, string>,
  matchRe: Record<string, string>,
  rest: AmMatcher[],
): AmMatcher[] {
  const all = [
    ...Object.entries(match).map(([k, v]) => new Matcher("=", k, v)),
    ...Object.entries(matchRe).map(([k, v]) => new Matcher("=~", k, v)),
    ...rest,
  ];
  return all.sort(compareMatchers);
}

function parseRoute(o: Obj): RouteConfig {
  const match = parseMatch(o, "match");
  const matchRe = parseMatchRe(o, "match_re");
  const { lines, matchers } = parseMatcherLines(o, "matchers");
  const groupByStr = o.strList("group_by");
  let groupBy: string[] | undefined;
  let groupByAll = false;
  if (groupByStr !== undefined) {
    groupBy = [];
    for (const l of groupByStr) {
      if (l === "...") {
        groupByAll = true;
      } else {
        if (!isValidLabelName(l))
          fail(o.at("group_by"), `invalid label name ${JSON.stringify(l)} in group_by list`);
        groupBy.push(l);
      }
    }
    if (groupBy.length > 0 && groupByAll) {
      fail(
        o.at("group_by"),
        "cannot have wildcard group_by (`...`) and other labels at the same time",
      );
    }
    const seen = new Set<string>();
    for (const l of groupBy) {
      if (seen.has(l)) fail(o.at("group_by"), `duplicated label ${JSON.stringify(l)} in group_by`);
      seen.add(l);
    }
    if (groupByAll) groupBy = undefined;
  }
  const groupWaitMs = o.duration("group_wait");
  const groupIntervalMs = o.duration("group_interval");
  const repeatIntervalMs = o.duration("repeat_interval");
  if (groupIntervalMs === 0) fail(o.at("group_interval"), "group_interval cannot be zero");
  if (repeatIntervalMs === 0) fail(o.at("repeat_interval"), "repeat_interval cannot be zero");
  const receiver = o.optStr("receiver");
  const cont = o.bool("continue", false);
  const mute = o.strList("mute_time_intervals") ?? [];
  const active = o.strList("active_time_intervals") ?? [];
  const routes = o.list("routes").map(({ value, path }) => {
    if (value === null || value === undefined) return fail(path, "missing route");
    return parseRoute(objAt(value, path));
  });
  o.done("config.plain");
  return {
    ...(receiver !== undefined && receiver !== "" && { receiver }),
    ...(groupBy !== undefined && { groupBy }),
    groupByAll,
    matchers: combineMatchers(match, matchRe, matchers),
    match,
    matchRe,
    matcherLines: lines,
    muteTimeIntervals: mute,
    activeTimeIntervals: active,
    continue: cont,
    routes,
    ...(groupWaitMs !== undefined && { groupWaitMs }),
    ...(groupIntervalMs !== undefined && { groupIntervalMs }),
    ...(repeatIntervalMs !== undefined && { repeatIntervalMs }),
  };
}

function parseInhibitRule(o: Obj): InhibitRuleConfig {
  const name = o.str("name");
  const sm = parseMatch(o, "source_match");
  const smr = parseMatchRe(o, "source_match_re");
  const sms = parseMatcherLines(o, "source_matchers");
  const tm = parseMatch(o, "target_match");
  const tmr = parseMatchRe(o, "target_match_re");
  const tms = parseMatcherLines(o, "target_matchers");
  const equal = o.strList("equal") ?? [];
  for (const l of equal) {
    if (!isValidLabelName(l))
      fail(o.at("equal"), `invalid label name ${JSON.stringify(l)} in equal list`);
  }
  o.done("config.plain");
  // Inhibit rules keep the matchers in configuration order (NewInhibitRule does not sort).
  const keep = (
    m: Record<string, string>,
    re: Record<string, string>,
    rest: AmMatcher[],
  ): AmMatcher[] => [
    ...Object.entries(m).map(([k, v]) => new Matcher("=", k, v)),
    ...Object.entries(re).map(([k, v]) => new Matcher("=~", k, v)),
    ...rest,
  ];
  return {
    name,
    sourceMatchers: keep(sm, smr, sms.matchers),
    targetMatchers: keep(tm, tmr, tms.matchers),
    equal,
  };
}

function wrap<T>(path: Path, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Error && err.name === "AmConfigIssue") throw err;
    return fail(path, errText(err));
  }
}

function parseTimeIntervalItem(o: Obj): TimeInterval {
  const ti: TimeInterval = {};
  const times = o.list("times");
  if (o.has("times") || times.length > 0) {
    ti.times = times.map(({ value, path }) => {
      const t = objAt(value, path);
      const start = t.str("start_time");
      const end = t.str("end_time");
      t.done("timeinterval.yamlTimeRange");
      return wrap(path, () => parseTimeRange(start, end));
    });
  }
  const ranges = (key: string, parse: (v: unknown) => { begin: number; end: number }) => {
    const items = o.list(key);
    return items.map(({ value, path }) => wrap(path, () => parse(value)));
  };
  if (o.has("weekdays")) ti.weekdays = ranges("weekdays", parseWeekdayRange);
  if (o.has("days_of_month")) ti.daysOfMonth = ranges("days_of_month", parseDayOfMonthRange);
  if (o.has("months")) ti.months = ranges("months", parseMonthRange);
  if (o.has("years")) ti.years = ranges("years", parseYearRange);
  const loc = o.optStr("location");
  if (loc !== undefined) ti.location = wrap(o.at("location"), () => checkLocation(loc));
  o.done("timeinterval.TimeInterval");
  return ti;
}

function parseNamedIntervals(
  items: { value: unknown; path: Path }[],
  what: string,
): NamedTimeInterval[] {
  return items.map(({ value, path }) => {
    const o = objAt(value, path);
    const name = o.str("name");
    const timeIntervals = o
      .list("time_intervals")
      .map((t) => parseTimeIntervalItem(objAt(t.value, t.path)));
    o.done("config.plain");
    if (name === "") fail(path, `missing name in ${what}`);
    return { name, timeIntervals };
  });
}

function checkReceiver(r: RouteConfig, names: Set<string>, path: Path): void {
  r.routes.forEach((sr, i) => checkReceiver(sr, names, [...path, "routes", i]));
  if (r.receiver === undefined) return;
  if (!names.has(r.receiver)) {
    fail([...path, "receiver"], `undefined receiver ${JSON.stringify(r.receiver)} used in route`);
  }
}

function checkTimeIntervals(r: RouteConfig, names: Set<string>, path: Path): void {
  r.routes.forEach((sr, i) => checkTimeIntervals(sr, names, [...path, "routes", i]));
  for (const [key, list] of [
    ["active_time_intervals", r.activeTimeIntervals],
    ["mute_time_intervals", r.muteTimeIntervals],
  ] as const) {
    list.forEach((n, i) => {
      if (!names.has(n))
        fail([...path, key, i], `undefined time interval ${JSON.stringify(n)} used in route`);
    });
  }
}

/**
 * parseAmConfig reads a whole Alertmanager configuration. basePath prefixes the key paths of
 * errors (["alertmanager"] when inline in vigil.yml); baseDir anchors relative file paths.
 * Keys listed in extraKeys are ignored (Vigil's own keys beside an inline configuration).
 */
export function parseAmConfig(
  input: unknown,
  opts: { baseDir: string; basePath?: Path; extraKeys?: readonly string[]; file?: string },
): AmConfig {
  const basePath = opts.basePath ?? [];
  if (input === undefined || input === null) fail(basePath, "no route provided in config");
  const o = objAt(input, basePath);
  for (const k of opts.extraKeys ?? []) o.take(k);
  const global = parseGlobal(o.obj("global"), opts.baseDir);
  const routeObj = o.obj("route");
  const route = routeObj ? parseRoute(routeObj) : undefined;
  const inhibitRules = o
    .list("inhibit_rules")
    .map(({ value, path }) => parseInhibitRule(objAt(value, path)));
  const templates = (o.strList("templates") ?? []).map((t) =>
    isAbsolute(t) ? t : resolve(opts.baseDir, t),
  );
  const mute = parseNamedIntervals(o.list("mute_time_intervals"), "mute time interval");
  const timeIntervals = parseNamedIntervals(o.list("time_intervals"), "time interval");
  o.take("tracing");
  o.take("event_recorder");
  const receiverItems = o.list("receivers");
  o.done("config.plain");
  const receivers = parseReceivers(receiverItems, global, opts.baseDir);

  if (route === undefined) fail(basePath, "no route provided in config");
  const routePath = [...basePath, "route"];
  if (route.continue) fail([...routePath, "continue"], "cannot have continue in root route");
  if (route.receiver === undefined) fail(routePath, "root route must specify a default receiver");
  if (route.matchers.length > 0) fail(routePath, "root route must not have any matchers");
  if (route.muteTimeIntervals.length > 0)
    fail(routePath, "root route must not have any mute time intervals");
  if (route.activeTimeIntervals.length > 0) {
    fail(routePath, "root route must not have any active time intervals");
  }
  checkReceiver(route, new Set(receivers.map((r) => r.name)), routePath);
  const tiNames = new Set<string>();
  for (const [list, what, key] of [
    [mute, "mute time interval", "mute_time_intervals"],
    [timeIntervals, "time interval", "time_intervals"],
  ] as const) {
    list.forEach((t, i) => {
      if (tiNames.has(t.name))
        fail([...basePath, key, i, "name"], `${what} ${JSON.stringify(t.name)} is not unique`);
      tiNames.add(t.name);
    });
  }
  checkTimeIntervals(route, tiNames, routePath);

  return {
    global,
    route,
    inhibitRules,
    receivers,
    templates,
    timeIntervals: [...mute, ...timeIntervals],
    raw: o.value,
    ...(opts.file !== undefined && { file: opts.file }),
  };
}
