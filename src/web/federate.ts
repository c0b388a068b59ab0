// GET /federate, as prometheus web/federate.go (v3.5): for each series that matches one of the
// match[] selectors, its latest sample within the lookback window before now, stale markers
// left out, grouped by metric name as untyped families with external labels added, in the text
// format (or delimited protobuf when the Accept header asks for it first).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Label, Labels, Matcher } from "../model/labels/index.ts";
import {
  METRIC_NAME,
  isValidLabelName,
  isValidMetricName,
  labelsKey,
  compareLabels,
} from "../model/labels/index.ts";
import { formatGoFloat } from "../model/textparse/index.ts";
import { isStaleNaN } from "../model/value/index.ts";
import { parseMetricSelector } from "../promql/parser/index.ts";
import type { Series, Storage } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import type { DtoMetricFamily } from "../pushgateway/index.ts";
import { encodeDelimitedFamilies } from "../pushgateway/index.ts";

/** FederateOptions wire /federate to storage and configuration. */
export interface FederateOptions {
  /** storage is the open storage, or undefined while it opens (then 503). */
  storage(): Storage | undefined;
  /** lookbackDeltaMs is how far back a series' latest sample may lie (query.lookback_delta). */
  lookbackDeltaMs(): number;
  /** externalLabels are added to every series that lacks them; none when absent. */
  externalLabels?(): Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** now is the clock (ms); default Date.now. */
  now?(): number;
}

/** TEXT_CONTENT_TYPE is the text format 0.0.4 as Prometheus's federation serves it. */
export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const PROTO_CONTENT_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/**
 * Escaping is how names that are not legacy Prometheus names are written: replaced characters
 * (`underscores`, the default) or kept, quoted (`allow-utf-8`, when the client accepts it).
 */
type Escaping = "underscores" | "allow-utf-8";

/** FederatedSample is one series' latest sample. */
interface FederatedSample {
  readonly labels: Labels;
  readonly tMs: number;
  readonly value: number;
}

/** registerFederate adds `GET /federate` to app. Call it before app listens. */
export function registerFederate(app: FastifyInstance, opts: FederateOptions): void {
  app.get("/federate", async (req, reply) => federate(req, reply, opts));
}

async function federate(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: FederateOptions,
): Promise<FastifyReply> {
  const text = (status: number, msg: string) =>
    reply
      .code(status)
      .type("text/plain; charset=utf-8")
      .header("X-Content-Type-Options", "nosniff")
      .send(msg + "\n");
  const q = req.url.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1));
  let sets: Matcher[][];
  try {
    sets = params.getAll("match[]").map((s) => parseMetricSelector(s));
  } catch (err) {
    return text(400, errorMessage(err));
  }
  const storage = opts.storage();
  if (!storage) return text(503, "storage not ready");

  const maxt = (opts.now ?? Date.now)();
  const mint = maxt - opts.lookbackDeltaMs();
  let vec: FederatedSample[];
  try {
    vec = await latestSamples(storage, sets, mint, maxt);
  } catch (err) {
    opts.logger.error({ err: errorMessage(err) }, "federation failed");
    return text(500, errorMessage(err));
  }
  const ext = { ...opts.externalLabels?.() };
  if (!("instance" in ext)) ext.instance = "";
  const families = groupFamilies(vec, ext);
  const { proto, escaping } = negotiate(req.headers.accept);
  if (proto) {
    return reply
      .type(`${PROTO_CONTENT_TYPE}; escaping=${escaping}`)
      .send(Buffer.from(encodeDelimitedFamilies(families.map((f) => toDto(f, escaping)))));
  }
  return reply
    .type(`${TEXT_CONTENT_TYPE}; escaping=${escaping}`)
    .send(families.map((f) => familyText(f, escaping)).join(""));
}

/**
 * latestSamples selects the series of every matcher set in [mint, maxt], merges them (a series
 * matched twice appears once), and keeps each one's latest sample unless it is a stale marker.
 * The result is ordered by metric name, then by labels.
 */
