// /api/v1/rules and /api/v1/alerts.

/** RuleAlert is an alert of an alerting rule (also an entry of /api/v1/alerts). */
export interface RuleAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: "firing" | "pending" | "inactive";
  readonly activeAt?: string;
  readonly keepFiringSince?: string;
  readonly value: string;
}

interface RuleBase {
  readonly name: string;
  readonly query: string;
  readonly labels?: Record<string, string>;
  readonly health: "ok" | "err" | "unknown";
  readonly lastError?: string;
  /** evaluationTime is in seconds. */
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
}

/** AlertingRule is an alerting rule with its alerts. */
export interface AlertingRule extends RuleBase {
  readonly type: "alerting";
  readonly state: "firing" | "pending" | "inactive";
  /** duration is the `for` in seconds. */
  readonly duration: number;
  readonly keepFiringFor: number;
  readonly annotations: Record<string, string>;
  readonly alerts: RuleAlert[];
}

/** RecordingRule is a recording rule. */
export interface RecordingRule extends RuleBase {
  readonly type: "recording";
}

/** Rule is either kind, told apart by type. */
export type Rule = AlertingRule | RecordingRule;

/** RuleGroup is a group of /api/v1/rules. */
export interface RuleGroup {
  readonly name: string;
  readonly file: string;
  readonly rules: Rule[];
  /** interval is in seconds. */
  readonly interval: number;
  readonly limit: number;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  /**
   * queryLanguage is the group's `query_language` ("promql" or "logql") where the server says
   * it; Prometheus's shape of /api/v1/rules has no such field (see pages/rules/ruleLanguage.ts).
   */
  readonly queryLanguage?: string;
}

/** RulesResult is the data of /api/v1/rules. */
export interface RulesResult {
  readonly groups: RuleGroup[];
}

/** AlertsResult is the data of /api/v1/alerts. */
export interface AlertsResult {
  readonly alerts: RuleAlert[];
}
