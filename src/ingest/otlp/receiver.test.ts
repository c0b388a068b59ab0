import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { silentLogger } from "../../util/logging/index.ts";
import type { LogIngestConfig } from "../loki/index.ts";
import { DEFAULT_LOG_INGEST_CONFIG } from "../loki/index.ts";
import { FakeLogStore } from "../loki/testdata/fake-log-store.ts";
import type { OtlpLogsConfig } from "./index.ts";
import {
  DEFAULT_OTLP_LOGS_CONFIG,
  ExportLogsServiceResponseType,
  StatusType,
  asString,
  encodeExportLogsRequest,
  otlpLogsSchema,
  registerOtlpLogsReceiver,
} from "./index.ts";

const NOW_MS = Date.UTC(2024, 4, 1, 12, 0, 0);
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;

interface Env {
  app: FastifyInstance;
  store: FakeLogStore;
}

async function setup(
  limits: Partial<LogIngestConfig> = {},
  otlp: OtlpLogsConfig = DEFAULT_OTLP_LOGS_CONFIG,
): Promise<Env> {
  const app = Fastify();
  const store = new FakeLogStore();
  const cfg = { ...DEFAULT_LOG_INGEST_CONFIG, ...limits };
  await registerOtlpLogsReceiver(app, {
    logStore: () => store,
    limits: () => cfg,
    otlp: () => otlp,
    logger: silentLogger(),
    now: () => NOW_MS,
  });
  await app.ready();
  return { app, store };
}

const str = (s: string) => ({ string_value: s });

/** A request in protobufjs object form (snake_case field names). */
function protoRequest(
  records: Record<string, unknown>[],
  resource: Record<string, unknown>[] = [],
) {
  return encodeExportLogsRequest({
    resource_logs: [
      {
        resource: { attributes: resource },
        scope_logs: [{ scope: { name: "my-lib", version: "1.2.0" }, log_records: records }],
      },
    ],
  });
}

