import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Matcher } from "../../model/labels/index.ts";
import { lineFilterSql, nsLiteral, streamMatcherSql } from "./logs-sql.ts";
import { MIGRATIONS, logTables, retentionStatements } from "./schema.ts";

const single = { database: "vigil", retentionMs: 60 * 86_400_000 };
const cluster = { ...single, cluster: "main", logsRetentionMs: 7 * 86_400_000 };
const v4 = MIGRATIONS.find((m) => m.version === 4)!;

describe("log schema DDL (migration 4)", () => {
  it("creates streams and entries tables on one node with Loki's default retention", () => {
    const [streams, entries] = v4.statements(single);
    assert.match(
      streams!,
      /^CREATE TABLE IF NOT EXISTS `vigil`\.log_streams \(date Date, fingerprint UInt64, labels Map\(LowCardinality\(String\), String\)\) ENGINE = ReplacingMergeTree PARTITION BY date ORDER BY \(fingerprint, date\) TTL date \+ toIntervalDay\(32\)$/,
    );
    assert.match(entries!, /ENGINE = ReplacingMergeTree PARTITION BY toDate\(ts\)/);
    assert.match(entries!, /PRIMARY KEY \(fingerprint, ts\) ORDER BY \(fingerprint, ts, line\)/);
    assert.match(entries!, /ts DateTime64\(9, 'UTC'\) CODEC\(Delta, ZSTD\(1\)\)/);
    assert.match(
      entries!,
      /INDEX line_ngrams line TYPE ngrambf_v1\(4, 65536, 3, 0\) GRANULARITY 1/,
    );
    assert.match(
      entries!,
      /TTL toDateTime\(ts\) \+ toIntervalSecond\(2678400\) SETTINGS ttl_only_drop_parts = 1$/,
    );
    assert.deepEqual(logTables(single), {
      streams: "`vigil`.log_streams",
      entries: "`vigil`.log_entries",
      blooms: "`vigil`.log_blooms",
      shardStreams: "`vigil`.log_streams",
      shardEntries: "`vigil`.log_entries",
    });
  });

  it("creates Replicated local tables behind Distributed ones in a cluster", () => {
    const ddl = v4.statements(cluster);
    assert.equal(ddl.length, 4);
    assert.ok(ddl.every((s) => s.includes(" ON CLUSTER `main`")));
    assert.match(
      ddl[2]!,
      /`vigil`\.log_entries_local ON CLUSTER `main` .* ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/vigil\/log_entries_local', '\{replica\}'\)/,
    );
    assert.match(
      ddl[3]!,
      /AS `vigil`\.log_entries_local ENGINE = Distributed\('main', 'vigil', 'log_entries_local', fingerprint\)$/,
    );
    assert.match(ddl[2]!, /toIntervalSecond\(604800\)/);
    assert.equal(logTables(cluster).shardEntries, "`vigil`.log_entries_local");
    const ttl = retentionStatements(cluster).filter((s) => s.includes("log_"));
    assert.deepEqual(ttl, [
      "ALTER TABLE `vigil`.log_entries_local ON CLUSTER `main` MODIFY TTL toDateTime(ts) + toIntervalSecond(604800) SETTINGS materialize_ttl_after_modify = 0",
      "ALTER TABLE `vigil`.log_streams_local ON CLUSTER `main` MODIFY TTL date + toIntervalDay(8) SETTINGS materialize_ttl_after_modify = 0",
      "ALTER TABLE `vigil`.log_blooms_local ON CLUSTER `main` MODIFY TTL toDateTime(end) + toIntervalSecond(604800) SETTINGS materialize_ttl_after_modify = 0",
    ]);
  });
});

describe("log schema DDL (migration 6)", () => {
  const v6 = MIGRATIONS.find((m) => m.version === 6)!;
  it("adds the line blooms table, covers earlier entries and drops the ngram index", () => {
    const [blooms, cover, drop] = v6.statements(single);
    assert.match(
      blooms!,
      /`vigil`\.log_blooms \(fingerprint UInt64, start DateTime64\(9, 'UTC'\), end DateTime64\(9, 'UTC'\), shift UInt8, bloom String CODEC\(NONE\)\) ENGINE = MergeTree PARTITION BY toDate\(end\) ORDER BY \(fingerprint, start\) TTL toDateTime\(end\) \+ toIntervalSecond\(2678400\)/,
    );
    assert.match(cover!, /SELECT fingerprint, min\(ts\), max\(ts\), 29, unhex\('FF'\)/);
    assert.equal(drop, "ALTER TABLE `vigil`.log_entries DROP INDEX IF EXISTS line_ngrams");
    const ddl = v6.statements(cluster);
    assert.match(ddl[1]!, /Distributed\('main', 'vigil', 'log_blooms_local', fingerprint\)$/);
    assert.equal(
      ddl[3],
      "ALTER TABLE `vigil`.log_entries_local ON CLUSTER `main` DROP INDEX IF EXISTS line_ngrams",
    );
  });
});

describe("log SQL", () => {
  it("pushes line filters down as LIKE, match() and their negations", () => {
    assert.equal(lineFilterSql({ op: "|=", values: ["a"] }), "line LIKE '%a%'");
    assert.equal(
      lineFilterSql({ op: "|=", values: ["50%", "x_y", "c:\\d", "it's"] }),
      "(line LIKE '%50\\\\%%' OR line LIKE '%x\\\\_y%' OR line LIKE '%c:\\\\\\\\d%' OR line LIKE '%it\\'s%')",
    );
    assert.equal(
      lineFilterSql({ op: "!=", values: ["a", "b"] }),
      "line NOT LIKE '%a%' AND line NOT LIKE '%b%'",
    );
    assert.equal(lineFilterSql({ op: "|~", values: ["a.b"] }), "match(line, '(?-s:a.b)')");
    assert.equal(lineFilterSql({ op: "!~", values: ["x"] }), "NOT match(line, '(?-s:x)')");
    assert.equal(lineFilterSql({ op: "|=", values: [""] }), "1");
    assert.equal(lineFilterSql({ op: "!=", values: [""] }), "0");
  });

  it("renders stream matchers on the labels map and nanosecond bounds", () => {
    assert.equal(
      streamMatcherSql(new Matcher("=~", "app", "a|b")),
      "match(labels['app'], '^(?s:a|b)$')",
    );
    assert.equal(streamMatcherSql(new Matcher("!=", "x", "")), "labels['x'] != ''");
    assert.equal(nsLiteral(-5n), "fromUnixTimestamp64Nano(toInt64(0), 'UTC')");
    assert.equal(
      nsLiteral(1700000000123456789n),
      "fromUnixTimestamp64Nano(toInt64(1700000000123456789), 'UTC')",
    );
  });
});
