// Vigil's own heartbeat: a POST to an external URL at an interval (heartbeats.ping), so that a
// second Vigil, or healthchecks.io, notices when this one stops. Failures are counted and
// logged, never thrown: a monitoring server must not fall over because its watcher is away.
import type { Counter, Gauge } from "prom-client";
import type { Clock } from "../rules/index.ts";
import { errorMessage } from "../util/errors.ts";
import { DEFAULT_HTTP_CLIENT_CONFIG, HttpClient } from "../util/http-client/index.ts";
import type { Logger } from "../util/logging/index.ts";
import { VERSION } from "../util/version.ts";
import type { HeartbeatPingConfig } from "./config.ts";

/** PingMetrics are the ping's self-metrics (owned by the service's registry). */
export interface PingMetrics {
  readonly pings: Counter;
  readonly failures: Counter;
  readonly lastSuccess: Gauge;
}

/** PingerOptions wire a Pinger. */
export interface PingerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: PingMetrics;
}

/**
 * Pinger beats one URL: at start, then every interval after the previous beat was due (a
 * slow request delays the next one rather than stacking them). A beat counts as failed on a
 * network error, a timeout or a status other than 2xx.
 */
export class Pinger {
  readonly cfg: HeartbeatPingConfig;
  readonly #o: PingerOptions;
  readonly #client = new HttpClient(DEFAULT_HTTP_CLIENT_CONFIG, `Vigil/${VERSION}`);
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(cfg: HeartbeatPingConfig, o: PingerOptions) {
    this.cfg = cfg;
    this.#o = o;
  }

  /** start begins beating; calling it again does nothing. */
  start(): void {
    if (this.#abort) return;
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal);
  }

  /** stop ends the loop, aborting a request in flight, and releases connections. */
  async stop(): Promise<void> {
    this.#abort?.abort(new Error("heartbeat ping stopped"));
    await this.#loop;
    this.#client.close();
  }

  async #run(signal: AbortSignal): Promise<void> {
    let dueMs = this.#o.clock.nowMs();
    while (!signal.aborted) {
      await this.ping(signal);
      dueMs = Math.max(dueMs + this.cfg.intervalMs, this.#o.clock.nowMs());
      await this.#o.clock.sleep(dueMs, signal);
    }
  }

  /** ping sends one beat and reports whether it succeeded; it never throws. */
  async ping(signal?: AbortSignal): Promise<boolean> {
    const m = this.#o.metrics;
    m.pings.inc();
    try {
      const res = await this.#client.request(this.cfg.url, {
        method: "POST",
        body: "",
        headers: { "Content-Type": "text/plain; charset=utf-8" },
        timeoutMs: this.cfg.timeoutMs,
        maxBodyBytes: 64 * 1024,
        ...(signal && { signal }),
      });
      if (res.status < 200 || res.status > 299) {
        throw new Error(`POST ${JSON.stringify(this.cfg.url)}: status ${res.status}`);
      }
      m.lastSuccess.set(this.#o.clock.nowMs() / 1000);
      return true;
    } catch (err) {
      if (signal?.aborted) return false;
      m.failures.inc();
      // Only the origin is logged: ping URLs often hold a secret token in their path.
      const target = new URL(this.cfg.url).origin;
      const why = errorMessage(err).replaceAll(this.cfg.url, target + "/…");
      this.#o.logger.warn({ target, err: why }, "heartbeat ping failed");
      return false;
    }
  }
}
