// ScrapePool: the targets and scrape loops of one job (prometheus scrape/scrape.go scrapePool).
import type { TargetGroup } from "../discovery/index.ts";
import { parseDuration } from "../model/duration.ts";
import { labelsKey } from "../model/labels/index.ts";
import type { Storage } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import { HttpClient } from "../util/http-client/index.ts";
import type { Logger } from "../util/logging/index.ts";
import type { ScrapeConfig } from "./config.ts";
import { ScrapeLoop } from "./loop.ts";
import type { DroppedTarget, Target } from "./target.ts";
import { SCRAPE_INTERVAL_LABEL, SCRAPE_TIMEOUT_LABEL, targetsFromGroups } from "./target.ts";

/** ScrapePoolDeps are what a pool needs from its manager. */
export interface ScrapePoolDeps {
  readonly storage: Pick<Storage, "appender">;
  readonly logger: Logger;
  readonly offsetSeed: number;
  readonly userAgent: string;
  /** parent aborts on shutdown. */
  readonly parent: AbortSignal;
  /** skipOffset starts new loops at once (tests). */
  readonly skipOffset?: boolean;
}

/**
 * cacheKey captures the settings that decide how scraped series are labelled; loops restarted
 * under a config with the same key keep their series cache (reusableCache in Prometheus).
 */
function cacheKey(c: ScrapeConfig): string {
  return JSON.stringify([
    c.honorLabels,
    c.honorTimestamps,
    c.trackTimestampsStaleness,
    c.metricNameValidationScheme,
    c.labelLimit,
    c.labelNameLengthLimit,
    c.labelValueLengthLimit,
    c.metricRelabelConfigs.map((r) => [
      r.action,
      r.sourceLabels,
      r.separator,
      r.regex,
      r.modulus,
      r.targetLabel,
      r.replacement,
    ]),
  ]);
}

/**
 * ScrapePool runs one scrape loop per distinct target of a job. `sync` applies newly
 * discovered target groups: it starts loops for new targets, keeps those of unchanged targets
 * and stops the rest (their series get staleness markers). `reload` applies a changed job
 * config: every loop is restarted with the new settings, keeping its series cache when the
 * labelling settings did not change.
 */
export class ScrapePool {
  private cfg: ScrapeConfig;
  private client: HttpClient;
  private readonly loops = new Map<string, ScrapeLoop>();
  private dropped: DroppedTarget[] = [];
  private droppedCount = 0;
  private lastGroups: readonly TargetGroup[] = [];
  /** Loops created under an older config, to be replaced at the next sync. */
  private readonly outdated = new Set<ScrapeLoop>();
  /** The cacheKey of the config each loop was made under. */
  private readonly cacheKeys = new WeakMap<ScrapeLoop, string>();
  private readonly log: Logger;

  constructor(
    cfg: ScrapeConfig,
    private readonly deps: ScrapePoolDeps,
  ) {
    this.cfg = cfg;
    this.client = new HttpClient(cfg.httpClient, deps.userAgent);
    this.log = deps.logger.child({ scrape_pool: cfg.jobName });
  }

  get config(): ScrapeConfig {
    return this.cfg;
  }

  /** activeTargets lists the targets being scraped. */
  activeTargets(): Target[] {
    return [...this.loops.values()].map((l) => l.target);
  }

  /** droppedTargets lists targets dropped by relabeling (at most keep_dropped_targets). */
  droppedTargets(): readonly DroppedTarget[] {
    return this.dropped;
  }

  /** droppedTargetsCount counts every target dropped by relabeling. */
  droppedTargetsCount(): number {
    return this.droppedCount;
  }

