import assert from "node:assert/strict";
import { test } from "node:test";
import { isStaleNaN } from "../value/index.ts";
import type { ParseResult } from "./index.ts";
import { ExpositionError, parseExposition } from "./index.ts";

const OM = "application/openmetrics-text; version=1.0.0; charset=utf-8";

function om(body: string, skipCreatedSeries = false): ParseResult {
  return parseExposition(body, OM, { skipCreatedSeries });
}

// seriesOf lists each sample as its series text and the parts the test looks at.
function seriesOf(res: ParseResult): { series: string; ct?: number }[] {
  const out: { series: string; ct?: number }[] = [];
  for (let i = 0; i < res.length; i++) {
    const ct = res.createdTimestampMs(i);
    out.push(ct === undefined ? { series: res.series(i) } : { series: res.series(i), ct });
  }
  return out;
}

test("samples, timestamps in seconds and metric types", () => {
  const res = om(
    [
      "# HELP go_goroutines Number of goroutines.",
      "# TYPE go_goroutines gauge",
      "go_goroutines 33 123.123",
      "# TYPE ii info",
      'ii_info{foo="bar"} 1',
      "# TYPE ss stateset",
      'ss{ss="foo"} 1',
      "# TYPE gh gaugehistogram",
      'gh_bucket{le="1"} 1',
      "gh_gcount 1",
      "# TYPE un unknown",
      "un 1 -1.5",
      "# EOF",
    ].join("\n"),
  );
  assert.equal(res.format, "openmetrics-text");
  assert.deepEqual(
    res.metadata.map((m) => [m.metricFamily, m.type, m.help, m.sampleIndex]),
    [
      ["go_goroutines", "gauge", "Number of goroutines.", 0],
      ["ii", "info", "", 1],
      ["ss", "stateset", "", 2],
      ["gh", "gaugehistogram", "", 3],
      ["un", "unknown", "", 5],
    ],
  );
  assert.equal(res.timestampMs(0), 123123);
  // Seconds are converted to ms and truncated toward zero, as int64(ts*1000) in Go.
  assert.equal(res.timestampMs(5), -1500);
  // le of a gauge histogram is not respelled (only histograms and summaries are).
  assert.deepEqual(res.labels(3), [
    { name: "__name__", value: "gh_bucket" },
    { name: "le", value: "1" },
  ]);
});

test("UNIT must be a _<unit> suffix of the family name", () => {
  const res = om("# TYPE t_seconds counter\n# UNIT t_seconds seconds\nt_seconds_total 1\n# EOF\n");
  assert.deepEqual(res.metadata, [
    {
      kind: "metadata",
      metricFamily: "t_seconds",
      type: "counter",
      help: "",
      unit: "seconds",
      sampleIndex: 0,
    },
  ]);
  assert.throws(() => om("# UNIT t_seconds bytes\n# EOF\n"), {
    name: "ExpositionError",
    message: 'unit "bytes" not a suffix of metric "t_seconds"',
  });
});

test("HELP escapes follow label value escaping in OpenMetrics", () => {
  const res = om('# HELP h escape \\ \\n \\\\ \\" \\x chars\n# EOF\n');
  assert.equal(res.metadata[0]!.help, 'escape \\ \n \\ " \\x chars');
});

test("label value escapes and quoted UTF-8 names", () => {
  const res = om(
    '{"my.metric","label.with.dots"="a\\"b\\\\c\\nd",plain="\\t"} 1\nx{a="\\\\n"} 2\n# EOF\n',
  );
  assert.deepEqual(res.labels(0), [
    { name: "__name__", value: "my.metric" },
    { name: "label.with.dots", value: 'a"b\\c\nd' },
    // Unknown escapes stay as written, as Prometheus's replacer leaves them.
    { name: "plain", value: "\\t" },
  ]);
  assert.equal(res.labels(1)[1]!.value, "\\n");
  assert.equal(res.series(0), '{"my.metric","label.with.dots"="a\\"b\\\\c\\nd",plain="\\t"}');
});

test("exemplars", () => {
  const res = om(
    [
      "# TYPE foo counter",
      'foo_total 17.0 1520879607.789 # {id="counter-test"} 5',
      "# TYPE hhh histogram",
      'hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test",xx="y\\"y"} 4 123.123',
      "hhh_count 1",
      "# EOF",
    ].join("\n"),
  );
  assert.equal(res.timestampMs(0), 1520879607789);
  assert.deepEqual(res.exemplar(0), { labels: [{ name: "id", value: "counter-test" }], value: 5 });
  assert.deepEqual(res.exemplar(1), {
    labels: [
      { name: "id", value: "histogram-bucket-test" },
      { name: "xx", value: 'y"y' },
    ],
    value: 4,
    timestampMs: 123123,
  });
  assert.equal(res.exemplar(2), undefined);
  const entries = [...res.entries()].filter((e) => e.kind === "sample");
  assert.equal(entries[1]!.kind === "sample" && entries[1]!.exemplar?.value, 4);
});

