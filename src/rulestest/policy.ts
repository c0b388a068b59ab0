// The team policy for alerting rules (the platform's conventions; promtool has nothing like it):
// every alert says which team owns it (`team`, lowercase, as routing keys on it), how urgent it
// is (`severity` warning or critical), what it means (`description`) and where the handbook
// explains what to do (`runbook_url`, an http(s) link). `slack_channel` is optional, and checked
// when present. The built-in Watchdog (severity none) is exempt from the severity rule.
import type { RuleFileError, RuleGroupSpec } from "../rules/index.ts";
import { WATCHDOG_ALERT, ruleFileError } from "../rules/index.ts";

/** POLICY_MODES are the values of `rules.policy` in vigil.yml. */
export const POLICY_MODES = ["warn", "refuse", "off"] as const;

/** PolicyMode: log violations when rules load, refuse rules that violate it, or skip it. */
export type PolicyMode = (typeof POLICY_MODES)[number];

/** SEVERITIES are the severities the policy allows. */
export const SEVERITIES: readonly string[] = ["warning", "critical"];

const TEAM = /^[a-z0-9][a-z0-9_-]*$/;
const SLACK_CHANNEL = /^#?[a-z0-9][a-z0-9._-]{0,79}$/;

/**
 * checkPolicy returns the policy violations of a rule file's groups, one per problem, as
 * RuleFileErrors of kind "invalid" whose reason starts with "policy: ", positioned at the rule.
 */
export function checkPolicy(file: string, groups: readonly RuleGroupSpec[]): RuleFileError[] {
  const out: RuleFileError[] = [];
  for (const g of groups) {
    g.rules.forEach((r, i) => {
      if (r.kind !== "alerting") return;
      const where = { group: g.name, ruleIndex: i + 1, ruleName: r.name };
      const fail = (reason: string) =>
        out.push(ruleFileError("invalid", file, r.pos, where, `policy: ${reason}`));
      const labels = { ...g.labels, ...r.labels };
      const team = labels["team"] ?? "";
      if (team === "") fail(`label "team" is missing (the owning team, lowercase)`);
      else if (!TEAM.test(team)) {
        fail(
          `label "team" must be lowercase letters, digits, "-" or "_", got ${JSON.stringify(team)}`,
        );
      }
      const severity = labels["severity"] ?? "";
      const watchdog = r.name === WATCHDOG_ALERT && severity === "none";
      if (severity === "") fail(`label "severity" is missing (warning or critical)`);
      else if (!SEVERITIES.includes(severity) && !watchdog) {
        fail(`label "severity" must be warning or critical, got ${JSON.stringify(severity)}`);
      }
      const runbook = r.annotations["runbook_url"] ?? "";
      if (runbook === "") fail(`annotation "runbook_url" is missing (a link to the handbook)`);
      else if (!isHttpUrl(runbook)) {
        fail(
          `annotation "runbook_url" must be an http(s) link to the handbook, got ${JSON.stringify(runbook)}`,
        );
      }
      if ((r.annotations["description"] ?? "").trim() === "") {
        fail(`annotation "description" is missing`);
      }
      const slack = labels["slack_channel"] ?? r.annotations["slack_channel"];
      if (slack !== undefined && !SLACK_CHANNEL.test(slack)) {
        fail(
          `"slack_channel" must be a Slack channel name such as #team-alerts, got ${JSON.stringify(slack)}`,
        );
      }
    });
  }
  return out;
}

/** isHttpUrl reports whether s is an absolute http or https URL with a host. */
function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
  } catch {
    return false;
  }
}
