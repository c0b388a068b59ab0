// Static targets from static_configs (prometheus discovery.StaticConfig).
import type { Discoverer, UpdateFn } from "../discoverer.ts";
import type { StaticConfig } from "../config.ts";
import type { TargetGroup } from "../targetgroup.ts";
import { ADDRESS_LABEL } from "../targetgroup.ts";

/**
 * StaticDiscoverer sends the groups of a job's static_configs once, with sources "0", "1", …
 * in file order, and then waits until stopped.
 */
export class StaticDiscoverer implements Discoverer {
  private readonly groups: TargetGroup[];

  constructor(configs: readonly StaticConfig[]) {
    this.groups = configs.map((c, i) => ({
      source: String(i),
      targets: c.targets.map((t) => ({ [ADDRESS_LABEL]: t })),
      labels: { ...c.labels },
    }));
  }

  run(signal: AbortSignal, update: UpdateFn): Promise<void> {
    update(this.groups);
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}
