// GET /loki/api/v1/tail: a WebSocket that streams new log entries, as Loki's
// pkg/querier/tail/http.go TailHandler (parameters of loghttp ParseTailQuery, frames of
// marshal.WriteTailResponseJSON, a ping every second). Loki tails ingesters; Vigil polls
// storage every `pollMs` for entries at or after the last one sent, so an entry that arrives
// with a timestamp older than one already sent is not streamed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { WebSocket } from "@fastify/websocket";
import { Engine, parseExpr } from "../../logql/index.ts";
import type { LogSelector, StreamResult } from "../../logql/index.ts";
import type { LogQuerier } from "../../storage/logs.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Logger } from "../../util/logging/index.ts";
import { ENCODING_FLAGS_HEADER, encodingFlags, labelsJson, tailResponseJson } from "./encode.ts";
import type { TailQuery } from "./params.ts";
import { ParamError, paramsOf, parseTailQuery } from "./params.ts";

/** TailOptions wire the tail route. */
export interface TailOptions {
  /** querier returns a querier of the open storage; it throws when storage is not open. */
  querier(): LogQuerier;
  readonly logger: Logger;
  nowNs(): bigint;
  readonly pollMs: number;
}

interface TailRequest {
  readonly q: TailQuery;
  readonly expr: LogSelector;
}

const WS_PING_MS = 1000;
/** CLOSE_INTERNAL_ERROR is websocket.CloseInternalServerErr. */
const CLOSE_INTERNAL_ERROR = 1011;

/** registerTail adds the tail route to api (which has @fastify/websocket registered). */
export function registerTail(api: FastifyInstance, url: string, o: TailOptions): void {
  const parsed = new WeakMap<FastifyRequest, TailRequest>();
  api.route({
    method: "GET",
    url,
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      const qs = req.url.indexOf("?");
      const p = paramsOf(new URLSearchParams(qs < 0 ? "" : req.url.slice(qs + 1)));
      try {
        const expr = parseExpr(p.get("query"));
        if (expr.type !== "LogSelector") {
          throw new ParamError("tail queries only support log selector queries");
        }
        parsed.set(req, { q: parseTailQuery(p, o.nowNs()), expr });
        o.querier();
      } catch (err) {
        const status = err instanceof Error && /storage not ready/.test(err.message) ? 503 : 400;
        await reply
          .code(status)
          .header("x-content-type-options", "nosniff")
          .type("text/plain; charset=utf-8")
          .send(errorMessage(err));
      }
    },
    handler: (_req, reply) =>
      reply
        .code(400)
        .type("text/plain; charset=utf-8")
        .send(
          "Bad Request\nwebsocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header\n",
        ),
    wsHandler: (socket: WebSocket, req: FastifyRequest) => {
      const t = parsed.get(req);
      if (!t) {
        socket.close(CLOSE_INTERNAL_ERROR, "bad request");
        return;
      }
      const flags = encodingFlags(req.headers[ENCODING_FLAGS_HEADER]);
      void runTail(socket, t, flags, o);
    },
  });
}

async function runTail(
  socket: WebSocket,
  t: TailRequest,
  flags: ReadonlySet<string>,
  o: TailOptions,
): Promise<void> {
  const ac = new AbortController();
  let closed = false;
  const ping = setInterval(() => socket.ping(), WS_PING_MS);
  socket.on("close", () => {
    closed = true;
    ac.abort();
    clearInterval(ping);
  });
  // fromNs: entries at or after it are new, except those at exactly fromNs already sent.
  let fromNs = t.q.startNs;
  let sentAtFrom = new Set<string>();
  const delayNs = BigInt(t.q.delayForS) * 1_000_000_000n;
  try {
    // Let the upgrade response reach the client before the first frame: in-process clients
    // (Fastify's injectWS) lose a frame that arrives in the same chunk as the 101 response.
    await sleep(Math.min(o.pollMs, 20), ac.signal);
    while (!closed) {
      const toNs = o.nowNs() - delayNs + 1n;
      let full = false;
      if (toNs > fromNs) {
        const engine = new Engine({ querier: o.querier() });
        const res = await engine.rangeQuery(t.expr, fromNs, toNs, 1_000_000_000n, {
          direction: "forward",
          limit: t.q.limit,
          signal: ac.signal,
        });
        if (closed || res.type !== "streams") break;
        const out: StreamResult[] = [];
        let maxTs = fromNs;
        let n = 0;
        for (const s of res.streams) {
          const key = labelsJson(s.labels);
          const entries = s.entries.filter(
            (e) => e.tsNs > fromNs || !sentAtFrom.has(`${key}\xff${e.line}`),
          );
          n += s.entries.length;
          for (const e of entries) if (e.tsNs > maxTs) maxTs = e.tsNs;
          if (entries.length > 0) out.push({ ...s, entries });
        }
        full = n >= t.q.limit && maxTs > fromNs;
        if (out.length > 0) {
          const next = maxTs === fromNs ? sentAtFrom : new Set<string>();
          for (const s of out) {
            const key = labelsJson(s.labels);
            for (const e of s.entries) if (e.tsNs === maxTs) next.add(`${key}\xff${e.line}`);
          }
          fromNs = maxTs;
          sentAtFrom = next;
          socket.send(tailResponseJson(out, flags));
        }
      }
      if (!full) await sleep(o.pollMs, ac.signal);
    }
  } catch (err) {
    if (!closed) {
      o.logger.error({ err: errorMessage(err) }, "Error from iterator");
      socket.close(CLOSE_INTERNAL_ERROR, errorMessage(err).slice(0, 120));
    }
  } finally {
    clearInterval(ping);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
