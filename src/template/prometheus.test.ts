// Ports the cases of Prometheus's template/template_test.go (v3.5.3) that apply to text mode,
// plus the rule-specific helpers (alert template data, the $labels/$value definitions).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  expandAlertTemplate,
  expandTemplate,
  humanize,
  humanizeDuration,
  humanizePercentage,
} from "./prometheus.ts";
import type { TemplateQuerySample } from "./prometheus.ts";
import { anySlice, setGoType, stringSlice } from "./value.ts";
import { floatToTime, parseModelDuration } from "./prometheus.ts";

interface Scenario {
  text: string;
  output?: string;
  input?: unknown;
  options?: string[];
  queryResult?: TemplateQuerySample[];
  errorMsg?: string;
}

const metric = (labels: Record<string, string>, value: number): TemplateQuerySample => ({
  labels,
  value,
});

function floats(...v: number[]): number[] {
  return setGoType([...v], { elem: "float64" });
}

function ints(...v: bigint[]): bigint[] {
  return setGoType([...v], { elem: "int" });
}

const MAX_INT64 = 9223372036854775807n;
const MIN_INT64 = -9223372036854775808n;
const MAX_UINT64 = 18446744073709551615n;

const scenarios: Scenario[] = [
  { text: "plain text", output: "plain text" },
  { text: "{{ 1 }}", output: "1" },
  {
    text: "{{\u00a0}}",
    errorMsg:
      "error parsing template test: template: test:1: unrecognized character in action: U+00A0",
  },
  { text: '{{ "<b>" }}', output: "<b>" },
  {
    text: '{{define "x"}}{{.arg0}} {{.arg1}}{{end}}{{template "x" (args 1 "2")}}',
    output: "1 2",
  },
  { text: '{{ query "1.5" | first | value }}', output: "1.5", queryResult: [metric({}, 1.5)] },
  {
    text: "{{ query \"metric{instance='a'}\" | first | value }}",
    queryResult: [metric({ __name__: "metric", instance: "a" }, 11)],
    output: "11",
  },
  {
    text: '{{ query "metric{instance=\'a\'}" | first | label "instance" }}',
    queryResult: [metric({ __name__: "metric", instance: "a" }, 11)],
    output: "a",
  },
  {
    text: "{{ query \"metric{__value__='a'}\" | first | strvalue }}",
    queryResult: [metric({ __name__: "metric", __value__: "a" }, 11)],
    output: "a",
  },
  {
    text: '{{ query "metric{instance=\'a\'}" | first | label "foo" }}',
    queryResult: [metric({ __name__: "metric", instance: "a" }, 11)],
    output: "",
  },
  {
    text: '{{ $x := query "metric" | first }}{{ $x.Labels.foo }}',
    queryResult: [metric({ __name__: "metric", instance: "a" }, 11)],
    output: "",
  },
  {
    text: '{{ range query "metric" | sortByLabel "instance" }}{{.Labels.instance}}:{{.Value}}: {{end}}',
    queryResult: [
      metric({ __name__: "metric", instance: "b" }, 21),
      metric({ __name__: "metric", instance: "a" }, 11),
    ],
    output: "a:11: b:21: ",
  },
  { text: '{{ "foo.example.com" | stripPort }}', output: "foo.example.com" },
  { text: '{{ "foo.example.com:12345" | stripPort }}', output: "foo.example.com" },
  { text: '{{ "192.0.2.1" | stripPort }}', output: "192.0.2.1" },
  { text: '{{ "192.0.2.1:12345" | stripPort }}', output: "192.0.2.1" },
  { text: '{{ "2001:0DB8::1" | stripPort }}', output: "2001:0DB8::1" },
  { text: '{{ "[2001:0DB8::1]:12345" | stripPort }}', output: "2001:0DB8::1" },
  { text: '{{ "[2001:0DB8::1]::12345" | stripPort }}', output: "[2001:0DB8::1]::12345" },
  { text: "{{ .Foo }}", output: "<no value>" },
  { text: "{{ .Foo }}", options: [], output: "<no value>" },
  {
    text: "{{ .Foo }}",
    options: ["missingkey=error"],
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <.Foo>: nil data; no entry for key "Foo"',
  },
  { text: "{{", errorMsg: "error parsing template test: template: test:1: unclosed action" },
  {
    text: '{{ query "missing" | first }}',
    queryResult: [],
    errorMsg:
      'error executing template test: template: test:1:21: executing "test" at <first>: error calling first: first() called on vector with no elements',
  },
  {
    text: '{{ (query "missing").banana }}',
    queryResult: [],
    errorMsg:
      'error executing template test: template: test:1:10: executing "test" at <"missing">: can\'t evaluate field banana in type template.queryResult',
  },
  { text: '{{ reReplaceAll "(a)b" "x$1" "ab" }}', output: "xa" },
  {
    text: "{{ range . }}{{ humanize . }}:{{ end }}",
    input: floats(0.0, 1.0, 1234567.0, 0.12),
    output: "0:1:1.235M:120m:",
  },
  {
    text: "{{ range . }}{{ humanize . }}:{{ end }}",
    input: stringSlice(["0.0", "1.0", "1234567.0", ".12"]),
    output: "0:1:1.235M:120m:",
  },
  {
    text: '{{ humanize "one" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <humanize "one">: error calling humanize: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: "{{ range . }}{{ humanize . }}:{{ end }}",
    input: ints(0n, -1n, 1n, 1234567n, MAX_INT64),
    output: "0:-1:1:1.235M:9.223E:",
  },
  {
    text: "{{ range . }}{{ humanize . }}:{{ end }}",
    input: ints(0n, 1n, 1234567n, MAX_UINT64),
    output: "0:1:1.235M:18.45E:",
  },
  {
    text: "{{ range . }}{{ humanize1024 . }}:{{ end }}",
    input: floats(0.0, 1.0, 1048576.0, 0.12),
    output: "0:1:1Mi:0.12:",
  },
  {
    text: "{{ range . }}{{ humanize1024 . }}:{{ end }}",
    input: stringSlice(["0.0", "1.0", "1048576.0", ".12"]),
    output: "0:1:1Mi:0.12:",
  },
  {
    text: '{{ humanize1024 "one" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <humanize1024 "one">: error calling humanize1024: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: "{{ range . }}{{ humanize1024 . }}:{{ end }}",
    input: ints(0n, -1n, 1n, 1234567n, MAX_INT64),
    output: "0:-1:1:1.177Mi:8Ei:",
  },
  {
    text: "{{ range . }}{{ humanize1024 . }}:{{ end }}",
    input: ints(0n, 1n, 1234567n, MAX_UINT64),
    output: "0:1:1.177Mi:16Ei:",
  },
  {
    text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
    input: floats(
      0,
      1,
      60,
      3600,
      86400,
      86400 + 3600,
      -(86400 * 2 + 3600 * 3 + 60 * 4 + 5),
      899.99,
    ),
    output: "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:",
  },
  {
    text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
    input: stringSlice(["0", "1", "60", "3600", "86400"]),
    output: "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:",
  },
  {
    text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
    input: floats(0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345),
    output: "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
  },
  {
    text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
    input: stringSlice([".1", ".0001", ".12345", "60.1", "60.5", "1.2345", "12.345"]),
    output: "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
  },
  {
    text: '{{ humanizeDuration "one" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <humanizeDuration "one">: error calling humanizeDuration: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
    input: ints(0n, -1n, 1n, 1234567n),
    output: "0s:-1s:1s:14d 6h 56m 7s:",
  },
  {
    text: "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
    input: floats(Infinity, -Infinity, NaN),
    output: "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:",
  },
  {
    text: "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
    input: stringSlice(["+Inf", "-Inf", "NaN"]),
    output: "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:",
  },
  {
    text: "{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}",
    output: "-22.22%:0%:12.35%:123.5%",
  },
  {
    text: "{{ range . }}{{ humanizePercentage . }}:{{ end }}",
    input: ints(0n, -1n, 1n, 1234567n, MAX_INT64),
    output: "0%:-100%:100%:1.235e+08%:9.223e+20%:",
  },
  {
    text: "{{ range . }}{{ humanizePercentage . }}:{{ end }}",
    input: ints(0n, 1n, 1234567n, MAX_UINT64),
    output: "0%:100%:1.235e+08%:1.845e+21%:",
  },
  {
    text: '{{ "-0.22222" | humanizePercentage }}:{{ "0.0" | humanizePercentage }}:{{ "0.1234567" | humanizePercentage }}:{{ "1.23456" | humanizePercentage }}',
    output: "-22.22%:0%:12.35%:123.5%",
  },
  {
    text: '{{ "one" | humanizePercentage }}',
    errorMsg:
      'error executing template test: template: test:1:11: executing "test" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
    input: ints(0n, -1n, 1n, 1234567n, 9223372036n),
    output:
      "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:",
  },
  {
    text: "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
    input: ints(MIN_INT64, MAX_INT64),
    errorMsg:
      'error executing template test: template: test:1:16: executing "test" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64',
  },
  {
    text: "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
    input: ints(MAX_UINT64),
    errorMsg:
      'error executing template test: template: test:1:16: executing "test" at <humanizeTimestamp .>: error calling humanizeTimestamp: 1.8446744073709552e+19 cannot be represented as a nanoseconds timestamp since it overflows int64',
  },
  { text: "{{ 1435065584.128 | humanizeTimestamp }}", output: "2015-06-23 13:19:44.128 +0000 UTC" },
  {
    text: '{{ "1435065584.128" | humanizeTimestamp }}',
    output: "2015-06-23 13:19:44.128 +0000 UTC",
  },
  { text: '{{ (1435065584.128 | toTime).Format "2006" }}', output: "2015" },
  { text: '{{ ("1435065584.128" | toTime).Format "2006" }}', output: "2015" },
  { text: '{{ "aa bb CC" | title }}', output: "Aa Bb CC" },
  { text: '{{ "aa bb CC" | toUpper }}', output: "AA BB CC" },
  { text: '{{ "aA bB CC" | toLower }}', output: "aa bb cc" },
  { text: '{{ match "a+" "aa" }} {{ match "a+" "b" }}', output: "true false" },
  { text: '{{ graphLink "up" }}', output: "/graph?g0.expr=up&g0.tab=0" },
  { text: '{{ tableLink "up" }}', output: "/graph?g0.expr=up&g0.tab=1" },
  { text: "{{ pathPrefix }}", output: "/path/prefix" },
  { text: "{{ externalURL }}", output: "http://testhost:9090/path/prefix" },
  { text: '{{ printf "%0.2f" (parseDuration "1h2m10ms") }}', output: "3720.01" },
  { text: '{{ "foo.example.com" | stripDomain }}', output: "foo" },
  { text: '{{ "foo.example.com:12345" | stripDomain }}', output: "foo:12345" },
  { text: '{{ "192.0.2.1" | stripDomain }}', output: "192.0.2.1" },
  { text: '{{ "192.0.2.1:12345" | stripDomain }}', output: "192.0.2.1:12345" },
  { text: '{{ "2001:0DB8::1" | stripDomain }}', output: "2001:0DB8::1" },
  { text: '{{ "[2001:0DB8::1]:12345" | stripDomain }}', output: "[2001:0DB8::1]:12345" },
  { text: '{{ "[2001:0DB8::1]::12345" | stripDomain }}', output: "[2001:0DB8::1]::12345" },
  // Beyond upstream's table.
  {
    text: "{{ range . }}{{ . }}|{{ end }}",
    input: anySlice([1e6, 0.5, 100000]),
    output: "1e+06|0.5|100000|",
  },
  { text: '{{ reReplaceAll "(?P<x>a)" "${x}y" "bab" }}', output: "bayb" },
  { text: '{{ reReplaceAll "a*" "-" "baaac" }}', output: "-b-c-" },
  {
    text: '{{ reReplaceAll "(" "x" "y" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <reReplaceAll "(" "x" "y">: error calling reReplaceAll: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`',
  },
  {
    text: '{{ parseDuration "1x" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <parseDuration "1x">: error calling parseDuration: unknown unit "x" in duration "1x"',
  },
  { text: "{{ toDuration 90 }} {{ toDuration 0.0015 }}", output: "1m30s 1.5ms" },
  { text: "{{ now }}", output: "1.5" },
  { text: '{{ urlQueryEscape "a b/c" }}', output: "a+b%2Fc" },
  { text: '{{ "hello world" | title }}', output: "Hello World" },
  {
    text: '{{ with query "up" }}{{ range . }}{{ .Labels.job }}={{ .Value }} {{ end }}{{ else }}none{{ end }}',
    queryResult: [],
    output: "none",
  },
  {
    text: "{{ humanize true }}",
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <humanize true>: error calling humanize: can\'t convert bool to float',
  },
];

