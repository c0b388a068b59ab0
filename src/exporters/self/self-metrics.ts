import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { VERSION } from "../../util/version.ts";

/**
 * SelfMetrics is Vigil's own instrumentation, exposed at `/metrics`: process and Node runtime
 * metrics (CPU, memory, file descriptors, event-loop lag, GC) from prom-client's default
 * collectors, plus Vigil's HTTP and configuration metrics. Subsystems register theirs (storage,
 * later scrape and rules) in the same `registry`.
 */
export interface SelfMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<"handler" | "code" | "method">;
  readonly httpDuration: Histogram<"handler">;
  readonly configReloadSuccess: Gauge;
  readonly configReloadSuccessTime: Gauge;
  readonly ready: Gauge;
}

/** newSelfMetrics creates a registry with Vigil's self-metrics. */
export function newSelfMetrics(): SelfMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const registers = [registry];
  new Gauge({
    name: "vigil_build_info",
    help: "A metric with a constant '1' value labeled by version and Node.js version.",
    labelNames: ["version", "nodeversion"],
    registers,
  }).set({ version: VERSION, nodeversion: process.version }, 1);
  return {
    registry,
    httpRequests: new Counter({
      name: "vigil_http_requests_total",
      help: "HTTP requests served, by handler (route pattern), method and status code.",
      labelNames: ["handler", "code", "method"],
      registers,
    }),
    httpDuration: new Histogram({
      name: "vigil_http_request_duration_seconds",
      help: "HTTP request latencies in seconds, by handler.",
      labelNames: ["handler"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    configReloadSuccess: new Gauge({
      name: "vigil_config_last_reload_successful",
      help: "Whether the last configuration reload attempt was successful.",
      registers,
    }),
    configReloadSuccessTime: new Gauge({
      name: "vigil_config_last_reload_success_timestamp_seconds",
      help: "Timestamp of the last successful configuration reload.",
      registers,
    }),
    ready: new Gauge({
      name: "vigil_ready",
      help: "Whether Vigil is ready: storage open and serving.",
      registers,
    }),
  };
}
