// Garbage-collector settings for a long-running Vigil process.
//
// V8 sizes the old generation from how fast its collector is compared to the program's
// allocation: for a server whose live heap is steady and whose allocation is slow, that means
// a full collection for every few megabytes promoted — one every second or two under a steady
// scrape load (bench/scrape.ts, 100k series), the largest single cost of ingest. Prometheus
// makes the same trade for Go's collector (it sets GOGC to 75 by default, runtime.gogc in
// prometheus.yml): a little more memory between collections for much less collector work.
import { setFlagsFromString } from "node:v8";

/**
 * GC_FLAGS: the old generation grows by half its live size between full collections (instead
 * of about a tenth), and the young generation may grow to 32 MiB a semi-space so that a scrape's
 * short-lived objects die there instead of being promoted.
 */
export const GC_FLAGS = ["--heap-growing-percent=50", "--max-semi-space-size=32"] as const;

/**
 * tuneGarbageCollector applies GC_FLAGS, except a flag the process was started with (on the
 * command line or in NODE_OPTIONS), which wins. It returns the flags it set. Call it first
 * thing, before the heap grows.
 */
export function tuneGarbageCollector(
  given: string = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" "),
): string[] {
  const set: string[] = [];
  for (const f of GC_FLAGS) {
    const name = f.slice(0, f.indexOf("="));
    const alt = "--" + name.slice(2).replaceAll("-", "_");
    if (given.includes(name) || given.includes(alt)) continue;
    setFlagsFromString(f);
    set.push(f);
  }
  return set;
}
