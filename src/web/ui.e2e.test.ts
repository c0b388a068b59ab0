// End-to-end test of the web UI in headless Chromium (playwright-core): a Vigil in this process
// scrapes itself and a dead port, evaluates an always-firing rule (and a LogQL rule) and runs the
// Alertmanager; the test opens the UI, runs a PromQL query and reads the chart's legend, keeps an
// absolute time range across a reload, runs and live-tails LogQL, sees the dead target's error,
// creates a silence from its preview and expires it, reads an alert's history and the
// cardinality, and checks that failing APIs show their message in place, that long queries show
// their elapsed time and cancel, and that every page is labelled and fits a phone.
//
// It needs Debian's chromium at /usr/bin/chromium and skips (saying so) without it. The UI is
// built first when ui/dist is missing or older than ui/src (ui/build-if-stale.mjs).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { App } from "../app/index.ts";
import { freePort, waitFor } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { DEFAULT_UI_DIR, registerUi } from "./ui.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (install Debian's chromium)`;

/**
 * uiFront serves the UI in front of app when app does not serve it itself (before registerUi is
 * wired into App): the UI from ui/dist, every API path proxied to app.
 */
async function uiFront(appAddress: string): Promise<FastifyInstance> {
  const web = Fastify();
  web.removeAllContentTypeParsers();
  web.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  const proxy = async (req: FastifyRequest, reply: FastifyReply) => {
    const headers: Record<string, string> = {};
    const ct = req.headers["content-type"];
    if (ct) headers["content-type"] = ct;
    const res = await fetch(appAddress + req.url, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : (req.body as Buffer),
    });
    reply.code(res.status);
    const type = res.headers.get("content-type");
    if (type) reply.type(type);
    return reply.send(Buffer.from(await res.arrayBuffer()));
  };
  for (const path of ["/api/*", "/loki/*", "/-/*", "/metrics"]) web.all(path, proxy);
  registerUi(web, { dir: DEFAULT_UI_DIR });
  await web.listen({ host: "127.0.0.1", port: 0 });
  return web;
}

/** UNLABELLED lists the form controls of the page that have no accessible name. */
const UNLABELLED = `[...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => el.type !== "hidden")
  .filter((el) => !(el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") ||
    el.title || (el.labels && el.labels.length > 0) ||
    (el.tagName === "BUTTON" && el.textContent.trim() !== "")))
  .map((el) => el.outerHTML.slice(0, 160))`;

