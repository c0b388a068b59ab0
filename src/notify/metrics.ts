// Metrics of the notification pipeline (Alertmanager's notify/metrics.go, with Vigil's names).
import { Counter, Histogram } from "prom-client";
import type { Registry } from "prom-client";

/** NotifyMetrics are the pipeline's counters, registered once per registry. */
export interface NotifyMetrics {
  /** Notifications attempted (one per flush and integration, retries included). */
  readonly notifications: Counter<"integration">;
  /** Notifications that failed after their retries (or without retry). */
  readonly notificationsFailed: Counter<"integration" | "reason">;
  /** Requests made to integrations (each retry counts). */
  readonly requests: Counter<"integration">;
  readonly requestsFailed: Counter<"integration">;
  readonly latency: Histogram<"integration">;
  /** Alerts left out of notifications, by reason (silence, inhibition, time intervals). */
  readonly suppressed: Counter<"reason">;
}

const cache = new WeakMap<Registry, NotifyMetrics>();

/** notifyMetrics returns the pipeline metrics of a registry, creating them on first use. */
export function notifyMetrics(registry: Registry): NotifyMetrics {
  const have = cache.get(registry);
  if (have) return have;
  const registers = [registry];
  const m: NotifyMetrics = {
    notifications: new Counter({
      name: "vigil_notifications_total",
      help: "The total number of attempted notifications, by integration.",
      labelNames: ["integration"],
      registers,
    }),
    notificationsFailed: new Counter({
      name: "vigil_notifications_failed_total",
      help: "The total number of failed notifications, by integration and reason.",
      labelNames: ["integration", "reason"],
      registers,
    }),
    requests: new Counter({
      name: "vigil_notification_requests_total",
      help: "The total number of attempted notification requests, by integration.",
      labelNames: ["integration"],
      registers,
    }),
    requestsFailed: new Counter({
      name: "vigil_notification_requests_failed_total",
      help: "The total number of failed notification requests, by integration.",
      labelNames: ["integration"],
      registers,
    }),
    latency: new Histogram({
      name: "vigil_notification_latency_seconds",
      help: "The latency of notification requests, by integration.",
      labelNames: ["integration"],
      buckets: [1, 5, 10, 15, 20],
      registers,
    }),
    suppressed: new Counter({
      name: "vigil_notifications_suppressed_total",
      help: "The total number of alerts left out of notifications, by reason.",
      labelNames: ["reason"],
      registers,
    }),
  };
  cache.set(registry, m);
  return m;
}

/**
 * initializeFor makes the per-integration series exist at zero for the configured
 * integrations (Metrics.InitializeFor), so that rate() works from the first failure.
 */
export function initializeFor(m: NotifyMetrics, integrations: Iterable<string>): void {
  for (const name of integrations) {
    m.notifications.inc({ integration: name }, 0);
    m.notificationsFailed.inc({ integration: name, reason: "other" }, 0);
    m.requests.inc({ integration: name }, 0);
    m.requestsFailed.inc({ integration: name }, 0);
  }
}
