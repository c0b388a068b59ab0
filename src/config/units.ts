// Byte sizes in configuration files: "10MiB", "512KB", "1048576".

/** Size units in bytes, largest first so that formatBytes picks the shortest exact form. */
const BYTE_UNITS: readonly (readonly [unit: string, bytes: number])[] = [
  ["GiB", 1024 ** 3],
  ["GB", 1000 ** 3],
  ["MiB", 1024 ** 2],
  ["MB", 1000 ** 2],
  ["KiB", 1024],
  ["KB", 1000],
  ["B", 1],
];

const UNIT_BYTES = new Map(BYTE_UNITS);

const SIZE_RE = /^([0-9]+) ?([A-Za-z]*)$/;

/**
 * parseBytes parses a byte size: a non-negative integer, optionally followed (with at most one
 * space between) by one of the case-sensitive units B, KB (1000), KiB (1024), MB, MiB, GB and
 * GiB, e.g. "10MiB", "512 KB" or "1048576". It throws an Error with the message
 * `invalid size "<s>"` when the text does not parse or the size exceeds
 * Number.MAX_SAFE_INTEGER.
 */
export function parseBytes(s: string): number {
  const m = SIZE_RE.exec(s);
  const unitBytes = m ? UNIT_BYTES.get(m[2] || "B") : undefined;
  if (!m || unitBytes === undefined) throw new Error(`invalid size ${JSON.stringify(s)}`);
  const bytes = Number(m[1]) * unitBytes;
  if (!Number.isSafeInteger(bytes)) throw new Error(`invalid size ${JSON.stringify(s)}`);
  return bytes;
}

/**
 * formatBytes renders a byte count in the largest unit that divides it exactly, so that
 * parseBytes(formatBytes(n)) === n: 10485760 → "10MiB", 1000 → "1KB", 1500 → "1500B".
 * It throws a RangeError unless bytes is a non-negative safe integer.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`cannot format byte size ${bytes}`);
  }
  if (bytes === 0) return "0B";
  const [unit, unitBytes] = BYTE_UNITS.find(([, b]) => bytes % b === 0) ?? ["B", 1];
  return `${bytes / unitBytes}${unit}`;
}
