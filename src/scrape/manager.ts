// ScrapeManager: one scrape pool per job, config reloads, target updates from discovery
// (prometheus scrape/manager.go).
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import type { TargetGroup } from "../discovery/index.ts";
import type { Storage } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import { VERSION } from "../util/version.ts";
import type { ScrapeConfig } from "./config.ts";
import { ScrapePool } from "./pool.ts";
import type { DroppedTarget, Target } from "./target.ts";
import { hash53 } from "./target.ts";

/** ScrapeManagerOptions configure a ScrapeManager. */
export interface ScrapeManagerOptions {
  /** storage receives the samples; only its appenders are used. */
  readonly storage: Pick<Storage, "appender">;
  readonly logger: Logger;
  /**
   * offsetSeed shifts every target's scrape phase; by default it is derived from the host
   * name and external labels, as Prometheus does, so that replicas scrape at different times.
   */
  readonly offsetSeed?: number;
  /** userAgent of scrape requests; default `Vigil/<version>`. */
  readonly userAgent?: string;
  /** skipOffset makes new targets scrape at once rather than at their phase (tests). */
  readonly skipOffset?: boolean;
}

/** offsetSeedFor derives the scrape phase seed from the host name and external labels. */
export function offsetSeedFor(externalLabels: Readonly<Record<string, string>>): number {
  return hash53(hostname() + JSON.stringify(Object.entries(externalLabels).sort()));
}

/**
 * ScrapeManager keeps one ScrapePool per configured job. `applyConfig` adds, reloads and
 * removes pools (loops of unchanged jobs keep running); `sync` hands each pool the target
 * groups discovery found for its job. Calls are serialised, so they may overlap freely.
 * `stop` ends all scraping without writing staleness markers (a restart continues the
 * series).
 */
export class ScrapeManager {
  private readonly pools = new Map<string, ScrapePool>();
  private configs = new Map<string, ScrapeConfig>();
  private readonly shutdown = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  private readonly offsetSeed: number;
  private readonly userAgent: string;

  constructor(private readonly opts: ScrapeManagerOptions) {
    // Every loop and request listens on the shutdown signal.
    setMaxListeners(0, this.shutdown.signal);
    this.offsetSeed = opts.offsetSeed ?? offsetSeedFor({});
    this.userAgent = opts.userAgent ?? `Vigil/${VERSION}`;
  }

  /** applyConfig makes the pools match the scrape configs. */
  applyConfig(cfgs: readonly ScrapeConfig[]): Promise<void> {
    return this.serial(async () => {
      const next = new Map(cfgs.map((c) => [c.jobName, c]));
      const work: Promise<void>[] = [];
      for (const [job, pool] of this.pools) {
        const c = next.get(job);
        if (!c) {
          this.pools.delete(job);
          work.push(pool.stop({ staleness: true }));
        } else if (!sameConfig(pool.config, c)) {
          work.push(
            pool.reload(c).catch((err: unknown) => {
              this.opts.logger.error(
                { scrape_pool: job, err: errorMessage(err) },
                "reloading scrape pool failed",
              );
            }),
          );
        }
      }
      for (const [job, c] of next) {
        if (this.pools.has(job)) continue;
        try {
          this.pools.set(job, this.newPool(c));
        } catch (err) {
          this.opts.logger.error(
            { scrape_pool: job, err: errorMessage(err) },
            "creating scrape pool failed",
          );
        }
      }
      this.configs = next;
      await Promise.all(work);
    });
  }

  /** sync applies discovered target groups; jobs missing from groups keep their targets. */
  sync(groups: ReadonlyMap<string, readonly TargetGroup[]>): Promise<void> {
    return this.serial(async () => {
      const work: Promise<void>[] = [];
      for (const [job, g] of groups) {
        const pool = this.pools.get(job);
        if (pool) work.push(pool.sync(g));
      }
      await Promise.all(work);
    });
  }

  /** stop ends every scrape loop; nothing is written afterwards. */
  stop(): Promise<void> {
    this.shutdown.abort();
    return this.serial(async () => {
      const pools = [...this.pools.values()];
      this.pools.clear();
      await Promise.all(pools.map((p) => p.stop({ staleness: false })));
    });
  }

  /** scrapePools lists the configured job names, sorted. */
  scrapePools(): string[] {
    return [...this.configs.keys()].sort();
  }

  /** targetsActive returns the active targets per job. */
  targetsActive(): Map<string, Target[]> {
    const out = new Map<string, Target[]>();
    for (const [job, p] of this.pools) out.set(job, p.activeTargets());
    return out;
  }

  /** targetsDropped returns the kept dropped targets per job. */
  targetsDropped(): Map<string, readonly DroppedTarget[]> {
    const out = new Map<string, readonly DroppedTarget[]>();
    for (const [job, p] of this.pools) out.set(job, p.droppedTargets());
    return out;
  }

  /** droppedTargetCounts counts every dropped target per job. */
  droppedTargetCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [job, p] of this.pools) out[job] = p.droppedTargetsCount();
    return out;
  }

  private newPool(c: ScrapeConfig): ScrapePool {
    return new ScrapePool(c, {
      storage: this.opts.storage,
      logger: this.opts.logger,
      offsetSeed: this.offsetSeed,
      userAgent: this.userAgent,
      parent: this.shutdown.signal,
      skipOffset: this.opts.skipOffset,
    });
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** sameConfig compares two job configs by value (compiled regexes by their text). */
export function sameConfig(a: ScrapeConfig, b: ScrapeConfig): boolean {
  return configText(a) === configText(b);
}

function configText(c: ScrapeConfig): string {
  return JSON.stringify(c, (key, v: unknown) => (key === "re" ? undefined : v));
}
