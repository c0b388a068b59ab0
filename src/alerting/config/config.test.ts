import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, parseConfig } from "../../config/index.ts";
import { Route } from "../route.ts";
import { amConfigToYaml, parseAmConfigText } from "./load.ts";

const RECEIVERS = `receivers:
  - name: default
`;

/** Invalid configurations and the error each must give (file:line:column: key: reason). */
const invalid: { name: string; yaml: string; error: string }[] = [
  { name: "no route", yaml: RECEIVERS, error: "am.yml:1:1: no route provided in config" },
  {
    name: "root without receiver",
    yaml: `route:\n  group_by: [a]\n${RECEIVERS}`,
    error: "am.yml:2:3: route: root route must specify a default receiver",
  },
  {
    name: "continue at the root",
    yaml: `route:\n  receiver: default\n  continue: true\n${RECEIVERS}`,
    error: "am.yml:3:13: route.continue: cannot have continue in root route",
  },
  {
    name: "matchers at the root",
    yaml: `route:\n  receiver: default\n  matchers: [a="b"]\n${RECEIVERS}`,
    error: "am.yml:2:3: route: root route must not have any matchers",
  },
  {
    name: "undefined receiver",
    yaml: `route:\n  receiver: default\n  routes:\n    - receiver: nope\n${RECEIVERS}`,
    error: 'am.yml:4:17: route.routes[0].receiver: undefined receiver "nope" used in route',
  },
  {
    name: "unknown key",
    yaml: `route:\n  receiver: default\n  recevier: x\n${RECEIVERS}`,
    error: "am.yml:3:3: route.recevier: field recevier not found in type config.plain",
  },
  {
    name: "bad matcher line",
    yaml: `route:\n  receiver: default\n  routes:\n    - matchers: ['a=~"("']\n${RECEIVERS}`,
    error: "am.yml:4:18: route.routes[0].matchers[0]: error parsing regexp: missing closing ): `(`",
  },
  {
    name: "group_by ... with labels",
    yaml: `route:\n  receiver: default\n  group_by: ['...', a]\n${RECEIVERS}`,
    error:
      "am.yml:3:13: route.group_by: cannot have wildcard group_by (`...`) and other labels at the same time",
  },
  {
    name: "duplicate group_by",
    yaml: `route:\n  receiver: default\n  group_by: [a, a]\n${RECEIVERS}`,
    error: 'am.yml:3:13: route.group_by: duplicated label "a" in group_by',
  },
  {
    name: "zero group_interval",
    yaml: `route:\n  receiver: default\n  group_interval: 0s\n${RECEIVERS}`,
    error: "am.yml:3:19: route.group_interval: group_interval cannot be zero",
  },
  {
    name: "bad duration",
    yaml: `route:\n  receiver: default\n  group_wait: 5 minutes\n${RECEIVERS}`,
    error: 'am.yml:3:15: route.group_wait: not a valid duration string: "5 minutes"',
  },
  {
    name: "undefined time interval",
    yaml: `route:\n  receiver: default\n  routes:\n    - receiver: default\n      mute_time_intervals: [nights]\n${RECEIVERS}`,
    error:
      'am.yml:5:29: route.routes[0].mute_time_intervals[0]: undefined time interval "nights" used in route',
  },
  {
    name: "duplicate receiver",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n  - name: default\n`,
    error: 'am.yml:5:11: receivers[1].name: notification config name "default" is not unique',
  },
  {
    name: "webhook without url",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    webhook_configs:\n      - send_resolved: true\n`,
    error: "am.yml:6:9: receivers[0].webhook_configs[0]: one of url or url_file must be configured",
  },
  {
    name: "webhook with a bad URL scheme",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    webhook_configs:\n      - url: ftp://x/y\n`,
    error: 'am.yml:6:14: receivers[0].webhook_configs[0].url: unsupported scheme "ftp" for URL',
  },
  {
    name: "slack without any URL",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    slack_configs:\n      - channel: '#a'\n`,
    error:
      "receivers[0].slack_configs[0]: no Slack API URL nor App token set either inline or in a file",
  },
  {
    name: "email without smarthost",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    email_configs:\n      - to: a@b.c\n`,
    error: "receivers[0].email_configs[0]: no global SMTP smarthost set",
  },
  {
    name: "pagerduty without key",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    pagerduty_configs:\n      - severity: x\n`,
    error: "missing service or routing key in PagerDuty config",
  },
  {
    name: "opsgenie without key",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    opsgenie_configs:\n      - message: x\n`,
    error: "no global OpsGenie API Key set either inline or in a file",
  },
  {
    name: "victorops without routing key",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    victorops_configs:\n      - api_key: k\n`,
    error: "missing Routing key in VictorOps config",
  },
  {
    name: "telegram without chat",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    telegram_configs:\n      - bot_token: t\n`,
    error: "missing chat_id or chat_id_file on telegram_config",
  },
  {
    name: "discord without webhook",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    discord_configs:\n      - title: t\n`,
    error: "one of webhook_url or webhook_url_file must be configured",
  },
  {
    name: "msteams with both url forms",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    msteams_configs:\n      - webhook_url: http://x/\n        webhook_url_file: /f\n`,
    error: "at most one of webhook_url & webhook_url_file must be configured",
  },
  {
    name: "mattermost without webhook",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    mattermost_configs:\n      - channel: c\n`,
    error: "missing webhook_url or webhook_url_file on mattermost_config",
  },
  {
    name: "ntfy without topic",
    yaml: `route:\n  receiver: default\nreceivers:\n  - name: default\n    ntfy_configs:\n      - url: https://ntfy.example/\n`,
    error: "missing topic in ntfy config",
  },
  {
    name: "inhibit rule with bad equal",
    yaml: `route:\n  receiver: default\n${RECEIVERS}inhibit_rules:\n  - source_matchers: [a=b]\n    equal: ['']\n`,
    error: 'inhibit_rules[0].equal: invalid label name "" in equal list',
  },
  {
    name: "bad weekday",
    yaml: `route:\n  receiver: default\n${RECEIVERS}time_intervals:\n  - name: x\n    time_intervals:\n      - weekdays: [funday]\n`,
    error:
      "am.yml:8:20: time_intervals[0].time_intervals[0].weekdays[0]: funday is not a valid weekday",
  },
  {
    name: "bad time zone",
    yaml: `route:\n  receiver: default\n${RECEIVERS}time_intervals:\n  - name: x\n    time_intervals:\n      - location: Mars/Olympus\n`,
    error: "unknown time zone Mars/Olympus",
  },
  {
    name: "start after end time",
    yaml: `route:\n  receiver: default\n${RECEIVERS}time_intervals:\n  - name: x\n    time_intervals:\n      - times: [{start_time: '18:00', end_time: '09:00'}]\n`,
    error: "start time cannot be equal or greater than end time",
  },
  {
    name: "YAML syntax error",
    yaml: `route:\n  receiver: default\n  bad: [\n`,
    error: "am.yml:4:1: ",
  },
];

