// Process measurements shared by the benchmarks (Linux /proc).
import { readFileSync } from "node:fs";

/** cpuSeconds is the user+system CPU of a process and all its threads. */
export function cpuSeconds(pid: number): number {
  const st = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** minorFaults is the number of minor page faults of a process and all its threads. */
export function minorFaults(pid: number): number {
  const st = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[7]);
}

/** rssBytes is the resident set size of a process. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** loadAverage is the 1, 5 and 15 minute load average as printed by uptime. */
export function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** median of a list (NaN when empty). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** quantile by nearest rank (q in [0, 1]). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
