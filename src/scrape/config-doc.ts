// Printing `global` and `scrape_configs` back as YAML-ready objects with snake_case keys, for
// configToYaml (/api/v1/status/config). Secrets print as <secret>, as Prometheus's
// config.Secret does; everything printed parses back to the same configuration.
import type { DnsSdConfig, FileSdConfig, HttpSdConfig, StaticConfig } from "../discovery/index.ts";
import { formatDuration } from "../model/duration.ts";
import type { RelabelConfig } from "../model/relabel/index.ts";
import type { HttpClientConfig, TlsConfig } from "../util/http-client/index.ts";
import type { GlobalConfig, ScrapeConfig } from "./config.ts";
import { formatBase2Bytes } from "./config.ts";

const SECRET = "<secret>";

/** globalToDoc prints the global section. */
export function globalToDoc(g: GlobalConfig): Record<string, unknown> {
  return {
    scrape_interval: formatDuration(g.scrapeIntervalMs),
    scrape_timeout: formatDuration(g.scrapeTimeoutMs),
    scrape_protocols: g.scrapeProtocols,
    evaluation_interval: formatDuration(g.evaluationIntervalMs),
    ...(g.ruleQueryOffsetMs !== 0 && { rule_query_offset: formatDuration(g.ruleQueryOffsetMs) }),
    ...(Object.keys(g.externalLabels).length > 0 && { external_labels: g.externalLabels }),
    metric_name_validation_scheme: g.metricNameValidationScheme,
    metric_name_escaping_scheme: g.metricNameEscapingScheme,
    ...limitsDoc(g, true),
  };
}

/** limitsDoc prints the limits; zero limits are left out only where they are the default. */
function limitsDoc(l: GlobalConfig | ScrapeConfig, omitZero: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (k: string, v: number, text: unknown = v): void => {
    if (v !== 0 || !omitZero) out[k] = text;
  };
  put("body_size_limit", l.bodySizeLimitBytes, formatBase2Bytes(l.bodySizeLimitBytes));
  out.sample_limit = l.sampleLimit;
  put("target_limit", l.targetLimit);
  put("label_limit", l.labelLimit);
  put("label_name_length_limit", l.labelNameLengthLimit);
  put("label_value_length_limit", l.labelValueLengthLimit);
  put("keep_dropped_targets", l.keepDroppedTargets);
  return out;
}

function tlsDoc(t: TlsConfig): Record<string, unknown> {
  return {
    ...(t.ca !== undefined && { ca: t.ca }),
    ...(t.cert !== undefined && { cert: t.cert }),
    ...(t.key !== undefined && { key: SECRET }),
    ...(t.caFile !== undefined && { ca_file: t.caFile }),
    ...(t.certFile !== undefined && { cert_file: t.certFile }),
    ...(t.keyFile !== undefined && { key_file: t.keyFile }),
    ...(t.serverName !== undefined && { server_name: t.serverName }),
    insecure_skip_verify: t.insecureSkipVerify,
    ...(t.minVersion !== undefined && { min_version: t.minVersion }),
    ...(t.maxVersion !== undefined && { max_version: t.maxVersion }),
  };
}

/** httpClientDoc prints the inline HTTP client keys. */
function httpClientDoc(c: HttpClientConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.basicAuth) {
    const b = c.basicAuth;
    out.basic_auth = {
      ...(b.username !== "" && { username: b.username }),
      ...(b.usernameFile !== undefined && { username_file: b.usernameFile }),
      ...(b.password !== undefined && { password: SECRET }),
      ...(b.passwordFile !== undefined && { password_file: b.passwordFile }),
    };
  }
  if (c.authorization) {
    const a = c.authorization;
    out.authorization = {
      type: a.type,
      ...(a.credentials !== undefined && { credentials: SECRET }),
      ...(a.credentialsFile !== undefined && { credentials_file: a.credentialsFile }),
    };
  }
  if (c.oauth2) {
    const o = c.oauth2;
    out.oauth2 = {
      client_id: o.clientId,
      ...(o.clientSecret !== undefined && { client_secret: SECRET }),
      ...(o.clientSecretFile !== undefined && { client_secret_file: o.clientSecretFile }),
      ...(o.scopes.length > 0 && { scopes: o.scopes }),
      token_url: o.tokenUrl,
      ...(Object.keys(o.endpointParams).length > 0 && { endpoint_params: o.endpointParams }),
      tls_config: tlsDoc(o.tlsConfig),
    };
  }
  out.tls_config = tlsDoc(c.tlsConfig);
  out.follow_redirects = c.followRedirects;
  out.enable_http2 = c.enableHttp2;
  if (Object.keys(c.httpHeaders).length > 0) {
    out.http_headers = Object.fromEntries(
      Object.entries(c.httpHeaders).map(([k, v]) => [k, { values: v }]),
    );
  }
  return out;
}

