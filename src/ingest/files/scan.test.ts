import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { ScanOptions } from "./scan.ts";
import { scanLines } from "./scan.ts";

const dir = mkdtempSync(join(tmpdir(), "vigil-scan-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function scan(content: string | Buffer, opts: Partial<ScanOptions> = {}, bufSize = 4) {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, content);
  const fh = await open(path, "r");
  try {
    return await scanLines(fh, {
      start: 0,
      skipping: false,
      maxLineBytes: 1024,
      maxLines: Infinity,
      maxBytes: Infinity,
      buf: Buffer.alloc(bufSize),
      ...opts,
    });
  } finally {
    await fh.close();
  }
}

describe("scanLines", () => {
  const cases: {
    name: string;
    in: string;
    opts?: Partial<ScanOptions>;
    lines: string[];
    end: number;
    partialAt?: number;
    skipping?: boolean;
    more?: boolean;
    truncated?: number;
  }[] = [
    { name: "empty", in: "", lines: [], end: 0 },
    { name: "lines", in: "a\nbb\n\nccc\n", lines: ["a", "bb", "", "ccc"], end: 10 },
    { name: "crlf", in: "a\r\nb\r\n", lines: ["a", "b"], end: 6 },
    { name: "partial waits", in: "a\nbcdefg", lines: ["a"], end: 2, partialAt: 2 },
    {
      name: "partial flushed at its offset",
      in: "a\nbcdefg",
      opts: { flushFrom: 2 },
      lines: ["a", "bcdefg"],
      end: 8,
    },
    {
      name: "flushFrom elsewhere does not flush",
      in: "a\nb\ncd",
      opts: { flushFrom: 2 },
      lines: ["a", "b"],
      end: 4,
      partialAt: 4,
    },
    { name: "start offset", in: "a\nb\nc\n", opts: { start: 2 }, lines: ["b", "c"], end: 6 },
    {
      name: "limit replays and flushes the last piece",
      in: "a\nb\ncdef\n",
      opts: { limit: 6 },
      lines: ["a", "b", "cd"],
      end: 6,
    },
    {
      name: "long line cut and rest skipped",
      in: "0123456789\nab\n",
      opts: { maxLineBytes: 4 },
      lines: ["0123", "ab"],
      end: 14,
      truncated: 1,
    },
    {
      name: "long unterminated line cut, skipping continues",
      in: "0123456789",
      opts: { maxLineBytes: 4 },
      lines: ["0123"],
      end: 10,
      skipping: true,
      truncated: 1,
    },
    {
      name: "skipping at start",
      in: "6789\nab\n",
      opts: { skipping: true },
      lines: ["ab"],
      end: 8,
    },
    {
      name: "cut at a character boundary",
      in: "aé€\n",
      opts: { maxLineBytes: 4 },
      lines: ["aé"],
      end: 7,
      truncated: 1,
    },
    {
      name: "line budget",
      in: "a\nb\nc\n",
      opts: { maxLines: 2 },
      lines: ["a", "b"],
      end: 4,
      more: true,
    },
    {
      name: "byte budget still returns one line",
      in: "abcdef\nb\n",
      opts: { maxBytes: 3 },
      lines: ["abcdef"],
      end: 7,
      more: true,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (const bufSize of [3, 4, 64]) {
        const res = await scan(c.in, c.opts, bufSize);
        assert.deepEqual(res.lines, c.lines, `bufSize ${bufSize}`);
        assert.equal(res.end, c.end, `end, bufSize ${bufSize}`);
        assert.equal(res.partialAt, c.partialAt, `partialAt, bufSize ${bufSize}`);
        assert.equal(res.skipping, c.skipping ?? false, `skipping, bufSize ${bufSize}`);
        assert.equal(res.more, c.more ?? false, `more, bufSize ${bufSize}`);
        assert.equal(res.truncated, c.truncated ?? 0, `truncated, bufSize ${bufSize}`);
      }
    });
  }

  it("replaying a range yields the lines first read", async () => {
    const content = "x".repeat(10) + "\nshort\n" + "y".repeat(7);
    const first = await scan(content, { maxLineBytes: 6, maxLines: 2 });
    assert.deepEqual(first.lines, ["xxxxxx", "short"]);
    const replay = await scan(content, { maxLineBytes: 6, limit: first.end });
    assert.deepEqual(replay.lines, first.lines);
    assert.equal(replay.skipping, first.skipping);
  });
});
