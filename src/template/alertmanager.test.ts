// Ports the function and data-type cases of Alertmanager's template/template_test.go (v0.33)
// that apply to text templates, and exercises multi-file templates the way notification
// configurations use them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Alert,
  AlertmanagerTemplates,
  Alerts,
  Data,
  KV,
  Pair,
  Pairs,
  newAlertmanagerData,
  queryUnescape,
} from "./alertmanager.ts";
import { GoDuration, GoTime, UTC } from "./time.ts";
import { anyMap, goFunc, setGoType, stringSlice } from "./value.ts";

const EXTERNAL_URL = "http://example.com/";

function data(parts: Partial<{ [K in keyof Data]: Data[K] }>): Data {
  return new Data(
    parts.Receiver ?? "",
    parts.Status ?? "",
    parts.Alerts ?? Alerts.fromList([]),
    parts.NotificationReason ?? "",
    parts.GroupLabels ?? new KV(),
    parts.CommonLabels ?? new KV(),
    parts.CommonAnnotations ?? new KV(),
    parts.ExternalURL ?? "",
  );
}

function alert(status: string, labels?: KV, annotations?: KV): Alert {
  return new Alert(status, labels, annotations, GoTime.zero(), GoTime.zero(), "", "");
}

describe("data types", () => {
  const pairs = Pairs.fromList([
    new Pair("name1", "value1"),
    new Pair("name2", "value2"),
    new Pair("name3", "value3"),
  ]);

  it("Pairs.Names and Values (TestPairNames, TestPairValues)", () => {
    assert.deepEqual([...pairs.Names()], ["name1", "name2", "name3"]);
    assert.deepEqual([...pairs.Values()], ["value1", "value2", "value3"]);
  });

  it("Pairs.String (TestPairsString)", () => {
    assert.equal(Pairs.fromList([new Pair("name1", "value1")]).String(), "name1=value1");
    assert.equal(
      Pairs.fromList([new Pair("name1", "value1"), new Pair("name2", "value2")]).String(),
      "name1=value1, name2=value2",
    );
  });

  it("KV.SortedPairs puts alertname first (TestKVSortedPairs)", () => {
    const kv = new KV({ d: "dVal", b: "bVal", c: "cVal" });
    assert.deepEqual([...kv.SortedPairs().Names()], ["b", "c", "d"]);
    const kv2 = new KV({ d: "dVal", b: "bVal", c: "cVal", alertname: "alert", a: "aVal" });
    assert.deepEqual(
      kv2.SortedPairs().map((p) => [p.Name, p.Value]),
      [
        ["alertname", "alert"],
        ["a", "aVal"],
        ["b", "bVal"],
        ["c", "cVal"],
        ["d", "dVal"],
      ],
    );
  });

  it("KV.Remove (TestKVRemove)", () => {
    const kv = new KV({ key1: "val1", key2: "val2", key3: "val3", key4: "val4" });
    assert.deepEqual([...kv.Remove(["key2", "key4"]).Names()], ["key1", "key3"]);
  });

  it("Alerts.Firing and Resolved (TestAlertsFiring, TestAlertsResolved)", () => {
    const alerts = Alerts.fromList(
      ["firing", "resolved", "firing", "resolved", "resolved"].map((s) => alert(s)),
    );
    assert.deepEqual(
      alerts.Firing().map((a) => a.Status),
      ["firing", "firing"],
    );
    assert.deepEqual(
      alerts.Resolved().map((a) => a.Status),
      ["resolved", "resolved", "resolved"],
    );
  });

  it("keeps labels named like methods or Object properties as data", async () => {
    const t = new AlertmanagerTemplates({ externalURL: EXTERNAL_URL });
    const kv = new KV(
      JSON.parse('{"__proto__": "p", "constructor": "c", "entries": "e", "toString": "t"}'),
    );
    assert.equal(
      await t.executeTextString(
        "{{ .__proto__ }} {{ .constructor }} {{ .entries }} {{ .toString }} {{ len . }}",
        kv,
      ),
      "p c e t 4",
    );
  });
});

