import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PipelineBuildError, parseLogSelector } from "../syntax/index.ts";
import { buildPipeline } from "./index.ts";

async function run(
  pipeline: string,
  line: string,
  stream: Record<string, string> = {},
  metadata?: Record<string, string>,
): Promise<{ line: string; labels: Record<string, string> } | null> {
  const sel = parseLogSelector(`{x="y"} ${pipeline}`, false);
  const r = await buildPipeline(sel.stages).forStream(stream).process(0n, line, metadata);
  return r === null ? null : { line: r.line, labels: { ...r.labels.all } };
}

describe("log pipeline", () => {
  const cases: {
    pipeline: string;
    line: string;
    stream?: Record<string, string>;
    metadata?: Record<string, string>;
    want: { line: string; labels: Record<string, string> } | null;
  }[] = [
    { pipeline: '|= "foo"', line: "a foo b", want: { line: "a foo b", labels: {} } },
    { pipeline: '|= "foo" or "bar"', line: "bar", want: { line: "bar", labels: {} } },
    { pipeline: '!= "foo" or "bar"', line: "bar", want: null },
    { pipeline: '|~ "f.o"', line: "xfoo", want: { line: "xfoo", labels: {} } },
    { pipeline: '|> "<_> foo <_>"', line: "a foo b", want: { line: "a foo b", labels: {} } },
    {
      pipeline: '|= ip("10.0.0.0/8")',
      line: "from 10.1.2.3 ok",
      want: { line: "from 10.1.2.3 ok", labels: {} },
    },
    {
      pipeline: "| json",
      line: '{"a":"b","n":{"c":1},"app":"x"}',
      stream: { app: "s" },
      want: {
        line: '{"a":"b","n":{"c":1},"app":"x"}',
        labels: { a: "b", n_c: "1", app: "s", app_extracted: "x" },
      },
    },
    {
      pipeline: "| json",
      line: "not json",
      want: {
        line: "not json",
        labels: {
          __error__: "JSONParserErr",
          __error_details__: "Value looks like object, but can't find closing '}' symbol",
        },
      },
    },
    {
      pipeline: '| json v="a.b[1]"',
      line: '{"a":{"b":[1,2]}}',
      want: { line: '{"a":{"b":[1,2]}}', labels: { v: "2" } },
    },
    {
      pipeline: "| logfmt",
      line: 'a=1 b="x y" c=',
      want: { line: 'a=1 b="x y" c=', labels: { a: "1", b: "x y" } },
    },
    { pipeline: "| logfmt --keep-empty", line: "c=", want: { line: "c=", labels: { c: "" } } },
    {
      pipeline: "| logfmt --strict",
      line: "a=1 =x",
      want: {
        line: "a=1 =x",
        labels: {
          a: "1",
          __error__: "LogfmtParserErr",
          __error_details__: "logfmt syntax error at pos 5 : unexpected '='",
        },
      },
    },
    {
      pipeline: '| regexp "(?P<m>\\\\w+) (?P<p>\\\\S+)"',
      line: "GET /x",
      want: { line: "GET /x", labels: { m: "GET", p: "/x" } },
    },
    {
      pipeline: '| pattern "<m> <p>"',
      line: "GET /x",
      want: { line: "GET /x", labels: { m: "GET", p: "/x" } },
    },
    {
      pipeline: "| unpack",
      line: '{"_entry":"hello","k":"v"}',
      want: { line: "hello", labels: { k: "v" } },
    },
    { pipeline: "| logfmt | n > 5", line: "n=6", want: { line: "n=6", labels: { n: "6" } } },
    { pipeline: "| logfmt | n > 5", line: "n=4", want: null },
    {
      pipeline: "| logfmt | d > 1s",
      line: "d=1500ms",
      want: { line: "d=1500ms", labels: { d: "1500ms" } },
    },
    {
      pipeline: "| logfmt | s < 1KB",
      line: "s=10B",
      want: { line: "s=10B", labels: { s: "10B" } },
    },
    {
      pipeline: "| logfmt | n > 5",
      line: "n=x",
      want: {
        line: "n=x",
        labels: {
          n: "x",
          __error__: "LabelFilterErr",
          __error_details__: 'strconv.ParseFloat: parsing "x": invalid syntax',
        },
      },
    },
    { pipeline: '| logfmt | n > 5 | __error__=""', line: "n=x", want: null },
    {
      pipeline: '| line_format "{{.a | ToUpper}}-{{__line__}}"',
      line: "l",
      stream: { a: "b" },
      want: { line: "B-l", labels: { a: "b" } },
    },
    {
      pipeline: '| label_format c="{{.a}}{{.a}}", d=a',
      line: "l",
      stream: { a: "b" },
      want: { line: "l", labels: { c: "bb", d: "b" } },
    },
    {
      pipeline: "| logfmt | drop a",
      line: "a=1 b=2",
      want: { line: "a=1 b=2", labels: { b: "2" } },
    },
    {
      pipeline: "| logfmt | keep a",
      line: "a=1 b=2",
      stream: { s: "t" },
      want: { line: "a=1 b=2", labels: { a: "1" } },
    },
    { pipeline: "| decolorize", line: "\u001b[31mred\u001b[0m", want: { line: "red", labels: {} } },
    {
      pipeline: "",
      line: "m",
      metadata: { trace: "t1" },
      want: { line: "m", labels: { trace: "t1" } },
    },
  ];
  for (const c of cases) {
    it(`${c.pipeline || "(none)"} on ${JSON.stringify(c.line)}`, async () => {
      assert.deepEqual(await run(c.pipeline, c.line, c.stream, c.metadata), c.want);
    });
  }

  it("rejects bad stages when building", () => {
    for (const p of [
      '|~ "("',
      '|= ip("nope")',
      '|~ ip("1.2.3.4")',
      '|> "<a>"',
      '| line_format "{{"',
      '| json a="b..c"',
    ]) {
      const sel = parseLogSelector(`{x="y"} ${p}`, false);
      assert.throws(() => buildPipeline(sel.stages), PipelineBuildError, p);
    }
  });
});
