// A LogStore for receiver tests: it records committed appends and can be told to fail commits.
// Only appending is implemented; the querier throws.
import type { Labels } from "../../../model/labels/index.ts";
import { labelsKey } from "../../../model/labels/index.ts";
import type { LogAppender, LogEntry, LogQuerier, LogStore } from "../../../storage/logs.ts";
import { linesToEntries } from "../../../storage/logs.ts";

/** StoredStream is one stream as committed: labels as a record, entries in append order. */
export interface StoredStream {
  labels: Record<string, string>;
  entries: { tsNs: bigint; line: string; metadata: Record<string, string> }[];
}

/** FakeLogStore keeps committed entries per stream in memory. */
export class FakeLogStore implements LogStore {
  readonly streams = new Map<string, StoredStream>();
  commits = 0;
  failCommit: Error | undefined;

  logAppender(): LogAppender {
    const pending: [Labels, readonly LogEntry[]][] = [];
    let done = false;
    const append = (labels: Labels, entries: readonly LogEntry[]): void => {
      if (done) throw new Error("appender used after commit or rollback");
      for (let i = 1; i < labels.length; i++) {
        if (labels[i - 1]!.name >= labels[i]!.name) throw new Error("labels not sorted/unique");
      }
      for (const e of entries) {
        for (let i = 1; i < e.metadata.length; i++) {
          if (e.metadata[i - 1]!.name >= e.metadata[i]!.name) {
            throw new Error("metadata not sorted/unique");
          }
        }
      }
      pending.push([labels, [...entries]]);
    };
    return {
      append,
      appendLines: (labels, lines) => append(labels, linesToEntries(lines)),
      commit: async () => {
        done = true;
        if (this.failCommit) throw this.failCommit;
        for (const [labels, entries] of pending) {
          const key = labelsKey(labels);
          let s = this.streams.get(key);
          if (!s) {
            s = { labels: Object.fromEntries(labels.map((l) => [l.name, l.value])), entries: [] };
            this.streams.set(key, s);
          }
          for (const e of entries) {
            s.entries.push({
              tsNs: e.tsNs,
              line: e.line,
              metadata: Object.fromEntries(e.metadata.map((l) => [l.name, l.value])),
            });
          }
        }
        this.commits++;
      },
      rollback: () => {
        done = true;
      },
    };
  }

  logQuerier(): LogQuerier {
    throw new Error("FakeLogStore has no querier");
  }

  /** all returns the stored streams sorted by their labels' JSON. */
  all(): StoredStream[] {
    return [...this.streams.values()].sort((a, b) =>
      JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1,
    );
  }

  /** entryCount is the number of stored entries. */
  entryCount(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.entries.length;
    return n;
  }
}
