// Interop with the real peers (skipped when ../shared/peers/get-peers.sh cannot provide them):
// - `vigil test routes` and `amtool config routes test` agree on routing trees of our own, and
//   `amtool check-config` agrees with Vigil on which configurations are valid;
// - amtool 0.33 against Vigil: alert add/query, silence add/query/expire, config routes;
// - prometheus 3.5 with Vigil as its Alertmanager: a rule fires, the alert is routed through
//   Vigil's pipeline and a webhook capture server receives the notification.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import { App } from "../app/index.ts";
import { main } from "../cli/main.ts";
import { freePort, peerPath, startPeer, waitFor } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { parseAmConfigText } from "./config/load.ts";

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "vigil-am-interop-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const amtool = peerPath("amtool");
const prometheus = peerPath("prometheus");

async function vigilRoutes(args: string[]): Promise<string> {
  let out = "";
  let err = "";
  const code = await main(["test", "routes", ...args], {
    out: (s) => (out += s),
    err: (s) => (err += s),
  });
  return code === 0 ? out : `exit ${code}: ${out}${err}`;
}

async function amtoolRoutes(file: string, labels: string[]): Promise<string> {
  try {
    const { stdout } = await run(amtool!, [
      "config",
      "routes",
      "test",
      `--config.file=${file}`,
      ...labels,
    ]);
    return stdout;
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return `exit ${e.code}: ${e.stdout}`;
  }
}

/** Routing trees of our own and label sets to route through each. */
const TREES: { name: string; yaml: string; labels: string[][] }[] = [
  {
    name: "continue, nesting, regex and negative matchers",
    yaml: `route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity=~"critical|page"']
      receiver: pager
      continue: true
    - match: {team: db}
      receiver: db
      routes:
        - matchers: [env="prod"]
          receiver: db-prod
        - matchers: ['env=~"stag.*"']
          receiver: db-staging
          continue: true
        - matchers: [region="eu"]
          receiver: db-eu
    - receiver: web
      matchers: ['service=~"web.*"', 'env!="dev"']
      continue: true
    - receiver: catchall
      matchers: ['service!~"^$"']
receivers: [{name: default}, {name: pager}, {name: db}, {name: db-prod}, {name: db-staging}, {name: db-eu}, {name: web}, {name: catchall}]
`,
    labels: [
      ["severity=critical", "team=db", "env=prod"],
      ["team=db"],
      ["team=db", "env=staging", "region=eu"],
      ["team=db", "env=staging"],
      ["service=web1"],
      ["service=web1", "env=dev"],
      ["severity=page", "service=webx"],
      ["foo=bar"],
      ["service=api"],
      ['alertname="Quoted Name"', "severity=page"],
    ],
  },
  {
    name: "deprecated match_re, same receiver twice, deep continue",
    yaml: `route:
  receiver: root
  routes:
    - match_re: {env: "prod|production"}
      receiver: prod
      continue: true
      routes:
        - match: {severity: critical}
          receiver: oncall
          continue: true
        - match: {severity: critical}
          receiver: oncall
    - match_re: {service: ".*"}
      receiver: everything
    - matchers: [never="matched"]
      receiver: never
receivers: [{name: root}, {name: prod}, {name: oncall}, {name: everything}, {name: never}]
`,
    labels: [
      ["env=prod", "severity=critical"],
      ["env=production"],
      ["env=dev"],
      ["env=prod", "service=x"],
      ["never=matched"],
      [],
    ],
  },
  {
    name: "team routing configuration (no team label in the test sets)",
    yaml: `route:
  receiver: fallback
  routes:
    - matchers: [alertname="Watchdog"]
      receiver: deadmans-switch
receivers: [{name: fallback}, {name: deadmans-switch}, {name: payments}, {name: search}]
`,
    labels: [["alertname=Watchdog"], ["alertname=Other"], ["service=payments"]],
  },
];

