// Reading a pushed body into metric families, as the Pushgateway's handler/push.go does: the
// delimited protobuf format when the content type names it, the Prometheus text format (parsed
// the way expfmt.TextParser parses it, legacy names) otherwise. OpenMetrics text is a Vigil
// extension.
import type { Label, Labels } from "../model/labels/index.ts";
import { METRIC_NAME, labelsKey, metricName } from "../model/labels/index.ts";
import type { MetricFamily, MetricMetadata } from "../model/textparse/index.ts";
import {
  formatFromContentType,
  parseExposition,
  parseMediaType,
  parseMetricFamilies,
} from "../model/textparse/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { FamilyType, PushFamily, PushMetric } from "./family.ts";
import { normalizeValue } from "./family.ts";
import type { DtoMetric, DtoMetricFamily } from "./proto.ts";
import { PROTO_MEDIA_TYPE, PROTO_MESSAGE, decodeDelimitedFamilies } from "./proto.ts";

/** ParsedPush is what a body holds: families by name, and whether any metric had a timestamp. */
export interface ParsedPush {
  readonly families: Map<string, PushFamily>;
  readonly hasTimestamps: boolean;
}

/** PushParseError is a body that cannot be read; the handler answers 400 with its message. */
export class PushParseError extends Error {
  override readonly name = "PushParseError";
}

/**
 * parsePushBody reads a push body. The format follows from the content type: delimited protobuf
 * (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`), OpenMetrics text, or else the Prometheus text format.
 */
export function parsePushBody(body: Uint8Array, contentType: string | undefined): ParsedPush {
  const media = contentType ? safeMediaType(contentType) : undefined;
  try {
    if (
      media?.type === PROTO_MEDIA_TYPE &&
      media.params.encoding === "delimited" &&
      media.params.proto === PROTO_MESSAGE
    ) {
      return fromDto(decodeDelimitedFamilies(body));
    }
    if (contentType && safeFormat(contentType) === "openmetrics-text") {
      return fromOpenMetrics(body, contentType);
    }
    return fromExpfmt(parseMetricFamilies(body, { nameValidation: "legacy" }));
  } catch (err) {
    if (err instanceof PushParseError) throw err;
    throw new PushParseError(errorMessage(err), { cause: err });
  }
}

function safeMediaType(
  ct: string,
): { type: string; params: Readonly<Record<string, string>> } | undefined {
  const m = parseMediaType(ct);
  return m instanceof Error ? undefined : { type: m.mediaType, params: m.params };
}

function safeFormat(ct: string): string | undefined {
  try {
    return formatFromContentType(ct).format;
  } catch {
    return undefined;
  }
}

function fromExpfmt(mfs: readonly MetricFamily[]): ParsedPush {
  const families = new Map<string, PushFamily>();
  let hasTimestamps = false;
  for (const mf of mfs) {
    const metrics: PushMetric[] = mf.metrics.map((m) => {
      if (m.timestampMs !== undefined) hasTimestamps = true;
      const labels = sortedLabels(m.labels);
      if (m.summary) {
        return {
          labels,
          summary: {
            count: m.summary.sampleCount ?? 0,
            sum: normalizeValue(m.summary.sampleSum ?? 0),
            quantiles: m.summary.quantiles.map(
              (q) => [q.quantile, normalizeValue(q.value)] as const,
            ),
          },
        };
      }
      if (m.histogram) {
        const h = m.histogram;
        return {
          labels,
          histogram: {
            count: h.sampleCountFloat ?? h.sampleCount ?? 0,
            sum: normalizeValue(h.sampleSum ?? 0),
            buckets: h.buckets.map(
              (b) => [b.upperBound, b.cumulativeCountFloat ?? b.cumulativeCount ?? 0] as const,
            ),
          },
        };
      }
      return { labels, value: normalizeValue(m.value ?? 0) };
    });
    families.set(mf.name, {
      name: mf.name,
      type: mf.type,
      ...(mf.help !== undefined ? { help: mf.help } : {}),
      metrics,
    });
  }
  return { families, hasTimestamps };
}

