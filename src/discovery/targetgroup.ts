// Target groups: what service discovery produces and scraping consumes, with the shape and the
// file format of prometheus discovery/targetgroup.

/** LabelSet is a set of label names and values, such as a target's discovered labels. */
export type LabelSet = Readonly<Record<string, string>>;

/** ADDRESS_LABEL is the label that holds a target's host:port. */
export const ADDRESS_LABEL = "__address__";

/** META_LABEL_PREFIX starts labels that discovery attaches and relabeling may use. */
export const META_LABEL_PREFIX = "__meta_";

/**
 * TargetGroup is a set of targets sharing common labels. `source` identifies the group within
 * its discoverer: a later group with the same source replaces it, and a group without targets
 * removes it. Each target is a label set holding at least `__address__`.
 */
export interface TargetGroup {
  readonly source: string;
  readonly targets: readonly LabelSet[];
  readonly labels: LabelSet;
}

/**
 * parseTargetGroups validates decoded JSON or YAML in the file_sd / http_sd format (a list of
 * `{targets: [host:port...], labels: {name: value}}`) and returns the groups with sources
 * `${sourcePrefix}:${index}`. It throws an Error naming the first problem; unknown keys are
 * errors, as with Go's strict decoders.
 */
export function parseTargetGroups(data: unknown, sourcePrefix: string): TargetGroup[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new Error("expected a list of target groups");
  return data.map((g: unknown, i): TargetGroup => {
    const where = `target group ${i}`;
    if (g === null || g === undefined) throw new Error("nil target group item found");
    if (typeof g !== "object" || Array.isArray(g)) throw new Error(`${where}: expected an object`);
    const obj = g as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      if (k !== "targets" && k !== "labels")
        throw new Error(`${where}: unknown field ${JSON.stringify(k)}`);
    }
    const targets: LabelSet[] = [];
    if (obj.targets !== undefined && obj.targets !== null) {
      if (!Array.isArray(obj.targets))
        throw new Error(`${where}: targets must be a list of strings`);
      for (const t of obj.targets) {
        if (typeof t !== "string") throw new Error(`${where}: targets must be a list of strings`);
        targets.push({ [ADDRESS_LABEL]: t });
      }
    }
    const labels: Record<string, string> = {};
    if (obj.labels !== undefined && obj.labels !== null) {
      if (typeof obj.labels !== "object" || Array.isArray(obj.labels)) {
        throw new Error(`${where}: labels must be a mapping of names to strings`);
      }
      for (const [k, v] of Object.entries(obj.labels as Record<string, unknown>)) {
        if (k === "") throw new Error(`${where}: "" is not a valid label name`);
        if (typeof v !== "string") {
          throw new Error(`${where}: label ${JSON.stringify(k)} must have a string value`);
        }
        labels[k] = v;
      }
    }
    return { source: `${sourcePrefix}:${i}`, targets, labels };
  });
}
