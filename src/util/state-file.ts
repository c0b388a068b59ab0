// Durable JSON state under the data directory, for state that must survive a restart
// (silences, the notification log, alerts, heartbeats). Alertmanager keeps silences and the
// notification log as snapshot files written at intervals and on shutdown (silence.Maintenance,
// nflog.Maintenance); Vigil writes the snapshot on every change, before the change is
// acknowledged, so that a crash loses nothing that was acknowledged.
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * SnapshotFile writes a JSON document atomically (write to a temporary file, fsync, rename,
 * fsync the directory). Saves are serialized and coalesced: `save` resolves once a write that
 * started after the call has completed, so concurrent callers share one write.
 */
export class SnapshotFile {
  private writing: Promise<void> | undefined;
  private pending:
    { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  private seq = 0;

  /** snapshot returns the document to write; it is called when a write starts. */
  constructor(
    readonly path: string,
    private readonly snapshot: () => unknown,
  ) {}

  /** load reads the document, or returns undefined when the file does not exist. */
  load(): unknown {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      // A missing file (or directory) is an empty state; storage reports a bad data directory.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new Error(`corrupt state file ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** save writes the current snapshot; see the class comment. */
  save(): Promise<void> {
    if (this.pending) return this.pending.promise;
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pending = { promise, resolve, reject };
    const run = async (): Promise<void> => {
      await this.writing?.catch(() => undefined);
      const p = this.pending;
      this.pending = undefined;
      if (!p) return;
      try {
        await this.write(JSON.stringify(this.snapshot()));
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    };
    this.writing = run();
    return promise;
  }

  private async write(text: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = `${this.path}.tmp${++this.seq}`;
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    try {
      const d = await open(dir, "r");
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    }
  }

  /** flush waits for the write in progress, if any. */
  async flush(): Promise<void> {
    await this.writing?.catch(() => undefined);
  }
}

/** ensureDir creates a directory synchronously (at start-up). */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/**
 * JournalFile keeps a state as a snapshot plus a journal of changes (one JSON document per
 * line), so that a change costs a write of its own size rather than of the whole state. Appends
 * are group-committed: those that arrive while a write is in progress share the next write and
 * its fsync, and `append` resolves once its records are durable. When the journal has grown past
 * the snapshot's size (and 1 MiB), the next write is a compaction instead: a new snapshot of the
 * whole state (which includes the pending records, already applied in memory), then an empty
 * journal. Replaying a journal over the snapshot it followed gives the state again, even when a
 * crash left both the new snapshot and the old journal behind, because records are replayed in
 * order and each one replaces or deletes a whole entry.
 */
export class JournalFile<R> {
  private readonly snap: SnapshotFile;
  private writing: Promise<void> | undefined;
  private pending: {
    records: R[];
    waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  } = { records: [], waiters: [] };
  private journalBytes = 0;
  private snapshotBytes = 0;

  constructor(
    readonly path: string,
    private readonly journalPath: string,
    snapshot: () => unknown,
  ) {
    this.snap = new SnapshotFile(path, snapshot);
  }

  /**
   * load returns the snapshot (undefined when there is none) and the journal's records. A last
   * line cut short by a crash is ignored: its append had not been acknowledged.
   */
  load(): { snapshot: unknown; records: R[] } {
    const snapshot = this.snap.load();
    let text = "";
    try {
      text = readFileSync(this.journalPath, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
    }
    const records: R[] = [];
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (line === "") return;
      try {
        records.push(JSON.parse(line) as R);
      } catch (err) {
        if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l !== ""))
          throw new Error(`corrupt journal ${this.journalPath} line ${i + 1}`, { cause: err });
      }
    });
    this.journalBytes = Buffer.byteLength(text);
    return { snapshot, records };
  }

  /** append makes records durable; see the class comment. */
  append(records: readonly R[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.records.push(...records);
      this.pending.waiters.push({ resolve, reject });
      this.writing ??= this.run();
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.waiters.length > 0) {
        const batch = this.pending;
        this.pending = { records: [], waiters: [] };
        try {
          if (this.journalBytes > Math.max(1 << 20, this.snapshotBytes)) await this.compact();
          else await this.write(batch.records);
          for (const w of batch.waiters) w.resolve();
        } catch (err) {
          for (const w of batch.waiters) w.reject(err);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(records: readonly R[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
    await mkdir(dirname(this.journalPath), { recursive: true });
    const fh = await open(this.journalPath, "a");
    try {
      await fh.writeFile(text, "utf8");
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.journalBytes += Buffer.byteLength(text);
  }

  private async compact(): Promise<void> {
    await this.snap.save();
    this.snapshotBytes = statSync(this.path).size;
    const fh = await open(this.journalPath, "w");
    try {
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.journalBytes = 0;
  }

  /** flush waits until every append so far is durable. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
  }
}
