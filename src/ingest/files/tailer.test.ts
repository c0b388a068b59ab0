import assert from "node:assert/strict";
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Registry } from "prom-client";
import type { Labels } from "../../model/labels/index.ts";
import { labelsKey, labelsToRecord } from "../../model/labels/index.ts";
import type { LogAppender, LogEntry, LogQuerier, LogStore } from "../../storage/logs.ts";
import { linesToEntries } from "../../storage/logs.ts";
import { silentLogger } from "../../util/logging/index.ts";
import type { LogFileOptions, LogFilesTarget } from "./config.ts";
import { logFileOptionsSchema } from "./config.ts";
import { FileTailer } from "./tailer.ts";

/** FakeLogStore keeps committed entries, de-duplicating (stream, ts, line) as storage does. */
class FakeLogStore implements LogStore {
  readonly streams = new Map<string, { labels: Labels; entries: Map<string, LogEntry> }>();
  /** appended counts every committed entry, duplicates included. */
  appended = 0;
  commitSizes: number[] = [];
  failNext = 0;
  /** hang: commits store their entries and then never resolve (a crash right after). */
  hang = false;

  logAppender(): LogAppender {
    const staged: [Labels, readonly LogEntry[]][] = [];
    return {
      append: (labels, entries) => void staged.push([labels, entries]),
      appendLines: (labels, lines) => void staged.push([labels, linesToEntries(lines)]),
      commit: async () => {
        if (this.failNext > 0) {
          this.failNext--;
          throw new Error("injected commit failure");
        }
        let n = 0;
        for (const [labels, entries] of staged) {
          const key = labelsKey(labels);
          let s = this.streams.get(key);
          if (!s) this.streams.set(key, (s = { labels, entries: new Map() }));
          for (const e of entries) s.entries.set(`${e.tsNs}\n${e.line}`, e);
          n += entries.length;
        }
        this.appended += n;
        this.commitSizes.push(n);
        if (this.hang) await new Promise(() => {});
      },
      rollback: () => {},
    };
  }

  logQuerier(): LogQuerier {
    throw new Error("not implemented");
  }

  /** lines returns the lines of the stream of `filename`, in timestamp order. */
  lines(filename: string): string[] {
    for (const s of this.streams.values()) {
      if (labelsToRecord(s.labels).filename !== filename) continue;
      return [...s.entries.values()]
        .sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0))
        .map((e) => e.line);
    }
    return [];
  }

  unique(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.entries.size;
    return n;
  }
}

const FAST: Partial<Record<string, unknown>> = {
  sync_period: "50ms",
  poll_interval: "10ms",
  flush_timeout: "150ms",
  min_backoff: "10ms",
  max_backoff: "40ms",
};

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let logDir: string;
let positionsFile: string;
let tailers: FileTailer[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vigil-tailer-"));
  logDir = join(dir, "logs");
  mkdirSync(logDir);
  positionsFile = join(dir, "data", "positions.json");
  tailers = [];
});

