// The Pushgateway's consistency check: a push is accepted only if all groups, with the push
// applied, still gather into a valid exposition. This follows DiskMetricStore.GetMetricFamilies
// (families of one name from several groups are merged; the first one's type wins, differing
// help strings are tolerated) and client_golang's Gatherers.Gather (checkSuffixCollisions and
// checkMetricConsistency in prometheus/registry.go), with their error messages.
import type { FamilyType, PushFamily, PushMetric } from "./family.ts";
import { DTO_TYPE, metricText } from "./family.ts";

interface Merged {
  readonly type: FamilyType;
  readonly metrics: { readonly m: PushMetric; readonly type: FamilyType }[];
}

/** The dto.Metric field a metric of each family type has set. */
const KIND: Readonly<Record<FamilyType, string>> = {
  counter: "counter",
  gauge: "gauge",
  untyped: "untyped",
  summary: "summary",
  histogram: "histogram",
  gauge_histogram: "histogram",
};

/**
 * checkConsistency returns the problems the Pushgateway would report when gathering the given
 * groups' families (in order), or an empty list.
 */
export function checkConsistency(groups: Iterable<Iterable<PushFamily>>): string[] {
  const merged = new Map<string, Merged>();
  for (const families of groups) {
    for (const f of families) {
      let mf = merged.get(f.name);
      if (!mf) {
        mf = { type: f.type, metrics: [] };
        merged.set(f.name, mf);
      }
      for (const m of f.metrics) mf.metrics.push({ m, type: f.type });
    }
  }

  const errors: string[] = [];
  const seen = new Map<string, FamilyType>();
  const hashes = new Set<string>();
  for (const [name, mf] of merged) {
    const collision = suffixCollision(name, mf.type, seen);
    if (collision) {
      errors.push(collision);
      continue;
    }
    seen.set(name, mf.type);
    for (const { m, type } of mf.metrics) {
      const err = metricProblem(name, mf.type, m, type, hashes);
      if (err) errors.push(err);
    }
  }
  return errors;
}

/** formatErrors joins problems as client_golang's MultiError (one error prints as itself). */
export function formatErrors(errors: readonly string[]): string {
  if (errors.length === 1) return errors[0]!;
  return `${errors.length} error(s) occurred:` + errors.map((e) => `\n* ${e}`).join("");
}

function suffixCollision(
  name: string,
  type: FamilyType,
  seen: ReadonlyMap<string, FamilyType>,
): string | undefined {
  let base = "";
  if (name.endsWith("_count")) base = name.slice(0, -6);
  else if (name.endsWith("_sum")) base = name.slice(0, -4);
  else if (name.endsWith("_bucket")) base = name.slice(0, -7);
  if (base !== "") {
    const t = seen.get(base);
    if (t === "summary" && !name.endsWith("_bucket")) {
      return `collected metric named ${JSON.stringify(name)} collides with previously collected summary named ${JSON.stringify(base)}`;
    }
    if (t === "histogram") {
      return `collected metric named ${JSON.stringify(name)} collides with previously collected histogram named ${JSON.stringify(base)}`;
    }
  }
  if (type === "summary" || type === "histogram") {
    for (const sfx of ["_count", "_sum"]) {
      if (seen.has(name + sfx)) {
        return `collected histogram or summary named ${JSON.stringify(name)} collides with previously collected metric named ${JSON.stringify(name + sfx)}`;
      }
    }
  }
  if (type === "histogram" && seen.has(name + "_bucket")) {
    return `collected histogram named ${JSON.stringify(name)} collides with previously collected metric named ${JSON.stringify(name + "_bucket")}`;
  }
  return undefined;
}

function metricProblem(
  name: string,
  familyType: FamilyType,
  m: PushMetric,
  ownType: FamilyType,
  hashes: Set<string>,
): string | undefined {
  const desc = () => `collected metric ${JSON.stringify(name)} { ${metricText(ownType, m)}}`;
  if (familyType !== "gauge_histogram" && KIND[familyType] !== KIND[ownType]) {
    return `${desc()} is not a ${DTO_TYPE[familyType]}`;
  }
  let prev = "";
  for (const l of m.labels) {
    if (l.name === prev) return `${desc()} has two or more labels with the same name: ${l.name}`;
    if (l.name === "" || l.name.startsWith("__")) {
      return `${desc()} has a label with an invalid name: ${l.name}`;
    }
    if (m.summary && l.name === "quantile") {
      return `${desc()} must not have an explicit "quantile" label`;
    }
    prev = l.name;
  }
  let h = name + "\xff";
  for (const l of m.labels) h += l.name + "\xff" + l.value + "\xff";
  if (hashes.has(h)) return `${desc()} was collected before with the same name and label values`;
  hashes.add(h);
  return undefined;
}
