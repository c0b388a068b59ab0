// Printing the effective configuration back as vigil.yml.
import { stringify } from "yaml";
import { formatDuration } from "../model/duration.ts";
import type { VigilConfig } from "./types.ts";
import { formatBytes } from "./units.ts";
import { globalToDoc, scrapeConfigToDoc } from "../scrape/config-doc.ts";
import { rulesToDoc } from "./rules.ts";
import { alertmanagerSectionToDoc } from "../alerting/config/load.ts";
import { heartbeatsToDoc } from "../heartbeats/config.ts";

/** SECRET replaces secrets in printed configuration, as Prometheus's config.Secret does. */
const SECRET = "<secret>";

/**
 * configToYaml prints the effective configuration as vigil.yml: snake_case keys, every setting
 * including defaults, durations and sizes in their short forms ("60d", "10MiB"). Secrets are
 * masked: a non-empty password prints as `<secret>` and a password in the ClickHouse URL as
 * "xxxxx" (Go's URL.Redacted), so the output is safe to serve on /api/v1/status/config. Since
 * password_file has been read by then, it is not printed. Scrape secrets (passwords,
 * credentials, client secrets, TLS keys) print as `<secret>` too.
 */
export function configToYaml(cfg: VigilConfig): string {
  const { server, storage, query } = cfg;
  const ch = storage.clickhouse;
  const doc = {
    server: {
      listen: server.listen,
      log_level: server.logLevel,
      max_request_body: formatBytes(server.maxRequestBodyBytes),
      rate_limit: server.rateLimitPerSecond,
      ...(server.externalUrl !== undefined && { external_url: server.externalUrl }),
    },
    storage: {
      engine: storage.engine,
      data_dir: storage.dataDir,
      retention: formatDuration(storage.retentionMs),
      batch_max_rows: storage.batchMaxRows,
      batch_max_delay: formatDuration(storage.batchMaxDelayMs),
      head_duration: formatDuration(storage.headDurationMs),
      head_max_samples: storage.headMaxSamples,
      flush_interval: formatDuration(storage.flushIntervalMs),
      ...(ch && {
        clickhouse: {
          url: redactUrl(ch.url),
          username: ch.username,
          ...(ch.password !== "" && { password: SECRET }),
          database: ch.database,
          ...(ch.cluster !== undefined && { cluster: ch.cluster }),
          request_timeout: formatDuration(ch.requestTimeoutMs),
        },
      }),
    },
    query: {
      lookback_delta: formatDuration(query.lookbackDeltaMs),
      timeout: formatDuration(query.timeoutMs),
      max_samples: query.maxSamples,
      max_concurrency: query.maxConcurrency,
    },
    global: globalToDoc(cfg.global),
    ...(cfg.scrapeConfigs.length > 0 && {
      scrape_configs: cfg.scrapeConfigs.map(scrapeConfigToDoc),
    }),
    pushgateway: {
      resend_interval: formatDuration(cfg.pushgateway.resendIntervalMs),
      persistence_file: cfg.pushgateway.persistenceFile,
    },
    remote_write_receiver: {
      max_decoded_bytes: formatBytes(cfg.remoteWriteReceiver.maxDecodedBytes),
    },
    ...rulesToDoc(cfg.ruleFiles, cfg.rules, cfg.alerting),
    alertmanager: alertmanagerSectionToDoc(cfg.alertmanager),
    ...(cfg.heartbeats.checks.length > 0 || cfg.heartbeats.ping
      ? { heartbeats: heartbeatsToDoc(cfg.heartbeats) }
      : {}),
  };
  return stringify(doc);
}

/** redactUrl masks the password in a URL's user info, if any. */
function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.password === "") return text;
  url.password = "xxxxx";
  return url.toString();
}
