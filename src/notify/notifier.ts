// The contract between Vigil's notification pipeline and its integrations (webhook, Slack,
// email, ...): what a notifier receives, how it reports failure, and how integrations are
// created from configuration. It matches Alertmanager's notify.Notifier
// (notify/notify.go: `Notify(ctx, ...*types.Alert) (bool, error)`), with the values that
// Alertmanager passes through the context (receiver name, group key, group labels, ...) made
// explicit.
import type { HttpClientConfig } from "../util/http-client/index.ts";
import type { Logger } from "../util/logging/index.ts";
import type { AlertmanagerTemplates, Data } from "../template/index.ts";
import type { IntegrationConfigMap, IntegrationName } from "../alerting/receivers-config.ts";

export type { IntegrationConfigMap, IntegrationName };

/**
 * NotifyAlert is one alert in a notification. Times are Unix milliseconds. status is decided
 * once per notification, at the notification's time (nowMs): "resolved" exactly when endsAtMs
 * is set and not after nowMs, as Alertmanager's Alert.Status.
 */
export interface NotifyAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  /** 0 when the alert has no end time (Go's zero time). */
  readonly endsAtMs: number;
  readonly generatorURL: string;
  /** The alert's label set fingerprint, 16 lower-case hex digits (model.Fingerprint.String). */
  readonly fingerprint: string;
  readonly status: "firing" | "resolved";
}

/**
 * NotifyContext is everything a notifier needs for one notification of one aggregation group
 * to one integration. Notifiers must not modify it.
 */
export interface NotifyContext {
  /** The receiver's name, as in the configuration. */
  readonly receiver: string;
  /** The integration's name ("webhook", "slack", ...) and its index within the receiver. */
  readonly integration: IntegrationName;
  readonly integrationIndex: number;
  /**
   * The aggregation group's key, as Alertmanager prints it (`{}/{team="a"}:{alertname="x"}`):
   * the route's matcher path, then the group labels. Stable across restarts; notifiers that
   * need a short identifier hash it (PagerDuty's dedup_key is its SHA-256 in hex).
   */
  readonly groupKey: string;
  /** The labels the group is grouped by, with the group's values. */
  readonly groupLabels: Readonly<Record<string, string>>;
  /**
   * The alerts to send: firing and (when the integration sends resolved notifications)
   * resolved, sorted by labels. Never empty. Already truncated by nothing: integrations with a
   * size limit (webhook max_alerts) truncate themselves.
   */
  readonly alerts: readonly NotifyAlert[];
  /** The notification's time, Unix milliseconds: alert status is computed against it. */
  readonly nowMs: number;
  /**
   * Why the dedup stage lets this notification through, as Alertmanager words it: "first
   * notification", "new alerts added", "some alerts resolved", "all alerts resolved",
   * "repeat interval elapsed" (Data.NotificationReason, webhook `notification_reason`).
   */
  readonly notificationReason?: string;
  /** The repeat interval of the route, in milliseconds (some integrations use it as a TTL). */
  readonly repeatIntervalMs: number;
  /** Vigil's external URL, without trailing slash (Data.ExternalURL). */
  readonly externalURL: string;
  /** The loaded notification templates: Alertmanager's defaults plus `templates:` files. */
  readonly templates: AlertmanagerTemplates;
  /**
   * The template data for this notification (Alertmanager's Template.Data): receiver, status,
   * alerts, group/common labels, common annotations, external URL. Render fields with
   * `await ctx.templates.executeTextString(cfg.title, ctx.data)`.
   */
  readonly data: Data;
}

/**
 * NotifyError is how a notifier reports a failed attempt. retry says whether trying again may
 * help (Alertmanager's `retry` result: true for network errors, timeouts, 5xx and 429; false
 * for 4xx and for configuration problems such as an unreadable url_file). Any other thrown
 * value counts as a retryable failure.
 */
export class NotifyError extends Error {
  override readonly name = "NotifyError";
  readonly retry: boolean;
  /** The HTTP status of the failed request, when there was one. */
  readonly statusCode: number | undefined;

  constructor(message: string, opts: { retry: boolean; statusCode?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retry = opts.retry;
    this.statusCode = opts.statusCode;
  }
}

/**
 * shouldRetryStatus is Alertmanager's default notify.Retrier for HTTP statuses (notify/util.go
 * RetrierOf / Retrier.Check): 5xx and 429 are worth retrying, anything else is final.
 */
export function shouldRetryStatus(statusCode: number): boolean {
  return statusCode >= 500 || statusCode === 429;
}

/**
 * Notifier delivers notifications for one configured integration (one element of, say, a
 * receiver's slack_configs).
 *
 * Contract:
 * - `notify` resolves when the notification was delivered, and rejects (preferably with a
 *   NotifyError) when it was not. It must not throw synchronously.
 * - It makes one attempt. Retries with exponential backoff, the per-attempt timeout and the
 *   decision which alerts to send (send_resolved) belong to the pipeline (notify.RetryStage).
 * - It must honour `signal`: when it aborts (timeout, shutdown, reload), stop the request and
 *   reject soon after. A notifier that ignores the signal still cannot block other receivers
 *   (each integration has its own queue), but it wastes a slot until it returns.
 * - It may be called concurrently for different groups; it must not keep per-call state in
 *   fields, except for caches that are safe to share (HTTP agents, a Slack thread timestamp).
 */
export interface Notifier {
  notify(ctx: NotifyContext, signal: AbortSignal): Promise<void>;
  /** close releases resources (HTTP agents, SMTP pools) when a reload replaces the notifier. */
  close?(): void;
}

/** NotifierDeps are the shared services a notifier may use. */
export interface NotifierDeps {
  readonly logger: Logger;
  /** Vigil's external URL, without trailing slash. */
  readonly externalURL: string;
  /** The User-Agent to send, "Vigil/<version>". */
  readonly userAgent: string;
  /**
   * httpClientConfig is the effective http_config of the integration (the integration's own or
   * global.http_config); use it with util/http-client's HttpClient.
   */
  readonly httpClientConfig?: HttpClientConfig;
}

/**
 * NotifierFactory builds the notifier for one integration config. It may throw for a config
 * it cannot use; the receiver then fails every notification with that error.
 */
export type NotifierFactory<N extends IntegrationName = IntegrationName> = (
  config: IntegrationConfigMap[N],
  deps: NotifierDeps,
) => Notifier;

/** NotifierFactories maps integration names to factories; integrations not listed are unsupported. */
export type NotifierFactories = { readonly [N in IntegrationName]?: NotifierFactory<N> };
