import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { defaultConfig } from "../../../config/index.ts";
import { Engine } from "../../../promql/engine/index.ts";
import { ManualClock, RuleManager, engineQueryFunc, parseRuleFile } from "../../../rules/index.ts";
import { MemoryStorage } from "../../../storage/memory/index.ts";
import { silentLogger } from "../../../util/logging/index.ts";
import { registerPrometheusApi } from "./index.ts";
import { formatGoFloatE, groupToken } from "./rules.ts";

// The rule file prometheus 3.5.3 was run with to record the expected shapes below.
const RULES = `groups:
  - name: g1
    interval: 5s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - record: nolabels
        expr: vector(1)
        labels: {a: b}
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: {severity: none}
        annotations: {summary: "value {{ $value }}"}
      - alert: Pending
        expr: vector(2)
        for: 1h
        keep_firing_for: 5m
  - name: g2
    rules:
      - record: other
        expr: vector(3)
`;

const T = Date.UTC(2026, 10, 21, 15, 47, 24, 891);

let api: FastifyInstance;
let manager: RuleManager;

before(async () => {
  const storage = new MemoryStorage();
  const clock = new ManualClock(T);
  manager = new RuleManager({
    appendable: storage,
    queryable: storage,
    queryFuncs: { promql: engineQueryFunc(new Engine(), storage) },
    logger: silentLogger(),
    clock,
  });
  const parsed = parseRuleFile(RULES, "rules.yml");
  await manager.update(
    { files: ["rules.yml"], groups: parsed.groups.map((spec) => ({ file: "rules.yml", spec })) },
    { evaluationIntervalMs: 60_000, externalLabels: [], externalURL: "http://x" },
  );
  for (const g of manager.ruleGroups()) if (g.name === "g1") await g.iterate(T);
  api = Fastify();
  await registerPrometheusApi(api, {
    engine: () => new Engine(),
    storage: () => storage,
    config: () => defaultConfig(),
    startTimeMs: T,
    flags: {},
    logger: silentLogger(),
    rules: () => manager,
  });
});
after(async () => {
  await api.close();
  await manager.stop();
});

/** get fetches a URL and returns its body with measured durations zeroed. */
async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await api.inject({ url });
  return {
    status: r.statusCode,
    body: r.body.replace(/"evaluationTime":[0-9.e-]+/g, '"evaluationTime":0'),
  };
}

const LAST = '"lastEvaluation":"2026-11-21T15:47:24.891Z"';
const NEVER = '"lastEvaluation":"0001-01-01T00:00:00Z"';
const ALWAYS_ALERT =
  '{"labels":{"alertname":"AlwaysFiring","severity":"none"},"annotations":{"summary":"value 1"},"state":"firing","activeAt":"2026-11-21T15:47:24.891Z","value":"1e+00"}';
const PENDING_ALERT =
  '{"labels":{"alertname":"Pending"},"annotations":{},"state":"pending","activeAt":"2026-11-21T15:47:24.891Z","value":"2e+00"}';
const REC1 = `{"name":"job:up:sum","query":"sum by (job) (up)","health":"ok","evaluationTime":0,${LAST},"type":"recording"}`;
const REC2 = `{"name":"nolabels","query":"vector(1)","labels":{"a":"b"},"health":"ok","evaluationTime":0,${LAST},"type":"recording"}`;
const ALWAYS = (alerts: string) =>
  `{"state":"firing","name":"AlwaysFiring","query":"vector(1) \\u003e 0","duration":0,"keepFiringFor":0,"labels":{"severity":"none"},"annotations":{"summary":"value {{ $value }}"},"alerts":${alerts},"health":"ok","evaluationTime":0,${LAST},"type":"alerting"}`;
const PENDING = (alerts: string) =>
  `{"state":"pending","name":"Pending","query":"vector(2)","duration":3600,"keepFiringFor":300,"labels":{},"annotations":{},"alerts":${alerts},"health":"ok","evaluationTime":0,${LAST},"type":"alerting"}`;
const G1 = (rules: string[]) =>
  `{"name":"g1","file":"rules.yml","rules":[${rules.join(",")}],"interval":5,"limit":0,"evaluationTime":0,${LAST}}`;
const G2 = `{"name":"g2","file":"rules.yml","rules":[{"name":"other","query":"vector(3)","health":"unknown","evaluationTime":0,${NEVER},"type":"recording"}],"interval":60,"limit":0,"evaluationTime":0,${NEVER}}`;
const ok = (data: string) => `{"status":"success","data":${data}}`;

describe("/api/v1/rules", () => {
  it("lists groups and rules in Prometheus's shape", async () => {
    const r = await get("/api/v1/rules");
    assert.equal(r.status, 200);
    assert.equal(
      r.body,
      ok(
        `{"groups":[${G1([REC1, REC2, ALWAYS(`[${ALWAYS_ALERT}]`), PENDING(`[${PENDING_ALERT}]`)])},${G2}]}`,
      ),
    );
  });

  const cases: [string, string][] = [
    [
      "type=alert",
      `{"groups":[${G1([ALWAYS(`[${ALWAYS_ALERT}]`), PENDING(`[${PENDING_ALERT}]`)])}]}`,
    ],
    ["type=record&rule_group[]=g1", `{"groups":[${G1([REC1, REC2])}]}`],
    [
      "rule_name[]=nolabels&rule_name[]=Pending",
      `{"groups":[${G1([REC2, PENDING(`[${PENDING_ALERT}]`)])}]}`,
    ],
    ["type=alert&exclude_alerts=true", `{"groups":[${G1([ALWAYS("null"), PENDING("null")])}]}`],
    ['match[]={severity="none"}', `{"groups":[${G1([ALWAYS(`[${ALWAYS_ALERT}]`)])}]}`],
    ["file[]=other.yml", `{"groups":[]}`],
    [
      "group_limit=1",
      `{"groups":[${G1([REC1, REC2, ALWAYS(`[${ALWAYS_ALERT}]`), PENDING(`[${PENDING_ALERT}]`)])}],"groupNextToken":"${groupToken("rules.yml", "g2")}"}`,
    ],
    [`group_limit=1&group_next_token=${groupToken("rules.yml", "g2")}`, `{"groups":[${G2}]}`],
  ];
  for (const [q, data] of cases) {
    it(`filters with ${q}`, async () => {
      const r = await get(`/api/v1/rules?${q.replace(/[{}"[\]]/g, encodeURIComponent)}`);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, ok(data));
    });
  }

  it("rejects unknown page tokens", async () => {
    const r = await get("/api/v1/rules?group_limit=1&group_next_token=abc");
    assert.equal(r.status, 400);
    assert.equal(
      r.body,
      '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"group_next_token\\": invalid group_next_token \'abc\'. were rule groups changed?"}',
    );
  });
});

describe("/api/v1/alerts", () => {
  it("lists active alerts in Prometheus's shape", async () => {
    const r = await get("/api/v1/alerts");
    assert.equal(r.body, ok(`{"alerts":[${ALWAYS_ALERT},${PENDING_ALERT}]}`));
  });
});

describe("formatGoFloatE", () => {
  for (const [v, s] of [
    [1, "1e+00"],
    [0, "0e+00"],
    [1234.5, "1.2345e+03"],
    [1e-7, "1e-07"],
    [1e100, "1e+100"],
    [-2.5, "-2.5e+00"],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
  ] as const) {
    it(`formats ${v} as ${s}`, () => assert.equal(formatGoFloatE(v), s));
  }
});
