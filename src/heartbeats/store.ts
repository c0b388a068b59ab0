// The heartbeat state file: what each check has received and the alert it has firing, as one
// JSON document written atomically (temporary file, fsync, rename, fsync of the directory), so
// that a restart neither forgets a missed beat nor leaves a firing alert unresolved.
import { readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { BeatKind, CheckRecord, LastMessage } from "./check.ts";
import { BEAT_KINDS } from "./check.ts";
import { SnapshotFile } from "../util/state-file.ts";

/** STATE_FILE is the state file's name under the service's data directory. */
export const STATE_FILE = "state.json";

/** AlertRecord is an alert a check has sent: firing, or resolved and still being re-sent. */
export interface AlertRecord {
  readonly alertname: string;
  readonly startsAtMs: number;
  /** labels and annotations as last sent. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** resolvedAtMs is set once the alert is resolved. */
  resolvedAtMs?: number;
  /** lastSentMs is when it was last sent; not persisted (a restart sends at once). */
  lastSentMs?: number;
}

/** StoredCheck is one check's persisted state. */
export interface StoredCheck {
  record: CheckRecord;
  alert?: AlertRecord;
}

interface StateDocument {
  version: 1;
  checks: Record<string, StoredCheck>;
}

/**
 * StateFile reads and writes the state document. Saves are serialized and coalesced: a save
 * requested while another is being written waits for it and then writes once for every caller
 * that asked meanwhile; its promise resolves when a write that began after the call is done.
 */
export class StateFile {
  readonly path: string;
  readonly #snapshot: () => ReadonlyMap<string, StoredCheck>;
  readonly #file: SnapshotFile;

  constructor(dir: string, snapshot: () => ReadonlyMap<string, StoredCheck>) {
    this.path = join(dir, STATE_FILE);
    this.#snapshot = snapshot;
    this.#file = new SnapshotFile(this.path, () => this.#document());
  }

  /**
   * load reads the document: an empty map when there is none. A file that is not a valid state
   * document is set aside as <file>.corrupt (and reported through onCorrupt) rather than
   * stopping Vigil from starting; entries that are malformed are skipped.
   */
  load(onCorrupt: (err: Error) => void): Map<string, StoredCheck> {
    const out = new Map<string, StoredCheck>();
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return out;
      throw err;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
      if (!isObject(doc) || doc.version !== 1 || !isObject(doc.checks)) {
        throw new Error("not a heartbeat state document (version 1)");
      }
    } catch (err) {
      renameSync(this.path, `${this.path}.corrupt`);
      onCorrupt(new Error(`corrupt state file ${this.path}: ${(err as Error).message}`));
      return out;
    }
    for (const [name, v] of Object.entries(doc.checks as Record<string, unknown>)) {
      const c = parseStoredCheck(v);
      if (c) out.set(name, c);
    }
    return out;
  }

  /** save writes the current state; see the class comment. */
  save(): Promise<void> {
    return this.#file.save();
  }

  /** flush waits for the writes requested so far. */
  flush(): Promise<void> {
    return this.#file.flush();
  }

  #document(): StateDocument {
    const checks: Record<string, StoredCheck> = {};
    for (const [name, c] of this.#snapshot()) {
      checks[name] = {
        record: c.record,
        ...(c.alert && { alert: { ...c.alert, lastSentMs: undefined } }),
      };
    }
    return { version: 1, checks };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optTime(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== "string") return undefined;
    out[k] = s;
  }
  return out;
}

/** parseStoredCheck validates one entry of the document; undefined when it is malformed. */
function parseStoredCheck(v: unknown): StoredCheck | undefined {
  if (!isObject(v) || !isObject(v.record)) return undefined;
  const r = v.record;
  const firstSeenMs = optTime(r.firstSeenMs);
  if (firstSeenMs === undefined) return undefined;
  const record: CheckRecord = { firstSeenMs };
  const lastBeatMs = optTime(r.lastBeatMs);
  if (lastBeatMs !== undefined) record.lastBeatMs = lastBeatMs;
  const lastStartMs = optTime(r.lastStartMs);
  if (lastStartMs !== undefined) record.lastStartMs = lastStartMs;
  const lastFailMs = optTime(r.lastFailMs);
  if (lastFailMs !== undefined) record.lastFailMs = lastFailMs;
  if (typeof r.failed === "boolean") record.failed = r.failed;
  const m = r.lastMessage;
  if (
    isObject(m) &&
    BEAT_KINDS.includes(m.kind as BeatKind) &&
    optTime(m.timeMs) !== undefined &&
    typeof m.body === "string"
  ) {
    record.lastMessage = m as unknown as LastMessage;
  }
  const out: StoredCheck = { record };
  const a = v.alert;
  if (isObject(a) && typeof a.alertname === "string" && optTime(a.startsAtMs) !== undefined) {
    const labels = stringMap(a.labels);
    const annotations = stringMap(a.annotations);
    if (labels && annotations) {
      out.alert = {
        alertname: a.alertname,
        startsAtMs: a.startsAtMs as number,
        labels,
        annotations,
      };
      const resolvedAtMs = optTime(a.resolvedAtMs);
      if (resolvedAtMs !== undefined) out.alert.resolvedAtMs = resolvedAtMs;
    }
  }
  return out;
}
