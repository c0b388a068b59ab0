// The pushed metric families a group holds, in the shape of the Pushgateway's dto.MetricFamily:
// one entry per family with typed metrics (values, summaries, histograms), labels including the
// grouping labels. From them come the series Vigil stores (flattenFamily) — the same series
// Prometheus would store when scraping the Pushgateway's text exposition with honor_labels.
import type { Label, Labels } from "../model/labels/index.ts";
import { METRIC_NAME, labelsFromPairs } from "../model/labels/index.ts";
import { NORMAL_NAN, formatGoFloat, formatOpenMetricsFloat } from "../model/textparse/index.ts";
import type { FamilyType } from "../model/textparse/index.ts";

export type { FamilyType };

/**
 * PushMetric is one metric of a family: its labels (sorted by name; values may be empty, as in
 * the Pushgateway, where `instance=""` is added to metrics without an instance) and exactly the
 * part its family type calls for. Counts may be fractional (float histograms).
 */
export interface PushMetric {
  readonly labels: readonly Label[];
  readonly value?: number;
  readonly summary?: {
    readonly count: number;
    readonly sum: number;
    readonly quantiles: readonly (readonly [number, number])[];
  };
  readonly histogram?: {
    readonly count: number;
    readonly sum: number;
    /** buckets are [upperBound, cumulativeCount] pairs in increasing order of upper bound. */
    readonly buckets: readonly (readonly [number, number])[];
  };
}

/** PushFamily is one pushed metric family. `help` is undefined when no HELP was given. */
export interface PushFamily {
  readonly name: string;
  readonly type: FamilyType;
  readonly help?: string;
  readonly metrics: readonly PushMetric[];
}

/** DTO_TYPE names family types as dto.MetricType.String() does (for messages and the API). */
export const DTO_TYPE: Readonly<Record<FamilyType, string>> = {
  counter: "COUNTER",
  gauge: "GAUGE",
  summary: "SUMMARY",
  untyped: "UNTYPED",
  histogram: "HISTOGRAM",
  gauge_histogram: "GAUGE_HISTOGRAM",
};

/** normalizeValue turns every NaN into Prometheus's normal NaN: a push never carries a stale marker. */
export function normalizeValue(v: number): number {
  return v === v ? v : NORMAL_NAN;
}

/**
 * sanitizeFamily gives every metric the grouping labels (overriding pushed values) and an
 * `instance` label if it has none, then sorts the labels: sanitizeLabels in the Pushgateway's
 * storage/diskmetricstore.go.
 */
export function sanitizeFamily(
  f: PushFamily,
  grouping: Readonly<Record<string, string>>,
): PushFamily {
  return {
    ...f,
    metrics: f.metrics.map((m) => {
      const byName = new Map<string, string>();
      for (const l of m.labels) byName.set(l.name, l.value);
      for (const [k, v] of Object.entries(grouping)) byName.set(k, v);
      if (!byName.has("instance")) byName.set("instance", "");
      const labels = [...byName].map(([name, value]) => ({ name, value }));
      labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { ...m, labels };
    }),
  };
}

/** FlatSample is one series of a family with its current value. */
export interface FlatSample {
  readonly labels: Labels;
  readonly value: number;
}

/**
 * flattenFamily lists the series a family stands for, as the text exposition of it would name
 * them (expfmt MetricFamilyToText) and Prometheus would label them: summaries as quantile
 * series plus `_sum` and `_count`; histograms as `_bucket` series (with a `+Inf` bucket even
 * when none was pushed), `_sum` and `_count`; `le` and `quantile` spelled as Prometheus 3
 * normalises them. Empty label values are dropped.
 */
export function flattenFamily(f: PushFamily): FlatSample[] {
  const out: FlatSample[] = [];
  const add = (name: string, labels: readonly Label[], value: number, extra?: Label) => {
    const pairs: Label[] = [{ name: METRIC_NAME, value: name }, ...labels];
    if (extra) pairs.push(extra);
    out.push({ labels: labelsFromPairs(pairs), value });
  };
  for (const m of f.metrics) {
    if (m.summary) {
      for (const [q, v] of m.summary.quantiles) {
        add(f.name, m.labels, v, { name: "quantile", value: formatOpenMetricsFloat(q) });
      }
      add(f.name + "_sum", m.labels, m.summary.sum);
      add(f.name + "_count", m.labels, m.summary.count);
    } else if (m.histogram) {
      let inf = false;
      for (const [ub, c] of m.histogram.buckets) {
        if (ub === Infinity) inf = true;
        add(f.name + "_bucket", m.labels, c, { name: "le", value: formatOpenMetricsFloat(ub) });
      }
      if (!inf) add(f.name + "_bucket", m.labels, m.histogram.count, { name: "le", value: "+Inf" });
      add(f.name + "_sum", m.labels, m.histogram.sum);
      add(f.name + "_count", m.labels, m.histogram.count);
    } else {
      add(f.name, m.labels, m.value ?? 0);
    }
  }
  return out;
}

