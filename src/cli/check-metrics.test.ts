import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { checkMetricsCommand } from "./check-metrics.ts";
import { lintExposition } from "./check-metrics-lint.ts";

import { peerPath } from "../testing/index.ts";

const BIN = new URL("../../bin/vigil.mjs", import.meta.url).pathname;
const CASES = new URL("../../../shared/conformance/exposition/exposition.yaml", import.meta.url);

async function runCheck(
  args: string[],
  stdin: string | Uint8Array,
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await checkMetricsCommand(
    args,
    { out: (s) => (out += s), err: (s) => (err += s) },
    async () => stdin,
  );
  return { code, out, err };
}

describe("check metrics lint", () => {
  const cases: { name: string; input: string; problems: string[]; conventions?: boolean }[] = [
    {
      name: "promtool's rules",
      conventions: false,
      input: [
        "# HELP http_requests Requests.",
        "# TYPE http_requests counter",
        'http_requests{code="200"} 1',
        "# TYPE latency_milliseconds gauge",
        "latency_milliseconds 3",
        "# HELP fooBar_ms x",
        "fooBar_ms 1",
        "# HELP temp_gauge t",
        "# TYPE temp_gauge gauge",
        "temp_gauge 1",
        "# HELP dup d",
        "dup 1",
        "dup 2",
        "",
      ].join("\n"),
      problems: [
        "dup metric not unique",
        "fooBar_ms metric names should be written in 'snake_case' not 'camelCase'",
        "fooBar_ms metric names should not contain abbreviated units",
        'http_requests counter metrics should have "_total" suffix',
        "latency_milliseconds no help text",
        'latency_milliseconds use base unit "seconds" instead of "milliseconds"',
        "temp_gauge metric name should not include type 'gauge'",
      ],
    },
    {
      name: "team conventions",
      input: [
        "# HELP HTTP_Requests_total Requests.",
        "# TYPE HTTP_Requests_total counter",
        'HTTP_Requests_total{Code="200"} 1',
        "# HELP upload_size_kib Size.",
        "# TYPE upload_size_kib gauge",
        "upload_size_kib 1",
        "# HELP cpu_percent CPU.",
        "# TYPE cpu_percent gauge",
        "cpu_percent 1",
        "",
      ].join("\n"),
      problems: [
        '(target) no version info metric: expose <service>_info{version="..."} 1',
        'HTTP_Requests_total label name "Code" should be lower snake_case',
        "HTTP_Requests_total metric names should be lower snake_case",
        'cpu_percent use a ratio from 0 to 1 ("_ratio") instead of "percent"',
        'upload_size_kib use base unit "bytes" instead of "kib"',
      ],
    },
    {
      name: "a clean exposition with a version info metric",
      input:
        '# HELP billing_info Build.\n# TYPE billing_info gauge\nbilling_info{version="1.2.3"} 1\n' +
        "# HELP billing_jobs_total Jobs.\n# TYPE billing_jobs_total counter\nbilling_jobs_total 4\n",
      problems: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = lintExposition(c.input, { conventions: c.conventions }).map(
        (p) => `${p.metric} ${p.text}`,
      );
      assert.deepEqual(got, c.problems);
    });
  }

  it("counts series per target like Prometheus stores them", () => {
    const lines = ["# HELP svc_info i", "# TYPE svc_info gauge", 'svc_info{version="1"} 1'];
    lines.push("# HELP lat_seconds l", "# TYPE lat_seconds histogram");
    for (let i = 0; i < 3; i++) {
      lines.push(`lat_seconds_bucket{path="/${i}",le="1"} 1`, `lat_seconds_sum{path="/${i}"} 1`);
      lines.push(`lat_seconds_count{path="/${i}"} 1`);
    }
    // 1 info + 3 × (le=1, +Inf, _sum, _count) = 13 series.
    const body = lines.join("\n") + "\n";
    assert.deepEqual(lintExposition(body, { maxSeries: 13 }), []);
    assert.deepEqual(
      lintExposition(body, { maxSeries: 12 }).map((p) => p.text),
      ["13 series exceed the limit of 12 series per target"],
    );
  });
});

