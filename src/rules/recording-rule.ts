// Recording rules, after prometheus rules/recording.go (v3.5): evaluate the query, rename the
// result to the rule's name and add the rule's labels.
import type { Labels } from "../model/labels/index.ts";
import { METRIC_NAME, labelsFromPairs, labelsKey, labelsToRecord } from "../model/labels/index.ts";
import type { EvalContext, Rule, RuleHealth, RuleQuery, RuleSample } from "./rule.ts";

/** RecordingRule records the result of its query as new series named after the rule. */
export class RecordingRule implements Rule {
  readonly kind = "recording" as const;
  health: RuleHealth = "unknown";
  lastError: Error | undefined = undefined;
  evaluationDurationMs = 0;
  evaluationTimestampMs: number | undefined = undefined;

  constructor(
    readonly name: string,
    readonly query: RuleQuery,
    readonly labels: Labels,
  ) {}

  async eval(ctx: EvalContext): Promise<RuleSample[]> {
    const vector = await ctx.queryFunc(this.query.text, ctx.tsMs - ctx.queryOffsetMs, ctx.signal);
    const seen = new Set<string>();
    const out: RuleSample[] = [];
    for (const s of vector) {
      const metric = labelsFromPairs([
        ...s.metric,
        { name: METRIC_NAME, value: this.name },
        ...this.labels,
      ]);
      const key = labelsKey(metric);
      if (seen.has(key)) {
        throw new Error(
          "vector contains metrics with the same labelset after applying rule labels",
        );
      }
      seen.add(key);
      out.push({ metric, t: s.t, f: s.f });
    }
    if (ctx.limit > 0 && out.length > ctx.limit) {
      throw new Error(`exceeded limit of ${ctx.limit} with ${out.length} series`);
    }
    return out;
  }

  toString(): string {
    return JSON.stringify({
      record: this.name,
      expr: this.query.text,
      language: this.query.language,
      labels: labelsToRecord(this.labels),
    });
  }
}
