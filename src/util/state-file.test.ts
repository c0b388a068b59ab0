import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { JournalFile } from "./state-file.ts";

type Rec = { k: string; v?: number };

function open(dir: string, state: Map<string, number>): JournalFile<Rec> {
  return new JournalFile<Rec>(join(dir, "s.json"), join(dir, "s.journal"), () => [...state]);
}

function replay(j: JournalFile<Rec>): Map<string, number> {
  const { snapshot, records } = j.load();
  const m = new Map<string, number>((snapshot as [string, number][] | undefined) ?? []);
  for (const r of records) {
    if (r.v === undefined) m.delete(r.k);
    else m.set(r.k, r.v);
  }
  return m;
}

void test("JournalFile: concurrent appends share writes and survive a reopen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-journal-"));
  const state = new Map<string, number>();
  const j = open(dir, state);
  assert.deepEqual(j.load(), { snapshot: undefined, records: [] });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 100; i++) {
    state.set(`k${i % 10}`, i);
    writes.push(j.append([{ k: `k${i % 10}`, v: i }]));
  }
  state.delete("k3");
  writes.push(j.append([{ k: "k3" }]));
  await Promise.all(writes);
  const lines = readFileSync(join(dir, "s.journal"), "utf8").split("\n").filter(Boolean);
  assert.equal(lines.length, 101);
  assert.deepEqual(replay(open(dir, new Map())), state);
});

void test("JournalFile: compaction writes a snapshot and empties the journal; replay is unchanged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-journal-"));
  const state = new Map<string, number>();
  const j = open(dir, state);
  j.load();
  const big = "x".repeat(2000);
  for (let i = 0; i < 700; i++) {
    state.set(`k${i % 5}`, i);
    await j.append([{ k: `k${i % 5}`, v: i }]);
  }
  // 700 small records do not reach 1 MiB: no snapshot yet.
  assert.throws(() => statSync(join(dir, "s.json")));
  // Records of ~2 KB each pass it.
  for (let i = 0; i < 600; i++) {
    state.set(`big${i % 3}`, i);
    await j.append([{ k: `big${i % 3}`, v: i, ...{ pad: big } }]);
  }
  assert.ok(statSync(join(dir, "s.json")).size > 0, "a snapshot was written");
  assert.ok(statSync(join(dir, "s.journal")).size < 1 << 20, "the journal was emptied");
  const again = replay(open(dir, new Map()));
  assert.deepEqual(again, state);
});

void test("JournalFile: a torn last line is ignored, a corrupt line before others is an error", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-journal-"));
  writeFileSync(join(dir, "s.journal"), '{"k":"a","v":1}\n{"k":"b","v":2}\n{"k":"c",');
  assert.deepEqual(
    replay(open(dir, new Map())),
    new Map([
      ["a", 1],
      ["b", 2],
    ]),
  );
  writeFileSync(join(dir, "s.journal"), '{"k":"a","v":1}\n{"k":\n{"k":"c","v":3}\n');
  assert.throws(() => open(dir, new Map()).load(), /corrupt journal .*s\.journal line 2/);
});
