import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type {
  AlertingConfig,
  GlobalConfig,
  PushgatewayConfig,
  QueryConfig,
  RemoteWriteReceiverConfig,
  RulesConfig,
  ScrapeConfig,
  ServerConfig,
  StorageConfig,
  VigilConfig,
} from "./index.ts";
import { ConfigError, configToYaml, defaultConfig, loadConfigFile, parseConfig } from "./index.ts";

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), "testdata");

const S = 1000;
const M = 60 * S;
const D = 24 * 60 * M;
const MIB = 1024 * 1024;

interface Case {
  name: string;
  yaml: string;
  /** The file name passed to parseConfig; "vigil.yml" unless set. */
  file?: string;
  /** Expected result: these settings over the defaults (with data_dir relative to file). */
  expect?: {
    server?: Partial<ServerConfig>;
    storage?: Partial<StorageConfig>;
    query?: Partial<QueryConfig>;
    global?: Partial<GlobalConfig>;
    pushgateway?: Partial<PushgatewayConfig>;
    remoteWriteReceiver?: Partial<RemoteWriteReceiverConfig>;
    ruleFiles?: string[];
    rules?: Partial<RulesConfig>;
    alerting?: Partial<AlertingConfig>;
    /** Expected jobs, each as settings over jobDefaults(job_name). */
    scrapeConfigs?: Partial<ScrapeConfig>[];
  };
  /** Expected ConfigError message. */
  error?: string;
  /** Every expected issue message, in order, when there is more than one. */
  issues?: string[];
}