/** relabelDoc prints a rule with the fields that differ from the defaults, and its action. */
function relabelDoc(r: RelabelConfig): Record<string, unknown> {
  return {
    ...(r.sourceLabels.length > 0 && { source_labels: r.sourceLabels }),
    ...(r.separator !== ";" && { separator: r.separator }),
    ...(!r.regexIsDefault && { regex: r.regex }),
    ...(r.modulus !== 0 && { modulus: r.modulus }),
    ...(r.targetLabel !== "" && { target_label: r.targetLabel }),
    ...(r.replacement !== "$1" && { replacement: r.replacement }),
    action: r.action,
  };
}

function staticDoc(s: StaticConfig): Record<string, unknown> {
  return {
    targets: s.targets,
    ...(Object.keys(s.labels).length > 0 && { labels: s.labels }),
  };
}

function fileSdDoc(f: FileSdConfig): Record<string, unknown> {
  return { files: f.files, refresh_interval: formatDuration(f.refreshIntervalMs) };
}

function httpSdDoc(h: HttpSdConfig): Record<string, unknown> {
  return {
    url: h.url,
    refresh_interval: formatDuration(h.refreshIntervalMs),
    ...httpClientDoc(h.httpClient),
  };
}

function dnsSdDoc(d: DnsSdConfig): Record<string, unknown> {
  return {
    names: d.names,
    type: d.type,
    ...(d.port !== 0 && { port: d.port }),
    refresh_interval: formatDuration(d.refreshIntervalMs),
  };
}

/** scrapeConfigToDoc prints one job with every setting, its limits resolved. */
export function scrapeConfigToDoc(c: ScrapeConfig): Record<string, unknown> {
  const list = <T>(key: string, xs: readonly T[], f: (x: T) => unknown) =>
    xs.length > 0 ? { [key]: xs.map(f) } : {};
  return {
    job_name: c.jobName,
    honor_labels: c.honorLabels,
    honor_timestamps: c.honorTimestamps,
    track_timestamps_staleness: c.trackTimestampsStaleness,
    ...(Object.keys(c.params).length > 0 && { params: c.params }),
    scrape_interval: formatDuration(c.scrapeIntervalMs),
    scrape_timeout: formatDuration(c.scrapeTimeoutMs),
    scrape_protocols: c.scrapeProtocols,
    ...(c.fallbackScrapeProtocol !== undefined && {
      fallback_scrape_protocol: c.fallbackScrapeProtocol,
    }),
    metrics_path: c.metricsPath,
    scheme: c.scheme,
    enable_compression: c.enableCompression,
    metric_name_validation_scheme: c.metricNameValidationScheme,
    metric_name_escaping_scheme: c.metricNameEscapingScheme,
    ...limitsDoc(c, false),
    ...httpClientDoc(c.httpClient),
    ...list("static_configs", c.staticConfigs, staticDoc),
    ...list("file_sd_configs", c.fileSdConfigs, fileSdDoc),
    ...list("http_sd_configs", c.httpSdConfigs, httpSdDoc),
    ...list("dns_sd_configs", c.dnsSdConfigs, dnsSdDoc),
    ...list("relabel_configs", c.relabelConfigs, relabelDoc),
    ...list("metric_relabel_configs", c.metricRelabelConfigs, relabelDoc),
  };
}