const DTO_TYPES: Record<string, FamilyType> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  SUMMARY: "summary",
  UNTYPED: "untyped",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "gauge_histogram",
};

function fromDto(mfs: readonly DtoMetricFamily[]): ParsedPush {
  const families = new Map<string, PushFamily>();
  let hasTimestamps = false;
  for (const mf of mfs) {
    const name = mf.name ?? "";
    const type = DTO_TYPES[mf.type ?? "COUNTER"];
    if (!type) throw new PushParseError(`unknown metric type ${mf.type} for ${name}`);
    const metrics = (mf.metric ?? []).map((m) => {
      if (m.timestamp_ms !== undefined) hasTimestamps = true;
      return dtoMetric(m);
    });
    // The Pushgateway keeps the last family of a name.
    families.set(name, {
      name,
      type,
      ...(mf.help !== undefined ? { help: mf.help } : {}),
      metrics,
    });
  }
  return { families, hasTimestamps };
}

function dtoMetric(m: DtoMetric): PushMetric {
  const labels = sortedLabels(
    (m.label ?? []).map((l) => ({ name: l.name ?? "", value: l.value ?? "" })),
  );
  if (m.summary) {
    const s = m.summary;
    return {
      labels,
      summary: {
        count: s.sample_count ?? 0,
        sum: normalizeValue(s.sample_sum ?? 0),
        quantiles: (s.quantile ?? []).map(
          (q) => [q.quantile ?? 0, normalizeValue(q.value ?? 0)] as const,
        ),
      },
    };
  }
  if (m.histogram) {
    // Only the classic buckets: a native histogram's spans have no series of their own in the
    // text format Prometheus would scrape.
    const h = m.histogram;
    const countFloat = h.sample_count_float ?? 0;
    return {
      labels,
      histogram: {
        count: countFloat > 0 ? countFloat : (h.sample_count ?? 0),
        sum: normalizeValue(h.sample_sum ?? 0),
        buckets: (h.bucket ?? []).map((b) => {
          const cf = b.cumulative_count_float ?? 0;
          return [b.upper_bound ?? 0, cf > 0 ? cf : (b.cumulative_count ?? 0)] as const;
        }),
      },
    };
  }
  const v = m.gauge?.value ?? m.counter?.value ?? m.untyped?.value ?? 0;
  return { labels, value: normalizeValue(v) };
}

