import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  durationSeconds,
  formatGoFixed6,
  goInt64,
  goStringLess,
  natsortLess,
  parseGoFloat,
} from "./go-compat.ts";
import { goSearch, goSort } from "./go-sort.ts";
import { absoluteCalendar, calendarFromUnix, daysInMonth } from "./go-time.ts";

describe("parseGoFloat", () => {
  it("accepts Go's float syntax", () => {
    const ok: [string, number][] = [
      ["1", 1],
      ["1e0", 1],
      [".2", 0.2],
      ["2.", 2],
      ["-0.1", -0.1],
      ["+3", 3],
      ["2.0e-1", 0.2],
      ["1E+2", 100],
      ["1_000", 1000],
      ["0x1p-2", 0.25],
      ["0X1.8P1", 3],
      ["0x_1p4", 16],
      ["1e-400", 0],
      ["+Inf", Infinity],
      ["+inf", Infinity],
      ["-Infinity", -Infinity],
      ["inf", Infinity],
    ];
    for (const [s, want] of ok) assert.ok(Object.is(parseGoFloat(s), want), s);
    assert.ok(Number.isNaN(parseGoFloat("NaN")!));
    assert.ok(Number.isNaN(parseGoFloat("nan")!));
  });

  it("rejects what Go rejects", () => {
    for (const s of [
      "",
      " 1",
      "1 ",
      "abc",
      "+nan",
      "infin",
      "1e",
      "1e+",
      ".",
      "0x10",
      "0x",
      "1__0",
      "_1",
      "1_",
      "1e400",
      "-1e400",
      "1.2.3",
      "0x1p",
    ]) {
      assert.equal(parseGoFloat(s), null, JSON.stringify(s));
    }
  });
});

describe("formatGoFixed6", () => {
  it("matches Go's %f", () => {
    assert.equal(formatGoFixed6(0), "0.000000");
    assert.equal(formatGoFixed6(-0), "-0.000000");
    assert.equal(formatGoFixed6(1), "1.000000");
    assert.equal(formatGoFixed6(-0.25), "-0.250000");
    assert.equal(formatGoFixed6(1e22), "10000000000000000000000.000000");
    assert.equal(formatGoFixed6(NaN), "NaN");
    assert.equal(formatGoFixed6(Infinity), "+Inf");
    assert.equal(formatGoFixed6(-Infinity), "-Inf");
    // Exact ties round to even in Go; toFixed would give 0.007813.
    assert.equal(formatGoFixed6(0.0078125), "0.007812");
    assert.equal(formatGoFixed6(-0.0234375), "-0.023438");
    assert.equal(formatGoFixed6(5e-7), "0.000000"); // just below the tie
  });
});

describe("durationSeconds and goInt64", () => {
  it("convert like Go", () => {
    assert.equal(durationSeconds(300_000), 300);
    assert.equal(durationSeconds(1001), 1 + 1e6 / 1e9);
    assert.equal(goInt64(1.9), 1n);
    assert.equal(goInt64(-1.9), -1n);
    assert.equal(goInt64(2 ** 62), 2n ** 62n);
    for (const f of [NaN, Infinity, -Infinity, 2 ** 63, -(2 ** 64)])
      assert.equal(goInt64(f), -(2n ** 63n));
    assert.equal(goInt64(-(2 ** 63)), -(2n ** 63n));
  });
});

describe("natsortLess", () => {
  it("orders digit runs numerically", () => {
    assert.ok(natsortLess("a2", "a10"));
    assert.ok(!natsortLess("a10", "a2"));
    assert.ok(natsortLess("1.2.3", "1.11.3"));
    assert.ok(natsortLess("4m5", "4m600"));
    assert.ok(natsortLess("x", "y"));
    assert.ok(natsortLess("A", "a"));
  });

  it("keeps the original's quirks", () => {
    // Equal numbers in the last chunk make either side "less".
    assert.ok(natsortLess("07", "7") && natsortLess("7", "07"));
    // The empty string precedes nothing and nothing precedes it.
    assert.ok(!natsortLess("", "a") && !natsortLess("a", ""));
    // A shorter prefix is less when it ends on an equal chunk.
    assert.ok(natsortLess("a", "a1") && !natsortLess("a1", "a"));
    // A digit run beyond int64 compares as text.
    assert.ok(natsortLess("10000000000000000000", "9"));
    assert.ok(!natsortLess("1000000000000000000", "9"));
  });
});

describe("goStringLess", () => {
  it("orders by code point like Go's byte comparison", () => {
    assert.ok(goStringLess("a", "b"));
    assert.ok(goStringLess("a", "ab"));
    assert.ok(goStringLess("\uffff", "\u{1f600}")); // UTF-16 order would say otherwise
    assert.ok("\uffff" > "\u{1f600}");
  });
});

describe("goSort", () => {
  it("sorts like any correct sort for a strict order", () => {
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (const n of [0, 1, 2, 5, 12, 13, 40, 50, 51, 200, 1000]) {
      const data = Array.from({ length: n }, () => rnd() % 10_000);
      const want = data.slice().sort((a, b) => a - b);
      goSort(data, (a, b) => a < b);
      assert.deepEqual(data, want, `n=${n}`);
      // Already sorted and reversed inputs take the pattern-detection paths.
      goSort(data, (a, b) => a < b);
      assert.deepEqual(data, want);
      data.reverse();
      goSort(data, (a, b) => a < b);
      assert.deepEqual(data, want);
    }
  });

  it("moves elements exactly as Go's insertion sort for short inputs", () => {
    // With "NaN is less than everything", Go's insertion sort moves every NaN to the front in
    // reverse order of appearance.
    const data = [3, NaN, 1, NaN, 2].map((v, i) => ({ v, i }));
    goSort(data, (a, b) => Number.isNaN(a.v) || a.v < b.v);
    assert.deepEqual(
      data.map((d) => d.i),
      [3, 1, 2, 4, 0],
    );
  });

  it("goSearch bisects", () => {
    const xs = [1, 3, 5, 7];
    assert.equal(
      goSearch(xs.length, (i) => xs[i]! >= 5),
      2,
    );
    assert.equal(
      goSearch(xs.length, (i) => xs[i]! >= 8),
      4,
    );
    assert.equal(
      goSearch(0, () => true),
      0,
    );
  });
});

describe("calendar fields", () => {
  it("agree between the Date path and Go's absolute-time arithmetic", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const secs = [0, -1, 86399, 86400, -62135596800, 253402300800, 951782400, -2208988800];
    for (let i = 0; i < 500; i++) secs.push(Math.trunc((rnd() - 0.5) * 2 * 8.64e12));
    for (const s of secs) {
      assert.deepEqual(absoluteCalendar(BigInt(s)), calendarFromUnix(BigInt(s)), String(s));
    }
  });

  it("wrap around like Go at the ends of int64", () => {
    assert.deepEqual(calendarFromUnix(-(2n ** 63n)), {
      year: 292277026596,
      month: 12,
      day: 4,
      yearDay: 339,
      weekday: 0,
      hour: 15,
      minute: 30,
    });
  });

  it("knows month lengths", () => {
    assert.equal(daysInMonth(2016, 2), 29);
    assert.equal(daysInMonth(1900, 2), 28);
    assert.equal(daysInMonth(2000, 2), 29);
    assert.equal(daysInMonth(2023, 4), 30);
    assert.equal(daysInMonth(292277026596, 12), 31);
  });
});