describe("vigil check metrics command", () => {
  it("exits 3 with promtool's output for problems, 1 for a parse error, 0 when clean", async () => {
    let r = await runCheck(["--no-conventions"], "# TYPE a counter\na 1\n");
    assert.equal(r.code, 3);
    assert.equal(r.err, 'a counter metrics should have "_total" suffix\na no help text\n');
    r = await runCheck([], "a{ 1\n");
    assert.equal(r.code, 1);
    assert.match(r.err, /^error while linting: text format parsing error in line 1: /);
    r = await runCheck(
      ["--no-conventions", "--extended"],
      "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n",
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      "Metric     Cardinality    Percentage    \na_total    1              100.00%       \nTotal      1              100%          \n",
    );
  });

  it("reads a URL, a file and standard input through the vigil binary", async () => {
    const body = '# HELP svc_info i\n# TYPE svc_info gauge\nsvc_info{version="1"} 1\n';
    let accept = "";
    const srv = createServer((req, res) => {
      accept = req.headers.accept ?? "";
      if (req.url === "/missing") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(body);
    });
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    const port = (srv.address() as AddressInfo).port;
    try {
      const run = (args: string[], input?: string) => {
        const r = spawnSync(process.execPath, [BIN, "check", "metrics", ...args], {
          encoding: "utf8",
          input,
          timeout: 60_000,
        });
        return { code: r.status, err: r.stderr };
      };
      // spawnSync blocks this event loop, which serves the URL: fetch URLs in-process instead.
      const viaUrl = await runCheck([`http://127.0.0.1:${port}/metrics`], "");
      assert.equal(viaUrl.code, 0, viaUrl.err);
      assert.match(accept, /^text\/plain;version=0\.0\.4/);
      const missing = await runCheck([`http://127.0.0.1:${port}/missing`], "");
      assert.equal(missing.code, 1);
      assert.match(missing.err, /HTTP status 404/);

      const stdin = run(["-"], "# TYPE x counter\nx 1\n");
      assert.equal(stdin.code, 3);
      assert.match(stdin.err, /^x counter metrics should have "_total" suffix$/m);
      const file = run([BIN]);
      assert.equal(file.code, 1);
      assert.match(file.err, /^error while linting: /);
      const usage = run(["--bogus"]);
      assert.equal(usage.code, 2);
    } finally {
      srv.close();
    }
  });
});

interface ExpositionCase {
  id: string;
  format: string;
  input?: string;
  input_hex?: string;
}

function runPromtool(
  bin: string,
  args: string[],
  input: Uint8Array,
): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    p.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, err }));
    p.stdin.end(input);
  });
}

async function pool<T, R>(items: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

describe("vigil check metrics agrees with promtool check metrics", () => {
  const promtool = existsSync(CASES) ? peerPath("promtool") : undefined;
  if (!promtool) {
    it("skipped: promtool or ../shared/conformance not available", { skip: true }, () => {});
    return;
  }
  const cases = parseYaml(readFileSync(CASES, "utf8")) as ExpositionCase[];
  it(`on the ${cases.length} exposition conformance cases`, async () => {
    const results = await pool(cases, 8, async (c) => {
      const input =
        c.input_hex !== undefined ? Buffer.from(c.input_hex, "hex") : Buffer.from(c.input ?? "");
      const want = await runPromtool(promtool, ["check", "metrics"], input);
      const got = await runCheck(["--no-conventions"], input);
      if (want.code === got.code && want.err === got.err) return undefined;
      return `${c.id}: promtool exit ${want.code} ${JSON.stringify(want.err)}, vigil exit ${got.code} ${JSON.stringify(got.err)}`;
    });
    assert.deepEqual(
      results.filter((r) => r !== undefined),
      [],
    );
  });

  it("prints the same --extended table", async () => {
    const input =
      '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 1\na_total{x="2"} 1\na_total{x="3"} 1\n' +
      '# HELP h_seconds H.\n# TYPE h_seconds histogram\nh_seconds_bucket{le="1"} 1\nh_seconds_bucket{le="+Inf"} 1\nh_seconds_sum 1\nh_seconds_count 1\n' +
      "# HELP g G.\n# TYPE g gauge\ng 1\n";
    const want = spawnSync(promtool, ["check", "metrics", "--extended"], {
      input,
      encoding: "utf8",
    });
    const got = await runCheck(["--no-conventions", "--extended"], input);
    assert.equal(got.code, want.status);
    assert.equal(got.out, want.stdout);
  });
});