function sortedLabels(ls: readonly Label[]): Label[] {
  return [...ls].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Mutable family under construction from OpenMetrics samples. */
interface OmFamily {
  name: string;
  type: FamilyType;
  help?: string;
  metrics: Map<string, { labels: Label[]; value?: number; s?: OmSummary; h?: OmHistogram }>;
}
interface OmSummary {
  count: number;
  sum: number;
  quantiles: [number, number][];
}
interface OmHistogram {
  count: number;
  sum: number;
  buckets: [number, number][];
}

/**
 * fromOpenMetrics turns an OpenMetrics body into families in the Prometheus text format's terms:
 * a counter family `x` becomes `x_total`, an info family `x` the gauge `x_info`, a stateset a
 * gauge; `_created` series are dropped.
 */
function fromOpenMetrics(body: Uint8Array, contentType: string): ParsedPush {
  const res = parseExposition(body, contentType, { skipCreatedSeries: true });
  const families = new Map<string, PushFamily>();
  let hasTimestamps = false;
  let md: MetricMetadata | undefined;
  let cur: OmFamily | undefined;
  const finish = () => {
    if (!cur) return;
    const c = cur;
    cur = undefined;
    if (c.metrics.size === 0) return;
    const metrics: PushMetric[] = [...c.metrics.values()].map((m) => {
      if (c.type === "summary")
        return { labels: m.labels, summary: m.s ?? { count: 0, sum: 0, quantiles: [] } };
      if (c.type === "histogram")
        return { labels: m.labels, histogram: m.h ?? { count: 0, sum: 0, buckets: [] } };
      return { labels: m.labels, value: m.value ?? 0 };
    });
    families.set(c.name, {
      name: c.name,
      type: c.type,
      ...(c.help ? { help: c.help } : {}),
      metrics,
    });
  };
  for (let i = 0, m = 0; i < res.length; i++) {
    while (m < res.metadata.length && res.metadata[m]!.sampleIndex <= i) {
      finish();
      md = res.metadata[m++]!;
    }
    if (res.timestampMs(i) !== undefined) hasTimestamps = true;
    const labels = res.labels(i);
    const name = metricName(labels);
    const value = normalizeValue(res.values[i]!);
    const role = md ? omRole(md, name) : undefined;
    if (!role) {
      // A sample outside its metadata's family stands for an untyped family of its own.
      finish();
      md = undefined;
      cur = { name, type: "untyped", metrics: new Map() };
      addOm(cur, labels, "value", value);
      finish();
      continue;
    }
    if (cur?.name !== role.family) {
      finish();
      cur = { name: role.family, type: role.type, metrics: new Map() };
      if (md!.help !== "") cur.help = md!.help;
    }
    addOm(cur, labels, role.part, value);
  }
  finish();
  return { families, hasTimestamps };
}

type OmPart = "value" | "quantile" | "bucket" | "sum" | "count";

function omRole(
  md: MetricMetadata,
  name: string,
): { family: string; type: FamilyType; part: OmPart } | undefined {
  const f = md.metricFamily;
  switch (md.type) {
    case "counter":
      return name === f + "_total" ? { family: name, type: "counter", part: "value" } : undefined;
    case "gauge":
    case "stateset":
      return name === f ? { family: f, type: "gauge", part: "value" } : undefined;
    case "unknown":
      return name === f ? { family: f, type: "untyped", part: "value" } : undefined;
    case "info":
      return name === f + "_info" ? { family: name, type: "gauge", part: "value" } : undefined;
    case "summary":
      if (name === f) return { family: f, type: "summary", part: "quantile" };
      if (name === f + "_sum") return { family: f, type: "summary", part: "sum" };
      if (name === f + "_count") return { family: f, type: "summary", part: "count" };
      return undefined;
    case "histogram":
      if (name === f + "_bucket") return { family: f, type: "histogram", part: "bucket" };
      if (name === f + "_sum") return { family: f, type: "histogram", part: "sum" };
      if (name === f + "_count") return { family: f, type: "histogram", part: "count" };
      return undefined;
    case "gaugehistogram":
      throw new PushParseError(`gauge histogram ${f}: not supported in pushes`);
  }
}

function addOm(fam: OmFamily, labels: Labels, part: OmPart, value: number): void {
  const special = part === "quantile" ? "quantile" : part === "bucket" ? "le" : "";
  let bound = 0;
  const ident: Label[] = [];
  for (const l of labels) {
    if (l.name === METRIC_NAME) continue;
    if (l.name === special)
      bound = Number(l.value === "+Inf" ? Infinity : l.value === "-Inf" ? -Infinity : l.value);
    else ident.push(l);
  }
  const key = labelsKey(ident);
  let m = fam.metrics.get(key);
  if (!m) {
    m = { labels: ident };
    fam.metrics.set(key, m);
  }
  switch (part) {
    case "value":
      m.value = value;
      return;
    case "quantile":
      (m.s ??= { count: 0, sum: 0, quantiles: [] }).quantiles.push([bound, value]);
      return;
    case "bucket":
      (m.h ??= { count: 0, sum: 0, buckets: [] }).buckets.push([bound, value]);
      return;
    case "sum":
      if (fam.type === "summary") (m.s ??= { count: 0, sum: 0, quantiles: [] }).sum = value;
      else (m.h ??= { count: 0, sum: 0, buckets: [] }).sum = value;
      return;
    case "count":
      if (fam.type === "summary") (m.s ??= { count: 0, sum: 0, quantiles: [] }).count = value;
      else (m.h ??= { count: 0, sum: 0, buckets: [] }).count = value;
      return;
  }
}
