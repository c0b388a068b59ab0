import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { open as openFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Session } from "chdb";
import type { ClickHouseDriver } from "./driver.ts";
import { StorageError } from "../errors.ts";
import { quote } from "./sql.ts";
import { errorMessage } from "../../util/errors.ts";
import { unwritten } from "../../util/iovec.ts";

/** LOCK_FILE is created in the data directory while a Vigil process uses it. */
export const LOCK_FILE = "vigil.lock";

/**
 * openChdbDriver opens the embedded engine (chDB) on `dataDir`, creating it if needed.
 *
 * chDB binds one data directory per process and two processes on one directory would corrupt
 * it, so a lock file holding the owner's PID guards it. A lock left by a process that no longer
 * runs (for example after kill -9) is taken over. Errors are StorageErrors whose message says
 * what is wrong with which directory.
 */
export async function openChdbDriver(dataDir: string): Promise<ClickHouseDriver> {
  const dir = resolve(dataDir);
  checkDir(dir);
  const release = lockDir(dir);
  let session: Session;
  try {
    session = new Session(join(dir, "chdb"));
  } catch (err) {
    release();
    throw new StorageError(`cannot open embedded ClickHouse in ${dir}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  const tmpDir = join(dir, "tmp");
  mkdirSync(tmpDir, { recursive: true });
  let seq = 0;
  let closed = false;
  const wrap = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    if (closed) throw new StorageError("storage is closed");
    try {
      return await f();
    } catch (err) {
      throw new StorageError(`embedded ClickHouse: ${what}: ${errorMessage(err)}`, { cause: err });
    }
  };
  return {
    description: `embedded ClickHouse (chDB) in ${dir}`,
    exec: (sql) => wrap("exec", async () => void (await session.queryAsync(sql))),
    queryJson: <T>(sql: string, signal?: AbortSignal) =>
      wrap("query", async () => {
        const r = await session.queryAsync(sql, { format: "JSONEachRow", signal });
        const text = r.text();
        return text.length === 0
          ? []
          : text
              .split("\n")
              .filter((l) => l.length > 0)
              .map((l) => JSON.parse(l) as T);
      }),
    queryNative: (sql, signal) =>
      wrap("query", async () =>
        (await session.queryAsync(sql, { format: "Native", signal })).bytes(),
      ),
    insertNative: (table, columns, block, dedupToken) =>
      wrap(`insert into ${table}`, async () => {
        // chDB's insert API takes text formats only; a binary block goes through a file that the
        // INSERT reads with the file() table function. The file is transport, not storage.
        // optimize_on_insert = 0: duplicates are removed by merges and at read time, so the
        // insert need not sort-and-collapse each block (about a third of its CPU).
        const file = join(tmpDir, `insert-${process.pid}-${++seq}.native`);
        try {
          const fh = await openFile(file, "w");
          try {
            // Several blocks are written as they are (one writev), not joined in memory first.
            let rest = block instanceof Uint8Array ? [block] : block;
            while (rest.length > 0) rest = unwritten(rest, (await fh.writev(rest)).bytesWritten);
          } finally {
            await fh.close();
          }
          const cols = columns.join(", ");
          const token =
            dedupToken === undefined ? "" : `, insert_deduplication_token = ${quote(dedupToken)}`;
          await session.queryAsync(
            `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM file(${quote(file)}, 'Native') SETTINGS optimize_on_insert = 0${token}`,
          );
        } finally {
          rmSync(file, { force: true });
        }
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      session.close();
      release();
    },
  };
}

function checkDir(dir: string): void {
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) throw new StorageError(`data directory ${dir} is not a directory`);
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.write-test-${process.pid}`);
    closeSync(openSync(probe, "w"));
    unlinkSync(probe);
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw new StorageError(`data directory ${dir} is not usable: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function lockDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new StorageError(`cannot lock data directory ${dir}: ${errorMessage(err)}`, {
          cause: err,
        });
      }
      const pid = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new StorageError(
          `data directory ${dir} is locked by running process ${pid} (${path})`,
        );
      }
      rmSync(path, { force: true }); // stale lock from a process that is gone
    }
  }
  throw new StorageError(`cannot lock data directory ${dir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