test("exemplar errors", () => {
  assert.throws(() => om('a_total 1 # {id="x"}\n# EOF\n'), {
    message:
      'expected value after exemplar labels, got "\\n" ("INVALID") while parsing: "a_total 1 # {id=\\"x\\"}\\n"',
  });
  assert.throws(() => om('a_total 1 # {id="x"} 1 NaN\n# EOF\n'), {
    message: "invalid exemplar timestamp NaN",
  });
});

// The scenarios of TestOpenMetricsParse in model/textparse/openmetricsparse_test.go: which
// samples get a start timestamp from a `_created` line.
const CREATED = [
  "# TYPE foo counter",
  "foo_total 17.0 1520879607.789",
  "foo_created 1520872607.123",
  'foo_total{a="b"} 17.0',
  'foo_created{a="b"} 1520872607.123',
  'foo_total{le="c"} 21.0',
  'foo_created{le="c"} 1520872621.123',
  'foo_total{le="1"} 10.0',
  "# TYPE bar summary",
  "bar_count 17.0",
  "bar_sum 324789.3",
  'bar{quantile="0.95"} 123.7',
  "bar_created 1520872608.124",
  "# TYPE fizz_created gauge",
  "fizz_created 17.0",
  "# TYPE something histogram",
  "something_count 18",
  "something_created 1520430001",
  'something_bucket{le="0.0"} 1',
  'something_bucket{le="+Inf"} 18',
  "# TYPE foobar summary",
  "foobar_count 21",
  "foobar_created 1520430004",
  'foobar{quantile="0.99"} 150.1',
  "# EOF",
].join("\n");

test("created timestamps, with _created lines skipped", () => {
  assert.deepEqual(seriesOf(om(CREATED, true)), [
    { series: "foo_total", ct: 1520872607123 },
    { series: 'foo_total{a="b"}', ct: 1520872607123 },
    // le is an ordinary label of a counter, so it must match.
    { series: 'foo_total{le="c"}', ct: 1520872621123 },
    { series: 'foo_total{le="1"}' },
    // A summary finds its _created line several lines ahead.
    { series: "bar_count", ct: 1520872608124 },
    { series: "bar_sum", ct: 1520872608124 },
    { series: 'bar{quantile="0.95"}', ct: 1520872608124 },
    // Gauges have no start timestamp, whatever their name.
    { series: "fizz_created" },
    { series: "something_count", ct: 1520430001000 },
    // After the _created line, the remembered match still applies to the same series.
    { series: 'something_bucket{le="0.0"}', ct: 1520430001000 },
    { series: 'something_bucket{le="+Inf"}', ct: 1520430001000 },
    { series: "foobar_count", ct: 1520430004000 },
    { series: 'foobar{quantile="0.99"}', ct: 1520430004000 },
  ]);
});

test("created lines are ordinary samples by default", () => {
  const res = om(CREATED);
  const created = seriesOf(res).filter((s) => s.series.includes("_created"));
  assert.deepEqual(
    created.map((s) => s.series),
    [
      "foo_created",
      'foo_created{a="b"}',
      'foo_created{le="c"}',
      "bar_created",
      "fizz_created",
      "something_created",
      "foobar_created",
    ],
  );
  assert.equal(res.createdTimestampMs(0), 1520872607123);
  assert.equal(res.values[1], 1520872607.123);
});

test("NaN values are normal NaNs, not stale markers", () => {
  const res = om("# TYPE s summary\ns_sum nan\ns_count NaN\n# EOF\n");
  const bits = new BigUint64Array(res.values.buffer, res.values.byteOffset, res.length);
  assert.equal(bits[0], 0x7ff8000000000001n);
  assert.equal(bits[1], 0x7ff8000000000001n);
  assert.equal(isStaleNaN(res.values[0]!), false);
});

test("# EOF is required and must be last", () => {
  const cases: [string, string][] = [
    ["a 1\n", "data does not end with # EOF"],
    ["# EOF\na 1\n", "unexpected data after # EOF"],
    ["a 1\n\n# EOF\n", 'expected a valid start token, got "\\n" ("INVALID") while parsing: "\\n"'],
    ["a  1\n# EOF\n", 'expected value after metric, got "  " ("INVALID") while parsing: "a  "'],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => om(input),
      (err: unknown) => {
        assert.ok(err instanceof ExpositionError);
        assert.equal(err.message, message);
        return true;
      },
    );
  }
  assert.equal(om("# EOF").length, 0);
});

test("errors carry the line of the failing entry", () => {
  assert.throws(() => om("a 1\nb 2\nc x\n# EOF\n"), { line: 3 });
});

test("invalid UTF-8 in label values is rejected, elsewhere kept", () => {
  const bad = Buffer.concat([
    Buffer.from('a{b="'),
    Buffer.from([0xff]),
    Buffer.from('"} 1\n# EOF\n'),
  ]);
  assert.throws(() => parseExposition(bad, OM), {
    message: 'invalid UTF-8 label value: "\\"\\xff\\""',
  });
  const ok = Buffer.from('a{b="Björn"} 1\n# EOF\n');
  assert.equal(parseExposition(ok, OM).labels(0)[1]!.value, "Björn");
});
