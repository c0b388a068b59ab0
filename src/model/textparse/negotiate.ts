// Content negotiation for scrapes, as Prometheus 3 does it: the Accept header built from a scrape
// config's `scrape_protocols` (acceptHeader in scrape/scrape.go, ScrapeProtocolsHeaders in
// config/config.go) and the choice of parser from the response's Content-Type
// (extractMediaType in model/textparse/interface.go). Decompressing a gzip response
// (Accept-Encoding: gzip) is the HTTP client's job, before the body reaches a parser.

import { goQuote } from "./strconv.ts";
import type { ExpositionFormat } from "./types.ts";
import { ExpositionError } from "./types.ts";

/** ScrapeProtocol names a protocol in `scrape_protocols` / `fallback_scrape_protocol`. */
export type ScrapeProtocol =
  | "PrometheusProto"
  | "PrometheusText0.0.4"
  | "PrometheusText1.0.0"
  | "OpenMetricsText0.0.1"
  | "OpenMetricsText1.0.0";

/** SCRAPE_PROTOCOL_HEADERS maps each protocol to its media type (config.ScrapeProtocolsHeaders). */
export const SCRAPE_PROTOCOL_HEADERS: Readonly<Record<ScrapeProtocol, string>> = {
  PrometheusProto:
    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
  "PrometheusText0.0.4": "text/plain;version=0.0.4",
  "PrometheusText1.0.0": "text/plain;version=1.0.0",
  "OpenMetricsText0.0.1": "application/openmetrics-text;version=0.0.1",
  "OpenMetricsText1.0.0": "application/openmetrics-text;version=1.0.0",
};

/**
 * DEFAULT_SCRAPE_PROTOCOLS is Prometheus's default `scrape_protocols`
 * (config.DefaultScrapeProtocols): OpenMetrics first, then the Prometheus text format.
 */
export const DEFAULT_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  "OpenMetricsText1.0.0",
  "OpenMetricsText0.0.1",
  "PrometheusText1.0.0",
  "PrometheusText0.0.4",
];

/**
 * DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS is the default when native histograms are scraped
 * (config.DefaultProtoFirstScrapeProtocols). Vigil cannot parse protobuf yet.
 */
export const DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  "PrometheusProto",
  ...DEFAULT_SCRAPE_PROTOCOLS,
];

/**
 * EscapingScheme is how a target should escape metric names that are not legacy names
 * (`escaping=` in the Accept header; model.EscapingScheme in prometheus/common). Prometheus 3
 * with UTF-8 name validation asks for `allow-utf-8`.
 */
export type EscapingScheme = "allow-utf-8" | "underscores" | "dots" | "values";

/** isScrapeProtocol reports whether s names a known scrape protocol (case sensitive). */
export function isScrapeProtocol(s: string): s is ScrapeProtocol {
  return Object.prototype.hasOwnProperty.call(SCRAPE_PROTOCOL_HEADERS, s);
}

/**
 * acceptHeader builds the Accept header for the given protocols in order of preference, with
 * descending q-values, the escaping scheme on the 1.0.0 text formats, and a final `*\/*`, as
 * acceptHeader in scrape/scrape.go. With the defaults it is the header Prometheus 3.5 sends:
 * `application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,`
 * `application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;`
 * `escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*\/*;q=0.2`.
 */
export function acceptHeader(
  protocols: readonly ScrapeProtocol[] = DEFAULT_SCRAPE_PROTOCOLS,
  escaping: EscapingScheme = "allow-utf-8",
): string {
  const vals: string[] = [];
  let weight = Object.keys(SCRAPE_PROTOCOL_HEADERS).length + 1;
  for (const p of protocols) {
    let val = SCRAPE_PROTOCOL_HEADERS[p];
    if (p === "PrometheusText1.0.0" || p === "OpenMetricsText1.0.0") val += `;escaping=${escaping}`;
    vals.push(`${val};q=0.${weight}`);
    weight--;
  }
  vals.push(`*/*;q=0.${weight}`);
  return vals.join(",");
}

/**
 * acceptEncodingHeader is the Accept-Encoding of a scrape: `gzip` when compression is enabled
 * (the default, `enable_compression: true`), `identity` otherwise.
 */
export function acceptEncodingHeader(enableCompression = true): string {
  return enableCompression ? "gzip" : "identity";
}

/** protocolMediaType returns a protocol's media type without parameters (HeaderMediaType). */
export function protocolMediaType(p: ScrapeProtocol): string {
  const h = SCRAPE_PROTOCOL_HEADERS[p];
  return h.slice(0, h.indexOf(";"));
}

/** ContentTypeFormat is the parser a response needs; `protobuf` is recognised but unsupported. */
export interface ContentTypeFormat {
  readonly format: ExpositionFormat | "protobuf";
  /** mediaType is the media type that decided the format (the fallback's, if used). */
  readonly mediaType: string;
  /** warning is set when the fallback protocol replaced a missing or unusable content type. */
  readonly warning?: string;
}

