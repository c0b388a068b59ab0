// Vigil's default team routing: the platform convention that an alert belongs to the team in
// its `team` label and is announced in the chat channel of its `slack_channel` label. It is a
// transformation of the routing tree and of the receiver list, applied when the configuration
// is loaded, so that routing, grouping, silences, the API and `vigil test routes` all see the
// same tree. docs/alerting.md describes it for users.
//
// The transformation appends fallback children to the root route, after the user's routes:
//
//   1. for every receiver R (in configuration order):
//        { receiver: R, matchers: [team="R"], continue: true }
//   2. when a channel receiver exists (see below):
//        { receiver: <channel receiver>, matchers: [slack_channel=~".+"],
//          group_by: <root's group_by> + slack_channel }
//
// Fallback children are only considered when none of the user's root-level routes matched
// the alert (a matching `continue: true` route counts as a match), so an explicit route always
// wins. The team child continues so that an alert with both labels reaches its team and its
// channel. When nothing matches, the root's receiver gets the alert, as before.
//
// The channel receiver is the receiver named by team_routing.channel_receiver
// ("vigil-slack-channel") when the configuration defines it, whatever its integrations.
// Otherwise, when global.slack_api_url(_file) or global.slack_app_token(_file) is set, Vigil
// adds a receiver of that name with one slack_config whose channel is
// `{{ .GroupLabels.slack_channel }}`; without either, there is no channel route.
import { AmMatcher } from "./matchers.ts";
import type { AmConfig, RouteConfig, TeamRoutingConfig } from "./config/types.ts";
import type { IntegrationConfigs, ReceiverConfig, SlackConfig } from "./receivers-config.ts";
import { INTEGRATION_NAMES } from "./receivers-config.ts";

function emptyIntegrations(): IntegrationConfigs {
  const out = {} as Record<string, unknown[]>;
  for (const n of INTEGRATION_NAMES) out[n] = [];
  return out as unknown as IntegrationConfigs;
}

function fallbackRoute(
  receiver: string,
  matcher: AmMatcher,
  extra: Partial<RouteConfig>,
): RouteConfig {
  return {
    receiver,
    groupByAll: false,
    matchers: [matcher],
    match: {},
    matchRe: {},
    matcherLines: [matcher.toString()],
    muteTimeIntervals: [],
    activeTimeIntervals: [],
    continue: false,
    routes: [],
    fallback: true,
    ...extra,
  };
}

/** channelSlackConfig builds the Slack integration of the synthesized channel receiver. */
function channelSlackConfig(cfg: AmConfig, channelLabel: string): SlackConfig | undefined {
  const g = cfg.global;
  const hasToken = g.slackAppToken !== "" || g.slackAppTokenFile !== undefined;
  if (!hasToken && g.slackApiUrl === undefined && g.slackApiUrlFile === undefined) return undefined;
  const tmpl = (n: string): string => `{{ template "slack.default.${n}" . }}`;
  const http = { ...g.httpConfig, httpHeaders: { ...g.httpConfig.httpHeaders } };
  if (hasToken) {
    http.authorization = {
      type: "Bearer",
      ...(g.slackAppToken !== "" && { credentials: g.slackAppToken }),
      ...(g.slackAppTokenFile !== undefined && { credentialsFile: g.slackAppTokenFile }),
    };
  }
  const apiUrl = hasToken ? g.slackAppUrl : g.slackApiUrl;
  return {
    sendResolved: true,
    httpConfig: http,
    ...(apiUrl !== undefined && { apiUrl }),
    ...(!hasToken && g.slackApiUrlFile !== undefined && { apiUrlFile: g.slackApiUrlFile }),
    appToken: g.slackAppToken,
    ...(g.slackAppTokenFile !== undefined && { appTokenFile: g.slackAppTokenFile }),
    appUrl: g.slackAppUrl,
    channel: `{{ .GroupLabels.${channelLabel} }}`,
    username: tmpl("username"),
    color: tmpl("color"),
    title: tmpl("title"),
    titleLink: tmpl("titlelink"),
    pretext: tmpl("pretext"),
    text: tmpl("text"),
    messageText: "",
    fields: [],
    shortFields: false,
    footer: tmpl("footer"),
    fallback: tmpl("fallback"),
    callbackId: tmpl("callbackid"),
    iconEmoji: tmpl("iconemoji"),
    iconUrl: tmpl("iconurl"),
    imageUrl: "",
    thumbUrl: "",
    linkNames: false,
    mrkdwnIn: [],
    actions: [],
    updateMessage: false,
    timeoutMs: 0,
  };
}

/**
 * applyTeamRouting returns the configuration with the team routing children appended to the
 * root route (and the channel receiver added when synthesized). It does not modify cfg. With
 * tr.enabled false it returns cfg unchanged.
 */
export function applyTeamRouting(cfg: AmConfig, tr: TeamRoutingConfig): AmConfig {
  if (!tr.enabled) return cfg;
  const receivers: ReceiverConfig[] = [...cfg.receivers];
  const children: RouteConfig[] = [];
  for (const r of cfg.receivers) {
    if (r.name === tr.channelReceiver) continue;
    children.push(
      fallbackRoute(r.name, new AmMatcher("=", tr.teamLabel, r.name), { continue: true }),
    );
  }
  let channel = cfg.receivers.find((r) => r.name === tr.channelReceiver);
  if (channel === undefined) {
    const slack = channelSlackConfig(cfg, tr.channelLabel);
    if (slack !== undefined) {
      const integrations = emptyIntegrations();
      integrations.slack.push(slack);
      channel = { name: tr.channelReceiver, labels: { name: tr.channelReceiver }, integrations };
      receivers.push(channel);
    }
  }
  if (channel !== undefined) {
    const root = cfg.route;
    const groupBy = root.groupByAll
      ? undefined
      : [...new Set([...(root.groupBy ?? []), tr.channelLabel])];
    children.push(
      fallbackRoute(channel.name, new AmMatcher("=~", tr.channelLabel, ".+"), {
        ...(groupBy !== undefined && { groupBy }),
        groupByAll: root.groupByAll,
      }),
    );
  }
  return { ...cfg, receivers, route: { ...cfg.route, routes: [...cfg.route.routes, ...children] } };
}
