// Public API of scraping: the scrape_configs schema and types, targets, scrape loops, pools,
// the manager, the service that wires discovery to it, and the targets/metadata API data.
export type {
  GlobalConfig,
  NameValidationScheme,
  RawScrapeConfig,
  ScrapeConfig,
  ScrapeLimits,
} from "./config.ts";
export {
  DEFAULT_SAMPLE_LIMIT,
  NAME_VALIDATION_SCHEMES,
  formatBase2Bytes,
  globalSchema,
  parseBase2Bytes,
  resolveScrapeConfigs,
  scrapeConfigsSchema,
} from "./config.ts";
export type { DroppedTarget, MetricMetadata, PopulateResult, TargetHealth } from "./target.ts";
export {
  Target,
  discoveredLabels,
  populateLabels,
  targetUrl,
  targetsFromGroups,
} from "./target.ts";
export type { LabelLimits, ScrapeLoopOptions } from "./loop.ts";
export { ScrapeCache, ScrapeLoop, mutateSampleLabels } from "./loop.ts";
export type { ScrapePoolDeps } from "./pool.ts";
export { ScrapePool } from "./pool.ts";
export type { ScrapeManagerOptions } from "./manager.ts";
export { ScrapeManager, offsetSeedFor, sameConfig } from "./manager.ts";
export type { ScrapeServiceOptions } from "./service.ts";
export { ScrapeService } from "./service.ts";