void describe("web UI end to end", { skip, timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "vigil-ui-e2e-"));
  let app: App;
  let front: FastifyInstance | undefined;
  let browser: Browser;
  let page: Page;
  let base = "";
  const pageErrors: string[] = [];

  before(async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const build = spawnSync(process.execPath, [join(root, "ui", "build-if-stale.mjs")], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(build.status, 0, `building the UI failed:\n${build.stdout}${build.stderr}`);

    const port = await freePort();
    writeFileSync(
      join(tmp, "rules.yml"),
      `groups:
  - name: e2e
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: warning, team: infra }
        annotations:
          summary: Fires all the time
          description: An alert for the end-to-end test of the UI.
          runbook_url: https://runbooks.example.com/always-firing
  - name: e2e-logs
    query_language: logql
    interval: 1s
    rules:
      - alert: TooManyNeedles
        expr: sum(count_over_time({app="e2e"} |= "needle" [5m])) > 1000
`,
    );
    writeFileSync(
      join(tmp, "vigil.yml"),
      `server:
  log_level: error
storage:
  engine: memory
global:
  scrape_interval: 1s
  scrape_timeout: 500ms
  evaluation_interval: 1s
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ["127.0.0.1:${port}"]
  - job_name: dead
    static_configs:
      - targets: ["127.0.0.1:1"]
rule_files: [rules.yml]
alertmanager:
  route:
    receiver: blackhole
  receivers:
    - name: blackhole
`,
    );
    app = new App({
      configFile: join(tmp, "vigil.yml"),
      overrides: { listen: `127.0.0.1:${port}` },
      logger: silentLogger(),
    });
    await app.start();
    const servesUi = (await fetch(`${app.address}/`)).headers.get("content-type") ?? "";
    if (servesUi.startsWith("text/html")) {
      base = app.address;
    } else {
      front = await uiFront(app.address);
      const a = front.server.address();
      base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
    }
    await waitFor(
      "both targets scraped",
      async () => {
        const r = (await (await fetch(`${app.address}/api/v1/query?query=up`)).json()) as {
          data: { result: unknown[] };
        };
        return r.data.result.length === 2 ? true : undefined;
      },
      20_000,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    // A zone far from UTC: absolute times must survive the datetime-local inputs (local time)
    // and the URL (UTC).
    page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      timezoneId: "America/St_Johns",
    });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await browser?.close();
    await front?.close();
    await app?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  void it("runs a PromQL query and draws a chart with the right legend", async () => {
    await page.goto(`${base}/explore`);
    const editor = page.locator(".cm-content").first();
    await editor.click();
    // Completion offers metric names from Vigil's own /api/v1.
    await page.keyboard.type("vigil_http_req");
    await page
      .locator(".cm-tooltip-autocomplete", { hasText: "vigil_http_requests_total" })
      .waitFor();
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("up");
    await page.keyboard.press("Escape"); // close the completion list
    await page.keyboard.press("Shift+Enter");
    await page.waitForURL(/g0\.expr=up/);
    const legend = page.locator(".u-legend");
    await page.locator(".u-legend", { hasText: 'job="dead"' }).waitFor();
    const text = (await legend.textContent()) ?? "";
    assert.match(text, /up\{instance="127\.0\.0\.1:1", job="dead"\}/);
    assert.match(text, /up\{instance="127\.0\.0\.1:\d+", job="vigil"\}/);
    assert.match(await page.getByTestId("query-status").innerText(), /2 series/);

    // The link holds the query: a reload of the same URL shows it again.
    await page.reload();
    await page.locator(".u-legend", { hasText: 'job="vigil"' }).waitFor();

    // A syntax error shows the server's message in place and marks its position.
    await page.goto(
      `${base}/explore?g0.expr=${encodeURIComponent("sum(rate(up[1m])")}&g0.tab=table`,
    );
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /parse error/);
    await page.locator(".cm-lintRange-error").first().waitFor();
  });

  void it("keeps an absolute time range in the URL across a reload", async () => {
    const ranges: { start: number; end: number }[] = [];
    const onRequest = (req: { url(): string; postData(): string | null }) => {
      if (!req.url().includes("/api/v1/query_range")) return;
      const form = new URLSearchParams(req.postData() ?? "");
      ranges.push({ start: Number(form.get("start")), end: Number(form.get("end")) });
    };
    page.on("request", onRequest);
    try {
      await page.goto(`${base}/explore?g0.expr=up&g0.tab=graph&g0.range=15m`);
      await page.locator(".u-legend", { hasText: 'job="vigil"' }).waitFor();
      await page.getByLabel("Time range").selectOption("absolute");
      await page.waitForURL(/g0\.start=/);
      const url = new URL(page.url());
      const start = url.searchParams.get("g0.start") ?? "";
      const end = url.searchParams.get("g0.end") ?? "";
      // RFC 3339 in UTC, whole seconds, 15 minutes apart.
      assert.match(start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(Date.parse(end) - Date.parse(start), 15 * 60_000);
      const fromInput = await page.getByLabel("Start time").inputValue();
      await page.locator(".u-legend", { hasText: 'job="vigil"' }).waitFor();

      ranges.length = 0;
      await page.reload();
      await page.locator(".u-legend", { hasText: 'job="vigil"' }).waitFor();
      assert.equal(page.url(), url.toString());
      assert.equal(await page.getByLabel("Time range").inputValue(), "absolute");
      assert.equal(await page.getByLabel("Start time").inputValue(), fromInput);
      // The datetime-local input shows the URL's UTC time in the browser's zone.
      const local = await page.evaluate(
        `(() => { const d = new Date(${JSON.stringify(start)}), p = (n) => String(n).padStart(2, "0");
          return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" +
            p(d.getHours()) + ":" + p(d.getMinutes()); })()`,
      );
      assert.equal(fromInput, local);
      assert.notEqual(local, start.slice(0, 16), "the browser runs in UTC; the zone check is void");
      // The reloaded page asks for exactly the range in the URL.
      assert.ok(ranges.length > 0, "no query_range request after the reload");
      assert.deepEqual(ranges.at(-1), {
        start: Date.parse(start) / 1000,
        end: Date.parse(end) / 1000,
      });

      // Back to a relative range: start and end leave the URL.
      await page.getByLabel("Time range").selectOption("1h");
      await page.waitForURL(
        (u) => !u.searchParams.has("g0.start") && !u.searchParams.has("g0.end"),
      );
      assert.equal(new URL(page.url()).searchParams.get("g0.range"), null);
    } finally {
      page.off("request", onRequest);
    }
  });

  void it("shows a long query's elapsed time and cancels it", async () => {
    await page.route("**/api/v1/query_range", async (route) => {
      await new Promise((r) => setTimeout(r, 4000));
      await route.continue().catch(() => undefined);
    });
    try {
      await page.goto(`${base}/explore?g0.expr=up&g0.tab=graph`);
      const loading = page.getByTestId("query-loading");
      await loading.waitFor();
      // The elapsed time ticks: it passes one second while the answer is held back.
      await page
        .getByTestId("query-loading")
        .filter({ hasText: /Running… [1-9]\.\ds/ })
        .waitFor();
      await page.getByRole("button", { name: "Cancel Query 1" }).click();
      await page.getByTestId("query-status").filter({ hasText: "Query canceled." }).waitFor();
      assert.equal(await loading.count(), 0);
      await page.getByRole("button", { name: "Execute Query 1" }).waitFor();
    } finally {
      await page.unrouteAll({ behavior: "ignoreErrors" });
    }
  });

  void it("runs a LogQL query on the Logs page and shows the matching lines", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const values = [
      [`${now - 3_000_000_000n}`, "level=info msg=needle one"],
      [`${now - 2_000_000_000n}`, "level=info msg=haystack"],
      [`${now - 1_000_000_000n}`, "level=error msg=needle two"],
    ];
    const push = await fetch(`${app.address}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ streams: [{ stream: { app: "e2e" }, values }] }),
    });
    assert.equal(push.status, 204);
    await page.goto(`${base}/logs?${new URLSearchParams({ query: '{app="e2e"} |= "needle"' })}`);
    const lines = page.locator("[data-testid=log-line]");
    await lines.filter({ hasText: "needle two" }).waitFor();
    assert.equal(await lines.count(), 2);
    // Newest first, as Loki's default direction.
    assert.match(await lines.first().innerText(), /needle two/);
    assert.match(await lines.nth(1).innerText(), /needle one/);
  });

  void it("live-tails the Logs page and shows a line pushed while tailing", async () => {
    await page.goto(`${base}/logs?${new URLSearchParams({ query: '{app="tail-e2e"}' })}`);
    await page.getByRole("button", { name: "Live" }).click();
    await page.getByTestId("tail-status").filter({ hasText: "live" }).waitFor();
    const push = async (appLabel: string, line: string) => {
      const ns = `${BigInt(Date.now()) * 1_000_000n}`;
      const res = await fetch(`${app.address}/loki/api/v1/push`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ streams: [{ stream: { app: appLabel }, values: [[ns, line]] }] }),
      });
      assert.equal(res.status, 204);
    };
    await push("other", "not for this tail");
    await push("tail-e2e", "first live line");
    const live = page.locator("section[aria-label='Live tail'] [data-testid=log-line]");
    await live.filter({ hasText: "first live line" }).waitFor();
    await push("tail-e2e", "second live line");
    await live.filter({ hasText: "second live line" }).waitFor();
    assert.equal(await live.count(), 2);
    // Newest first.
    assert.match(await live.first().innerText(), /second live line/);
    await page.getByRole("button", { name: "Stop live" }).click();
    await page.locator("section[aria-label='Live tail']").waitFor({ state: "detached" });

    // A query the tail refuses (a metric query) shows the server's reason in place.
    await page.goto(
      `${base}/logs?${new URLSearchParams({ query: 'count_over_time({app="tail-e2e"}[1m])' })}`,
    );
    await page.getByRole("button", { name: "Live" }).click();
    const alert = page.locator("section[aria-label='Live tail'] [role=alert]");
    await alert.waitFor();
    assert.match(await alert.innerText(), /only support log selector queries/);
  });

  void it("links LogQL rules to the Logs page and PromQL rules to Explore", async () => {
    await page.goto(`${base}/rules`);
    const logql = page.locator("a[data-language]", { hasText: "count_over_time" });
    await logql.waitFor();
    const href = (await logql.getAttribute("href")) ?? "";
    assert.match(href, /^\/logs\?query=/);
    // The server prints the expression back in its own form.
    assert.match(
      new URLSearchParams(href.slice("/logs?".length)).get("query") ?? "",
      /sum\(count_over_time\(\{app="e2e"\} \|= "needle" ?\[5m\]\)\) > 1000/,
    );
    const promql = page
      .getByRole("table", { name: "Rules of e2e", exact: true })
      .locator("a[data-language]", { hasText: "vector(1)" });
    assert.match((await promql.getAttribute("href")) ?? "", /^\/explore\?g0\.expr=vector/);
    await logql.click();
    await page.waitForURL(/\/logs\?query=/);
    await page
      .getByRole("img", { name: "Graph of the LogQL metric query" })
      .or(page.getByText("Empty result"))
      .first()
      .waitFor();
  });

  void it("shows the dead target's error on the Targets page", async () => {
    await page.goto(`${base}/targets`);
    const dead = page.locator("[data-testid=target-row]", { hasText: "127.0.0.1:1/metrics" });
    await dead.filter({ hasText: "down" }).waitFor();
    const text = await dead.innerText();
    assert.match(text, /down/);
    assert.match(text, /refused|ECONNREFUSED|connect/i);
    const up = page.locator("[data-testid=target-row]", { hasText: 'job="vigil"' });
    assert.match(await up.innerText(), /\bup\b/);
    // Filters live in the URL; a deep link with a filter loads directly.
    await page.goto(`${base}/targets?health=down`);
    await dead.waitFor();
    assert.equal(await page.locator("[data-testid=target-row]").count(), 1);
  });

  void it("creates a silence from its preview and expires it", async () => {
    await waitFor("the alert in the Alertmanager", async () => {
      const r = (await (await fetch(`${app.address}/api/v2/alerts`)).json()) as {
        labels: Record<string, string>;
      }[];
      return r.some((a) => a.labels.alertname === "AlwaysFiring") ? true : undefined;
    });
    await page.goto(
      `${base}/silences/new?matchers=${encodeURIComponent('{alertname="AlwaysFiring"}')}`,
    );
    await page.locator("[data-testid=preview-alert]").first().waitFor();
    assert.equal(await page.locator("[data-testid=preview-alert]").count(), 1);
    await page.getByLabel("Created by").fill("e2e");
    await page.getByLabel("Comment").fill("testing the UI");
    await page.getByRole("button", { name: "Create silence" }).click();
    await page.waitForURL(`${base}/silences`);
    const active = page.locator("section[aria-label='active silences'] [data-testid=silence]");
    await active.first().waitFor();
    assert.match(await active.first().innerText(), /alertname="AlwaysFiring"/);

    page.once("dialog", (d) => void d.accept());
    await active
      .first()
      .getByRole("button", { name: /Expire silence/ })
      .click();
    const expired = page.locator("section[aria-label='expired silences'] [data-testid=silence]");
    await expired.first().waitFor();
    assert.match(await expired.first().innerText(), /alertname="AlwaysFiring"/);
    const api = (await (await fetch(`${app.address}/api/v2/silences`)).json()) as {
      status: { state: string };
    }[];
    assert.deepEqual(
      api.map((s) => s.status.state),
      ["expired"],
    );
  });

  void it("shows an alert's history and the cardinality of the storage", async () => {
    await page.goto(`${base}/alerts`);
    const card = page.locator("section", {
      has: page.locator("[data-testid=alert]", { hasText: "AlwaysFiring" }),
    });
    await card.first().waitFor();
    await card.first().getByRole("button", { name: "History" }).click();
    const timeline = card.first().getByTestId("alert-timeline");
    await timeline.filter({ hasText: "firing" }).waitFor();
    assert.match(await timeline.innerText(), /firing[\s\S]*until now/);
    const table = page.getByRole("table", { name: "Alert history" });
    await table.filter({ hasText: "AlwaysFiring" }).waitFor();

    // The metric with the most series, as the API counts it, is in the table with its count
    // (which may grow meanwhile). Which metrics make the last rows depends on the process's own
    // metrics: `up` ties with others.
    const tsdb = (await (await fetch(`${base}/api/v1/status/tsdb`)).json()) as {
      data: { seriesCountByMetricName: { name: string; value: number }[] };
    };
    const first = tsdb.data.seriesCountByMetricName[0]!;
    await page.goto(`${base}/status?section=tsdb`);
    const top = page.getByRole("table", { name: "Top metrics by series" });
    await top.waitFor();
    const row = new RegExp(`\\b${first.name}\\s+(\\d+)\\b`).exec(await top.innerText());
    assert.ok(row && Number(row[1]) >= first.value, `${first.name} in ${await top.innerText()}`);
    await page.getByRole("table", { name: "Top label pairs by series" }).waitFor();
  });

  void it("shows failing APIs in place instead of a blank page", async () => {
    try {
      await page.route("**/api/v1/rules", (route) =>
        route.fulfill({
          status: 500,
          contentType: "application/json",
          body: JSON.stringify({ status: "error", errorType: "internal", error: "rules exploded" }),
        }),
      );
      await page.goto(`${base}/rules`);
      const alert = page.getByRole("alert");
      await alert.waitFor();
      assert.match(await alert.innerText(), /internal[\s\S]*rules exploded/);
      await page.getByRole("heading", { name: "Rules" }).waitFor();

      await page.route("**/api/v1/targets*", (route) => route.abort("connectionrefused"));
      await page.goto(`${base}/targets`);
      await alert.waitFor();
      assert.match(await alert.innerText(), /Server unreachable[\s\S]*Is it running\?/);

      await page.route("**/api/v2/silences*", (route) =>
        route.fulfill({ status: 502, contentType: "text/html", body: "<h1>Bad Gateway</h1>" }),
      );
      await page.goto(`${base}/silences`);
      await alert.waitFor();
      assert.match(await alert.innerText(), /502/);

      // A page whose code cannot be fetched says so too.
      await page.goto(`${base}/explore`);
      await page.route("**/assets/StatusPage-*.js", (route) => route.abort("connectionrefused"));
      await page.getByRole("link", { name: "Status" }).click();
      await alert.waitFor();
      assert.match(await alert.innerText(), /could not be loaded/);
    } finally {
      await page.unrouteAll({ behavior: "ignoreErrors" });
    }
  });

  void it("switches between dark and light themes and keeps the choice", async () => {
    await page.goto(`${base}/explore`);
    const theme = () => page.evaluate("document.documentElement.dataset.theme");
    const background = () => page.evaluate("getComputedStyle(document.body).backgroundColor");
    const before = await theme();
    const bgBefore = await background();
    await page.getByRole("button", { name: /Switch to (dark|light) theme/ }).click();
    const after = await theme();
    assert.notEqual(after, before);
    assert.notEqual(await background(), bgBefore);
    await page.reload();
    assert.equal(await theme(), after);
  });

  void it("renders every page without a script error, labelled, at phone width too", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    for (const path of [
      "/explore?g0.expr=up&g0.tab=graph&g1.expr=up&g1.tab=table",
      `/logs?${new URLSearchParams({ query: '{app="e2e"}' })}`,
      "/alerts",
      "/rules",
      "/targets",
      "/silences",
      "/silences/new",
      "/heartbeats",
      "/status",
      "/status?section=tsdb",
      "/status?section=config",
      "/nowhere",
    ]) {
      await page.goto(`${base}${path}`);
      await page.locator("main h1, main [role=alert]").first().waitFor();
      await page.waitForLoadState("networkidle");
      const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
      assert.ok(width <= 390, `${path} is ${width}px wide at a 390px viewport`);
      assert.deepEqual(await page.evaluate(UNLABELLED), [], `unlabelled controls on ${path}`);
    }
    await page.goto(`${base}/alerts`);
    await page.locator("[data-testid=alert]", { hasText: "AlwaysFiring" }).waitFor();
    assert.ok(
      await page
        .locator("a[href='https://runbooks.example.com/always-firing']")
        .first()
        .isVisible(),
    );
    // The menu opens on a phone and navigates.
    await page.getByRole("button", { name: "Menu" }).click();
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Rules" })
      .click();
    await page.waitForURL(`${base}/rules`);
    await page.getByRole("heading", { name: "Rules" }).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
