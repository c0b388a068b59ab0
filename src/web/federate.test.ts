// The scenarios of prometheus web/federate_test.go (v3.5) TestFederation, over MemoryStorage
// loaded with the same series, plus Accept negotiation.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { newSelfMetrics } from "../exporters/index.ts";
import { labelsFromRecord } from "../model/labels/index.ts";
import { STALE_NAN } from "../model/value/index.ts";
import { decodeDelimitedFamilies } from "../pushgateway/index.ts";
import type { Storage } from "../storage/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { registerFederate } from "./federate.ts";
import { createWebServer } from "./server.ts";

const MIN = 60_000;

/** load fills storage like the upstream test's `load 1m` block. */
async function load(storage: MemoryStorage): Promise<void> {
  const app = storage.appender();
  const series: [Record<string, string>, (i: number) => number, number][] = [
    [{ __name__: "test_metric1", foo: "bar", instance: "i" }, (i) => 100 * i, 100],
    [{ __name__: "test_metric1", foo: "boo", instance: "i" }, () => 1, 100],
    [{ __name__: "test_metric2", foo: "boo", instance: "i" }, () => 1, 100],
    [{ __name__: "test_metric_without_labels" }, (i) => 1 + 10 * i, 100],
    [{ __name__: "test_metric_stale" }, (i) => 1 + 10 * i, 99],
    [{ __name__: "test_metric_old" }, (i) => 1 + 10 * i, 98],
  ];
  for (const [rec, f, n] of series) {
    const ls = labelsFromRecord(rec);
    for (let i = 0; i <= n; i++) app.append(0, ls, i * MIN, f(i));
    if (rec.__name__ === "test_metric_stale") app.append(0, ls, (n + 1) * MIN, STALE_NAN);
  }
  await app.commit();
}

const scenarios: {
  name: string;
  params: string;
  ext?: Record<string, string>;
  code: number;
  body: string;
}[] = [
  { name: "empty", params: "", code: 200, body: "" },
  { name: "match nothing", params: "match[]=does_not_match_anything", code: 200, body: "" },
  {
    name: "invalid params from the beginning",
    params: "match[]=-not-a-valid-metric-name",
    code: 400,
    body: "1:1: parse error: unexpected <op:->\n",
  },
  {
    name: "invalid params somewhere in the middle",
    params: "match[]=not-a-valid-metric-name",
    code: 400,
    body: "1:4: parse error: unexpected <op:->\n",
  },
  {
    name: "test_metric1",
    params: "match[]=test_metric1",
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="bar",instance="i"} 10000 6000000
test_metric1{foo="boo",instance="i"} 1 6000000
`,
  },
  {
    name: "test_metric2",
    params: "match[]=test_metric2",
    code: 200,
    body: `# TYPE test_metric2 untyped
test_metric2{foo="boo",instance="i"} 1 6000000
`,
  },
  {
    name: "test_metric_without_labels",
    params: "match[]=test_metric_without_labels",
    code: 200,
    body: `# TYPE test_metric_without_labels untyped
test_metric_without_labels{instance=""} 1001 6000000
`,
  },
  { name: "test_stale_metric", params: "match[]=test_metric_stale", code: 200, body: "" },
  {
    name: "test_old_metric",
    params: "match[]=test_metric_old",
    code: 200,
    body: `# TYPE test_metric_old untyped
test_metric_old{instance=""} 981 5880000
`,
  },
  {
    name: "{foo='boo'}",
    params: "match[]={foo='boo'}",
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="boo",instance="i"} 1 6000000
# TYPE test_metric2 untyped
test_metric2{foo="boo",instance="i"} 1 6000000
`,
  },
  {
    name: "two matchers",
    params: "match[]=test_metric1&match[]=test_metric2",
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="bar",instance="i"} 10000 6000000
test_metric1{foo="boo",instance="i"} 1 6000000
# TYPE test_metric2 untyped
test_metric2{foo="boo",instance="i"} 1 6000000
`,
  },
  {
    name: "two matchers with overlap",
    params: "match[]={__name__=~'test_metric1'}&match[]={foo='bar'}",
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="bar",instance="i"} 10000 6000000
test_metric1{foo="boo",instance="i"} 1 6000000
`,
  },
  {
    name: "everything",
    params: "match[]={__name__=~'.%2b'}",
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="bar",instance="i"} 10000 6000000
test_metric1{foo="boo",instance="i"} 1 6000000
# TYPE test_metric2 untyped
test_metric2{foo="boo",instance="i"} 1 6000000
# TYPE test_metric_old untyped
test_metric_old{instance=""} 981 5880000
# TYPE test_metric_without_labels untyped
test_metric_without_labels{instance=""} 1001 6000000
`,
  },
  {
    name: "empty label value matches everything that doesn't have that label",
    params: "match[]={foo='',__name__=~'.%2b'}",
    code: 200,
    body: `# TYPE test_metric_old untyped
