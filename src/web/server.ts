import Fastify, { LogController } from "fastify";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from "fastify";
import rateLimit from "@fastify/rate-limit";
import type { SelfMetrics } from "../exporters/index.ts";
import type { Logger } from "../util/logging/index.ts";

/** WebOptions wire the HTTP server to the rest of Vigil; the server itself holds no logic. */
export interface WebOptions {
  readonly logger: Logger;
  readonly metrics: SelfMetrics;
  /** maxRequestBodyBytes: larger bodies are refused with 413. */
  readonly maxRequestBodyBytes: number;
  /** rateLimitPerSecond: requests per second per client address before 429. */
  readonly rateLimitPerSecond?: number;
  /** isReady reports whether storage is open (for `/-/ready`). */
  isReady(): boolean;
  /** reload re-reads the configuration; it throws when the new one is rejected. */
  reload(): Promise<void>;
}

/**
 * createWebServer builds Vigil's HTTP server with the lifecycle endpoints (`/-/healthy`,
 * `/-/ready`, `/-/reload`, the same paths and answers as Prometheus's `web/web.go`) and
 * `/metrics`. Subsystems add their API routes to the returned instance before it listens.
 */
export async function createWebServer(o: WebOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.maxRequestBodyBytes,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });

  await app.register(rateLimit, {
    global: true,
    max: o.rateLimitPerSecond ?? 1000,
    timeWindow: 1000,
  });

  // Instrument every request by route pattern so that label values stay bounded.
  app.addHook("onResponse", async (req, reply) => {
    const handler = req.routeOptions.url ?? "unmatched";
    const seconds = reply.elapsedTime / 1000;
    o.metrics.httpRequests.inc({ handler, code: String(reply.statusCode), method: req.method });
    o.metrics.httpDuration.observe({ handler }, seconds);
  });

  app.get("/-/healthy", async (_req, reply) => {
    return reply.type("text/plain; charset=utf-8").send("Vigil is Healthy.\n");
  });

  app.get("/-/ready", async (_req, reply) => {
    reply.type("text/plain; charset=utf-8");
    if (!o.isReady()) return reply.code(503).send("Service Unavailable\n");
    return reply.send("Vigil is Ready.\n");
  });

  const reload = async (_req: unknown, reply: FastifyReply) => {
    try {
      await o.reload();
      return reply.code(200).send();
    } catch (err) {
      return reply
        .code(500)
        .type("text/plain; charset=utf-8")
        .send(`failed to reload config: ${(err as Error).message}\n`);
    }
  };
  app.post("/-/reload", reload);
  app.put("/-/reload", reload);
  app.get("/-/reload", async (_req, reply) =>
    reply.code(405).type("text/plain; charset=utf-8").send("Only POST or PUT requests allowed\n"),
  );

  app.get("/metrics", async (_req, reply) => {
    const body = await o.metrics.registry.metrics();
    return reply.type(o.metrics.registry.contentType).send(body);
  });

  return app;
}
