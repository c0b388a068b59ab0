// Interop: the OpenTelemetry JS SDK's OTLP/HTTP log exporters (JSON and protobuf) send records
// to the receiver; the test checks exactly what was stored and the exporters' view of the
// answers, including refused records.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { SeverityNumber } from "@opentelemetry/api-logs";
import type { ExportResult } from "@opentelemetry/core";
import { OTLPLogExporter as HttpExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableLogRecord } from "@opentelemetry/sdk-logs";
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import { silentLogger } from "../../util/logging/index.ts";
import { DEFAULT_LOG_INGEST_CONFIG } from "../loki/index.ts";
import { FakeLogStore } from "../loki/testdata/fake-log-store.ts";
import { DEFAULT_OTLP_LOGS_CONFIG, registerOtlpLogsReceiver } from "./index.ts";

let app: FastifyInstance;
let url: string;
const store = new FakeLogStore();

before(async () => {
  app = Fastify();
  await registerOtlpLogsReceiver(app, {
    logStore: () => store,
    limits: () => DEFAULT_LOG_INGEST_CONFIG,
    otlp: () => DEFAULT_OTLP_LOGS_CONFIG,
    logger: silentLogger(),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const a = app.server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/v1/logs`;
});

after(async () => {
  await app.close();
});

/** records emits log records through an SDK logger and returns them as an exporter sees them. */
async function records(
  service: string,
  emit: (logger: ReturnType<LoggerProvider["getLogger"]>) => void,
): Promise<ReadableLogRecord[]> {
  const mem = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": service, "host.name": "box-1" }),
    processors: [new SimpleLogRecordProcessor({ exporter: mem })],
  });
  emit(provider.getLogger("checkout-lib", "2.0.0"));
  await provider.forceFlush();
  const out = mem.getFinishedLogRecords();
  await provider.shutdown();
  return out;
}

function exportWith(
  exporter: HttpExporter | ProtoExporter,
  recs: ReadableLogRecord[],
): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(recs, resolve));
}

const T_MS = Date.now() - 5000;
const T_NS = BigInt(T_MS) * 1_000_000n;

for (const [name, Exporter] of [
  ["exporter-logs-otlp-http (JSON)", HttpExporter],
  ["exporter-logs-otlp-proto", ProtoExporter],
] as const) {
  describe(name, () => {
    const service = `svc-${name.includes("JSON") ? "json" : "proto"}`;

    it("stores records with Loki's labels and structured metadata", async () => {
      const recs = await records(service, (logger) => {
        logger.emit({
          timestamp: T_MS,
          observedTimestamp: T_MS + 1,
          severityNumber: SeverityNumber.WARN,
          severityText: "WARN",
          body: "payment slow",
          attributes: { "http.route": "/pay", attempt: 3, ok: false },
          eventName: "payment.slow",
        });
        logger.emit({ timestamp: T_MS + 2, body: { order: 7, items: ["a"] } });
      });
      const exporter = new Exporter({ url });
      const r = await exportWith(exporter, recs);
      assert.equal(r.code, 0, String(r.error));
      await exporter.shutdown();
      const stream = store.all().find((s) => s.labels["service_name"] === service);
      const common = { host_name: "box-1", scope_name: "checkout-lib", scope_version: "2.0.0" };
      assert.deepEqual(stream, {
        labels: { service_name: service },
        entries: [
          {
            tsNs: T_NS,
            line: "payment slow",
            metadata: {
              ...common,
              attempt: "3",
              detected_level: "warn",
              event_name: "payment.slow",
              http_route: "/pay",
              observed_timestamp: String(T_NS + 1_000_000n),
              ok: "false",
              severity_number: "13",
              severity_text: "WARN",
            },
          },
          {
            tsNs: T_NS + 2_000_000n,
            line: '{"items":["a"],"order":7}',
            metadata: {
              ...common,
              detected_level: "unknown",
              observed_timestamp: stream!.entries[1]!.metadata["observed_timestamp"]!,
            },
          },
        ],
      });
    });

    it("reports refused records without failing the export, and a fully refused batch as an error", async () => {
      const old = Date.now() - 8 * 24 * 3600 * 1000;
      const recs = await records(`${service}-bad`, (logger) => {
        logger.emit({ timestamp: Date.now(), body: "fresh" });
        logger.emit({ timestamp: old, body: "stale" });
      });
      const exporter = new Exporter({ url });
      // Partial success: the exporter succeeds and logs the rejected count.
      let r = await exportWith(exporter, recs);
      assert.equal(r.code, 0, String(r.error));
      const stored = store.all().filter((s) => s.labels["service_name"] === `${service}-bad`);
      assert.deepEqual(
        stored.flatMap((s) => s.entries.map((e) => e.line)),
        ["fresh"],
      );
      // Nothing valid: 400 with a google.rpc.Status, which the exporter reports as a failure.
      r = await exportWith(exporter, [recs[1]!]);
      assert.equal(r.code, 1);
      const e = r.error as Error & { code?: number; data?: string };
      assert.equal(e.code, 400);
      assert.match(String(e.data), /timestamp too old/);
      await exporter.shutdown();
    });
  });
}
