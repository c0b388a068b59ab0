import { createHash } from "node:crypto";

/** Label is one name/value pair of a series' identity. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/**
 * Labels is a series' identity: label pairs sorted by name, names unique, no empty values.
 * Build them with `labelsFromRecord` or `labelsFromPairs`, which enforce that shape.
 */
export type Labels = readonly Label[];

/** METRIC_NAME is the reserved label that holds a series' metric name. */
export const METRIC_NAME = "__name__";

/** EMPTY_LABELS is the empty label set. */
export const EMPTY_LABELS: Labels = Object.freeze([]);

/**
 * labelsFromRecord builds sorted Labels from a plain object, dropping empty values
 * (Prometheus treats an empty label value as an absent label).
 */
export function labelsFromRecord(rec: Readonly<Record<string, string>>): Labels {
  return labelsFromPairs(Object.entries(rec).map(([name, value]) => ({ name, value })));
}

/**
 * labelsFromPairs sorts pairs by name and drops empty values. On a repeated name the last
 * pair wins.
 */
export function labelsFromPairs(pairs: Iterable<Label>): Labels {
  const byName = new Map<string, string>();
  for (const p of pairs) byName.set(p.name, p.value);
  const out: Label[] = [];
  for (const [name, value] of byName) if (value !== "") out.push({ name, value });
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** labelsToRecord returns the labels as a plain object. */
export function labelsToRecord(ls: Labels): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const l of ls) rec[l.name] = l.value;
  return rec;
}

/** getLabel returns the value of label `name`, or "" when absent (Prometheus semantics). */
export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return "";
}

/** metricName returns the value of the `__name__` label, or "". */
export function metricName(ls: Labels): string {
  return getLabel(ls, METRIC_NAME);
}

/** labelsEqual reports whether two label sets are identical. */
export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  }
  return true;
}

/** compareLabels orders label sets the way Prometheus's labels.Compare does. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * labelsKey returns a string that is equal for equal label sets and distinct otherwise;
 * usable as a Map key. Separator bytes cannot occur in valid UTF-8 label text.
 */
export function labelsKey(ls: Labels): string {
  // Joined rather than concatenated: `+=` leaves a tree of string pieces (a dozen heap objects
  // for a typical series), which a key kept in a Map holds on to for the series' lifetime.
  const parts: string[] = [];
  for (const l of ls) parts.push(l.name, "\xff", l.value, "\xfe");
  return parts.join("");
}

/**
 * fingerprint is the 64-bit identity of a label set, stable across processes and backends.
 * It is the first 8 bytes (little-endian) of SHA-1 over the labels' canonical encoding.
 */
export function fingerprint(ls: Labels): bigint {
  const h = createHash("sha1");
  for (const l of ls) {
    h.update(l.name);
    h.update("\xff");
    h.update(l.value);
    h.update("\xff");
  }
  return h.digest().readBigUInt64LE(0);
}

/** formatLabels renders labels as `name{a="b", c="d"}` like Prometheus's String(). */
export function formatLabels(ls: Labels): string {
  const name = metricName(ls);
  const rest = ls
    .filter((l) => l.name !== METRIC_NAME)
    .map((l) => `${l.name}=${JSON.stringify(l.value)}`);
  if (name !== "" && rest.length === 0) return name;
  return `${name}{${rest.join(", ")}}`;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** isValidLabelName reports whether s is a legacy (pre-UTF-8) Prometheus label name. */
export function isValidLabelName(s: string): boolean {
  return LABEL_NAME_RE.test(s);
}

/** isValidMetricName reports whether s is a legacy (pre-UTF-8) Prometheus metric name. */
export function isValidMetricName(s: string): boolean {
  return METRIC_NAME_RE.test(s);
}
