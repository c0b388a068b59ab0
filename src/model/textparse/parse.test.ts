import assert from "node:assert/strict";
import { test } from "node:test";
import { parseExposition, parseMetricFamilies } from "./index.ts";

// exposition builds a node_exporter-like body with about `samples` samples: labelled counters,
// gauges and histograms, with HELP and TYPE lines.
function exposition(samples: number, openMetrics: boolean): string {
  const lines: string[] = [];
  let n = 0;
  for (let f = 0; n < samples; f++) {
    if (f % 3 === 2) {
      lines.push(`# HELP req_${f}_seconds Request latency.`, `# TYPE req_${f}_seconds histogram`);
      for (let s = 0; s < 4 && n < samples; s++) {
        const ls = `handler="/api/v1/query/${s}",method="GET",code="200"`;
        for (const le of ["0.005", "0.01", "0.1", "1", "10", "+Inf"]) {
          lines.push(`req_${f}_seconds_bucket{${ls},le="${le}"} ${n++}`);
        }
        lines.push(
          `req_${f}_seconds_sum{${ls}} ${n++ * 0.37}`,
          `req_${f}_seconds_count{${ls}} ${n++}`,
        );
      }
    } else {
      const type = f % 3 === 0 ? "counter" : "gauge";
      const name = type === "counter" ? `node_stat_${f}_total` : `node_stat_${f}_bytes`;
      const family = openMetrics && type === "counter" ? `node_stat_${f}` : name;
      lines.push(`# HELP ${family} Statistic ${f}.`, `# TYPE ${family} ${type}`);
      for (let s = 0; s < 20 && n < samples; s++, n++) {
        lines.push(`${name}{device="sd${s}",instance="host-${s % 4}:9100",job="node"} ${n * 1.5}`);
      }
    }
  }
  if (openMetrics) lines.push("# EOF");
  return lines.join("\n") + "\n";
}

// timeIt returns the best average over several batches, which filters out noise from other
// processes (tests run in parallel).
function timeIt(fn: () => void, rounds: number): number {
  for (let i = 0; i < 5; i++) fn();
  let best = Infinity;
  for (let batch = 0; batch < 5; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6 / rounds);
  }
  return best;
}

test("parse speed for 5000 samples (informational)", (t) => {
  for (const openMetrics of [false, true]) {
    const body = Buffer.from(exposition(5000, openMetrics));
    const ct = openMetrics ? "application/openmetrics-text; version=1.0.0" : "text/plain";
    const res = parseExposition(body, ct);
    assert.ok(res.length >= 5000 && res.length < 5010);
    const parseMs = timeIt(() => parseExposition(body, ct), 10);
    // What a scrape loop does on a cold cache: parse, then build every series key and label set.
    const coldMs = timeIt(() => {
      const r = parseExposition(body, ct);
      for (let i = 0; i < r.length; i++) {
        r.series(i);
        r.labels(i);
      }
    }, 10);
    const warmMs = timeIt(() => {
      const r = parseExposition(body, ct);
      for (let i = 0; i < r.length; i++) r.series(i);
    }, 10);
    t.diagnostic(
      `${openMetrics ? "OpenMetrics" : "text 0.0.4"}: ${res.length} samples, ${body.length} bytes: ` +
        `parse ${parseMs.toFixed(2)} ms, parse+series ${warmMs.toFixed(2)} ms, ` +
        `parse+series+labels ${coldMs.toFixed(2)} ms`,
    );
  }
});

test("expfmt parser through parseExposition", () => {
  const body = '# TYPE s summary\ns{quantile=".5"} 1 10\ns_sum 3\ns_count 2\n';
  const res = parseExposition(body, "text/plain", { textParser: "expfmt" });
  assert.deepEqual(
    [...res.entries()].map((e) =>
      e.kind === "sample"
        ? [e.series, e.labels.map((l) => `${l.name}=${l.value}`), e.value, e.timestampMs]
        : e.type,
    ),
    [
      "summary",
      ['s{quantile=".5"}', ["__name__=s", "quantile=0.5"], 1, 10],
      ["s_sum", ["__name__=s_sum"], 3, undefined],
      ["s_count", ["__name__=s_count"], 2, undefined],
    ],
  );
  // expfmt needs the final newline that PromParser adds by itself.
  assert.throws(() => parseExposition("a 1", "text/plain", { textParser: "expfmt" }), {
    message: "text format parsing error in line 1: unexpected end of input stream",
  });
  assert.equal(parseExposition("a 1", "text/plain").length, 1);
});

test("parseMetricFamilies merges summaries and histograms", () => {
  const families = parseMetricFamilies(
    [
      "# HELP h Latency.",
      "# TYPE h histogram",
      'h_bucket{x="a",le="1"} 1',
      'h_bucket{x="a",le="+Inf"} 2',
      'h_sum{x="a"} 1.5',
      'h_count{x="a"} 2 99',
      "g 3",
      "# HELP unused no metrics",
      "",
    ].join("\n"),
  );
  assert.deepEqual(families, [
    {
      name: "h",
      type: "histogram",
      help: "Latency.",
      metrics: [
        {
          labels: [{ name: "x", value: "a" }],
          timestampMs: 99,
          histogram: {
            buckets: [
              { upperBound: 1, cumulativeCount: 1 },
              { upperBound: Infinity, cumulativeCount: 2 },
            ],
            sampleSum: 1.5,
            sampleCount: 2,
          },
        },
      ],
    },
    { name: "g", type: "untyped", metrics: [{ labels: [], value: 3 }] },
  ]);
  assert.throws(() => parseMetricFamilies("a.b 1\n"), { name: "ExpositionError" });
  assert.throws(() => parseMetricFamilies('{"a.b"} 1\n', { nameValidation: "legacy" }), {
    message: 'text format parsing error in line 1: invalid metric name "a.b"',
  });
});
