import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, configToYaml, parseConfig } from "../config/index.ts";
import { parseBase2Bytes } from "./index.ts";

const S = 1000;

/** jobs parses a vigil.yml and returns its scrape configs. */
function jobs(yaml: string) {
  return parseConfig(yaml, "/etc/vigil/vigil.yml").scrapeConfigs;
}

/** errorOf returns the ConfigError messages of a vigil.yml. */
function errorOf(yaml: string): string[] {
  try {
    parseConfig(yaml, "vigil.yml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => i.message);
  }
  assert.fail("want a ConfigError");
}

describe("scrape_configs", () => {
  it("applies Prometheus's defaults and the global settings", () => {
    const [j] = jobs(`
global:
  scrape_interval: 15s
  scrape_timeout: 5s
  body_size_limit: 10MB
  label_limit: 30
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["localhost:9100", host2:9100]
        labels: {env: prod, port: 9100}
`);
    assert.equal(j!.jobName, "node");
    assert.equal(j!.scrapeIntervalMs, 15 * S);
    assert.equal(j!.scrapeTimeoutMs, 5 * S);
    assert.equal(j!.bodySizeLimitBytes, 10 * 1024 * 1024);
    assert.equal(j!.labelLimit, 30);
    assert.equal(j!.sampleLimit, 5000);
    assert.equal(j!.metricsPath, "/metrics");
    assert.equal(j!.scheme, "http");
    assert.equal(j!.honorTimestamps, true);
    assert.deepEqual(j!.staticConfigs, [
      { targets: ["localhost:9100", "host2:9100"], labels: { env: "prod", port: "9100" } },
    ]);
  });

  it("shrinks the inherited timeout to a shorter job interval", () => {
    const [j] = jobs("scrape_configs:\n  - job_name: fast\n    scrape_interval: 2s\n");
    assert.equal(j!.scrapeTimeoutMs, 2 * S);
  });

  it("lets a job disable an inherited limit with 0", () => {
    const [a, b] = jobs(
      "global:\n  sample_limit: 100\nscrape_configs:\n  - job_name: a\n  - job_name: b\n    sample_limit: 0\n",
    );
    assert.equal(a!.sampleLimit, 100);
    assert.equal(b!.sampleLimit, 0);
  });

  it("reads every discovery mechanism, auth and relabel settings", () => {
    const [j] = jobs(`
scrape_configs:
  - job_name: all
    scheme: https
    metrics_path: /probe
    params: {module: [http_2xx]}
    honor_labels: true
    basic_auth: {username: u, password_file: secrets/pw}
    tls_config: {ca_file: ca.pem, server_name: example, insecure_skip_verify: false}
    file_sd_configs:
      - files: [targets/*.json, "/abs/*.yml"]
    http_sd_configs:
      - url: http://sd.example/targets
        authorization: {credentials: tok}
    dns_sd_configs:
      - names: [_node._tcp.example]
      - names: [web.example]
        type: a
        port: 80
        refresh_interval: 1m
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - action: labelmap
        regex: __meta_(.+)
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
`);
    assert.deepEqual(j!.httpClient.basicAuth, {
      username: "u",
      passwordFile: "/etc/vigil/secrets/pw",
    });
    assert.deepEqual(j!.httpClient.tlsConfig, {
      caFile: "/etc/vigil/ca.pem",
      serverName: "example",
      insecureSkipVerify: false,
    });
    assert.deepEqual(j!.fileSdConfigs, [
      { files: ["/etc/vigil/targets/*.json", "/abs/*.yml"], refreshIntervalMs: 300 * S },
    ]);
    assert.equal(j!.httpSdConfigs[0]!.refreshIntervalMs, 60 * S);
    assert.deepEqual(j!.httpSdConfigs[0]!.httpClient.authorization, {
      type: "Bearer",
      credentials: "tok",
    });
    assert.deepEqual(j!.dnsSdConfigs, [
      { names: ["_node._tcp.example"], type: "SRV", port: 0, refreshIntervalMs: 30 * S },
      { names: ["web.example"], type: "A", port: 80, refreshIntervalMs: 60 * S },
    ]);
    assert.equal(j!.relabelConfigs.length, 2);
    assert.equal(j!.relabelConfigs[1]!.action, "labelmap");
    assert.equal(j!.metricRelabelConfigs[0]!.regex, "go_.*");
    assert.deepEqual(j!.params, { module: ["http_2xx"] });
  });

  const errors: [string, string, string][] = [
    [
      "missing job name",
      "scrape_configs:\n  - scrape_interval: 5s\n",
      "vigil.yml:2:5: scrape_configs[0].job_name: job_name is empty",
    ],
    [
      "global timeout above the interval",
      "global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n",
      "vigil.yml:3:19: global.scrape_timeout: global scrape timeout greater than scrape interval",
    ],
    [
      "bad duration",
      "scrape_configs:\n  - job_name: a\n    scrape_interval: 5 sec\n",
      'vigil.yml:3:22: scrape_configs[0].scrape_interval: invalid duration "5 sec"',
    ],
    [
      "URL as a static target",
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [http://x:9100/metrics]\n",
      'vigil.yml:4:19: scrape_configs[0].static_configs[0].targets[0]: "http://x:9100/metrics" is not a valid hostname',
    ],
    [
      "bad relabel action",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: replce\n",
      'vigil.yml:4:9: scrape_configs[0].relabel_configs[0]: unknown relabel action "replce"',
    ],
    [
      "relabel regex that does not compile",
      "scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - regex: '(['\n        action: drop\n",
      'vigil.yml:4:9: scrape_configs[0].metric_relabel_configs[0]: error parsing regexp: invalid regular expression "(["',
    ],
    [
      "hashmod without modulus",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {action: hashmod, target_label: x, source_labels: [a]}\n",
      "vigil.yml:4:9: scrape_configs[0].relabel_configs[0]: relabel configuration for hashmod requires non-zero modulus",
    ],
    [
      "two kinds of auth",
      "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: c}\n",
      "vigil.yml:4:20: scrape_configs[0].authorization: at most one of basic_auth, oauth2 & authorization must be configured",
    ],
    [
      "password and password_file",
      "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: p, password_file: f}\n",
      "vigil.yml:3:17: scrape_configs[0].basic_auth: at most one of basic_auth password, password_file & password_ref must be configured",
    ],
    [
      "authorization type basic",
      "scrape_configs:\n  - job_name: a\n    authorization: {type: Basic, credentials: c}\n",
      'vigil.yml:3:27: scrape_configs[0].authorization.type: authorization type cannot be set to "basic", use "basic_auth" instead',
    ],
    [
      "oauth2 without token_url",
      "scrape_configs:\n  - job_name: a\n    oauth2: {client_id: c}\n",
      "vigil.yml:3:13: scrape_configs[0].oauth2: oauth2 token_url must be configured",
    ],
    [
      "TLS cert without key",
      "scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c.pem}\n",
      "vigil.yml:3:17: scrape_configs[0].tls_config: exactly one of key or key_file must be configured when a client certificate is configured",
    ],
    [
      "file_sd without files",
      "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - refresh_interval: 1m\n",
      "vigil.yml:4:9: scrape_configs[0].file_sd_configs[0].files: file service discovery config must contain at least one path name",
    ],
    [
      "file_sd with a bad pattern",
      "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [targets.txt]\n",
      'vigil.yml:4:17: scrape_configs[0].file_sd_configs[0].files[0]: path name "targets.txt" is not valid for file discovery',
    ],
    [
      "http_sd with a bad URL scheme",
      "scrape_configs:\n  - job_name: a\n    http_sd_configs:\n      - url: ftp://x/\n",
      "vigil.yml:4:14: scrape_configs[0].http_sd_configs[0].url: URL scheme must be 'http' or 'https'",
    ],
    [
      "dns_sd A without port",
      "scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: A\n",
      "vigil.yml:4:9: scrape_configs[0].dns_sd_configs[0].port: a port is required in DNS-SD configs for all record types except SRV",
    ],
    [
      "dns_sd bad type",
      "scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: TXT\n",
      "vigil.yml:5:15: scrape_configs[0].dns_sd_configs[0].type: invalid DNS-SD records type TXT",
    ],
    [
      "unsupported discovery",
      "scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n",
      "vigil.yml:4:7: scrape_configs[0].kubernetes_sd_configs: kubernetes service discovery is not supported by Vigil yet",
    ],
    [
      "unknown scrape protocol",
      "scrape_configs:\n  - job_name: a\n    scrape_protocols: [PrometheusText2]\n",
      "vigil.yml:3:24: scrape_configs[0].scrape_protocols[0]: unknown scrape protocol PrometheusText2, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0]",
    ],
    [
      "bad body_size_limit",
      "global:\n  body_size_limit: 10 megs\n",
      'vigil.yml:2:20: global.body_size_limit: invalid size "10 megs"',
    ],
    [
      "negative sample_limit",
      "global:\n  sample_limit: -1\n",
      "vigil.yml:2:17: global.sample_limit: must not be negative, got -1",
    ],
    [
      "unknown key in static_configs",
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1]\n        label: {a: b}\n",
      'vigil.yml:5:9: scrape_configs[0].static_configs[0].label: unknown key "label"',
    ],
  ];
  for (const [name, yaml, want] of errors) {
    it(`rejects ${name}`, () => assert.deepEqual(errorOf(yaml), [want]));
  }

  it("prints scrape configs that parse back to themselves, secrets masked", () => {
    const yaml = `
global:
  scrape_interval: 15s
  external_labels: {region: eu}
  sample_limit: 0
scrape_configs:
  - job_name: everything
    scrape_timeout: 3s
    scheme: https
    params: {module: [a, b]}
    body_size_limit: 1MB
    basic_auth: {username: u, password: hunter2}
    tls_config: {insecure_skip_verify: true, server_name: x}
    static_configs: [{targets: ["a:1"], labels: {k: v}}]
    file_sd_configs: [{files: [/t/*.json], refresh_interval: 30s}]
    http_sd_configs: [{url: "http://sd/", authorization: {credentials_file: /tok}}]
    dns_sd_configs: [{names: [n], type: A, port: 9}]
    relabel_configs:
      - {source_labels: [a, b], separator: "-", target_label: c}
      - {action: labeldrop, regex: tmp_.*}
      - {action: hashmod, source_labels: [a], modulus: 4, target_label: shard}
    metric_relabel_configs:
      - {action: drop, source_labels: [__name__], regex: "(.*)"}
`;
    const cfg = parseConfig(yaml, "vigil.yml");
    const printed = configToYaml(cfg);
    assert.match(printed, /password: <secret>/);
    assert.doesNotMatch(printed, /hunter2/);
    const again = parseConfig(printed, "vigil.yml");
    cfg.scrapeConfigs[0]!.httpClient.basicAuth!.password = "<secret>";
    assert.deepEqual(again.global, cfg.global);
    assert.deepEqual(again.scrapeConfigs, cfg.scrapeConfigs);
  });

  it("parses body_size_limit sizes as powers of 1024", () => {
    assert.equal(parseBase2Bytes("10MB"), 10 * 1024 * 1024);
    assert.equal(parseBase2Bytes("1KiB"), 1024);
    assert.equal(parseBase2Bytes("1MB512KB"), 1024 * 1024 + 512 * 1024);
    assert.equal(parseBase2Bytes("0"), 0);
    assert.throws(() => parseBase2Bytes("10mb"));
  });
});