describe("Template.Data (TestData)", () => {
  const startTime = GoTime.zero().Add(new GoDuration(1000000000n));
  const endTime = GoTime.zero().Add(new GoDuration(2000000000n));

  it("without alerts", () => {
    const d = newAlertmanagerData({
      receiver: "webhook",
      alerts: [],
      externalURL: EXTERNAL_URL,
      notificationReason: "first notification",
    });
    assert.equal(d.Receiver, "webhook");
    assert.equal(d.Status, "resolved");
    assert.equal(d.Alerts.length, 0);
    assert.equal(d.NotificationReason, "first notification");
    assert.equal(d.GroupLabels.String(), "");
    assert.equal(d.ExternalURL, EXTERNAL_URL);
  });

  const twoAlerts = (jobs: [string, string]) => [
    {
      startsAt: startTime,
      labels: { severity: "warning", job: jobs[0] },
      annotations: { description: "something happened", runbook: jobs[0] },
    },
    {
      startsAt: startTime,
      endsAt: endTime,
      labels: { severity: "critical", job: jobs[1] },
      annotations: { description: "something else happened", runbook: jobs[1] },
    },
  ];

  it("with common labels", () => {
    const d = newAlertmanagerData({
      receiver: "webhook",
      groupLabels: { job: "foo" },
      alerts: twoAlerts(["foo", "foo"]),
      externalURL: EXTERNAL_URL,
      notificationReason: "first notification",
    });
    assert.equal(d.Status, "firing");
    assert.deepEqual(
      d.Alerts.map((a) => [
        a.Status,
        a.Labels?.String(),
        a.Annotations?.String(),
        a.StartsAt.String(),
        a.EndsAt.String(),
        a.Fingerprint,
      ]),
      [
        [
          "firing",
          "job=foo, severity=warning",
          "description=something happened, runbook=foo",
          "0001-01-01 00:00:01 +0000 UTC",
          "0001-01-01 00:00:00 +0000 UTC",
          "9266ef3da838ad95",
        ],
        [
          "resolved",
          "job=foo, severity=critical",
          "description=something else happened, runbook=foo",
          "0001-01-01 00:00:01 +0000 UTC",
          "0001-01-01 00:00:02 +0000 UTC",
          "3b15fd163d36582e",
        ],
      ],
    );
    assert.equal(d.GroupLabels.String(), "job=foo");
    assert.equal(d.CommonLabels.String(), "job=foo");
    assert.equal(d.CommonAnnotations.String(), "runbook=foo");
  });

  it("without common labels", () => {
    const d = newAlertmanagerData({
      receiver: "webhook",
      groupLabels: {},
      alerts: twoAlerts(["foo", "bar"]),
      externalURL: EXTERNAL_URL,
    });
    assert.equal(d.Alerts[1].Fingerprint, "c7e68cb08e3e67f9");
    assert.equal(d.CommonLabels.String(), "");
    assert.equal(d.CommonAnnotations.String(), "");
  });

  it("quotes the receiver as a regular expression", () => {
    const d = newAlertmanagerData({
      receiver: "team-a.(ops)",
      alerts: [],
      externalURL: EXTERNAL_URL,
    });
    assert.equal(d.Receiver, "team-a\\.\\(ops\\)");
  });
});

