import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logFileOptionsSchema, logFilesSchema } from "./config.ts";

describe("logFilesSchema", () => {
  it("applies defaults and resolves relative patterns", () => {
    const out = logFilesSchema("/etc/vigil").parse([
      { paths: ["/var/log/app/*.log", "logs/**/current"], labels: { job: "app" } },
    ]);
    assert.deepEqual(out, [
      {
        paths: ["/var/log/app/*.log", "/etc/vigil/logs/**/current"],
        exclude: [],
        labels: { job: "app" },
        startAt: "beginning",
      },
    ]);
  });

  it("keeps base-name exclusions as they are", () => {
    const [t] = logFilesSchema("/d").parse([
      { paths: ["/x/*"], exclude: ["*.gz", "old/*.log"], start_at: "end" },
    ]);
    assert.deepEqual(t!.exclude, ["*.gz", "/d/old/*.log"]);
    assert.equal(t!.startAt, "end");
  });

  const bad: { name: string; in: unknown; path: (string | number)[]; message?: RegExp }[] = [
    { name: "missing paths", in: [{ labels: { a: "b" } }], path: [0, "paths"] },
    { name: "empty paths", in: [{ paths: [] }], path: [0, "paths"] },
    { name: "empty pattern", in: [{ paths: [""] }], path: [0, "paths", 0] },
    { name: "unknown key", in: [{ paths: ["/a"], pathz: 1 }], path: [0] },
    {
      name: "invalid label name",
      in: [{ paths: ["/a"], labels: { "bad-name": "x" } }],
      path: [0, "labels", "bad-name"],
      message: /invalid label name/,
    },
    {
      name: "filename label",
      in: [{ paths: ["/a"], labels: { filename: "x" } }],
      path: [0, "labels", "filename"],
      message: /filename/,
    },
    {
      name: "empty label value",
      in: [{ paths: ["/a"], labels: { job: "" } }],
      path: [0, "labels", "job"],
    },
    { name: "bad start_at", in: [{ paths: ["/a"], start_at: "middle" }], path: [0, "start_at"] },
    { name: "bad encoding", in: [{ paths: ["/a"], encoding: "latin1" }], path: [0, "encoding"] },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      const res = logFilesSchema("/").safeParse(c.in);
      assert.equal(res.success, false);
      const issue = res.error!.issues[0]!;
      assert.deepEqual(issue.path, c.path);
      if (c.message) assert.match(issue.message, c.message);
    });
  }
});

describe("logFileOptionsSchema", () => {
  it("applies defaults", () => {
    assert.deepEqual(logFileOptionsSchema("/").parse({}), {
      syncPeriodMs: 10_000,
      pollIntervalMs: 250,
      flushTimeoutMs: 5_000,
      maxLineBytes: 256 * 1024,
      maxBatchLines: 10_000,
      maxBatchBytes: 4 * 1024 * 1024,
      minBackoffMs: 100,
      maxBackoffMs: 10_000,
    });
  });

  it("reads every option", () => {
    const o = logFileOptionsSchema("/data").parse({
      positions_file: "pos.json",
      sync_period: "1m",
      poll_interval: "1s",
      flush_timeout: "2s",
      max_line_size: "1KiB",
      max_batch_lines: 5,
      max_batch_size: 4096,
      min_backoff: "1s",
      max_backoff: "1m",
    });
    assert.equal(o.positionsFile, "/data/pos.json");
    assert.equal(o.syncPeriodMs, 60_000);
    assert.equal(o.maxLineBytes, 1024);
    assert.equal(o.maxBatchBytes, 4096);
  });

  const bad: { name: string; in: unknown; path: string[]; message: RegExp }[] = [
    { name: "bad duration", in: { sync_period: "10x" }, path: ["sync_period"], message: /10x/ },
    { name: "zero duration", in: { poll_interval: "0s" }, path: ["poll_interval"], message: /0/ },
    { name: "bad size", in: { max_line_size: "big" }, path: ["max_line_size"], message: /big/ },
    {
      name: "non-integer lines",
      in: { max_batch_lines: 1.5 },
      path: ["max_batch_lines"],
      message: /integer/,
    },
    {
      name: "backoff order",
      in: { min_backoff: "1m", max_backoff: "1s" },
      path: ["max_backoff"],
      message: /min_backoff/,
    },
    { name: "unknown key", in: { positions: "x" }, path: [], message: /positions/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      const res = logFileOptionsSchema("/").safeParse(c.in);
      assert.equal(res.success, false);
      const issue = res.error!.issues[0]!;
      assert.deepEqual(issue.path, c.path);
      assert.match(issue.message + JSON.stringify(issue), c.message);
    });
  }
});
