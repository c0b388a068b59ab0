import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { createInterface } from "node:readline";
import { Matcher } from "../../model/labels/index.ts";
import { openChdbDriver, LOCK_FILE } from "./chdb-driver.ts";
import { openClickHouseStorage } from "./store.ts";

const SAMPLES_PER_BATCH = 500;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

for (const mode of ["insert", "wal"] as const) {
  it(`keeps every acknowledged batch when the writer is killed with SIGKILL (${mode})`, () =>
    crashAndCheck(mode));
}

/**
 * crashAndCheck runs testdata/append-worker.ts, kills it after some acknowledgements and checks
 * them all after reopening: `insert` acknowledges after each batch's INSERT; `wal` after the
 * write-ahead log's fsync, the reopen writing the log to ClickHouse.
 */
async function crashAndCheck(mode: "insert" | "wal"): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-crash-"));
  dirs.push(dir);
  const T0 = Date.now() - 3_600_000;
  const worker = new URL("./testdata/append-worker.ts", import.meta.url).pathname;
  const args = ["--import", "tsx", worker, dir, String(T0), ...(mode === "wal" ? ["wal"] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const acked = new Set<number>();
  const exited = new Promise<NodeJS.Signals | null>((res) =>
    child.on("exit", (_c, sig) => res(sig)),
  );
  // Kill after a random number of acknowledgements, while commits are in flight.
  const killAfter = 30 + Math.floor(Math.random() * 40);
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^ACK (\d+)$/.exec(line);
    if (m) acked.add(Number(m[1]));
    if (acked.size >= killAfter) {
      child.kill("SIGKILL");
      break;
    }
  }
  assert.equal(await exited, "SIGKILL", `worker died on its own: ${stderr}`);
  assert.ok(acked.size >= killAfter, `only ${acked.size} acks before exit: ${stderr}`);
  assert.ok(existsSync(join(dir, LOCK_FILE)), "the killed process left its lock behind");

  const left = mode === "wal" ? readdirSync(join(dir, "wal")) : [];
  if (mode === "wal") assert.ok(left.length > 0, "the killed writer left log segments");
  // Reopen the same directory (taking over the stale lock) and look for every acked batch.
  const s = await openClickHouseStorage(await openChdbDriver(dir), {
    engine: "embedded",
    database: "vigil",
    retentionMs: 30 * 86_400_000,
    batchMaxRows: 1000,
    batchMaxDelayMs: 5,
    ...(mode === "wal" && {
      headDurationMs: 7_200_000,
      walDir: join(dir, "wal"),
      flushIntervalMs: 200,
    }),
  });
  try {
    const all = await s
      .querier(T0, T0 + 10_000_000)
      .select([new Matcher("=", "__name__", "crash_test_samples")]);
    const perBatch = new Map<number, number>();
    for (const series of all) {
      for (let i = 0; i < series.values.length; i++) {
        const batch = Math.floor((series.timestamps[i]! - T0) / SAMPLES_PER_BATCH);
        assert.equal(series.values[i], batch, "value identifies its batch");
        perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
      }
    }
    const missing = [...acked].filter((b) => perBatch.get(b) !== SAMPLES_PER_BATCH);
    assert.deepEqual(missing, [], `acknowledged batches incomplete after SIGKILL`);
    // Batches never acknowledged may be present or not, but never partially: an insert is atomic.
    for (const [b, n] of perBatch) {
      assert.ok(n === SAMPLES_PER_BATCH, `batch ${b} has ${n} of ${SAMPLES_PER_BATCH} samples`);
    }
    if (mode === "wal") {
      const still = readdirSync(join(dir, "wal")).filter((n) => left.includes(n));
      assert.deepEqual(still, [], "replayed segments are removed");
    }
  } finally {
    await s.close();
  }
}
