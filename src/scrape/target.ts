// Scrape targets: label population from discovered labels and relabeling, the scrape URL, the
// schedule offset and the health of the last scrape (prometheus scrape/target.go, v3.5).
import type { LabelSet, TargetGroup } from "../discovery/index.ts";
import { formatDuration, parseDuration } from "../model/duration.ts";
import type { Labels } from "../model/labels/index.ts";
import { getLabel, labelsFromRecord, labelsKey } from "../model/labels/index.ts";
import type { MetricType } from "../model/textparse/index.ts";
import { relabel } from "../model/relabel/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { ScrapeConfig } from "./config.ts";

export const ADDRESS_LABEL = "__address__";
export const SCHEME_LABEL = "__scheme__";
export const METRICS_PATH_LABEL = "__metrics_path__";
export const SCRAPE_INTERVAL_LABEL = "__scrape_interval__";
export const SCRAPE_TIMEOUT_LABEL = "__scrape_timeout__";
export const PARAM_LABEL_PREFIX = "__param_";
export const META_LABEL_PREFIX = "__meta_";
export const RESERVED_LABEL_PREFIX = "__";
export const JOB_LABEL = "job";
export const INSTANCE_LABEL = "instance";

/** TargetHealth is the state of a target's last scrape. */
export type TargetHealth = "up" | "down" | "unknown";

/** MetricMetadata is what a target's TYPE, HELP and UNIT lines said about a metric family. */
export interface MetricMetadata {
  readonly metricFamily: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

/**
 * discoveredLabels builds a target's labels before relabeling (PopulateDiscoveredLabels): the
 * target's own labels, the group's labels it does not override, then job, __scrape_interval__,
 * __scrape_timeout__, __metrics_path__, __scheme__ and __param_<name> from the scrape config
 * where discovery did not set them.
 */
export function discoveredLabels(cfg: ScrapeConfig, tLabels: LabelSet, tgLabels: LabelSet): Labels {
  const rec: Record<string, string> = {};
  for (const [k, v] of Object.entries(tgLabels)) rec[k] = v;
  for (const [k, v] of Object.entries(tLabels)) rec[k] = v;
  const setDefault = (name: string, value: string): void => {
    if (!rec[name]) rec[name] = value;
  };
  setDefault(JOB_LABEL, cfg.jobName);
  setDefault(SCRAPE_INTERVAL_LABEL, formatDuration(cfg.scrapeIntervalMs));
  setDefault(SCRAPE_TIMEOUT_LABEL, formatDuration(cfg.scrapeTimeoutMs));
  setDefault(METRICS_PATH_LABEL, cfg.metricsPath);
  setDefault(SCHEME_LABEL, cfg.scheme);
  for (const [k, vs] of Object.entries(cfg.params)) {
    if (vs.length > 0) setDefault(PARAM_LABEL_PREFIX + k, vs[0]!);
  }
  return labelsFromRecord(rec);
}

/** PopulateResult is a target's final labels, or null when relabeling dropped it. */
export interface PopulateResult {
  readonly labels: Labels | null;
  readonly discovered: Labels;
}

/**
 * populateLabels computes a target's labels as PopulateLabels does: discovered labels, then
 * relabel_configs (a drop yields `labels: null`), then checks: an address is required and may
 * not hold "/", __scrape_interval__ and __scrape_timeout__ must be valid non-zero durations with
 * the timeout not above the interval. Then __meta_* labels are removed and `instance` defaults
 * to the address. Other labels starting with "__" stay (the URL is built from them) but are not
 * attached to series. Throws an Error for an invalid target.
 */
export function populateLabels(
  cfg: ScrapeConfig,
  tLabels: LabelSet,
  tgLabels: LabelSet,
): PopulateResult {
  const discovered = discoveredLabels(cfg, tLabels, tgLabels);
  const ls = relabel(discovered, cfg.relabelConfigs);
  if (ls === null) return { labels: null, discovered };
  const addr = getLabel(ls, ADDRESS_LABEL);
  if (addr === "") throw new Error("no address");
  if (addr.includes("/")) throw new Error(`${JSON.stringify(addr)} is not a valid hostname`);

  const interval = getLabel(ls, SCRAPE_INTERVAL_LABEL);
  let intervalMs: number;
  try {
    intervalMs = parseDuration(interval);
  } catch (err) {
    throw new Error(`error parsing scrape interval: ${errorMessage(err)}`, { cause: err });
  }
  if (intervalMs === 0) throw new Error("scrape interval cannot be 0");
  const timeout = getLabel(ls, SCRAPE_TIMEOUT_LABEL);
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(timeout);
  } catch (err) {
    throw new Error(`error parsing scrape timeout: ${errorMessage(err)}`, { cause: err });
  }
  if (timeoutMs === 0) throw new Error("scrape timeout cannot be 0");
  if (timeoutMs > intervalMs) {
    throw new Error(
      `scrape timeout cannot be greater than scrape interval (${JSON.stringify(timeout)} > ${JSON.stringify(interval)})`,
    );
  }

