import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AlertmanagerTemplates } from "../../template/index.ts";
import { DEFAULT_TEMPLATES, NOTIFIER_FACTORIES } from "./index.ts";
import {
  ALERTS_URL,
  SUBJECT,
  TEXT_LIST,
  fixtureAlerts,
  fixtureContext,
  newTemplates,
} from "./test-helpers.ts";
import type { NotifyAlert } from "../notifier.ts";

/** Every template Alertmanager 0.33's default.tmpl and email.tmpl define. */
const ALERTMANAGER_NAMES = [
  "__alertmanager",
  "__alertmanagerURL",
  "__subject",
  "__description",
  "__text_alert_list",
  "__text_alert_list_markdown",
  ...["title", "username", "fallback", "callbackid", "pretext", "titlelink", "iconemoji"].map(
    (s) => `slack.default.${s}`,
  ),
  ...["iconurl", "text", "footer", "color"].map((s) => `slack.default.${s}`),
  ...["description", "client", "clientURL", "instances"].map((s) => `pagerduty.default.${s}`),
  ...["message", "description", "source"].map((s) => `opsgenie.default.${s}`),
  ...["message", "to_user", "to_party", "to_tag", "agent_id"].map((s) => `wechat.default.${s}`),
  ...["state_message", "entity_display_name", "monitoring_tool"].map(
    (s) => `victorops.default.${s}`,
  ),
  ...["title", "message", "url"].map((s) => `pushover.default.${s}`),
  "sns.default.subject",
  "sns.default.message",
  "telegram.default.message",
  ...["content", "title", "message"].map((s) => `discord.default.${s}`),
  "webex.default.message",
  ...["summary", "title", "text"].map((s) => `msteams.default.${s}`),
  "msteamsv2.default.title",
  "msteamsv2.default.text",
  ...["summary", "description", "priority"].map((s) => `jira.default.${s}`),
  ...["title", "alias", "titlelink", "emoji", "iconurl", "text"].map(
    (s) => `rocketchat.default.${s}`,
  ),
  ...["color", "username", "title", "titlelink", "fallback", "text"].map(
    (s) => `mattermost.default.${s}`,
  ),
  "email.default.subject",
  "email.default.html",
];

async function render(
  name: string,
  opts: { status?: "firing" | "resolved"; alerts?: NotifyAlert[]; extra?: string } = {},
): Promise<string> {
  const ctx = fixtureContext({
    status: opts.status,
    alerts: opts.alerts,
    templates: newTemplates(opts.extra),
  });
  return ctx.templates.executeTextString(`{{ template "${name}" . }}`, ctx.data);
}

describe("default templates", () => {
  it("define every template Alertmanager defines", () => {
    const t = newTemplates();
    for (const name of ALERTMANAGER_NAMES) assert.ok(t.lookup(name), name);
  });

  it("render the subject, links and lists", async () => {
    assert.equal(await render("__subject"), SUBJECT.firing);
    assert.equal(await render("__subject", { status: "resolved" }), SUBJECT.resolved);
    assert.equal(
      await render("__subject", { alerts: fixtureAlerts("firing").slice(0, 1) }),
      "[FIRING:1] HighLatency (api-1:8080 api critical)",
    );
    assert.equal(await render("__alertmanagerURL"), ALERTS_URL);
    assert.equal(await render("slack.default.fallback"), `${SUBJECT.firing} | ${ALERTS_URL}`);
  });

  it("render the plain-text bodies as Alertmanager does", async () => {
    const common = "p99 latency above 1s";
    assert.equal(
      await render("opsgenie.default.description"),
      `${common}\nAlerts Firing:\n${TEXT_LIST}\n`,
    );
    assert.equal(
      await render("pushover.default.message", { status: "resolved" }),
      `${common}\n\n\nAlerts Resolved:\n${TEXT_LIST}\n\n`,
    );
    assert.equal(
      await render("sns.default.message"),
      `${common}\n\nAlerts Firing:\n${TEXT_LIST}\n\n\n`,
    );
    assert.equal(
      await render("wechat.default.message"),
      `${SUBJECT.firing}\n${common}\nAlerts Firing:\n${TEXT_LIST}\n\nAlertmanagerUrl:\n${ALERTS_URL}`,
    );
    const mixed = [fixtureAlerts("firing")[0], fixtureAlerts("resolved")[1]];
    const second = TEXT_LIST.indexOf("Labels:", 1);
    const [firing, resolved] = [TEXT_LIST.slice(0, second), TEXT_LIST.slice(second)];
    assert.equal(
      await render("victorops.default.state_message", { alerts: mixed }),
      `${common}\nAlerts Firing:\n${firing}\nAlerts Resolved:\n${resolved}`,
    );
  });

  it("rank the Jira priority like Alertmanager", async () => {
    const withSeverity = (status: "firing" | "resolved", severity: string): NotifyAlert => {
      const a = fixtureAlerts(status)[0];
      return { ...a, labels: { ...a.labels, severity, instance: severity + status } };
    };
    const cases: [NotifyAlert[], string][] = [
      [[withSeverity("firing", "info"), withSeverity("firing", "warning")], "Medium"],
      [[withSeverity("firing", "warning"), withSeverity("firing", "critical")], "High"],
      [[withSeverity("firing", "info")], "Low"],
      [[withSeverity("firing", "none"), withSeverity("resolved", "critical")], "High"],
      [[withSeverity("firing", "info"), withSeverity("resolved", "critical")], "Low"],
      [[withSeverity("firing", "none")], ""],
    ];
    for (const [alerts, want] of cases) {
      assert.equal(await render("jira.default.priority", { alerts }), want);
    }
  });

  it("render Vigil's ntfy message", async () => {
    assert.equal(
      await render("ntfy.default.message", {
        alerts: [fixtureAlerts("firing")[0], fixtureAlerts("resolved")[1]],
      }),
      "🔥 HighLatency: p99 latency above 1s (instance=api-1:8080, job=api, severity=critical)\n" +
        "✅ HighLatency: p99 latency above 1s (instance=api-2:8080, job=api, severity=critical)",
    );
    assert.equal(await render("ntfy.default.title"), SUBJECT.firing);
  });

  it("can be redefined by user templates", async () => {
    const extra =
      '{{ define "__alertmanager" }}Vigil{{ end }}{{ define "slack.default.title" }}{{ .Status }}!{{ end }}';
    assert.equal(await render("slack.default.username", { extra }), "Vigil");
    assert.equal(await render("slack.default.title", { extra }), "firing!");
    assert.equal(await render("pagerduty.default.description", { extra }), SUBJECT.firing);
  });

  it("are exported in parsing order and parse", () => {
    const t = new AlertmanagerTemplates({ externalURL: "http://x" });
    for (const text of DEFAULT_TEMPLATES) t.parse(text);
    assert.ok(t.lookup("email.default.html"));
    assert.ok(t.lookup("ntfy.default.message"));
  });

  it("come with a factory for each implemented integration", () => {
    assert.deepEqual(Object.keys(NOTIFIER_FACTORIES).sort(), [
      "discord",
      "email",
      "mattermost",
      "msteams",
      "msteamsv2",
      "ntfy",
      "opsgenie",
      "pagerduty",
      "slack",
      "telegram",
      "victorops",
      "webhook",
    ]);
  });
});