void test("invalid Alertmanager configurations are refused with file:line and reason", () => {
  for (const c of invalid) {
    assert.throws(
      () => parseAmConfigText(c.yaml, "am.yml"),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, c.name);
        assert.ok(err.message.includes(c.error), `${c.name}: got ${err.message}, want ${c.error}`);
        return true;
      },
      c.name,
    );
  }
});

const FULL = `global:
  resolve_timeout: 2m
  smtp_smarthost: smtp.example.org:587
  smtp_from: alerts@example.org
  slack_api_url: https://hooks.slack.com/services/T/B/X
  opsgenie_api_key: og-key
  victorops_api_key: vo-key
  telegram_bot_token: tg-token
  http_config:
    basic_auth: {username: u, password: p}
templates: ['templates/*.tmpl']
route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 3h
  routes:
    - matchers: ['severity="critical"', 'env=~"prod|staging"']
      receiver: pager
      continue: true
    - match: {team: db}
      match_re: {service: "^(mysql|pg)$"}
      receiver: db
      group_by: ['...']
      mute_time_intervals: [nights]
      active_time_intervals: [weekdays]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
  - source_match: {a: b}
    target_match_re: {c: "d.*"}
time_intervals:
  - name: weekdays
    time_intervals:
      - weekdays: ['monday:friday']
        times: [{start_time: '09:00', end_time: '17:00'}]
        location: Europe/Paris
mute_time_intervals:
  - name: nights
    time_intervals:
      - times: [{start_time: '00:00', end_time: '06:00'}]
receivers:
  - name: default
    webhook_configs:
      - url: http://127.0.0.1:5001/hook
        max_alerts: 10
        timeout: 5s
  - name: pager
    pagerduty_configs: [{routing_key: rk}]
    opsgenie_configs: [{responders: [{name: ops, type: Team}]}]
    victorops_configs: [{routing_key: db}]
  - name: db
    slack_configs: [{channel: '#db', send_resolved: true}]
    email_configs: [{to: db@example.org}]
    telegram_configs: [{chat_id: -1001234567890123}]
    discord_configs: [{webhook_url: https://discord.example/api/webhooks/1/x}]
    msteams_configs: [{webhook_url: https://teams.example/x}]
    msteamsv2_configs: [{webhook_url: https://teams.example/y}]
    mattermost_configs: [{webhook_url: https://mm.example/hooks/x}]
    ntfy_configs: [{topic: db-alerts}]
    pushover_configs: [{user_key: u, token: t}]
`;

