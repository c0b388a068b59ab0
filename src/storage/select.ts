import type { Labels, Matcher } from "../model/labels/index.ts";
import { getLabel } from "../model/labels/index.ts";

/** matchesAll reports whether a label set satisfies every matcher (missing label = ""). */
export function matchesAll(labels: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) if (!m.matches(getLabel(labels, m.name))) return false;
  return true;
}

/**
 * lowerBound returns the first index i in the sorted array with a[i] >= x (a.length if none).
 */
export function lowerBound(a: Float64Array, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
