// The store of received alerts (provider/mem/mem.go): one alert per label set, merged with its
// previous version when their activity ranges overlap, resolved ones collected periodically,
// and listeners (the dispatcher, the inhibitor) told of every stored alert. Vigil also keeps the
// store in a snapshot file, so that alert groups are rebuilt after a restart.
import type { Alert } from "./alert.ts";
import { fingerprint, merge, resolvedAt } from "./alert.ts";
import type { JournalFile } from "../util/state-file.ts";

/** StoreRecord is one journal record: an alert as stored, or the deletion of one. */
export type StoreRecord = { readonly a: Alert } | { readonly d: string };

/** AlertListener is told of each alert as stored (after merging). */
export type AlertListener = (a: Alert, fp: string) => void;

/** AlertStore holds the alerts; see the file comment. */
export class AlertStore {
  private readonly alerts = new Map<string, Alert>();
  private readonly listeners = new Set<AlertListener>();
  private file: JournalFile<StoreRecord> | undefined;

  constructor(private readonly now: () => number) {}

  /** attach makes the store durable in file, loading what it holds. */
  attach(file: JournalFile<StoreRecord>): void {
    this.file = file;
    const { snapshot, records } = file.load();
    const doc = snapshot as { alerts?: Alert[] } | undefined;
    for (const a of doc?.alerts ?? []) this.alerts.set(fingerprint(a.labels), a);
    for (const r of records) {
      if ("a" in r) this.alerts.set(fingerprint(r.a.labels), r.a);
      else this.alerts.delete(r.d);
    }
  }

  snapshot(): { alerts: Alert[] } {
    return { alerts: [...this.alerts.values()] };
  }

  /** subscribe adds a listener and returns the alerts held now (SlurpAndSubscribe). */
  subscribe(l: AlertListener): Alert[] {
    this.listeners.add(l);
    return [...this.alerts.values()];
  }

  unsubscribe(l: AlertListener): void {
    this.listeners.delete(l);
  }

  /**
   * put stores alerts (Alerts.Put), tells the listeners, and resolves once the store is
   * durable.
   */
  async put(alerts: readonly Alert[]): Promise<void> {
    const now = this.now();
    const stored: StoreRecord[] = [];
    for (let a of alerts) {
      const fp = fingerprint(a.labels);
      const old = this.alerts.get(fp);
      if (old !== undefined) {
        const overlaps =
          (a.endsAtMs > old.startsAtMs && a.endsAtMs < old.endsAtMs) ||
          (a.startsAtMs > old.startsAtMs && a.startsAtMs < old.endsAtMs);
        if (overlaps) a = merge(old, a, now);
      }
      this.alerts.set(fp, a);
      if (this.file) stored.push({ a });
      for (const l of this.listeners) l(a, fp);
    }
    await this.file?.append(stored);
  }

  get(fp: string): Alert | undefined {
    return this.alerts.get(fp);
  }

  /** list returns all alerts held (GetPending). */
  list(): Alert[] {
    return [...this.alerts.values()];
  }

  /** gc drops resolved alerts and returns them (the periodic GC, default every 30m). */
  gc(): Alert[] {
    const now = this.now();
    const deleted: Alert[] = [];
    for (const [fp, a] of this.alerts) {
      if (resolvedAt(a, now)) {
        this.alerts.delete(fp);
        deleted.push(a);
      }
    }
    if (deleted.length > 0)
      void this.file
        ?.append(deleted.map((a) => ({ d: fingerprint(a.labels) })))
        .catch(() => undefined);
    return deleted;
  }

  get size(): number {
    return this.alerts.size;
  }

  /** flush waits for a pending write. */
  async flush(): Promise<void> {
    await this.file?.flush();
  }
}
