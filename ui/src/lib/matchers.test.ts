import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Matcher } from "./matchers.ts";
import {
  formatMatchers,
  fromApiMatcher,
  matches,
  matchesAll,
  matchesEverything,
  parseMatchers,
  toApiMatcher,
} from "./matchers.ts";

describe("parseMatchers", () => {
  it("reads matchers with and without braces, quoted and bare", () => {
    const want: Matcher[] = [
      { name: "alertname", type: "=", value: "Disk Full" },
      { name: "severity", type: "=~", value: "warn|crit" },
      { name: "instance", type: "!~", value: "db-.*" },
      { name: "team", type: "!=", value: "" },
    ];
    assert.deepEqual(
      parseMatchers('{alertname="Disk Full", severity=~"warn|crit",instance!~"db-.*", team!=""}'),
      want,
    );
    assert.deepEqual(
      parseMatchers('alertname = "Disk Full", severity=~warn|crit, instance!~db-.*, team!=""'),
      want,
    );
    assert.deepEqual(parseMatchers('job="a\\"b,c"'), [{ name: "job", type: "=", value: 'a"b,c' }]);
    assert.deepEqual(parseMatchers(""), []);
    assert.deepEqual(parseMatchers("{}"), []);
  });

  it("rejects malformed input with a message", () => {
    assert.throws(() => parseMatchers('{a="b"'), /closing '}'/);
    assert.throws(() => parseMatchers('1a="b"'), /label name/);
    assert.throws(() => parseMatchers("a~b"), /expected one of/);
    assert.throws(() => parseMatchers('a="b'), /unterminated/);
    assert.throws(() => parseMatchers('a=~"("'), /invalid regular expression/);
    assert.throws(() => parseMatchers('a="b" c="d"'), /expected ','/);
  });

  it("round-trips through the API form and text", () => {
    const ms = parseMatchers('a="1", b!="2", c=~"3", d!~"4"');
    assert.deepEqual(ms.map(toApiMatcher).map(fromApiMatcher), ms);
    assert.deepEqual(toApiMatcher(ms[3]!), {
      name: "d",
      value: "4",
      isRegex: true,
      isEqual: false,
    });
    assert.deepEqual(fromApiMatcher({ name: "x", value: "y", isRegex: false }), {
      name: "x",
      type: "=",
      value: "y",
    });
    assert.equal(formatMatchers(ms), '{a="1", b!="2", c=~"3", d!~"4"}');
  });
});

describe("matching (Alertmanager semantics)", () => {
  const labels = { alertname: "DiskFull", instance: "db-1:9100", severity: "critical" };
  it("anchors regular expressions", () => {
    assert.ok(matches({ name: "instance", type: "=~", value: "db-.*" }, labels));
    assert.ok(!matches({ name: "instance", type: "=~", value: "db" }, labels));
    assert.ok(!matches({ name: "instance", type: "=~", value: "b-1.*" }, labels));
    assert.ok(matches({ name: "instance", type: "!~", value: "web-.*" }, labels));
    assert.ok(matches({ name: "severity", type: "=~", value: "warning|critical" }, labels));
  });

  it("treats missing labels as empty", () => {
    assert.ok(matches({ name: "team", type: "=", value: "" }, labels));
    assert.ok(!matches({ name: "team", type: "!=", value: "" }, labels));
    assert.ok(matches({ name: "team", type: "=~", value: ".*" }, labels));
    assert.ok(matches({ name: "team", type: "!=", value: "infra" }, labels));
  });

  it("requires every matcher", () => {
    const ms = parseMatchers('alertname="DiskFull", severity="critical"');
    assert.ok(matchesAll(ms, labels));
    assert.ok(!matchesAll([...ms, { name: "team", type: "=", value: "x" }], labels));
    assert.ok(matchesAll([], labels));
  });

  it("detects silences that would match every alert", () => {
    assert.ok(matchesEverything(parseMatchers('a=~".*", b=""')));
    assert.ok(!matchesEverything(parseMatchers('alertname="X"')));
  });
});
