// GroupStore keeps the pushed groups, with the write semantics of the Pushgateway's
// DiskMetricStore (storage/diskmetricstore.go): PUT replaces a group, POST replaces families of
// the same name, DELETE removes a group; push_time_seconds and push_failure_time_seconds per
// group; a push that would make the gathered exposition inconsistent is refused.
//
// Where the Pushgateway waits to be scraped, Vigil writes: every change appends the group's
// current values to storage (and stale markers for series that went away), and every
// resend interval all groups are appended again, so that pushed series stay visible within
// PromQL's lookback window. Groups are kept in a JSON file (written to a temporary file, synced
// and renamed) that is flushed before a push is answered, so that a restart keeps them. A group
// may have a time to live, after which it is deleted like a DELETE would (a Vigil extension).
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";
import type { Labels } from "../model/labels/index.ts";
import { labelsKey } from "../model/labels/index.ts";
import { STALE_NAN } from "../model/value/index.ts";
import type { Storage } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import { checkConsistency, formatErrors } from "./consistency.ts";
import type { FamilyJson, FlatSample, PushFamily } from "./family.ts";
import { familyFromJson, familyToJson, flattenFamily, sanitizeFamily } from "./family.ts";
import { groupingKey } from "./grouping.ts";

/** PUSH_TIME_METRIC and PUSH_FAILURE_TIME_METRIC are the Pushgateway's per-group gauges. */
export const PUSH_TIME_METRIC = "push_time_seconds";
export const PUSH_FAILURE_TIME_METRIC = "push_failure_time_seconds";
const PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
const PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";

/** The prefix of every consistency error (handler/push.go). */
const INCONSISTENT = "pushed metrics are invalid or inconsistent with existing metrics: ";

const FILE_VERSION = 1;

/** StoredFamily is a family with the time (ms) of the push that last set it. */
export interface StoredFamily {
  readonly family: PushFamily;
  readonly timestampMs: number;
}

/** Group is one pushed group: its grouping labels and families. */
export interface Group {
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly families: ReadonlyMap<string, StoredFamily>;
  /** ttlMs: the group is deleted this long after its last successful push; 0 means never. */
  readonly ttlMs: number;
  /** lastPushMs: time of the last successful push (or of the group's creation). */
  readonly lastPushMs: number;
}

interface LiveGroup extends Group {
  /** series are the group's current series and values. */
  readonly series: readonly FlatSample[];
  /** lastEmitMs is the timestamp of the group's last samples in storage. */
  lastEmitMs: number;
}

/** PushRequest is one PUT (replace) or POST of families to a group. */
export interface PushRequest {
  readonly grouping: Readonly<Record<string, string>>;
  readonly families: ReadonlyMap<string, PushFamily>;
  readonly hasTimestamps: boolean;
  readonly replace: boolean;
  /** ttlMs sets the group's time to live (0 removes it); undefined keeps the group's. */
  readonly ttlMs?: number;
}

/** PushOutcome says whether a push was accepted; a refused one carries the 400 message. */
export type PushOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** NotReadyError is raised while storage is not open; the handler answers 503. */
export class NotReadyError extends Error {
  override readonly name = "NotReadyError";
  constructor() {
    super("storage not ready");
  }
}

/** GroupStoreOptions configure a GroupStore. */
export interface GroupStoreOptions {
  /** storage is the open storage, or undefined while it opens. */
  storage(): Storage | undefined;
  readonly logger: Logger;
  /** resendIntervalMs: how often every group's values are appended again. */
  readonly resendIntervalMs: number;
  /** persistenceFile: where groups are kept across restarts; none when undefined. */
  readonly persistenceFile?: string;
  /** registry receives the store's metrics; none are registered when absent. */
  readonly registry?: Registry;
  /** now is the clock (ms); default Date.now. */
  now?(): number;
  /** tickMs: how often TTLs are checked; default min(1s, resendIntervalMs). */
  readonly tickMs?: number;
}

