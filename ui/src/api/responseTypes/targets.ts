// /api/v1/targets.

/** Target is one active scrape target. */
export interface Target {
  readonly discoveredLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly globalUrl: string;
  readonly lastError: string;
  /** lastScrape is RFC 3339; Go's zero time when never scraped. */
  readonly lastScrape: string;
  /** lastScrapeDuration is in seconds. */
  readonly lastScrapeDuration: number;
  readonly health: "up" | "down" | "unknown";
  readonly scrapeInterval: string;
  readonly scrapeTimeout: string;
}

/** DroppedTarget is a target that relabelling dropped. */
export interface DroppedTarget {
  readonly discoveredLabels: Record<string, string>;
  readonly scrapePool?: string;
}

/** TargetsResult is the data of /api/v1/targets. */
export interface TargetsResult {
  readonly activeTargets: Target[];
  readonly droppedTargets: DroppedTarget[];
  readonly droppedTargetCounts: Record<string, number> | null;
}
