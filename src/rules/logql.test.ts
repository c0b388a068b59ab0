// LogQL rules: Loki ruler files and `query_language: logql` groups load with positions in their
// errors, evaluate against the log store, alert through the same sinks as PromQL rules, and
// record metrics that PromQL reads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMPTY_LABELS, labelsFromRecord } from "../model/labels/index.ts";
import { Engine } from "../promql/engine/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import type { AlertingRule } from "./alerting-rule.ts";
import { ruleDependencies } from "./dependencies.ts";
import { loadRules } from "./loader.ts";
import { logqlQueryFunc } from "./logql.ts";
import { RecordingRule } from "./recording-rule.ts";
import { QUERY_LANGUAGES, engineQueryFunc } from "./rule.ts";
import { parseRuleFile } from "./rulefmt.ts";
import { goTemplateExpander } from "./template.ts";
import { MIN, labelString, newEnv } from "./testdata/env.ts";

const templates = goTemplateExpander;

const LOKI_FILE = `groups:
  - name: api-logs
    interval: 1m
    rules:
      - alert: ApiErrors
        expr: sum by (app) (count_over_time({app="api"} |= "error" [5m])) > 3
        for: 1m
        labels: {severity: warning}
        annotations:
          summary: "{{ $labels.app }} logged {{ $value }} errors in 5m"
      - record: app:log_lines:rate1m
        expr: sum by (app) (rate({app=~".+"}[1m]))
`;

describe("LogQL rule files", () => {
  it("parse with the file's language, or the group's query_language", () => {
    const loki = parseRuleFile(LOKI_FILE, "loki.yml", { templates, language: "logql" });
    assert.deepEqual(loki.errors, []);
    const g = loki.groups[0]!;
    assert.equal(g.queryLanguage, "logql");
    assert.deepEqual(
      g.rules.map((r) => [r.query.language, r.query.text]),
      [
        // The canonical text is Loki's (what its rules API shows).
        ["logql", '(sum by (app)(count_over_time({app="api"} |= "error"[5m])) > 3)'],
        ["logql", 'sum by (app)(rate({app=~".+"}[1m]))'],
      ],
    );

    const mixed = parseRuleFile(
      `groups:
  - name: logs
    query_language: logql
    rules:
      - record: errors:count5m
        expr: count_over_time({app="api"} |= "error" [5m])
  - name: metrics
    rules:
      - record: up:sum
        expr: sum(up)
`,
      "mixed.yml",
      { templates },
    );
    assert.deepEqual(mixed.errors, []);
    assert.deepEqual(
      mixed.groups.map((x) => [x.name, x.queryLanguage, x.rules[0]!.query.language]),
      [
        ["logs", "logql", "logql"],
        ["metrics", undefined, "promql"],
      ],
    );
    // A group of a Loki file may still be PromQL.
    const back = parseRuleFile(
      "groups:\n  - name: m\n    query_language: promql\n    rules:\n      - record: r\n        expr: sum(up)\n",
      "loki.yml",
      { language: "logql" },
    );
    assert.deepEqual(back.errors, []);
    assert.equal(back.groups[0]!.rules[0]!.query.language, "promql");
  });

  it("refuse log queries, bad LogQL and unknown languages, with file, line and column", () => {
    const r = parseRuleFile(
      `groups:
  - name: logs
    query_language: logql
    rules:
      - alert: Raw
        expr: '{app="api"} |= "error"'
      - alert: Broken
        expr: count_over_time({app="api"}[5m]) >
      - record: badregex
        expr: count_over_time({app="api"} |~ "(" [5m])
      - alert: Fine
        expr: count_over_time({app="api"}[5m]) > 1
  - name: other
    query_language: sql
    rules:
      - record: r
        expr: select 1
`,
      "bad.yml",
      { templates },
    );
    const msgs = r.errors.map((e) => e.message);
    assert.equal(msgs.length, 4, msgs.join("\n"));
    assert.equal(
      msgs[0],
      'bad.yml:6:15: group "logs", rule 1, "Raw": could not parse expression: only sample expression supported: a rule needs a metric query such as count_over_time({...}[5m]), not a log query',
    );
    assert.match(
      msgs[1]!,
      /^bad\.yml:8:15: group "logs", rule 2, "Broken": could not parse expression: parse error at line 1, col \d+: /,
    );
    assert.match(
      msgs[2]!,
      /^bad\.yml:10:15: group "logs", rule 3, "badregex": could not parse expression: parse error : stage '\|~ "\("'/,
    );
    assert.equal(
      msgs[3],
      'bad.yml:14:21: group "other": invalid query_language "sql": must be promql or logql',
    );
    assert.deepEqual(r.groups, []);
  });

  it("PromQL in a LogQL group is a parse error, and LogQL in a PromQL group too", () => {
    const r = parseRuleFile(
      'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: count_over_time({app="a"} |= "x" [5m])\n',
      "p.yml",
    );
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.message, /^p\.yml:5:15: group "g", rule 1, "r": could not parse/);
    const l = parseRuleFile(
      "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: rate(http_requests_total[5m])\n",
      "l.yml",
      { language: "logql" },
    );
    assert.equal(l.errors.length, 1);
    assert.match(l.errors[0]!.message, /^l\.yml:5:15: group "g", rule 1, "r": could not parse/);
  });

  it("load from log_rule_files next to rule_files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-logql-rules-"));
    writeFileSync(join(dir, "loki.yml"), LOKI_FILE);
    writeFileSync(
      join(dir, "prom.yml"),
      "groups:\n  - name: p\n    rules:\n      - record: up:sum\n        expr: sum(up)\n",
    );
    writeFileSync(
      join(dir, "bad-loki.yml"),
      "groups:\n  - name: b\n    rules:\n      - alert: Raw\n        expr: '{app=\"a\"}'\n",
    );
    const ok = await loadRules({
      ruleFiles: [join(dir, "prom.yml")],
      logRuleFiles: [join(dir, "loki.yml")],
      templates,
    });
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(
      ok.rules.groups.map((g) => [g.spec.name, g.spec.rules.map((x) => x.query.language)]),
      [
        ["p", ["promql"]],
        ["api-logs", ["logql", "logql"]],
      ],
    );
    const bad = await loadRules({ logRuleFiles: [join(dir, "bad-loki.yml")], templates });
    assert.equal(bad.errors.length, 1);
    assert.match(
      bad.errors[0]!.message,
      /bad-loki\.yml:5:15: group "b", rule 1, "Raw": could not parse expression: only sample expression supported/,
    );
    // The same file read as Prometheus rules fails on the line filter, which PromQL lacks.
    const asProm = await loadRules({ ruleFiles: [join(dir, "loki.yml")], templates });
    assert.deepEqual(
      asProm.errors.map((e) => [e.line, e.ruleName]),
      [[6, "ApiErrors"]],
    );
  });
});

