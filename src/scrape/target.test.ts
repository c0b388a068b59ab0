import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { parseConfig } from "../config/index.ts";
import type { ScrapeConfig } from "../config/index.ts";
import { labelsToRecord } from "../model/labels/index.ts";
import { Target, mutateSampleLabels, populateLabels, targetUrl } from "./index.ts";
import { labelsFromRecord } from "../model/labels/index.ts";

function job(o: Record<string, unknown> = {}): ScrapeConfig {
  const text = stringify({ scrape_configs: [{ job_name: "job", ...o }] });
  return parseConfig(text, "/tmp/vigil.yml").scrapeConfigs[0]!;
}

interface Case {
  name: string;
  cfg?: Record<string, unknown>;
  target: Record<string, string>;
  group?: Record<string, string>;
  /** Expected final labels (null: dropped by relabeling). */
  want?: Record<string, string> | null;
  /** Expected discovered labels. */
  discovered?: Record<string, string>;
  error?: string;
}

const DEFAULTS = {
  __metrics_path__: "/metrics",
  __scheme__: "http",
  __scrape_interval__: "1m",
  __scrape_timeout__: "10s",
  job: "job",
};

// Cases after TestPopulateLabels in prometheus scrape/target_test.go.
const cases: Case[] = [
  {
    name: "defaults and instance from the address",
    target: { __address__: "1.2.3.4:1000", custom: "value" },
    want: { ...DEFAULTS, __address__: "1.2.3.4:1000", instance: "1.2.3.4:1000", custom: "value" },
    discovered: { ...DEFAULTS, __address__: "1.2.3.4:1000", custom: "value" },
  },
  {
    name: "target labels override config defaults",
    target: {
      __address__: "1.2.3.4",
      __scheme__: "https",
      __metrics_path__: "/custom",
      job: "custom-job",
      __scrape_interval__: "2s",
      __scrape_timeout__: "2s",
    },
    want: {
      __address__: "1.2.3.4",
      instance: "1.2.3.4",
      __scheme__: "https",
      __metrics_path__: "/custom",
      job: "custom-job",
      __scrape_interval__: "2s",
      __scrape_timeout__: "2s",
    },
  },
  {
    name: "an explicit instance label is kept",
    target: { __address__: "1.2.3.4:80", instance: "my-host" },
    want: { ...DEFAULTS, __address__: "1.2.3.4:80", instance: "my-host" },
  },
  {
    name: "group labels apply where the target has none; meta labels are removed",
    target: { __address__: "a:1", team: "t1" },
    group: { team: "t0", env: "prod", __meta_filepath: "/etc/t.json" },
    want: { ...DEFAULTS, __address__: "a:1", instance: "a:1", team: "t1", env: "prod" },
    discovered: {
      ...DEFAULTS,
      __address__: "a:1",
      team: "t1",
      env: "prod",
      __meta_filepath: "/etc/t.json",
    },
  },
  {
    name: "params become __param_ labels",
    cfg: { params: { module: ["http_2xx", "other"] } },
    target: { __address__: "a:1" },
    want: { ...DEFAULTS, __address__: "a:1", instance: "a:1", __param_module: "http_2xx" },
  },
  {
    name: "relabeling sets the address from a meta label (blackbox style)",
    cfg: {
      relabel_configs: [
        { source_labels: ["__address__"], target_label: "__param_target" },
        { source_labels: ["__param_target"], target_label: "instance" },
        { target_label: "__address__", replacement: "127.0.0.1:9115" },
      ],
    },
    target: { __address__: "example.com" },
    want: {
      ...DEFAULTS,
      __address__: "127.0.0.1:9115",
      __param_target: "example.com",
      instance: "example.com",
    },
  },
  {
    name: "dropped by relabeling",
    cfg: { relabel_configs: [{ source_labels: ["env"], regex: "dev", action: "drop" }] },
    target: { __address__: "a:1", env: "dev" },
    want: null,
    discovered: { ...DEFAULTS, __address__: "a:1", env: "dev" },
  },
  {
    name: "keep by meta label, labelmap meta labels",
    cfg: {
      relabel_configs: [
        { source_labels: ["__meta_role"], regex: "web", action: "keep" },
        { regex: "__meta_(.+)", action: "labelmap" },
      ],
    },
    target: { __address__: "a:1", __meta_role: "web" },
    want: { ...DEFAULTS, __address__: "a:1", instance: "a:1", role: "web" },
  },
  {
    name: "address removed by relabeling",
    cfg: { relabel_configs: [{ regex: "__address__", action: "labeldrop" }] },
    target: { __address__: "a:1" },
    error: "no address",
  },
  {
    name: "address with a path",
    cfg: { relabel_configs: [{ target_label: "__address__", replacement: "a:1/metrics" }] },
    target: { __address__: "a:1" },
    error: '"a:1/metrics" is not a valid hostname',
  },
  {
    name: "invalid interval",
    target: { __address__: "a:1", __scrape_interval__: "2notseconds" },
    error: 'error parsing scrape interval: invalid duration "2notseconds"',
  },
  {
    name: "zero interval",
    target: { __address__: "a:1", __scrape_interval__: "0s" },
    error: "scrape interval cannot be 0",
  },
  {
    name: "zero timeout",
    target: { __address__: "a:1", __scrape_timeout__: "0s" },
    error: "scrape timeout cannot be 0",
  },
  {
    name: "timeout above interval",
    target: { __address__: "a:1", __scrape_interval__: "1s", __scrape_timeout__: "2s" },
    error: 'scrape timeout cannot be greater than scrape interval ("2s" > "1s")',
  },
  {
    name: "hashmod sharding",
    cfg: {
      relabel_configs: [
        {
          source_labels: ["__address__"],
          modulus: 2,
          target_label: "__tmp_hash",
          action: "hashmod",
        },
        { source_labels: ["__tmp_hash"], regex: "0", action: "keep" },
      ],
    },
    target: { __address__: "a:1" },
    want: { ...DEFAULTS, __address__: "a:1", instance: "a:1", __tmp_hash: "0" },
  },
];