/**
 * GroupStore holds the pushed groups. Changes are applied in memory synchronously, in request
 * order, and then written to storage and the persistence file; the returned promises resolve
 * once both are done. Call `load` before use, `start` once storage is open, `stop` at shutdown.
 */
export class GroupStore {
  private readonly groups = new Map<string, LiveGroup>();
  private readonly now: () => number;
  private resendTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private flushWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private tmpSeq = 0;

  constructor(private readonly opts: GroupStoreOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.registry) {
      const groups = this.groups;
      new Gauge({
        name: "vigil_pushgateway_groups",
        help: "Groups currently held by the Pushgateway API.",
        registers: [opts.registry],
        collect() {
          this.set(groups.size);
        },
      });
    }
  }

  /**
   * load reads the persistence file, if there is one. A missing file means no groups; an
   * unreadable one is logged and ignored (as the Pushgateway does), and overwritten by the next
   * change.
   */
  async load(): Promise<void> {
    const file = this.opts.persistenceFile;
    if (!file) return;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      this.opts.logger.error({ file, err: errorMessage(err) }, "cannot read pushed groups");
      return;
    }
    try {
      const doc = JSON.parse(text) as PersistedFile;
      if (doc.version !== FILE_VERSION || !Array.isArray(doc.groups)) {
        throw new Error(`unknown file version ${String(doc.version)}`);
      }
      for (const g of doc.groups) {
        const families = new Map<string, StoredFamily>();
        for (const f of g.families) {
          families.set(f.family.name, {
            family: familyFromJson(f.family),
            timestampMs: f.timestamp_ms,
          });
        }
        const key = groupingKey(g.labels);
        this.groups.set(key, live(key, g.labels, families, g.ttl_ms ?? 0, g.last_push_ms, 0));
      }
      this.opts.logger.info({ file, groups: this.groups.size }, "pushed groups restored");
    } catch (err) {
      this.groups.clear();
      this.opts.logger.error({ file, err: errorMessage(err) }, "cannot restore pushed groups");
    }
  }

  /**
   * start appends every group's values (they may have gone stale while Vigil was down), deletes
   * groups whose time to live ran out, and starts the resend and expiry timers.
   */
  async start(): Promise<void> {
    await this.expire();
    await this.resend();
    const tick = this.opts.tickMs ?? Math.min(1000, this.opts.resendIntervalMs);
    this.resendTimer = setInterval(() => {
      this.resend().catch((err: unknown) => {
        this.opts.logger.error({ err: errorMessage(err) }, "re-sending pushed groups failed");
      });
    }, this.opts.resendIntervalMs);
    this.resendTimer.unref();
    this.tickTimer = setInterval(() => {
      this.expire().catch((err: unknown) => {
        this.opts.logger.error({ err: errorMessage(err) }, "deleting expired groups failed");
      });
    }, tick);
    this.tickTimer.unref();
  }

  /** stop ends the timers and waits for the persistence file to be written. */
  async stop(): Promise<void> {
    clearInterval(this.resendTimer);
    clearInterval(this.tickTimer);
    this.resendTimer = undefined;
    this.tickTimer = undefined;
    await this.flushing?.catch(() => {});
  }

  /** list returns the groups in the order they were created. */
  list(): Group[] {
    return [...this.groups.values()];
  }

  /**
   * push applies a PUT or POST. A push with timestamps or that makes the groups inconsistent is
   * refused (and sets the group's push_failure_time_seconds, as upstream); the promise rejects
   * only for storage or file failures (NotReadyError before storage is open).
   */
  async push(req: PushRequest): Promise<PushOutcome> {
    const storage = this.storage();
    const now = this.now();
    const key = groupingKey(req.grouping);
    if (req.hasTimestamps) {
      await this.fail(storage, key, req, now);
      return { ok: false, error: INCONSISTENT + "pushed metrics must not have timestamps" };
    }
    const old = this.groups.get(key);
    const next = new Map<string, StoredFamily>(old?.families);
    if (old && req.replace) {
      for (const name of next.keys()) {
        if (name !== PUSH_TIME_METRIC && name !== PUSH_FAILURE_TIME_METRIC) next.delete(name);
      }
    }
    const pushed = new Map<string, PushFamily>();
    for (const [name, f] of req.families) pushed.set(name, sanitizeFamily(f, req.grouping));
    pushed.set(
      PUSH_TIME_METRIC,
      timestampGauge(PUSH_TIME_METRIC, PUSH_TIME_HELP, req.grouping, now),
    );
    if (!next.has(PUSH_FAILURE_TIME_METRIC)) {
      pushed.set(
        PUSH_FAILURE_TIME_METRIC,
        timestampGauge(PUSH_FAILURE_TIME_METRIC, PUSH_FAILURE_TIME_HELP, req.grouping, 0),
      );
    }
    for (const [name, f] of pushed) next.set(name, { family: f, timestampMs: now });

    const errors = checkConsistency(this.familiesWith(key, next));
    if (errors.length > 0) {
      await this.fail(storage, key, req, now);
      return { ok: false, error: INCONSISTENT + formatErrors(errors) };
    }
    const ttlMs = req.ttlMs ?? old?.ttlMs ?? 0;
    await this.apply(
      storage,
      old,
      live(key, req.grouping, next, ttlMs, now, old?.lastEmitMs ?? 0),
      now,
    );
    return { ok: true };
  }

  /** delete removes a group (a no-op for an unknown one) and marks its series stale. */
  async delete(grouping: Readonly<Record<string, string>>): Promise<void> {
    const storage = this.storage();
    const old = this.groups.get(groupingKey(grouping));
    if (!old) return;
    await this.apply(storage, old, undefined, this.now());
  }

  /** resend appends every group's current values at the current time. */
  async resend(): Promise<void> {
    const storage = this.opts.storage();
    if (!storage || this.groups.size === 0) return;
    const now = this.now();
    const app = storage.appender();
    for (const g of this.groups.values()) {
      const t = Math.max(now, g.lastEmitMs + 1);
      for (const s of g.series) app.append(0, s.labels, t, s.value);
      g.lastEmitMs = t;
    }
    await app.commit();
  }

  /** expire deletes the groups whose time to live has run out. */
  async expire(): Promise<void> {
    const storage = this.opts.storage();
    if (!storage) return;
    const now = this.now();
    const done: Promise<void>[] = [];
    for (const g of [...this.groups.values()]) {
      if (g.ttlMs > 0 && g.lastPushMs + g.ttlMs <= now) {
        this.opts.logger.info({ group: g.labels }, "pushed group expired");
        done.push(this.apply(storage, g, undefined, now));
      }
    }
    await Promise.all(done);
  }

  private storage(): Storage {
    const s = this.opts.storage();
    if (!s) throw new NotReadyError();
    return s;
  }

  /** fail records a refused push: push_failure_time_seconds now, push_time_seconds kept. */
  private async fail(storage: Storage, key: string, req: PushRequest, now: number): Promise<void> {
    const old = this.groups.get(key);
    const next = new Map<string, StoredFamily>(old?.families);
    next.set(PUSH_FAILURE_TIME_METRIC, {
      family: timestampGauge(PUSH_FAILURE_TIME_METRIC, PUSH_FAILURE_TIME_HELP, req.grouping, now),
      timestampMs: now,
    });
    if (!next.has(PUSH_TIME_METRIC)) {
      next.set(PUSH_TIME_METRIC, {
        family: timestampGauge(PUSH_TIME_METRIC, PUSH_TIME_HELP, req.grouping, 0),
        timestampMs: now,
      });
    }
    const g = live(
      key,
      old?.labels ?? req.grouping,
      next,
      old ? old.ttlMs : (req.ttlMs ?? 0),
      old?.lastPushMs ?? now,
      old?.lastEmitMs ?? 0,
    );
    await this.apply(storage, old, g, now);
  }

  /** familiesWith lists every group's families, with group `key` replaced by `families`. */
  private *familiesWith(
    key: string,
    families: ReadonlyMap<string, StoredFamily>,
  ): Iterable<Iterable<PushFamily>> {
    const pick = (m: ReadonlyMap<string, StoredFamily>) => [...m.values()].map((s) => s.family);
    for (const [k, g] of this.groups) yield pick(k === key ? families : g.families);
    if (!this.groups.has(key)) yield pick(families);
  }

  /**
   * apply replaces group `old` by `next` (either may be undefined) in memory, then appends the
   * new group's values and stale markers for series that disappeared, and flushes the file.
   */
  private async apply(
    storage: Storage,
    old: LiveGroup | undefined,
    next: LiveGroup | undefined,
    now: number,
  ): Promise<void> {
    const t = Math.max(now, (old?.lastEmitMs ?? 0) + 1);
    const app = storage.appender();
    const kept = new Set<string>();
    if (next) {
      this.groups.set(next.key, next);
      for (const s of next.series) {
        app.append(0, s.labels, t, s.value);
        kept.add(labelsKey(s.labels));
      }
      next.lastEmitMs = t;
    } else if (old) {
      this.groups.delete(old.key);
    }
    if (old) {
      const stale: Labels[] = [];
      for (const s of old.series) if (!kept.has(labelsKey(s.labels))) stale.push(s.labels);
      for (const ls of stale) app.append(0, ls, t, STALE_NAN);
    }
    await Promise.all([app.commit(), this.flush()]);
  }

  /**
   * flush writes the groups to the persistence file and resolves once a write that began after
   * the call has completed. Concurrent callers share writes.
   */
  private flush(): Promise<void> {
    if (!this.opts.persistenceFile) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.flushWaiters.push({ resolve, reject });
      this.flushing ??= this.writeLoop();
    });
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.flushWaiters.length > 0) {
        const waiters = this.flushWaiters;
        this.flushWaiters = [];
        try {
          await this.writeFile(this.serialize());
          for (const w of waiters) w.resolve();
        } catch (err) {
          this.opts.logger.error({ err: errorMessage(err) }, "cannot persist pushed groups");
          for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private serialize(): string {
    const doc: PersistedFile = {
      version: FILE_VERSION,
      groups: [...this.groups.values()].map((g) => ({
        labels: { ...g.labels },
        ttl_ms: g.ttlMs,
        last_push_ms: g.lastPushMs,
        families: [...g.families.values()].map((f) => ({
          timestamp_ms: f.timestampMs,
          family: familyToJson(f.family),
        })),
      })),
    };
    return JSON.stringify(doc);
  }

  /** writeFile replaces the persistence file atomically: temporary file, fsync, rename. */
  private async writeFile(text: string): Promise<void> {
    const file = this.opts.persistenceFile!;
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.in_progress.${process.pid}.${this.tmpSeq++}`;
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // Make the rename itself durable.
    try {
      const dir = await open(dirname(file), "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // Some file systems cannot sync directories; the rename is still atomic.
    }
  }
}

interface PersistedFile {
  version: number;
  groups: {
    labels: Record<string, string>;
    ttl_ms?: number;
    last_push_ms: number;
    families: { timestamp_ms: number; family: FamilyJson }[];
  }[];
}

function live(
  key: string,
  labels: Readonly<Record<string, string>>,
  families: ReadonlyMap<string, StoredFamily>,
  ttlMs: number,
  lastPushMs: number,
  lastEmitMs: number,
): LiveGroup {
  const series: FlatSample[] = [];
  for (const f of families.values()) series.push(...flattenFamily(f.family));
  return { key, labels, families, ttlMs, lastPushMs, series, lastEmitMs };
}

/** timestampGauge builds push_time_seconds or push_failure_time_seconds for a group. */
function timestampGauge(
  name: string,
  help: string,
  grouping: Readonly<Record<string, string>>,
  tMs: number,
): PushFamily {
  return sanitizeFamily(
    { name, help, type: "gauge", metrics: [{ labels: [], value: tMs / 1000 }] },
    grouping,
  );
}
