// Shared pieces of the log benchmarks' line generators: a seeded random source and the
// vocabulary the synthetic lines are made of.

/** SeededRandom draws from Mulberry32 (small, fast, deterministic). */
export interface SeededRandom {
  rand(): number;
  pick<T>(xs: readonly T[]): T;
  /** hex returns n random hex digits. */
  hex(n: number): string;
}

export function seededRandom(seed: number): SeededRandom {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    rand,
    pick: (xs) => xs[Math.floor(rand() * xs.length)]!,
    hex: (n) => {
      let out = "";
      for (let i = 0; i < n; i++) out += "0123456789abcdef"[Math.floor(rand() * 16)];
      return out;
    },
  };
}

export const PATHS = [
  "/api/v1/users",
  "/api/v1/orders",
  "/api/v1/cart",
  "/health",
  "/metrics",
  "/login",
];
export const MSGS = [
  "request handled",
  "cache miss",
  "retrying upstream call",
  "connection reset by peer",
  "slow query",
  "user logged in",
  "payment authorized",
  "queue depth high",
];
export const LEVELS = ["info", "info", "info", "info", "debug", "warn", "error"];
