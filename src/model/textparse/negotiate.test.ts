import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS,
  ExpositionError,
  acceptEncodingHeader,
  acceptHeader,
  formatFromContentType,
  isScrapeProtocol,
  parseExposition,
  parseMediaType,
} from "./index.ts";

test("acceptHeader matches Prometheus 3.5", () => {
  // The expected headers of TestTargetScraperScrapeOK / acceptHeader in scrape/scrape_test.go.
  assert.equal(
    acceptHeader(),
    "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6," +
      "application/openmetrics-text;version=0.0.1;q=0.5," +
      "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4," +
      "text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
  );
  assert.equal(
    acceptHeader(DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS),
    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6," +
      "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5," +
      "application/openmetrics-text;version=0.0.1;q=0.4," +
      "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3," +
      "text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
  );
  assert.equal(
    acceptHeader(["PrometheusText0.0.4", "PrometheusText1.0.0"], "underscores"),
    "text/plain;version=0.0.4;q=0.6,text/plain;version=1.0.0;escaping=underscores;q=0.5,*/*;q=0.4",
  );
  assert.equal(acceptEncodingHeader(), "gzip");
  assert.equal(acceptEncodingHeader(false), "identity");
  assert.ok(isScrapeProtocol("OpenMetricsText1.0.0"));
  assert.ok(!isScrapeProtocol("openmetricstext1.0.0"));
});

test("formatFromContentType", () => {
  const cases: [string, string][] = [
    ["text/plain; version=0.0.4; charset=utf-8", "prometheus-text"],
    ["text/plain;version=1.0.0;escaping=allow-utf-8", "prometheus-text"],
    ["TEXT/PLAIN", "prometheus-text"],
    ["application/openmetrics-text; version=1.0.0; charset=utf-8", "openmetrics-text"],
    ["application/openmetrics-text;version=0.0.1", "openmetrics-text"],
    ["application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily", "protobuf"],
  ];
  for (const [ct, format] of cases) {
    assert.equal(formatFromContentType(ct).format, format, ct);
    assert.equal(formatFromContentType(ct).warning, undefined);
  }
});

test("missing or unknown content types need fallback_scrape_protocol", () => {
  assert.throws(() => formatFromContentType(""), {
    name: "ExpositionError",
    message:
      "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target",
  });
  assert.deepEqual(formatFromContentType(undefined, "PrometheusText0.0.4"), {
    format: "prometheus-text",
    mediaType: "text/plain",
    warning:
      'non-compliant scrape target sending blank Content-Type, using fallback_scrape_protocol "text/plain"',
  });
  assert.throws(() => formatFromContentType("application/json"), {
    message:
      'received unsupported Content-Type "application/json" and no fallback_scrape_protocol specified for target',
  });
  assert.equal(
    formatFromContentType("application/json", "OpenMetricsText1.0.0").format,
    "openmetrics-text",
  );
  assert.throws(() => formatFromContentType("text/"), {
    message:
      'cannot parse Content-Type "text/" and no fallback_scrape_protocol for target\nmime: expected token after slash',
  });
  const res = parseExposition("a 1\n", "bogus", { fallbackScrapeProtocol: "PrometheusText0.0.4" });
  assert.equal(res.length, 1);
  assert.deepEqual(res.warnings, [
    'received unsupported Content-Type "bogus", using fallback_scrape_protocol "text/plain"',
  ]);
  assert.throws(
    () => parseExposition("", "application/vnd.google.protobuf"),
    (err: unknown) => err instanceof ExpositionError && /protobuf/.test(err.message),
  );
});

test("parseMediaType", () => {
  assert.deepEqual(parseMediaType('Text/Plain; Version=0.0.4; charset="utf-8";'), {
    mediaType: "text/plain",
    params: { version: "0.0.4", charset: "utf-8" },
  });
  assert.equal((parseMediaType("") as Error).message, "mime: no media type");
  assert.equal((parseMediaType("text") as { mediaType: string }).mediaType, "text");
  assert.equal(
    (parseMediaType("text plain") as Error).message,
    "mime: expected slash after first token",
  );
  assert.equal((parseMediaType("text/plain; a") as Error).message, "mime: invalid media parameter");
  assert.equal(
    (parseMediaType("text/plain; a=1; a=2") as Error).message,
    "mime: duplicate parameter name",
  );
});