/**
 * metricText renders a metric the way Go prints a dto.Metric in the Pushgateway's consistency
 * errors (prototext, compact), e.g. `label:{name:"job" value:"x"} gauge:{value:1}`.
 */
export function metricText(type: FamilyType, m: PushMetric): string {
  const f = (v: number) =>
    v === Infinity ? "inf" : v === -Infinity ? "-inf" : v !== v ? "nan" : formatGoFloat(v);
  const parts = m.labels.map(
    (l) => `label:{name:${JSON.stringify(l.name)} value:${JSON.stringify(l.value)}}`,
  );
  if (m.summary) {
    const qs = m.summary.quantiles.map(([q, v]) => ` quantile:{quantile:${f(q)} value:${f(v)}}`);
    parts.push(
      `summary:{sample_count:${f(m.summary.count)} sample_sum:${f(m.summary.sum)}${qs.join("")}}`,
    );
  } else if (m.histogram) {
    const bs = m.histogram.buckets.map(
      ([ub, c]) => ` bucket:{cumulative_count:${f(c)} upper_bound:${f(ub)}}`,
    );
    parts.push(
      `histogram:{sample_count:${f(m.histogram.count)} sample_sum:${f(m.histogram.sum)}${bs.join("")}}`,
    );
  } else {
    const kind = type === "counter" ? "counter" : type === "gauge" ? "gauge" : "untyped";
    parts.push(`${kind}:{value:${f(m.value ?? 0)}}`);
  }
  return parts.join(" ");
}

// Persistence: families as JSON. Non-finite numbers, which JSON cannot hold, are written as the
// strings Go prints for them.

type JsonNum = number | string;

function encNum(v: number): JsonNum {
  return Number.isFinite(v) && !Object.is(v, -0) ? v : formatGoFloat(v);
}

function decNum(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NORMAL_NAN;
  if (v === "+Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  if (v === "-0") return -0;
  throw new Error(`invalid number ${JSON.stringify(v)}`);
}

/** FamilyJson is the persisted form of a PushFamily. */
export interface FamilyJson {
  name: string;
  type: FamilyType;
  help?: string;
  metrics: {
    labels: [string, string][];
    value?: JsonNum;
    summary?: { count: JsonNum; sum: JsonNum; quantiles: [JsonNum, JsonNum][] };
    histogram?: { count: JsonNum; sum: JsonNum; buckets: [JsonNum, JsonNum][] };
  }[];
}

/** familyToJson encodes a family for the persistence file. */
export function familyToJson(f: PushFamily): FamilyJson {
  const out: FamilyJson = { name: f.name, type: f.type, metrics: [] };
  if (f.help !== undefined) out.help = f.help;
  for (const m of f.metrics) {
    const j: FamilyJson["metrics"][number] = { labels: m.labels.map((l) => [l.name, l.value]) };
    if (m.value !== undefined) j.value = encNum(m.value);
    if (m.summary) {
      j.summary = {
        count: encNum(m.summary.count),
        sum: encNum(m.summary.sum),
        quantiles: m.summary.quantiles.map(([q, v]) => [encNum(q), encNum(v)]),
      };
    }
    if (m.histogram) {
      j.histogram = {
        count: encNum(m.histogram.count),
        sum: encNum(m.histogram.sum),
        buckets: m.histogram.buckets.map(([b, c]) => [encNum(b), encNum(c)]),
      };
    }
    out.metrics.push(j);
  }
  return out;
}

const FAMILY_TYPES = new Set<string>(Object.keys(DTO_TYPE));

/** familyFromJson decodes a family from the persistence file; it throws on malformed input. */
export function familyFromJson(j: FamilyJson): PushFamily {
  if (typeof j.name !== "string" || !FAMILY_TYPES.has(j.type) || !Array.isArray(j.metrics)) {
    throw new Error("malformed metric family");
  }
  return {
    name: j.name,
    type: j.type,
    ...(typeof j.help === "string" ? { help: j.help } : {}),
    metrics: j.metrics.map((m): PushMetric => {
      const labels = m.labels.map(([name, value]) => {
        if (typeof name !== "string" || typeof value !== "string")
          throw new Error("malformed label");
        return { name, value };
      });
      if (m.summary) {
        return {
          labels,
          summary: {
            count: decNum(m.summary.count),
            sum: decNum(m.summary.sum),
            quantiles: m.summary.quantiles.map(([q, v]) => [decNum(q), decNum(v)] as const),
          },
        };
      }
      if (m.histogram) {
        return {
          labels,
          histogram: {
            count: decNum(m.histogram.count),
            sum: decNum(m.histogram.sum),
            buckets: m.histogram.buckets.map(([b, c]) => [decNum(b), decNum(c)] as const),
          },
        };
      }
      return { labels, value: decNum(m.value ?? 0) };
    }),
  };
}