const FORMATS: Record<string, ExpositionFormat | "protobuf"> = {
  "application/openmetrics-text": "openmetrics-text",
  "application/vnd.google.protobuf": "protobuf",
  "text/plain": "prometheus-text",
};

/**
 * formatFromContentType picks the parser for a scrape response's Content-Type the way
 * Prometheus 3 does (extractMediaType in model/textparse/interface.go): `text/plain` (any
 * version) is the Prometheus text format, `application/openmetrics-text` is OpenMetrics. A
 * missing, unparsable or unknown content type uses `fallback` (a scrape config's
 * `fallback_scrape_protocol`) with a warning, and without one is an error: unlike Prometheus 2,
 * Prometheus 3 does not silently assume the text format. Throws ExpositionError.
 */
export function formatFromContentType(
  contentType: string | null | undefined,
  fallback?: ScrapeProtocol,
): ContentTypeFormat {
  const fallbackType = fallback === undefined ? "" : protocolMediaType(fallback);
  const useFallback = (warning: string): ContentTypeFormat => ({
    format: FORMATS[fallbackType]!,
    mediaType: fallbackType,
    warning,
  });
  const ct = contentType ?? "";
  if (ct === "") {
    if (fallbackType === "") {
      throw new ExpositionError(
        "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target",
      );
    }
    return useFallback(
      `non-compliant scrape target sending blank Content-Type, using fallback_scrape_protocol ${goQuote(fallbackType)}`,
    );
  }
  const parsed = parseMediaType(ct);
  if (parsed instanceof Error) {
    if (fallbackType === "") {
      throw new ExpositionError(
        `cannot parse Content-Type ${goQuote(ct)} and no fallback_scrape_protocol for target\n${parsed.message}`,
      );
    }
    return useFallback(
      `could not parse received Content-Type ${goQuote(ct)}, using fallback_scrape_protocol ${goQuote(fallbackType)}\n${parsed.message}`,
    );
  }
  const format = FORMATS[parsed.mediaType];
  if (format !== undefined) return { format, mediaType: parsed.mediaType };
  if (fallbackType === "") {
    throw new ExpositionError(
      `received unsupported Content-Type ${goQuote(ct)} and no fallback_scrape_protocol specified for target`,
    );
  }
  return useFallback(
    `received unsupported Content-Type ${goQuote(ct)}, using fallback_scrape_protocol ${goQuote(fallbackType)}`,
  );
}

/** MediaType is a parsed Content-Type: lower-cased type/subtype and lower-cased parameter names. */
export interface MediaType {
  readonly mediaType: string;
  readonly params: Readonly<Record<string, string>>;
}

const TSPECIALS = '()<>@,;:\\"/[]?=';

function isTokenChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !TSPECIALS.includes(c);
}

function consumeToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s[i]!)) i++;
  return i;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
}

/**
 * parseMediaType parses a Content-Type value following Go's mime.ParseMediaType, returning an
 * Error with Go's message (`mime: expected slash after first token`, ...) when it is malformed.
 */
export function parseMediaType(v: string): MediaType | Error {
  const semi = v.indexOf(";");
  const base = (semi < 0 ? v : v.slice(0, semi)).toLowerCase().trim();
  const t1 = consumeToken(base, 0);
  if (t1 === 0) return new Error("mime: no media type");
  if (t1 < base.length) {
    if (base[t1] !== "/") return new Error("mime: expected slash after first token");
    const t2 = consumeToken(base, t1 + 1);
    if (t2 === t1 + 1) return new Error("mime: expected token after slash");
    if (t2 !== base.length) return new Error("mime: unexpected content after media subtype");
  }
  const params: Record<string, string> = {};
  let i = semi < 0 ? v.length : semi;
  while (i < v.length) {
    i = skipSpace(v, i);
    if (i >= v.length) break;
    if (v[i] !== ";") return new Error("mime: invalid media parameter");
    let j = skipSpace(v, i + 1);
    const keyEnd = consumeToken(v, j);
    if (keyEnd === j) {
      // Go ignores a trailing semicolon.
      if (v.slice(i).trim() === ";") break;
      return new Error("mime: invalid media parameter");
    }
    const key = v.slice(j, keyEnd).toLowerCase();
    j = skipSpace(v, keyEnd);
    if (v[j] !== "=") return new Error("mime: invalid media parameter");
    j = skipSpace(v, j + 1);
    let value: string;
    if (v[j] === '"') {
      let k = j + 1;
      value = "";
      for (; k < v.length && v[k] !== '"'; k++) {
        if (v[k] === "\\" && k + 1 < v.length) k++;
        value += v[k];
      }
      if (k >= v.length) return new Error("mime: invalid media parameter");
      j = k + 1;
    } else {
      const valueEnd = consumeToken(v, j);
      if (valueEnd === j) return new Error("mime: invalid media parameter");
      value = v.slice(j, valueEnd);
      j = valueEnd;
    }
    if (Object.prototype.hasOwnProperty.call(params, key)) {
      return new Error("mime: duplicate parameter name");
    }
    params[key] = value;
    i = j;
  }
  return { mediaType: base, params };
}
