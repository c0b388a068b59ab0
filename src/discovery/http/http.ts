// HTTP-based service discovery (prometheus discovery/http/http.go): a JSON list of target
// groups fetched from a URL every refresh_interval.
import type { Logger } from "../../util/logging/index.ts";
import { HttpClient } from "../../util/http-client/index.ts";
import type { Discoverer, UpdateFn } from "../discoverer.ts";
import { runRefresh } from "../discoverer.ts";
import type { HttpSdConfig } from "../config.ts";
import type { TargetGroup } from "../targetgroup.ts";
import { META_LABEL_PREFIX, parseTargetGroups } from "../targetgroup.ts";

/** URL_LABEL holds the URL a target was discovered from. */
export const URL_LABEL = `${META_LABEL_PREFIX}url`;

const CONTENT_TYPE = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;

/**
 * HttpDiscoverer fetches target groups from a URL. Each group gets `__meta_url` and the source
 * `<url>:<index>`; groups that a later response no longer has are removed. A failed fetch
 * (network error, non-200 status, a content type other than application/json, bad JSON) is
 * logged and keeps the previous groups. The fetch times out after refresh_interval.
 */
export class HttpDiscoverer implements Discoverer {
  private lastLength = 0;

  constructor(
    private readonly cfg: HttpSdConfig,
    private readonly logger: Logger,
    private readonly userAgent = "Vigil",
  ) {}

  async run(signal: AbortSignal, update: UpdateFn): Promise<void> {
    const client = new HttpClient(this.cfg.httpClient, this.userAgent);
    try {
      await runRefresh(
        signal,
        update,
        this.cfg.refreshIntervalMs,
        (s) => this.refresh(client, s),
        this.logger,
        "http",
      );
    } finally {
      client.close();
    }
  }

  /** refresh fetches the URL once; exported behaviour for tests through run. */
  async refresh(client: HttpClient, signal: AbortSignal): Promise<TargetGroup[]> {
    const url = this.cfg.url;
    const res = await client.request(url, {
      signal,
      timeoutMs: this.cfg.refreshIntervalMs,
      headers: {
        Accept: "application/json",
        "X-Prometheus-Refresh-Interval-Seconds": String(this.cfg.refreshIntervalMs / 1000),
      },
    });
    if (res.status !== 200) {
      throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
    }
    const ct = String(res.headers["content-type"] ?? "");
    if (!CONTENT_TYPE.test(ct.trim())) {
      throw new Error(`unsupported content type ${JSON.stringify(ct)}`);
    }
    const groups: TargetGroup[] = parseTargetGroups(JSON.parse(res.body.toString("utf8")), url).map(
      (g) => ({
        ...g,
        labels: { ...g.labels, [URL_LABEL]: url },
      }),
    );
    const n = groups.length;
    for (let i = n; i < this.lastLength; i++) {
      groups.push({ source: `${url}:${i}`, targets: [], labels: {} });
    }
    this.lastLength = n;
    return groups;
  }
}
