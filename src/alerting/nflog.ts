// The notification log (nflog/nflog.go): for each aggregation group and integration, what was
// last notified and when, so that the dedup stage sends only what is new and repeats only after
// repeat_interval. Entries expire (2 × repeat_interval, at most the retention). The log is kept
// in a snapshot file so that nothing already sent is sent again after a restart.
import type { SnapshotFile } from "../util/state-file.ts";

/** NflogReceiver identifies one integration of one receiver (nflogpb.Receiver). */
export interface NflogReceiver {
  readonly groupName: string;
  readonly integration: string;
  readonly idx: number;
}

/** NflogEntry is the last notification of a group to an integration (nflogpb.Entry). */
export interface NflogEntry {
  readonly groupKey: string;
  readonly receiver: NflogReceiver;
  readonly timestampMs: number;
  /** Hashes of the alerts notified as firing / resolved (label-set fingerprints). */
  readonly firingAlerts: readonly string[];
  readonly resolvedAlerts: readonly string[];
  readonly expiresAtMs: number;
}

function stateKey(groupKey: string, r: NflogReceiver): string {
  return `${groupKey}:${r.groupName}/${r.integration}/${r.idx}`;
}

/** DEFAULT_RETENTION_MS is Alertmanager's --data.retention default (120h). */
export const DEFAULT_RETENTION_MS = 120 * 3_600_000;

/** NotificationLog stores the entries; see the file comment. */
export class NotificationLog {
  private readonly st = new Map<string, NflogEntry>();
  private file: SnapshotFile | undefined;

  constructor(
    private readonly now: () => number,
    readonly retentionMs = DEFAULT_RETENTION_MS,
  ) {}

  /** attach makes the log durable in file, loading what it holds. */
  attach(file: SnapshotFile): void {
    this.file = file;
    const doc = file.load() as { entries?: NflogEntry[] } | undefined;
    for (const e of doc?.entries ?? []) this.st.set(stateKey(e.groupKey, e.receiver), e);
    this.gc();
  }

  /** snapshot is the document written to the file. */
  snapshot(): { entries: NflogEntry[] } {
    return { entries: [...this.st.values()] };
  }

  /** query returns the entry of a group for an integration, if any. */
  query(groupKey: string, r: NflogReceiver): NflogEntry | undefined {
    const e = this.st.get(stateKey(groupKey, r));
    if (e === undefined || e.expiresAtMs <= this.now()) return undefined;
    return e;
  }

  /**
   * log records a notification (Log), and resolves once it is durable. expiryMs > 0 bounds the
   * entry's life below the retention.
   */
  async log(
    r: NflogReceiver,
    groupKey: string,
    firing: readonly string[],
    resolved: readonly string[],
    expiryMs: number,
  ): Promise<void> {
    const now = this.now();
    const key = stateKey(groupKey, r);
    const prev = this.st.get(key);
    if (prev && prev.timestampMs > now) return;
    const expiresAtMs =
      expiryMs > 0 && this.retentionMs > expiryMs ? now + expiryMs : now + this.retentionMs;
    this.st.set(key, {
      groupKey,
      receiver: r,
      timestampMs: now,
      firingAlerts: [...firing],
      resolvedAlerts: [...resolved],
      expiresAtMs,
    });
    await this.file?.save();
  }

  /** gc drops expired entries and returns how many (GC). */
  gc(): number {
    const now = this.now();
    let n = 0;
    for (const [k, e] of this.st) {
      if (e.expiresAtMs <= now) {
        this.st.delete(k);
        n++;
      }
    }
    return n;
  }

  /** size is the number of entries. */
  get size(): number {
    return this.st.size;
  }
}
