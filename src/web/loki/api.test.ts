// HTTP tests of the Loki query API over memory storage, through Fastify's inject. Expected
// bodies follow Loki's documented examples and pkg/util/marshal/marshal_test.go.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import websocket from "@fastify/websocket";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { labelsFromRecord } from "../../model/labels/index.ts";
import { MemoryStorage } from "../../storage/memory/index.ts";
import type { Storage } from "../../storage/index.ts";
import { silentLogger } from "../../util/logging/index.ts";
import { registerLokiApi } from "./index.ts";

const S = 1_000_000_000n;
/** T0 is 2024-01-01T00:00:00Z; the clock stands at T0 + 1h. */
const T0 = 1_704_067_200n * S;
const NOW = T0 + 3600n * S;

async function newApp(storage: Storage | undefined, tailPollMs = 1000): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(websocket);
  await registerLokiApi(app, {
    storage: () => storage,
    logger: silentLogger(),
    nowNs: () => NOW,
    limits: { tailPollMs },
  });
  await app.ready();
  return app;
}

async function seed(storage: Storage): Promise<void> {
  const a = storage.logs.logAppender();
  const md = labelsFromRecord({ trace_id: "abc" });
  a.append(labelsFromRecord({ app: "x", env: "prod" }), [
    { tsNs: T0 + 1n * S, line: "level=info msg=start", metadata: [] },
    { tsNs: T0 + 2n * S, line: "level=error msg=boom <b>", metadata: md },
    { tsNs: T0 + 3n * S, line: "level=info msg=done", metadata: [] },
  ]);
  a.append(labelsFromRecord({ app: "y", env: "dev" }), [
    { tsNs: T0 + 2n * S + 500_000_000n, line: "hello from y", metadata: [] },
  ]);
  await a.commit();
}

function qs(params: Record<string, string | string[]>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const x of Array.isArray(v) ? v : [v]) u.append(k, x);
  }
  return u.toString();
}

const RANGE = { start: `${T0}`, end: `${T0 + 60n * S}` };