describe(
  "vigil test routes vs amtool config routes test",
  { skip: amtool ? false : "amtool not available" },
  () => {
    for (const tree of TREES) {
      test(tree.name, async () => {
        const file = join(tmp, `routes-${TREES.indexOf(tree)}.yml`);
        writeFileSync(file, tree.yaml);
        for (const labels of tree.labels) {
          const want = await amtoolRoutes(file, labels);
          assert.equal(await vigilRoutes(["--config", file, ...labels]), want, labels.join(" "));
          assert.equal(await vigilRoutes(["--no-team-routing", "--config", file, ...labels]), want);
        }
      });
    }

    test("a vigil.yml gives the same answer as the alertmanager.yml it names", async () => {
      const am = join(tmp, "routes-0.yml");
      const vigil = join(tmp, "vigil-routes.yml");
      writeFileSync(vigil, `alertmanager:\n  config_file: routes-0.yml\n  team_routing: false\n`);
      const labels = ["team=db", "env=prod"];
      assert.equal(
        await vigilRoutes(["--config", vigil, ...labels]),
        await amtoolRoutes(am, labels),
      );
    });

    test("team routing is where Vigil answers differently, on purpose", async () => {
      const file = join(tmp, "routes-2.yml");
      assert.equal(await amtoolRoutes(file, ["team=payments"]), "fallback\n");
      assert.equal(await vigilRoutes(["--config", file, "team=payments"]), "payments\n");
      assert.equal(
        await vigilRoutes(["--no-team-routing", "--config", file, "team=payments"]),
        "fallback\n",
      );
    });

    test("amtool check-config and Vigil agree on valid and invalid configurations", async () => {
      const configs = [
        TREES[0].yaml,
        `route:\n  receiver: nope\nreceivers: [{name: a}]\n`,
        `route:\n  receiver: a\n  continue: true\nreceivers: [{name: a}]\n`,
        `route:\n  receiver: a\n  group_by: ['...', x]\nreceivers: [{name: a}]\n`,
        `route:\n  receiver: a\nreceivers: [{name: a, webhook_configs: [{send_resolved: true}]}]\n`,
        `route:\n  receiver: a\nreceivers: [{name: a, slack_configs: [{channel: x}]}]\n`,
        `global: {slack_api_url: "https://hooks.slack.com/x"}\nroute:\n  receiver: a\nreceivers: [{name: a, slack_configs: [{channel: x}]}]\n`,
        `route:\n  receiver: a\n  routes: [{receiver: a, mute_time_intervals: [x]}]\nreceivers: [{name: a}]\n`,
        `route:\n  receiver: a\nreceivers: [{name: a}, {name: a}]\n`,
        `route:\n  receiver: a\n  routes: [{matchers: ['a=~"("'], receiver: a}]\nreceivers: [{name: a}]\n`,
        `route:\n  receiver: a\ntime_intervals: [{name: t, time_intervals: [{weekdays: ['friday:monday']}]}]\nreceivers: [{name: a}]\n`,
        `route:\n  receiver: a\ninhibit_rules: [{source_matchers: [a=b], target_matchers: [c=d], equal: [x]}]\nreceivers: [{name: a, email_configs: [{to: x@y, smarthost: 'h:25', from: a@b}]}]\n`,
        `route:\n  receiver: a\n  unknown_key: 1\nreceivers: [{name: a}]\n`,
      ];
      for (const [i, text] of configs.entries()) {
        const file = join(tmp, `check-${i}.yml`);
        writeFileSync(file, text);
        let amOk = true;
        try {
          await run(amtool!, ["check-config", file]);
        } catch {
          amOk = false;
        }
        let vigilOk = true;
        try {
          parseAmConfigText(text, file);
        } catch {
          vigilOk = false;
        }
        assert.equal(vigilOk, amOk, `config ${i}:\n${text}`);
      }
    });
  },
);

/** startVigil runs Vigil with an alertmanager section on a free port. */
async function startVigil(amYaml: string): Promise<App> {
  const dir = mkdtempSync(join(tmp, "vigil-"));
  writeFileSync(join(dir, "am.yml"), amYaml);
  const cfg = join(dir, "vigil.yml");
  writeFileSync(
    cfg,
    `storage:\n  engine: memory\nrules:\n  watchdog: false\nalertmanager:\n  config_file: am.yml\n`,
  );
  const app = new App({
    configFile: cfg,
    overrides: { listen: "127.0.0.1:0" },
    logger: silentLogger(),
  });
  await app.start();
  return app;
}

