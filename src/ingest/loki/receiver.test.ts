import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { compressSync } from "snappy";
import { silentLogger } from "../../util/logging/index.ts";
import type { LogIngestConfig, LokiProtoStream } from "./index.ts";
import {
  DEFAULT_LOG_INGEST_CONFIG,
  encodeLokiPushRequest,
  logIngestSchema,
  registerLokiPushReceiver,
} from "./index.ts";
import { FakeLogStore } from "./testdata/fake-log-store.ts";

const NOW_MS = Date.UTC(2024, 4, 1, 12, 0, 0);
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;
const ns = (offsetMs: number): string => String(NOW_NS + BigInt(offsetMs) * 1_000_000n);

interface Env {
  app: FastifyInstance;
  store: FakeLogStore;
  registry: Registry;
  ready: { store: FakeLogStore | undefined };
}

async function setup(limits: Partial<LogIngestConfig> = {}): Promise<Env> {
  const app = Fastify();
  const store = new FakeLogStore();
  const registry = new Registry();
  const ready: { store: FakeLogStore | undefined } = { store };
  const cfg = { ...DEFAULT_LOG_INGEST_CONFIG, ...limits };
  await registerLokiPushReceiver(app, {
    logStore: () => ready.store,
    limits: () => cfg,
    logger: silentLogger(),
    registry,
    now: () => NOW_MS,
  });
  await app.ready();
  return { app, store, registry, ready };
}

function pushJson(env: Env, body: unknown, headers: Record<string, string> = {}) {
  return env.app.inject({
    method: "POST",
    url: "/loki/api/v1/push",
    headers: { "content-type": "application/json", ...headers },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function pushProto(env: Env, streams: LokiProtoStream[], headers: Record<string, string> = {}) {
  return env.app.inject({
    method: "POST",
    url: "/loki/api/v1/push",
    headers: { "content-type": "application/x-protobuf", ...headers },
    payload: compressSync(Buffer.from(encodeLokiPushRequest({ streams }))),
  });
}

async function metric(env: Env, name: string, labels: Record<string, string>): Promise<number> {
  const m = await env.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) =>
    Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val),
  );
  return v?.value ?? 0;
}

