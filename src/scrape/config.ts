// The `global` and `scrape_configs` sections of vigil.yml: Prometheus's YAML schema, defaults
// and validation (prometheus config/config.go, common config/http_config.go, discovery/* at
// v3.5), as zod schemas yielding the typed GlobalConfig and ScrapeConfig. Objects are strict:
// a misspelt key is an error, and keys of Prometheus features Vigil lacks say so.
import { resolve } from "node:path";
import { z } from "zod";
import { describeValue } from "../config/errors.ts";
import type {
  DiscoveryConfigs,
  DnsRecordType,
  DnsSdConfig,
  FileSdConfig,
  HttpSdConfig,
  StaticConfig,
} from "../discovery/index.ts";
import { DNS_RECORD_TYPES } from "../discovery/index.ts";
import { parseDuration } from "../model/duration.ts";
import type { RelabelConfig, RelabelConfigInput } from "../model/relabel/index.ts";
import { newRelabelConfig } from "../model/relabel/index.ts";
import type { EscapingScheme, ScrapeProtocol } from "../model/textparse/index.ts";
import { DEFAULT_SCRAPE_PROTOCOLS, isScrapeProtocol } from "../model/textparse/index.ts";
import { errorMessage } from "../util/errors.ts";
import type {
  AuthorizationConfig,
  BasicAuthConfig,
  HttpClientConfig,
  OAuth2Config,
  TlsConfig,
} from "../util/http-client/index.ts";
import { TLS_VERSIONS } from "../util/http-client/index.ts";

/** DEFAULT_SAMPLE_LIMIT is Vigil's default sample_limit per target (team convention). */
export const DEFAULT_SAMPLE_LIMIT = 5000;

/** NAME_VALIDATION_SCHEMES lists the accepted metric_name_validation_scheme values. */
export const NAME_VALIDATION_SCHEMES = ["utf8", "legacy"] as const;

/** NameValidationScheme selects which metric and label names a scrape accepts. */
export type NameValidationScheme = (typeof NAME_VALIDATION_SCHEMES)[number];

const ESCAPING_SCHEMES = ["allow-utf-8", "underscores", "dots", "values"] as const;

/** ScrapeLimits are the per-target limits; 0 means no limit. */
export interface ScrapeLimits {
  /** Largest uncompressed body in bytes [body_size_limit]; default 0. */
  bodySizeLimitBytes: number;
  /** Most samples per scrape after metric relabeling [sample_limit]; Vigil's default 5000. */
  sampleLimit: number;
  /** Most targets per job after relabeling [target_limit]; default 0. */
  targetLimit: number;
  /** Most labels per series [label_limit]; default 0. */
  labelLimit: number;
  /** Longest label name [label_name_length_limit]; default 0. */
  labelNameLengthLimit: number;
  /** Longest label value [label_value_length_limit]; default 0. */
  labelValueLengthLimit: number;
  /** Most dropped targets kept for the API per job [keep_dropped_targets]; default 0. */
  keepDroppedTargets: number;
}

/** GlobalConfig holds settings shared by all jobs, and their defaults [global]. */
export interface GlobalConfig extends ScrapeLimits {
  /** [scrape_interval]; default 1m. */
  scrapeIntervalMs: number;
  /** [scrape_timeout]; default 10s, or the interval when that is shorter. */
  scrapeTimeoutMs: number;
  /** How often rules are evaluated [evaluation_interval]; default 1m. */
  evaluationIntervalMs: number;
  /** How far back in time rule evaluations look [rule_query_offset]; default 0. */
  ruleQueryOffsetMs: number;
  /** Formats to ask targets for, preferred first [scrape_protocols]. */
  scrapeProtocols: ScrapeProtocol[];
  /**
   * Labels added to series and alerts when they leave Vigil (federation, remote write, alert
   * notifications), never to stored series [external_labels].
   */
  externalLabels: Record<string, string>;
  /** [metric_name_validation_scheme]; default utf8. */
  metricNameValidationScheme: NameValidationScheme;
  /** [metric_name_escaping_scheme]; default allow-utf-8 (underscores with legacy validation). */
  metricNameEscapingScheme: EscapingScheme;
}

