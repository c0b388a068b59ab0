// API v2 shapes and errors, compared with what Alertmanager 0.33 answers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { silentLogger } from "../util/logging/index.ts";
import { Alertmanager } from "./alertmanager.ts";
import { registerAlertmanagerApi } from "./api-v2.ts";
import { parseAmConfigText } from "./config/load.ts";
import { DEFAULT_TEAM_ROUTING } from "./config/types.ts";

let app: FastifyInstance;
let am: Alertmanager;
let base: string;

before(async () => {
  am = new Alertmanager({
    logger: silentLogger(),
    registry: new Registry(),
    externalURL: () => "http://vigil",
    notifiers: { webhook: () => ({ notify: () => Promise.resolve() }) },
    defaultTemplates: [],
  });
  await am.applyConfig({
    config: parseAmConfigText(
      `route:
  receiver: default
  group_by: [alertname]
  group_wait: 1h
  routes:
    - matchers: [team="db"]
      receiver: db
receivers:
  - name: default
  - name: db
    labels: {tier: data}
    webhook_configs: [{url: "http://127.0.0.1:1/"}]
inhibit_rules:
  - source_matchers: [severity=critical]
    target_matchers: [severity=warning]
    equal: [alertname]
`,
      "am.yml",
    ),
    teamRouting: { ...DEFAULT_TEAM_ROUTING, enabled: false },
  });
  am.start();
  app = Fastify();
  await registerAlertmanagerApi(app, { alertmanager: () => am });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});

after(async () => {
  await app.close();
  await am.stop();
});