describe("LogQL rule dependencies", () => {
  it("LogQL rules read no metrics; PromQL rules may read what they record", () => {
    const logql = QUERY_LANGUAGES.logql!;
    const promql = QUERY_LANGUAGES.promql!;
    const a = new RecordingRule(
      "app:errors",
      logql.parse('sum by (app) (count_over_time({app=~".+"} |= "error" [5m]))'),
      EMPTY_LABELS,
    );
    const b = new RecordingRule("app:lines", logql.parse('count_over_time({app="x"}[1m])'), []);
    assert.deepEqual(ruleDependencies([a, b]), {
      indeterminate: false,
      hasLaterDependents: [false, false],
      independent: true,
    });
    const c = new RecordingRule("app:errors:x2", promql.parse("app:errors * 2"), EMPTY_LABELS);
    assert.deepEqual(ruleDependencies([a, b, c]).hasLaterDependents, [true, false, false]);
  });
});

/** pushLogs writes lines to the log store: [tMs, line] pairs. */
async function pushLogs(
  storage: MemoryStorage,
  labels: Record<string, string>,
  lines: readonly (readonly [number, string])[],
): Promise<void> {
  const app = storage.logs.logAppender();
  app.append(
    labelsFromRecord(labels),
    lines.map(([t, line]) => ({ tsNs: BigInt(t) * 1_000_000n, line, metadata: [] })),
  );
  await app.commit();
}