describe("populateLabels", () => {
  for (const c of cases) {
    it(c.name, () => {
      const cfg = job(c.cfg);
      if (c.error !== undefined) {
        assert.throws(() => populateLabels(cfg, c.target, c.group ?? {}), { message: c.error });
        return;
      }
      const r = populateLabels(cfg, c.target, c.group ?? {});
      assert.deepEqual(r.labels === null ? null : labelsToRecord(r.labels), c.want);
      if (c.discovered) assert.deepEqual(labelsToRecord(r.discovered), c.discovered);
    });
  }
});

describe("Target", () => {
  it("builds the scrape URL from labels and params", () => {
    const ls = labelsFromRecord({
      __address__: "example.com:9115",
      __scheme__: "https",
      __metrics_path__: "/probe",
      __param_target: "http://x.org/a b",
      job: "j",
    });
    assert.equal(
      targetUrl(ls, { module: ["http_2xx"], target: ["ignored", "second"] }),
      "https://example.com:9115/probe?module=http_2xx&target=http%3A%2F%2Fx.org%2Fa+b&target=second",
    );
  });

  it("keeps only labels without the __ prefix on series", () => {
    const r = populateLabels(job(), { __address__: "a:1" }, {});
    const t = new Target(r.labels!, r.discovered, {});
    assert.deepEqual(labelsToRecord(t.publicLabels), { instance: "a:1", job: "job" });
    assert.equal(t.url, "http://a:1/metrics");
  });

  it("spreads scrapes over the interval at a stable phase", () => {
    const offsets = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const r = populateLabels(job(), { __address__: `host${i}:9100` }, {});
      const t = new Target(r.labels!, r.discovered, {});
      const a = t.offsetMs(10_000, 7, 1_000_000);
      assert.ok(a >= 0 && a <= 10_000);
      // The phase (time of the first scrape modulo the interval) does not depend on now.
      assert.equal(
        (1_000_000 + a) % 10_000,
        (1_003_000 + t.offsetMs(10_000, 7, 1_003_000)) % 10_000,
      );
      offsets.add(Math.floor(a / 1000));
    }
    assert.ok(offsets.size >= 7, `offsets spread over the interval: ${[...offsets].join(",")}`);
  });
});

describe("mutateSampleLabels", () => {
  it("adds target labels, renaming clashes to exported_", () => {
    const target = labelsFromRecord({ job: "j", instance: "i" });
    const got = mutateSampleLabels(
      labelsFromRecord({ __name__: "m", job: "x" }),
      target,
      false,
      [],
    );
    assert.deepEqual(labelsToRecord(got!), {
      __name__: "m",
      exported_job: "x",
      instance: "i",
      job: "j",
    });
  });
});
