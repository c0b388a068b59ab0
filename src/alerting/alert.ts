// Alertmanager's alert (alert/alert.go): labels, annotations, activity range, last update,
// and whether the end time is a timeout (resolve_timeout) rather than given by the sender.
import { labelSetFingerprint } from "../template/index.ts";
import type { LabelSet } from "./matchers.ts";

/**
 * Alert is an alert as Vigil's Alertmanager keeps it. Times are Unix milliseconds; endsAtMs 0
 * means "no end time" (Go's zero time) and only occurs in alerts handed to notifiers.
 */
export interface Alert {
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly generatorURL: string;
  /** When the alert was last received (UpdatedAt). */
  readonly updatedAtMs: number;
  /** endsAtMs was set from resolve_timeout, not by the sender (Timeout). */
  readonly timeout: boolean;
}

/** fingerprint is the label set's fingerprint as 16 hex digits (model.Fingerprint.String). */
export function fingerprint(labels: LabelSet): string {
  return labelSetFingerprint(labels).toString(16).padStart(16, "0");
}

/** resolvedAt reports whether the alert is resolved at ms (Alert.ResolvedAt). */
export function resolvedAt(a: Alert, ms: number): boolean {
  return a.endsAtMs !== 0 && a.endsAtMs <= ms;
}

/**
 * merge combines an alert with a newer version of itself (Alert.Merge): the later update wins,
 * with the earlier start, and an end time kept from the other unless that end was a timeout.
 * now decides which versions count as resolved.
 */
export function merge(a: Alert, o: Alert, now: number): Alert {
  if (o.updatedAtMs < a.updatedAtMs) return merge(o, a, now);
  const res = { ...o };
  if (a.startsAtMs < o.startsAtMs) res.startsAtMs = a.startsAtMs;
  if (resolvedAt(o, now)) {
    if (resolvedAt(a, now) && a.endsAtMs > o.endsAtMs) res.endsAtMs = a.endsAtMs;
  } else if (a.endsAtMs > o.endsAtMs && !a.timeout) {
    res.endsAtMs = a.endsAtMs;
  }
  return res;
}

/** alertName is the alertname label. */
export function alertName(a: Alert): string {
  return a.labels.alertname ?? "";
}

function compareLabelSets(a: LabelSet, b: LabelSet): number {
  // model.LabelSet.Before: compare sorted names, then values, then length.
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    if (an[i] !== bn[i]) return an[i] < bn[i] ? -1 : 1;
    const av = a[an[i]];
    const bv = b[bn[i]];
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return an.length - bn.length;
}

export { compareLabelSets };

/**
 * compareAlerts orders alerts for notifications (AlertSlice.Less): by job, then instance
 * (alerts lacking them last), then by label set.
 */
export function compareAlerts(a: Alert, b: Alert): number {
  for (const k of ["job", "instance"]) {
    const av = a.labels[k];
    const bv = b.labels[k];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return compareLabelSets(a.labels, b.labels);
}

/** labelSetString prints a label set as model.LabelSet.String: {a="1", b="2"}. */
export function labelSetString(ls: LabelSet): string {
  const pairs = Object.entries(ls).map(([k, v]) => `${k}=${goQuote(v)}`);
  pairs.sort();
  return `{${pairs.join(", ")}}`;
}

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * validateAlert checks an alert as Alert.Validate does and returns the reason it is invalid,
 * or undefined.
 */
export function validateAlert(a: Alert): string | undefined {
  if (a.startsAtMs === 0) return "start time missing";
  if (a.endsAtMs !== 0 && a.endsAtMs < a.startsAtMs) return "start time must be before end time";
  if (Object.keys(a.labels).length === 0) return "at least one label pair required";
  const bad = (ls: LabelSet): string | undefined => {
    for (const [k, v] of Object.entries(ls)) {
      if (k === "" || /\p{Surrogate}/u.test(k)) return `invalid name "${k}"`;
      if (/\p{Surrogate}/u.test(v)) return `invalid value "${v}"`;
    }
    return undefined;
  };
  const l = bad(a.labels);
  if (l) return `invalid label set: ${l}`;
  const an = bad(a.annotations);
  if (an) return `invalid annotations: ${an}`;
  return undefined;
}