void test("a full configuration loads with defaults and globals applied", () => {
  const cfg = parseAmConfigText(FULL, "/etc/vigil/am.yml");
  assert.equal(cfg.global.resolveTimeoutMs, 120_000);
  assert.deepEqual(cfg.templates, ["/etc/vigil/templates/*.tmpl"]);
  const [def, pager, db] = cfg.receivers;
  assert.deepEqual(def.labels, { name: "default" });
  const wh = def.integrations.webhook[0];
  assert.equal(wh.url, "http://127.0.0.1:5001/hook");
  assert.equal(wh.maxAlerts, 10);
  assert.equal(wh.timeoutMs, 5000);
  assert.equal(wh.sendResolved, true);
  assert.equal(wh.httpConfig.basicAuth?.username, "u", "global http_config applies");
  assert.equal(pager.integrations.pagerduty[0].url, "https://events.pagerduty.com/v2/enqueue");
  assert.equal(pager.integrations.opsgenie[0].apiKey, "og-key");
  assert.equal(pager.integrations.opsgenie[0].responders[0].type, "team");
  assert.equal(pager.integrations.victorops[0].apiKey, "vo-key");
  const slack = db.integrations.slack[0];
  assert.equal(slack.apiUrl, "https://hooks.slack.com/services/T/B/X");
  assert.equal(slack.sendResolved, true);
  assert.equal(slack.title, '{{ template "slack.default.title" . }}');
  const email = db.integrations.email[0];
  assert.deepEqual(email.smarthost, { host: "smtp.example.org", port: "587" });
  assert.equal(email.from, "alerts@example.org");
  assert.equal(email.sendResolved, false);
  assert.equal(db.integrations.telegram[0].chatId, -1001234567890123n);
  assert.equal(db.integrations.telegram[0].botToken, "tg-token");
  assert.equal(db.integrations.ntfy[0].url, "https://ntfy.sh");
  assert.equal(db.integrations.pushover.length, 1);
  // The routing tree: inheritance, sorted matchers, group_by '...'.
  const root = Route.build(cfg.route);
  const [crit, dbr] = root.routes;
  assert.equal(crit.key(), '{}/{env=~"prod|staging",severity="critical"}');
  assert.equal(crit.opts.groupWaitMs, 10_000);
  assert.deepEqual([...crit.opts.groupBy], ["alertname", "cluster"]);
  assert.equal(dbr.opts.groupByAll, true);
  assert.equal(dbr.key(), '{}/{service=~"^(mysql|pg)$",team="db"}');
  assert.deepEqual(dbr.opts.muteTimeIntervals, ["nights"]);
  assert.equal(cfg.timeIntervals.length, 2);
  assert.equal(cfg.inhibitRules[0].equal[0], "alertname");
  // Printing masks secrets.
  const yaml = amConfigToYaml(cfg);
  assert.ok(!yaml.includes("og-key") && !yaml.includes("hooks.slack.com"), yaml);
  assert.ok(yaml.includes("routing_key: <secret>"));
});

void test("vigil.yml takes the configuration inline or from config_file", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-amcfg-"));
  const inline = parseConfig(
    `alertmanager:\n  route:\n    receiver: team-a\n  receivers:\n    - name: team-a\n  team_routing:\n    channel_label: chan\n`,
    join(dir, "vigil.yml"),
  );
  assert.equal(inline.alertmanager.config?.route.receiver, "team-a");
  assert.equal(inline.alertmanager.teamRouting.channelLabel, "chan");
  assert.throws(
    () =>
      parseConfig(
        `alertmanager:\n  route:\n    receiver: nope\n  receivers:\n    - name: a\n`,
        join(dir, "vigil.yml"),
      ),
    /vigil\.yml:3:15: alertmanager\.route\.receiver: undefined receiver "nope" used in route/,
  );
  writeFileSync(join(dir, "am.yml"), `route:\n  receiver: x\nreceivers:\n  - name: x\n`);
  const file = parseConfig(`alertmanager:\n  config_file: am.yml\n`, join(dir, "vigil.yml"));
  assert.equal(file.alertmanager.configFile, join(dir, "am.yml"));
  assert.equal(file.alertmanager.config?.receivers[0].name, "x");
  writeFileSync(join(dir, "bad.yml"), `route:\n  receiver: x\nreceivers:\n  - name: y\n`);
  assert.throws(
    () => parseConfig(`alertmanager:\n  config_file: bad.yml\n`, join(dir, "vigil.yml")),
    /alertmanager\.config_file: .*bad\.yml:2:13: route\.receiver: undefined receiver "x" used in route/,
  );
  assert.throws(
    () =>
      parseConfig(
        `alertmanager:\n  config_file: am.yml\n  route: {receiver: x}\n`,
        join(dir, "vigil.yml"),
      ),
    /route cannot be set together with config_file/,
  );
});