  const rec: Record<string, string> = {};
  for (const l of ls) if (!l.name.startsWith(META_LABEL_PREFIX)) rec[l.name] = l.value;
  if (!rec[INSTANCE_LABEL]) rec[INSTANCE_LABEL] = addr;
  for (const [name, value] of Object.entries(rec)) {
    if (/\p{Surrogate}/u.test(value)) {
      throw new Error(`invalid label value for ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    }
  }
  return { labels: labelsFromRecord(rec), discovered };
}

/**
 * queryEscape escapes a URL query component as Go's url.QueryEscape: everything but letters,
 * digits and -_.~ is percent-encoded, and spaces become "+".
 */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * targetUrl builds the scrape URL from the target's labels and the config's params, as
 * Target.URL does: __param_<name> replaces the first value of that parameter, and parameters
 * are encoded sorted by name.
 */
export function targetUrl(labels: Labels, params: Readonly<Record<string, string[]>>): string {
  const p = new Map<string, string[]>();
  for (const [k, vs] of Object.entries(params)) p.set(k, [...vs]);
  for (const l of labels) {
    if (!l.name.startsWith(PARAM_LABEL_PREFIX)) continue;
    const k = l.name.slice(PARAM_LABEL_PREFIX.length);
    const vs = p.get(k);
    if (vs && vs.length > 0) vs[0] = l.value;
    else p.set(k, [l.value]);
  }
  const query = [...p.keys()]
    .sort()
    .flatMap((k) => p.get(k)!.map((v) => `${queryEscape(k)}=${queryEscape(v)}`))
    .join("&");
  let path = getLabel(labels, METRICS_PATH_LABEL);
  if (path !== "" && !path.startsWith("/")) path = `/${path}`;
  const url = `${getLabel(labels, SCHEME_LABEL)}://${getLabel(labels, ADDRESS_LABEL)}${encodeURI(path)}`;
  return query === "" ? url : `${url}?${query}`;
}

/** hash53 is a fast 53-bit string hash (cyrb53) used to spread scrape times. */
export function hash53(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Target is one endpoint to scrape: its labels (public ones go onto every scraped series),
 * the labels discovery gave it, and the outcome of the last scrape.
 */
export class Target {
  /** labels are the final labels, including "__" ones such as __address__ (not __meta_*). */
  readonly labels: Labels;
  /** publicLabels are the labels attached to scraped series: those not starting with "__". */
  readonly publicLabels: Labels;
  /** url is the scrape URL. */
  readonly url: string;
  /** key identifies the target within its pool (labels and URL, as Target.hash). */
  readonly key: string;
  health: TargetHealth = "unknown";
  lastError = "";
  /** lastScrapeMs is the wall-clock start of the last scrape, 0 before the first. */
  lastScrapeMs = 0;
  lastScrapeDurationMs = 0;
  /** metadata by metric family, as the last scrapes saw it; kept by the scrape loop. */
  metadata: ReadonlyMap<string, MetricMetadata> = new Map();

  constructor(
    labels: Labels,
    /** discovered holds the labels before relabeling, for the targets API. */
    public discovered: Labels,
    params: Readonly<Record<string, string[]>>,
  ) {
    this.labels = labels;
    this.publicLabels = labels.filter((l) => !l.name.startsWith(RESERVED_LABEL_PREFIX));
    this.url = targetUrl(labels, params);
    this.key = labelsKey(labels) + "\x00" + this.url;
  }

  /** get returns the value of one of the target's labels, "" when absent. */
  get(name: string): string {
    return getLabel(this.labels, name);
  }

  /**
   * offsetMs returns how long to wait before the first scrape so that the target is scraped
   * at a fixed, hash-derived phase of the interval (Target.offset): targets spread evenly over
   * the interval, and the phase survives restarts.
   */
  offsetMs(intervalMs: number, seed: number, nowMs = Date.now()): number {
    const base = intervalMs - (nowMs % intervalMs);
    const offset = hash53(this.key, seed) % intervalMs;
    let next = base + offset;
    if (next > intervalMs) next -= intervalMs;
    return next;
  }

  /** report records the outcome of a scrape (Target.Report). */
  report(startMs: number, durationMs: number, error: string | undefined): void {
    this.health = error === undefined ? "up" : "down";
    this.lastError = error ?? "";
    this.lastScrapeMs = startMs;
    this.lastScrapeDurationMs = durationMs;
  }
}

/** DroppedTarget is a target that relabeling dropped; kept for the targets API. */
export interface DroppedTarget {
  readonly discovered: Labels;
}

/**
 * targetsFromGroups turns target groups into targets (TargetsFromGroup): active targets,
 * targets dropped by relabeling, and one error message per invalid target.
 */
export function targetsFromGroups(
  cfg: ScrapeConfig,
  groups: readonly TargetGroup[],
): { active: Target[]; dropped: DroppedTarget[]; failures: string[] } {
  const active: Target[] = [];
  const dropped: DroppedTarget[] = [];
  const failures: string[] = [];
  for (const g of groups) {
    g.targets.forEach((t, i) => {
      try {
        const r = populateLabels(cfg, t, g.labels);
        if (r.labels === null) dropped.push({ discovered: r.discovered });
        else active.push(new Target(r.labels, r.discovered, cfg.params));
      } catch (err) {
        failures.push(`instance ${i} in group ${g.source}: ${errorMessage(err)}`);
      }
    });
  }
  return { active, dropped, failures };
}
