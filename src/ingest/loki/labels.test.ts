import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatStreamLabels, parseStreamLabels } from "./index.ts";

describe("parseStreamLabels", () => {
  const ok: { input: string; want: Record<string, string>[] | [string, string][] }[] = [
    { input: "{}", want: [] },
    { input: "", want: [] },
    { input: '{app="api"}', want: [["app", "api"]] },
    {
      input: '{env="prod", app="api",}',
      want: [
        ["app", "api"],
        ["env", "prod"],
      ],
    },
    {
      input: `{a='x', b=\`y\\n\`}`,
      want: [
        ["a", "x"],
        ["b", "y\\n"],
      ],
    },
    { input: '{a="\\u00e9\\n\\"q\\""}', want: [["a", 'é\n"q"']] },
    { input: '{a="", b="1"}', want: [["b", "1"]] },
    { input: '{"service.name"="svc"}', want: [["service.name", "svc"]] },
    {
      input: 'up{job="x"}',
      want: [
        ["__name__", "up"],
        ["job", "x"],
      ],
    },
    {
      input: '{a="1", a="2"}',
      want: [
        ["a", "1"],
        ["a", "2"],
      ],
    },
  ];
  for (const c of ok) {
    it(`parses ${c.input || "(empty)"}`, () => {
      const got = parseStreamLabels(c.input).map((l) => [l.name, l.value]);
      assert.deepEqual(got, c.want);
    });
  }

  const bad: { input: string; err: string }[] = [
    { input: '{foo-bar="x"}', err: "1:5: parse error: unexpected character inside braces: '-'" },
    {
      input: '{service.name="x"}',
      err: "1:9: parse error: unexpected character inside braces: '.'",
    },
    { input: '{1a="x"}', err: "1:2: parse error: unexpected character inside braces: '1'" },
    { input: '{a="x"', err: "1:7: parse error: unexpected end of input inside braces" },
    { input: '{a="x}', err: "1:4: parse error: unterminated quoted string" },
    { input: "{a}", err: '1:3: parse error: unexpected "}" in label set, expected "="' },
    {
      input: "{a=b}",
      err: '1:4: parse error: unexpected identifier "b" in label set, expected string',
    },
    {
      input: '{a="1" b="2"}',
      err: '1:8: parse error: unexpected identifier "b" in label set, expected "," or "}"',
    },
    {
      input: '{="x"}',
      err: '1:2: parse error: unexpected "=" in label set, expected identifier or "}"',
    },
    {
      input: '{a!"x"}',
      err: "1:3: parse error: unexpected character after '!' inside braces: '\"'",
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.input}`, () => {
      assert.throws(() => parseStreamLabels(c.input), { message: c.err });
    });
  }
});

describe("formatStreamLabels", () => {
  it("prints like Prometheus labels.String()", () => {
    assert.equal(
      formatStreamLabels([
        { name: "a", value: 'x"y' },
        { name: "service.name", value: "s" },
      ]),
      '{a="x\\"y", "service.name"="s"}',
    );
  });
});
