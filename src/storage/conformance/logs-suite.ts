// runLogStoreSuite is the behavioural contract of storage/logs.ts, run against every LogStore
// backend (memory, embedded chDB, ClickHouse over HTTP) like runStorageSuite for metrics.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import { EMPTY_LABELS, Matcher, labelsFromRecord } from "../../model/labels/index.ts";
import type {
  LineFilter,
  LogEntry,
  LogLines,
  LogOrder,
  LogRow,
  LogSelect,
  LogStore,
} from "../logs.ts";

/** LogStoreSuiteOptions describes how to make the log store under test. */
export interface LogStoreSuiteOptions {
  /** name shows in test titles. */
  readonly name: string;
  /** newStore returns a fresh, empty store and a function that releases it. */
  newStore(): Promise<{ store: LogStore; close(): Promise<void> }>;
}

// Yesterday at 12:00 UTC in nanoseconds: inside any retention, and far from a day boundary.
const T0 =
  BigInt((Math.floor(Date.now() / 86_400_000) - 1) * 86_400_000 + 12 * 3_600_000) * 1_000_000n;
const SEC = 1_000_000_000n;

function L(rec: Record<string, string>): Labels {
  return labelsFromRecord(rec);
}

function m(name: string, type: "=" | "!=" | "=~" | "!~", value: string): Matcher {
  return new Matcher(type, name, value);
}

function e(tsNs: bigint, line: string, metadata: Labels = EMPTY_LABELS): LogEntry {
  return { tsNs, line, metadata };
}

function fmt(ls: Labels): string {
  return ls.map((l) => `${l.name}=${l.value}`).join(",");
}

async function put(s: LogStore, streams: [Labels, LogEntry[]][]): Promise<void> {
  const app = s.logAppender();
  for (const [ls, es] of streams) app.append(ls, es);
  await app.commit();
}

/** collect reads a whole select and returns its rows and the number of batches. */
async function collect(
  s: LogStore,
  q: Partial<LogSelect> & { matchers: readonly Matcher[] },
): Promise<{ rows: LogRow[]; batches: number }> {
  const rows: LogRow[] = [];
  let batches = 0;
  for await (const b of s.logQuerier().select({
    startNs: T0 - 3600n * SEC,
    endNs: T0 + 3600n * SEC,
    order: "forward",
    ...q,
  })) {
    batches++;
    assert.ok(b.length > 0, "no empty batches");
    rows.push(...b);
  }
  return { rows, batches };
}

async function lines(
  s: LogStore,
  q: Partial<LogSelect> & { matchers: readonly Matcher[] },
): Promise<string[]> {
  return (await collect(s, q)).rows.map((r) => r.line);
}

