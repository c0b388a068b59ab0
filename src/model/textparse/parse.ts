// parseExposition: the entry point that picks a parser from the content type and runs it.

import { parseExpfmtText } from "./expfmt-parser.ts";
import type { MetricFamily } from "./expfmt-parser.ts";
import { formatFromContentType } from "./negotiate.ts";
import { parseOpenMetrics } from "./openmetrics-parser.ts";
import { PROM_EXTRA, parsePromText } from "./prom-parser.ts";
import { ResultBuilder } from "./result.ts";
import { toSource } from "./source.ts";
import type { NameValidation, ParseOptions, ParseResult } from "./types.ts";
import { ExpositionError } from "./types.ts";

/**
 * parseExposition parses a scraped or pushed exposition body. The parser follows from
 * `contentType` as in Prometheus 3 (see formatFromContentType): OpenMetrics text for
 * `application/openmetrics-text`, the Prometheus text format for `text/plain`, with
 * `opts.fallbackScrapeProtocol` for missing or unknown types. The body must already be
 * decompressed. The whole body is parsed before returning; the first error throws an
 * ExpositionError with Prometheus's message and nothing is returned, matching a scrape that
 * stores no samples when parsing fails.
 *
 * Like Prometheus's scrape loop (scrape/scrape.go append), a caller should treat an empty body as
 * an empty scrape without calling this: an empty OpenMetrics body is an error here.
 */
export function parseExposition(
  body: string | Uint8Array,
  contentType: string | null | undefined,
  opts: ParseOptions = {},
): ParseResult {
  const { format, warning } = formatFromContentType(contentType, opts.fallbackScrapeProtocol);
  if (format === "protobuf") {
    throw new ExpositionError("the protobuf exposition format is not supported");
  }
  if (format === "openmetrics-text") {
    const src = toSource(body);
    const out = new ResultBuilder(src);
    parseOpenMetrics(src, out, { skipCreatedSeries: opts.skipCreatedSeries === true });
    return out.finish(format, warning === undefined ? [] : [warning]);
  }
  if (opts.textParser === "expfmt") {
    const src = toSource(body);
    const out = new ResultBuilder(src);
    parseExpfmtText(src, out, opts.nameValidation);
    return out.finish(format, warning === undefined ? [] : [warning]);
  }
  // PromParser appends a newline to the body. A body that already ends with one parses the same
  // without it (the extra newline only shows in the text of some errors), so the copy is made
  // only when needed, or to report an error exactly.
  let src = toSource(body);
  let out = new ResultBuilder(src);
  const n = src.bytes.length;
  if (n > 0 && src.bytes[n - 1] === 0x0a) {
    try {
      parsePromText(src, out, { expect: opts.expect });
    } catch (err) {
      if (!(err instanceof ExpositionError)) throw err;
      src = toSource(body, PROM_EXTRA);
      parsePromText(src, new ResultBuilder(src));
      throw err;
    }
  } else {
    src = toSource(body, PROM_EXTRA);
    out = new ResultBuilder(src);
    parsePromText(src, out, { expect: opts.expect });
  }
  return out.finish(format, warning === undefined ? [] : [warning]);
}

/**
 * parseMetricFamilies parses a Prometheus text format body into metric families the way
 * prometheus/common expfmt.TextParser.TextToMetricFamilies does (the parser promtool's
 * `check metrics` lints with): summaries and histograms are merged per label set, families
 * without metrics are dropped. Throws ExpositionError with expfmt's messages.
 */
export function parseMetricFamilies(
  body: string | Uint8Array,
  opts: { nameValidation?: NameValidation } = {},
): MetricFamily[] {
  return parseExpfmtText(toSource(body), undefined, opts.nameValidation).families;
}
