// Test fixtures for the rule engine: memory storage, the real PromQL engine, a manual clock,
// a memory sink, and helpers to write series and load rule text.
import type { Labels } from "../../model/labels/index.ts";
import { labelsFromRecord } from "../../model/labels/index.ts";
import { Engine } from "../../promql/engine/index.ts";
import { MemoryStorage } from "../../storage/memory/index.ts";
import type { Series } from "../../storage/index.ts";
import { silentLogger } from "../../util/logging/index.ts";
import type { Group } from "../group.ts";
import { ManualClock } from "../clock.ts";
import type { RuleManagerOptions, RuleSettings } from "../manager.ts";
import { RuleManager } from "../manager.ts";
import { engineQueryFunc } from "../rule.ts";
import { parseRuleFile } from "../rulefmt.ts";
import { MemorySink, alertSender } from "../sink.ts";
import { goTemplateExpander } from "../template.ts";

export const SETTINGS: RuleSettings = {
  evaluationIntervalMs: 60_000,
  externalLabels: [],
  externalURL: "http://vigil.test:9700",
};

export interface TestEnv {
  storage: MemoryStorage;
  clock: ManualClock;
  sink: MemorySink;
  manager: RuleManager;
  /** groups parses rule text and builds its groups (not running). */
  groups(
    yaml: string,
    opts?: { file?: string; restore?: boolean; settings?: RuleSettings },
  ): Group[];
  /** add writes samples of one series: [tMs, value] pairs. */
  add(
    labels: Record<string, string>,
    samples: readonly (readonly [number, number])[],
  ): Promise<void>;
  /** series returns the stored series whose __name__ is name. */
  series(name: string): Promise<Series[]>;
}

/** newEnv builds a fresh environment; options override the manager's. */
export function newEnv(
  over: Partial<RuleManagerOptions> = {},
  storage = new MemoryStorage(),
): TestEnv {
  const clock = new ManualClock(0);
  const sink = new MemorySink();
  const engine = new Engine();
  const manager = new RuleManager({
    appendable: storage,
    queryable: storage,
    queryFuncs: { promql: engineQueryFunc(engine, storage) },
    logger: silentLogger(),
    clock,
    templates: goTemplateExpander,
    notify: alertSender({
      sinks: () => [sink],
      externalURL: () => SETTINGS.externalURL,
      externalLabels: () => [],
      relabelConfigs: () => [],
    }),
    ...over,
  });
  return {
    storage,
    clock,
    sink,
    manager,
    groups(yaml, o = {}) {
      const file = o.file ?? "rules.yml";
      const parsed = parseRuleFile(yaml, file, { templates: goTemplateExpander });
      if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => e.message).join("\n"));
      const groups = manager.loadGroups(
        { files: [file], groups: parsed.groups.map((spec) => ({ file, spec })) },
        o.settings ?? SETTINGS,
        o.restore ?? false,
      );
      return [...groups.values()];
    },
    async add(labels, samples) {
      const app = storage.appender();
      const ls = labelsFromRecord(labels);
      for (const [t, v] of samples) app.append(0, ls, t, v);
      await app.commit();
    },
    async series(name) {
      const all = await storage.querier(-1e15, 1e15).select([]);
      return all.filter((s) => s.labels.some((l) => l.name === "__name__" && l.value === name));
    },
  };
}

/** steps returns [t, v] pairs every stepMs from startMs to endMs inclusive. */
export function steps(startMs: number, endMs: number, stepMs: number, v: (t: number) => number) {
  const out: [number, number][] = [];
  for (let t = startMs; t <= endMs; t += stepMs) out.push([t, v(t)]);
  return out;
}

/** labelString renders labels as a=b,c=d for compact assertions. */
export function labelString(ls: Labels): string {
  return ls.map((l) => `${l.name}=${l.value}`).join(",");
}

export const MIN = 60_000;