describe("Loki query API", () => {
  let storage: MemoryStorage;
  let app: FastifyInstance;
  before(async () => {
    storage = new MemoryStorage();
    await seed(storage);
    app = await newApp(storage, 50);
  });
  after(async () => {
    await app.close();
    await storage.close();
  });

  const get = async (path: string, params: Record<string, string | string[]> = {}) => {
    const r = await app.inject({ method: "GET", url: `${path}?${qs(params)}` });
    return r;
  };
  const json = async (path: string, params: Record<string, string | string[]> = {}) => {
    const r = await get(path, params);
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ status: string; data: any }>();
  };

  describe("query_range", () => {
    it("returns streams backward by default, with nanosecond string timestamps", async () => {
      const r = await get("/loki/api/v1/query_range", { query: '{app="x"}', ...RANGE });
      assert.equal(r.statusCode, 200);
      assert.match(r.headers["content-type"] as string, /^application\/json/);
      const body = r.json();
      assert.equal(body.status, "success");
      assert.equal(body.data.resultType, "streams");
      assert.deepEqual(body.data.result, [
        {
          stream: { app: "x", env: "prod", trace_id: "abc" },
          values: [[`${T0 + 2n * S}`, "level=error msg=boom <b>"]],
        },
        {
          stream: { app: "x", env: "prod" },
          values: [
            [`${T0 + 3n * S}`, "level=info msg=done"],
            [`${T0 + 1n * S}`, "level=info msg=start"],
          ],
        },
      ]);
      // Lines are HTML-escaped as jsoniter's WriteStringWithHTMLEscaped writes them.
      assert.ok(r.body.includes("boom \\u003cb\\u003e"));
      assert.equal(typeof body.data.stats.summary.execTime, "number");
      assert.equal(body.data.stats.summary.totalEntriesReturned, 3);
      assert.deepEqual(Object.keys(body.data.stats), [
        "index",
        "ingester",
        "querier",
        "cache",
        "summary",
      ]);
    });

    it("honours direction=forward and limit", async () => {
      const body = await json("/loki/api/v1/query_range", {
        query: '{env=~".+"}',
        ...RANGE,
        direction: "FORWARD",
        limit: "2",
      });
      const values = body.data.result.flatMap((s: { values: string[][] }) => s.values);
      assert.deepEqual(values.map((v: string[]) => v[1]).sort(), [
        "level=error msg=boom <b>",
        "level=info msg=start",
      ]);
      const back = await json("/loki/api/v1/query_range", {
        query: '{env=~".+"}',
        ...RANGE,
        limit: "1",
      });
      assert.deepEqual(back.data.result[0].values, [[`${T0 + 3n * S}`, "level=info msg=done"]]);
    });

    it("categorizes labels when asked by header", async () => {
      const r = await app.inject({
        method: "GET",
        url: `/loki/api/v1/query_range?${qs({ query: '{app="x"} | logfmt | level="error"', ...RANGE })}`,
        headers: { "X-Loki-Response-Encoding-Flags": "categorize-labels" },
      });
      assert.equal(r.statusCode, 200, r.body);
      const data = r.json().data;
      assert.deepEqual(data.encodingFlags, ["categorize-labels"]);
      assert.deepEqual(data.result, [
        {
          stream: { app: "x", env: "prod" },
          values: [
            [
              `${T0 + 2n * S}`,
              "level=error msg=boom <b>",
              { structuredMetadata: { trace_id: "abc" }, parsed: { level: "error", msg: "boom" } },
            ],
          ],
        },
      ]);
    });

    it("evaluates metric queries into matrices with float-second times", async () => {
      const body = await json("/loki/api/v1/query_range", {
        query: 'sum by (app) (count_over_time({env=~".+"}[10s]))',
        start: `${T0}`,
        end: `${T0 + 10n * S}`,
        step: "5s",
      });
      assert.equal(body.data.resultType, "matrix");
      assert.deepEqual(body.data.result, [
        {
          metric: { app: "x" },
          values: [
            [1704067205, "3"],
            [1704067210, "3"],
          ],
        },
        {
          metric: { app: "y" },
          values: [
            [1704067205, "1"],
            [1704067210, "1"],
          ],
        },
      ]);
    });

    it("accepts POST form bodies and RFC3339, float seconds and since", async () => {
      const r = await app.inject({
        method: "POST",
        url: "/loki/api/v1/query_range",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: qs({
          query: '{app="y"}',
          start: "2024-01-01T00:00:02.4Z",
          end: "1704067260.5",
        }),
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().data.result[0].values[0][1], "hello from y");
      const since = await json("/loki/api/v1/query_range", {
        query: '{app="y"}',
        end: `${T0 + 3n * S}`,
        since: "1s",
      });
      assert.equal(since.data.result.length, 1);
      const sec = await json("/loki/api/v1/query_range", {
        query: '{app="y"}',
        start: "1704067202",
        end: "1704067203",
      });
      assert.equal(sec.data.result.length, 1);
    });
  });

  describe("query", () => {
    it("evaluates instant metric queries into vectors", async () => {
      const body = await json("/loki/api/v1/query", {
        query: 'count_over_time({app="x"}[1m])',
        time: `${T0 + 30n * S}`,
      });
      assert.equal(body.data.resultType, "vector");
      // Structured metadata becomes labels of metric queries, as in Loki.
      assert.deepEqual(body.data.result, [
        { metric: { app: "x", env: "prod" }, value: [1704067230, "2"] },
        { metric: { app: "x", env: "prod", trace_id: "abc" }, value: [1704067230, "1"] },
      ]);
    });

    it("answers scalars", async () => {
      const body = await json("/loki/api/v1/query", { query: "1 + 1", time: "1704067230.25" });
      assert.deepEqual(body.data, {
        ...body.data,
        resultType: "scalar",
        result: [1704067230.25, "2"],
      });
    });

    it("refuses log queries as instant queries with 400", async () => {
      const r = await get("/loki/api/v1/query", { query: '{app="x"}' });
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /log queries are not supported as an instant query type/);
    });
  });

  describe("errors", () => {
    const cases: {
      name: string;
      path?: string;
      params: Record<string, string>;
      status: number;
      body: string | RegExp;
    }[] = [
      {
        name: "parse error",
        params: { query: '{app="x"} |= foo', ...RANGE },
        status: 400,
        body: /^parse error at line 1, col 14: syntax error: unexpected IDENTIFIER/,
      },
      {
        name: "bad start",
        params: { query: '{app="x"}', start: "yesterday" },
        status: 400,
        body: `could not parse 'start' parameter: strconv.ParseInt: parsing "yesterday": invalid syntax`,
      },
      {
        name: "bad time",
        path: "/loki/api/v1/query",
        params: { query: "1", time: "noon" },
        status: 400,
        body: 'strconv.ParseInt: parsing "noon": invalid syntax',
      },
      {
        name: "bad limit",
        params: { query: '{app="x"}', limit: "ten" },
        status: 400,
        body: 'strconv.Atoi: parsing "ten": invalid syntax',
      },
      {
        name: "zero limit",
        params: { query: '{app="x"}', limit: "0" },
        status: 400,
        body: "limit must be a positive value",
      },
      {
        name: "end before start",
        params: { query: '{app="x"}', start: `${T0 + S}`, end: `${T0}` },
        status: 400,
        body: "end timestamp must not be before or equal to start time",
      },
      {
        name: "bad direction",
        params: { query: '{app="x"}', direction: "up" },
        status: 400,
        body: "invalid direction 'up'",
      },
      {
        name: "bad step",
        params: { query: '{app="x"}', step: "often" },
        status: 400,
        body: 'cannot parse "often" to a valid duration',
      },
      {
        name: "zero step",
        params: { query: '{app="x"}', step: "0" },
        status: 400,
        body: "zero or negative query resolution step widths are not accepted. Try a positive integer",
      },
      {
        name: "too many points",
        params: { query: '{app="x"}', step: "0.1" },
        status: 400,
        body: "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter",
      },
      {
        name: "negative interval",
        params: { query: '{app="x"}', interval: "-1" },
        status: 400,
        body: "interval must be >= 0",
      },
      {
        name: "max entries",
        params: { query: '{app="x"}', limit: "5001" },
        status: 400,
        body: "max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)",
      },
      {
        name: "query length",
        params: { query: '{app="x"}', start: "0", end: `${T0}` },
        status: 400,
        body: /^the query time range exceeds the limit \(query length: 473352h0m0s, limit: 30d1h\)$/,
      },
      {
        name: "pipeline error",
        params: { query: 'sum(rate({app="x"} | logfmt | unwrap msg [1m]))', ...RANGE },
        status: 400,
        body: /^pipeline error: 'SampleExtractionErr'/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const r = await get(c.path ?? "/loki/api/v1/query_range", c.params);
        assert.equal(r.statusCode, c.status, r.body);
        assert.match(r.headers["content-type"] as string, /^text\/plain/);
        if (typeof c.body === "string") assert.equal(r.body, c.body);
        else assert.match(r.body, c.body);
      });
    }

    it("answers 503 while storage is not open", async () => {
      const closed = await newApp(undefined);
      try {
        const r = await closed.inject({
          url: `/loki/api/v1/query_range?${qs({ query: '{app="x"}' })}`,
        });
        assert.equal(r.statusCode, 503);
        assert.equal(r.body, "storage not ready");
        const ready = await closed.inject({ url: "/ready" });
        assert.equal(ready.statusCode, 503);
      } finally {
        await closed.close();
      }
    });
  });

  describe("labels, series and index", () => {
    it("lists label names and values", async () => {
      const names = await json("/loki/api/v1/labels", RANGE);
      assert.deepEqual(names, { status: "success", data: ["app", "env"] });
      const values = await json("/loki/api/v1/label/app/values", RANGE);
      assert.deepEqual(values, { status: "success", data: ["x", "y"] });
      const filtered = await json("/loki/api/v1/label/app/values", {
        ...RANGE,
        query: '{env="dev"}',
      });
      assert.deepEqual(filtered.data, ["y"]);
      const none = await get("/loki/api/v1/label/nope/values", RANGE);
      assert.equal(none.body, '{"status":"success"}\n');
    });

    it("lists series for match[] and match", async () => {
      const body = await json("/loki/api/v1/series", { ...RANGE, "match[]": '{app="x"}' });
      assert.deepEqual(body, { status: "success", data: [{ app: "x", env: "prod" }] });
      const both = await json("/loki/api/v1/series", {
        ...RANGE,
        match: '{app="y"}',
        "match[]": '{app="x"}',
      });
      assert.equal(both.data.length, 2);
      const all = await json("/loki/api/v1/series", { ...RANGE, match: "{}" });
      assert.equal(all.data.length, 2);
      const bad = await get("/loki/api/v1/series", { ...RANGE, match: '{app=~".*"}' });
      assert.equal(bad.statusCode, 400);
    });

    it("answers index/stats", async () => {
      const r = await get("/loki/api/v1/index/stats", { ...RANGE, query: '{app="x"}' });
      assert.equal(r.statusCode, 200, r.body);
      const s = r.json();
      assert.deepEqual(Object.keys(s), ["streams", "chunks", "bytes", "entries"]);
      assert.equal(s.streams, 1);
      assert.equal(s.entries, 3);
      assert.equal(
        s.bytes,
        "level=info msg=startlevel=error msg=boom <b>level=info msg=done".length,
      );
    });

    it("answers index/volume as a vector and volume_range as a matrix", async () => {
      const v = await json("/loki/api/v1/index/volume", { ...RANGE, query: '{env=~".+"}' });
      assert.equal(v.data.resultType, "vector");
      assert.deepEqual(
        v.data.result.map((s: { metric: object; value: [number, string] }) => [s.metric, s.value]),
        [
          [{ env: "prod" }, [1704067260, "63"]],
          [{ env: "dev" }, [1704067260, "12"]],
        ],
      );
      const byApp = await json("/loki/api/v1/index/volume", {
        ...RANGE,
        query: '{env=~".+"}',
        targetLabels: "app",
      });
      assert.deepEqual(byApp.data.result[0].metric, { app: "x" });
      const labels = await json("/loki/api/v1/index/volume", {
        ...RANGE,
        query: '{app="x"}',
        aggregateBy: "labels",
      });
      assert.deepEqual(
        labels.data.result.map((s: { metric: object }) => s.metric),
        [{ app: "" }, { env: "" }],
      );
      const m = await json("/loki/api/v1/index/volume_range", {
        start: `${T0}`,
        end: `${T0 + 4n * S}`,
        step: "2s",
        query: '{app="x"}',
      });
      assert.equal(m.data.resultType, "matrix");
      assert.deepEqual(m.data.result[0].values, [
        [1704067202, "20"],
        [1704067204, "43"],
      ]);
      const bad = await get("/loki/api/v1/index/volume", {
        query: '{app="x"}',
        aggregateBy: "nope",
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.body, "invalid aggregation option");
    });
  });

  describe("format_query, buildinfo, ready", () => {
    it("formats queries and reports invalid ones", async () => {
      const r = await get("/loki/api/v1/format_query", { query: '{app="x"}|="a"' });
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, '{"status":"success","data":"{app=\\"x\\"} |= \\"a\\""}\n');
      // Over 100 bytes Loki answers the prettified, multi-line form.
      const long =
        'sum by (app) (count_over_time({app="checkout", namespace="production"} |= "error" ' +
        '| logfmt | level="error" [5m]))';
      const l = await get("/loki/api/v1/format_query", { query: long });
      assert.equal(
        l.json().data,
        // The inner range aggregation is 96 bytes: it stays on one line.
        'sum by (app)(\n  count_over_time({app="checkout", namespace="production"} |= "error"' +
          ' | logfmt | level="error"[5m])\n)',
      );
      const bad = await get("/loki/api/v1/format_query", { query: "{app=" });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().status, "invalid-query");
      assert.match(bad.json().error, /^parse error at line 1/);
    });

    it("serves buildinfo and /ready", async () => {
      const b = await json("/loki/api/v1/status/buildinfo");
      assert.deepEqual(Object.keys(b), [
        "version",
        "revision",
        "branch",
        "buildUser",
        "buildDate",
        "goVersion",
      ]);
      const r = await get("/ready");
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, "ready\n");
    });
  });

  describe("tail", () => {
    it("refuses bad parameters with 400 before upgrading", async () => {
      const r = await get("/loki/api/v1/tail", { query: '{app="x"}', delay_for: "6" });
      assert.equal(r.statusCode, 400);
      assert.equal(r.body, "delay_for can't be greater than 5");
    });

    it("streams existing and new entries over a WebSocket", async () => {
      const frames: { streams: { stream: object; values: string[][] }[] }[] = [];
      const ws = await app.injectWS(
        `/loki/api/v1/tail?${qs({ query: '{app="x"} |= "level"', start: `${T0}` })}`,
      );
      ws.on("message", (m: Buffer) => frames.push(JSON.parse(m.toString())));
      const until = async (n: number) => {
        for (let i = 0; i < 100 && frames.length < n; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(frames.length >= n, `expected ${n} frames, got ${frames.length}`);
      };
      await until(1);
      assert.equal(frames[0]!.streams.flatMap((s) => s.values).length, 3);
      assert.equal("dropped_entries" in frames[0]!, false);
      const a = storage.logs.logAppender();
      a.append(labelsFromRecord({ app: "x", env: "prod" }), [
        { tsNs: T0 + 10n * S, line: "level=warn msg=late", metadata: [] },
        { tsNs: T0 + 11n * S, line: "not matching", metadata: [] },
      ]);
      await a.commit();
      await until(2);
      assert.deepEqual(frames[1], {
        streams: [
          {
            stream: { app: "x", env: "prod" },
            values: [[`${T0 + 10n * S}`, "level=warn msg=late"]],
          },
        ],
      });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(frames.length, 2, "no entry is sent twice");
      ws.terminate();
    });
  });
});
