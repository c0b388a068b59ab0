import assert from "node:assert/strict";
import { test } from "node:test";
import { isStaleNaN } from "../value/index.ts";
import type { Labels } from "../labels/index.ts";
import type { ParseResult } from "./index.ts";
import type { ExpectedSeries } from "./index.ts";
import { ExpositionError, parseExposition } from "./index.ts";
import { PROM_EXTRA, parsePromText } from "./prom-parser.ts";
import { ResultBuilder } from "./result.ts";
import { toSource } from "./source.ts";

const TEXT = "text/plain; version=0.0.4; charset=utf-8";

function prom(body: string | Uint8Array): ParseResult {
  return parseExposition(body, TEXT);
}

function rec(ls: Labels): Record<string, string> {
  return Object.fromEntries(ls.map((l) => [l.name, l.value]));
}

test("a typical exposition", () => {
  const res = prom(
    [
      "# HELP go_gc_duration_seconds A summary of the GC invocation durations.",
      "# \tTYPE go_gc_duration_seconds summary",
      'go_gc_duration_seconds{quantile="0"} 4.9351e-05',
      'go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05',
      'go_gc_duration_seconds{ quantile="0.8", a="b"} 8.3835e-05 1234',
      "go_gc_duration_seconds_count 99",
      "",
      "# A comment.",
      "# HELP http_requests_total Requests.",
      "# TYPE http_requests_total counter",
      'http_requests_total{code="200",method="get"} 1027 1395066363000',
      'http_requests_total{code="400",method="post"}    3',
      "# TYPE h histogram",
      'h_bucket{le="1"} 1',
      'h_bucket{le="+Inf"} 2',
      "metric_without_newline 1",
    ].join("\n"),
  );
  assert.equal(res.format, "prometheus-text");
  assert.equal(res.length, 9);
  assert.deepEqual(rec(res.labels(0)), { __name__: "go_gc_duration_seconds", quantile: "0.0" });
  assert.deepEqual(rec(res.labels(2)), {
    __name__: "go_gc_duration_seconds",
    quantile: "0.8",
    a: "b",
  });
  assert.equal(res.timestampMs(2), 1234);
  assert.equal(res.timestampMs(3), undefined);
  assert.equal(res.series(5), 'http_requests_total{code="400",method="post"}');
  assert.equal(res.timestampMs(4), 1395066363000);
  assert.equal(res.values[5], 3);
  assert.deepEqual(rec(res.labels(6)), { __name__: "h_bucket", le: "1.0" });
  assert.deepEqual(rec(res.labels(7)), { __name__: "h_bucket", le: "+Inf" });
  assert.deepEqual(
    res.metadata.map((m) => [m.metricFamily, m.type, m.help, m.sampleIndex]),
    [
      ["go_gc_duration_seconds", "summary", "A summary of the GC invocation durations.", 0],
      ["http_requests_total", "counter", "Requests.", 4],
      ["h", "histogram", "", 6],
    ],
  );
});

test("entries() interleaves metadata and samples in order", () => {
  const res = prom("a 1\n# TYPE b gauge\nb 2\n# HELP c trailing\n");
  assert.deepEqual(
    [...res.entries()].map((e) => (e.kind === "sample" ? e.series : `meta ${e.metricFamily}`)),
    ["a", "meta b", "b", "meta c"],
  );
});

test("label value escapes", () => {
  const res = prom('m{a="x\\\\y",b="say \\"hi\\"",c="l1\\nl2",d="\\t",e="\\\\n"} 1\n');
  assert.deepEqual(rec(res.labels(0)), {
    __name__: "m",
    a: "x\\y",
    b: 'say "hi"',
    c: "l1\nl2",
    // PromParser only undoes \\, \" and \n; other escapes stay as written.
    d: "\\t",
    e: "\\n",
  });
});

test("HELP escapes are \\\\ and \\n only", () => {
  const res = prom('# HELP m a \\\\ b \\n c \\" d\n');
  assert.equal(res.metadata[0]!.help, 'a \\ b \n c \\" d');
});

test("quoted UTF-8 metric and label names", () => {
  const res = prom('{"my.metric", "label.name"="v", "ünï"="ok"} 1\n# TYPE "my.metric" gauge\n');
  assert.deepEqual(rec(res.labels(0)), { __name__: "my.metric", "label.name": "v", ünï: "ok" });
  assert.equal(res.metadata[0]!.metricFamily, "my.metric");
  assert.throws(() => prom('a{"b"} 1\n'), {
    message: 'metric name already set while parsing: "a{\\"b\\"}"',
  });
});