const cases: Case[] = [
  // Defaults.
  { name: "empty file", yaml: "", expect: {} },
  { name: "only comments", yaml: "# nothing here yet\n\n   # still nothing\n", expect: {} },
  { name: "explicit null document", yaml: "~\n", expect: {} },
  {
    name: "sections with everything commented out",
    yaml: "server:\n  # listen: 0.0.0.0:9700\nstorage:\n  retention:\n",
    expect: {},
  },

  // Valid files.
  {
    name: "full valid file",
    file: "/etc/vigil/vigil.yml",
    yaml: `
server:
  listen: 0.0.0.0:9701
  log_level: warn
  max_request_body: 1GiB
storage:
  engine: clickhouse
  data_dir: /var/lib/vigil
  retention: 2w
  batch_max_rows: 1000
  batch_max_delay: 0
  clickhouse:
    url: http://127.0.0.1:8123
    username: default
    password: "hunter2"
    database: vigil_prod
    cluster: ""
    request_timeout: 1m30s
`,
    expect: {
      server: { listen: "0.0.0.0:9701", logLevel: "warn", maxRequestBodyBytes: 1024 * MIB },
      storage: {
        engine: "clickhouse",
        dataDir: "/var/lib/vigil",
        retentionMs: 14 * D,
        batchMaxRows: 1000,
        batchMaxDelayMs: 0,
        clickhouse: {
          url: "http://127.0.0.1:8123",
          username: "default",
          password: "hunter2",
          database: "vigil_prod",
          requestTimeoutMs: 90 * S,
        },
      },
    },
  },
  {
    name: "clickhouse defaults and cluster",
    yaml: "storage:\n  engine: clickhouse\n  clickhouse:\n    url: https://ch:8443\n    cluster: c1\n",
    expect: {
      storage: {
        engine: "clickhouse",
        clickhouse: {
          url: "https://ch:8443",
          username: "default",
          password: "",
          database: "vigil",
          cluster: "c1",
          requestTimeoutMs: 30 * S,
        },
      },
    },
  },
  {
    name: "clickhouse section unused by another engine",
    yaml: "storage:\n  engine: memory\n  clickhouse:\n    password_file: /nonexistent\n",
    expect: { storage: { engine: "memory" } },
  },
  {
    name: "IPv6 listen address and size forms",
    yaml: 'server:\n  listen: "[::1]:0"\n  max_request_body: 512 KB\n',
    expect: { server: { listen: "[::1]:0", maxRequestBodyBytes: 512_000 } },
  },
  {
    name: "plain integer size",
    yaml: "server:\n  max_request_body: 1048576\n  listen: localhost:65535\n",
    expect: { server: { maxRequestBodyBytes: MIB, listen: "localhost:65535" } },
  },
  {
    name: "relative data_dir resolves against the config file's directory",
    file: "/srv/vigil/conf/vigil.yml",
    yaml: "storage:\n  data_dir: ../data\n",
    expect: { storage: { dataDir: "/srv/vigil/data" } },
  },
  {
    name: "default data_dir resolves against the config file's directory",
    file: "/srv/vigil/vigil.yml",
    yaml: "",
    expect: { storage: { dataDir: "/srv/vigil/data" } },
  },
  {
    name: "password_file relative to the config file, trimmed",
    file: join(TESTDATA, "vigil.yml"),
    yaml: `
storage:
  engine: clickhouse
  clickhouse:
    url: http://127.0.0.1:8123
    password_file: clickhouse-password
`,
    expect: {
      storage: {
        engine: "clickhouse",
        dataDir: join(TESTDATA, "data"),
        clickhouse: {
          url: "http://127.0.0.1:8123",
          username: "default",
          password: "s3cret",
          database: "vigil",
          requestTimeoutMs: 30 * S,
        },
      },
    },
  },

  {
    name: "query section",
    yaml: "query:\n  lookback_delta: 1m\n  timeout: 30s\n  max_samples: 1000\n  max_concurrency: 4\n",
    expect: {
      query: { lookbackDeltaMs: M, timeoutMs: 30 * S, maxSamples: 1000, maxConcurrency: 4 },
    },
  },
  {
    name: "pushgateway and remote_write_receiver sections",
    yaml: "pushgateway:\n  resend_interval: 5s\n  persistence_file: ''\nremote_write_receiver:\n  max_decoded_bytes: 1MiB\n",
    expect: {
      pushgateway: { resendIntervalMs: 5 * S, persistenceFile: "" },
      remoteWriteReceiver: { maxDecodedBytes: MIB },
    },
  },
  {
    name: "rule_files, rules and server.external_url",
    yaml: "server:\n  external_url: https://vigil.example.com/\nrule_files: [rules/*.yml, /etc/r.yml]\nrules:\n  dir: alerts\n  env: prod\n  watchdog: false\n",
    expect: {
      server: { externalUrl: "https://vigil.example.com" },
      ruleFiles: [resolve("rules/*.yml"), "/etc/r.yml"],
      rules: { dir: resolve("alerts"), env: "prod", watchdog: false },
    },
  },
  {
    name: "alerting.alertmanagers",
    yaml: "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [am:9093]\n      path_prefix: /am\n      timeout: 5s\n",
    expect: {
      alerting: {
        alertRelabelConfigs: [],
        alertmanagers: [
          {
            staticConfigs: [{ targets: ["am:9093"], labels: {} }],
            scheme: "http",
            pathPrefix: "/am",
            timeoutMs: 5 * S,
            apiVersion: "v2",
            relabelConfigs: [],
            alertRelabelConfigs: [],
          },
        ],
      },
    },
  },
  {
    name: "alertmanager api_version v1",
    yaml: "alerting:\n  alertmanagers:\n    - api_version: v1\n",
    error:
      "vigil.yml:3:20: alerting.alertmanagers[0].api_version: expected Alertmanager api version to be one of [v2] but got v1",
  },
  {
    name: "rules.policy refuse",
    yaml: "rules:\n  policy: refuse\n",
    expect: { rules: { policy: "refuse" } },
  },
  {
    name: "rules.policy unknown",
    yaml: "rules:\n  policy: strict\n",
    error: 'vigil.yml:2:11: rules.policy: invalid value "strict" (want one of warn, refuse, off)',
  },
  {
    name: "rules.env common",
    yaml: "rules:\n  env: common\n",
    error: "vigil.yml:2:8: rules.env: must not be common (the layout's shared directory)",
  },
  {
    name: "zero pushgateway.resend_interval",
    yaml: "pushgateway:\n  resend_interval: 0s\n",
    error: 'vigil.yml:2:20: pushgateway.resend_interval: must be greater than 0, got "0s"',
  },
  {
    name: "unknown key in remote_write_receiver",
    yaml: "remote_write_receiver:\n  max_body: 1MiB\n",
    error: 'vigil.yml:2:3: remote_write_receiver.max_body: unknown key "max_body"',
  },
  {
    name: "query section partly set",
    yaml: "query:\n  timeout: 10s\n",
    expect: { query: { timeoutMs: 10 * S } },
  },
  {
    name: "global section",
    yaml: "global:\n  scrape_interval: 15s\n  external_labels:\n    region: eu\n  sample_limit: 0\n",
    expect: {
      global: {
        scrapeIntervalMs: 15 * S,
        scrapeTimeoutMs: 10 * S,
        externalLabels: { region: "eu" },
        sampleLimit: 0,
      },
    },
  },
  {
    name: "global timeout defaults to a shorter interval",
    yaml: "global:\n  scrape_interval: 5s\n",
    expect: { global: { scrapeIntervalMs: 5 * S, scrapeTimeoutMs: 5 * S } },
  },
  {
    name: "scrape job with global defaults",
    yaml: "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: [localhost:9100]\n",
    expect: {
      global: { scrapeIntervalMs: 30 * S },
      scrapeConfigs: [
        {
          jobName: "node",
          scrapeIntervalMs: 30 * S,
          staticConfigs: [{ targets: ["localhost:9100"], labels: {} }],
        },
      ],
    },
  },

  // Unknown keys.
  {
    name: "unknown top-level key",
    yaml: "stroage:\n  engine: memory\n",
    error: 'vigil.yml:1:1: stroage: unknown key "stroage"',
  },
  {
    name: "unknown nested key",
    yaml: "storage:\n  engine: memory\n  retension: 30d\n",
    error: 'vigil.yml:3:3: storage.retension: unknown key "retension"',
  },
  {
    name: "unknown key in clickhouse",
    yaml: "storage:\n  clickhouse:\n    url: http://x\n    user: me\n",
    error: 'vigil.yml:4:5: storage.clickhouse.user: unknown key "user"',
  },
  {
    name: "several problems are reported in file order",
    yaml: "server:\n  listen: nope\n  loglevel: info\nfoo: 1\n",
    error:
      'vigil.yml:2:11: server.listen: invalid listen address "nope": missing port (want HOST:PORT)',
    issues: [
      'vigil.yml:2:11: server.listen: invalid listen address "nope": missing port (want HOST:PORT)',
      'vigil.yml:3:3: server.loglevel: unknown key "loglevel"',
      'vigil.yml:4:1: foo: unknown key "foo"',
    ],
  },

  {
    name: "scrape timeout above interval",
    yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n",
    error:
      'vigil.yml:4:21: scrape_configs[0].scrape_timeout: scrape timeout greater than scrape interval for scrape config with job name "a"',
  },
  {
    name: "duplicate job names",
    yaml: "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
    error:
      'vigil.yml:3:15: scrape_configs[1].job_name: found multiple scrape configs with job name "a"',
  },
  {
    name: "unknown key in a scrape config",
    yaml: "scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n",
    error: 'vigil.yml:3:5: scrape_configs[0].scrape_intervall: unknown key "scrape_intervall"',
  },
  {
    name: "unknown key in query",
    yaml: "query:\n  lookback: 5m\n",
    error: 'vigil.yml:2:3: query.lookback: unknown key "lookback"',
  },

  // Wrong types.
  {
    name: "string where an integer belongs",
    yaml: "storage:\n  batch_max_rows: lots\n",
    error: 'vigil.yml:2:19: storage.batch_max_rows: expected an integer, got string "lots"',
  },
  {
    name: "fraction where an integer belongs",
    yaml: "storage:\n  batch_max_rows: 1.5\n",
    error: "vigil.yml:2:19: storage.batch_max_rows: expected an integer, got number 1.5",
  },
  {
    name: "zero batch_max_rows",
    yaml: "storage:\n  batch_max_rows: 0\n",
    error: "vigil.yml:2:19: storage.batch_max_rows: must be greater than 0, got 0",
  },
  {
    name: "sequence where a mapping belongs",
    yaml: "server: [listen]\n",
    error: "vigil.yml:1:9: server: expected a mapping, got a sequence",
  },
  {
    name: "number where a string belongs",
    yaml: "storage:\n  clickhouse:\n    password: 1234\n",
    error:
      "vigil.yml:3:15: storage.clickhouse.password: expected a string, got number 1234; quote it to make it a string",
  },
  {
    name: "unknown enum value",
    yaml: "server:\n  log_level: verbose\n",
    error:
      'vigil.yml:2:14: server.log_level: invalid value "verbose" (want one of debug, info, warn, error)',
  },
  {
    name: "empty string",
    yaml: 'storage:\n  data_dir: ""\n',
    error: "vigil.yml:2:13: storage.data_dir: must not be empty",
  },

  {
    name: "zero query.max_concurrency",
    yaml: "query:\n  max_concurrency: 0\n",
    error: "vigil.yml:2:20: query.max_concurrency: must be greater than 0, got 0",
  },

  // Durations and sizes.
  {
    name: "bad duration",
    yaml: "server:\n  listen: 127.0.0.1:9700\nstorage:\n  retention: 6O d\n",
    error: 'vigil.yml:4:14: storage.retention: invalid duration "6O d"',
  },
  {
    name: "duration without unit",
    yaml: "storage:\n  batch_max_delay: 200\n",
    error: 'vigil.yml:2:20: storage.batch_max_delay: invalid duration "200"',
  },
  {
    name: "duration of the wrong type",
    yaml: "storage:\n  retention: {days: 3}\n",
    error: "vigil.yml:2:14: storage.retention: expected a duration, got a mapping",
  },
  {
    name: "zero retention",
    yaml: "storage:\n  retention: 0s\n",
    error: 'vigil.yml:2:14: storage.retention: must be greater than 0, got "0s"',
  },
  {
    name: "zero query timeout",
    yaml: "query:\n  timeout: 0s\n",
    error: 'vigil.yml:2:12: query.timeout: must be greater than 0, got "0s"',
  },
  {
    name: "bad query.lookback_delta",
    yaml: "query:\n  lookback_delta: 5 minutes\n",
    error: 'vigil.yml:2:19: query.lookback_delta: invalid duration "5 minutes"',
  },
  {
    name: "bad size",
    yaml: "server:\n  max_request_body: 10mb\n",
    error:
      'vigil.yml:2:21: server.max_request_body: invalid size "10mb" (units: B, KB, KiB, MB, MiB, GB, GiB)',
  },

  // Listen addresses.
  {
    name: "listen without port",
    yaml: "server:\n  listen: localhost\n",
    error:
      'vigil.yml:2:11: server.listen: invalid listen address "localhost": missing port (want HOST:PORT)',
  },
  {
    name: "listen without host",
    yaml: 'server:\n  listen: ":9700"\n',
    error: 'vigil.yml:2:11: server.listen: invalid listen address ":9700": missing host',
  },
  {
    name: "listen port out of range",
    yaml: "server:\n  listen: 127.0.0.1:65536\n",
    error:
      'vigil.yml:2:11: server.listen: invalid listen address "127.0.0.1:65536": port out of range 0..65535',
  },
  {
    name: "listen port not a number",
    yaml: "server:\n  listen: 127.0.0.1:http\n",
    error: 'vigil.yml:2:11: server.listen: invalid listen address "127.0.0.1:http": invalid port',
  },
  {
    name: "listen IPv6 without brackets",
    yaml: "server:\n  listen: ::1:9700\n",
    error:
      'vigil.yml:2:11: server.listen: invalid listen address "::1:9700": IPv6 addresses must be in brackets, e.g. [::1]:9700',
  },
  {
    name: "listen bad bracketed address",
    yaml: 'server:\n  listen: "[localhost]:9700"\n',
    error:
      'vigil.yml:2:11: server.listen: invalid listen address "[localhost]:9700": invalid IPv6 address',
  },

  // ClickHouse.
  {
    name: "clickhouse without url or section",
    yaml: "storage:\n  engine: clickhouse\n",
    error: "vigil.yml:2:3: storage.clickhouse.url: required when storage.engine is clickhouse",
  },
  {
    name: "clickhouse section without url",
    yaml: "storage:\n  engine: clickhouse\n  clickhouse:\n    database: v\n",
    error: "vigil.yml:4:5: storage.clickhouse.url: required when storage.engine is clickhouse",
  },
  {
    name: "clickhouse section left empty",
    yaml: "storage:\n  engine: clickhouse\n  clickhouse:\n",
    error: "vigil.yml:3:3: storage.clickhouse.url: required when storage.engine is clickhouse",
  },
  {
    name: "clickhouse url not http",
    yaml: "storage:\n  clickhouse:\n    url: tcp://ch:9000\n",
    error:
      'vigil.yml:3:10: storage.clickhouse.url: invalid URL "tcp://ch:9000" (want http:// or https://)',
  },
  {
    name: "password and password_file",
    yaml: "storage:\n  clickhouse:\n    password: a\n    password_file: b\n",
    error:
      "vigil.yml:4:20: storage.clickhouse.password_file: password and password_file are mutually exclusive",
  },
  {
    name: "unreadable password_file",
    file: "/srv/vigil/vigil.yml",
    yaml: "storage:\n  engine: clickhouse\n  clickhouse:\n    url: http://ch:8123\n    password_file: missing\n",
    error:
      '/srv/vigil/vigil.yml:5:20: storage.clickhouse.password_file: cannot read password file "/srv/vigil/missing": ENOENT: no such file or directory',
  },

  // Document shape and YAML syntax.
  {
    name: "top level is a sequence",
    yaml: "- server\n",
    error: "vigil.yml:1:1: expected a mapping at the top level, got a sequence",
  },
  {
    name: "top level is a scalar",
    yaml: "# config\nlisten 9700\n",
    error: 'vigil.yml:1:1: expected a mapping at the top level, got string "listen 9700"',
  },
  {
    name: "YAML syntax error: unterminated flow sequence",
    yaml: "server:\n  listen: [127.0.0.1\nstorage: {}\n",
    error:
      "vigil.yml:3:1: server.listen: Flow sequence in block collection must be sufficiently indented and end with a ]",
  },
  {
    name: "YAML syntax error: nested mapping on one line",
    yaml: "storage:\n  engine: memory\n  retention: 30d: 1\n",
    error: "vigil.yml:3:14: storage.retention: Nested mappings are not allowed in compact mappings",
  },
  {
    name: "YAML syntax error: duplicate key",
    yaml: "server:\n  log_level: info\n  log_level: debug\n",
    error: "vigil.yml:3:3: server.log_level: Map keys must be unique",
  },
  {
    name: "YAML syntax error: tab indentation",
    yaml: "server:\n\tlisten: 127.0.0.1:9700\n",
    error: "vigil.yml:2:1: Tabs are not allowed as indentation",
  },
  {
    name: "YAML alias without anchor",
    yaml: "server:\n  log_level: *level\n",
    error:
      "vigil.yml:2:14: server.log_level: Unresolved alias (the anchor must be set before the alias): level",
  },
  {
    name: "YAML syntax error: several documents",
    yaml: "server: {}\n---\nstorage: {}\n",
    error: "vigil.yml:2:1: Source contains multiple documents; please use YAML.parseAllDocuments()",
  },
];

