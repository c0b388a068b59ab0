// Sending alerts to external Alertmanagers through their API v2, after prometheus
// notifier/manager.go, alertmanager.go, alertmanagerset.go and util.go (v3.5): a bounded queue
// that drops the oldest alerts when full, batches of at most 256 alerts posted to every
// configured Alertmanager at once, each set of Alertmanagers with its own timeout and alert
// relabeling.
import { posix } from "node:path";
import type { Labels } from "../model/labels/index.ts";
import { getLabel, labelsFromPairs } from "../model/labels/index.ts";
import type { RelabelConfig } from "../model/relabel/index.ts";
import { relabel } from "../model/relabel/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import { VERSION } from "../util/version.ts";
import type { AlertSink, NotifierAlert } from "./sink.ts";
import { relabelAlerts } from "./sink.ts";

/** DEFAULT_MAX_BATCH_SIZE is the most alerts posted in one request. */
export const DEFAULT_MAX_BATCH_SIZE = 256;
/** DEFAULT_QUEUE_CAPACITY is --alertmanager.notification-queue-capacity's default. */
export const DEFAULT_QUEUE_CAPACITY = 10_000;

const ADDRESS_LABEL = "__address__";
const SCHEME_LABEL = "__scheme__";
const PATH_LABEL = "__alerts_path__";

/** AlertmanagerSetConfig is one entry of alerting.alertmanagers (static targets only). */
export interface AlertmanagerSetConfig {
  readonly staticConfigs: readonly {
    readonly targets: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
  }[];
  readonly scheme: "http" | "https";
  /** pathPrefix goes before /api/v2/alerts. */
  readonly pathPrefix: string;
  readonly timeoutMs: number;
  readonly apiVersion: "v2";
  /** relabelConfigs rewrite the targets (__address__, __scheme__, __alerts_path__). */
  readonly relabelConfigs: readonly RelabelConfig[];
  /** alertRelabelConfigs rewrite alerts sent to this set. */
  readonly alertRelabelConfigs: readonly RelabelConfig[];
}

/** AlertmanagerNotifierOptions configure the queue; every field has upstream's default. */
export interface AlertmanagerNotifierOptions {
  readonly logger: Logger;
  readonly queueCapacity?: number;
  readonly maxBatchSize?: number;
  /** fetch is the HTTP client (tests replace it); default globalThis.fetch. */
  readonly fetch?: typeof fetch;
}

interface AmSet {
  readonly cfg: AlertmanagerSetConfig;
  readonly urls: string[];
  readonly dropped: string[];
}

/**
 * AlertmanagerNotifier is the AlertSink that posts alerts to external Alertmanagers. Sending
 * runs in the background; `flush` waits until the queue is empty and `stop` sends what is
 * queued (one attempt) and stops.
 */
export class AlertmanagerNotifier implements AlertSink {
  readonly name = "alertmanager";
  readonly #logger: Logger;
  readonly #capacity: number;
  readonly #maxBatch: number;
  readonly #fetch: typeof fetch;
  #queue: NotifierAlert[] = [];
  #sets: AmSet[] = [];
  #sending: Promise<void> | undefined;
  #stopped = false;
  /** Counters of alerts, as prometheus_notifications_{sent,errors,dropped}_total. */
  readonly stats = { sent: 0, errors: 0, dropped: 0 };

  constructor(o: AlertmanagerNotifierOptions) {
    this.#logger = o.logger;
    this.#capacity = o.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    this.#maxBatch = o.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.#fetch = o.fetch ?? globalThis.fetch;
  }

  /**
   * applyConfig sets the Alertmanagers to send to. It throws for a target address that is not
   * host:port, leaving the old configuration in force.
   */
  applyConfig(sets: readonly AlertmanagerSetConfig[]): void {
    this.#sets = sets.map((cfg) => ({ cfg, ...alertmanagerUrls(cfg) }));
  }

  /** alertmanagers lists the URLs alerts are posted to; dropped those relabeling removed. */
  alertmanagers(): { active: string[]; dropped: string[] } {
    return {
      active: this.#sets.flatMap((s) => s.urls),
      dropped: this.#sets.flatMap((s) => s.dropped),
    };
  }

  /** send queues alerts; when the queue is full, the oldest are dropped. */
  send(alerts: readonly NotifierAlert[]): void {
    if (this.#stopped || this.#sets.length === 0) return;
    let batch = [...alerts];
    if (batch.length > this.#capacity) {
      const d = batch.length - this.#capacity;
      batch = batch.slice(d);
      this.stats.dropped += d;
      this.#logger.warn(
        { num_dropped: d },
        "Alert batch larger than queue capacity, dropping alerts",
      );
    }
    const over = this.#queue.length + batch.length - this.#capacity;
    if (over > 0) {
      this.#queue = this.#queue.slice(over);
      this.stats.dropped += over;
      this.#logger.warn({ num_dropped: over }, "Alert notification queue full, dropping alerts");
    }
    this.#queue.push(...batch);
    this.#kick();
  }

