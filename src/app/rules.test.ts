import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemorySink } from "../rules/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { App } from "./index.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-app-rules-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface RulesBody {
  data: { groups: { name: string; file: string; rules: { name: string; query: string }[] }[] };
}

async function rulesOf(app: App): Promise<string[]> {
  const r = (await (await fetch(`${app.address}/api/v1/rules`)).json()) as RulesBody;
  return r.data.groups.flatMap((g) => g.rules.map((x) => `${g.name}/${x.name}: ${x.query}`));
}

describe("App rules", () => {
  it("loads rule_files and the Watchdog, and keeps the old rules when a reload brings a bad file", async () => {
    const dir = join(tmp, "reload");
    mkdirSync(dir);
    const cfg = join(dir, "vigil.yml");
    const rules = join(dir, "rules.yml");
    writeFileSync(cfg, "storage:\n  engine: memory\nrule_files: [rules.yml]\n");
    writeFileSync(
      rules,
      "groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: vector(1) > 0\n",
    );
    const app = new App({
      configFile: cfg,
      overrides: { listen: "127.0.0.1:0" },
      logger: silentLogger(),
    });
    await app.start();
    try {
      assert.deepEqual(await rulesOf(app), [
        "g/Up: vector(1) > 0",
        "vigil.watchdog/Watchdog: vector(1)",
      ]);
      writeFileSync(
        rules,
        "groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: vector(1) >\n      - alert: Up2\n        expr: up\n",
      );
      await assert.rejects(app.reload(), (err: Error) => {
        assert.equal(
          err.message,
          `${rules}:5:15: group "g", rule 1, "Up": could not parse expression: 1:12: parse error: unexpected end of input`,
        );
        return true;
      });
      assert.deepEqual(await rulesOf(app), [
        "g/Up: vector(1) > 0",
        "vigil.watchdog/Watchdog: vector(1)",
      ]);
      // A good file is taken on the next reload; turning the Watchdog off removes it.
      writeFileSync(
        cfg,
        "storage:\n  engine: memory\nrule_files: [rules.yml]\nrules:\n  watchdog: false\n",
      );
      writeFileSync(
        rules,
        "groups:\n  - name: g\n    rules:\n      - alert: Up2\n        expr: up\n",
      );
      await app.reload();
      assert.deepEqual(await rulesOf(app), ["g/Up2: up"]);
    } finally {
      await app.stop();
    }
  });

  it("loads the alerts-as-code layout with the --env overlay and sends alerts to the app's sinks", async () => {
    const dir = join(tmp, "layout");
    mkdirSync(join(dir, "alerts/common/api"), { recursive: true });
    mkdirSync(join(dir, "alerts/prod/api"), { recursive: true });
    writeFileSync(
      join(dir, "alerts/common/api/alerts.yml"),
      "groups:\n  - name: api\n    interval: 1s\n    rules:\n      - alert: ApiDown\n        expr: vector(0) > 1\n",
    );
    writeFileSync(
      join(dir, "alerts/prod/api/alerts.yml"),
      "groups:\n  - name: api\n    rules:\n      - alert: ApiDown\n        expr: vector(1) > 0\n        labels: {team: api}\n",
    );
    const cfg = join(dir, "vigil.yml");
    writeFileSync(cfg, "storage:\n  engine: memory\nrules:\n  dir: alerts\n  watchdog: false\n");
    const app = new App({
      configFile: cfg,
      overrides: { listen: "127.0.0.1:0", env: "prod" },
      logger: silentLogger(),
    });
    const sink = new MemorySink("test");
    app.alertSinks.push(sink);
    await app.start();
    try {
      assert.deepEqual(await rulesOf(app), ["api/ApiDown: vector(1) > 0"]);
      const deadline = Date.now() + 5000;
      while (sink.all.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const [a] = sink.all;
      assert.ok(a, "the alert reached the sink");
      assert.deepEqual(
        a.labels.map((l) => `${l.name}=${l.value}`),
        ["alertname=ApiDown", "team=api"],
      );
      assert.match(a.generatorURL, /:\d+\/graph\?g0\.expr=vector%281%29\+%3E\+0&g0\.tab=1$/);
    } finally {
      await app.stop();
    }
  });
});

describe("App rules: team policy and alert history", () => {
  const NONCOMPLIANT =
    "groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: Up\n        expr: vector(1) > 0\n        labels: {severity: page}\n";

  it("refuses rules that violate the team policy with rules.policy: refuse", async () => {
    const dir = join(tmp, "policy-refuse");
    mkdirSync(dir);
    writeFileSync(join(dir, "rules.yml"), NONCOMPLIANT);
    writeFileSync(
      join(dir, "vigil.yml"),
      "storage:\n  engine: memory\nrule_files: [rules.yml]\nrules:\n  policy: refuse\n",
    );
    const app = new App({
      configFile: join(dir, "vigil.yml"),
      overrides: { listen: "127.0.0.1:0" },
      logger: silentLogger(),
    });
    await assert.rejects(app.start(), (err: Error) => {
      assert.match(
        err.message,
        /rules\.yml:5:9: group "g", rule 1, "Up": policy: label "team" is missing/,
      );
      assert.match(err.message, /policy: label "severity" must be warning or critical, got "page"/);
      return true;
    });
  });

  it("records alert state changes and serves them on /api/vigil/alerts/history", async () => {
    const dir = join(tmp, "history");
    mkdirSync(dir);
    writeFileSync(join(dir, "rules.yml"), NONCOMPLIANT);
    // The default policy (warn) loads the rules anyway.
    writeFileSync(
      join(dir, "vigil.yml"),
      "storage:\n  engine: memory\nrule_files: [rules.yml]\nrules:\n  watchdog: false\n",
    );
    const app = new App({
      configFile: join(dir, "vigil.yml"),
      overrides: { listen: "127.0.0.1:0" },
      logger: silentLogger(),
    });
    await app.start();
    try {
      let data: { labels: Record<string, string>; state: string }[] = [];
      for (let i = 0; i < 50 && data.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const r = await fetch(
          `${app.address}/api/vigil/alerts/history?match[]=${encodeURIComponent('{alertname="Up"}')}`,
        );
        data = ((await r.json()) as { data: typeof data }).data;
      }
      assert.deepEqual(data, [
        { ...data[0]!, labels: { alertname: "Up", severity: "page" }, state: "firing" },
      ]);
    } finally {
      await app.stop();
    }
  });
});
