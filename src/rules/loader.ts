// Finding and reading rule files: Prometheus's `rule_files` globs, Loki ruler files (LogQL rules,
// `rules.log_rule_files`), and Vigil's alerts-as-code layout, a directory with
// `common/<service>/` and `<env>/<service>/` overlays (docs/rules.md).
import { readFile, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { glob } from "../discovery/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { ParseRuleFileOptions, RuleFileError, RuleGroupSpec, RuleSpec } from "./rulefmt.ts";
import { parseRuleFile, ruleFileError } from "./rulefmt.ts";

/** COMMON_DIR is the directory of a rules layout that every environment loads. */
export const COMMON_DIR = "common";

/** RULE_TEST_FILE matches unit-test files kept beside rule files; they are not rule files. */
export const RULE_TEST_FILE = /(?:[._-]test)\.ya?ml$/;

const RULE_FILE = /\.ya?ml$/;

/** RuleSourceOptions say where rules come from and how strictly to read them. */
export interface RuleSourceOptions extends ParseRuleFileOptions {
  /** ruleFiles are glob patterns (Go filepath.Glob syntax), as `rule_files` in Prometheus. */
  readonly ruleFiles?: readonly string[];
  /**
   * logRuleFiles are glob patterns of Loki ruler files: their groups are LogQL unless a group
   * says `query_language: promql`. They load after ruleFiles.
   */
  readonly logRuleFiles?: readonly string[];
  /** dir is an alerts-as-code rules directory. */
  readonly dir?: string;
  /** env selects the overlay directory `<dir>/<env>`; without it only `common` loads. */
  readonly env?: string;
}

/**
 * LoadedGroup is a group ready for the manager. file (with the group's name) identifies it;
 * for a group of the layout that an environment overlay changed, file is the common file and
 * overlayFiles lists the overlay files that changed it.
 */
export interface LoadedGroup {
  readonly file: string;
  readonly spec: RuleGroupSpec;
  readonly overlayFiles?: readonly string[];
}

/** LoadedRules are all groups to run, and the files they came from. */
export interface LoadedRules {
  readonly files: readonly string[];
  readonly groups: readonly LoadedGroup[];
}

/**
 * RuleLoadError is thrown when rules cannot be loaded; errors holds every problem, and the
 * message lists them one per line.
 */
export class RuleLoadError extends Error {
  override readonly name = "RuleLoadError";
  constructor(readonly errors: readonly RuleFileError[]) {
    super(errors.map((e) => e.message).join("\n") || "error loading rules");
  }
}

/**
 * expandRuleFiles expands glob patterns into file names, in pattern order, each pattern's
 * matches sorted (Prometheus's main.go: filepath.Glob per pattern, no de-duplication).
 */
export async function expandRuleFiles(
  patterns: readonly string[],
): Promise<{ files: string[]; errors: RuleFileError[] }> {
  const files: string[] = [];
  const errors: RuleFileError[] = [];
  for (const pat of patterns) {
    try {
      files.push(...(await glob(pat)));
    } catch (err) {
      errors.push(
        ruleFileError(
          "io",
          pat,
          undefined,
          {},
          `error retrieving rule files: ${errorMessage(err)}`,
        ),
      );
    }
  }
  return { files, errors };
}

/** readRuleFile reads and parses one file; an unreadable file is an io error. */
export async function readRuleFile(
  file: string,
  opts: ParseRuleFileOptions = {},
): Promise<{ groups: RuleGroupSpec[]; errors: RuleFileError[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return { groups: [], errors: [ruleFileError("io", file, undefined, {}, errorMessage(err))] };
  }
  return parseRuleFile(text, file, opts);
}

/**
 * loadRules reads every rule file the options name: the `rule_files` globs, then the layout
 * directory's common files with the environment's overlays applied. It returns the groups
 * when there are no errors, and every error found otherwise (never throwing).
 */
export async function loadRules(
  o: RuleSourceOptions,
): Promise<{ rules: LoadedRules; errors: RuleFileError[] }> {
  const errors: RuleFileError[] = [];
  const files: string[] = [];
  const groups: LoadedGroup[] = [];

  const sources: [readonly string[], ParseRuleFileOptions][] = [
    [o.ruleFiles ?? [], o],
    [o.logRuleFiles ?? [], { ...o, language: "logql" }],
  ];
  for (const [patterns, opts] of sources) {
    const expanded = await expandRuleFiles(patterns);
    errors.push(...expanded.errors);
    for (const file of expanded.files) {
      const r = await readRuleFile(file, opts);
      errors.push(...r.errors);
      files.push(file);
      for (const spec of r.groups) groups.push({ file, spec });
    }
  }

  if (o.dir !== undefined) {
    const layout = await loadLayout(o.dir, o.env, o);
    errors.push(...layout.errors);
    files.push(...layout.files);
    groups.push(...layout.groups);
  }
  return { rules: errors.length > 0 ? { files: [], groups: [] } : { files, groups }, errors };
}

/** loadRulesOrThrow is loadRules that throws a RuleLoadError when anything is wrong. */
export async function loadRulesOrThrow(o: RuleSourceOptions): Promise<LoadedRules> {
  const { rules, errors } = await loadRules(o);
  if (errors.length > 0) throw new RuleLoadError(errors);
  return rules;
}

/** A parsed file of the layout, with the service directory it belongs to. */
interface LayoutFile {
  readonly file: string;
  readonly service: string;
  readonly groups: RuleGroupSpec[];
}

/**
 * loadLayout loads `<dir>/common/<service>/**` and, with env, applies `<dir>/<env>/<service>/**`
 * on top: an overlay group with the name of a common group of the same service changes that
 * group (its rules replace the common rules of the same name, in place; new rules are
 * appended; settings it sets win); other overlay groups are added as they are.
 */
async function loadLayout(
  dir: string,
  env: string | undefined,
  opts: ParseRuleFileOptions,
): Promise<{ files: string[]; groups: LoadedGroup[]; errors: RuleFileError[] }> {
  const errors: RuleFileError[] = [];
  const readTree = async (sub: string, required: boolean): Promise<LayoutFile[]> => {
    const root = join(dir, sub);
    let found: string[];
    try {
      found = await listRuleFiles(root);
    } catch (err) {
      if (required || (err as NodeJS.ErrnoException).code !== "ENOENT") {
        const why =
          (err as NodeJS.ErrnoException).code === "ENOENT"
            ? `no such directory (rules for environment ${JSON.stringify(sub)} belong in ${root})`
            : errorMessage(err);
        errors.push(ruleFileError("io", root, undefined, {}, why));
      }
      return [];
    }
    const out: LayoutFile[] = [];
    for (const file of found) {
      const r = await readRuleFile(file, opts);
      errors.push(...r.errors);
      const rel = relative(root, file).split(sep);
      out.push({ file, service: rel.length > 1 ? rel[0]! : "", groups: r.groups });
    }
    return out;
  };

  if (env !== undefined && (env === "" || env === COMMON_DIR || /[/\\]|^\.\.?$/.test(env))) {
    errors.push(
      ruleFileError("io", dir, undefined, {}, `invalid environment ${JSON.stringify(env)}`),
    );
    return { files: [], groups: [], errors };
  }
  const common = await readTree(COMMON_DIR, false);
  const overlay = env !== undefined ? await readTree(env, true) : [];
  if (errors.length > 0) return { files: [], groups: [], errors };

  interface Merged {
    file: string;
    service: string;
    spec: RuleGroupSpec;
    overlayFiles: string[];
    common: boolean;
  }
  const groups: Merged[] = [];
  for (const f of common) {
    for (const spec of f.groups) {
      groups.push({ file: f.file, service: f.service, spec, overlayFiles: [], common: true });
    }
  }
  for (const f of overlay) {
    for (const spec of f.groups) {
      const base = groups.filter(
        (g) => g.common && g.service === f.service && g.spec.name === spec.name,
      );
      if (base.length > 1) {
        errors.push(
          ruleFileError(
            "invalid",
            f.file,
            spec.pos,
            { group: spec.name },
            `group ${JSON.stringify(spec.name)} is defined in several files of ${COMMON_DIR}/${f.service} (${base.map((g) => g.file).join(", ")}); an overlay cannot tell which to change`,
          ),
        );
        continue;
      }
      const target = base[0];
      if (!target) {
        groups.push({ file: f.file, service: f.service, spec, overlayFiles: [], common: false });
        continue;
      }
      target.spec = overlayGroup(target.spec, spec);
      target.overlayFiles.push(f.file);
    }
  }
  if (errors.length > 0) return { files: [], groups: [], errors };
  return {
    files: [...common, ...overlay].map((f) => f.file),
    groups: groups.map((g) => ({
      file: g.file,
      spec: g.spec,
      ...(g.overlayFiles.length > 0 && { overlayFiles: g.overlayFiles }),
    })),
    errors,
  };
}

/**
 * overlayGroup applies an overlay group to a common one: each overlay rule replaces the common
 * rules of the same name (at the place of the first), rules with new names are appended, and
 * the overlay's interval, query_offset and limit win where set; labels merge, overlay first.
 */
export function overlayGroup(base: RuleGroupSpec, over: RuleGroupSpec): RuleGroupSpec {
  const byName = new Map<string, RuleSpec[]>();
  for (const r of over.rules) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const rules: RuleSpec[] = [];
  const placed = new Set<string>();
  for (const r of base.rules) {
    const repl = byName.get(r.name);
    if (!repl) {
      rules.push(r);
      continue;
    }
    if (!placed.has(r.name)) {
      rules.push(...repl);
      placed.add(r.name);
    }
  }
  for (const r of over.rules) if (!placed.has(r.name)) rules.push(r);
  return {
    name: base.name,
    intervalMs: over.intervalMs !== 0 ? over.intervalMs : base.intervalMs,
    queryOffsetMs: over.queryOffsetMs ?? base.queryOffsetMs,
    limit: over.limit !== 0 ? over.limit : base.limit,
    labels: { ...base.labels, ...over.labels },
    ...((over.queryLanguage ?? base.queryLanguage) !== undefined && {
      queryLanguage: over.queryLanguage ?? base.queryLanguage,
    }),
    rules,
    pos: base.pos,
  };
}

/** listRuleFiles lists the rule files under root, recursively, sorted, test files excluded. */
async function listRuleFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !RULE_FILE.test(e.name) || RULE_TEST_FILE.test(e.name)) continue;
    out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}
