import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { configToYaml, defaultConfig } from "../../../config/index.ts";
import { labelsFromRecord } from "../../../model/labels/index.ts";
import { Engine } from "../../../promql/engine/index.ts";
import type { Storage } from "../../../storage/index.ts";
import { MemoryStorage } from "../../../storage/memory/index.ts";
import { silentLogger } from "../../../util/logging/index.ts";
import { VERSION } from "../../../util/version.ts";
import { registerPrometheusApi } from "./index.ts";
import type { PrometheusApiDeps } from "./index.ts";
import { unescapeLabelName } from "./api.ts";

// Samples sit on a minute boundary shortly before now, every 15s for 5 minutes.
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const T = T0 / 1000;
const CFG = defaultConfig();

async function fixture(): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  const up1 = labelsFromRecord({ __name__: "up", job: "api", instance: "a:1" });
  const up2 = labelsFromRecord({ __name__: "up", job: "db", instance: "b:1" });
  const req = labelsFromRecord({ __name__: "http_requests_total", job: "api", code: "200" });
  for (let i = 0; i <= 20; i++) {
    const t = T0 - 300_000 + i * 15_000;
    app.append(0, up1, t, 1);
    app.append(0, up2, t, 0);
    app.append(0, req, t, i * 15);
  }
  await app.commit();
  return st;
}

async function newApi(over: Partial<PrometheusApiDeps> = {}): Promise<FastifyInstance> {
  const app = Fastify();
  const storage = await fixture();
  const engine = new Engine();
  await registerPrometheusApi(app, {
    engine: () => engine,
    storage: () => storage,
    config: () => CFG,
    startTimeMs: T0,
    flags: { config: "vigil.yml", listen: "" },
    logger: silentLogger(),
    now: () => T0,
    ...over,
  });
  return app;
}

let api: FastifyInstance;
before(async () => {
  api = await newApi();
});
after(() => api.close());

async function get(url: string, app = api) {
  const r = await app.inject({ url });
  return { status: r.statusCode, body: r.body, json: () => JSON.parse(r.body) as unknown };
}

/** q builds a query string from pairs, encoding values. */
function qs(params: Record<string, string | number>): string {
  return new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, String(v)] as [string, string]),
  ).toString();
}

function errorBody(errorType: string, error: string): string {
  return JSON.stringify({ status: "error", errorType, error });
}

const UP_VECTOR = (t: number) =>
  `{"status":"success","data":{"resultType":"vector","result":[` +
  `{"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[${t},"1"]},` +
  `{"metric":{"__name__":"up","instance":"b:1","job":"db"},"value":[${t},"0"]}]}}`;