test("values and timestamps", () => {
  const res = prom("a +Inf\nb -Inf\nc NaN\nd nan\ne Inf\nf 1e3\ng .5\nh 08\n");
  assert.deepEqual(Array.from(res.values.subarray(0, 2)), [Infinity, -Infinity]);
  assert.ok(Number.isNaN(res.values[2]) && !isStaleNaN(res.values[2]!));
  assert.ok(Number.isNaN(res.values[3]));
  assert.deepEqual(Array.from(res.values.subarray(4)), [Infinity, 1000, 0.5, 8]);
  assert.throws(() => prom("a 1 -2\n"), {
    message: 'expected timestamp or new record, got "-" ("INVALID") while parsing: "a 1 -"',
  });
  assert.throws(() => prom("a 1e400\n"), {
    message: 'strconv.ParseFloat: parsing "1e400": value out of range while parsing: "a 1e400"',
  });
  assert.throws(() => prom("a 1 99999999999999999999\n"), {
    message:
      'strconv.ParseInt: parsing "99999999999999999999": value out of range while parsing: "a 1 99999999999999999999"',
  });
});

test("empty label values are dropped, repeated names are rejected", () => {
  const res = prom('a{x="",y="1"} 1\nb{y="1",y="2"} 1\n');
  assert.deepEqual(rec(res.labels(0)), { __name__: "a", y: "1" });
  assert.throws(
    () => res.labels(1),
    (err: unknown) => {
      assert.ok(err instanceof ExpositionError);
      assert.equal(err.message, 'label name "y" is not unique');
      return true;
    },
  );
});

test("PromParser quirks are kept", () => {
  // The type from the last TYPE line stays in effect for later families, so `le` is respelled
  // here too (the "windspeed" case noted in model/textparse/promparse.go).
  const res = prom('# TYPE h histogram\nh_bucket{le="1"} 1\nother{le="2"} 1\n');
  assert.equal(rec(res.labels(1)).le, "2.0");
  // A NUL at the start of a line ends the input.
  assert.equal(prom("a 1\n\0b 2\n").length, 1);
  // TYPE after samples and repeated HELP lines are accepted.
  assert.equal(prom("a 1\n# TYPE a gauge\n# HELP a x\n# HELP a y\n").metadata[0]!.help, "y");
});

test("errors", () => {
  const cases: [string, string][] = [
    ["a", 'expected value after metric, got "\\n" ("INVALID") while parsing: "a\\n"'],
    ["a{b=c} 1", 'expected label value, got "c" ("INVALID") while parsing: "a{b=c"'],
    ["# TYPE a foo\n", 'invalid metric type "foo"'],
    [
      "a 1 2 3\n",
      'expected next entry after timestamp, got "3\\n" ("TIMESTAMP") while parsing: "a 1 2 3\\n"',
    ],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => prom(input), { name: "ExpositionError", message });
  }
  assert.throws(() => prom("ok 1\nok 2\nbad\n"), { line: 3 });
});

test("errors match PromParser's, which appends a newline to the body", () => {
  // The appended newline shows in the error for a label value left open at the end.
  assert.throws(() => prom('a{b="x\n'), {
    message: 'expected label value, got "\\"x\\n\\n" ("INVALID") while parsing: "a{b=\\"x\\n\\n"',
  });
  assert.throws(() => prom('a{b="x'), {
    message: 'expected label value, got "\\"x\\n" ("INVALID") while parsing: "a{b=\\"x\\n"',
  });
});

test("bytes input, valid and invalid UTF-8", () => {
  assert.equal(prom(new TextEncoder().encode('a{b="Björn"} 1\n')).labels(0)[1]!.value, "Björn");
  const bad = Buffer.concat([
    Buffer.from("# HELP a "),
    Buffer.from([0xc3, 0x28]),
    Buffer.from("\n"),
  ]);
  assert.throws(() => prom(bad), { message: 'help text "\\xc3(" is not a valid utf8 string' });
});