async function latestSamples(
  storage: Storage,
  sets: readonly Matcher[][],
  mint: number,
  maxt: number,
): Promise<FederatedSample[]> {
  const querier = storage.querier(mint, maxt);
  const byKey = new Map<string, Series>();
  for (const ms of sets) {
    for (const s of await querier.select(ms)) byKey.set(labelsKey(s.labels), s);
  }
  const series = [...byKey.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  const out: FederatedSample[] = [];
  for (const s of series) {
    const n = s.values.length;
    if (n === 0 || isStaleNaN(s.values[n - 1]!)) continue;
    // A native histogram after the last float is the latest sample; the formats served here
    // cannot carry it, so the series is left out, as upstream does for the text format.
    const h = s.histograms?.timestamps;
    if (h && h.length > 0 && h[h.length - 1]! > s.timestamps[n - 1]!) continue;
    out.push({ labels: s.labels, tMs: s.timestamps[n - 1]!, value: s.values[n - 1]! });
  }
  // Stable: series of one name keep their label order.
  return out.sort((a, b) => {
    const x = nameOf(a.labels);
    const y = nameOf(b.labels);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function nameOf(ls: Labels): string {
  for (const l of ls) if (l.name === METRIC_NAME) return l.value;
  return "";
}

interface Family {
  readonly name: string;
  readonly metrics: { labels: Label[]; tMs: number; value: number }[];
}

/**
 * groupFamilies builds one untyped family per run of samples with the same name; each metric
 * gets its labels (name and empty values left out) followed by the external labels it lacks,
 * in name order. Nameless series are skipped.
 */
function groupFamilies(vec: readonly FederatedSample[], ext: Record<string, string>): Family[] {
  const extNames = Object.keys(ext).sort();
  const out: Family[] = [];
  let cur: Family | undefined;
  for (const s of vec) {
    const name = nameOf(s.labels);
    if (name === "") continue;
    if (cur?.name !== name) {
      cur = { name, metrics: [] };
      out.push(cur);
    }
    const labels: Label[] = [];
    const used = new Set<string>();
    for (const l of s.labels) {
      if (l.name === METRIC_NAME || l.value === "") continue;
      labels.push(l);
      if (l.name in ext) used.add(l.name);
    }
    for (const n of extNames) if (!used.has(n)) labels.push({ name: n, value: ext[n]! });
    cur.metrics.push({ labels, tMs: s.tMs, value: s.value });
  }
  return out;
}

/**
 * escapeName applies underscore escaping (model.EscapeName with UnderscoreEscaping) to names the
 * 0.0.4 text format cannot carry.
 */
function escapeName(name: string, metric: boolean, escaping: Escaping): string {
  if (escaping === "allow-utf-8" || (metric ? isValidMetricName(name) : isValidLabelName(name))) {
    return name;
  }
  let out = "";
  for (const ch of name) {
    out += /[a-zA-Z0-9_]/.test(ch) || (metric && ch === ":") ? ch : "_";
  }
  return /^[0-9]/.test(out) ? "_" + out : out;
}

function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n"));
}

/** quoteName writes a name for the text format, quoted when it is not a legacy name. */
function quoteName(name: string, metric: boolean, escaping: Escaping): string {
  const n = escapeName(name, metric, escaping);
  if (metric ? isValidMetricName(n) : isValidLabelName(n)) return n;
  return `"${escapeLabelValue(n)}"`;
}

function familyText(f: Family, escaping: Escaping): string {
  const name = quoteName(f.name, true, escaping);
  // A quoted metric name moves inside the braces (expfmt writeNameAndLabelPairs).
  const inside = name.startsWith('"');
  let s = `# TYPE ${name} untyped\n`;
  for (const m of f.metrics) {
    const ls = m.labels.map(
      (l) => `${quoteName(l.name, false, escaping)}="${escapeLabelValue(l.value)}"`,
    );
    if (inside) ls.unshift(name);
    const sel = ls.length ? `{${ls.join(",")}}` : "";
    s += `${inside ? "" : name}${sel} ${formatGoFloat(m.value)} ${m.tMs}\n`;
  }
  return s;
}

function toDto(f: Family, escaping: Escaping): DtoMetricFamily {
  return {
    name: escapeName(f.name, true, escaping),
    type: "UNTYPED",
    metric: f.metrics.map((m) => ({
      label: m.labels.map((l) => ({ name: escapeName(l.name, false, escaping), value: l.value })),
      untyped: { value: m.value },
      timestamp_ms: m.tMs,
    })),
  };
}

/**
 * negotiate picks the response format from the Accept header as expfmt.Negotiate does: the most
 * preferred of delimited protobuf and the text format (the default), with the name escaping the
 * chosen entry asks for.
 */
function negotiate(accept: string | undefined): { proto: boolean; escaping: Escaping } {
  const fallback = { proto: false, escaping: "underscores" as Escaping };
  if (!accept) return fallback;
  const entries = accept.split(",").map((part, i) => {
    const [type = "", ...ps] = part.split(";").map((x) => x.trim());
    const params: Record<string, string> = {};
    for (const p of ps) {
      const eq = p.indexOf("=");
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    const q = params.q === undefined ? 1 : Number(params.q);
    return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0, i };
  });
  entries.sort((a, b) => b.q - a.q || a.i - b.i);
  for (const e of entries) {
    if (e.q <= 0) continue;
    const escaping: Escaping = e.params.escaping === "allow-utf-8" ? "allow-utf-8" : "underscores";
    if (
      e.type === "application/vnd.google.protobuf" &&
      e.params.proto === "io.prometheus.client.MetricFamily" &&
      e.params.encoding === "delimited"
    ) {
      return { proto: true, escaping };
    }
    const v = e.params.version;
    if (e.type === "text/plain" && (v === undefined || v === "0.0.4" || v === "1.0.0")) {
      return { proto: false, escaping };
    }
  }
  return fallback;
}