describe("Loki push receiver", () => {
  it("stores JSON streams with structured metadata, service_name and detected_level", async () => {
    const env = await setup();
    const res = await pushJson(env, {
      streams: [
        {
          stream: { app: "api", env: "prod", empty: "" },
          values: [
            [ns(-1000), "level=warn msg=slow", { trace_id: "abc", "user.id": "7" }],
            [ns(-500), '{"level":"error","msg":"boom"}'],
          ],
        },
      ],
    });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual(env.store.all(), [
      {
        labels: { app: "api", env: "prod", service_name: "api" },
        entries: [
          {
            tsNs: NOW_NS - 1_000_000_000n,
            line: "level=warn msg=slow",
            metadata: { detected_level: "warn", trace_id: "abc", user_id: "7" },
          },
          {
            tsNs: NOW_NS - 500_000_000n,
            line: '{"level":"error","msg":"boom"}',
            metadata: { detected_level: "error" },
          },
        ],
      },
    ]);
    assert.equal(await metric(env, "vigil_logs_received_lines_total", { format: "loki" }), 2);
  });

  it("stores snappy protobuf, gzip JSON and the legacy JSON format", async () => {
    const env = await setup({ discoverLogLevels: false, discoverServiceName: [] });
    let res = await pushProto(env, [
      {
        labels: '{job="proto"}',
        entries: [
          {
            timestamp: { seconds: NOW_MS / 1000 - 1, nanos: 123456789 },
            line: "from protobuf",
            structuredMetadata: [{ name: "pod", value: "p-1" }],
          },
        ],
      },
    ]);
    assert.equal(res.statusCode, 204, res.body);
    res = await env.app.inject({
      method: "POST",
      url: "/loki/api/v1/push",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      payload: gzipSync(
        JSON.stringify({ streams: [{ stream: { job: "gz" }, values: [[ns(0), "zipped"]] }] }),
      ),
    });
    assert.equal(res.statusCode, 204, res.body);
    res = await env.app.inject({
      method: "POST",
      url: "/api/prom/push",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({
        streams: [
          {
            labels: '{job="legacy"}',
            entries: [{ ts: "2024-05-01T11:59:59.5Z", line: "old api" }],
          },
        ],
      }),
    });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual(env.store.all(), [
      {
        labels: { job: "gz" },
        entries: [{ tsNs: NOW_NS, line: "zipped", metadata: {} }],
      },
      {
        labels: { job: "legacy" },
        entries: [{ tsNs: NOW_NS - 500_000_000n, line: "old api", metadata: {} }],
      },
      {
        labels: { job: "proto" },
        entries: [
          {
            tsNs: NOW_NS - 1_000_000_000n + 123_456_789n,
            line: "from protobuf",
            metadata: { pod: "p-1" },
          },
        ],
      },
    ]);
  });

  it("keeps the good streams and entries of a partly invalid request and answers 400", async () => {
    const env = await setup({ maxLineSizeBytes: 10, discoverLogLevels: false });
    const res = await pushJson(env, {
      streams: [
        {
          stream: { app: "good" },
          values: [
            [ns(0), "ok"],
            [ns(-8 * 24 * 3600 * 1000), "too old"],
            [ns(11 * 60 * 1000), "too new"],
            [ns(1), "this line is too long"],
          ],
        },
        {
          stream: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`l${i}`, "v"])),
          values: [[ns(0), "too many labels"]],
        },
      ],
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
    const s = `{app="good", service_name="good"}`;
    const many =
      "{" +
      Array.from({ length: 16 }, (_, i) => `l${i}`)
        .sort()
        .map((n) => `${n}="v"`)
        .join(", ") +
      ', service_name="unknown_service"}';
    assert.equal(
      res.body,
      [
        `1 errors like: entry for stream '${s}' has timestamp too old: 2024-04-23T12:00:00Z, oldest acceptable timestamp is: 2024-04-24T12:00:00Z`,
        `1 errors like: entry for stream '${s}' has timestamp too new: 2024-05-01T12:11:00Z`,
        `1 errors like: max entry size '10' bytes exceeded for stream '${s}' while adding an entry with length '21' bytes`,
        `1 errors like: entry for stream '${many}' has 16 label names; limit 15`,
      ].join("; ") + "\n",
    );
    assert.deepEqual(env.store.all(), [
      {
        labels: { app: "good", service_name: "good" },
        entries: [{ tsNs: NOW_NS, line: "ok", metadata: {} }],
      },
    ]);
    const reasons = {
      greater_than_max_sample_age: 1,
      too_far_in_future: 1,
      line_too_long: 1,
      max_label_names_per_series: 1,
    };
    for (const [reason, n] of Object.entries(reasons)) {
      assert.equal(await metric(env, "vigil_logs_discarded_total", { reason }), n, reason);
    }
  });

  it("groups repeated messages and reports one alone", async () => {
    const env = await setup({ discoverLogLevels: false });
    let res = await pushJson(env, {
      streams: [
        {
          stream: { app: "a" },
          values: [
            [ns(20 * 60 * 1000), "x"],
            [ns(20 * 60 * 1000), "y"],
          ],
        },
      ],
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /^2 errors like: entry for stream .* has timestamp too new: /);
    res = await pushJson(env, {
      streams: [{ stream: { app: "a" }, values: [[ns(20 * 60 * 1000), "x"]] }],
    });
    assert.equal(res.statusCode, 400);
    assert.equal(
      res.body,
      `entry for stream '{app="a", service_name="a"}' has timestamp too new: 2024-05-01T12:20:00Z\n`,
    );
  });

  it("refuses a request with unparsable labels whole", async () => {
    const env = await setup();
    const res = await pushJson(env, {
      streams: [
        { stream: { app: "good" }, values: [[ns(0), "x"]] },
        { stream: { "foo-bar": "x" }, values: [[ns(0), "y"]] },
      ],
    });
    assert.equal(res.statusCode, 400);
    assert.equal(
      res.body,
      "couldn't parse labels: 1:5: parse error: unexpected character inside braces: '-'\n",
    );
    assert.equal(env.store.entryCount(), 0);
  });

  it("validates label names, values and duplicates per stream", async () => {
    const env = await setup({
      maxLabelNameLength: 5,
      maxLabelValueLength: 5,
      discoverServiceName: [],
    });
    const res = await pushProto(env, [
      {
        labels: '{a="1", a="2"}',
        entries: [{ timestamp: { seconds: NOW_MS / 1000, nanos: 0 }, line: "dup" }],
      },
      {
        labels: '{toolong="1"}',
        entries: [{ timestamp: { seconds: NOW_MS / 1000, nanos: 0 }, line: "n" }],
      },
      {
        labels: '{a="toolong"}',
        entries: [{ timestamp: { seconds: NOW_MS / 1000, nanos: 0 }, line: "v" }],
      },
      {
        labels: "{}",
        entries: [{ timestamp: { seconds: NOW_MS / 1000, nanos: 0 }, line: "none" }],
      },
      {
        labels: '{ok="1"}',
        entries: [{ timestamp: { seconds: NOW_MS / 1000, nanos: 0 }, line: "fine" }],
      },
    ]);
    assert.equal(res.statusCode, 400);
    assert.equal(
      res.body,
      [
        `1 errors like: stream '{a="1", a="2"}' has duplicate label name: 'a'`,
        `1 errors like: stream '{toolong="1"}' has label name too long: 'toolong'`,
        `1 errors like: stream '{a="toolong"}' has label value too long: 'toolong'`,
        "1 errors like: error at least one label pair is required per stream",
      ].join("; ") + "\n",
    );
    assert.deepEqual(
      env.store.all().map((s) => s.labels),
      [{ ok: "1" }],
    );
  });

  it("answers bad bodies with Loki's status codes", async () => {
    const env = await setup();
    const cases: {
      headers: Record<string, string>;
      payload: string | Buffer;
      status: number;
      body: RegExp;
    }[] = [
      {
        headers: { "content-type": "application/json" },
        payload: "{",
        status: 400,
        body: /^invalid JSON/,
      },
      {
        headers: { "content-type": "application/json" },
        payload: '{"streams":[{"stream":{"a":"b"},"values":[[1,"x"]]}]}',
        status: 400,
        body: /^Value is not a string\n$/,
      },
      {
        headers: { "content-type": "application/json" },
        payload: '{"streams":[{"stream":{"a":"b"},"values":[["12x","x"]]}]}',
        status: 400,
        body: /^Value is not a number\n$/,
      },
      { headers: {}, payload: "x", status: 400, body: /^mime: no media type\n$/ },
      {
        headers: { "content-type": "application/x-protobuf" },
        payload: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        status: 400,
        body: /^snappy: corrupt input\n$/,
      },
      {
        headers: { "content-type": "application/x-protobuf" },
        payload: compressSync(Buffer.from([0x0a, 0x10, 0x0a])),
        status: 400,
        body: /^unexpected EOF\n$/,
      },
      {
        headers: { "content-type": "application/json", "content-encoding": "br" },
        payload: "{}",
        status: 400,
        body: /^Content-Encoding "br" not supported\n$/,
      },
      {
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        payload: "not gzip",
        status: 400,
        body: /^gzip: invalid header\n$/,
      },
      {
        headers: { "content-type": "application/json" },
        payload: '{"streams":[]}',
        status: 422,
        body: /^error at least one valid stream is required for ingestion\n$/,
      },
    ];
    for (const c of cases) {
      const res = await env.app.inject({
        method: "POST",
        url: "/loki/api/v1/push",
        headers: c.headers,
        payload: c.payload,
      });
      assert.equal(res.statusCode, c.status, `${JSON.stringify(c.payload)}: ${res.body}`);
      assert.match(res.body, c.body);
    }
    assert.equal(env.store.entryCount(), 0);
  });

  it("refuses bodies over the compressed and decompressed size limits with 413", async () => {
    const env = await setup({ maxRecvMsgSizeBytes: 300, maxDecompressedSizeBytes: 1000 });
    const big = JSON.stringify({
      streams: [{ stream: { a: "b" }, values: [[ns(0), "x".repeat(2000)]] }],
    });
    let res = await pushJson(env, big);
    assert.equal(res.statusCode, 413);
    assert.equal(
      res.body,
      `request body too large: message size too large than max (${big.length} vs 300)\n`,
    );
    res = await env.app.inject({
      method: "POST",
      url: "/loki/api/v1/push",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      payload: gzipSync(big),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(
      res.body,
      "request body too large: decompressed message size too large than max (1001 vs 1000)\n",
    );
    res = await env.app.inject({
      method: "POST",
      url: "/loki/api/v1/push",
      headers: { "content-type": "application/x-protobuf" },
      payload: compressSync(
        Buffer.from(
          encodeLokiPushRequest({
            streams: [{ labels: '{a="b"}', entries: [{ line: "y".repeat(2000) }] }],
          }),
        ),
      ),
    });
    assert.equal(res.statusCode, 413);
    assert.match(
      res.body,
      /^request body too large: decompressed message size too large than max \(\d+ vs 1000\)\n$/,
    );
  });

  it("applies the ingestion rate limit to whole requests", async () => {
    const env = await setup({
      ingestionRateBytes: 100,
      ingestionBurstSizeBytes: 100,
      discoverLogLevels: false,
    });
    let res = await pushJson(env, {
      streams: [{ stream: { a: "b" }, values: [[ns(0), "x".repeat(60)]] }],
    });
    assert.equal(res.statusCode, 204);
    res = await pushJson(env, {
      streams: [
        { stream: { a: "b" }, values: [[ns(1), "y".repeat(30)]] },
        { stream: { a: "c" }, values: [[ns(1), "z".repeat(30)]] },
      ],
    });
    assert.equal(res.statusCode, 429);
    assert.equal(
      res.body,
      "ingestion rate limit exceeded for user fake (limit: 100 bytes/sec) while attempting to ingest '2' lines totaling '60' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n",
    );
    assert.equal(env.store.entryCount(), 1);
    assert.equal(await metric(env, "vigil_logs_discarded_total", { reason: "rate_limited" }), 2);
  });

  it("applies the per-stream rate limit to single entries", async () => {
    const env = await setup({
      perStreamRateLimitBytes: 10,
      perStreamRateLimitBurstBytes: 10,
      discoverLogLevels: false,
    });
    const res = await pushJson(env, {
      streams: [
        {
          stream: { app: "b" },
          values: [
            [ns(0), "12345678"],
            [ns(1), "abc"],
          ],
        },
        { stream: { app: "c" }, values: [[ns(0), "other"]] },
      ],
    });
    assert.equal(res.statusCode, 429);
    assert.equal(
      res.body,
      "entry with timestamp 2024-05-01 12:00:00.001 +0000 UTC ignored, reason: 'Per stream rate limit exceeded (limit: 10B/sec) while attempting to ingest for stream '{app=\"b\", service_name=\"b\"}' totaling 3B, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased',\n" +
        'user \'fake\', total ignored: 1 out of 2 for stream: {app="b", service_name="b"}\n',
    );
    assert.deepEqual(
      env.store.all().map((s) => [s.labels["app"], s.entries.map((e) => e.line)]),
      [
        ["b", ["12345678"]],
        ["c", ["other"]],
      ],
    );
  });

  it("truncates long lines when configured", async () => {
    const env = await setup({
      maxLineSizeBytes: 8,
      maxLineSizeTruncate: true,
      maxLineSizeTruncateIdentifier: "...",
      discoverLogLevels: false,
    });
    const res = await pushJson(env, {
      streams: [{ stream: { a: "b" }, values: [[ns(0), "0123456789"]] }],
    });
    assert.equal(res.statusCode, 204);
    assert.equal(env.store.all()[0]!.entries[0]!.line, "01234...");
    assert.equal(await metric(env, "vigil_logs_mutated_total", { reason: "line_too_long" }), 1);
  });

  it("answers 503 while storage is not open and 500 when a commit fails", async () => {
    const env = await setup();
    env.ready.store = undefined;
    let res = await pushJson(env, { streams: [{ stream: { a: "b" }, values: [[ns(0), "x"]] }] });
    assert.equal(res.statusCode, 503);
    assert.equal(res.body, "storage not ready\n");
    env.ready.store = env.store;
    env.store.failCommit = new Error("disk full");
    res = await pushJson(env, { streams: [{ stream: { a: "b" }, values: [[ns(0), "x"]] }] });
    assert.equal(res.statusCode, 500);
    assert.equal(res.body, "disk full\n");
  });
});

describe("logIngestSchema", () => {
  it("yields the defaults for an empty section", () => {
    assert.deepEqual(logIngestSchema.parse({}), DEFAULT_LOG_INGEST_CONFIG);
  });

  it("reads Loki's key names", () => {
    const c = logIngestSchema.parse({
      max_line_size: "1KiB",
      max_label_names_per_series: 20,
      reject_old_samples_max_age: "1d",
      creation_grace_period: "0",
      per_stream_rate_limit: "1MiB",
      per_stream_rate_limit_burst: 0,
      ingestion_rate_mb: 0.5,
      discover_service_name: [],
    });
    assert.equal(c.maxLineSizeBytes, 1024);
    assert.equal(c.maxLabelNamesPerSeries, 20);
    assert.equal(c.rejectOldSamplesMaxAgeMs, 86_400_000);
    assert.equal(c.creationGracePeriodMs, 0);
    assert.equal(c.perStreamRateLimitBytes, 1 << 20);
    assert.equal(c.perStreamRateLimitBurstBytes, 0);
    assert.equal(c.ingestionRateBytes, 1 << 19);
    assert.deepEqual(c.discoverServiceName, []);
  });

  it("refuses unknown keys and bad values", () => {
    assert.equal(logIngestSchema.safeParse({ max_line_sise: "1KiB" }).success, false);
    assert.equal(logIngestSchema.safeParse({ max_line_size: "big" }).success, false);
    assert.equal(logIngestSchema.safeParse({ creation_grace_period: 60 }).success, false);
    assert.equal(logIngestSchema.safeParse({ max_label_names_per_series: -1 }).success, false);
  });
});