/** runLogStoreSuite registers the log store contract tests with node:test. */
export function runLogStoreSuite(opts: LogStoreSuiteOptions): void {
  describe(`log store conformance: ${opts.name}`, () => {
    let s: LogStore;
    let close: () => Promise<void>;
    before(async () => {
      ({ store: s, close } = await opts.newStore());
      // The shared data set; tests that write more use streams with their own `t` label.
      const api = (inst: string) => L({ t: "base", app: "api", instance: inst });
      await put(s, [
        [
          api("a"),
          [
            e(T0, "GET /users 200"),
            e(T0 + SEC, "GET /orders 500 error"),
            e(T0 + 2n * SEC, "POST /users 201"),
          ],
        ],
        [api("b"), [e(T0, "GET /health 200"), e(T0 + 3n * SEC, "timeout after 30s")]],
        [L({ t: "base", app: "db", role: "primary" }), [e(T0 + SEC, "checkpoint complete")]],
        [L({ t: "base", app: "db" }), [e(T0 + 2n * SEC, "vacuum done")]],
      ]);
    });
    after(async () => {
      await close();
    });
    const base = m("t", "=", "base");

    it("makes entries visible at commit, never before, and never after rollback", async () => {
      const ls = L({ t: "txn" });
      const app = s.logAppender();
      app.append(ls, [e(T0, "first")]);
      assert.deepEqual(await lines(s, { matchers: [m("t", "=", "txn")] }), []);
      app.rollback();
      assert.throws(() => app.append(ls, [e(T0, "x")]), /committed or rolled back/);
      assert.deepEqual(await lines(s, { matchers: [m("t", "=", "txn")] }), []);
      const app2 = s.logAppender();
      app2.append(ls, [e(T0 + SEC, "second"), e(T0, "first")]);
      app2.append(ls, [e(T0 + 2n * SEC, "third")]);
      assert.deepEqual(await lines(s, { matchers: [m("t", "=", "txn")] }), []);
      await app2.commit();
      assert.deepEqual(await lines(s, { matchers: [m("t", "=", "txn")] }), [
        "first",
        "second",
        "third",
      ]);
      await assert.rejects(app2.commit(), /committed or rolled back/);
      const empty = s.logAppender();
      await empty.commit();
    });

    it("answers every concurrent commit only once its entries are readable", async () => {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const ls = L({ t: "concurrent", writer: String(i) });
          await put(s, [[ls, Array.from({ length: 20 }, (_, k) => e(T0 + BigInt(k), `w${i}`))]]);
          const got = await lines(s, {
            matchers: [m("t", "=", "concurrent"), m("writer", "=", String(i))],
          });
          assert.equal(got.length, 20, `writer ${i}`);
        }),
      );
    });

    it("stores an entry once when stream, timestamp and line repeat", async () => {
      const ls = L({ t: "dups" });
      await put(s, [[ls, [e(T0, "a"), e(T0, "a"), e(T0, "b"), e(T0 + 1n, "a")]]]);
      await put(s, [[ls, [e(T0, "a"), e(T0, "b")]]]);
      await put(s, [[L({ t: "dups", other: "x" }), [e(T0, "a")]]]);
      const { rows } = await collect(s, { matchers: [m("t", "=", "dups")] });
      assert.deepEqual(
        rows.map((r) => [r.tsNs - T0, r.line, fmt(r.stream)]),
        [
          [0n, "a", "other=x,t=dups"],
          [0n, "a", "t=dups"],
          [0n, "b", "t=dups"],
          [1n, "a", "t=dups"],
        ],
      );
      for (const order of ["backward", "stream"] as const) {
        const got = await collect(s, { matchers: [m("t", "=", "dups")], order });
        assert.equal(got.rows.length, 4, order);
      }
      const lim = await collect(s, { matchers: [m("t", "=", "dups")], limit: 3 });
      assert.equal(lim.rows.length, 3, "duplicates do not use up the limit");
    });

    it("selects streams with =, !=, =~, !~, anchored RE2 and empty-label semantics", async () => {
      const sel = async (...ms: Matcher[]) =>
        [
          ...new Set(
            (await collect(s, { matchers: [base, ...ms] })).rows.map((r) => fmt(r.stream)),
          ),
        ].sort();
      assert.deepEqual(await sel(m("app", "=", "db")), [
        "app=db,role=primary,t=base",
        "app=db,t=base",
      ]);
      assert.deepEqual(await sel(m("app", "!=", "api")), [
        "app=db,role=primary,t=base",
        "app=db,t=base",
      ]);
      assert.deepEqual(await sel(m("app", "=~", "a")), [], "regexes are anchored");
      assert.deepEqual(await sel(m("app", "=~", "a.*"), m("instance", "=~", "a|b")), [
        "app=api,instance=a,t=base",
        "app=api,instance=b,t=base",
      ]);
      assert.deepEqual(await sel(m("instance", "!~", "a")), [
        "app=api,instance=b,t=base",
        "app=db,role=primary,t=base",
        "app=db,t=base",
      ]);
      assert.deepEqual(await sel(m("role", "=", "")), [
        "app=api,instance=a,t=base",
        "app=api,instance=b,t=base",
        "app=db,t=base",
      ]);
      assert.deepEqual(await sel(m("app", "=", "db"), m("role", "!=", "")), [
        "app=db,role=primary,t=base",
      ]);
      assert.deepEqual(await sel(m("app", "=", "nope")), []);
    });

    it("reads [startNs, endNs): start inclusive, end exclusive, to the nanosecond", async () => {
      const ls = L({ t: "range" });
      await put(s, [
        [ls, [e(T0 - 1n, "before"), e(T0, "start"), e(T0 + 999n, "last"), e(T0 + 1000n, "end")]],
      ]);
      const q = { matchers: [m("t", "=", "range")], startNs: T0, endNs: T0 + 1000n };
      assert.deepEqual(await lines(s, q), ["start", "last"]);
      assert.deepEqual(await lines(s, { ...q, order: "backward" }), ["last", "start"]);
      assert.deepEqual(await lines(s, { ...q, startNs: T0 + 1000n, endNs: T0 + 1001n }), ["end"]);
      assert.deepEqual(await lines(s, { ...q, startNs: T0 + 1n, endNs: T0 + 999n }), []);
      // Far apart bounds (days) and an empty range.
      assert.equal(
        (await lines(s, { ...q, startNs: T0 - 10n * 86_400n * SEC, endNs: T0 + 86_400n * SEC }))
          .length,
        4,
      );
      assert.deepEqual(await lines(s, { ...q, startNs: T0, endNs: T0 }), []);
    });

    it("applies each line filter, or-alternatives within one and all filters together", async () => {
      const ls = L({ t: "filters" });
      await put(s, [
        [
          ls,
          [
            e(T0, "level=info msg=ok"),
            e(T0 + 1n, "level=error msg=boom"),
            e(T0 + 2n, "level=warn msg=slow 100%"),
            e(T0 + 3n, "path=C:\\tmp\\x_y it's"),
            e(T0 + 4n, "multi\nline error"),
            e(T0 + 5n, "ünïcødé ✓ 𝄞 error"),
          ],
        ],
      ]);
      const f = async (...lineFilters: LineFilter[]) =>
        (await lines(s, { matchers: [m("t", "=", "filters")], lineFilters })).map((l) =>
          [...l].slice(0, 11).join(""),
        );
      assert.deepEqual(await f({ op: "|=", values: ["error"] }), [
        "level=error",
        "multi\nline ",
        "ünïcødé ✓ 𝄞",
      ]);
      assert.deepEqual(await f({ op: "|=", values: ["info", "warn"] }), [
        "level=info ",
        "level=warn ",
      ]);
      assert.deepEqual(await f({ op: "!=", values: ["level="] }), [
        "path=C:\\tmp",
        "multi\nline ",
        "ünïcødé ✓ 𝄞",
      ]);
      assert.deepEqual(await f({ op: "!=", values: ["level=", "error"] }), ["path=C:\\tmp"]);
      // LIKE wildcards and SQL quoting are literal text in a contains filter.
      assert.deepEqual(await f({ op: "|=", values: ["100%"] }), ["level=warn "]);
      assert.deepEqual(await f({ op: "|=", values: ["x_y"] }), ["path=C:\\tmp"]);
      assert.deepEqual(await f({ op: "|=", values: ["%"] }), ["level=warn "]);
      assert.deepEqual(await f({ op: "|=", values: ["_"] }), ["path=C:\\tmp"]);
      assert.deepEqual(await f({ op: "|=", values: ["C:\\tmp\\x"] }), ["path=C:\\tmp"]);
      assert.deepEqual(await f({ op: "|=", values: ["it's"] }), ["path=C:\\tmp"]);
      assert.deepEqual(await f({ op: "|=", values: ["𝄞"] }), ["ünïcødé ✓ 𝄞"]);
      assert.equal((await f({ op: "|=", values: [""] })).length, 6, "empty needle keeps all");
      // Regexes are unanchored RE2; `.` does not match a newline (Go's default).
      assert.deepEqual(await f({ op: "|~", values: ["err.r"] }), [
        "level=error",
        "multi\nline ",
        "ünïcødé ✓ 𝄞",
      ]);
      assert.deepEqual(await f({ op: "|~", values: ["^level=(info|warn)"] }), [
        "level=info ",
        "level=warn ",
      ]);
      assert.deepEqual(await f({ op: "|~", values: ["multi.line"] }), []);
      assert.deepEqual(await f({ op: "|~", values: ["multi\\sline"] }), ["multi\nline "]);
      assert.deepEqual(await f({ op: "|~", values: ["^ü.ï"] }), ["ünïcødé ✓ 𝄞"], "UTF-8 aware");
      assert.deepEqual(await f({ op: "|~", values: ["boom$", "slow"] }), [
        "level=error",
        "level=warn ",
      ]);
      assert.deepEqual(await f({ op: "!~", values: ["level=\\w+", "error"] }), ["path=C:\\tmp"]);
      // Filters are ANDed, in order.
      assert.deepEqual(
        await f(
          { op: "|=", values: ["level"] },
          { op: "!=", values: ["info"] },
          { op: "|~", values: ["msg=[a-z]+$"] },
        ),
        ["level=error"],
      );
      await assert.rejects(f({ op: "|~", values: ["(unclosed"] }));
    });

    it("orders forward, backward and by stream, and stops at the limit", async () => {
      const q = { matchers: [base] };
      const all = (await collect(s, q)).rows;
      assert.deepEqual(
        all.map((r) => [r.tsNs - T0, fmt(r.stream)]),
        [
          [0n, "app=api,instance=a,t=base"],
          [0n, "app=api,instance=b,t=base"],
          [SEC, "app=api,instance=a,t=base"],
          [SEC, "app=db,role=primary,t=base"],
          [2n * SEC, "app=api,instance=a,t=base"],
          [2n * SEC, "app=db,t=base"],
          [3n * SEC, "app=api,instance=b,t=base"],
        ],
        "forward: by time, ties by stream labels",
      );
      const back = (await collect(s, { ...q, order: "backward" })).rows;
      assert.deepEqual(back, [...all].reverse(), "backward is the reverse of forward");
      assert.deepEqual(
        (await collect(s, { ...q, limit: 3 })).rows,
        all.slice(0, 3),
        "forward limit",
      );
      assert.deepEqual(
        (await collect(s, { ...q, order: "backward", limit: 2 })).rows,
        back.slice(0, 2),
        "backward limit",
      );
      const byStream = (await collect(s, { ...q, order: "stream" })).rows;
      assert.equal(byStream.length, all.length);
      const seen = new Set<string>();
      let prev: LogRow | undefined;
      for (const r of byStream) {
        const k = fmt(r.stream);
        if (prev && fmt(prev.stream) === k) {
          assert.ok(prev.tsNs <= r.tsNs, "ascending within a stream");
        } else {
          assert.ok(!seen.has(k), `stream ${k} is contiguous`);
          seen.add(k);
        }
        prev = r;
      }
      const limited = (await collect(s, { ...q, order: "stream", limit: 4 })).rows;
      assert.equal(limited.length, 4);
      assert.deepEqual(limited, byStream.slice(0, 4), "stream order is stable");
      // Rows of one stream share one labels object.
      const a = all.filter((r) => fmt(r.stream) === "app=api,instance=a,t=base");
      assert.ok(a.every((r) => r.stream === a[0]!.stream));
    });

    it("streams large results in batches, in order, without losing or repeating rows", async () => {
      const streams = 7;
      const perStream = 4000;
      const app = s.logAppender();
      for (let i = 0; i < streams; i++) {
        const es: LogEntry[] = [];
        for (let k = 0; k < perStream; k++) {
          // Interleaved timestamps across streams, some shared between streams.
          es.push(
            e(T0 + BigInt(k * 1000 + (i % 3)), `stream ${i} entry ${k} ${"x".repeat(k % 50)}`),
          );
        }
        app.append(L({ t: "big", i: String(i) }), es);
      }
      await app.commit();
      const total = streams * perStream;
      for (const order of ["forward", "backward", "stream"] as LogOrder[]) {
        const { rows, batches } = await collect(s, { matchers: [m("t", "=", "big")], order });
        assert.equal(rows.length, total, order);
        assert.ok(batches > 1, `${order}: ${batches} batches`);
        const keys = new Set(rows.map((r) => r.line));
        assert.equal(keys.size, total, `${order}: no repeats`);
        if (order !== "stream") {
          for (let j = 1; j < rows.length; j++) {
            const ok =
              order === "forward"
                ? rows[j - 1]!.tsNs <= rows[j]!.tsNs
                : rows[j - 1]!.tsNs >= rows[j]!.tsNs;
            if (!ok) assert.fail(`${order}: row ${j} out of order`);
          }
        }
      }
      const full = (await collect(s, { matchers: [m("t", "=", "big")], order: "backward" })).rows;
      const lim = await collect(s, {
        matchers: [m("t", "=", "big")],
        order: "backward",
        limit: 12_345,
      });
      assert.equal(lim.rows.length, 12_345);
      assert.deepEqual(
        lim.rows.map((r) => r.line),
        full.slice(0, 12_345).map((r) => r.line),
      );
      for (const order of ["forward", "backward"] as LogOrder[]) {
        const { rows } = await collect(s, {
          matchers: [m("t", "=", "big")],
          order,
          lineFilters: [{ op: "!=", values: ["entry 1 "] }],
        });
        assert.equal(rows.length, total - streams, `${order}, filtered`);
        assert.equal(new Set(rows.map((r) => r.line)).size, rows.length);
      }
      const filtered = await collect(s, {
        matchers: [m("t", "=", "big")],
        lineFilters: [{ op: "|=", values: ["entry 3999 "] }],
      });
      assert.equal(filtered.rows.length, streams);
    });

    it("answers streams, label names and label values for the range", async () => {
      const q = s.logQuerier();
      const ls = L({ t: "labels", only: "later" });
      await put(s, [[ls, [e(T0 + 10n * SEC, "later")]]]);
      const streams = await q.streams([base], T0, T0 + 4n * SEC);
      assert.deepEqual(streams.map(fmt), [
        "app=api,instance=a,t=base",
        "app=api,instance=b,t=base",
        "app=db,role=primary,t=base",
        "app=db,t=base",
      ]);
      assert.deepEqual(
        (await q.streams([base, m("app", "=", "api")], T0 + 3n * SEC, T0 + 4n * SEC)).map(fmt),
        ["app=api,instance=b,t=base"],
      );
      assert.deepEqual(await q.streams([m("t", "=", "labels")], T0, T0 + 10n * SEC), []);
      assert.deepEqual((await q.streams([m("t", "=", "labels")], T0, T0 + 11n * SEC)).map(fmt), [
        "only=later,t=labels",
      ]);
      assert.deepEqual(await q.labelNames(T0, T0 + 4n * SEC, [base]), [
        "app",
        "instance",
        "role",
        "t",
      ]);
      assert.ok(!(await q.labelNames(T0, T0 + 4n * SEC)).includes("only"));
      assert.ok((await q.labelNames(T0, T0 + 11n * SEC)).includes("only"));
      assert.deepEqual(await q.labelValues("app", T0, T0 + 4n * SEC, [base]), ["api", "db"]);
      assert.deepEqual(await q.labelValues("instance", T0 + SEC, T0 + 2n * SEC, [base]), ["a"]);
      assert.deepEqual(await q.labelValues("nope", T0, T0 + 4n * SEC, [base]), []);
    });

    it("reports stats and volume", async () => {
      const q = s.logQuerier();
      const st = await q.stats([base], T0, T0 + 4n * SEC);
      const bytes = Buffer.byteLength(
        "GET /users 200GET /orders 500 errorPOST /users 201GET /health 200timeout after 30s" +
          "checkpoint completevacuum done",
      );
      assert.deepEqual(st, { streams: 4, chunks: 4, entries: 7, bytes });
      const st2 = await q.stats([base, m("app", "=", "api")], T0 + SEC, T0 + 3n * SEC);
      assert.deepEqual(st2, {
        streams: 1,
        chunks: 1,
        entries: 2,
        bytes: Buffer.byteLength("GET /orders 500 errorPOST /users 201"),
      });
      assert.deepEqual(await q.stats([m("t", "=", "none")], T0, T0 + SEC), {
        streams: 0,
        chunks: 0,
        entries: 0,
        bytes: 0,
      });
      const vol = await q.volume([base], T0, T0 + 4n * SEC, ["app"], 10);
      assert.deepEqual(
        vol.map((v) => [fmt(v.labels), v.bytes]),
        [
          [
            "app=api",
            Buffer.byteLength(
              "GET /users 200GET /orders 500 errorPOST /users 201GET /health 200timeout after 30s",
            ),
          ],
          ["app=db", Buffer.byteLength("checkpoint completevacuum done")],
        ],
      );
      const byMatchers = await q.volume([base, m("app", "=~", ".+")], T0, T0 + 4n * SEC, [], 1);
      assert.deepEqual(
        byMatchers.map((v) => fmt(v.labels)),
        ["app=api,t=base"],
        "grouped by the matchers' label names, limited",
      );
    });

    it("takes lines as byte ranges of a buffer (appendLines) as it takes strings", async () => {
      const ls = L({ t: "bytes" });
      const md = L({ k: "v" });
      const data = Buffer.from("..héllo..needle-in-bytes.. unsorted");
      const cols = (rows: [bigint, number, number, Labels][]): LogLines => ({
        count: rows.length,
        data,
        ts: BigInt64Array.from(rows.map((r) => r[0])),
        start: Int32Array.from(rows.map((r) => r[1])),
        end: Int32Array.from(rows.map((r) => r[2])),
        metadata: rows.map((r) => r[3]),
      });
      const app = s.logAppender();
      assert.throws(() => app.appendLines(ls, cols([[T0, 2, 99, md]])), /outside a buffer/);
      assert.throws(() => app.appendLines(ls, cols([[-1n, 2, 3, md]])), /timestamp must be/);
      // Columns may be longer than count: rows past it are not entries.
      const three = cols([
        [T0 + 2n, 2, 8, md],
        [T0 + 3n, 10, 25, EMPTY_LABELS],
        [T0 + 1n, 27, data.length, md],
        [T0 + 4n, 0, data.length, md],
      ]);
      app.appendLines(ls, { ...three, count: 3 });
      await app.commit();
      const { rows } = await collect(s, { matchers: [m("t", "=", "bytes")] });
      assert.deepEqual(
        rows.map((r) => [r.tsNs - T0, r.line, r.metadata]),
        [
          [1n, " unsorted", md],
          [2n, "héllo", md],
          [3n, "needle-in-bytes", []],
        ],
      );
      assert.deepEqual(
        await lines(s, {
          matchers: [m("t", "=", "bytes")],
          lineFilters: [{ op: "|=", values: ["in-bytes"] }],
        }),
        ["needle-in-bytes"],
      );
    });

    it("round-trips structured metadata, unicode and very long lines", async () => {
      const ls = L({ t: "meta", ünï: "cødé ✓" });
      const md = L({ trace_id: "abc123", user: "jörg 'x' \"y\" \\ \n", zz: "𝄞" });
      const long = "x".repeat(1 << 20) + "needle" + "ü".repeat(1000);
      const weird = "tab\there\r\nnul\u0000byte 'quote' \"dq\" \\back \u2028 ✓ 𝄞";
      await put(s, [
        [ls, [e(T0, "with metadata", md), e(T0 + 1n, long), e(T0 + 2n, weird), e(T0 + 3n, "")]],
      ]);
      const { rows } = await collect(s, { matchers: [m("ünï", "=", "cødé ✓")] });
      assert.equal(rows.length, 4);
      assert.deepEqual(rows[0]!.metadata, md);
      assert.deepEqual(rows[1]!.metadata, []);
      assert.equal(rows[1]!.line, long);
      assert.equal(rows[2]!.line, weird);
      assert.equal(rows[3]!.line, "");
      assert.deepEqual(rows[0]!.stream, ls);
      const hit = await lines(s, {
        matchers: [m("t", "=", "meta")],
        lineFilters: [{ op: "|=", values: ["needleü"] }],
      });
      assert.equal(hit.length, 1);
      assert.deepEqual(await s.logQuerier().labelValues("ünï", T0, T0 + SEC), ["cødé ✓"]);
    });

    it("rejects invalid input with a clear error", () => {
      const app = s.logAppender();
      assert.throws(() => app.append(EMPTY_LABELS, [e(T0, "x")]), /without labels/);
      assert.throws(
        () =>
          app.append(
            [
              { name: "b", value: "1" },
              { name: "a", value: "2" },
            ],
            [e(T0, "x")],
          ),
        /not sorted/,
      );
      assert.throws(() => app.append(L({ a: "1" }), [e(-1n, "x")]), /timestamp/);
      assert.throws(
        () =>
          app.append(L({ a: "1" }), [{ tsNs: 5 as unknown as bigint, line: "x", metadata: [] }]),
        /timestamp/,
      );
      assert.throws(
        () =>
          app.append(L({ a: "1" }), [
            e(T0, "x", [
              { name: "z", value: "1" },
              { name: "a", value: "2" },
            ]),
          ]),
        /metadata not sorted/,
      );
      app.rollback();
    });

    it("stops a select whose signal is aborted", async () => {
      const ac = new AbortController();
      ac.abort(new Error("stop here"));
      await assert.rejects(collect(s, { matchers: [base], signal: ac.signal }), /stop here/);
    });
  });
}
