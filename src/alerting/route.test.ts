import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAmConfigText } from "./config/load.ts";
import { DEFAULT_TEAM_ROUTING } from "./config/types.ts";
import { Route, groupLabelsFor } from "./route.ts";
import { applyTeamRouting } from "./team-routing.ts";

const TREE = `
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity=~"critical|page"']
      receiver: pager
      continue: true
    - match: {team: db}
      receiver: db
      group_by: [instance]
      routes:
        - matchers: [env="prod"]
          receiver: db-prod
          group_wait: 1m
    - receiver: web
      matchers: ['service=~"web.*"', 'env!="dev"']
      continue: true
    - receiver: catchall-web
      matchers: ['service=~"web.*"']
receivers:
  - name: default
  - name: pager
  - name: db
  - name: db-prod
  - name: web
  - name: catchall-web
  - name: payments
`;

/** Routing cases: labels → receivers in amtool's order. */
const cases: { labels: Record<string, string>; want: string; teamRouting?: string }[] = [
  { labels: { severity: "critical", team: "db", env: "prod" }, want: "pager,db-prod" },
  { labels: { team: "db" }, want: "db" },
  { labels: { team: "db", env: "dev" }, want: "db" },
  { labels: { service: "web1" }, want: "web,catchall-web" },
  { labels: { service: "web1", env: "dev" }, want: "catchall-web" },
  { labels: { foo: "bar" }, want: "default" },
  { labels: { severity: "page" }, want: "pager" },
  // Team routing only acts where no user route matched.
  { labels: { team: "payments" }, want: "default", teamRouting: "payments" },
  { labels: { team: "payments", severity: "page" }, want: "pager", teamRouting: "pager" },
  { labels: { team: "unknown-team" }, want: "default", teamRouting: "default" },
  { labels: { team: "db" }, want: "db", teamRouting: "db" },
];

void test("routing tree: first match, continue, nesting, fallback to the parent", () => {
  const cfg = parseAmConfigText(TREE, "am.yml");
  const plain = Route.build(cfg.route);
  const team = Route.build(applyTeamRouting(cfg, DEFAULT_TEAM_ROUTING).route);
  for (const c of cases) {
    const got = plain
      .match(c.labels)
      .map((r) => r.opts.receiver)
      .join(",");
    assert.equal(got, c.want, JSON.stringify(c.labels));
    const withTeams = team
      .match(c.labels)
      .map((r) => r.opts.receiver)
      .join(",");
    assert.equal(withTeams, c.teamRouting ?? c.want, `team routing: ${JSON.stringify(c.labels)}`);
  }
});

void test("route options are inherited and group keys name the path", () => {
  const root = Route.build(parseAmConfigText(TREE, "am.yml").route);
  const [dbProd] = root.match({ team: "db", env: "prod" });
  assert.equal(dbProd.opts.groupWaitMs, 60_000);
  assert.equal(dbProd.opts.groupIntervalMs, 300_000, "default group_interval");
  assert.deepEqual([...dbProd.opts.groupBy], ["instance"], "inherited from the db route");
  assert.equal(dbProd.key(), '{}/{team="db"}/{env="prod"}');
  assert.equal(dbProd.id(), '{}/{team="db"}/1/{env="prod"}/0');
  assert.deepEqual(groupLabelsFor({ team: "db", env: "prod", instance: "h1" }, dbProd), {
    instance: "h1",
  });
  assert.equal(root.idx, 5, "post-order index of the root");
});

void test("team routing sends to the team and to the label's chat channel", () => {
  const cfg = parseAmConfigText(
    `global:\n  slack_api_url: https://hooks.slack.com/services/A/B/C\nroute:\n  receiver: default\n  group_by: [alertname]\nreceivers:\n  - name: default\n  - name: payments\n`,
    "am.yml",
  );
  const out = applyTeamRouting(cfg, DEFAULT_TEAM_ROUTING);
  const channel = out.receivers.find((r) => r.name === "vigil-slack-channel");
  assert.ok(channel, "channel receiver synthesized from global.slack_api_url");
  assert.equal(channel.integrations.slack[0].channel, "{{ .GroupLabels.slack_channel }}");
  const root = Route.build(out.route);
  const rcv = (ls: Record<string, string>): string =>
    root
      .match(ls)
      .map((r) => r.opts.receiver)
      .join(",");
  assert.equal(rcv({ team: "payments", slack_channel: "#pay" }), "payments,vigil-slack-channel");
  assert.equal(rcv({ team: "nobody", slack_channel: "#x" }), "vigil-slack-channel");
  assert.equal(rcv({ team: "payments" }), "payments");
  const [chan] = root.match({ slack_channel: "#x", alertname: "A" });
  assert.deepEqual(groupLabelsFor({ slack_channel: "#x", alertname: "A", i: "1" }, chan), {
    alertname: "A",
    slack_channel: "#x",
  });
  // Without Slack settings there is no channel route; disabled team routing changes nothing.
  const noSlack = parseAmConfigText(
    `route:\n  receiver: default\nreceivers:\n  - name: default\n`,
    "am.yml",
  );
  assert.equal(applyTeamRouting(noSlack, DEFAULT_TEAM_ROUTING).receivers.length, 1);
  assert.equal(applyTeamRouting(cfg, { ...DEFAULT_TEAM_ROUTING, enabled: false }), cfg);
});