test_metric_old{instance=""} 981 5880000
# TYPE test_metric_without_labels untyped
test_metric_without_labels{instance=""} 1001 6000000
`,
  },
  {
    name: "empty label value for a label that doesn't exist at all, matches everything",
    params: "match[]={bar='',__name__=~'.%2b'}",
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="bar",instance="i"} 10000 6000000
test_metric1{foo="boo",instance="i"} 1 6000000
# TYPE test_metric2 untyped
test_metric2{foo="boo",instance="i"} 1 6000000
# TYPE test_metric_old untyped
test_metric_old{instance=""} 981 5880000
# TYPE test_metric_without_labels untyped
test_metric_without_labels{instance=""} 1001 6000000
`,
  },
  {
    name: "external labels are added if not already present",
    params: "match[]={__name__=~'.%2b'}",
    ext: { foo: "baz", zone: "ie" },
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="bar",instance="i",zone="ie"} 10000 6000000
test_metric1{foo="boo",instance="i",zone="ie"} 1 6000000
# TYPE test_metric2 untyped
test_metric2{foo="boo",instance="i",zone="ie"} 1 6000000
# TYPE test_metric_old untyped
test_metric_old{foo="baz",instance="",zone="ie"} 981 5880000
# TYPE test_metric_without_labels untyped
test_metric_without_labels{foo="baz",instance="",zone="ie"} 1001 6000000
`,
  },
  {
    name: "instance is an external label",
    params: "match[]={__name__=~'.%2b'}",
    ext: { instance: "baz" },
    code: 200,
    body: `# TYPE test_metric1 untyped
test_metric1{foo="bar",instance="i"} 10000 6000000
test_metric1{foo="boo",instance="i"} 1 6000000
# TYPE test_metric2 untyped
test_metric2{foo="boo",instance="i"} 1 6000000
# TYPE test_metric_old untyped
test_metric_old{instance="baz"} 981 5880000
# TYPE test_metric_without_labels untyped
test_metric_without_labels{instance="baz"} 1001 6000000
`,
  },
];

describe("GET /federate", () => {
  let web: FastifyInstance;
  let base = "";
  const storage = new MemoryStorage();
  const state: { ext: Record<string, string>; storage: Storage | undefined } = {
    ext: {},
    storage,
  };
  before(async () => {
    await load(storage);
    web = await createWebServer({
      logger: silentLogger(),
      metrics: newSelfMetrics(),
      maxRequestBodyBytes: 1 << 20,
      isReady: () => true,
      reload: async () => {},
    });
    registerFederate(web, {
      storage: () => state.storage,
      lookbackDeltaMs: () => 5 * MIN,
      externalLabels: () => state.ext,
      logger: silentLogger(),
      now: () => 101 * MIN,
    });
    await web.listen({ host: "127.0.0.1", port: 0 });
    const a = web.server.address();
    base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  });
  after(async () => {
    await web.close();
  });

  for (const sc of scenarios) {
    it(sc.name, async () => {
      state.ext = sc.ext ?? {};
      const r = await fetch(`${base}/federate?${sc.params}`);
      assert.equal(r.status, sc.code);
      assert.equal(await r.text(), sc.body);
      if (sc.code === 200) {
        assert.equal(
          r.headers.get("content-type"),
          "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
        );
      }
    });
  }

  it("answers in delimited protobuf when the client prefers it", async () => {
    state.ext = {};
    const r = await fetch(`${base}/federate?match[]=test_metric2`, {
      headers: {
        Accept:
          "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,text/plain;q=0.5",
      },
    });
    assert.match(
      r.headers.get("content-type") ?? "",
      /^application\/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited/,
    );
    const fams = decodeDelimitedFamilies(new Uint8Array(await r.arrayBuffer()));
    assert.deepEqual(fams, [
      {
        name: "test_metric2",
        type: "UNTYPED",
        metric: [
          {
            label: [
              { name: "foo", value: "boo" },
              { name: "instance", value: "i" },
            ],
            untyped: { value: 1 },
            timestamp_ms: 6_000_000,
          },
        ],
      },
    ]);
  });

  it("keeps UTF-8 names for clients that allow them, escapes them otherwise", async () => {
    const app = storage.appender();
    app.append(0, labelsFromRecord({ __name__: "my.metric", "label.x": "v" }), 100 * MIN, 5);
    await app.commit();
    const accept =
      "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.25";
    let r = await fetch(`${base}/federate?match[]={__name__="my.metric"}`, {
      headers: { Accept: accept },
    });
    assert.equal(
      r.headers.get("content-type"),
      "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8",
    );
    assert.equal(
      await r.text(),
      '# TYPE "my.metric" untyped\n{"my.metric","label.x"="v",instance=""} 5 6000000\n',
    );
    r = await fetch(`${base}/federate?match[]={__name__="my.metric"}`);
    assert.equal(
      await r.text(),
      '# TYPE my_metric untyped\nmy_metric{label_x="v",instance=""} 5 6000000\n',
    );
  });

  it("answers 503 while storage is not open", async () => {
    state.storage = undefined;
    try {
      const r = await fetch(`${base}/federate?match[]=up`);
      assert.equal(r.status, 503);
    } finally {
      state.storage = storage;
    }
  });
});