describe("TestTemplateExpansion", () => {
  const tmpl = new AlertmanagerTemplates({ externalURL: EXTERNAL_URL });
  const cases: { title: string; in: string; data?: unknown; exp?: string; fail?: boolean }[] = [
    { title: "Template without action", in: `abc`, exp: "abc" },
    { title: "Template with simple action", in: `{{ "abc" }}`, exp: "abc" },
    { title: "Template with invalid syntax", in: `{{ `, fail: true },
    { title: "Template using toUpper", in: `{{ "abc" | toUpper }}`, exp: "ABC" },
    { title: "Template using toLower", in: `{{ "ABC" | toLower }}`, exp: "abc" },
    { title: "Template using title", in: `{{ "abc" | title }}`, exp: "Abc" },
    { title: "Template using TrimSpace", in: `{{ " a b c " | trimSpace }}`, exp: "a b c" },
    {
      title: "Template using positive match",
      in: `{{ if match "^a" "abc"}}abc{{ end }}`,
      exp: "abc",
    },
    {
      title: "Template using negative match",
      in: `{{ if match "abcd" "abc" }}abc{{ end }}`,
      exp: "",
    },
    {
      title: "Template using join",
      in: `{{ . | join "," }}`,
      data: stringSlice(["a", "b", "c"]),
      exp: "a,b,c",
    },
    { title: "Text template without HTML escaping", in: `{{ "<b>" }}`, exp: "<b>" },
    {
      title: "Template using reReplaceAll",
      in: `{{ reReplaceAll "ab" "AB" "abcdabcda"}}`,
      exp: "ABcdABcda",
    },
    {
      title: "Template using urlUnescape",
      in: `{{ "search?q=test%20foo" | urlUnescape }}`,
      exp: "search?q=test foo",
    },
    {
      title: "Template using stringSlice",
      in: `{{ with .GroupLabels }}{{ with .Remove (stringSlice "key1" "key3") }}{{ .SortedPairs.Values }}{{ end }}{{ end }}`,
      data: data({
        GroupLabels: new KV({ key1: "key1", key2: "key2", key3: "key3", key4: "key4" }),
      }),
      exp: "[key2 key4]",
    },
    { title: "Template using toJson with string", in: `{{ "test" | toJson }}`, exp: `"test"` },
    { title: "Template using toJson with number", in: `{{ 42 | toJson }}`, exp: `42` },
    { title: "Template using toJson with boolean", in: `{{ true | toJson }}`, exp: `true` },
    {
      title: "Template using toJson with map",
      in: `{{ . | toJson }}`,
      data: anyMap({ key: "value", number: 123n }),
      exp: `{"key":"value","number":123}`,
    },
    {
      title: "Template using toJson with slice",
      in: `{{ . | toJson }}`,
      data: stringSlice(["a", "b", "c"]),
      exp: `["a","b","c"]`,
    },
    {
      title: "Template using toJson with KV",
      in: `{{ .CommonLabels | toJson }}`,
      data: data({ CommonLabels: new KV({ severity: "critical", job: "foo" }) }),
      exp: `{"job":"foo","severity":"critical"}`,
    },
    {
      title: "Template using toJson with Alerts",
      in: `{{ .Alerts | toJson }}`,
      data: data({ Alerts: Alerts.fromList([alert("firing", new KV({ alertname: "test" }))]) }),
      exp: `[{"status":"firing","labels":{"alertname":"test"},"annotations":null,"startsAt":"0001-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":""}]`,
    },
    {
      title: "Template using toJson with Alerts.Firing()",
      in: `{{ .Alerts.Firing | toJson }}`,
      data: data({ Alerts: Alerts.fromList([alert("firing"), alert("resolved")]) }),
      exp: `[{"status":"firing","labels":null,"annotations":null,"startsAt":"0001-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":""}]`,
    },
    {
      title: "Template creates empty dict when using dict on nil",
      in: `{{- $test := dict -}}{{ $test }}`,
      exp: "map[]",
    },
    {
      title: "Template creates dict with args",
      in: `{{- $test := dict "a" 1 "b" 2 "c" 3 -}}{{ $test }}`,
      exp: "map[a:1 b:2 c:3]",
    },
    { title: "Template using dict with odd number of arguments", in: `{{ dict "a" }}`, fail: true },
    { title: "Template using dict with non-string key", in: `{{ dict 1 "value" }}`, fail: true },
    {
      title: "Template creates empty list when using list on nil",
      in: `{{- $test := list -}}{{ $test }}`,
      exp: "[]",
    },
    {
      title: "Template creates list with args",
      in: `{{- $test := list "a" "b" "c" -}}{{ $test }}`,
      exp: "[a b c]",
    },
    {
      title: "Template appends to list",
      in: `{{- $test := list "a" "b" -}}{{ $test = append $test "c" "d" -}}{{ $test }}`,
      exp: "[a b c d]",
    },
    {
      title: "Compose json array using list and append",
      data: data({ Alerts: Alerts.fromList([alert("firing"), alert("resolved")]) }),
      in: `{{- $newList := list -}}{{ range .Alerts }}{{ $m := dict "status" .Status "labels" .Labels }}{{ $newList = append $newList $m }}{{ end }}{{ toJson $newList }}`,
      exp: `[{"labels":null,"status":"firing"},{"labels":null,"status":"resolved"}]`,
    },
    // Beyond upstream's table.
    {
      title: "join rejects []interface{} like Go",
      in: `{{ list "a" "b" | join "," }}`,
      fail: true,
    },
    {
      title: "title lowers the rest of each word",
      in: `{{ "hELLO wORLD-fOO don't" | title }}`,
      exp: "Hello World-Foo Don't",
    },
    {
      title: "missing KV keys are empty (missingkey=zero)",
      in: `[{{ .CommonLabels.nope }}]`,
      data: data({}),
      exp: "[]",
    },
    {
      title: "KV prints via its String method",
      in: `{{ .CommonLabels }}`,
      data: data({ CommonLabels: new KV({ b: "2", a: "1" }) }),
      exp: "a=1, b=2",
    },
    {
      title: "Pairs print via String, Strings as a slice",
      in: `{{ .CommonLabels.SortedPairs }} {{ .CommonLabels.Values }} {{ .CommonLabels.Names.Join "+" }}`,
      data: data({ CommonLabels: new KV({ b: "2", a: "1" }) }),
      exp: "a=1, b=2 [1 2] a+b",
    },
    { title: "urlUnescape rejects bad escapes", in: `{{ "%zz" | urlUnescape }}`, fail: true },
  ];
  for (const tc of cases) {
    it(tc.title, async () => {
      const run = tmpl.executeTextString(tc.in, tc.data);
      if (tc.fail) await assert.rejects(run);
      else assert.equal(await run, tc.exp);
    });
  }

  it("returns the empty string for empty text", async () => {
    assert.equal(await tmpl.executeTextString("", null), "");
  });
});