describe("LogQL rule evaluation", () => {
  const newLogEnv = () => {
    const storage = new MemoryStorage();
    return newEnv(
      {
        queryFuncs: {
          promql: engineQueryFunc(new Engine(), storage),
          logql: logqlQueryFunc(() => storage.logs.logQuerier()),
        },
      },
      storage,
    );
  };

  it("an alerting rule fires when count_over_time passes its threshold, through the sinks", async () => {
    const env = newLogEnv();
    // Two errors a minute from 0 to 10m, and info lines that do not count.
    const errors: [number, string][] = [];
    for (let t = 0; t <= 10 * MIN; t += 30_000)
      errors.push([t, `level=error msg="timeout" t=${t}`]);
    await pushLogs(env.storage, { app: "api", env: "prod" }, errors);
    await pushLogs(env.storage, { app: "api", env: "prod", stream: "info" }, [[MIN, "ok"]]);
    await pushLogs(env.storage, { app: "web" }, [[MIN, "error too, other app"]]);
    const parsed = parseRuleFile(LOKI_FILE, "loki.yml", { templates, language: "logql" });
    assert.deepEqual(parsed.errors, []);
    const [g] = [
      ...env.manager
        .loadGroups(
          { files: ["loki.yml"], groups: [{ file: "loki.yml", spec: parsed.groups[0]! }] },
          {
            evaluationIntervalMs: MIN,
            externalLabels: [],
            externalURL: "http://vigil.test:9700",
          },
          false,
        )
        .values(),
    ];
    const rule = g!.rules[0] as AlertingRule;
    // At 1m: 3 errors in (−4m, 1m] → not above 3.
    await g!.eval(MIN);
    assert.equal(rule.health, "ok", rule.lastError?.message);
    assert.equal(rule.activeAlerts().length, 0);
    await g!.eval(2 * MIN);
    assert.equal(rule.activeAlerts()[0]!.state, "pending");
    await g!.eval(3 * MIN);
    const [a] = rule.activeAlerts();
    assert.equal(a!.state, "firing");
    assert.equal(labelString(a!.labels), "alertname=ApiErrors,app=api,severity=warning");
    assert.equal(a!.value, 7);
    const sent = env.sink.all.filter((x) => x.labels.some((l) => l.value === "ApiErrors"));
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.annotations, [
      { name: "summary", value: "api logged 7 errors in 5m" },
    ]);
    // The link is Prometheus's, as Loki's ruler makes it.
    assert.match(sent[0]!.generatorURL, /^http:\/\/vigil\.test:9700\/graph\?g0\.expr=%28sum/);
    // ALERTS is written like for a PromQL alert.
    const alerts = await env.series("ALERTS");
    assert.deepEqual(
      alerts.map((s) => labelString(s.labels)),
      [
        "__name__=ALERTS,alertname=ApiErrors,alertstate=firing,app=api,severity=warning",
        "__name__=ALERTS,alertname=ApiErrors,alertstate=pending,app=api,severity=warning",
      ],
    );
  });

  it("a recording rule writes a metric PromQL can read, at the query offset", async () => {
    const env = newLogEnv();
    const lines: [number, string][] = [];
    for (let t = 1000; t <= 5 * MIN; t += 1000) lines.push([t, `line ${t}`]);
    await pushLogs(env.storage, { app: "api" }, lines);
    await pushLogs(env.storage, { app: "web" }, [[4 * MIN + 30_000, "one"]]);
    const [g] = env.groups(`groups:
  - name: rec
    query_offset: 1m
    query_language: logql
    rules:
      - record: app:log_lines:rate1m
        expr: sum by (app) (rate({app=~".+"}[1m]))
        labels: {source: logs}
`);
    await g!.eval(6 * MIN);
    assert.equal(g!.rules[0]!.health, "ok", g!.rules[0]!.lastError?.message);
    const out = await env.series("app:log_lines:rate1m");
    assert.deepEqual(
      out.map((s) => [labelString(s.labels), [...s.timestamps], [...s.values]]),
      [
        ["__name__=app:log_lines:rate1m,app=api,source=logs", [5 * MIN], [1]],
        ["__name__=app:log_lines:rate1m,app=web,source=logs", [5 * MIN], [1 / 60]],
      ],
    );
    const res = await new Engine().instantQuery(
      env.storage,
      'app:log_lines:rate1m{app="api"} * 60',
      5 * MIN,
    );
    assert.equal(res.value.type, "vector");
    if (res.value.type === "vector") assert.equal(res.value.vector[0]!.f, 60);
  });

  it("a scalar result is one sample; a rule with no engine for its language fails", async () => {
    const storage = new MemoryStorage();
    const qf = logqlQueryFunc(storage.logs.logQuerier());
    assert.deepEqual(await qf("2 * 3", 5000), [{ metric: [], t: 5000, f: 6 }]);
    await assert.rejects(qf('{app="x"}', 5000), /instant query/);

    const env = newEnv();
    const [g] = env.groups(
      "groups:\n  - name: g\n    query_language: logql\n    rules:\n      - record: r\n        expr: vector(1)\n",
    );
    await g!.eval(MIN);
    assert.equal(g!.rules[0]!.health, "err");
    assert.equal(g!.rules[0]!.lastError?.message, "no query engine for logql rules");
  });
});
