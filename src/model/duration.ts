// Prometheus-style durations ("1h30m", "60d", "500ms"), in milliseconds. The grammar and the
// formatting match ParseDuration and Duration.String in prometheus/common model/time.go.

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
const YEAR_MS = 365 * DAY_MS;

/**
 * MAX_DURATION_MS is the longest duration parseDuration accepts: the largest Go time.Duration
 * (2^63-1 ns, about 292 years) in whole milliseconds, so that every duration Vigil accepts is
 * one Prometheus accepts too.
 */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** Units from the largest to the smallest; in a duration string they must appear in this order. */
const UNITS: readonly (readonly [unit: string, ms: number])[] = [
  ["y", YEAR_MS],
  ["w", WEEK_MS],
  ["d", DAY_MS],
  ["h", HOUR_MS],
  ["m", MINUTE_MS],
  ["s", SECOND_MS],
  ["ms", 1],
];

const UNIT_INDEX = new Map(UNITS.map(([unit], i) => [unit, i]));

/**
 * parseDuration parses a Prometheus duration such as "15s", "1h30m", "60d", "2w", "1y" or
 * "500ms" into milliseconds. Each component is a non-negative integer followed by one of the
 * units y (365d), w (7d), d (24h), h, m, s and ms; components must appear in descending unit
 * order, each unit at most once. "0" is accepted without a unit. Negative and fractional
 * durations are not. It throws an Error with the message `invalid duration "<s>"` on bad input
 * or on a duration longer than MAX_DURATION_MS.
 */
export function parseDuration(s: string): number {
  if (s === "0") return 0;
  const invalid = (): Error => new Error(`invalid duration ${JSON.stringify(s)}`);
  if (s === "") throw invalid();

  let totalMs = 0;
  let lastUnit = -1;
  let i = 0;
  while (i < s.length) {
    const numStart = i;
    while (i < s.length && isDigit(s, i)) i++;
    if (i === numStart) throw invalid();
    const value = Number(s.slice(numStart, i));

    const unitStart = i;
    while (i < s.length && !isDigit(s, i)) i++;
    const unit = UNIT_INDEX.get(s.slice(unitStart, i));
    // An unknown or missing unit, or one that is not smaller than the previous one.
    if (unit === undefined || unit <= lastUnit) throw invalid();
    lastUnit = unit;

    // Both operands stay below 2^53 whenever the checks pass, so the arithmetic is exact.
    const termMs = value * UNITS[unit][1];
    if (value > MAX_DURATION_MS || termMs > MAX_DURATION_MS) throw invalid();
    totalMs += termMs;
    if (totalMs > MAX_DURATION_MS) throw invalid();
  }
  return totalMs;
}

/**
 * formatDuration renders milliseconds as a Prometheus duration string, the inverse of
 * parseDuration: 90000 → "1m30s", 0 → "0s", 172800000 → "2d", 604800000 → "1w". Years and
 * weeks are used only when they divide the duration exactly, so 90 days prints as "90d" rather
 * than "12w6d". Fractions of a millisecond are truncated and negative durations get a leading
 * "-". It throws a RangeError for NaN and infinities.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format duration ${ms}`);
  let rest = Math.trunc(Math.abs(ms));
  if (rest === 0) return "0s";

  let out = ms < 0 ? "-" : "";
  for (const [unit, unitMs] of UNITS) {
    if ((unit === "y" || unit === "w") && rest % unitMs !== 0) continue;
    const n = Math.floor(rest / unitMs);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * unitMs;
    }
  }
  return out;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}
