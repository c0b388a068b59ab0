// Label-set operations the evaluator needs (the labels.Builder and hashing parts of prometheus
// model/labels used by promql/engine.go). Label sets are sorted arrays; these helpers keep them so.
import { labelsKey } from "../../model/labels/index.ts";
import type { Label, Labels } from "../../model/labels/index.ts";
import { goQuote } from "../parser/index.ts";

/** setLabel returns ls with name set to value; an empty value deletes the label. */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let done = false;
  for (const l of ls) {
    if (!done && l.name >= name) {
      done = true;
      if (value !== "") out.push({ name, value });
      if (l.name === name) continue;
    }
    out.push(l);
  }
  if (!done && value !== "") out.push({ name, value });
  return out;
}

/** keepLabels returns the labels of ls whose names are in names. */
export function keepLabels(ls: Labels, names: ReadonlySet<string>): Labels {
  return ls.filter((l) => names.has(l.name));
}

/** deleteLabels returns the labels of ls whose names are not in names. */
export function deleteLabels(ls: Labels, names: ReadonlySet<string>): Labels {
  return ls.filter((l) => !names.has(l.name));
}

/**
 * signatureOf returns a key for the values of the listed labels (on = true) or of all labels
 * except the listed ones (on = false); equal keys mean equal label subsets.
 */
export function signatureOf(ls: Labels, names: ReadonlySet<string>, on: boolean): string {
  let s = "";
  for (const l of ls) {
    if (names.has(l.name) === on) s += l.name + "\xff" + l.value + "\xfe";
  }
  return s;
}

/** labelsString renders ls like Prometheus's Labels.String(): {a="b", c="d"}. */
export function labelsString(ls: Labels): string {
  return `{${ls.map((l) => `${formatLabelName(l.name)}=${goQuote(l.value)}`).join(", ")}}`;
}

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function formatLabelName(name: string): string {
  return LEGACY_NAME.test(name) ? name : goQuote(name);
}

const keyCache = new WeakMap<Labels, string>();

/**
 * keyOf is labelsKey memoized per label-set object: the evaluator passes the same Labels object
 * through every step of a series, so the key is computed once per series, not once per step.
 */
export function keyOf(ls: Labels): string {
  let k = keyCache.get(ls);
  if (k === undefined) {
    k = labelsKey(ls);
    keyCache.set(ls, k);
  }
  return k;
}