describe("Prometheus template expansion (template_test.go)", () => {
  for (const [i, s] of scenarios.entries()) {
    it(`${i}: ${s.text}`, async () => {
      const run = expandTemplate(s.text, {
        name: "test",
        data: s.input,
        timestampMs: 1500,
        queryFunc: async () => s.queryResult ?? [],
        externalURL: "http://testhost:9090/path/prefix",
        options: s.options,
      });
      if (s.errorMsg !== undefined) {
        await assert.rejects(run, (err: Error) => {
          assert.equal(err.message, s.errorMsg);
          return true;
        });
      } else {
        assert.equal(await run, s.output);
      }
    });
  }
});

describe("Prometheus helpers", () => {
  it("floatToTime", () => {
    assert.equal(floatToTime(1657155181).String(), "2022-07-07 00:53:01 +0000 UTC");
    assert.throws(() => floatToTime(1e300), /overflows int64/);
    assert.throws(() => floatToTime(-1e300), /overflows int64/);
  });

  it("humanize functions", () => {
    assert.equal(humanize(1234567), "1.235M");
    assert.equal(humanize(0.000123), "123u");
    assert.equal(humanizeDuration(90), "1m 30s");
    assert.equal(humanizePercentage(0.1234), "12.34%");
  });

  it("parseModelDuration", () => {
    assert.equal(parseModelDuration("1h30m"), 5400000000000n);
    assert.equal(parseModelDuration("0"), 0n);
    assert.throws(() => parseModelDuration(""), /empty duration string/);
    assert.throws(() => parseModelDuration("5m1h"), /not a valid duration string: "5m1h"/);
    assert.throws(() => parseModelDuration("300y"), /duration out of range/);
  });
});