  /** sync turns target groups into targets and reconciles the running loops with them. */
  async sync(groups: readonly TargetGroup[]): Promise<void> {
    this.lastGroups = groups;
    const cfg = this.cfg;
    const { active, dropped, failures } = targetsFromGroups(cfg, groups);
    for (const f of failures) this.log.error({ err: f }, "creating target failed");
    this.droppedCount = dropped.length;
    this.dropped = cfg.keepDroppedTargets > 0 ? dropped.slice(0, cfg.keepDroppedTargets) : dropped;

    const wanted = new Map<string, Target>();
    for (const t of active) if (!wanted.has(t.key)) wanted.set(t.key, t);

    // Loops of targets that are gone, by the identity of their series: a new target with the
    // same series (only __scrape_interval__ or another hidden label changed) takes them over.
    const gone = new Map<string, ScrapeLoop>();
    for (const [key, loop] of this.loops) {
      if (!wanted.has(key)) {
        this.loops.delete(key);
        gone.set(labelsKey(loop.target.publicLabels), loop);
      }
    }
    const stops: Promise<void>[] = [];
    const started: ScrapeLoop[] = [];
    for (const [key, t] of wanted) {
      let old = this.loops.get(key);
      if (old && !this.outdated.has(old)) {
        // Keep the running loop; only the discovered labels may differ.
        old.target.discovered = t.discovered;
        continue;
      }
      if (!old) {
        const pub = labelsKey(t.publicLabels);
        old = gone.get(pub);
        gone.delete(pub);
      }
      let cache;
      if (old) {
        this.outdated.delete(old);
        stops.push(old.stop({ staleness: false }));
        if (this.cacheKeys.get(old) === cacheKey(cfg)) cache = old.cache;
        // Keep the health of the target across the restart.
        t.health = old.target.health;
        t.lastError = old.target.lastError;
        t.lastScrapeMs = old.target.lastScrapeMs;
        t.lastScrapeDurationMs = old.target.lastScrapeDurationMs;
        t.metadata = old.target.metadata;
      }
      const loop = this.newLoop(t, cache);
      this.loops.set(key, loop);
      started.push(loop);
    }
    for (const loop of gone.values()) {
      this.outdated.delete(loop);
      stops.push(loop.stop({ staleness: true }));
    }
    const limitErr = this.targetLimitError();
    for (const l of this.loops.values()) l.setForcedError(limitErr);
    // Wait for replaced loops to finish their scrape before the new ones start, so that two
    // loops never write the same target's series at once.
    await Promise.all(stops);
    for (const l of started) l.start();
  }

  /** reload switches to a changed job config and restarts every loop under it. */
  async reload(cfg: ScrapeConfig): Promise<void> {
    let client: HttpClient;
    try {
      client = new HttpClient(cfg.httpClient, this.deps.userAgent);
    } catch (err) {
      throw new Error(`error creating HTTP client: ${errorMessage(err)}`, { cause: err });
    }
    const old = this.client;
    this.cfg = cfg;
    this.client = client;
    for (const l of this.loops.values()) this.outdated.add(l);
    await this.sync(this.lastGroups);
    old.close();
  }

  /** stop stops every loop; with staleness their series are marked stale. */
  async stop(opts: { staleness: boolean }): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(loops.map((l) => l.stop(opts)));
    this.client.close();
  }

  private targetLimitError(): string | undefined {
    const limit = this.cfg.targetLimit;
    if (limit === 0 || this.loops.size <= limit) return undefined;
    return `target_limit exceeded (number of targets: ${this.loops.size}, limit: ${limit})`;
  }

  private newLoop(t: Target, cache: ScrapeLoop["cache"] | undefined): ScrapeLoop {
    const cfg = this.cfg;
    // Relabeling may have changed the interval and timeout (intervalAndTimeout); the labels
    // were validated when the target was made.
    let intervalMs = cfg.scrapeIntervalMs;
    let timeoutMs = cfg.scrapeTimeoutMs;
    try {
      intervalMs = parseDuration(t.get(SCRAPE_INTERVAL_LABEL));
      timeoutMs = parseDuration(t.get(SCRAPE_TIMEOUT_LABEL));
    } catch {
      // Keep the configured values.
    }
    const loop: ScrapeLoop = new ScrapeLoop(
      {
        target: t,
        client: this.client,
        storage: this.deps.storage,
        logger: this.log,
        intervalMs,
        timeoutMs,
        bodySizeLimitBytes: cfg.bodySizeLimitBytes,
        sampleLimit: cfg.sampleLimit,
        labelLimits: {
          labelLimit: cfg.labelLimit,
          labelNameLengthLimit: cfg.labelNameLengthLimit,
          labelValueLengthLimit: cfg.labelValueLengthLimit,
        },
        honorLabels: cfg.honorLabels,
        honorTimestamps: cfg.honorTimestamps,
        trackTimestampsStaleness: cfg.trackTimestampsStaleness,
        enableCompression: cfg.enableCompression,
        metricRelabelConfigs: cfg.metricRelabelConfigs,
        scrapeProtocols: cfg.scrapeProtocols,
        fallbackScrapeProtocol: cfg.fallbackScrapeProtocol,
        validationScheme: cfg.metricNameValidationScheme,
        escapingScheme: cfg.metricNameEscapingScheme,
        offsetSeed: this.deps.offsetSeed,
        skipOffset: this.deps.skipOffset,
        cache,
        superseded: (): boolean => {
          // Another loop of this pool now writes the same series.
          const pub = labelsKey(t.publicLabels);
          for (const l of this.loops.values()) {
            if (l !== loop && labelsKey(l.target.publicLabels) === pub) return true;
          }
          return false;
        },
      },
      this.deps.parent,
    );
    this.cacheKeys.set(loop, cacheKey(cfg));
    return loop;
  }
}