describe("amtool 0.33 against Vigil", { skip: amtool ? false : "amtool not available" }, () => {
  test("alert add/query, silence add/query/expire, config routes", async () => {
    const app = await startVigil(`global:
  slack_api_url: https://hooks.slack.com/services/T/B/secret
  http_config: {basic_auth: {username: u, password: secret}}
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: [team="db"]
      receiver: db
      mute_time_intervals: [never]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
time_intervals:
  - name: never
    time_intervals: [{years: ['1999']}]
receivers:
  - name: default
    slack_configs: [{channel: '#alerts'}]
    ntfy_configs: [{topic: vigil}]
  - name: db
    webhook_configs: [{url: "http://127.0.0.1:9/hook"}]
    pagerduty_configs: [{routing_key: rk-secret}]
`);
    try {
      const url = `--alertmanager.url=${app.address}`;
      const am = async (...args: string[]): Promise<string> =>
        (await run(amtool!, [url, ...args])).stdout;
      await am(
        "alert",
        "add",
        "alertname=DiskFull",
        "team=db",
        "severity=warning",
        "--annotation=summary=Disk is full",
      );
      await am("alert", "add", "alertname=CpuHigh", "severity=critical");
      const alerts = await am("alert", "query");
      assert.match(alerts, /DiskFull/);
      assert.match(alerts, /CpuHigh/);
      assert.match(alerts, /Disk is full/);
      const only = await am("alert", "query", "alertname=DiskFull", "-o", "json");
      const parsed = JSON.parse(only) as {
        labels: Record<string, string>;
        receivers: { name: string }[];
      }[];
      assert.equal(parsed.length, 1);
      assert.deepEqual(parsed[0].receivers, [{ name: "db" }]);

      const id = (
        await am(
          "silence",
          "add",
          "alertname=DiskFull",
          "--comment=maintenance",
          "--duration=1h",
          "--author=ops",
        )
      ).trim();
      assert.match(id, /^[0-9a-f-]{36}$/);
      const sils = await am("silence", "query");
      assert.match(sils, new RegExp(id));
      assert.match(sils, /alertname="DiskFull"/);
      assert.match(sils, /maintenance/);
      assert.equal((await am("silence", "query", "-q")).trim(), id);
      // Silenced alerts leave the default alert query, and come back with --silenced.
      assert.doesNotMatch(await am("alert", "query"), /DiskFull/);
      assert.match(await am("alert", "query", "--silenced"), /DiskFull/);

      await am("silence", "expire", id);
      assert.equal((await am("silence", "query", "-q")).trim(), "", "no active silences left");
      assert.match(await am("silence", "query", "--expired"), new RegExp(id));
      assert.match(await am("alert", "query"), /DiskFull/);

      // amtool reads the configuration from /api/v2/status.
      const shown = await am("config", "show");
      assert.match(shown, /receiver: default/);
      assert.doesNotMatch(shown, /rk-secret|T\/B\/secret|password: secret/, "secrets are masked");
      assert.equal((await am("config", "routes", "test", "team=db")).trim(), "db");
      assert.match(await am("config", "routes"), /db/);
      // Expiring an unknown silence fails as against Alertmanager.
      await assert.rejects(am("silence", "expire", "0d6a7e39-4a2f-4c5c-9d1c-9b6bb8a3c8d0"));
    } finally {
      await app.stop();
    }
  });
});

describe(
  "prometheus 3.5 with Vigil as its Alertmanager",
  { skip: prometheus ? false : "prometheus not available" },
  () => {
    test("a firing rule is routed and delivered to a webhook", { timeout: 90_000 }, async () => {
      const received: Record<string, unknown>[] = [];
      const capture = createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          try {
            received.push(JSON.parse(body) as Record<string, unknown>);
          } catch {
            received.push({ raw: body });
          }
          res.end("ok");
        });
      });
      await new Promise<void>((r) => capture.listen(0, "127.0.0.1", r));
      const hook = `http://127.0.0.1:${(capture.address() as AddressInfo).port}/hook`;
      const app = await startVigil(`route:
  receiver: default
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  routes:
    - matchers: [team="payments"]
      receiver: payments
receivers:
  - name: default
  - name: payments
    webhook_configs: [{url: "${hook}"}]
`);
      const dir = mkdtempSync(join(tmp, "prom-"));
      writeFileSync(
        join(dir, "rules.yml"),
        `groups:
  - name: g
    interval: 1s
    rules:
      - alert: PaymentsDown
        expr: vector(1)
        labels: {team: payments, severity: critical}
        annotations: {summary: "payments are down"}
`,
      );
      const vigilHost = app.address.replace("http://", "");
      writeFileSync(
        join(dir, "prometheus.yml"),
        `global: {evaluation_interval: 1s}
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ["${vigilHost}"]}]
`,
      );
      const port = await freePort();
      const prom = startPeer(
        prometheus!,
        [
          `--config.file=${join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // Alerts evaluated before the Alertmanager is discovered are only resent after this.
          "--rules.alert.resend-delay=1s",
        ],
        dir,
      );
      try {
        const msg = await waitFor(
          "the webhook notification",
          () => Promise.resolve(received[0]),
          60_000,
        );
        assert.equal(msg.receiver, "payments");
        assert.equal(msg.status, "firing");
        assert.equal(msg.version, "4");
        const alerts = msg.alerts as {
          labels: Record<string, string>;
          annotations: Record<string, string>;
          generatorURL: string;
        }[];
        assert.equal(alerts[0].labels.alertname, "PaymentsDown");
        assert.equal(alerts[0].annotations.summary, "payments are down");
        assert.match(alerts[0].generatorURL, /graph\?g0\.expr=vector/);
        assert.equal(msg.groupKey, '{}/{team="payments"}:{alertname="PaymentsDown"}');
        // Prometheus resends every minute at most; Vigil must not notify again meanwhile.
        await new Promise((r) => setTimeout(r, 3000));
        assert.equal(received.length, 1, "de-duplicated");
      } finally {
        await prom.stop();
        await app.stop();
        capture.close();
      }
    });
  },
);
