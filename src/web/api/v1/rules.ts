// The data of /api/v1/rules and /api/v1/alerts, in the shapes of prometheus web/api/v1/api.go
// (v3.5: RuleDiscovery, RuleGroup, AlertingRule, RecordingRule, AlertDiscovery, Alert).
import { createHash } from "node:crypto";
import type { Labels, Matcher } from "../../../model/labels/index.ts";
import type { Alert, AlertingRule, Group, Rule } from "../../../rules/index.ts";
import { RawJson, encodeLabels, formatGoTime } from "./json.ts";

/** RulesSource is what the rules endpoints read; the RuleManager is one. */
export interface RulesSource {
  /** ruleGroups returns the groups sorted by file, then name. */
  ruleGroups(): Group[];
  alertingRules(): AlertingRule[];
}

/** GO_ZERO_TIME is Go's zero time.Time as JSON: a rule or group never evaluated. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/** RulesQuery are the parsed filters of /api/v1/rules. */
export interface RulesQuery {
  readonly type: "" | "alert" | "record";
  readonly ruleNames: ReadonlySet<string>;
  readonly ruleGroups: ReadonlySet<string>;
  readonly files: ReadonlySet<string>;
  readonly matcherSets: readonly (readonly Matcher[])[];
  readonly excludeAlerts: boolean;
  /** groupLimit > 0 pages the groups; nextToken continues a page. */
  readonly groupLimit: number;
  readonly nextToken: string;
}

/** InvalidNextTokenError is a group_next_token that matches no group. */
export class InvalidNextTokenError extends Error {}

/**
 * rulesData builds the `data` of /api/v1/rules: groups in order, each with the rules that pass
 * the filters; groups left without rules are left out.
 */
export function rulesData(src: RulesSource, q: RulesQuery): unknown {
  const returnAlerts = q.type === "" || q.type === "alert";
  const returnRecording = q.type === "" || q.type === "record";
  const groups: unknown[] = [];
  let nextToken: string | undefined;
  let foundToken = false;
  for (const g of src.ruleGroups()) {
    if (q.groupLimit > 0 && q.nextToken !== "" && !foundToken) {
      if (q.nextToken !== groupToken(g.file, g.name)) continue;
      foundToken = true;
    }
    if (q.ruleGroups.size > 0 && !q.ruleGroups.has(g.name)) continue;
    if (q.files.size > 0 && !q.files.has(g.file)) continue;
    const rules: unknown[] = [];
    for (const r of g.rulesMatching(q.matcherSets)) {
      if (q.ruleNames.size > 0 && !q.ruleNames.has(r.name)) continue;
      if (r.kind === "alerting" && returnAlerts) {
        rules.push(alertingRuleJson(r as AlertingRule, q.excludeAlerts));
      } else if (r.kind === "recording" && returnRecording) {
        rules.push(recordingRuleJson(r));
      }
    }
    if (rules.length === 0) continue;
    if (q.groupLimit > 0 && groups.length === q.groupLimit) {
      nextToken = groupToken(g.file, g.name);
      break;
    }
    groups.push({
      name: g.name,
      file: g.file,
      rules,
      interval: g.intervalMs / 1000,
      limit: g.limit,
      evaluationTime: g.evaluationTimeMs / 1000,
      lastEvaluation: goTime(g.lastEvaluationMs),
      // Vigil's addition for LogQL groups: their query_language, so that clients (the UI) link
      // their rules to the logs explorer. PromQL groups keep Prometheus's exact shape.
      ...(g.rules[0]?.query.language === "logql" && { queryLanguage: "logql" }),
    });
  }
  if (q.groupLimit > 0 && q.nextToken !== "" && !foundToken) {
    throw new InvalidNextTokenError(
      `invalid group_next_token '${q.nextToken}'. were rule groups changed?`,
    );
  }
  return { groups, groupNextToken: nextToken };
}

/** alertsData builds the `data` of /api/v1/alerts: every pending or firing alert. */
export function alertsData(src: RulesSource): unknown {
  return { alerts: src.alertingRules().flatMap((r) => r.activeAlerts().map(alertJson)) };
}

function alertingRuleJson(r: AlertingRule, excludeAlerts: boolean) {
  return {
    state: r.state,
    name: r.name,
    query: r.query.text,
    duration: r.holdDurationMs / 1000,
    keepFiringFor: r.keepFiringForMs / 1000,
    labels: new RawJson(encodeLabels(r.labels)),
    annotations: new RawJson(encodeLabels(r.annotations)),
    alerts: excludeAlerts ? null : r.activeAlerts().map(alertJson),
    health: r.health,
    lastError: r.lastError?.message || undefined,
    evaluationTime: r.evaluationDurationMs / 1000,
    lastEvaluation: goTime(r.evaluationTimestampMs),
    type: "alerting",
  };
}

function recordingRuleJson(r: Rule) {
  return {
    name: r.name,
    query: r.query.text,
    labels: r.labels.length > 0 ? new RawJson(encodeLabels(r.labels)) : undefined,
    health: r.health,
    lastError: r.lastError?.message || undefined,
    evaluationTime: r.evaluationDurationMs / 1000,
    lastEvaluation: goTime(r.evaluationTimestampMs),
    type: "recording",
  };
}

function alertJson(a: Alert) {
  return {
    labels: new RawJson(encodeLabels(a.labels)),
    annotations: new RawJson(encodeLabels(a.annotations as Labels)),
    state: a.state,
    activeAt: formatGoTime(a.activeAtMs),
    keepFiringSince:
      a.keepFiringSinceMs !== undefined ? formatGoTime(a.keepFiringSinceMs) : undefined,
    value: formatGoFloatE(a.value),
  };
}

function goTime(ms: number | undefined): string {
  return ms === undefined ? GO_ZERO_TIME : formatGoTime(ms);
}

/** groupToken is the page token of a group: hex SHA-1 of `file;name` (getRuleGroupNextToken). */
export function groupToken(file: string, name: string): string {
  return createHash("sha1").update(`${file};${name}`).digest("hex");
}

/**
 * formatGoFloatE renders a float as strconv.FormatFloat(v, 'e', -1, 64): shortest digits,
 * exponent with sign and at least two digits ("1e+00", "1.5e-07"), "NaN", "+Inf", "-Inf".
 */
export function formatGoFloatE(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const [m, e] = v.toExponential().split("e") as [string, string];
  const exp = Number(e);
  const digits = String(Math.abs(exp)).padStart(2, "0");
  const mant = Object.is(v, -0) ? "-0" : m;
  return `${mant}e${exp < 0 ? "-" : "+"}${digits}`;
}