describe("alert templates (rules/alerting.go)", () => {
  const base = {
    alertName: "HighLatency",
    labels: { job: "api", instance: "host:9090", severity: "page" },
    externalLabels: { cluster: "eu1" },
    externalURL: "http://prom.example.com",
    timestampMs: 0,
  };

  it("defines $labels, $externalLabels, $externalURL and $value", async () => {
    const out = await expandAlertTemplate(
      "{{ $labels.job }}/{{ $labels.missing }}/{{ $externalLabels.cluster }}/{{ $externalURL }}/{{ $value }}/{{ .Value | humanize }}",
      { ...base, value: 1234567 },
    );
    assert.equal(out, "api//eu1/http://prom.example.com/1.234567e+06/1.235M");
  });

  it("prints float values as Go does", async () => {
    assert.equal(await expandAlertTemplate("{{ $value }}", { ...base, value: 0.1 }), "0.1");
    assert.equal(await expandAlertTemplate("{{ $value }}", { ...base, value: 2 }), "2");
    assert.equal(
      await expandAlertTemplate('{{ printf "%.2f" $value }}', { ...base, value: 2.345 }),
      "2.35",
    );
  });

  it("names the template __alert_<name> in errors", async () => {
    await assert.rejects(expandAlertTemplate("{{ $value.Foo }}", { ...base, value: 1 }), {
      message:
        'error executing template __alert_HighLatency: template: __alert_HighLatency:1:121: executing "__alert_HighLatency" at <$value.Foo>: can\'t evaluate field Foo in type float64',
    });
  });

  it("compares $value with float literals and rejects ints like Go", async () => {
    assert.equal(
      await expandAlertTemplate("{{ if gt $value 1.0 }}high{{ end }}", { ...base, value: 2 }),
      "high",
    );
    await assert.rejects(
      expandAlertTemplate("{{ if gt $value 1 }}high{{ end }}", { ...base, value: 2 }),
      /error calling gt: incompatible types for comparison: float64 and int/,
    );
  });

  it("ranges over $labels in key order", async () => {
    const out = await expandAlertTemplate(
      "{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}",
      { ...base, value: 1 },
    );
    assert.equal(out, "instance=host:9090;job=api;severity=page;");
  });
});