/** expected builds the VigilConfig a case expects: its settings over the defaults. */
function expected(c: Case): VigilConfig {
  const file = c.file ?? "vigil.yml";
  const defaults = defaultConfig();
  return {
    server: { ...defaults.server, ...c.expect?.server },
    storage: {
      ...defaults.storage,
      dataDir: resolve(dirname(file), "data"),
      ...c.expect?.storage,
    },
    query: { ...defaults.query, ...c.expect?.query },
    global: { ...defaults.global, ...c.expect?.global },
    scrapeConfigs: (c.expect?.scrapeConfigs ?? []).map((j) => ({
      ...jobDefaults(j.jobName!),
      ...j,
    })),
    pushgateway: { ...defaults.pushgateway, ...c.expect?.pushgateway },
    remoteWriteReceiver: { ...defaults.remoteWriteReceiver, ...c.expect?.remoteWriteReceiver },
    ruleFiles: c.expect?.ruleFiles ?? [],
    rules: { ...defaults.rules, ...c.expect?.rules },
    alerting: { ...defaults.alerting, ...c.expect?.alerting },
    alertmanager: defaults.alertmanager,
    heartbeats: defaults.heartbeats,
    logs: defaults.logs,
    logFiles: [],
    logFileOptions: defaults.logFileOptions,
    file,
  };
}

