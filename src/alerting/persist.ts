// Durable JSON snapshots under the data directory, for the Alertmanager state that must survive
// a restart (silences, the notification log, alerts). Alertmanager keeps silences and the
// notification log as snapshot files written at intervals and on shutdown (silence.Maintenance,
// nflog.Maintenance); Vigil writes the snapshot on every change, before the change is
// acknowledged, so that a crash loses nothing that was acknowledged.
import { mkdirSync, readFileSync } from "node:fs";
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
