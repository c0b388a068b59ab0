// Interop with the reference binaries (skipped, with a message, when they are absent):
//
// 1. promtool 3.5 and `vigil test rules` / `vigil check rules` on the conformance files, on this
//    module's test files (which fail on purpose: wrong labels and annotations, missing and
//    unexpected alerts, wrong values, evaluation errors) and on malformed files: the exit codes,
//    stdout and stderr must be identical, except for the parts normalize() documents.
// 2. prometheus 3.5 and Vigil evaluate the same rule file on the same data, fed to both by the
//    same remote-write requests: the ALERTS, ALERTS_FOR_STATE and recording rule samples, with
//    their timestamps (that is, the evaluation at which each alert is pending or firing), must
//    be identical.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { App } from "../app/index.ts";
import { main } from "../cli/index.ts";
import { peerPath } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { parseExpectedTsv } from "./conformance.ts";
import type { ApiSeries, RunningPrometheus, SeriesData } from "./interop-support.ts";
import { apiQuery, goldenCases, remoteWrite, startPrometheus } from "./interop-support.ts";
import { BufferIo } from "./io.ts";

const promtool = peerPath("promtool");
const prometheus = peerPath("prometheus");
const TESTDATA = fileURLToPath(new URL("./testdata/", import.meta.url));
const SHARED = fileURLToPath(new URL("../../../shared/conformance/rules/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "vigil-rules-interop-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * normalize removes what may differ between promtool and Vigil by design: the duration of a
 * test in --debug output (timing), the program name in flag-parser errors, and the order of the
 * series listed in a many-to-many matching error, which promtool itself varies from run to run
 * (its test storage is filled in Go map order).
 */
function normalize(s: string): string {
  return s
    .replace(/^(DEBUG: Test .* finished, took ).*$/gm, "$1<duration>")
    .replace(/^(promtool|vigil): error: /gm, "<prog>: error: ")
    .replace(
      /(hand-side of the operation: \[)(.*?)(\];many-to-many)/g,
      (_, a: string, list: string, b: string) =>
        a +
        list
          .split(/(?<=\}), (?=\{)/)
          .sort()
          .join(", ") +
        b,
    );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runPromtool(args: readonly string[], cwd: string): Run {
  const r = spawnSync(promtool!, args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function runVigil(args: readonly string[], cwd: string): Promise<Run> {
  const io = new BufferIo();
  const old = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  } finally {
    process.chdir(old);
  }
}

async function assertSameAsPromtool(args: readonly string[], cwd: string): Promise<void> {
  const p = runPromtool(args, cwd);
  const v = await runVigil(args, cwd);
  const what = args.join(" ");
  assert.equal(
    v.code,
    p.code,
    `${what}: exit code\npromtool stderr:\n${p.stderr}\nvigil stderr:\n${v.stderr}`,
  );
  assert.equal(normalize(v.stdout), normalize(p.stdout), `${what}: stdout`);
  assert.equal(normalize(v.stderr), normalize(p.stderr), `${what}: stderr`);
}

/** argsOfRow turns a conformance row into promtool's command line. */
function argsOfRow(row: ReturnType<typeof parseExpectedTsv>[number]): string[] | undefined {
  const opts =
    row.options === "-" ? [] : row.options.split(",").map((o) => o.trim().replace(/^--/, ""));
  const flags: string[] = [];
  for (const o of opts) {
    if (o === "ignore-unknown-fields" || o === "lint-fatal") flags.push(`--${o}`);
    else if (o.startsWith("lint=") || o.startsWith("enable-feature=")) flags.push(`--${o}`);
    // EnableAtModifier and EnableNegativeOffset are always on in promtool's command.
  }
  if (row.runFilter !== "-") for (const r of row.runFilter.split(",")) flags.push(`--run=${r}`);
  if (row.command === "test rules") return ["test", "rules", ...flags, row.testFile];
  if (row.command === "check rules") return ["check", "rules", ...flags, row.testFile];
  return undefined;
}

/** Malformed and failing files beyond the conformance set, each checked against promtool. */
const EXTRA_FILES: Record<string, string> = {
  "unknown-field.yml": "tests:\n  - interval: 1m\n    foo: 1\n",
  "types.yml":
    "tests:\n  - external_labels: 3\n    promql_expr_test:\n      - exp_samples:\n          - value: abc\n",
  "bad-duration.yml": "tests:\n  - promql_expr_test:\n      - expr: a\n        eval_time: 5\n",
  "bad-value.yml":
    "tests:\n  - input_series:\n      - series: a\n        values: '1 2 x'\n    promql_expr_test:\n      - expr: a\n        eval_time: 1m\n",
  "exp-labels.yml": `tests:
  - input_series:
      - series: a
        values: '1 2'
    promql_expr_test:
      - expr: a
        eval_time: 1m
        exp_samples: [{labels: 'a{b=~"c"}', value: 1}]
      - expr: a
        eval_time: 1m
        exp_samples: [{labels: 'a{b="c"', value: 1}]
      - expr: a
        eval_time: 1m
        exp_samples: [{labels: '{b="c"} 3', value: 1}]
      - expr: 'a[1m]'
        eval_time: 1m
      - expr: '"x"'
        eval_time: 1m
      - expr: 'sort_by_label(a)'
        eval_time: 1m
      - expr: 'a +'
        eval_time: 1m
      - expr: 'nan'
        eval_time: 1m
        exp_samples: [{value: .nan}]
      - expr: 'scalar(a)'
        eval_time: 1m
        exp_samples: [{value: 2}]
      - expr: 'a'
        eval_time: 1m
        exp_samples: [{labels: 'a', value: .inf}]
`,
  "alertname.yml": `rule_files: [missing/*.yml]
group_eval_order: [x, y]
tests:
  - name: no alertname
    alert_rule_test:
      - eval_time: 2m
        exp_alerts: [{}]
  - alert_rule_test:
      - eval_time: 1m
  - name: "fine"
`,
  "order.yml": "group_eval_order: [a, b, a]\ntests: [{}]\n",
  "bad-char.yml":
    "tests:\n  - input_series:\n      - series: ok\n        values: '1'\n      - series: a\n        values: '1 @'\n",
};

describe(
  "promtool 3.5 and vigil test/check rules agree",
  { skip: promtool ? false : "promtool binary unavailable" },
  () => {
    before(() => {
      for (const [name, text] of Object.entries(EXTRA_FILES)) writeFileSync(join(tmp, name), text);
    });

    const haveShared = existsSync(join(SHARED, "expected.tsv"));
    it(
      "on every row of the conformance set",
      { skip: haveShared ? false : `${SHARED} not found` },
      async () => {
        const rows = parseExpectedTsv(readFileSync(join(SHARED, "expected.tsv"), "utf8"));
        let compared = 0;
        for (const row of rows) {
          const args = argsOfRow(row);
          if (!args) continue;
          await assertSameAsPromtool(args, join(SHARED, "promtool-testdata"));
          compared++;
        }
        assert.ok(compared >= 20, `compared ${compared} rows`);
      },
    );

    it("on the test files of this module, whose failures name alerts, expected and got", async () => {
      for (const c of goldenCases()) await assertSameAsPromtool(c.args, TESTDATA);
      await assertSameAsPromtool(
        ["test", "rules", "--debug", "semantics-reversed-test.yml"],
        TESTDATA,
      );
    });

    it("on malformed test files", async () => {
      for (const name of Object.keys(EXTRA_FILES)) {
        await assertSameAsPromtool(["test", "rules", name], tmp);
      }
      await assertSameAsPromtool(["test", "rules", ...Object.keys(EXTRA_FILES)], tmp);
      await assertSameAsPromtool(["test", "rules", "no-such-file.yml"], tmp);
    });

    it("on rule files with problems", async () => {
      const files: Record<string, string> = {
        "r-duration.yml":
          "groups:\n  - name: a\n    interval: 5\n    rules:\n      - alert: A\n        expr: up\n",
        "r-types.yml":
          "groups:\n  - name: a\n    foo: 1\n    limit: abc\n    rules:\n      - alert: A\n        expr: [up]\n        labels: 3\n",
        "r-groups.yml":
          "groups:\n  - name: ''\n    rules:\n      - record: 'a{b}'\n        expr: up\n        for: 5m\n        annotations: {x: y}\n  - name: ''\n",
        "r-top.yml": "3\n",
        "r-empty.yml": "",
        "r-template.yml":
          "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: {x: '{{ .Foo'}\n",
      };
      for (const [name, text] of Object.entries(files)) {
        writeFileSync(join(tmp, name), text);
        await assertSameAsPromtool(["check", "rules", name], tmp);
      }
      await assertSameAsPromtool(
        ["check", "rules", "--lint=all,bogus", ...Object.keys(files)],
        tmp,
      );
    });
  },
);

// ---------------------------------------------------------------------------------------------
// prometheus 3.5 and Vigil on the same rules and data.

const RULES = `groups:
  - name: interop
    interval: 2s
    rules:
      - record: job:errors:max
        expr: max by (job) (errors)
      - alert: ErrorsHigh
        expr: job:errors:max > 3
        for: 6s
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.job }} at {{ $value }}"
      - alert: ErrorsSticky
        expr: errors > 8
        keep_firing_for: 6s
        labels:
          severity: critical
      - alert: Exactly5
        expr: errors == 5
`;

/** SCENARIO_S is how many seconds of data the scenario has, one sample per second. */
const SCENARIO_S = 40;

function scenario(startMs: number): SeriesData[] {
  const series = (labels: Record<string, string>, f: (s: number) => number): SeriesData => ({
    labels: { __name__: "errors", ...labels },
    samples: Array.from({ length: SCENARIO_S + 1 }, (_, s) => [startMs + s * 1000, f(s)] as const),
  });
  return [
    series({ job: "a", instance: "1" }, (s) => (s >= 8 && s < 26 ? 5 : 0)),
    series({ job: "b", instance: "1" }, (s) => ((s >= 4 && s < 11) || (s >= 20 && s < 22) ? 9 : 0)),
    series({ job: "b", instance: "2" }, (s) => s % 7),
  ];
}

/** samplesOf turns a matrix into "labels => t=v t=v ..." lines, sorted. */
function samplesOf(m: ApiSeries[]): string[] {
  return m
    .map((s) => {
      const labels = Object.entries(s.metric)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      return `${labels} => ${(s.values ?? []).map(([t, v]) => `${t}=${v}`).join(" ")}`;
    })
    .sort();
}

describe(
  "prometheus 3.5 and Vigil fire the same alerts on the same rules and data",
  { skip: prometheus ? false : "prometheus binary unavailable" },
  () => {
    const dir = join(tmp, "prom-vs-vigil");
    let prom: RunningPrometheus;
    let app: App;

    before(async () => {
      mkdirSync(dir, { recursive: true });
      const rules = join(dir, "rules.yml");
      writeFileSync(rules, RULES);
      writeFileSync(
        join(dir, "vigil.yml"),
        `server:\n  log_level: error\nstorage:\n  engine: memory\nglobal:\n  evaluation_interval: 2s\nrule_files: [${JSON.stringify(rules)}]\nrules:\n  watchdog: false\n`,
      );
      app = new App({
        configFile: join(dir, "vigil.yml"),
        overrides: { listen: "127.0.0.1:0" },
        logger: silentLogger(),
      });
      await app.start();
      prom = await startPrometheus(prometheus!, dir, {
        ruleFiles: [rules],
        evaluationInterval: "2s",
      });
    });

    after(async () => {
      await prom?.stop();
      await app?.stop();
    });

    it("writes identical ALERTS, ALERTS_FOR_STATE and recording rule samples", async () => {
      // The whole scenario is sent ahead of time, so that every evaluation of either sees the
      // same data whatever the network timing (an instant query at t only reads samples <= t).
      const startMs = Math.ceil((Date.now() + 8000) / 1000) * 1000;
      const data = scenario(startMs);
      await remoteWrite(`${prom.url}/api/v1/write`, data);
      await remoteWrite(`${app.address}/api/v1/write`, data);
      const endMs = startMs + (SCENARIO_S + 4) * 1000;
      await new Promise((r) => setTimeout(r, endMs + 3000 - Date.now()));

      const window = `[${(endMs - startMs) / 1000 + 2}s]`;
      const at = endMs / 1000;
      let firing = 0;
      for (const q of ["ALERTS", "ALERTS_FOR_STATE", "job:errors:max"]) {
        const p = samplesOf(await apiQuery(prom.url, q + window, at));
        const v = samplesOf(await apiQuery(app.address, q + window, at));
        assert.deepEqual(v, p, `${q}: Vigil (actual) and Prometheus (expected) differ`);
        assert.ok(p.length > 0, `${q}: Prometheus wrote nothing`);
        if (q === "ALERTS") firing = p.filter((l) => l.includes("alertstate=firing")).length;
      }
      // Each alert of the scenario fires at some point.
      assert.ok(firing >= 3, `only ${firing} firing ALERTS series`);
      // And Vigil kept the history of each state change.
      const r = await fetch(`${app.address}/api/vigil/alerts/history?start=${startMs / 1000 - 10}`);
      const hist = (await r.json()) as { data: { state: string }[] };
      assert.ok(
        hist.data.some((e) => e.state === "resolved"),
        JSON.stringify(hist.data),
      );
    });
  },
);
