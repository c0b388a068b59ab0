import { Readable } from "node:stream";
import { createClient } from "@clickhouse/client";
import type { ClickHouseDriver } from "./driver.ts";
import { StorageError } from "../errors.ts";
import { errorMessage } from "../../util/errors.ts";

/** HttpDriverOptions are the connection settings of `storage.clickhouse` in vigil.yml. */
export interface HttpDriverOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly requestTimeoutMs: number;
  /** cluster: inserts into Distributed tables wait for the shards (distributed_foreground_insert). */
  readonly cluster?: string;
}

/**
 * openHttpDriver connects to a ClickHouse server through `@clickhouse/client` and checks that it
 * answers, so that an unreachable URL fails at start with one clear message.
 */
export async function openHttpDriver(o: HttpDriverOptions): Promise<ClickHouseDriver> {
  const client = createClient({
    url: o.url,
    username: o.username,
    password: o.password,
    request_timeout: o.requestTimeoutMs,
    clickhouse_settings: o.cluster ? { distributed_foreground_insert: 1 } : {},
  });
  const where = `ClickHouse at ${redact(o.url)}`;
  const wrap = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      throw new StorageError(`${where}: ${what}: ${errorMessage(err)}`, { cause: err });
    }
  };
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    throw new StorageError(`cannot reach ${where}: ${errorMessage(ping.error)}`, {
      cause: ping.error,
    });
  }
  return {
    description: where,
    exec: (sql) => wrap("exec", async () => void (await client.command({ query: sql }))),
    queryJson: <T>(sql: string, signal?: AbortSignal) =>
      wrap("query", async () => {
        const rs = await client.query({ query: sql, format: "JSONEachRow", abort_signal: signal });
        return rs.json<T>();
      }),
    queryNative: (sql, signal) =>
      wrap("query", async () => {
        const r = await client.exec({ query: `${sql} FORMAT Native`, abort_signal: signal });
        const chunks: Buffer[] = [];
        for await (const c of r.stream) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      }),
    insertNative: (table, columns, block, dedupToken) =>
      wrap(`insert into ${table}`, async () => {
        const r = await client.exec({
          query: `INSERT INTO ${table} (${columns.join(", ")}) FORMAT Native`,
          clickhouse_settings: {
            optimize_on_insert: 0,
            ...(dedupToken === undefined ? {} : { insert_deduplication_token: dedupToken }),
          },
          values: Readable.from(
            (block instanceof Uint8Array ? [block] : block).map((b) =>
              Buffer.from(b.buffer, b.byteOffset, b.byteLength),
            ),
          ),
        });
        r.stream.resume();
        await new Promise<void>((res, rej) => {
          r.stream.on("end", res);
          r.stream.on("error", rej);
        });
      }),
    close: () => client.close(),
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}