/** jobDefaults is a scrape job with every setting at its default. */
function jobDefaults(jobName: string): ScrapeConfig {
  return {
    jobName,
    scrapeIntervalMs: M,
    scrapeTimeoutMs: 10 * S,
    scrapeProtocols: [
      "OpenMetricsText1.0.0",
      "OpenMetricsText0.0.1",
      "PrometheusText1.0.0",
      "PrometheusText0.0.4",
    ],
    metricsPath: "/metrics",
    scheme: "http",
    params: {},
    honorLabels: false,
    honorTimestamps: true,
    trackTimestampsStaleness: false,
    enableCompression: true,
    metricNameValidationScheme: "utf8",
    metricNameEscapingScheme: "allow-utf-8",
    bodySizeLimitBytes: 0,
    sampleLimit: 5000,
    targetLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    keepDroppedTargets: 0,
    httpClient: {
      tlsConfig: { insecureSkipVerify: false },
      followRedirects: true,
      enableHttp2: true,
      httpHeaders: {},
    },
    staticConfigs: [],
    fileSdConfigs: [],
    httpSdConfigs: [],
    dnsSdConfigs: [],
    relabelConfigs: [],
    metricRelabelConfigs: [],
  };
}

void test("parseConfig", async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const file = c.file ?? "vigil.yml";
      if (c.error === undefined) {
        assert.deepEqual(parseConfig(c.yaml, file), expected(c));
        return;
      }
      assert.throws(
        () => parseConfig(c.yaml, file),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, `want ConfigError, got ${String(err)}`);
          assert.equal(err.message, c.error);
          assert.deepEqual(
            err.issues.map((i) => i.message),
            c.issues ?? [c.error],
          );
          const first = err.issues[0]!;
          assert.deepEqual(
            [err.file, err.line, err.column, err.keyPath, err.reason],
            [first.file, first.line, first.column, first.keyPath, first.reason],
          );
          return true;
        },
      );
    });
  }
});

