// Relabeling, with the semantics of prometheus model/relabel/relabel.go (v3.5): the config
// defaults and validation rules, and Process applying a list of rules to a label set.
import { createHash } from "node:crypto";
import type { RE2JS } from "re2js";
import { labelsFromRecord, labelsToRecord } from "../labels/index.ts";
import type { Labels } from "../labels/index.ts";
import { compileLabelRegex, expandRegexTemplate, isValidUtf8LabelName } from "../regex/index.ts";

/** RelabelAction is one of Prometheus's relabel actions. */
export type RelabelAction =
  | "replace"
  | "keep"
  | "drop"
  | "keepequal"
  | "dropequal"
  | "hashmod"
  | "labelmap"
  | "labeldrop"
  | "labelkeep"
  | "lowercase"
  | "uppercase";

export const RELABEL_ACTIONS: readonly RelabelAction[] = [
  "replace",
  "keep",
  "drop",
  "keepequal",
  "dropequal",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
];

/** RelabelConfigInput is a relabel rule as written in YAML (snake_case keys, all optional). */
export interface RelabelConfigInput {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: string;
}

/** RelabelConfig is a validated relabel rule with defaults applied. */
export interface RelabelConfig {
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  /** regex is the pattern as written (unanchored); `re` is its anchored compilation. */
  readonly regex: string;
  readonly re: RE2JS;
  readonly modulus: number;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly action: RelabelAction;
  /** regexIsDefault: the rule did not set `regex` (matters for replace's fast path). */
  readonly regexIsDefault: boolean;
}

/** RelabelConfigError is a rejected relabel rule; the message is Prometheus's. */
export class RelabelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RelabelConfigError";
  }
}

const DEFAULT_REGEX = "(.*)";
const DEFAULT_SEPARATOR = ";";
const DEFAULT_REPLACEMENT = "$1";

const q = (s: string): string => JSON.stringify(s);

/** newRelabelConfig applies defaults to a YAML rule and validates it (Config.Validate). */
export function newRelabelConfig(input: RelabelConfigInput): RelabelConfig {
  const rawAction = input.action ?? "replace";
  const action = rawAction.toLowerCase() as RelabelAction;
  if (!RELABEL_ACTIONS.includes(action)) {
    throw new RelabelConfigError(`unknown relabel action ${q(rawAction)}`);
  }
  const regexIsDefault = input.regex === undefined;
  const regex = input.regex ?? DEFAULT_REGEX;
  const re = compileLabelRegex(regex);
  if (re === null) {
    throw new RelabelConfigError(`error parsing regexp: invalid regular expression ${q(regex)}`);
  }
  const c: RelabelConfig = {
    sourceLabels: input.source_labels ?? [],
    separator: input.separator ?? DEFAULT_SEPARATOR,
    regex,
    re,
    modulus: input.modulus ?? 0,
    targetLabel: input.target_label ?? "",
    replacement: input.replacement ?? DEFAULT_REPLACEMENT,
    action,
    regexIsDefault,
  };
  const a = c.action;
  const err = (m: string): RelabelConfigError => new RelabelConfigError(m);
  if (c.modulus === 0 && a === "hashmod") {
    throw err("relabel configuration for hashmod requires non-zero modulus");
  }
  const needsTarget: RelabelAction[] = [
    "replace",
    "hashmod",
    "lowercase",
    "uppercase",
    "keepequal",
    "dropequal",
  ];
  if (needsTarget.includes(a) && c.targetLabel === "") {
    throw err(`relabel configuration for ${a} action requires 'target_label' value`);
  }
  const simpleTarget: RelabelAction[] = ["lowercase", "uppercase", "keepequal", "dropequal"];
  if (a === "replace" && !isValidUtf8LabelName(c.targetLabel)) {
    throw err(`${q(c.targetLabel)} is invalid 'target_label' for ${a} action`);
  }
  if ((simpleTarget.includes(a) || a === "hashmod") && !isValidUtf8LabelName(c.targetLabel)) {
    throw err(`${q(c.targetLabel)} is invalid 'target_label' for ${a} action`);
  }
  if (simpleTarget.includes(a) && c.replacement !== DEFAULT_REPLACEMENT) {
    throw err(`'replacement' can not be set for ${a} action`);
  }
  if (a === "labelmap" && !isValidUtf8LabelName(c.replacement)) {
    throw err(`${q(c.replacement)} is invalid 'replacement' for ${a} action`);
  }
  if (a === "dropequal" || a === "keepequal") {
    if (
      !regexIsDefault ||
      c.modulus !== 0 ||
      c.separator !== DEFAULT_SEPARATOR ||
      c.replacement !== DEFAULT_REPLACEMENT
    ) {
      throw err(
        `${a} action requires only 'source_labels' and \`target_label\`, and no other fields`,
      );
    }
  }
  if (a === "labeldrop" || a === "labelkeep") {
    if (
      input.source_labels !== undefined ||
      c.targetLabel !== "" ||
      c.modulus !== 0 ||
      c.separator !== DEFAULT_SEPARATOR ||
      c.replacement !== DEFAULT_REPLACEMENT
    ) {
      throw err(`${a} action requires only 'regex', and no other fields`);
    }
  }
  return c;
}