/** ScrapeConfig is one job of scrape_configs with the global defaults applied. */
export interface ScrapeConfig extends ScrapeLimits, DiscoveryConfigs {
  /** [job_name]; required and unique. */
  jobName: string;
  /** [scrape_interval]; default global. */
  scrapeIntervalMs: number;
  /** [scrape_timeout]; default global, at most the interval. */
  scrapeTimeoutMs: number;
  /** [scrape_protocols]; default global. */
  scrapeProtocols: ScrapeProtocol[];
  /** Format for responses without a usable Content-Type [fallback_scrape_protocol]. */
  fallbackScrapeProtocol?: ScrapeProtocol;
  /** [metrics_path]; default /metrics. */
  metricsPath: string;
  /** [scheme]; default http. */
  scheme: "http" | "https";
  /** URL query parameters [params]. */
  params: Record<string, string[]>;
  /** Keep the scraped labels when they clash with target labels [honor_labels]; default false. */
  honorLabels: boolean;
  /** Use timestamps the target exposes [honor_timestamps]; default true. */
  honorTimestamps: boolean;
  /** Write stale markers for series with explicit timestamps too [track_timestamps_staleness]. */
  trackTimestampsStaleness: boolean;
  /** Ask for gzip [enable_compression]; default true. */
  enableCompression: boolean;
  /** [metric_name_validation_scheme]; default global. */
  metricNameValidationScheme: NameValidationScheme;
  /** [metric_name_escaping_scheme]; default global. */
  metricNameEscapingScheme: EscapingScheme;
  /** Authentication, TLS and redirects of the scrape requests (inline keys). */
  httpClient: HttpClientConfig;
  /** Rules applied to discovered targets [relabel_configs]. */
  relabelConfigs: RelabelConfig[];
  /** Rules applied to scraped series [metric_relabel_configs]. */
  metricRelabelConfigs: RelabelConfig[];
}

/** Service discovery mechanisms of Prometheus that Vigil does not implement yet. */
const UNSUPPORTED_SD = [
  "azure_sd_configs",
  "consul_sd_configs",
  "digitalocean_sd_configs",
  "docker_sd_configs",
  "dockerswarm_sd_configs",
  "ec2_sd_configs",
  "eureka_sd_configs",
  "gce_sd_configs",
  "hetzner_sd_configs",
  "ionos_sd_configs",
  "kubernetes_sd_configs",
  "kuma_sd_configs",
  "lightsail_sd_configs",
  "linode_sd_configs",
  "marathon_sd_configs",
  "nerve_sd_configs",
  "nomad_sd_configs",
  "openstack_sd_configs",
  "ovhcloud_sd_configs",
  "puppetdb_sd_configs",
  "scaleway_sd_configs",
  "serverset_sd_configs",
  "stackit_sd_configs",
  "triton_sd_configs",
  "uyuni_sd_configs",
  "vultr_sd_configs",
] as const;

/** HTTP client keys of Prometheus that Vigil does not implement yet. */
const UNSUPPORTED_HTTP = [
  "proxy_url",
  "no_proxy",
  "proxy_from_environment",
  "proxy_connect_header",
] as const;

// ---------------------------------------------------------------------------------------------
// Field helpers.

/** issue adds a custom issue; path is relative to the value being checked. */
function issue(ctx: z.RefinementCtx, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: "custom", message, path });
}

/**
 * duration accepts a Prometheus duration and yields milliseconds. A YAML number is read as its
 * decimal text, so `0` works while `60` is an invalid duration, as in Prometheus.
 */
function duration() {
  return z.unknown().transform((value, ctx): number => {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string") {
      issue(ctx, `expected a duration, got ${describeValue(value)}`);
      return z.NEVER;
    }
    try {
      return parseDuration(text);
    } catch (err) {
      issue(ctx, errorMessage(err));
      return z.NEVER;
    }
  });
}

/** uint accepts a non-negative integer. */
function uint() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      issue(ctx, `expected an integer, got ${describeValue(value)}`);
      return z.NEVER;
    }
    if (value < 0) {
      issue(ctx, `must not be negative, got ${value}`);
      return z.NEVER;
    }
    return value;
  });
}

const BASE2_UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
  TB: 1024 ** 4,
  TiB: 1024 ** 4,
  PB: 1024 ** 5,
  PiB: 1024 ** 5,
};