void test("ConfigError exposes the position of the first issue", () => {
  try {
    parseConfig("storage:\n  retention: 6O d\n", "vigil.yml");
    assert.fail("want ConfigError");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.name, "ConfigError");
    assert.deepEqual(
      {
        file: err.file,
        line: err.line,
        column: err.column,
        keyPath: err.keyPath,
        reason: err.reason,
      },
      {
        file: "vigil.yml",
        line: 2,
        column: 14,
        keyPath: "storage.retention",
        reason: 'invalid duration "6O d"',
      },
    );
  }
});

void test("defaultConfig resolves data_dir against the working directory", () => {
  const cfg = defaultConfig();
  assert.equal(cfg.storage.dataDir, resolve("data"));
  assert.equal(cfg.file, undefined);
  assert.equal(cfg.storage.retentionMs, 60 * D);
  assert.equal(cfg.server.maxRequestBodyBytes, 10 * MIB);
  assert.deepEqual(cfg.query, {
    lookbackDeltaMs: 5 * M,
    timeoutMs: 2 * M,
    maxSamples: 50_000_000,
    maxConcurrency: 20,
  });
});

void test("loadConfigFile reads testdata/vigil.yml", async () => {
  const file = join(TESTDATA, "vigil.yml");
  const cfg = await loadConfigFile(file);
  assert.deepEqual(cfg, {
    server: {
      listen: "[::1]:9800",
      logLevel: "debug",
      maxRequestBodyBytes: 64 * MIB,
      rateLimitPerSecond: 50,
    },
    storage: {
      engine: "clickhouse",
      dataDir: join(TESTDATA, "data"),
      retentionMs: 365 * D,
      logsRetentionMs: 2678400000,
      batchMaxRows: 50_000,
      batchMaxDelayMs: 1500,
      headDurationMs: 7_200_000,
      headMaxSamples: 16_000_000,
      flushIntervalMs: 30_000,
      clickhouse: {
        url: "https://clickhouse.example.com:8443",
        username: "vigil",
        password: "s3cret",
        database: "metrics",
        cluster: "main",
        requestTimeoutMs: M,
      },
    },
    query: { lookbackDeltaMs: 2 * M, timeoutMs: 90 * S, maxSamples: 1_000_000, maxConcurrency: 8 },
    global: defaultConfig().global,
    scrapeConfigs: [],
    pushgateway: { resendIntervalMs: 30 * S, persistenceFile: "" },
    remoteWriteReceiver: { maxDecodedBytes: 64 * MIB },
    ruleFiles: [],
    rules: defaultConfig().rules,
    alerting: defaultConfig().alerting,
    alertmanager: defaultConfig().alertmanager,
    heartbeats: defaultConfig().heartbeats,
    logs: defaultConfig().logs,
    logFiles: [],
    logFileOptions: defaultConfig().logFileOptions,
    file,
  });
});