afterEach(async () => {
  for (const t of tailers) await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

function newTailer(
  store: FakeLogStore | (() => FakeLogStore | undefined),
  targets: Partial<LogFilesTarget>[] = [{}],
  options: Record<string, unknown> = {},
  registry = new Registry(),
): FileTailer {
  const t = new FileTailer({
    logs: typeof store === "function" ? store : () => store,
    logger: silentLogger(),
    registry,
    positionsFile,
  });
  const opts: LogFileOptions = logFileOptionsSchema("/").parse({ ...FAST, ...options });
  t.applyConfig({
    targets: targets.map((x) => ({
      paths: [join(logDir, "*.log")],
      exclude: [],
      labels: { job: "test" },
      startAt: "beginning",
      ...x,
    })),
    options: opts,
  });
  tailers.push(t);
  return t;
}

function savedPositions(): { path: string; offset: number; pending?: unknown }[] {
  return (JSON.parse(readFileSync(positionsFile, "utf8")) as { files: never[] }).files;
}

async function metric(registry: Registry, name: string, labels = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)!.get();
  const v = m.values.find((x) => JSON.stringify(x.labels) === JSON.stringify(labels));
  return v?.value ?? 0;
}

describe("FileTailer", () => {
  it("discovers files by glob, minus exclusions, and labels streams", async () => {
    const store = new FakeLogStore();
    mkdirSync(join(logDir, "srv", "a"), { recursive: true });
    writeFileSync(join(logDir, "app.log"), "one\n");
    writeFileSync(join(logDir, "old.log.gz"), "zipped\n");
    writeFileSync(join(logDir, "srv", "a", "current"), "cur\n");
    writeFileSync(join(logDir, "srv", "a", "current.gz"), "no\n");
    const tailer = newTailer(store, [
      {
        paths: [join(logDir, "*.log*"), join(logDir, "srv/**/current*")],
        exclude: ["*.gz"],
        labels: { job: "app", env: "prod" },
      },
    ]);
    await tailer.start();
    await waitFor("both files", () => store.unique() === 2);
    const streams = [...store.streams.values()].map((s) => labelsToRecord(s.labels));
    streams.sort((a, b) => a.filename!.localeCompare(b.filename!));
    assert.deepEqual(streams, [
      { env: "prod", filename: join(logDir, "app.log"), job: "app" },
      { env: "prod", filename: join(logDir, "srv/a/current"), job: "app" },
    ]);

    // A file created later is found by the next sync and read from its start.
    writeFileSync(join(logDir, "new.log"), "first\nsecond\n");
    await waitFor("new file", () => store.lines(join(logDir, "new.log")).length === 2);
    assert.deepEqual(store.lines(join(logDir, "new.log")), ["first", "second"]);
    await sleep(100);
    assert.equal(store.unique(), 4);
  });

  it("reads appended lines and waits for partial lines", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    writeFileSync(path, "a\r\nb\npar");
    const tailer = newTailer(store, [{}], { flush_timeout: "1s" });
    await tailer.start();
    await waitFor("two lines", () => store.lines(path).length === 2);
    assert.deepEqual(store.lines(path), ["a", "b"]);
    appendFileSync(path, "tial");
    await sleep(60);
    assert.equal(store.lines(path).length, 2);
    appendFileSync(path, " line\nc\n");
    await waitFor("completed line", () => store.lines(path).length === 4);
    assert.deepEqual(store.lines(path), ["a", "b", "partial line", "c"]);
  });

  it("sends a partial line after flush_timeout", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    writeFileSync(path, "done\nno newline");
    const tailer = newTailer(store);
    await tailer.start();
    await waitFor("flushed line", () => store.lines(path).length === 2);
    appendFileSync(path, "next\n");
    await waitFor("next line", () => store.lines(path).length === 3);
    assert.deepEqual(store.lines(path), ["done", "no newline", "next"]);
  });

  it("resumes from saved positions without loss or duplicates", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    writeFileSync(path, "1\n2\n3\n");
    const first = newTailer(store);
    await first.start();
    await waitFor("three lines", () => store.unique() === 3);
    await first.stop();
    const [saved] = savedPositions();
    assert.equal(saved!.path, path);
    assert.equal(saved!.offset, 6);

    appendFileSync(path, "4\n5\n");
    const second = newTailer(store);
    await second.start();
    await waitFor("five lines", () => store.unique() === 5);
    await sleep(100);
    assert.equal(store.appended, 5);
    assert.deepEqual(store.lines(path), ["1", "2", "3", "4", "5"]);
  });

  it("reads a file rewritten in place while stopped from its start", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    writeFileSync(path, "1\n2\n3\n");
    const first = newTailer(store);
    await first.start();
    await waitFor("three lines", () => store.unique() === 3);
    await first.stop();

    // Same inode, new content longer than the saved offset (as after inode reuse).
    writeFileSync(path, "rewritten\n");
    const second = newTailer(store);
    await second.start();
    await waitFor("rewritten line", () => store.unique() === 4);
    assert.deepEqual(store.lines(path), ["1", "2", "3", "rewritten"]);
  });

  it("replays a batch cut off by a crash with the same timestamps", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    writeFileSync(path, "a\nb\nc\n");
    store.hang = true; // The commit stores the entries, then the process "dies".
    const crashed = new FileTailer({ logs: () => store, logger: silentLogger(), positionsFile });
    crashed.applyConfig({
      targets: [{ paths: [path], exclude: [], labels: { job: "x" }, startAt: "beginning" }],
      options: logFileOptionsSchema("/").parse(FAST),
    });
    await crashed.start();
    await waitFor("stored batch", () => store.unique() === 3);
    const saved = savedPositions();
    assert.equal(saved[0]!.offset, 0);
    assert.ok(saved[0]!.pending, "the batch in flight is recorded");

    store.hang = false;
    appendFileSync(path, "d\n");
    const restarted = newTailer(store, [{ paths: [path], labels: { job: "x" } }]);
    await restarted.start();
    await waitFor("new line", () => store.unique() === 4);
    await sleep(100);
    assert.equal(store.appended, 7, "the replayed batch was sent again");
    assert.deepEqual(store.lines(path), ["a", "b", "c", "d"]);
    assert.equal(savedPositions()[0]!.pending, undefined);
  });

  it("follows rename+create rotation without losing lines written after the rename", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    const fd = openSync(path, "a");
    writeSync(fd, "old1\nold2\n");
    const tailer = newTailer(store);
    await tailer.start();
    await waitFor("old lines", () => store.unique() === 2);

    renameSync(path, join(logDir, "app.log.1"));
    writeSync(fd, "late1\n");
    await sleep(30);
    writeSync(fd, "late2\n");
    closeSync(fd);
    writeFileSync(path, "new1\n");
    await waitFor("all lines", () => store.unique() === 5);
    assert.deepEqual(store.lines(path), ["old1", "old2", "late1", "late2", "new1"]);

    // The rotated file is closed after flush_timeout and its position forgotten.
    await waitFor("old position dropped", () => savedPositions().length === 1, 3000);
    assert.equal(savedPositions()[0]!.offset, 5);
  });

  it("starts again from the beginning after copytruncate", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    writeFileSync(path, "before1\nbefore2\n");
    const tailer = newTailer(store);
    await tailer.start();
    await waitFor("first lines", () => store.unique() === 2);
    truncateSync(path, 0);
    await sleep(40);
    appendFileSync(path, "after\n");
    await waitFor("line after truncation", () => store.unique() === 3);
    assert.deepEqual(store.lines(path), ["before1", "before2", "after"]);
  });

  it("drops deleted files from positions", async () => {
    const store = new FakeLogStore();
    const registry = new Registry();
    const keep = join(logDir, "keep.log");
    const gone = join(logDir, "gone.log");
    writeFileSync(keep, "k\n");
    writeFileSync(gone, "g\n");
    const tailer = newTailer(store, [{}], {}, registry);
    await tailer.start();
    await waitFor("lines", () => store.unique() === 2);
    await waitFor("positions", () => savedPositions().length === 2);
    assert.equal(await metric(registry, "vigil_log_files_watched"), 2);
    unlinkSync(gone);
    await waitFor("position dropped", () => savedPositions().length === 1, 3000);
    assert.equal(savedPositions()[0]!.path, keep);
    assert.equal(await metric(registry, "vigil_log_files_watched"), 1);
  });

  it("retries failed commits without advancing or duplicating", async () => {
    const store = new FakeLogStore();
    const registry = new Registry();
    const path = join(logDir, "app.log");
    writeFileSync(path, "x\ny\n");
    store.failNext = 3;
    const tailer = newTailer(store, [{}], {}, registry);
    await tailer.start();
    await waitFor("committed", () => store.unique() === 2);
    assert.equal(store.appended, 2);
    assert.equal(await metric(registry, "vigil_log_files_errors_total", { kind: "commit" }), 3);
    assert.equal(await metric(registry, "vigil_log_files_read_lines_total"), 2);
    assert.equal(await metric(registry, "vigil_log_files_read_bytes_total"), 4);
  });

  it("waits for storage to open", async () => {
    const box: { store?: FakeLogStore } = {};
    const path = join(logDir, "app.log");
    writeFileSync(path, "x\n");
    const tailer = newTailer(() => box.store);
    await tailer.start();
    await sleep(50);
    const store = new FakeLogStore();
    box.store = store;
    await waitFor("committed", () => store.unique() === 1);
  });

  it("reads a large file in bounded batches, in order", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "big.log");
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    writeFileSync(path, lines.join("\n") + "\n");
    const tailer = newTailer(store, [{}], { max_batch_lines: 1000, max_batch_size: "64KiB" });
    await tailer.start();
    await waitFor("all lines", () => store.unique() === lines.length, 20_000);
    assert.ok(store.commitSizes.every((n) => n <= 1000));
    assert.ok(store.commitSizes.length >= 20);
    assert.deepEqual(store.lines(path), lines);
  });

  it("cuts over-long lines", async () => {
    const store = new FakeLogStore();
    const registry = new Registry();
    const path = join(logDir, "app.log");
    writeFileSync(path, "short\n" + "y".repeat(1000) + "\nafter\n");
    const tailer = newTailer(store, [{}], { max_line_size: 16 }, registry);
    await tailer.start();
    await waitFor("lines", () => store.unique() === 3);
    assert.deepEqual(store.lines(path), ["short", "y".repeat(16), "after"]);
    assert.equal(await metric(registry, "vigil_log_files_truncated_lines_total"), 1);
  });

  it("start_at: end skips existing content of files found at start only", async () => {
    const store = new FakeLogStore();
    const path = join(logDir, "app.log");
    writeFileSync(path, "old\n");
    const tailer = newTailer(store, [{ startAt: "end" }]);
    await tailer.start();
    await sleep(50);
    appendFileSync(path, "new\n");
    writeFileSync(join(logDir, "later.log"), "later\n");
    await waitFor("lines", () => store.unique() === 2);
    assert.deepEqual(store.lines(path), ["new"]);
    assert.deepEqual(store.lines(join(logDir, "later.log")), ["later"]);
  });
});