async function call(
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(base + path, {
    method,
    ...(body !== undefined && { body, headers: { "Content-Type": "application/json" } }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const FUTURE = "2099-01-01T00:00:00.000Z";

/** Bad request bodies and Alertmanager 0.33's answers (status, body). */
const badAlerts: [string, number, unknown][] = [
  [
    "not json",
    400,
    {
      code: 400,
      message: `parsing alerts body from "" failed, because Unexpected token 'o', "not json" is not valid JSON`,
    },
  ],
  [
    "{}",
    400,
    {
      code: 400,
      message:
        'parsing alerts body from "" failed, because json: cannot unmarshal object into Go value of type models.PostableAlerts',
    },
  ],
  ["[{}]", 422, { code: 602, message: "0.labels in body is required" }],
  ['[{"labels":{}}]', 400, "at least one label pair required"],
  [
    '[{"labels":{"a":1}}]',
    400,
    {
      code: 400,
      message:
        'parsing alerts body from "" failed, because json: cannot unmarshal number into Go struct field Alert.labels.a of type string',
    },
  ],
  [
    '[{"labels":{"a":"b"},"generatorURL":"::bad"}]',
    422,
    { code: 601, message: '0.generatorURL in body must be of type uri: "::bad"' },
  ],
  [
    '[{"labels":{"a":"b"},"startsAt":"2020-01-02T00:00:00Z","endsAt":"2020-01-01T00:00:00Z"}]',
    400,
    "start time must be before end time",
  ],
  ['[{"labels":{"":"b"}}]', 400, 'invalid label set: invalid name ""'],
];

void test("POST /api/v2/alerts refuses malformed bodies with Alertmanager's shapes", async () => {
  for (const [body, status, want] of badAlerts) {
    const r = await call("POST", "/api/v2/alerts", body);
    assert.equal(r.status, status, body);
    if (typeof want === "string") assert.deepEqual(r.json, want, body);
    else if (body === "not json") assert.equal((r.json as { code: number }).code, 400);
    else assert.deepEqual(r.json, want, body);
  }
});

void test("alerts: post, list with status and receivers, filter, groups", async () => {
  const post = await call(
    "POST",
    "/api/v2/alerts",
    JSON.stringify([
      {
        labels: { alertname: "Disk", team: "db", severity: "warning" },
        annotations: { summary: "s" },
        generatorURL: "http://prom/graph",
      },
      { labels: { alertname: "Disk", severity: "critical" }, endsAt: FUTURE },
      { labels: { alertname: "Cpu", empty: "" } },
    ]),
  );
  assert.equal(post.status, 200, post.text);
  const all = (await call("GET", "/api/v2/alerts")).json as Record<string, unknown>[];
  assert.equal(all.length, 3);
  const disk = all.find((a) => (a.labels as Record<string, string>).team === "db")!;
  assert.deepEqual(Object.keys(disk), [
    "annotations",
    "endsAt",
    "fingerprint",
    "receivers",
    "startsAt",
    "status",
    "updatedAt",
    "generatorURL",
    "labels",
  ]);
  assert.deepEqual(disk.receivers, [{ name: "db" }]);
  assert.deepEqual(disk.annotations, { summary: "s" });
  assert.match(disk.startsAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const st = disk.status as Record<string, unknown>;
  assert.deepEqual(Object.keys(st), ["inhibitedBy", "mutedBy", "silencedBy", "state"]);
  assert.equal(st.state, "suppressed", "inhibited by the critical Disk alert");
  assert.equal((st.inhibitedBy as string[]).length, 1);
  const cpu = all.find((a) => (a.labels as Record<string, string>).alertname === "Cpu")!;
  assert.deepEqual(cpu.labels, { alertname: "Cpu" }, "empty labels are removed");
  assert.equal(cpu.generatorURL, undefined);
  // Sorted by fingerprint.
  const fps = all.map((a) => a.fingerprint as string);
  assert.deepEqual(fps, [...fps].sort());

  const filtered = (
    await call("GET", "/api/v2/alerts?filter=alertname%3D%22Disk%22&inhibited=false")
  ).json as unknown[];
  assert.equal(filtered.length, 1);
  const byReceiver = (await call("GET", "/api/v2/alerts?receiver=db")).json as unknown[];
  assert.equal(byReceiver.length, 1);
  const byRcvLabels = (await call("GET", "/api/v2/alerts?receiver_matchers=tier%3Ddata"))
    .json as unknown[];
  assert.equal(byRcvLabels.length, 1);
  const badFilter = await call("GET", "/api/v2/alerts?filter=%7Ba%3Db%7D");
  assert.deepEqual(
    [badFilter.status, badFilter.json],
    [400, "unexpected open or close brace: {a=b}"],
  );
  const badRe = await call("GET", "/api/v2/alerts?receiver=(");
  assert.equal(badRe.status, 400);
  assert.match(badRe.json as string, /^failed to parse receiver param: error parsing regexp/);

  const groups = (await call("GET", "/api/v2/alerts/groups")).json as Record<string, unknown>[];
  assert.deepEqual(
    groups.map((g) => [g.labels, g.receiver, (g.alerts as unknown[]).length]),
    [
      [{ alertname: "Cpu" }, { name: "default" }, 1],
      [{ alertname: "Disk" }, { name: "db" }, 1],
      [{ alertname: "Disk" }, { name: "default" }, 1],
    ],
  );
  assert.deepEqual(Object.keys(groups[0]), ["alerts", "labels", "receiver"]);
});

void test("silences: create, get, list with filter, update, expire, errors", async () => {
  const body = (over: Record<string, unknown> = {}): string =>
    JSON.stringify({
      matchers: [{ name: "alertname", value: "Cpu", isRegex: false }],
      startsAt: "2020-01-01T00:00:00Z",
      endsAt: FUTURE,
      createdBy: "me",
      comment: "quiet",
      ...over,
    });
  const created = await call("POST", "/api/v2/silences", body());
  assert.equal(created.status, 200, created.text);
  const id = (created.json as { silenceID: string }).silenceID;
  assert.match(id, /^[0-9a-f-]{36}$/);
  const got = (await call("GET", `/api/v2/silence/${id}`)).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(got), [
    "id",
    "status",
    "updatedAt",
    "comment",
    "createdBy",
    "endsAt",
    "matchers",
    "startsAt",
  ]);
  assert.deepEqual(got.status, { state: "active" });
  assert.deepEqual(got.matchers, [
    { isEqual: true, isRegex: false, name: "alertname", value: "Cpu" },
  ]);
  assert.equal(got.endsAt, FUTURE);
  // The alert is now silenced.
  const cpu = (
    (await call("GET", "/api/v2/alerts?filter=alertname%3DCpu")).json as Record<
      string,
      Record<string, unknown>
    >[]
  )[0];
  assert.deepEqual(cpu.status.silencedBy, [id]);
  const hidden = (await call("GET", "/api/v2/alerts?filter=alertname%3DCpu&silenced=false"))
    .json as unknown[];
  assert.equal(hidden.length, 0);
  // Update in place keeps the id.
  const upd = await call(
    "POST",
    "/api/v2/silences",
    body({ id, startsAt: got.startsAt, comment: "longer" }),
  );
  assert.deepEqual(upd.json, { silenceID: id });
  const list = (await call("GET", "/api/v2/silences?filter=alertname%3DCpu")).json as Record<
    string,
    unknown
  >[];
  assert.equal(list.length, 1);
  assert.equal(list[0].comment, "longer");
  assert.deepEqual((await call("GET", "/api/v2/silences?filter=alertname%3DOther")).json, []);
  // Expire.
  assert.equal((await call("DELETE", `/api/v2/silence/${id}`)).status, 200);
  const expired = (await call("GET", `/api/v2/silence/${id}`)).json as Record<string, unknown>;
  assert.deepEqual(expired.status, { state: "expired" });

  const errors: [string, number, unknown][] = [
    [
      body({ matchers: [] }),
      422,
      { code: 612, message: "matchers in body should have at least 1 items" },
    ],
    [JSON.stringify({}), 422, { code: 602, message: "comment in body is required" }],
    [
      body({ matchers: [{ name: "a", value: "b" }] }),
      422,
      { code: 602, message: "matchers.0.isRegex in body is required" },
    ],
    [
      body({ matchers: [{ name: "a", value: "", isRegex: false }] }),
      400,
      "invalid silence: matcher set 0: at least one matcher must not match the empty string",
    ],
    [body({ id: "00000000-0000-0000-0000-000000000000" }), 404, "silence not found"],
    [
      body({ endsAt: "2020-01-01T00:00:00Z" }),
      400,
      "Failed to create silence: start time must be before end time",
    ],
    [
      body({ startsAt: "2019-01-01T00:00:00Z", endsAt: "2020-01-01T00:00:00Z" }),
      400,
      "Failed to create silence: end time can't be in the past",
    ],
  ];
  for (const [b, status, want] of errors) {
    const r = await call("POST", "/api/v2/silences", b);
    assert.deepEqual([r.status, r.json], [status, want], b);
  }
  const badJson = await call("POST", "/api/v2/silences", "x");
  assert.equal(badJson.status, 400);
  assert.match(
    (badJson.json as { message: string }).message,
    /^parsing silence body from "" failed, because/,
  );
  const badId = await call("GET", "/api/v2/silence/abc");
  assert.deepEqual(
    [badId.status, badId.json],
    [422, { code: 601, message: 'silenceID in path must be of type uuid: "abc"' }],
  );
  assert.equal(
    (await call("GET", "/api/v2/silence/0d6a7e39-4a2f-4c5c-9d1c-9b6bb8a3c8d0")).status,
    404,
  );
  assert.equal(
    (await call("DELETE", "/api/v2/silence/0d6a7e39-4a2f-4c5c-9d1c-9b6bb8a3c8d0")).status,
    404,
  );
});

void test("status and receivers", async () => {
  const status = (await call("GET", "/api/v2/status")).json as Record<
    string,
    Record<string, unknown>
  >;
  assert.deepEqual(Object.keys(status), ["cluster", "config", "uptime", "versionInfo"]);
  assert.deepEqual(status.cluster, { peers: [], status: "disabled" });
  assert.match(status.config.original as string, /receiver: default/);
  assert.ok(typeof status.versionInfo.version === "string");
  const receivers = (await call("GET", "/api/v2/receivers")).json;
  assert.deepEqual(receivers, [
    { labels: { name: "default" }, name: "default" },
    { labels: { tier: "data", name: "db" }, name: "db" },
  ]);
  const rs = (await call("GET", "/api/vigil/alertmanager/receivers")).json as Record<
    string,
    unknown
  >[];
  assert.equal(rs.length, 2);
});