/**
 * parseBase2Bytes parses a size the way Prometheus's body_size_limit (units.Base2Bytes) does:
 * KB, MB, … are powers of 1024 like KiB, MiB; terms may be combined ("1MB512KB"); "0" is 0.
 */
export function parseBase2Bytes(text: string): number {
  if (text === "0") return 0;
  const re = /([0-9]+)([A-Za-z]+)/y;
  let total = 0;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    const unit = m ? BASE2_UNITS[m[2]!] : undefined;
    if (!m || unit === undefined) throw new Error(`invalid size ${JSON.stringify(text)}`);
    total += Number(m[1]) * unit;
    i = re.lastIndex;
  }
  if (text === "" || !Number.isSafeInteger(total)) {
    throw new Error(`invalid size ${JSON.stringify(text)}`);
  }
  return total;
}

/** formatBase2Bytes prints bytes in the largest binary unit that divides them ("10MiB"). */
export function formatBase2Bytes(bytes: number): string {
  if (bytes === 0) return "0B";
  for (const [unit, size] of [
    ["PiB", 1024 ** 5],
    ["TiB", 1024 ** 4],
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

/** base2Bytes accepts a body_size_limit: a size string or a plain byte count. */
function base2Bytes() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
    if (typeof value !== "string") {
      issue(ctx, `expected a size such as 10MB, got ${describeValue(value)}`);
      return z.NEVER;
    }
    try {
      return parseBase2Bytes(value);
    } catch (err) {
      issue(ctx, errorMessage(err));
      return z.NEVER;
    }
  });
}

/** scalarString accepts a string, or a number or boolean as its YAML text (label values). */
function scalarString() {
  return z.unknown().transform((value, ctx): string => {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    issue(ctx, `expected a string, got ${describeValue(value)}`);
    return z.NEVER;
  });
}

/** labelSet accepts a mapping of label names to values. */
function labelSet() {
  return z.record(z.string(), scalarString()).superRefine((rec, ctx) => {
    for (const name of Object.keys(rec)) {
      if (name === "") issue(ctx, `"" is not a valid label name`, [name]);
    }
  });
}

const scrapeProtocol = z.string().superRefine((p, ctx) => {
  if (!isScrapeProtocol(p)) {
    issue(
      ctx,
      `unknown scrape protocol ${p}, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0]`,
    );
  }
});

const scrapeProtocols = z.array(scrapeProtocol).superRefine((ps, ctx) => {
  if (ps.length === 0) issue(ctx, "scrape_protocols cannot be empty");
  const seen = new Set<string>();
  for (const p of ps) {
    if (seen.has(p.toLowerCase())) {
      issue(ctx, `duplicated protocol in scrape_protocols, got [${ps.join(" ")}]`);
      return;
    }
    seen.add(p.toLowerCase());
  }
});

// ---------------------------------------------------------------------------------------------
// HTTP client settings (prometheus/common config.HTTPClientConfig).

const tlsShape = {
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  server_name: z.string().optional(),
  insecure_skip_verify: z.boolean().default(false),
  min_version: z.enum(TLS_VERSIONS).optional(),
  max_version: z.enum(TLS_VERSIONS).optional(),
};

function tlsSchema(baseDir: string) {
  return z
    .object(tlsShape)
    .strict()
    .transform((t, ctx): TlsConfig => {
      const nz = (...xs: (string | undefined)[]) => xs.filter((x) => x).length;
      if (nz(t.ca, t.ca_file) > 1)
        issue(ctx, "at most one of ca, ca_file & ca_ref must be configured");
      if (nz(t.cert, t.cert_file) > 1) {
        issue(ctx, "at most one of cert, cert_file & cert_ref must be configured");
      }
      if (nz(t.key, t.key_file) > 1)
        issue(ctx, "at most one of key and key_file must be configured");
      const usingCert = nz(t.cert, t.cert_file) > 0;
      const usingKey = nz(t.key, t.key_file) > 0;
      if (usingCert && !usingKey) {
        issue(
          ctx,
          "exactly one of key or key_file must be configured when a client certificate is configured",
        );
      } else if (usingKey && !usingCert) {
        issue(
          ctx,
          "exactly one of cert or cert_file must be configured when a client key is configured",
        );
      }
      const out: TlsConfig = { insecureSkipVerify: t.insecure_skip_verify };
      const file = (f: string | undefined) => (f ? resolve(baseDir, f) : undefined);
      if (t.ca) out.ca = t.ca;
      if (t.cert) out.cert = t.cert;
      if (t.key) out.key = t.key;
      if (t.ca_file) out.caFile = file(t.ca_file);
      if (t.cert_file) out.certFile = file(t.cert_file);
      if (t.key_file) out.keyFile = file(t.key_file);
      if (t.server_name) out.serverName = t.server_name;
      if (t.min_version) out.minVersion = t.min_version;
      if (t.max_version) out.maxVersion = t.max_version;
      return out;
    });
}

