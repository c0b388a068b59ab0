// End-to-end test of the web UI in headless Chromium (playwright-core): a Vigil in this process
// scrapes itself and a dead port, evaluates an always-firing rule and runs the Alertmanager; the
// test opens the UI, runs a PromQL query and reads the chart's legend, sees the dead target's
// error, creates a silence from its preview and expires it.
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

void describe("web UI end to end", { skip, timeout: 90_000 }, () => {
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
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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

  void it("renders every page without a script error, at phone width too", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const path of [
      "/alerts",
      "/rules",
      "/heartbeats",
      "/status",
      "/status?section=tsdb",
      "/logs",
      "/nowhere",
    ]) {
      await page.goto(`${base}${path}`);
      await page.locator("main h1, main [role=alert], main div").first().waitFor();
    }
    await page.goto(`${base}/alerts`);
    await page.locator("[data-testid=alert]", { hasText: "AlwaysFiring" }).waitFor();
    assert.ok(
      await page
        .locator("a[href='https://runbooks.example.com/always-firing']")
        .first()
        .isVisible(),
    );
    const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
    assert.ok(width <= 380, `page is ${width}px wide at a 375px viewport`);
    assert.deepEqual(pageErrors, []);
  });
});
