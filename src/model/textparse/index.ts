// Exposition parsing: Prometheus text format and OpenMetrics text, with Prometheus's semantics,
// plus scrape content negotiation.

export type {
  Exemplar,
  ExpositionEntry,
  ExpositionFormat,
  MetadataEntry,
  MetricMetadata,
  MetricType,
  NameValidation,
  ExpectedSeries,
  ParseOptions,
  ParseResult,
  SampleEntry,
  TextParser,
} from "./types.ts";
export { ExpositionError } from "./types.ts";
export { parseExposition, parseMetricFamilies } from "./parse.ts";
export type { Bucket, FamilyMetric, FamilyType, MetricFamily, Quantile } from "./expfmt-parser.ts";
export type { ContentTypeFormat, EscapingScheme, MediaType, ScrapeProtocol } from "./negotiate.ts";
export {
  DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS,
  DEFAULT_SCRAPE_PROTOCOLS,
  SCRAPE_PROTOCOL_HEADERS,
  acceptEncodingHeader,
  acceptHeader,
  formatFromContentType,
  isScrapeProtocol,
  parseMediaType,
  protocolMediaType,
} from "./negotiate.ts";
export { NORMAL_NAN, formatGoFloat, formatOpenMetricsFloat } from "./strconv.ts";
