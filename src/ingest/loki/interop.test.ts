// Interop: real Loki clients (pino-loki, winston-loki in JSON and protobuf modes) push to the
// receiver over HTTP; the test checks exactly what was stored and that bad input comes back
// with Loki's status codes while the server stays up.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { pinoLoki } from "pino-loki";
import winston from "winston";
import LokiTransport from "winston-loki";
import { waitFor } from "../../testing/index.ts";
import { silentLogger } from "../../util/logging/index.ts";
import type { LogIngestConfig } from "./index.ts";
import { DEFAULT_LOG_INGEST_CONFIG, registerLokiPushReceiver } from "./index.ts";
import type { StoredStream } from "./testdata/fake-log-store.ts";
import { FakeLogStore } from "./testdata/fake-log-store.ts";

let app: FastifyInstance;
let url: string;
const store = new FakeLogStore();
let limits: LogIngestConfig = DEFAULT_LOG_INGEST_CONFIG;

before(async () => {
  app = Fastify();
  await registerLokiPushReceiver(app, {
    logStore: () => store,
    limits: () => limits,
    logger: silentLogger(),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const a = app.server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});

after(async () => {
  await app.close();
});

function streamsWith(label: string, value: string): StoredStream[] {
  return store.all().filter((s) => s.labels[label] === value);
}

async function waitEntries(label: string, value: string, n: number): Promise<StoredStream[]> {
  return waitFor(
    `${n} entries for ${label}=${value}`,
    async () => {
      const s = streamsWith(label, value);
      return s.reduce((k, x) => k + x.entries.length, 0) >= n ? s : undefined;
    },
    10_000,
    20,
  );
}

describe("pino-loki", () => {
  it("pushes JSON lines with labels and structured metadata", async () => {
    const t = Date.now() - 1000;
    const stream = pinoLoki({
      host: url,
      batching: false,
      labels: { app: "pino-app" },
      propsToLabels: ["region"],
      silenceErrors: true,
    });
    const log = pino({ base: { hostname: "h1" }, timestamp: () => `,"time":${t}` }, stream);
    log.info({ region: "eu", meta: { trace_id: "t-1", attempt: 2 } }, "hello");
    log.error("it broke");
    const streams = await waitEntries("app", "pino-app", 2);
    const byLevel = Object.fromEntries(streams.map((s) => [s.labels["level"], s]));
    assert.deepEqual(byLevel["info"], {
      labels: {
        app: "pino-app",
        hostname: "h1",
        level: "info",
        region: "eu",
        service_name: "pino-app",
      },
      entries: [
        {
          tsNs: BigInt(t) * 1_000_000n,
          line: JSON.stringify({
            level: 30,
            time: t,
            region: "eu",
            meta: { trace_id: "t-1", attempt: 2 },
            msg: "hello",
          }),
          metadata: { attempt: "2", detected_level: "info", trace_id: "t-1" },
        },
      ],
    });
    assert.deepEqual(byLevel["error"], {
      labels: { app: "pino-app", hostname: "h1", level: "error", service_name: "pino-app" },
      entries: [
        {
          tsNs: BigInt(t) * 1_000_000n,
          line: JSON.stringify({ level: 50, time: t, msg: "it broke" }),
          metadata: { detected_level: "error" },
        },
      ],
    });
    stream.end();
  });
});

function winstonLogger(json: boolean, labels: Record<string, string>, errors: Error[]) {
  const transport = new LokiTransport({
    host: url,
    json,
    batching: false,
    replaceTimestamp: false,
    labels,
    onConnectionError: (err: unknown) => errors.push(err as Error),
  });
  const logger = winston.createLogger({ transports: [transport] });
  return { logger, transport };
}

describe("winston-loki", () => {
  it("pushes JSON with metadata", async () => {
    const errors: Error[] = [];
    const { logger, transport } = winstonLogger(true, { app: "winston-json" }, errors);
    const ts = new Date(Date.now() - 2000);
    logger.info({ message: "order placed", timestamp: ts.toISOString(), orderId: 17 });
    const [s] = await waitEntries("app", "winston-json", 1);
    assert.deepEqual(errors, []);
    assert.deepEqual(s, {
      labels: { app: "winston-json", level: "info", service_name: "winston-json" },
      entries: [
        {
          tsNs: BigInt(ts.getTime()) * 1_000_000n,
          line: 'order placed {"orderId":17,"level":"info"}',
          metadata: { detected_level: "info", level: "info", orderId: "17" },
        },
      ],
    });
    await transport.close?.();
  });

  it("pushes snappy protobuf", async () => {
    const errors: Error[] = [];
    const { logger, transport } = winstonLogger(false, { app: "winston-proto" }, errors);
    const ts = new Date(Date.now() - 3000);
    logger.warn({ message: "disk 91% full", timestamp: ts.toISOString() });
    const [s] = await waitEntries("app", "winston-proto", 1);
    assert.deepEqual(errors, []);
    assert.deepEqual(s, {
      labels: { app: "winston-proto", level: "warn", service_name: "winston-proto" },
      entries: [
        {
          tsNs: BigInt(ts.getTime()) * 1_000_000n,
          line: 'disk 91% full {"level":"warn"}',
          metadata: { detected_level: "warn" },
        },
      ],
    });
    await transport.close?.();
  });

  it("gets Loki's errors for bad labels, old entries and long lines, and the server stays up", async () => {
    limits = { ...DEFAULT_LOG_INGEST_CONFIG, maxLineSizeBytes: 50 };
    // winston-loki also prints refused pushes with console.error; keep the test output clean.
    const consoleError = console.error;
    console.error = () => {};
    try {
      const errors: Error[] = [];
      // A label name Loki cannot parse: the whole request is refused.
      const bad = winstonLogger(true, { "bad-name": "x" }, errors);
      bad.logger.info({ message: "never stored", timestamp: new Date().toISOString() });
      await waitFor("error", async () => (errors.length >= 1 ? true : undefined), 10_000, 20);
      assert.equal((errors[0] as Error & { statusCode?: number }).statusCode, 400);
      assert.match(
        errors[0]!.message,
        /^Server returned HTTP 400: couldn't parse labels: 1:5: parse error: unexpected character inside braces: '-'$/,
      );

      // Too old and too long lines in protobuf: 400 with Loki's messages.
      const proto = winstonLogger(false, { app: "winston-bad" }, errors);
      proto.logger.info({ message: "old", timestamp: "2020-01-01T00:00:00Z" });
      await waitFor("error", async () => (errors.length >= 2 ? true : undefined), 10_000, 20);
      assert.match(
        errors[1]!.message,
        /^Server returned HTTP 400: entry for stream '\{app="winston-bad", level="info", service_name="winston-bad"\}' has timestamp too old: 2020-01-01T00:00:00Z, oldest acceptable timestamp is: /,
      );
      proto.logger.info({ message: "x".repeat(60), timestamp: new Date().toISOString() });
      await waitFor("error", async () => (errors.length >= 3 ? true : undefined), 10_000, 20);
      assert.match(
        errors[2]!.message,
        /max entry size '50' bytes exceeded for stream .* with length '77' bytes$/,
      );
      assert.equal(streamsWith("app", "winston-bad").length, 0);
      await bad.transport.close?.();
      await proto.transport.close?.();

      const res = await fetch(`${url}/loki/api/v1/push`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          streams: [{ stream: { app: "after" }, values: [[`${Date.now()}000000`, "still up"]] }],
        }),
      });
      assert.equal(res.status, 204);
    } finally {
      console.error = consoleError;
      limits = DEFAULT_LOG_INGEST_CONFIG;
    }
  });
});