void test("loadConfigFile reports a missing file", async () => {
  const file = join(TESTDATA, "does-not-exist.yml");
  await assert.rejects(loadConfigFile(file), (err: unknown) => {
    assert.ok(err instanceof Error && !(err instanceof ConfigError));
    assert.match(err.message, /^cannot read config file ".*does-not-exist\.yml": ENOENT/);
    return true;
  });
});

void test("configToYaml prints a config that parses back to itself", () => {
  for (const c of cases) {
    if (c.error !== undefined) continue;
    const cfg = parseConfig(c.yaml, c.file ?? "vigil.yml");
    const again = parseConfig(configToYaml(cfg), cfg.file ?? "vigil.yml");
    if (cfg.storage.clickhouse?.password) cfg.storage.clickhouse.password = "<secret>";
    assert.deepEqual(again, cfg, c.name);
  }
});

void test("configToYaml prints snake_case keys, short units and masked secrets", () => {
  const cfg = parseConfig(
    `
storage:
  engine: clickhouse
  data_dir: /var/lib/vigil
  retention: 90d
  batch_max_delay: 1500ms
  clickhouse:
    url: http://vigil:pw@ch:8123/
    password: hunter2
    cluster: main
`,
    "vigil.yml",
  );
  assert.equal(
    configToYaml(cfg),
    `server:
  listen: 127.0.0.1:9700
  log_level: info
  max_request_body: 10MiB
  rate_limit: 1000
storage:
  engine: clickhouse
  data_dir: /var/lib/vigil
  retention: 90d
  batch_max_rows: 1000000
  batch_max_delay: 1s500ms
  head_duration: 2h
  head_max_samples: 16000000
  flush_interval: 30s
  clickhouse:
    url: http://vigil:xxxxx@ch:8123/
    username: default
    password: <secret>
    database: vigil
    cluster: main
    request_timeout: 30s
query:
  lookback_delta: 5m
  timeout: 2m
  max_samples: 50000000
  max_concurrency: 20
global:
  scrape_interval: 1m
  scrape_timeout: 10s
  scrape_protocols:
    - OpenMetricsText1.0.0
    - OpenMetricsText0.0.1
    - PrometheusText1.0.0
    - PrometheusText0.0.4
  evaluation_interval: 1m
  metric_name_validation_scheme: utf8
  metric_name_escaping_scheme: allow-utf-8
  sample_limit: 5000
pushgateway:
  resend_interval: 15s
  persistence_file: pushgateway.json
remote_write_receiver:
  max_decoded_bytes: 32MiB
rules:
  watchdog: true
  ignore_unknown_fields: false
  for_outage_tolerance: 1h
  for_grace_period: 10m
  resend_delay: 1m
  policy: warn
alertmanager:
  team_routing:
    enabled: true
    team_label: team
    channel_label: slack_channel
    channel_receiver: vigil-slack-channel
`,
  );
});