function httpClientShape(baseDir: string) {
  const unsupported = Object.fromEntries(UNSUPPORTED_HTTP.map((k) => [k, z.unknown().optional()]));
  return {
    basic_auth: z
      .object({
        username: z.string().default(""),
        username_file: z.string().optional(),
        password: z.string().default(""),
        password_file: z.string().optional(),
      })
      .strict()
      .optional(),
    authorization: z
      .object({
        type: z.string().default(""),
        credentials: z.string().default(""),
        credentials_file: z.string().optional(),
      })
      .strict()
      .optional(),
    oauth2: z
      .object({
        client_id: z.string().default(""),
        client_secret: z.string().default(""),
        client_secret_file: z.string().optional(),
        scopes: z.array(z.string()).default([]),
        token_url: z.string().default(""),
        endpoint_params: z.record(z.string(), scalarString()).default({}),
        tls_config: tlsSchema(baseDir).prefault({}),
      })
      .strict()
      .optional(),
    bearer_token: z.string().optional(),
    bearer_token_file: z.string().optional(),
    tls_config: tlsSchema(baseDir).prefault({}),
    follow_redirects: z.boolean().default(true),
    enable_http2: z.boolean().default(true),
    http_headers: z
      .record(
        z.string(),
        z
          .object({
            values: z.array(z.string()).default([]),
            secrets: z.array(z.string()).default([]),
            files: z.array(z.string()).default([]),
          })
          .strict(),
      )
      .optional(),
    ...unsupported,
  };
}

type HttpClientInput = z.output<z.ZodObject<ReturnType<typeof httpClientShape>>>;

/**
 * httpClientConfig validates the inline HTTP client keys (HTTPClientConfig.Validate) and
 * builds an HttpClientConfig. Header files are read here.
 */