test("the sample-line fast path parses exactly as the lexer does, errors included", () => {
  // Lines near the fast path's form, then mutated byte by byte, parsed both ways.
  const parts = [
    "m",
    "a_b:c",
    // Texts that differ only in their last bytes (past the last whole word).
    "ab1",
    "ab2",
    "abcde1",
    "abcde2",
    "m{}",
    'm{a="b"}',
    'm{a="b",}',
    'm{a="b",c="d"}',
    'm{a="x\\"y\\\\z\\n"}',
    'm{a="\\q"}',
    'm{a="x\\\ny"}',
    'm{a="x\\\0y"}',
    'm{a="x\0y"}',
    'm{a="é"}',
    'm{"q.name"="v"}',
    'm{a = "b"}',
    'm {a="b"}',
    "{m}",
  ];
  const tails = [
    " 1",
    " -1.5e3",
    "\t2",
    "  3   ",
    " 1 1700000000000",
    " 1 12 ",
    " NaN",
    " +Inf",
    " 1e400",
    " 1 -5",
    " x",
    "1",
    " 1 12345678901234567",
    " 0x1f",
  ];
  let seed = 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const noise = [
    0x00, 0x09, 0x0a, 0x20, 0x22, 0x2c, 0x3d, 0x5c, 0x7b, 0x7d, 0x23, 0x31, 0x61, 0xc3, 0xff,
  ];
  const outcome = (body: Buffer, lexerOnly: boolean, expect?: ExpectedSeries): unknown => {
    const src = toSource(body, PROM_EXTRA);
    const out = new ResultBuilder(src);
    try {
      parsePromText(src, out, { lexerOnly, expect });
    } catch (err) {
      return { error: (err as Error).message, line: (err as ExpositionError).line };
    }
    const res = out.finish("prometheus-text", []);
    const samples = [];
    for (let i = 0; i < res.length; i++) {
      let labels: unknown;
      try {
        labels = res.labels(i);
      } catch (err) {
        labels = (err as Error).message;
      }
      samples.push({
        range: out.seriesRange(i),
        // Expected series record no offsets; their labels are found again from the text.
        offs: expect
          ? []
          : Array.from((({ offs, start, end }) => offs.subarray(start, end))(out.sampleOffsets(i))),
        labels,
        type: out.sampleType(i),
        value: Object.is(res.values[i], -0) ? "-0" : res.values[i],
        ts: res.timestampMs(i),
      });
      if (res.seriesExpected(i)) {
        expectedHits++;
        const [a, b] = out.seriesRange(i);
        const want = Buffer.from(
          expect!.bytes.subarray(expect!.off[i]!, expect!.off[i]! + expect!.len[i]!),
        );
        assert.deepEqual(
          src.bytes.subarray(a, b),
          want,
          "an expected series has the expected text",
        );
      }
    }
    return { samples, metadata: res.metadata };
  };
  // expectFrom expects the series texts of a parse of prev (in its order).
  const expectFrom = (prev: Buffer): ExpectedSeries | undefined => {
    const src = toSource(prev, PROM_EXTRA);
    const out = new ResultBuilder(src);
    try {
      parsePromText(src, out, { lexerOnly: true });
    } catch {
      return undefined;
    }
    const off = new Int32Array(out.count);
    const len = new Int32Array(out.count);
    for (let i = 0; i < out.count; i++) {
      const [a, b] = out.seriesRange(i);
      off[i] = a;
      len[i] = b - a;
    }
    return { bytes: src.bytes, off, len, count: out.count };
  };
  let expectedHits = 0;
  let fastErrors = 0;
  let lastBody = Buffer.alloc(0);
  for (let round = 0; round < 4000; round++) {
    const lines = [];
    for (let k = 1 + rand(3); k > 0; k--) {
      lines.push(parts[rand(parts.length)]! + tails[rand(tails.length)]!);
      if (rand(5) === 0) lines.push("# TYPE m histogram");
    }
    const body = Buffer.from(lines.join("\n") + "\n");
    const unmutated = Buffer.from(body);
    // Mutate: insert, replace or delete a byte.
    for (let k = rand(3); k > 0; k--) {
      const at = rand(body.length);
      const op = rand(3);
      const c = noise[rand(noise.length)]!;
      const arr = [...body];
      if (op === 0) arr.splice(at, 0, c);
      else if (op === 1) arr[at] = c;
      else arr.splice(at, 1);
      body.set(arr.slice(0, body.length));
    }
    const fast = outcome(body, false);
    const what = `body ${JSON.stringify(body.toString("latin1"))}`;
    assert.deepEqual(fast, outcome(body, true), what);
    if ((fast as { error?: string }).error !== undefined) fastErrors++;
    // Expecting the series of the body before mutation, after it, or of the last round's body
    // changes nothing either.
    for (const prev of [unmutated, body, lastBody]) {
      const expect = expectFrom(prev);
      if (expect === undefined) continue;
      const expecting = `${what} expecting ${JSON.stringify(prev.toString("latin1"))}`;
      assert.deepEqual(outcome(body, false, expect), outcome(body, true, expect), expecting);
    }
    lastBody = body;
  }
  assert.ok(
    fastErrors > 200 && fastErrors < 3800,
    `a mix of good and bad bodies (${fastErrors} bad)`,
  );
  assert.ok(expectedHits > 1000, `series found as expected (${expectedHits})`);
});
