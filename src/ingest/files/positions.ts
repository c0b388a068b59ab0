// The positions file: how far each file has been committed to storage, so that a restart
// resumes where the last run stopped (promtail clients/pkg/promtail/positions/positions.go keeps
// path → offset in YAML; Vigil keys files by device and inode, so that a renamed file keeps its
// position, and records the batch in flight, so that a crash during a commit can be replayed
// with the same timestamps).
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * PendingRange is a batch sent to storage whose commit was not yet known to have succeeded:
 * the bytes [offset, end) of the file, sent as lines with timestamps tsNs, tsNs+1, … under
 * `labels`. A restart sends exactly these entries again, so storage de-duplicates them.
 */
export interface PendingRange {
  readonly end: number;
  readonly tsNs: bigint;
  readonly labels: Readonly<Record<string, string>>;
  /** skipAfter is the skipping state at `end` (an over-long line continues past it). */
  readonly skipAfter: boolean;
}

/** Position is the saved state of one file. */
export interface Position {
  /** dev and ino identify the file (decimal strings: inode numbers may exceed 2^53). */
  readonly dev: string;
  readonly ino: string;
  /** path is the path the file was last found at. */
  readonly path: string;
  /** filename is the value of the stream's filename label (the path it was first found at). */
  readonly filename: string;
  /** offset: every byte before it has been committed to storage (or skipped). */
  readonly offset: number;
  /** skipping is true when the bytes at offset belong to an over-long line being skipped. */
  readonly skipping: boolean;
  /**
   * head is a hash of the file's first bytes (at most HEAD_BYTES, never past offset), so that
   * a new file that reuses a deleted file's inode while Vigil is stopped is read from its
   * start rather than from the old file's offset; "" when offset is 0.
   */
  readonly head: string;
  readonly pending?: PendingRange;
}

/** HEAD_BYTES is how many leading bytes of a file Position.head covers at most. */
export const HEAD_BYTES = 256;

/** headHash hashes the leading bytes of a file for Position.head. */
export function headHash(bytes: Buffer): string {
  return bytes.length === 0
    ? ""
    : `${bytes.length}:${createHash("sha256").update(bytes).digest("hex").slice(0, 32)}`;
}

/** positionKey is the identity of a file: "<dev>:<ino>". */
export function positionKey(dev: bigint | string, ino: bigint | string): string {
  return `${dev}:${ino}`;
}

interface PositionJson {
  dev: string;
  ino: string;
  path: string;
  filename: string;
  offset: number;
  skipping?: boolean;
  head?: string;
  pending?: { end: number; ts_ns: string; labels: Record<string, string>; skip_after?: boolean };
}

const VERSION = 1;

/**
 * readPositions loads a positions file. A missing file is an empty map; a file that cannot be
 * parsed throws an Error naming it (the caller decides whether to start afresh).
 */
export async function readPositions(path: string): Promise<Map<string, Position>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw err;
  }
  const out = new Map<string, Position>();
  try {
    const doc = JSON.parse(text) as { version?: unknown; files?: unknown };
    if (doc.version !== VERSION || !Array.isArray(doc.files)) {
      throw new Error(`unsupported format (want version ${VERSION})`);
    }
    for (const f of doc.files as PositionJson[]) {
      if (
        typeof f.dev !== "string" ||
        typeof f.ino !== "string" ||
        typeof f.path !== "string" ||
        typeof f.filename !== "string" ||
        !Number.isSafeInteger(f.offset) ||
        f.offset < 0
      ) {
        throw new Error(`invalid entry ${JSON.stringify(f)}`);
      }
      const pos: Position = {
        dev: f.dev,
        ino: f.ino,
        path: f.path,
        filename: f.filename,
        offset: f.offset,
        skipping: f.skipping === true,
        head: typeof f.head === "string" ? f.head : "",
        ...(f.pending !== undefined && {
          pending: {
            end: f.pending.end,
            tsNs: BigInt(f.pending.ts_ns),
            labels: f.pending.labels,
            skipAfter: f.pending.skip_after === true,
          },
        }),
      };
      out.set(positionKey(pos.dev, pos.ino), pos);
    }
  } catch (err) {
    throw new Error(`invalid positions file ${JSON.stringify(path)}`, { cause: err });
  }
  return out;
}

/**
 * writePositions replaces the positions file atomically: the new content goes to a temporary
 * file in the same directory, is flushed to disk, and is renamed over the old one, so that a
 * crash leaves either the old or the new file, never a torn one.
 */
export async function writePositions(path: string, positions: Iterable<Position>): Promise<void> {
  const files: PositionJson[] = [];
  for (const p of positions) {
    const f: PositionJson = {
      dev: p.dev,
      ino: p.ino,
      path: p.path,
      filename: p.filename,
      offset: p.offset,
    };
    if (p.skipping) f.skipping = true;
    if (p.head !== "") f.head = p.head;
    if (p.pending) {
      f.pending = {
        end: p.pending.end,
        ts_ns: p.pending.tsNs.toString(),
        labels: { ...p.pending.labels },
        ...(p.pending.skipAfter && { skip_after: true }),
      };
    }
    files.push(f);
  }
  const text = JSON.stringify({ version: VERSION, files }, null, 1) + "\n";
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  const fh = await open(tmp, "w", 0o644);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