function httpClientConfig(
  c: HttpClientInput,
  baseDir: string,
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): HttpClientConfig {
  const file = (f: string) => resolve(baseDir, f);
  for (const k of UNSUPPORTED_HTTP) {
    if ((c as Record<string, unknown>)[k] !== undefined) {
      issue(ctx, `${k} is not supported by Vigil yet`, [...path, k]);
    }
  }
  if (c.bearer_token && c.bearer_token_file) {
    issue(ctx, "at most one of bearer_token & bearer_token_file must be configured", path);
  }
  const hasBearer = !!c.bearer_token || !!c.bearer_token_file;
  if ((c.basic_auth || c.oauth2) && hasBearer) {
    issue(
      ctx,
      "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
      path,
    );
  }
  const out: HttpClientConfig = {
    tlsConfig: c.tls_config,
    followRedirects: c.follow_redirects,
    enableHttp2: c.enable_http2,
    httpHeaders: {},
  };
  if (c.basic_auth) {
    const b = c.basic_auth;
    if (b.username !== "" && b.username_file) {
      issue(
        ctx,
        "at most one of basic_auth username, username_file & username_ref must be configured",
        [...path, "basic_auth"],
      );
    }
    if (b.password !== "" && b.password_file) {
      issue(
        ctx,
        "at most one of basic_auth password, password_file & password_ref must be configured",
        [...path, "basic_auth"],
      );
    }
    const ba: BasicAuthConfig = { username: b.username };
    if (b.username_file) ba.usernameFile = file(b.username_file);
    if (b.password !== "") ba.password = b.password;
    if (b.password_file) ba.passwordFile = file(b.password_file);
    out.basicAuth = ba;
  }
  if (c.authorization) {
    const a = c.authorization;
    const at = [...path, "authorization"];
    if (hasBearer)
      issue(ctx, "authorization is not compatible with bearer_token & bearer_token_file", at);
    if (a.credentials !== "" && a.credentials_file) {
      issue(
        ctx,
        "at most one of authorization credentials & credentials_file must be configured",
        at,
      );
    }
    const type = a.type.trim() === "" ? "Bearer" : a.type.trim();
    if (type.toLowerCase() === "basic") {
      issue(ctx, `authorization type cannot be set to "basic", use "basic_auth" instead`, [
        ...at,
        "type",
      ]);
    }
    if (c.basic_auth || c.oauth2) {
      issue(ctx, "at most one of basic_auth, oauth2 & authorization must be configured", at);
    }
    const az: AuthorizationConfig = { type };
    if (a.credentials !== "") az.credentials = a.credentials;
    if (a.credentials_file) az.credentialsFile = file(a.credentials_file);
    out.authorization = az;
  } else if (c.bearer_token) {
    out.authorization = { type: "Bearer", credentials: c.bearer_token };
  } else if (c.bearer_token_file) {
    out.authorization = { type: "Bearer", credentialsFile: file(c.bearer_token_file) };
  }
  if (c.oauth2) {
    const o = c.oauth2;
    const at = [...path, "oauth2"];
    if (c.basic_auth)
      issue(ctx, "at most one of basic_auth, oauth2 & authorization must be configured", at);
    if (o.client_id === "") issue(ctx, "oauth2 client_id must be configured", at);
    if (o.token_url === "") issue(ctx, "oauth2 token_url must be configured", at);
    if (o.client_secret !== "" && o.client_secret_file) {
      issue(
        ctx,
        "at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured",
        at,
      );
    }
    const oa: OAuth2Config = {
      clientId: o.client_id,
      tokenUrl: o.token_url,
      scopes: o.scopes,
      endpointParams: o.endpoint_params,
      tlsConfig: o.tls_config,
    };
    if (o.client_secret !== "") oa.clientSecret = o.client_secret;
    if (o.client_secret_file) oa.clientSecretFile = file(o.client_secret_file);
    out.oauth2 = oa;
  }
  for (const [name, h] of Object.entries(c.http_headers ?? {})) {
    const lower = name.toLowerCase();
    if (
      [
        "authorization",
        "host",
        "content-encoding",
        "content-length",
        "content-type",
        "user-agent",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "www-authenticate",
        "accept-encoding",
        "x-prometheus-remote-write-version",
        "x-prometheus-remote-read-version",
        "x-prometheus-scrape-timeout-seconds",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
      ].includes(lower)
    ) {
      issue(ctx, `setting header ${JSON.stringify(name)} is not allowed`, [
        ...path,
        "http_headers",
        name,
      ]);
      continue;
    }
    if (h.files.length > 0) {
      issue(ctx, "http_headers files are not supported by Vigil yet", [
        ...path,
        "http_headers",
        name,
        "files",
      ]);
    }
    out.httpHeaders[name] = [...h.values, ...h.secrets];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Relabeling and service discovery.

const relabelSchema = z
  .object({
    source_labels: z.array(z.string()).optional(),
    separator: z.string().optional(),
    regex: scalarString().optional(),
    modulus: uint().optional(),
    target_label: z.string().optional(),
    replacement: scalarString().optional(),
    action: z.string().optional(),
  })
  .strict()
  .transform((r, ctx): RelabelConfig => {
    const input: RelabelConfigInput = {};
    if (r.source_labels !== undefined) input.source_labels = r.source_labels;
    if (r.separator !== undefined) input.separator = r.separator;
    if (r.regex !== undefined) input.regex = r.regex;
    if (r.modulus !== undefined) input.modulus = r.modulus;
    if (r.target_label !== undefined) input.target_label = r.target_label;
    if (r.replacement !== undefined) input.replacement = r.replacement;
    if (r.action !== undefined) input.action = r.action;
    try {
      return newRelabelConfig(input);
    } catch (err) {
      issue(ctx, errorMessage(err));
      return z.NEVER;
    }
  });

const staticConfigSchema = z
  .object({
    targets: z.array(scalarString()).default([]),
    labels: labelSet().default({}),
  })
  .strict()
  .transform((s): StaticConfig => ({ targets: s.targets, labels: s.labels }));

const FILE_SD_NAME = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

function fileSdSchema(baseDir: string) {
  return z
    .object({
      files: z.array(z.string()).default([]),
      refresh_interval: duration().prefault("5m"),
    })
    .strict()
    .transform((f, ctx): FileSdConfig => {
      if (f.files.length === 0) {
        issue(ctx, "file service discovery config must contain at least one path name", ["files"]);
      }
      f.files.forEach((name, i) => {
        if (!FILE_SD_NAME.test(name)) {
          issue(ctx, `path name ${JSON.stringify(name)} is not valid for file discovery`, [
            "files",
            i,
          ]);
        }
      });
      return {
        files: f.files.map((p) => resolve(baseDir, p)),
        refreshIntervalMs: f.refresh_interval || 5 * 60_000,
      };
    });
}

function httpSdSchema(baseDir: string) {
  return z
    .object({
      url: z.string().default(""),
      refresh_interval: duration().prefault("60s"),
      ...httpClientShape(baseDir),
    })
    .strict()
    .transform((h, ctx): HttpSdConfig => {
      if (h.url === "") issue(ctx, "URL is missing", ["url"]);
      else {
        let u: URL | undefined;
        try {
          u = new URL(h.url);
        } catch {
          issue(ctx, `invalid URL ${JSON.stringify(h.url)}`, ["url"]);
        }
        if (u && u.protocol !== "http:" && u.protocol !== "https:") {
          issue(ctx, "URL scheme must be 'http' or 'https'", ["url"]);
        } else if (u && u.host === "") {
          issue(ctx, "host is missing in URL", ["url"]);
        }
      }
      return {
        url: h.url,
        refreshIntervalMs: h.refresh_interval || 60_000,
        httpClient: httpClientConfig(h, baseDir, ctx, []),
      };
    });
}

const dnsSdSchema = z
  .object({
    names: z.array(z.string()).default([]),
    type: z.string().default("SRV"),
    port: uint().default(0),
    refresh_interval: duration().prefault("30s"),
  })
  .strict()
  .transform((d, ctx): DnsSdConfig => {
    if (d.names.length === 0) {
      issue(ctx, "DNS-SD config must contain at least one SRV record name", ["names"]);
    }
    const type = d.type.toUpperCase();
    if (!(DNS_RECORD_TYPES as readonly string[]).includes(type)) {
      issue(ctx, `invalid DNS-SD records type ${d.type}`, ["type"]);
    } else if (type !== "SRV" && d.port === 0) {
      issue(ctx, "a port is required in DNS-SD configs for all record types except SRV", ["port"]);
    }
    return {
      names: d.names,
      type: type as DnsRecordType,
      port: d.port,
      refreshIntervalMs: d.refresh_interval || 30_000,
    };
  });

// ---------------------------------------------------------------------------------------------
// global and scrape_configs.

const limitsShape = {
  body_size_limit: base2Bytes().optional(),
  sample_limit: uint().optional(),
  target_limit: uint().optional(),
  label_limit: uint().optional(),
  label_name_length_limit: uint().optional(),
  label_value_length_limit: uint().optional(),
  keep_dropped_targets: uint().optional(),
};

/** globalSchema is the `global` section. */
export const globalSchema = z
  .object({
    scrape_interval: duration().optional(),
    scrape_timeout: duration().optional(),
    scrape_protocols: scrapeProtocols.optional(),
    evaluation_interval: duration().optional(),
    rule_query_offset: duration().optional(),
    external_labels: labelSet().default({}),
    metric_name_validation_scheme: z.enum(NAME_VALIDATION_SCHEMES).optional(),
    metric_name_escaping_scheme: z.enum(ESCAPING_SCHEMES).optional(),
    always_scrape_classic_histograms: z.boolean().optional(),
    convert_classic_histograms_to_nhcb: z.literal(false).optional(),
    ...limitsShape,
  })
  .strict()
  .transform((g, ctx): GlobalConfig => {
    // As GlobalConfig.UnmarshalYAML: an unset (or zero) interval takes the default, and the
    // default timeout shrinks to fit a shorter interval.
    const interval = g.scrape_interval || 60_000;
    let timeout = g.scrape_timeout ?? 0;
    if (timeout > interval) {
      issue(ctx, "global scrape timeout greater than scrape interval", ["scrape_timeout"]);
    }
    if (timeout === 0) timeout = Math.min(10_000, interval);
    const validation = g.metric_name_validation_scheme ?? "utf8";
    return {
      scrapeIntervalMs: interval,
      scrapeTimeoutMs: timeout,
      evaluationIntervalMs: g.evaluation_interval || 60_000,
      ruleQueryOffsetMs: g.rule_query_offset ?? 0,
      scrapeProtocols: (g.scrape_protocols as ScrapeProtocol[] | undefined) ?? [
        ...DEFAULT_SCRAPE_PROTOCOLS,
      ],
      externalLabels: g.external_labels,
      metricNameValidationScheme: validation,
      metricNameEscapingScheme:
        g.metric_name_escaping_scheme ?? (validation === "legacy" ? "underscores" : "allow-utf-8"),
      bodySizeLimitBytes: g.body_size_limit ?? 0,
      sampleLimit: g.sample_limit ?? DEFAULT_SAMPLE_LIMIT,
      targetLimit: g.target_limit ?? 0,
      labelLimit: g.label_limit ?? 0,
      labelNameLengthLimit: g.label_name_length_limit ?? 0,
      labelValueLengthLimit: g.label_value_length_limit ?? 0,
      keepDroppedTargets: g.keep_dropped_targets ?? 0,
    };
  });

/** scrapeConfigSchema is one scrape_configs entry before the global defaults are applied. */
function scrapeConfigSchema(baseDir: string) {
  const unsupportedSd = Object.fromEntries(UNSUPPORTED_SD.map((k) => [k, z.unknown().optional()]));
  return z
    .object({
      job_name: z.string().default(""),
      honor_labels: z.boolean().default(false),
      honor_timestamps: z.boolean().default(true),
      track_timestamps_staleness: z.boolean().default(false),
      params: z.record(z.string(), z.array(scalarString())).default({}),
      scrape_interval: duration().optional(),
      scrape_timeout: duration().optional(),
      scrape_protocols: scrapeProtocols.optional(),
      fallback_scrape_protocol: scrapeProtocol.optional(),
      always_scrape_classic_histograms: z.boolean().optional(),
      convert_classic_histograms_to_nhcb: z.literal(false).optional(),
      metrics_path: z.string().default("/metrics"),
      scheme: z.enum(["http", "https"]).default("http"),
      enable_compression: z.boolean().default(true),
      metric_name_validation_scheme: z.enum(NAME_VALIDATION_SCHEMES).optional(),
      metric_name_escaping_scheme: z.enum(ESCAPING_SCHEMES).optional(),
      native_histogram_bucket_limit: uint().optional(),
      native_histogram_min_bucket_factor: z.number().optional(),
      ...limitsShape,
      static_configs: z.array(staticConfigSchema).default([]),
      file_sd_configs: z.array(fileSdSchema(baseDir)).default([]),
      http_sd_configs: z.array(httpSdSchema(baseDir)).default([]),
      dns_sd_configs: z.array(dnsSdSchema).default([]),
      relabel_configs: z.array(relabelSchema).default([]),
      metric_relabel_configs: z.array(relabelSchema).default([]),
      ...httpClientShape(baseDir),
      ...unsupportedSd,
    })
    .strict()
    .transform((c, ctx) => {
      if (c.job_name === "") issue(ctx, "job_name is empty", ["job_name"]);
      for (const k of UNSUPPORTED_SD) {
        if ((c as Record<string, unknown>)[k] !== undefined) {
          issue(
            ctx,
            `${k.replace(/_sd_configs$/, "")} service discovery is not supported by Vigil yet`,
            [k],
          );
        }
      }
      // Check for URLs in static targets, unless relabeling may rewrite them (checkStaticTargets).
      if (c.relabel_configs.length === 0) {
        c.static_configs.forEach((s, i) =>
          s.targets.forEach((t, j) => {
            if (t.includes("/")) {
              issue(ctx, `${JSON.stringify(t)} is not a valid hostname`, [
                "static_configs",
                i,
                "targets",
                j,
              ]);
            }
          }),
        );
      }
      return { ...c, httpClient: httpClientConfig(c, baseDir, ctx, []) };
    });
}

/** scrapeConfigsSchema is the `scrape_configs` list before resolveScrapeConfigs. */
export function scrapeConfigsSchema(baseDir: string) {
  return z.array(scrapeConfigSchema(baseDir));
}

/** RawScrapeConfig is a parsed scrape_configs entry whose global defaults are not applied yet. */
export type RawScrapeConfig = z.output<ReturnType<typeof scrapeConfigSchema>>;

/**
 * resolveScrapeConfigs applies the global defaults to each job and checks what needs both
 * (ScrapeConfig.Validate): a timeout longer than the interval, and duplicate job names. A job
 * inherits each limit it does not set; unlike Prometheus, a job's explicit 0 means "no limit"
 * even when the global section sets one. Problems are added to ctx under `path` (the key path
 * of scrape_configs).
 */
export function resolveScrapeConfigs(
  global: GlobalConfig,
  raw: readonly RawScrapeConfig[],
  ctx: z.RefinementCtx,
  path: PropertyKey[] = ["scrape_configs"],
): ScrapeConfig[] {
  const seen = new Set<string>();
  return raw.map((c, i): ScrapeConfig => {
    const at = (...rest: PropertyKey[]) => [...path, i, ...rest];
    const interval = c.scrape_interval || global.scrapeIntervalMs;
    let timeout = c.scrape_timeout ?? 0;
    if (timeout > interval) {
      issue(
        ctx,
        `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(c.job_name)}`,
        at("scrape_timeout"),
      );
    }
    if (timeout === 0) timeout = Math.min(global.scrapeTimeoutMs, interval);
    if (seen.has(c.job_name)) {
      issue(
        ctx,
        `found multiple scrape configs with job name ${JSON.stringify(c.job_name)}`,
        at("job_name"),
      );
    }
    seen.add(c.job_name);
    const validation = c.metric_name_validation_scheme ?? global.metricNameValidationScheme;
    const escaping = c.metric_name_escaping_scheme ?? global.metricNameEscapingScheme;
    if (escaping === "allow-utf-8" && validation !== "utf8") {
      issue(
        ctx,
        "utf8 metric names requested but validation scheme is not set to UTF8",
        at("metric_name_escaping_scheme"),
      );
    }
    const out: ScrapeConfig = {
      jobName: c.job_name,
      scrapeIntervalMs: interval,
      scrapeTimeoutMs: timeout,
      scrapeProtocols: (c.scrape_protocols as ScrapeProtocol[] | undefined) ?? [
        ...global.scrapeProtocols,
      ],
      metricsPath: c.metrics_path,
      scheme: c.scheme,
      params: c.params,
      honorLabels: c.honor_labels,
      honorTimestamps: c.honor_timestamps,
      trackTimestampsStaleness: c.track_timestamps_staleness,
      enableCompression: c.enable_compression,
      metricNameValidationScheme: validation,
      metricNameEscapingScheme: escaping,
      bodySizeLimitBytes: c.body_size_limit ?? global.bodySizeLimitBytes,
      sampleLimit: c.sample_limit ?? global.sampleLimit,
      targetLimit: c.target_limit ?? global.targetLimit,
      labelLimit: c.label_limit ?? global.labelLimit,
      labelNameLengthLimit: c.label_name_length_limit ?? global.labelNameLengthLimit,
      labelValueLengthLimit: c.label_value_length_limit ?? global.labelValueLengthLimit,
      keepDroppedTargets: c.keep_dropped_targets ?? global.keepDroppedTargets,
      httpClient: c.httpClient,
      staticConfigs: c.static_configs,
      fileSdConfigs: c.file_sd_configs,
      httpSdConfigs: c.http_sd_configs,
      dnsSdConfigs: c.dns_sd_configs,
      relabelConfigs: c.relabel_configs,
      metricRelabelConfigs: c.metric_relabel_configs,
    };
    if (c.fallback_scrape_protocol !== undefined) {
      out.fallbackScrapeProtocol = c.fallback_scrape_protocol as ScrapeProtocol;
    }
    return out;
  });
}