describe("OTLP logs receiver", () => {
  it("maps resource, scope and record fields as Loki does (protobuf)", async () => {
    const env = await setup();
    const body = protoRequest(
      [
        {
          time_unix_nano: String(NOW_NS - 1000n),
          observed_time_unix_nano: String(NOW_NS),
          severity_number: 9,
          severity_text: "INFO",
          body: str("user logged in"),
          attributes: [
            { key: "user.id", value: { int_value: 42 } },
            {
              key: "http",
              value: { kvlist_value: { values: [{ key: "method", value: str("GET") }] } },
            },
            { key: "tags", value: { array_value: { values: [str("a"), { bool_value: true }] } } },
          ],
          trace_id: Buffer.from("0102030405060708090a0b0c0d0e0f10", "hex"),
          span_id: Buffer.from("0102030405060708", "hex"),
          flags: 1,
        },
        {
          observed_time_unix_nano: String(NOW_NS),
          body: {
            kvlist_value: {
              values: [
                { key: "b", value: str("2") },
                { key: "a", value: { double_value: 1.5 } },
              ],
            },
          },
        },
      ],
      [
        { key: "service.name", value: str("checkout") },
        { key: "deployment.environment", value: str("prod") },
        { key: "host.name", value: str("web-1") },
        { key: "service.namespace", value: str("") },
      ],
    );
    const res = await env.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { "content-type": "application/x-protobuf" },
      payload: Buffer.from(body),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers["content-type"], "application/x-protobuf");
    assert.equal(res.rawPayload.length, 0);
    const common = { host_name: "web-1", scope_name: "my-lib", scope_version: "1.2.0" };
    assert.deepEqual(env.store.all(), [
      {
        labels: { deployment_environment: "prod", service_name: "checkout" },
        entries: [
          {
            tsNs: NOW_NS - 1000n,
            line: "user logged in",
            metadata: {
              ...common,
              detected_level: "info",
              flags: "1",
              http_method: "GET",
              observed_timestamp: String(NOW_NS),
              severity_number: "9",
              severity_text: "INFO",
              span_id: "0102030405060708",
              tags: '["a",true]',
              trace_id: "0102030405060708090a0b0c0d0e0f10",
              user_id: "42",
            },
          },
          {
            tsNs: NOW_NS,
            line: '{"a":1.5,"b":"2"}',
            metadata: { ...common, detected_level: "unknown" },
          },
        ],
      },
    ]);
  });

  it("accepts gzip JSON, answers JSON, and discovers service_name", async () => {
    const env = await setup();
    const json = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: "k8s.container.name", value: { stringValue: "api" } }] },
          scopeLogs: [
            {
              scope: {},
              logRecords: [
                {
                  timeUnixNano: String(NOW_NS),
                  severityNumber: "SEVERITY_NUMBER_ERROR",
                  body: { stringValue: "failed" },
                  traceId: "5b8efff798038103d269b633813fc60c",
                  spanId: "eee19b7ec3c1b174",
                  eventName: "checkout.failed",
                  attributes: [{ key: "event_name", value: { stringValue: "ignored" } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await env.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      payload: gzipSync(JSON.stringify(json)),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    assert.deepEqual(JSON.parse(res.body), {});
    assert.deepEqual(env.store.all(), [
      {
        labels: { k8s_container_name: "api", service_name: "api" },
        entries: [
          {
            tsNs: NOW_NS,
            line: "failed",
            metadata: {
              detected_level: "error",
              event_name: "checkout.failed",
              severity_number: "17",
              span_id: "eee19b7ec3c1b174",
              trace_id: "5b8efff798038103d269b633813fc60c",
            },
          },
        ],
      },
    ]);
  });

  it("reports refused records as partial success and stores the rest", async () => {
    const env = await setup({ discoverLogLevels: false });
    const body = protoRequest([
      { time_unix_nano: String(NOW_NS), body: str("ok") },
      { time_unix_nano: String(NOW_NS - 8n * 86_400_000_000_000n), body: str("old") },
    ]);
    const res = await env.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { "content-type": "application/x-protobuf" },
      payload: Buffer.from(body),
    });
    assert.equal(res.statusCode, 200);
    const r = ExportLogsServiceResponseType.toObject(
      ExportLogsServiceResponseType.decode(res.rawPayload),
      { longs: Number },
    );
    assert.deepEqual(r, {
      partial_success: {
        rejected_log_records: 1,
        error_message:
          "entry for stream '{service_name=\"unknown_service\"}' has timestamp too old: 2024-04-23T12:00:00Z, oldest acceptable timestamp is: 2024-04-24T12:00:00Z",
      },
    });
    assert.equal(env.store.entryCount(), 1);
  });

  it("answers bad input with a google.rpc.Status in the request's encoding", async () => {
    const env = await setup();
    const cases: {
      headers: Record<string, string>;
      payload: string | Buffer;
      status: number;
      msg: RegExp;
    }[] = [
      {
        headers: { "content-type": "application/json" },
        payload: "{",
        status: 400,
        msg: /^invalid JSON/,
      },
      {
        headers: { "content-type": "application/json" },
        payload: '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}',
        status: 400,
        msg: /^invalid OTLP JSON: traceId: invalid length for ID$/,
      },
      {
        headers: { "content-type": "application/x-protobuf" },
        payload: Buffer.from([0x0a, 0x05, 0x01]),
        status: 400,
        msg: /^proto: unexpected EOF$/,
      },
      {
        headers: { "content-type": "text/plain" },
        payload: "x",
        status: 415,
        msg: /^content type: text\/plain is not supported$/,
      },
      {
        headers: { "content-type": "application/json", "content-encoding": "zstd" },
        payload: "{}",
        status: 400,
        msg: /^unsupported content encoding zstd/,
      },
    ];
    for (const c of cases) {
      const res = await env.app.inject({
        method: "POST",
        url: "/v1/logs",
        headers: c.headers,
        payload: c.payload,
      });
      assert.equal(res.statusCode, c.status, res.body);
      const msg = String(res.headers["content-type"]).startsWith("application/json")
        ? (JSON.parse(res.body) as { message: string }).message
        : (StatusType.decode(res.rawPayload) as unknown as { message: string }).message;
      assert.match(msg, c.msg);
    }
    assert.equal(env.store.entryCount(), 0);
  });

  it("succeeds on an empty request", async () => {
    const env = await setup();
    const res = await env.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { "content-type": "application/json" },
      payload: "{}",
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, "{}");
  });

  it("applies attribute rules and severity_text_as_label", async () => {
    const cfg = otlpLogsSchema.parse({
      resource_attributes: { attributes_config: [{ action: "drop", regex: "host\\..*" }] },
      log_attributes: [{ action: "index_label", attributes: ["tenant"] }],
      scope_attributes: [{ action: "drop", attributes: ["noise"] }],
      severity_text_as_label: true,
    });
    const env = await setup({ discoverLogLevels: false }, cfg);
    const body = encodeExportLogsRequest({
      resource_logs: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: str("svc") },
              { key: "host.name", value: str("h") },
            ],
          },
          scope_logs: [
            {
              scope: {
                attributes: [
                  { key: "noise", value: str("x") },
                  { key: "lib.kind", value: str("y") },
                ],
              },
              log_records: [
                {
                  time_unix_nano: String(NOW_NS),
                  severity_text: "WARN",
                  body: str("a"),
                  attributes: [{ key: "tenant", value: str("t1") }],
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await env.app.inject({
      method: "POST",
      url: "/v1/logs",
      headers: { "content-type": "application/x-protobuf" },
      payload: Buffer.from(body),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(env.store.all(), [
      {
        labels: { service_name: "svc", severity_text: "WARN", tenant: "t1" },
        entries: [{ tsNs: NOW_NS, line: "a", metadata: { lib_kind: "y", severity_text: "WARN" } }],
      },
    ]);
  });
});

describe("asString", () => {
  it("renders values as pcommon.Value.AsString", () => {
    assert.equal(asString({ type: "double", value: 1e21 }), "1e+21");
    assert.equal(asString({ type: "double", value: 1e-7 }), "1e-7");
    assert.equal(asString({ type: "double", value: 0.5 }), "0.5");
    assert.equal(asString({ type: "int", value: -5n }), "-5");
    assert.equal(asString({ type: "bytes", value: Uint8Array.of(1, 2, 3) }), "AQID");
    assert.equal(asString({ type: "empty" }), "");
    assert.equal(
      asString({
        type: "kvlist",
        value: [
          { key: "z", value: { type: "int", value: 1n } },
          { key: "a", value: { type: "array", value: [{ type: "empty" }] } },
        ],
      }),
      '{"a":[null],"z":1}',
    );
  });
});
