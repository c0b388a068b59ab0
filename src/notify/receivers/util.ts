// Small helpers shared by the integrations: truncation with Alertmanager's marker, secrets
// read from files, and the group-key hash used as a deduplication key.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { NotifyError } from "../notifier.ts";

/** TRUNCATION_MARKER is appended to truncated text, as Alertmanager's notify.truncationMarker. */
export const TRUNCATION_MARKER = "…";

/** Truncated is a possibly shortened text and whether it was shortened. */
export interface Truncated {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * truncateInRunes shortens s to at most n code points, the last being "…" when it was cut and
 * n > 3 (notify.TruncateInRunes).
 */
export function truncateInRunes(s: string, n: number): Truncated {
  const runes = [...s];
  if (runes.length <= n) return { text: s, truncated: false };
  if (n <= 3) return { text: runes.slice(0, n).join(""), truncated: true };
  return { text: runes.slice(0, n - 1).join("") + TRUNCATION_MARKER, truncated: true };
}

/**
 * truncateInBytes shortens s to at most n UTF-8 bytes without splitting a character, ending in
 * "…" (3 bytes) when it was cut (notify.TruncateInBytes).
 */
export function truncateInBytes(s: string, n: number): Truncated {
  if (Buffer.byteLength(s, "utf8") <= n) return { text: s, truncated: false };
  if (n <= 3) return { text: n === 3 ? TRUNCATION_MARKER : ".".repeat(n), truncated: true };
  const target = n - 3;
  let out = "";
  let size = 0;
  for (const ch of s) {
    const len = Buffer.byteLength(ch, "utf8");
    if (size + len > target) break;
    out += ch;
    size += len;
  }
  return { text: out + TRUNCATION_MARKER, truncated: true };
}

/**
 * readSecretFile reads a secret from a file, trimmed of surrounding white space as
 * Alertmanager trims url_file, routing_key_file and the like. A file that cannot be read is a
 * configuration problem: it rejects with a NotifyError without retry, naming the file but
 * never its content.
 */
export async function readSecretFile(path: string, opts: { trim?: boolean } = {}): Promise<string> {
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new NotifyError(`could not read ${path}: ${code}`, { retry: false });
  }
  return opts.trim === false ? content : content.trim();
}

/** secretOrFile returns the inline secret, or the content of file when one is named. */
export async function secretOrFile(inline: string, file: string | undefined): Promise<string> {
  return file !== undefined && file !== "" ? readSecretFile(file) : inline;
}

/**
 * hashKey is notify.Key.Hash: the SHA-256 of a group key in lower-case hex, used where an
 * integration limits the length of its deduplication key (PagerDuty dedup_key, Opsgenie alias,
 * VictorOps entity_id).
 */
export function hashKey(groupKey: string): string {
  return createHash("sha256").update(groupKey, "utf8").digest("hex");
}

/** safeSplit splits s by sep after trimming it, dropping empty parts (opsgenie safeSplit). */
export function safeSplit(s: string, sep: string): string[] {
  return s
    .trim()
    .split(sep)
    .filter((x) => x !== "");
}
