// Interop: the real pino-loki client pushes over HTTP into a server composed like Vigil's (Loki
// push receiver and query API over one storage, as app.ts wires them), and the lines come back
// through /loki/api/v1/query_range, /labels and /series as a Loki client (Grafana) reads them.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { pinoLoki } from "pino-loki";
import { DEFAULT_LOG_INGEST_CONFIG, registerLokiPushReceiver } from "../../ingest/loki/index.ts";
import { MemoryStorage } from "../../storage/memory/index.ts";
import { waitFor } from "../../testing/index.ts";
import { silentLogger } from "../../util/logging/index.ts";
import { registerLokiApi } from "./index.ts";

let app: FastifyInstance;
let url: string;
const storage = new MemoryStorage();

before(async () => {
  app = Fastify();
  await registerLokiPushReceiver(app, {
    logStore: () => storage.logs,
    limits: () => DEFAULT_LOG_INGEST_CONFIG,
    logger: silentLogger(),
  });
  await registerLokiApi(app, { storage: () => storage, logger: silentLogger() });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const a = app.server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});

after(async () => {
  await app.close();
  await storage.close();
});

interface StreamsBody {
  status: string;
  data: { resultType: string; result: { stream: Record<string, string>; values: string[][] }[] };
}

void it("pino-loki pushes, query_range returns the lines", async () => {
  const t0 = Date.now() - 5000;
  let i = 0;
  const stream = pinoLoki({
    host: url,
    batching: { interval: 0.05 },
    labels: { app: "x", env: "test" },
    silenceErrors: true,
  });
  const log = pino({ base: null, timestamp: () => `,"time":${t0 + i++}` }, stream);
  log.info("first line");
  log.warn({ user: "ada" }, "second line");
  log.error("needle in the third line");

  const params = new URLSearchParams({
    query: '{app="x"}',
    start: `${BigInt(t0 - 1000) * 1_000_000n}`,
    end: `${BigInt(Date.now() + 1000) * 1_000_000n}`,
    direction: "forward",
  });
  const body = await waitFor(
    "three lines through query_range",
    async () => {
      const r = await fetch(`${url}/loki/api/v1/query_range?${params}`);
      assert.equal(r.status, 200);
      const b = (await r.json()) as StreamsBody;
      return b.data.result.reduce((n, s) => n + s.values.length, 0) >= 3 ? b : undefined;
    },
    10_000,
    50,
  );
  assert.equal(body.status, "success");
  assert.equal(body.data.resultType, "streams");
  const lines = body.data.result
    .flatMap((s) => s.values.map(([ts, l]) => [ts!, s.stream["level"], JSON.parse(l!).msg]))
    .sort((a, b) => (BigInt(a[0]!) < BigInt(b[0]!) ? -1 : 1));
  // pino-loki names the warn level "warning"; timestamps are pino's milliseconds.
  assert.deepEqual(
    lines.map((l) => l.slice(1)),
    [
      ["info", "first line"],
      ["warning", "second line"],
      ["error", "needle in the third line"],
    ],
  );
  for (const [ts] of lines) assert.equal(BigInt(ts!) % 1_000_000n, 0n);
  assert.ok(BigInt(lines[0]![0]!) >= BigInt(t0) * 1_000_000n);

  const filtered = new URLSearchParams(params);
  filtered.set("query", '{app="x"} |= "needle" | json | line_format "{{.msg}}"');
  const f = (await (
    await fetch(`${url}/loki/api/v1/query_range?${filtered}`)
  ).json()) as StreamsBody;
  assert.deepEqual(
    f.data.result.flatMap((s) => s.values.map((v) => v[1])),
    ["needle in the third line"],
  );

  const labels = (await (await fetch(`${url}/loki/api/v1/labels?${params}`)).json()) as {
    data: string[];
  };
  for (const name of ["app", "env", "level", "service_name"]) assert.ok(labels.data.includes(name));

  const count = new URLSearchParams({
    query: 'sum(count_over_time({app="x"}[1m]))',
    time: `${BigInt(Date.now()) * 1_000_000n}`,
  });
  const c = (await (await fetch(`${url}/loki/api/v1/query?${count}`)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  assert.equal(c.data.result[0]!.value[1], "3");
  stream.end();
});