/**
 * relabel applies cfgs in order to ls and returns the result, or null when a rule dropped the
 * series or target. Labels whose value becomes empty are removed.
 */
export function relabel(ls: Labels, cfgs: readonly RelabelConfig[]): Labels | null {
  if (cfgs.length === 0) return ls;
  const b = new Map<string, string>(Object.entries(labelsToRecord(ls)));
  for (const c of cfgs) {
    if (!applyRule(c, b)) return null;
  }
  const rec: Record<string, string> = {};
  for (const [k, v] of b) rec[k] = v;
  return labelsFromRecord(rec);
}

function set(b: Map<string, string>, name: string, value: string): void {
  if (value === "") b.delete(name);
  else b.set(name, value);
}

function applyRule(c: RelabelConfig, b: Map<string, string>): boolean {
  const val = c.sourceLabels.map((n) => b.get(n) ?? "").join(c.separator);
  switch (c.action) {
    case "drop":
      return !c.re.matches(val);
    case "keep":
      return c.re.matches(val);
    case "dropequal":
      return (b.get(c.targetLabel) ?? "") !== val;
    case "keepequal":
      return (b.get(c.targetLabel) ?? "") === val;
    case "replace": {
      if (
        val === "" &&
        c.regexIsDefault &&
        !c.targetLabel.includes("$") &&
        !c.replacement.includes("$")
      ) {
        set(b, c.targetLabel, c.replacement);
        return true;
      }
      const target = expandRegexTemplate(c.re, val, c.targetLabel);
      if (target === null || !isValidUtf8LabelName(target)) return true;
      const res = expandRegexTemplate(c.re, val, c.replacement) ?? "";
      set(b, target, res);
      return true;
    }
    case "lowercase":
      set(b, c.targetLabel, val.toLowerCase());
      return true;
    case "uppercase":
      set(b, c.targetLabel, val.toUpperCase());
      return true;
    case "hashmod": {
      const digest = createHash("md5").update(val, "utf8").digest();
      const mod = digest.readBigUInt64BE(8) % BigInt(c.modulus);
      set(b, c.targetLabel, mod.toString());
      return true;
    }
    case "labelmap":
      for (const [name, value] of [...b]) {
        if (c.re.matches(name)) {
          const res = expandRegexTemplate(c.re, name, c.replacement) ?? "";
          set(b, res, value);
        }
      }
      return true;
    case "labeldrop":
      for (const name of [...b.keys()]) if (c.re.matches(name)) b.delete(name);
      return true;
    case "labelkeep":
      for (const name of [...b.keys()]) if (!c.re.matches(name)) b.delete(name);
      return true;
  }
}
