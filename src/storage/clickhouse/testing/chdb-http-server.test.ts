import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { ClickHouseClient } from "@clickhouse/client";
import { startChdbHttpDouble } from "./index.ts";
import type { ChdbHttpDouble } from "./index.ts";

const USER = "vigil";
const PASSWORD = "s3cret";
const NAN_WITH_PAYLOAD = 0x7ff0000000000002n;
// Expected failures would otherwise be logged by the client as errors.
const QUIET = { level: ClickHouseLogLevel.OFF };

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function nativeString(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([varint(b.length), b]);
}

/** A Native-format block with columns `a UInt64` and `b Float64` (the latter given as raw bits). */
function nativeBlock(rows: Array<[bigint, bigint]>): Buffer {
  const a = Buffer.alloc(rows.length * 8);
  const b = Buffer.alloc(rows.length * 8);
  rows.forEach(([av, bBits], i) => {
    a.writeBigUInt64LE(av, i * 8);
    b.writeBigUInt64LE(bBits, i * 8);
  });
  return Buffer.concat([
    varint(2),
    varint(rows.length),
    nativeString("a"),
    nativeString("UInt64"),
    a,
    nativeString("b"),
    nativeString("Float64"),
    b,
  ]);
}

/** Minimal Native reader for fixed-width columns: name, type and raw data per column. */
function readNative(buf: Buffer): Array<{ name: string; type: string; data: Buffer }> {
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const readString = (): string => {
    const len = readVarint();
    const s = buf.subarray(pos, pos + len).toString("utf8");
    pos += len;
    return s;
  };
  const columns = readVarint();
  const rows = readVarint();
  const out: Array<{ name: string; type: string; data: Buffer }> = [];
  for (let c = 0; c < columns; c += 1) {
    const name = readString();
    const type = readString();
    const width = type === "UInt64" || type === "Float64" ? 8 : 0;
    assert.ok(width > 0, `unexpected type ${type}`);
    out.push({ name, type, data: buf.subarray(pos, pos + rows * width) });
    pos += rows * width;
  }
  assert.equal(pos, buf.length);
  return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

void describe("chDB HTTP double", () => {
  let double: ChdbHttpDouble;
  let client: ClickHouseClient;

  before(async () => {
    double = await startChdbHttpDouble({ user: USER, password: PASSWORD });
    client = createClient({ url: double.url, username: USER, password: PASSWORD, log: QUIET });
  });

  after(async () => {
    await client?.close();
    await double?.stop();
  });

  void it("answers ping", async () => {
    const r = await client.ping();
    assert.equal(r.success, true);
  });

  void it("runs DDL through command", async () => {
    await client.command({ query: "CREATE DATABASE IF NOT EXISTS db" });
    await client.command({
      query: "CREATE TABLE db.t (a UInt64, b Float64) ENGINE = MergeTree ORDER BY a",
    });
    const rs = await client.query({ query: "EXISTS TABLE db.t", format: "JSONEachRow" });
    assert.deepEqual(await rs.json(), [{ result: 1 }]);
  });

  void it("inserts JSONEachRow values and reads them back", async () => {
    const r = await client.insert({
      table: "db.t",
      values: [
        { a: 1, b: 1.5 },
        { a: 2, b: -0.25 },
      ],
      format: "JSONEachRow",
    });
    assert.equal(r.executed, true);
    assert.equal(r.summary?.written_rows, "2");
    const rs = await client.query({
      query: "SELECT a, b FROM db.t WHERE a <= 2 ORDER BY a",
      format: "JSONEachRow",
    });
    // 64-bit integers are quoted in JSON, as on a ClickHouse server.
    assert.deepEqual(await rs.json(), [
      { a: "1", b: 1.5 },
      { a: "2", b: -0.25 },
    ]);
  });

  void it("inserts a binary Native block bit-exactly via exec", async () => {
    const block = nativeBlock([
      [10n, NAN_WITH_PAYLOAD],
      [11n, 0x3ff8000000000000n], // 1.5
      [12n, 0x8000000000000000n], // -0
    ]);
    const r = await client.exec({
      query: "INSERT INTO db.t (a, b) FORMAT Native",
      values: Readable.from([block]),
    });
    await readAll(r.stream);
    const rs = await client.query({
      query: "SELECT a, hex(reinterpretAsUInt64(b)) AS bits FROM db.t WHERE a >= 10 ORDER BY a",
      format: "JSONEachRow",
    });
    assert.deepEqual(await rs.json(), [
      { a: "10", bits: "7FF0000000000002" },
      { a: "11", bits: "3FF8000000000000" },
      { a: "12", bits: "8000000000000000" },
    ]);
  });

  void it("streams a Native result through exec", async () => {
    const r = await client.exec({
      query: "SELECT a, b FROM db.t WHERE a >= 10 ORDER BY a FORMAT Native",
    });
    assert.equal(r.response_headers["x-clickhouse-format"], "Native");
    const columns = readNative(await readAll(r.stream));
    assert.deepEqual(
      columns.map((c) => [c.name, c.type]),
      [
        ["a", "UInt64"],
        ["b", "Float64"],
      ],
    );
    assert.equal(columns[0].data.readBigUInt64LE(0), 10n);
    assert.equal(columns[1].data.readBigUInt64LE(0), NAN_WITH_PAYLOAD);
  });

  void it("binds query parameters", async () => {
    const rs = await client.query({
      query:
        "SELECT {x:UInt32} + 1 AS y, {s:String} AS s, {arr:Array(String)} AS arr, {n:Nullable(String)} AS n",
      query_params: { x: 41, s: "it's\ta \\ test", arr: ["o'k", "tab\there"], n: null },
      format: "JSONEachRow",
    });
    assert.deepEqual(await rs.json(), [
      { y: "42", s: "it's\ta \\ test", arr: ["o'k", "tab\there"], n: null },
    ]);
  });

  void it("binds query parameters sent as multipart/form-data", async () => {
    const rs = await client.query({
      query: "SELECT {x:UInt32} * 2 AS y",
      query_params: { x: 21 },
      use_multipart_params: true,
      format: "JSONEachRow",
    });
    assert.deepEqual(await rs.json(), [{ y: "42" }]);
  });

  void it("applies settings per request only", async () => {
    const rs = await client.query({
      query: "SELECT toUInt64(7) AS v, getSetting('max_threads') AS mt",
      format: "JSONEachRow",
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0, max_threads: 1 },
    });
    assert.deepEqual(await rs.json(), [{ v: 7, mt: 1 }]);
    const again = await client.query({
      query: "SELECT toUInt64(7) AS v",
      format: "JSONEachRow",
    });
    assert.deepEqual(await again.json(), [{ v: "7" }]);
  });

  void it("keeps concurrent requests' settings apart", async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const rs = await client.query({
          query: "SELECT toString(getSetting('max_block_size')) AS m",
          format: "JSONEachRow",
          clickhouse_settings: { max_block_size: String(1000 + i) },
        });
        return rs.json<{ m: string }>();
      }),
    );
    assert.deepEqual(
      results.map((r) => r[0].m),
      Array.from({ length: 16 }, (_, i) => String(1000 + i)),
    );
  });

  void it("uses the client's default database", async () => {
    const scoped = createClient({
      url: double.url,
      username: USER,
      password: PASSWORD,
      database: "db",
      compression: { request: true, response: true },
    });
    try {
      await scoped.insert({ table: "t", values: [{ a: 20, b: 2 }], format: "JSONEachRow" });
      const rs = await scoped.query({
        query: "SELECT currentDatabase() AS d, count() AS c FROM t WHERE a = 20",
        format: "JSONEachRow",
      });
      assert.equal(rs.response_headers["content-encoding"], "gzip");
      assert.deepEqual(await rs.json(), [{ d: "db", c: "1" }]);
    } finally {
      await scoped.close();
    }
  });

  void it("rejects an invalid query with the ClickHouse exception text", async () => {
    await assert.rejects(
      client.command({ query: "SELECT 1 +" }),
      (err: Error & { code?: string; type?: string }) => {
        assert.match(err.message, /Syntax error/);
        assert.equal(err.code, "62");
        assert.equal(err.type, "SYNTAX_ERROR");
        return true;
      },
    );
    await assert.rejects(
      client.query({ query: "SELECT * FROM db.missing", format: "JSONEachRow" }),
      (err: Error & { code?: string; type?: string }) => {
        assert.match(err.message, /missing/);
        assert.equal(err.type, "UNKNOWN_TABLE");
        return true;
      },
    );
  });

  void it("rejects a wrong password", async () => {
    const intruder = createClient({
      url: double.url,
      username: USER,
      password: "wrong",
      log: QUIET,
    });
    try {
      await assert.rejects(
        intruder.query({ query: "SELECT 1", format: "JSONEachRow" }),
        (err: Error & { code?: string; type?: string }) => {
          assert.match(err.message, /Authentication failed/);
          assert.equal(err.code, "516");
          assert.equal(err.type, "AUTHENTICATION_FAILED");
          return true;
        },
      );
    } finally {
      await intruder.close();
    }
  });
});
