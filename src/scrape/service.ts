// ScrapeService wires service discovery to the scrape manager: the two run side by side as in
// Prometheus's main.go, discovery feeding target groups to scraping.
import type { DnsResolver } from "../discovery/index.ts";
import { DiscoveryManager } from "../discovery/index.ts";
import type { Storage } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import type { GlobalConfig, ScrapeConfig } from "./config.ts";
import { ScrapeManager, offsetSeedFor } from "./manager.ts";

/** ScrapeServiceOptions configure a ScrapeService. */
export interface ScrapeServiceOptions {
  readonly storage: Pick<Storage, "appender">;
  readonly logger: Logger;
  /** discoveryUpdateIntervalMs batches discovery updates; default 5000 as in Prometheus. */
  readonly discoveryUpdateIntervalMs?: number;
  /** externalLabels seed the scrape phase (they are not added to stored series). */
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly dnsResolver?: DnsResolver;
  readonly userAgent?: string;
  /** skipOffset starts scraping new targets at once (tests). */
  readonly skipOffset?: boolean;
}

/**
 * ScrapeService scrapes the jobs of a configuration: `applyConfig` at start and on every
 * reload, `stop` on shutdown. Its managers are exposed for the targets API.
 */
export class ScrapeService {
  readonly scrapeManager: ScrapeManager;
  readonly discoveryManager: DiscoveryManager;

  constructor(opts: ScrapeServiceOptions) {
    const logger = opts.logger.child({ component: "scrape" });
    this.scrapeManager = new ScrapeManager({
      storage: opts.storage,
      logger,
      offsetSeed: offsetSeedFor(opts.externalLabels ?? {}),
      userAgent: opts.userAgent,
      skipOffset: opts.skipOffset,
    });
    this.discoveryManager = new DiscoveryManager({
      logger: opts.logger.child({ component: "discovery" }),
      updateIntervalMs: opts.discoveryUpdateIntervalMs,
      dnsResolver: opts.dnsResolver,
      userAgent: opts.userAgent,
      onUpdate: (groups) => {
        this.scrapeManager.sync(groups).catch((err: unknown) => {
          logger.error({ err: errorMessage(err) }, "applying targets failed");
        });
      },
    });
  }

  /** applyConfig applies the scrape settings of a (re)loaded configuration. */
  async applyConfig(_global: GlobalConfig, scrapeConfigs: readonly ScrapeConfig[]): Promise<void> {
    await this.scrapeManager.applyConfig(scrapeConfigs);
    this.discoveryManager.applyConfig(new Map(scrapeConfigs.map((c) => [c.jobName, c])));
  }

  /** stop stops discovery and scraping. */
  async stop(): Promise<void> {
    await this.discoveryManager.stop();
    await this.scrapeManager.stop();
  }
}
