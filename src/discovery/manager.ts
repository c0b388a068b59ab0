// DiscoveryManager runs the discoverers of every scrape job and hands the current target
// groups per job to its consumer, batched like prometheus discovery/manager.go (which sends at
// most every 5 seconds).
import type { Logger } from "../util/logging/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { DiscoveryConfigs } from "./config.ts";
import type { Discoverer } from "./discoverer.ts";
import type { DnsResolver } from "./dns/dns.ts";
import { DnsDiscoverer } from "./dns/dns.ts";
import { FileDiscoverer } from "./file/file.ts";
import { HttpDiscoverer } from "./http/http.ts";
import { StaticDiscoverer } from "./static/static.ts";
import type { TargetGroup } from "./targetgroup.ts";

/** DEFAULT_UPDATE_INTERVAL_MS is Prometheus's discovery update batching interval. */
export const DEFAULT_UPDATE_INTERVAL_MS = 5000;

/** DiscoveryManagerOptions configure a DiscoveryManager. */
export interface DiscoveryManagerOptions {
  readonly logger: Logger;
  /**
   * onUpdate receives the target groups of every configured job (jobs without targets map to
   * an empty list). It is called soon after the first discoverer reports, then at most once per
   * updateIntervalMs while discoverers keep reporting changes.
   */
  onUpdate(groups: ReadonlyMap<string, TargetGroup[]>): void;
  /** updateIntervalMs: least time between two onUpdate calls; default 5000 (tests use less). */
  readonly updateIntervalMs?: number;
  /** dnsResolver replaces node's resolver for dns_sd_configs (tests). */
  readonly dnsResolver?: DnsResolver;
  /** userAgent of HTTP SD requests; default "Vigil". */
  readonly userAgent?: string;
}

/** Provider is one running discoverer and the groups it last reported. */
interface Provider {
  readonly key: string;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  readonly groups: Map<string, TargetGroup>;
}

/**
 * DiscoveryManager starts one discoverer per service discovery config of each job.
 * `applyConfig` keeps the discoverers whose job and settings did not change (so their targets
 * stay in place over a reload), stops the rest and starts new ones.
 */
export class DiscoveryManager {
  private providers = new Map<string, Provider>();
  /** Provider keys of each job, in configuration order. */
  private jobs = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  private lastSendMs = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private readonly intervalMs: number;

  constructor(private readonly opts: DiscoveryManagerOptions) {
    this.intervalMs = opts.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
  }

  /** applyConfig sets the jobs and their discovery settings. */
  applyConfig(configs: ReadonlyMap<string, DiscoveryConfigs>): void {
    if (this.stopped) return;
    const wanted = new Map<string, () => Discoverer>();
    const jobs = new Map<string, string[]>();
    for (const [job, c] of configs) {
      const keys: string[] = [];
      const add = (kind: string, i: number, cfg: unknown, make: () => Discoverer): void => {
        const key = `${job}\x00${kind}/${i}\x00${JSON.stringify(cfg)}`;
        keys.push(key);
        wanted.set(key, make);
      };
      const log = (mechanism: string) => this.opts.logger.child({ job, mechanism });
      if (c.staticConfigs.length > 0) {
        add("static", 0, c.staticConfigs, () => new StaticDiscoverer(c.staticConfigs));
      }
      c.fileSdConfigs.forEach((f, i) =>
        add("file", i, f, () => new FileDiscoverer(f, log("file"))),
      );
      c.httpSdConfigs.forEach((h, i) =>
        add("http", i, h, () => new HttpDiscoverer(h, log("http"), this.opts.userAgent)),
      );
      c.dnsSdConfigs.forEach((d, i) =>
        add("dns", i, d, () => new DnsDiscoverer(d, log("dns"), this.opts.dnsResolver)),
      );
      jobs.set(job, keys);
    }
    for (const [key, p] of this.providers) {
      if (!wanted.has(key)) {
        p.abort.abort();
        this.providers.delete(key);
      }
    }
    for (const [key, make] of wanted) {
      if (!this.providers.has(key)) this.start(key, make());
    }
    this.jobs = jobs;
    this.schedule();
  }

  /** targetGroups returns the current groups of every job. */
  targetGroups(): Map<string, TargetGroup[]> {
    const out = new Map<string, TargetGroup[]>();
    for (const [job, keys] of this.jobs) {
      const groups: TargetGroup[] = [];
      for (const k of keys) {
        const p = this.providers.get(k);
        if (p) for (const g of p.groups.values()) groups.push(g);
      }
      out.set(job, groups);
    }
    return out;
  }

  /** stop stops every discoverer and waits for them to finish. No update is sent after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const all = [...this.providers.values()];
    this.providers.clear();
    for (const p of all) p.abort.abort();
    await Promise.all(all.map((p) => p.done));
  }

  private start(key: string, d: Discoverer): void {
    const abort = new AbortController();
    const groups = new Map<string, TargetGroup>();
    const p: Provider = {
      key,
      abort,
      groups,
      done: d
        .run(abort.signal, (update) => {
          if (abort.signal.aborted) return;
          for (const g of update) {
            if (g.targets.length === 0) groups.delete(g.source);
            else groups.set(g.source, g);
          }
          this.schedule();
        })
        .catch((err: unknown) => {
          this.opts.logger.error({ err: errorMessage(err) }, "discoverer failed");
        }),
    };
    this.providers.set(key, p);
  }

  /** schedule sends an update now, or when the update interval since the last one has passed. */
  private schedule(): void {
    if (this.timer || this.stopped) return;
    const wait = Math.max(0, this.lastSendMs + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.lastSendMs = Date.now();
      try {
        this.opts.onUpdate(this.targetGroups());
      } catch (err) {
        this.opts.logger.error({ err: errorMessage(err) }, "applying discovered targets failed");
      }
    }, wait);
  }
}
