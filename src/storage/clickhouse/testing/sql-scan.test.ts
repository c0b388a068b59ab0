import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  findFormatClause,
  firstKeyword,
  placeholderTypes,
  secondStatementOffset,
  splitInsertData,
} from "./sql-scan.ts";

void describe("splitInsertData", () => {
  void it("splits FORMAT data after exactly one line break", () => {
    const full = Buffer.concat([
      Buffer.from("INSERT INTO db.t (a, b) FORMAT Native\n"),
      Buffer.from([0x0a, 0x00, 0xff]),
    ]);
    const r = splitInsertData(full);
    assert.ok(r !== undefined);
    assert.equal(r.format, "Native");
    assert.deepEqual([...r.data], [0x0a, 0x00, 0xff]);
    assert.equal(
      r.statementFor("/tmp/x"),
      "INSERT INTO db.t (a, b) FROM INFILE '/tmp/x' FORMAT Native",
    );
  });

  void it("puts FROM INFILE before SETTINGS", () => {
    const r = splitInsertData(
      Buffer.from("insert into `t` SETTINGS async_insert=0 format CSV  1,2"),
    );
    assert.ok(r !== undefined);
    assert.equal(r.data.toString(), "1,2");
    assert.equal(
      r.statementFor("/f"),
      "insert into `t` FROM INFILE '/f' SETTINGS async_insert=0 format CSV",
    );
  });

  void it("turns VALUES into FORMAT Values", () => {
    const r = splitInsertData(Buffer.from("INSERT INTO t VALUES (1, 'a;b'), (2, 'FORMAT')"));
    assert.ok(r !== undefined);
    assert.equal(r.format, "Values");
    assert.equal(r.data.toString(), " (1, 'a;b'), (2, 'FORMAT')");
    assert.equal(r.statementFor("/f"), "INSERT INTO t FROM INFILE '/f' FORMAT Values");
  });

  void it("handles a table called format and table functions", () => {
    const r = splitInsertData(Buffer.from("INSERT INTO format (values) FORMAT TSV\n1\n"));
    assert.equal(r?.data.toString(), "1\n");
    const f = splitInsertData(
      Buffer.from("INSERT INTO FUNCTION file('x', 'CSV', 'a UInt8') FORMAT CSV\n1\n"),
    );
    assert.equal(f?.format, "CSV");
  });

  void it("leaves other statements alone", () => {
    for (const sql of [
      "SELECT 1 FORMAT Native",
      "INSERT INTO t SELECT * FROM u",
      "INSERT INTO t (a) WITH 1 AS x SELECT x",
      "INSERT INTO t FROM INFILE 'x' FORMAT CSV",
    ]) {
      assert.equal(splitInsertData(Buffer.from(sql)), undefined, sql);
    }
  });
});

void describe("statement helpers", () => {
  void it("finds the top-level FORMAT clause", () => {
    assert.equal(findFormatClause("SELECT 1 FORMAT JSONEachRow"), "JSONEachRow");
    assert.equal(findFormatClause("SELECT format('{}', 'x') -- FORMAT CSV"), undefined);
    assert.equal(findFormatClause("SELECT 'FORMAT Native'"), undefined);
    assert.equal(findFormatClause("SELECT format FROM t"), undefined);
  });

  void it("detects multiple statements", () => {
    assert.equal(secondStatementOffset("SELECT 1;"), undefined);
    assert.equal(secondStatementOffset("SELECT ';' ; "), undefined);
    assert.equal(secondStatementOffset("SELECT 1; SELECT 2"), 10);
  });

  void it("reads first keywords and placeholder types", () => {
    assert.equal(firstKeyword("  /* hi */ select 1"), "SELECT");
    assert.equal(firstKeyword("(SELECT 1)"), "");
    const types = placeholderTypes(
      "SELECT {a:UInt32}, {b: Array(String)}, '{c:String}', {d:DateTime64(3, 'UTC')}",
    );
    assert.deepEqual(
      [...types],
      [
        ["a", "UInt32"],
        ["b", "Array(String)"],
        ["d", "DateTime64(3, 'UTC')"],
      ],
    );
  });
});