describe("TestTemplateExpansionWithOptions", () => {
  it("adds custom functions", async () => {
    const t = new AlertmanagerTemplates({
      externalURL: EXTERNAL_URL,
      funcs: { printFoo: goFunc([], () => "foo") },
    });
    assert.equal(await t.executeTextString(`{{ printFoo }}`, null), "foo");
    assert.equal(await t.executeTextString(`{{ toUpper "test" }}`, null), "TEST");
  });

  it("lets the default functions override custom ones", async () => {
    const t = new AlertmanagerTemplates({
      externalURL: EXTERNAL_URL,
      funcs: { toUpper: goFunc(["string"], () => "foo") },
    });
    assert.equal(await t.executeTextString(`{{ toUpper "test" }}`, null), "TEST");
  });
});

describe("TestTemplateFuncs", () => {
  const tmpl = new AlertmanagerTemplates({ externalURL: EXTERNAL_URL });
  const t0 = GoTime.fromUnixMs(Date.UTC(2024, 0, 1, 8, 15, 30), UTC);
  const cases: { title: string; in: string; data?: unknown; exp?: string; expErr?: string }[] = [
    {
      title: "Template using date",
      in: `{{ . | date "2006-01-02" }}`,
      data: t0,
      exp: "2024-01-01",
    },
    {
      title: "Template using tz",
      in: `{{ . | tz "Europe/Paris" }}`,
      data: t0,
      exp: "2024-01-01 09:15:30 +0100 CET",
    },
    {
      title: "Template using invalid tz",
      in: `{{ . | tz "Invalid/Timezone" }}`,
      data: t0,
      expErr:
        'template: :1:7: executing "" at <tz "Invalid/Timezone">: error calling tz: unknown time zone Invalid/Timezone',
    },
    {
      title: "Template using HumanizeDuration - seconds - float64",
      in: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
      data: setGoType(
        [0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99],
        { elem: "float64" },
      ),
      exp: "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:",
    },
    {
      title: "Template using HumanizeDuration - seconds - string.",
      in: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
      data: stringSlice(["0", "1", "60", "3600", "86400"]),
      exp: "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:",
    },
    {
      title: "Template using HumanizeDuration - subsecond and fractional seconds - float64.",
      in: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
      data: setGoType([0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345], { elem: "float64" }),
      exp: "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
    },
    {
      title: "Template using HumanizeDuration - string with error.",
      in: `{{ humanizeDuration "one" }}`,
      expErr:
        'template: :1:3: executing "" at <humanizeDuration "one">: error calling humanizeDuration: strconv.ParseFloat: parsing "one": invalid syntax',
    },
    {
      title: "Template using HumanizeDuration - int.",
      in: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
      data: setGoType([0n, -1n, 1n, 1234567n], { elem: "int" }),
      exp: "0s:-1s:1s:14d 6h 56m 7s:",
    },
    {
      title: "Template using since",
      in: "{{ . | since | humanizeDuration }}",
      data: GoTime.fromUnixMs(Date.now() - 3600 * 1000),
      exp: "1h 0m 0s",
    },
    { title: "Template using toJson with string", in: `{{ "hello" | toJson }}`, exp: `"hello"` },
    {
      title: "Template using toJson with map",
      in: `{{ . | toJson }}`,
      data: setGoType({ key: "value" }, { elem: "string" }),
      exp: `{"key":"value"}`,
    },
    {
      title: "Template using toJson with Alerts.Firing()",
      in: `{{ .Alerts.Firing | toJson }}`,
      data: data({
        Alerts: Alerts.fromList([
          alert("firing", new KV({ alertname: "test" })),
          alert("resolved"),
        ]),
      }),
      exp: `[{"status":"firing","labels":{"alertname":"test"},"annotations":null,"startsAt":"0001-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":""}]`,
    },
    // Beyond upstream's table.
    {
      title: "date with a JS Date",
      in: `{{ . | date "Mon Jan _2 15:04:05 MST 2006" }}`,
      data: new Date(Date.UTC(2024, 6, 4, 9, 5, 7)),
      exp: "Thu Jul  4 09:05:07 UTC 2024",
    },
    {
      title: "tz in the southern hemisphere",
      in: `{{ . | tz "Australia/Sydney" }}`,
      data: t0,
      exp: "2024-01-01 19:15:30 +1100 AEDT",
    },
    {
      title: "tz in summer",
      in: `{{ (tz "America/New_York" .).Format "2006-01-02T15:04:05Z07:00 MST" }}`,
      data: GoTime.fromUnixMs(Date.UTC(2024, 6, 1, 12, 0, 0)),
      exp: "2024-07-01T08:00:00-04:00 EDT",
    },
    {
      title: "times past the last transition use the zone rule",
      in: `{{ (tz "Europe/Berlin" .) }}`,
      data: GoTime.fromUnixMs(Date.UTC(2100, 6, 1, 12, 0, 0)),
      exp: "2100-07-01 14:00:00 +0200 CEST",
    },
  ];
  for (const tc of cases) {
    it(tc.title, async () => {
      const run = tmpl.executeTextString(tc.in, tc.data);
      if (tc.expErr !== undefined) await assert.rejects(run, { message: tc.expErr });
      else assert.equal(await run, tc.exp);
    });
  }

  it("now (TestTemplateNow)", async () => {
    const before = Date.now();
    const got = await tmpl.executeTextString(`{{ now | date "2006-01-02T15:04:05-0700" }}`, null);
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d)(\d\d)$/.exec(got);
    assert.ok(m, got);
    const [, y, mo, d, h, mi, s, sign, oh, om] = m;
    const offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60000;
    const parsed = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - offset;
    assert.ok(parsed >= before - 1000 && parsed <= before + 3000, got);
  });

  it("urlUnescape (url.QueryUnescape)", () => {
    assert.equal(queryUnescape("a%20b+c%2B"), "a b c+");
    assert.throws(() => queryUnescape("%g1"), { message: 'invalid URL escape "%g1"' });
    assert.throws(() => queryUnescape("abc%"), { message: 'invalid URL escape "%"' });
  });
});