describe("/api/v1/query", () => {
  it("returns an instant vector", async () => {
    const r = await get(`/api/v1/query?${qs({ query: "up", time: T })}`);
    assert.equal(r.status, 200);
    assert.equal(r.body, UP_VECTOR(T));
  });

  it("accepts RFC 3339 times and defaults to now", async () => {
    const iso = new Date(T0).toISOString();
    assert.equal((await get(`/api/v1/query?${qs({ query: "up", time: iso })}`)).body, UP_VECTOR(T));
    assert.equal((await get(`/api/v1/query?query=up`)).body, UP_VECTOR(T));
  });

  it("writes millisecond timestamps with three fraction digits, as Prometheus does", async () => {
    const r = await get(`/api/v1/query?${qs({ query: "up", time: T + 0.5 })}`);
    assert.equal(r.body, UP_VECTOR(T).replaceAll(`[${T},`, `[${T}.500,`));
  });

  it("evaluates functions over stored samples", async () => {
    const r = await get(`/api/v1/query?${qs({ query: "sum by (job) (up)", time: T })}`);
    assert.equal(
      r.body,
      `{"status":"success","data":{"resultType":"vector","result":[` +
        `{"metric":{"job":"api"},"value":[${T},"1"]},{"metric":{"job":"db"},"value":[${T},"0"]}]}}`,
    );
  });

  it("returns scalars and strings", async () => {
    const s = await get(`/api/v1/query?${qs({ query: "1 + 1", time: T + 0.25 })}`);
    assert.equal(
      s.body,
      `{"status":"success","data":{"resultType":"scalar","result":[${T + 0.25},"2"]}}`,
    );
    const str = await get(`/api/v1/query?${qs({ query: '"a<b"', time: T })}`);
    assert.equal(
      str.body,
      `{"status":"success","data":{"resultType":"string","result":[${T},"a\\u003cb"]}}`,
    );
  });

  for (const [expr, want] of [
    ["vector(1e-7)", "1e-07"],
    ["vector(0.000001)", "0.000001"],
    ["vector(1e21)", "1e+21"],
    ["vector(123456789.125)", "123456789.125"],
    ["vector(1/0)", "+Inf"],
    ["vector(-1/0)", "-Inf"],
    ["vector(0/0)", "NaN"],
  ] as const) {
    it(`formats sample value ${expr} as ${want}`, async () => {
      const r = await get(`/api/v1/query?${qs({ query: expr, time: T })}`);
      assert.equal(
        r.body,
        `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[${T},"${want}"]}]}}`,
      );
    });
  }

  it("accepts form bodies, which take precedence over the URL", async () => {
    const r = await api.inject({
      method: "POST",
      url: "/api/v1/query?query=nonexistent",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: qs({ query: "up", time: T }),
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.body, UP_VECTOR(T));
    assert.match(String(r.headers["content-type"]), /^application\/json/);
  });

  it("ignores bodies that are not forms", async () => {
    const r = await api.inject({
      method: "POST",
      url: `/api/v1/query?${qs({ query: "up", time: T })}`,
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    assert.equal(r.body, UP_VECTOR(T));
  });

  it("truncates to limit with a warning", async () => {
    const r = await get(`/api/v1/query?${qs({ query: "up", time: T, limit: 1 })}`);
    assert.equal(
      r.body,
      `{"status":"success","data":{"resultType":"vector","result":[` +
        `{"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[${T},"1"]}]},` +
        `"warnings":["results truncated due to limit"]}`,
    );
  });

  it("reports PromQL infos with their position", async () => {
    const r = await get(`/api/v1/query?${qs({ query: "rate(up[5m])", time: T })}`);
    assert.equal(r.status, 200);
    assert.deepEqual((r.json() as { infos: string[] }).infos, [
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up" (1:6)',
    ]);
  });

  it("applies lookback_delta", async () => {
    const later = T + 6 * 60;
    const none = await get(`/api/v1/query?${qs({ query: "up", time: later })}`);
    assert.equal(none.body, `{"status":"success","data":{"resultType":"vector","result":[]}}`);
    const some = await get(
      `/api/v1/query?${qs({ query: "up", time: later, lookback_delta: "10m" })}`,
    );
    assert.equal((some.json() as { data: { result: unknown[] } }).data.result.length, 2);
  });

  it("adds stats when asked", async () => {
    const r = await get(`/api/v1/query?${qs({ query: "up", time: T, stats: "all" })}`);
    const stats = (r.json() as { data: { stats: Record<string, Record<string, unknown>> } }).data
      .stats;
    assert.deepEqual(Object.keys(stats), ["timings", "samples"]);
    assert.deepEqual(Object.keys(stats.timings!), [
      "evalTotalTime",
      "resultSortTime",
      "queryPreparationTime",
      "innerEvalTime",
      "execQueueTime",
      "execTotalTime",
    ]);
    assert.deepEqual(Object.keys(stats.samples!), ["totalQueryableSamples", "peakSamples"]);
    assert.equal(stats.samples!.peakSamples, 2);
    const none = await get(`/api/v1/query?${qs({ query: "up", time: T })}`);
    assert.equal(Object.hasOwn((none.json() as { data: object }).data, "stats"), false);
  });

  for (const [name, params, status, type, error] of [
    [
      "syntax error with its position",
      { query: "up{", time: T },
      400,
      "bad_data",
      'invalid parameter "query": 1:4: parse error: unexpected end of input inside braces',
    ],
    [
      "empty query",
      { query: "" },
      400,
      "bad_data",
      'invalid parameter "query": unknown position: parse error: no expression found in input',
    ],
    [
      "bad time",
      { query: "up", time: "abc" },
      400,
      "bad_data",
      `invalid parameter "time": invalid time value for 'time': cannot parse "abc" to a valid timestamp`,
    ],
    [
      "bad limit",
      { query: "up", limit: "abc" },
      400,
      "bad_data",
      'invalid parameter "limit": strconv.Atoi: parsing "abc": invalid syntax',
    ],
    [
      "negative limit",
      { query: "up", limit: "-1" },
      400,
      "bad_data",
      'invalid parameter "limit": limit must be non-negative',
    ],
    [
      "bad timeout",
      { query: "up", timeout: "soon" },
      400,
      "bad_data",
      'invalid parameter "timeout": cannot parse "soon" to a valid duration',
    ],
    [
      "bad lookback_delta",
      { query: "up", lookback_delta: "x" },
      400,
      "bad_data",
      'error parsing lookback delta duration: cannot parse "x" to a valid duration',
    ],
    [
      "many-to-many matching",
      { query: "up + on() up", time: T },
      422,
      "execution",
      'found duplicate series for the match group {} on the right hand-side of the operation: [{__name__="up", instance="b:1", job="db"}, {__name__="up", instance="a:1", job="api"}];many-to-many matching not allowed: matching labels must be unique on one side',
    ],
  ] as const) {
    it(`fails with ${status} ${type}: ${name}`, async () => {
      const r = await get(`/api/v1/query?${qs(params)}`);
      assert.equal(r.status, status);
      assert.equal(r.body, errorBody(type, error));
    });
  }

  it("fails with 422 when a query loads too many samples", async () => {
    const app = await newApi({ engine: () => new Engine({ maxSamples: 1 }) });
    const r = await get(`/api/v1/query?${qs({ query: "up", time: T })}`, app);
    assert.equal(r.status, 422);
    assert.equal(
      r.body,
      errorBody(
        "execution",
        "query processing would load too many samples into memory in query execution",
      ),
    );
    await app.close();
  });

  it("fails with 503 timeout when the query times out", async () => {
    // A storage that never answers until the engine gives up.
    const hanging = {
      engine: "memory",
      querier: () => ({
        select: (_m: unknown, hints?: { signal?: AbortSignal }) =>
          new Promise((_res, rej) =>
            hints?.signal?.addEventListener("abort", () => rej(new Error("aborted"))),
          ),
      }),
    } as unknown as Storage;
    const app = await newApi({ storage: () => hanging });
    // The engine's deadline is an unreferenced timer; a server socket keeps the loop alive in
    // production, and this interval does in the test.
    const keepAlive = setInterval(() => {}, 1000);
    const r = await get(`/api/v1/query?${qs({ query: "up", time: T, timeout: "0.05" })}`, app);
    clearInterval(keepAlive);
    assert.equal(r.status, 503);
    assert.equal(r.body, errorBody("timeout", "query timed out in query preparation"));
    await app.close();
  });

  it("fails with 503 while storage is not open", async () => {
    const app = await newApi({ storage: () => undefined });
    for (const url of ["/api/v1/query?query=up", "/api/v1/labels", "/api/v1/series?match[]=up"]) {
      const r = await get(url, app);
      assert.equal(r.status, 503, url);
      assert.equal(r.body, errorBody("unavailable", "storage not ready"));
    }
    // Endpoints that need no storage still answer.
    assert.equal((await get("/api/v1/status/buildinfo", app)).status, 200);
    await app.close();
  });
});

describe("/api/v1/query_range", () => {
  it("returns a matrix", async () => {
    const r = await get(
      `/api/v1/query_range?${qs({ query: "sum(up)", start: T - 60, end: T, step: 30 })}`,
    );
    assert.equal(r.status, 200);
    assert.equal(
      r.body,
      `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[${T - 60},"1"],[${T - 30},"1"],[${T},"1"]]}]}}`,
    );
  });

  it("accepts durations as step and POST forms", async () => {
    const r = await api.inject({
      method: "POST",
      url: "/api/v1/query_range",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" },
      payload: qs({ query: "up", start: T - 30, end: T, step: "30s", limit: 1 }),
    });
    assert.equal(
      r.body,
      `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"a:1","job":"api"},"values":[[${T - 30},"1"],[${T},"1"]]}]},"warnings":["results truncated due to limit"]}`,
    );
  });

  for (const [name, params, error] of [
    [
      "missing start",
      { query: "up", end: T, step: 15 },
      'invalid parameter "start": cannot parse "" to a valid timestamp',
    ],
    [
      "bad end",
      { query: "up", start: T, end: "x", step: 15 },
      'invalid parameter "end": cannot parse "x" to a valid timestamp',
    ],
    [
      "end before start",
      { query: "up", start: T, end: T - 1, step: 15 },
      'invalid parameter "end": end timestamp must not be before start time',
    ],
    [
      "bad step",
      { query: "up", start: T, end: T, step: "abc" },
      'invalid parameter "step": cannot parse "abc" to a valid duration',
    ],
    [
      "zero step",
      { query: "up", start: T, end: T, step: 0 },
      'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    ],
    [
      "more than 11000 points",
      { query: "up", start: T - 11001, end: T, step: 1 },
      "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
    ],
    [
      "a range vector",
      { query: "up[5m]", start: T - 60, end: T, step: 15 },
      'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    ],
  ] as const) {
    it(`fails with 400 bad_data: ${name}`, async () => {
      const r = await get(`/api/v1/query_range?${qs(params)}`);
      assert.equal(r.status, 400);
      assert.equal(r.body, errorBody("bad_data", error));
    });
  }

  it("allows exactly 11000 points", async () => {
    const r = await get(
      `/api/v1/query_range?${qs({ query: "vector(1)", start: T - 11000, end: T, step: 1 })}`,
    );
    assert.equal(r.status, 200);
  });
});

describe("/api/v1/series, /labels, /label/:name/values", () => {
  const UP =
    '{"__name__":"up","instance":"a:1","job":"api"},{"__name__":"up","instance":"b:1","job":"db"}';
  const REQ = '{"__name__":"http_requests_total","code":"200","job":"api"}';

  for (const [name, url, body] of [
    ["series by name", "/api/v1/series?match[]=up", `[${UP}]`],
    [
      "several match[], merged and sorted",
      "/api/v1/series?match[]=up&match[]=http_requests_total&match[]={job=%22api%22}",
      `[${REQ},${UP}]`,
    ],
    [
      "series in a range without samples",
      `/api/v1/series?match[]=up&start=${T + 60}&end=${T + 120}`,
      "[]",
    ],
    ["series in a range", `/api/v1/series?match[]=up&start=${T}&end=${T}`, `[${UP}]`],
    ["label names", "/api/v1/labels", '["__name__","code","instance","job"]'],
    [
      "label names by match[]",
      "/api/v1/labels?match[]=http_requests_total",
      '["__name__","code","job"]',
    ],
    [
      "label names by several match[]",
      "/api/v1/labels?match[]=http_requests_total&match[]=up{job=%22db%22}",
      '["__name__","code","instance","job"]',
    ],
    ["label values", "/api/v1/label/job/values", '["api","db"]'],
    ["metric names", "/api/v1/label/__name__/values", '["http_requests_total","up"]'],
    [
      "label values by match[]",
      "/api/v1/label/job/values?match[]=up{instance=%22b:1%22}",
      '["db"]',
    ],
    ["U__-escaped label name", "/api/v1/label/U__job/values", '["api","db"]'],
    ["values of an unknown label", "/api/v1/label/nope/values", "[]"],
  ] as const) {
    it(name, async () => {
      const r = await get(url);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, `{"status":"success","data":${body}}`);
    });
  }

  for (const [name, url, body] of [
    [
      "series",
      "/api/v1/series?match[]=up&limit=1",
      '[{"__name__":"up","instance":"a:1","job":"api"}]',
    ],
    ["labels", "/api/v1/labels?limit=2", '["__name__","code"]'],
    ["label values", "/api/v1/label/job/values?limit=1", '["api"]'],
  ] as const) {
    it(`truncates ${name} to limit with a warning`, async () => {
      const r = await get(url);
      assert.equal(
        r.body,
        `{"status":"success","data":${body},"warnings":["results truncated due to limit"]}`,
      );
    });
  }

  for (const [name, url, error] of [
    ["series without match[]", "/api/v1/series", "no match[] parameter provided"],
    [
      "series with an empty matcher",
      "/api/v1/series?match[]={job=%22%22}",
      'invalid parameter "match[]": match[] must contain at least one non-empty matcher',
    ],
    [
      "series with a bad selector",
      "/api/v1/series?match[]=up{",
      'invalid parameter "match[]": 1:4: parse error: unexpected end of input inside braces',
    ],
    [
      "series with a bad start",
      "/api/v1/series?match[]=up&start=yesterday",
      `invalid parameter "start": invalid time value for 'start': cannot parse "yesterday" to a valid timestamp`,
    ],
    [
      "labels with a bad selector",
      "/api/v1/labels?match[]=up{",
      "1:4: parse error: unexpected end of input inside braces",
    ],
    [
      "label values with an empty matcher",
      "/api/v1/label/job/values?match[]={job=~%22.*%22}",
      "match[] must contain at least one non-empty matcher",
    ],
  ] as const) {
    it(`fails with 400: ${name}`, async () => {
      const r = await get(url);
      assert.equal(r.status, 400);
      assert.equal(r.body, errorBody("bad_data", error));
    });
  }

  it("unescapes U__ label names like model.UnescapeName", () => {
    assert.equal(unescapeLabelName("U__foo_2e_bar"), "foo.bar");
    assert.equal(unescapeLabelName("U__a__b"), "a_b");
    assert.equal(unescapeLabelName("U___1f600_"), "😀");
    assert.equal(unescapeLabelName("U__bad_zz_"), "U__bad_zz_");
    assert.equal(unescapeLabelName("U__open_2e"), "U__open_2e");
    assert.equal(unescapeLabelName("plain"), "plain");
  });
});

describe("/api/v1/format_query and /parse_query", () => {
  it("pretty-prints a query", async () => {
    const r = await get(`/api/v1/format_query?${qs({ query: "sum(rate(x[5m]))by(job)" })}`);
    assert.equal(r.body, '{"status":"success","data":"sum by (job) (rate(x[5m]))"}');
    const bad = await get(`/api/v1/format_query?${qs({ query: "sum(" })}`);
    assert.equal(bad.status, 400);
    assert.match(
      bad.body,
      /^\{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:5: parse error: /,
    );
  });

  it("returns the syntax tree", async () => {
    const r = await get(
      `/api/v1/parse_query?${qs({ query: 'sum by (job) (rate(x{a="b"}[5m] offset 1m)) > 1' })}`,
    );
    assert.deepEqual(r.json(), {
      status: "success",
      data: {
        bool: false,
        lhs: {
          expr: {
            args: [
              {
                matchers: [
                  { name: "a", type: "=", value: "b" },
                  { name: "__name__", type: "=", value: "x" },
                ],
                name: "x",
                offset: 60000,
                range: 300000,
                startOrEnd: null,
                timestamp: null,
                type: "matrixSelector",
              },
            ],
            func: { argTypes: ["matrix"], name: "rate", returnType: "vector", variadic: 0 },
            type: "call",
          },
          grouping: ["job"],
          op: "sum",
          param: null,
          type: "aggregation",
          without: false,
        },
        matching: null,
        op: ">",
        rhs: { type: "numberLiteral", val: "1" },
        type: "binaryExpr",
      },
    });
    // Go encodes maps with sorted keys.
    assert.match(r.body, /^\{"status":"success","data":\{"bool":false,"lhs":\{"expr":/);
  });
});

describe("/api/v1/status", () => {
  it("serves buildinfo, flags and config", async () => {
    assert.deepEqual((await get("/api/v1/status/buildinfo")).json(), {
      status: "success",
      data: {
        version: VERSION,
        revision: "",
        branch: "",
        buildUser: "",
        buildDate: "",
        goVersion: `node ${process.version}`,
      },
    });
    assert.equal(
      (await get("/api/v1/status/flags")).body,
      '{"status":"success","data":{"config":"vigil.yml","listen":""}}',
    );
    assert.deepEqual((await get("/api/v1/status/config")).json(), {
      status: "success",
      data: { yaml: configToYaml(CFG) },
    });
  });

  it("serves runtimeinfo", async () => {
    const r = (await get("/api/v1/status/runtimeinfo")).json() as { data: Record<string, unknown> };
    assert.equal(r.data.startTime, new Date(T0).toISOString().replace(".000Z", "Z"));
    assert.equal(r.data.serverTime, r.data.startTime);
    assert.equal(r.data.reloadConfigSuccess, true);
    assert.equal(r.data.storageRetention, "60d");
    assert.equal(r.data.CWD, process.cwd());
    assert.deepEqual(Object.keys(r.data), [
      "startTime",
      "CWD",
      "hostname",
      "serverTime",
      "reloadConfigSuccess",
      "lastConfigTime",
      "corruptionCount",
      "goroutineCount",
      "GOMAXPROCS",
      "GOMEMLIMIT",
      "GOGC",
      "GODEBUG",
      "storageRetention",
    ]);
  });

  it("computes TSDB cardinality statistics from storage", async () => {
    const r = await get("/api/v1/status/tsdb");
    assert.deepEqual(r.json(), {
      status: "success",
      data: {
        headStats: {
          numSeries: 3,
          numLabelPairs: 7,
          chunkCount: 0,
          minTime: T0 - 300_000,
          maxTime: T0,
        },
        seriesCountByMetricName: [
          { name: "up", value: 2 },
          { name: "http_requests_total", value: 1 },
        ],
        labelValueCountByLabelName: [
          { name: "__name__", value: 2 },
          { name: "instance", value: 2 },
          { name: "job", value: 2 },
          { name: "code", value: 1 },
        ],
        memoryInBytesByLabelName: [
          { name: "__name__", value: 19 + 2 + 2 },
          { name: "job", value: 3 + 3 + 2 },
          { name: "instance", value: 6 },
          { name: "code", value: 3 },
        ],
        seriesCountByLabelValuePair: [
          { name: "__name__=up", value: 2 },
          { name: "job=api", value: 2 },
          { name: "__name__=http_requests_total", value: 1 },
          { name: "code=200", value: 1 },
          { name: "instance=a:1", value: 1 },
          { name: "instance=b:1", value: 1 },
          { name: "job=db", value: 1 },
        ],
      },
    });
    const one = (await get("/api/v1/status/tsdb?limit=1")).json() as {
      data: Record<string, unknown[]>;
    };
    assert.deepEqual(one.data.seriesCountByMetricName, [{ name: "up", value: 2 }]);
    assert.equal(one.data.seriesCountByLabelValuePair!.length, 1);
    for (const bad of ["0", "x"]) {
      const e = await get(`/api/v1/status/tsdb?limit=${bad}`);
      assert.equal(e.status, 400);
      assert.equal(e.body, errorBody("bad_data", "limit must be a positive number"));
    }
  });

  it("reports an empty head like Prometheus", async () => {
    const app = await newApi({ storage: () => new MemoryStorage() });
    const r = await get("/api/v1/status/tsdb", app);
    assert.match(r.body, /"minTime":9223372036854775807,"maxTime":-9223372036854775808\}/);
    await app.close();
  });
});

describe("endpoints of subsystems still to come", () => {
  for (const [url, status, body] of [
    ["/api/v1/rules", 200, '{"groups":[]}'],
    ["/api/v1/alerts", 200, '{"alerts":[]}'],
    ["/api/v1/alertmanagers", 200, '{"activeAlertmanagers":[],"droppedAlertmanagers":[]}'],
    ["/api/v1/query_exemplars?query=up", 200, "[]"],
  ] as const) {
    it(`${url} answers ${body}`, async () => {
      const r = await get(url);
      assert.equal(r.status, status);
      assert.equal(r.body, `{"status":"success","data":${body}}`);
    });
  }

  for (const [url, error] of [
    ["/api/v1/rules?type=bogus", 'invalid parameter "type": not supported value "bogus"'],
    [
      "/api/v1/query_exemplars?query=up{",
      "1:4: parse error: unexpected end of input inside braces",
    ],
  ] as const) {
    it(`${url} fails with 400`, async () => {
      const r = await get(url);
      assert.equal(r.status, 400);
      assert.equal(r.body, errorBody("bad_data", error));
    });
  }

  it("answers exemplar queries without selectors with 204", async () => {
    const r = await get("/api/v1/query_exemplars?query=1");
    assert.equal(r.status, 204);
    assert.equal(r.body, "");
  });
});

describe("CORS", () => {
  it("sets CORS headers for requests with an Origin and answers OPTIONS", async () => {
    const r = await api.inject({ url: "/api/v1/labels", headers: { origin: "http://grafana" } });
    assert.equal(r.headers["access-control-allow-origin"], "*");
    assert.equal(r.headers["access-control-allow-methods"], "GET, POST, OPTIONS");
    const plain = await api.inject({ url: "/api/v1/labels" });
    assert.equal(plain.headers["access-control-allow-origin"], undefined);
    const o = await api.inject({
      method: "OPTIONS",
      url: "/api/v1/query",
      headers: { origin: "http://grafana" },
    });
    assert.equal(o.statusCode, 204);
    assert.equal(
      o.headers["access-control-allow-headers"],
      "Accept, Authorization, Content-Type, Origin",
    );
  });
});
