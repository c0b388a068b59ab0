// Formatting of values, units and label sets for display.

/** UNITS are the value units a graph or table can show; "" is a plain number. */
export const UNITS = ["", "short", "bytes", "seconds", "percent", "percentunit"] as const;

/** Unit is one of UNITS. */
export type Unit = (typeof UNITS)[number];

/** UNIT_NAMES are the labels of UNITS in the unit picker. */
export const UNIT_NAMES: Record<Unit, string> = {
  "": "none",
  short: "short (k, M, G)",
  bytes: "bytes (KiB, MiB)",
  seconds: "seconds",
  percent: "percent (0-100)",
  percentunit: "percent (0.0-1.0)",
};

/** isUnit narrows a string to Unit. */
export function isUnit(s: string): s is Unit {
  return (UNITS as readonly string[]).includes(s);
}

/** parseSampleValue reads a sample value as the APIs write it ("1.5", "NaN", "+Inf", "-Inf"). */
export function parseSampleValue(s: string): number {
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

function trim(n: number, digits: number): string {
  // toPrecision keeps significant digits; Number() drops trailing zeros and exponent noise.
  return String(Number(n.toPrecision(digits)));
}

function scaled(v: number, base: number, units: string[], digits: number): string {
  const a = Math.abs(v);
  let i = 0;
  while (i < units.length - 1 && a >= base ** (i + 1)) i++;
  return `${trim(v / base ** i, digits)}${units[i]}`;
}

/** formatValue writes a sample value in a unit, with about four significant digits. */
export function formatValue(v: number | null | undefined, unit: Unit = ""): string {
  if (v === null || v === undefined) return "";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  switch (unit) {
    case "":
      return Math.abs(v) >= 1e15 || (v !== 0 && Math.abs(v) < 1e-4)
        ? v.toExponential(3).replace(/\.?0+e/, "e")
        : Number.isInteger(v)
          ? String(v)
          : trim(v, 6);
    case "short":
      if (Math.abs(v) < 1000) return trim(v, 4);
      return scaled(v, 1000, ["", "k", "M", "G", "T", "P", "E"], 4);
    case "bytes":
      return `${scaled(v, 1024, ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"], 4)}B`;
    case "seconds": {
      const a = Math.abs(v);
      if (a === 0) return "0s";
      if (a < 1e-3) return `${trim(v * 1e6, 4)}µs`;
      if (a < 1) return `${trim(v * 1e3, 4)}ms`;
      if (a < 60) return `${trim(v, 4)}s`;
      if (a < 3600) return `${trim(v / 60, 4)}min`;
      if (a < 86400) return `${trim(v / 3600, 4)}h`;
      return `${trim(v / 86400, 4)}d`;
    }
    case "percent":
      return `${trim(v, 4)}%`;
    case "percentunit":
      return `${trim(v * 100, 4)}%`;
  }
}

/**
 * formatSeriesName writes a series the way PromQL does: `name{a="b", c="d"}`, labels sorted,
 * `{}` for an empty set and the bare name when there are no other labels.
 */
export function formatSeriesName(metric: Record<string, string>): string {
  const name = metric.__name__ ?? "";
  const labels = Object.keys(metric)
    .filter((k) => k !== "__name__")
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  if (labels.length === 0) return name === "" ? "{}" : name;
  return `${name}{${labels.join(", ")}}`;
}

/** formatBytes writes a byte count with IEC units ("1.5KiB"). */
export function formatBytes(n: number): string {
  return formatValue(n, "bytes");
}

/** formatSecondsDuration writes a duration given in seconds ("12.3ms", "1.5s"). */
export function formatSecondsDuration(s: number): string {
  return formatValue(s, "seconds");
}