describe("notification templates from several files", () => {
  const t = new AlertmanagerTemplates({ externalURL: "http://am.example.com" });
  t.parseFile(
    "templates/common.tmpl",
    `{{ define "team.title" }}{{ .Status | toUpper }}{{ if eq .Status "firing" }} ({{ len .Alerts.Firing }}){{ end }}: {{ join ", " .GroupLabels.SortedPairs.Values }}{{ if gt (len .CommonLabels) (len .GroupLabels) }} [{{ (.CommonLabels.Remove .GroupLabels.Names).Values | join "," }}]{{ end }}{{ end }}
{{ define "team.list" }}{{ range . }}- {{ .Labels.alertname }}{{ range .Annotations.SortedPairs }} {{ .Name }}={{ .Value }}{{ end }}
{{ end }}{{ end }}`,
  );
  t.parseFile(
    "templates/slack.tmpl",
    `{{ define "slack.text" }}{{ template "team.title" . }}
{{ if .Alerts.Firing }}Firing:
{{ template "team.list" .Alerts.Firing }}{{ end }}{{ with .Alerts.Resolved }}Resolved:
{{ template "team.list" . }}{{ end }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}`,
  );
  const d = newAlertmanagerData({
    receiver: "team-db",
    groupLabels: { alertname: "DiskFull" },
    externalURL: "http://am.example.com",
    nowMs: Date.UTC(2024, 0, 1),
    alerts: [
      {
        labels: { alertname: "DiskFull", team: "db", instance: "a" },
        annotations: { summary: "disk a" },
      },
      {
        labels: { alertname: "DiskFull", team: "db", instance: "b" },
        annotations: { summary: "disk b" },
        endsAt: Date.UTC(2023, 11, 31),
      },
    ],
  });

  it("renders definitions across files", async () => {
    assert.equal(
      await t.executeTextString(`{{ template "slack.text" . }}`, d),
      "FIRING (1): DiskFull [db]\nFiring:\n- DiskFull summary=disk a\nResolved:\n- DiskFull summary=disk b\nhttp://am.example.com/#/alerts?receiver=team-db",
    );
  });

  it("defines a template per file", () => {
    assert.ok(t.lookup("common.tmpl"));
    assert.ok(t.lookup("slack.tmpl"));
    assert.equal(t.lookup("nope.tmpl"), undefined);
  });

  it("does not leak templates defined by one expansion into the next", async () => {
    assert.equal(await t.executeTextString(`{{ define "x" }}X{{ end }}{{ template "x" }}`, d), "X");
    await assert.rejects(t.executeTextString(`{{ template "x" }}`, d), /template "x" not defined/);
  });

  it("reports parse errors like Go", async () => {
    await assert.rejects(t.executeTextString(`{{ .Status `, d), {
      message: "template: :1: unclosed action",
    });
  });
});
