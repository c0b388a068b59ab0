// The Discoverer contract and the refresh loop that most discoverers share
// (prometheus discovery/discovery.go Discoverer, discovery/refresh/refresh.go).
import type { Logger } from "../util/logging/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { TargetGroup } from "./targetgroup.ts";

/** UpdateFn receives target groups that changed; see TargetGroup for replacement by source. */
export type UpdateFn = (groups: readonly TargetGroup[]) => void;

/**
 * Discoverer finds targets. `run` sends updates through `update` until `signal` aborts, then
 * resolves; it never rejects (problems are logged, and the last good groups stay in force).
 * The first update should come as soon as the first look-up finishes.
 */
export interface Discoverer {
  run(signal: AbortSignal, update: UpdateFn): Promise<void>;
}

/** sleep waits ms, or less when signal aborts; it never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * runRefresh calls refresh at once and then every intervalMs until signal aborts, sending each
 * successful result. A failed refresh is logged and sends nothing, so the previous groups stay
 * (refresh.Discovery in Prometheus).
 */
export async function runRefresh(
  signal: AbortSignal,
  update: UpdateFn,
  intervalMs: number,
  refresh: (signal: AbortSignal) => Promise<TargetGroup[]>,
  logger: Logger,
  mechanism: string,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const groups = await refresh(signal);
      if (!signal.aborted) update(groups);
    } catch (err) {
      if (!signal.aborted) {
        logger.error({ mechanism, err: errorMessage(err) }, "unable to refresh target groups");
      }
    }
    await sleep(intervalMs, signal);
  }
}
