import assert from "node:assert/strict";
import { test } from "node:test";
import { parseExposition } from "../model/textparse/index.ts";
import type { ParseResult } from "../model/textparse/index.ts";
import { ScrapeCache } from "./loop.ts";

const entry = (key: string, iter: number) => ({
  ref: 0,
  key,
  next: undefined,
  labels: [],
  lastIter: iter,
  seenIter: 0,
});

void test("scrape cache: entries of equal hash are chained, found by their text, and forgotten one by one", () => {
  const res = parseExposition('a{x="1"} 1\nb 2\nc{y="é"} 3\n', "text/plain; version=0.0.4");
  const keys = [0, 1, 2].map((i) => res.seriesKey(i));
  assert.deepEqual(keys.slice(0, 2), ['a{x="1"}', "b"]);
  assert.equal(keys[2], Buffer.from('c{y="é"}').toString("latin1"), "UTF-8 bytes one per char");
  const c = new ScrapeCache();
  // All three under one hash: lookups must compare the text.
  const es = keys.map((k, i) => entry(k, i === 1 ? 1 : 2));
  for (const e of es) c.add(7, e);
  assert.equal(c.size, 3);
  for (let i = 0; i < 3; i++) assert.equal(c.get(res, i, 7), es[i]);
  assert.equal(c.get(res, 0, 8), undefined);
  // Iteration 2 saw a and c, not b (in the middle of the chain).
  c.forget(2);
  assert.equal(c.size, 2);
  assert.equal(c.get(res, 1, 7), undefined);
  assert.equal(c.get(res, 0, 7), es[0]);
  assert.equal(c.get(res, 2, 7), es[2]);
  // Then none: the bucket goes.
  c.forget(3);
  assert.equal(c.size, 0);
  assert.equal(c.series.size, 0);
});

void test("scrape cache: seriesHash agrees with the text, and built entries hash their own text", () => {
  const prom = parseExposition('m{a="b"} 1\nm{a="c"} 1\n', "text/plain; version=0.0.4");
  const om = parseExposition(
    '# TYPE m counter\nm_total{a="b"} 1\nm_created{a="b"} 1\n# EOF\n',
    "application/openmetrics-text; version=1.0.0",
  );
  for (const r of [prom, om] as ParseResult[]) {
    for (let i = 0; i < r.length; i++) {
      const k = r.seriesKey(i);
      assert.ok(r.seriesIs(i, k));
      assert.ok(!r.seriesIs(i, k + " "));
      assert.equal(r.seriesHash(i), hashString(k));
    }
  }
  assert.notEqual(prom.seriesHash(0), prom.seriesHash(1));
});

function hashString(s: string): number {
  // FNV-1a over char codes, written out again here so that the test does not trust the code.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
