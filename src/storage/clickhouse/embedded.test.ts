import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { runStorageSuite } from "../conformance/index.ts";
import type { Storage } from "../interface.ts";
import { openChdbDriver } from "./chdb-driver.ts";
import type { ClickHouseStorage } from "./store.ts";
import { openClickHouseStorage } from "./store.ts";

// chDB binds one data directory per process, so every storage of this file lives in one
// directory, each in a database of its own.
const dir = mkdtempSync(join(tmpdir(), "vigil-embedded-"));
let seq = 0;

async function open(database: string): Promise<ClickHouseStorage> {
  return openClickHouseStorage(await openChdbDriver(dir), {
    engine: "embedded",
    database,
    retentionMs: 60 * 86_400_000,
    batchMaxRows: 10_000,
    batchMaxDelayMs: 20,
  });
}

const dbOf = new WeakMap<Storage, string>();

runStorageSuite({
  name: "embedded (chDB)",
  newStorage: async () => {
    const db = `vigil_test_${++seq}`;
    const s = await open(db);
    dbOf.set(s, db);
    return s;
  },
  reopen: async (s) => {
    const db = dbOf.get(s)!;
    await s.close();
    const again = await open(db);
    dbOf.set(again, db);
    return again;
  },
});

after(() => rmSync(dir, { recursive: true, force: true }));
