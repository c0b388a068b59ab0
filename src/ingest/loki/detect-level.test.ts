import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_LOG_LEVEL_FIELDS } from "./config.ts";
import { LevelDetector } from "./detect-level.ts";

/** detect runs d on `line` placed in a buffer between `before` and `after`. */
function detect(d: LevelDetector, line: string, before = "", after = ""): string | undefined {
  const b = Buffer.from(before + line + after);
  const start = Buffer.byteLength(before);
  return d.detect([], [], b, start, start + Buffer.byteLength(line));
}

describe("LevelDetector on bytes", () => {
  const d = new LevelDetector(DEFAULT_LOG_LEVEL_FIELDS, 2);
  const cases: [line: string, want: string][] = [
    // Level words next to non-ASCII text; case-insensitivity is ASCII-only.
    ["ошибка ERROR: x", "error"],
    ["ünïcode info", "info"],
    ["ünïcode:info", "unknown"],
    ["error€ x", "unknown"],
    ["İnfo", "unknown"],
    // At the very start and end, and boundaries on both sides.
    ["error", "error"],
    ["WARN disk almost full", "warn"],
    ["disk almost full, fatal", "fatal"],
    ["3 errors, 2 warnings", "unknown"],
    ["xinfo infox", "unknown"],
    ["(Critical)|debug", "critical"],
    ["warning: and an error", "warn"],
    ["", "unknown"],
    // logfmt keys match whole names only (case-insensitive); earlier names are preferred.
    ["levels=wrn lvl=debug", "debug"],
    ["leve=wrn lvl=debug", "debug"],
    ["lvl=wrn LeVeL=dbg", "debug"],
    ["Log.Level=trc", "trace"],
    ["severity_tex=wrn severity_text=inf", "info"],
    ["level=", "unknown"],
    ["level", "unknown"],
    // Quoted logfmt values: escapes decoded, an escaped quote does not end the value.
    ['level="w\\rn" msg=x', "warn"],
    ['msg="a \\" level=wrn" lvl=info', "info"],
    ['level="\\"error\\""', "unknown"],
    ['level="fatal', "fatal"],
    // JSON keys are case-sensitive (LEVEL and Level are names of their own).
    ['{"level":"wrn"}', "warn"],
    ['{"LeVeL":"wrn"}', "unknown"],
    ['{"LEVEL":"wrn"}', "warn"],
    // Escaped JSON keys and values are decoded.
    ['{"le\\u0076el":"error"}', "error"],
    ['{"le\\u0076el":"wrn"}', "warn"],
    ['{"level":"\\u0077rn"}', "warn"],
    ['{"msg":"\\u00fc","lvl":"dbg"}', "debug"],
    // ASCII whitespace around JSON.
    ['\r\n\t{"level":"dbg"}\v\f ', "debug"],
  ];
  for (const [line, want] of cases) {
    it(`${JSON.stringify(line)} → ${want}`, () => assert.equal(detect(d, line), want));
  }

  it("sees only its range of a bigger buffer", () => {
    assert.equal(detect(d, "all good", "error ", " fatal"), "unknown");
    assert.equal(detect(d, "info", "x", "x"), "info"); // the range's ends are boundaries
    assert.equal(detect(d, "x=1 msg=ok", "level=error ", " level=error"), "unknown");
    assert.equal(detect(d, "lvl=dbg x=1", "level=error ", ""), "debug");
    assert.equal(detect(d, "msg=ok level", "", "=error"), "unknown");
    assert.equal(detect(d, '{"msg":"ok"}', "", ',"level":"error"}'), "unknown");
    assert.equal(detect(d, '{"msg":"ok"', "", ',"level":"error"}'), "unknown");
    assert.equal(detect(d, '{"level":"wr', "", 'n"}'), "unknown");
    assert.equal(detect(d, "trace info", "{", "}"), "trace"); // not JSON on its own
    assert.equal(detect(d, 'level="a\\', "", '"error'), "unknown");
  });

  it("takes names as configured", () => {
    const only = new LevelDetector(["level"], 0);
    assert.equal(detect(only, '{"LEVEL":"dbg"}'), "unknown");
    assert.equal(detect(only, "LEVEL=dbg"), "debug");
    assert.equal(detect(only, '{"a":{"b":{"c":{"level":"dbg"}}}}'), "debug"); // no depth limit
    assert.equal(detect(only, "severity=dbg"), "unknown");
  });
});
