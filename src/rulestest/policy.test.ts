import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseRuleFile } from "../rules/index.ts";
import { checkRules } from "./check-rules.ts";
import { BufferIo } from "./io.ts";
import { checkPolicy } from "./policy.ts";

const TESTDATA = fileURLToPath(new URL("./testdata/", import.meta.url));

function violations(yaml: string): string[] {
  const parsed = parseRuleFile(yaml, "r.yml");
  assert.deepEqual(parsed.errors, []);
  return checkPolicy("r.yml", parsed.groups).map((v) => v.reason);
}

function alert(labels: string, annotations: string, name = "A"): string {
  return `groups:\n  - name: g\n    rules:\n      - alert: ${name}\n        expr: up == 0\n        labels: ${labels}\n        annotations: ${annotations}\n`;
}

const GOOD_ANNOTATIONS = `{description: "x is down", runbook_url: "https://handbook.example.com/x"}`;

describe("team policy", () => {
  it("accepts a compliant alert and ignores recording rules", () => {
    assert.deepEqual(
      violations(alert(`{team: payments, severity: critical}`, GOOD_ANNOTATIONS)),
      [],
    );
    assert.deepEqual(
      violations(
        alert(`{team: a-b_c1, severity: warning, slack_channel: "#a-b"}`, GOOD_ANNOTATIONS),
      ),
      [],
    );
    assert.deepEqual(
      violations("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n"),
      [],
    );
  });

  it("takes the team from the group's labels", () => {
    const yaml =
      "groups:\n  - name: g\n    labels: {team: infra}\n    rules:\n      - alert: A\n        expr: up == 0\n" +
      `        labels: {severity: warning}\n        annotations: ${GOOD_ANNOTATIONS}\n`;
    assert.deepEqual(violations(yaml), []);
  });

  for (const [what, labels, annotations, want] of [
    [
      "no team",
      `{severity: critical}`,
      GOOD_ANNOTATIONS,
      [`policy: label "team" is missing (the owning team, lowercase)`],
    ],
    [
      "uppercase team",
      `{team: Payments, severity: critical}`,
      GOOD_ANNOTATIONS,
      [`policy: label "team" must be lowercase letters, digits, "-" or "_", got "Payments"`],
    ],
    [
      "templated team",
      `{team: "{{ $labels.team }}", severity: critical}`,
      GOOD_ANNOTATIONS,
      [
        `policy: label "team" must be lowercase letters, digits, "-" or "_", got "{{ $labels.team }}"`,
      ],
    ],
    [
      "no severity",
      `{team: a}`,
      GOOD_ANNOTATIONS,
      [`policy: label "severity" is missing (warning or critical)`],
    ],
    [
      "other severity",
      `{team: a, severity: page}`,
      GOOD_ANNOTATIONS,
      [`policy: label "severity" must be warning or critical, got "page"`],
    ],
    [
      "severity none outside Watchdog",
      `{team: a, severity: none}`,
      GOOD_ANNOTATIONS,
      [`policy: label "severity" must be warning or critical, got "none"`],
    ],
    [
      "no runbook",
      `{team: a, severity: warning}`,
      `{description: d}`,
      [`policy: annotation "runbook_url" is missing (a link to the handbook)`],
    ],
    [
      "runbook not a link",
      `{team: a, severity: warning}`,
      `{description: d, runbook_url: "see wiki"}`,
      [`policy: annotation "runbook_url" must be an http(s) link to the handbook, got "see wiki"`],
    ],
    [
      "runbook not http",
      `{team: a, severity: warning}`,
      `{description: d, runbook_url: "ftp://h/x"}`,
      [`policy: annotation "runbook_url" must be an http(s) link to the handbook, got "ftp://h/x"`],
    ],
    [
      "no description",
      `{team: a, severity: warning}`,
      `{runbook_url: "http://h/x", description: "  "}`,
      [`policy: annotation "description" is missing`],
    ],
    [
      "bad slack channel",
      `{team: a, severity: warning, slack_channel: "Team Alerts"}`,
      GOOD_ANNOTATIONS,
      [
        `policy: "slack_channel" must be a Slack channel name such as #team-alerts, got "Team Alerts"`,
      ],
    ],
  ] as const) {
    it(`reports ${what}`, () => assert.deepEqual(violations(alert(labels, annotations)), want));
  }

  it("exempts the Watchdog with severity none from the severity rule only", () => {
    assert.deepEqual(
      violations(alert(`{team: a, severity: none}`, GOOD_ANNOTATIONS, "Watchdog")),
      [],
    );
    assert.deepEqual(violations(alert(`{severity: none}`, GOOD_ANNOTATIONS, "Watchdog")), [
      `policy: label "team" is missing (the owning team, lowercase)`,
    ]);
  });

  it("positions violations at the rule, with group and rule", () => {
    const parsed = parseRuleFile(readFileSync(`${TESTDATA}policy-rules.yml`, "utf8"), "p.yml");
    const v = checkPolicy("p.yml", parsed.groups);
    assert.equal(v.length, 9);
    assert.equal(
      v[0]!.message,
      `p.yml:15:9: group "payments", rule 2, "PaymentsSlow": policy: label "team" must be lowercase letters, digits, "-" or "_", got "Payments"`,
    );
  });

  it("makes check rules --policy exit 3, and leaves check rules alone without it", async () => {
    const file = `${TESTDATA}policy-rules.yml`;
    let io = new BufferIo();
    assert.equal(await checkRules([file], { policy: true }, io), 3);
    assert.match(io.stderr, /^ {2}FAILED:\npolicy error 9 problem\(s\) found\.\n/);
    io = new BufferIo();
    assert.equal(await checkRules([file], {}, io), 0);
    assert.equal(io.stdout, `Checking ${file}\n  SUCCESS: 5 rules found\n\n`);
    io = new BufferIo();
    assert.equal(await checkRules([`${TESTDATA}service-rules.yml`], { policy: true }, io), 3);
    // A file that fails to parse still exits 1.
    io = new BufferIo();
    assert.equal(await checkRules([`${TESTDATA}bad-rules.yml`, file], { policy: true }, io), 1);
  });

  it("reads standard input without files", async () => {
    const io = new BufferIo();
    const code = await checkRules([], {}, io, async () => alert(`{}`, `{}`));
    assert.equal(code, 0);
    assert.equal(io.stdout, "Checking standard input\n  SUCCESS: 1 rules found\n\n");
    const bad = new BufferIo();
    assert.equal(await checkRules([], {}, bad, async () => "groups: 3\n"), 1);
    assert.equal(
      bad.stderr,
      "  FAILED:\nyaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `3` into []rulefmt.RuleGroup\nyaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `3` into []rulefmt.RuleGroupNode\n",
    );
  });
});