  #kick(): void {
    this.#sending ??= (async () => {
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.splice(0, this.#maxBatch);
          if (!(await this.#sendAll(batch))) this.stats.dropped += batch.length;
        }
      } finally {
        this.#sending = undefined;
      }
    })();
  }

  /** flush resolves once every queued alert has been sent (or failed). */
  async flush(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  /** stop sends what is queued (draining, as upstream's default) and refuses further alerts. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.flush();
  }

  /**
   * #sendAll posts a batch to every Alertmanager of every set, concurrently. It reports success
   * when each set that was sent to accepted the batch on at least one Alertmanager.
   */
  async #sendAll(alerts: NotifierAlert[]): Promise<boolean> {
    let cached: string | undefined;
    const results: Promise<boolean>[] = [];
    for (const set of this.#sets) {
      if (set.urls.length === 0) continue;
      let amAlerts = alerts;
      let payload: string;
      if (set.cfg.alertRelabelConfigs.length > 0) {
        amAlerts = relabelAlerts(alerts, set.cfg.alertRelabelConfigs, []);
        if (amAlerts.length === 0) continue;
        payload = encodePostableAlerts(amAlerts);
      } else {
        cached ??= encodePostableAlerts(alerts);
        payload = cached;
      }
      const count = amAlerts.length;
      results.push(
        Promise.all(
          set.urls.map(async (url) => {
            // As upstream, "sent" counts attempts, successful or not.
            this.stats.sent += count;
            try {
              await this.#post(url, payload, set.cfg.timeoutMs);
              return true;
            } catch (err) {
              this.stats.errors += count;
              this.#logger.error(
                { alertmanager: url, count, err: errorMessage(err) },
                "Error sending alerts",
              );
              return false;
            }
          }),
        ).then((oks) => oks.some((x) => x)),
      );
    }
    return (await Promise.all(results)).every((x) => x);
  }

  async #post(url: string, body: string, timeoutMs: number): Promise<void> {
    const res = await this.#fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": `Vigil/${VERSION}` },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`bad response status ${res.status} ${res.statusText}`.trimEnd());
    }
  }
}

/**
 * alertmanagerUrls resolves a set's static targets into URLs (AlertmanagerFromGroup): target
 * labels, then __scheme__ and __alerts_path__, then the group's labels, then relabeling.
 */
export function alertmanagerUrls(cfg: AlertmanagerSetConfig): {
  urls: string[];
  dropped: string[];
} {
  const urls: string[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  const path = posix.join("/", cfg.pathPrefix, `/api/${cfg.apiVersion}/alerts`);
  for (const sc of cfg.staticConfigs) {
    for (const target of sc.targets) {
      const pairs = [
        ...Object.entries(sc.labels).map(([name, value]) => ({ name, value })),
        { name: ADDRESS_LABEL, value: target },
        { name: SCHEME_LABEL, value: cfg.scheme },
        { name: PATH_LABEL, value: path },
      ];
      const pre = labelsFromPairs(pairs);
      const ls = relabel(pre, cfg.relabelConfigs);
      if (ls === null) {
        dropped.push(urlOf(pre));
        continue;
      }
      const addr = getLabel(ls, ADDRESS_LABEL);
      if (addr.includes("/")) throw new Error(`${JSON.stringify(addr)} is not a valid hostname`);
      const url = urlOf(ls);
      if (seen.has(url)) continue;
      seen.add(url);
      urls.push(url);
    }
  }
  return { urls, dropped };
}

function urlOf(ls: Labels): string {
  return `${getLabel(ls, SCHEME_LABEL)}://${getLabel(ls, ADDRESS_LABEL)}${getLabel(ls, PATH_LABEL)}`;
}

/** GO_ZERO_TIME_MILLIS is Go's zero time.Time as strfmt.DateTime prints it. */
const GO_ZERO_TIME_MILLIS = "0001-01-01T00:00:00.000Z";

/**
 * encodePostableAlerts renders alerts as the JSON body of POST /api/v2/alerts, byte for byte
 * as Prometheus does (models.PostableAlerts): annotations (left out when empty), endsAt,
 * startsAt (RFC 3339 with milliseconds; Go's zero time when unset), generatorURL (left out when
 * empty), labels; keys of label sets sorted.
 */
export function encodePostableAlerts(alerts: readonly NotifierAlert[]): string {
  const parts = alerts.map((a) => {
    let s = "{";
    if (a.annotations.length > 0) s += `"annotations":${labelSetJson(a.annotations)},`;
    s += `"endsAt":"${dateTimeMillis(a.endsAtMs)}","startsAt":"${dateTimeMillis(a.startsAtMs)}",`;
    if (a.generatorURL !== "") s += `"generatorURL":${goJsonString(a.generatorURL)},`;
    return s + `"labels":${labelSetJson(a.labels)}}`;
  });
  return `[${parts.join(",")}]`;
}

function dateTimeMillis(ms: number | undefined): string {
  return ms === undefined ? GO_ZERO_TIME_MILLIS : new Date(ms).toISOString();
}

function labelSetJson(ls: Labels): string {
  const sorted = [...ls].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `{${sorted.map((l) => `${goJsonString(l.name)}:${goJsonString(l.value)}`).join(",")}}`;
}

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** goJsonString encodes a string as Go's encoding/json does (HTML characters escaped). */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}
