// The `logs.otlp` section of vigil.yml: which OTLP attributes become stream labels, which
// structured metadata and which are dropped, as Loki's limits_config.otlp_config and
// distributor.otlp_config.default_resource_attributes_as_index_labels say
// (pkg/loghttp/push/otlplabels/config.go). Attributes that no rule names become structured
// metadata.
import type { RE2JS } from "re2js";
import { z } from "zod";
import { compileLabelRegex } from "../../model/regex/index.ts";

/** AttributeAction is what a rule does with the attributes it matches. */
export type AttributeAction = "index_label" | "structured_metadata" | "drop";

/** AttributeRule matches attribute names by list or by a fully anchored RE2 regex. */
export interface AttributeRule {
  readonly action: AttributeAction;
  readonly attributes: readonly string[];
  readonly regex?: RE2JS;
}

/** OtlpLogsConfig is the validated `logs.otlp` section. */
export interface OtlpLogsConfig {
  /** resourceAttributes: the default index labels (unless ignored) followed by the configured rules. */
  readonly resourceAttributes: readonly AttributeRule[];
  readonly scopeAttributes: readonly AttributeRule[];
  readonly logAttributes: readonly AttributeRule[];
  /** severityTextAsLabel also makes severity_text a stream label. */
  readonly severityTextAsLabel: boolean;
}

/** DEFAULT_RESOURCE_ATTRIBUTES_AS_INDEX_LABELS is Loki's default list. */
export const DEFAULT_RESOURCE_ATTRIBUTES_AS_INDEX_LABELS: readonly string[] = [
  "service.name",
  "service.namespace",
  "service.instance.id",
  "deployment.environment",
  "deployment.environment.name",
  "cloud.region",
  "cloud.availability_zone",
  "k8s.cluster.name",
  "k8s.namespace.name",
  "k8s.pod.name",
  "k8s.container.name",
  "container.name",
  "k8s.replicaset.name",
  "k8s.deployment.name",
  "k8s.statefulset.name",
  "k8s.daemonset.name",
  "k8s.cronjob.name",
  "k8s.job.name",
];

/** DEFAULT_OTLP_LOGS_CONFIG is the configuration of an absent `logs.otlp` section. */
export const DEFAULT_OTLP_LOGS_CONFIG: OtlpLogsConfig = Object.freeze({
  resourceAttributes: [
    { action: "index_label" as const, attributes: DEFAULT_RESOURCE_ATTRIBUTES_AS_INDEX_LABELS },
  ],
  scopeAttributes: [],
  logAttributes: [],
  severityTextAsLabel: false,
});

function ruleSchema(actions: readonly [AttributeAction, ...AttributeAction[]]) {
  return z
    .object({
      action: z.enum(actions),
      attributes: z.array(z.string()).optional(),
      regex: z.string().optional(),
    })
    .strict()
    .transform((r, ctx): AttributeRule => {
      const hasList = r.attributes !== undefined && r.attributes.length > 0;
      if (!hasList && r.regex === undefined) {
        ctx.addIssue({ code: "custom", message: "attributes or regex must be set" });
        return z.NEVER;
      }
      if (hasList && r.regex !== undefined) {
        ctx.addIssue({ code: "custom", message: "only one of attributes or regex must be set" });
        return z.NEVER;
      }
      if (r.regex !== undefined) {
        const re = compileLabelRegex(r.regex);
        if (!re) {
          ctx.addIssue({
            code: "custom",
            path: ["regex"],
            message: `invalid regular expression ${JSON.stringify(r.regex)}`,
          });
          return z.NEVER;
        }
        return { action: r.action, attributes: [], regex: re };
      }
      return { action: r.action, attributes: r.attributes ?? [] };
    });
}

const ALL_ACTIONS = ["index_label", "structured_metadata", "drop"] as const;

/**
 * otlpLogsSchema validates the `logs.otlp` section and yields an OtlpLogsConfig:
 *
 *     default_resource_attributes_as_index_labels: [service.name, ...]
 *     resource_attributes:
 *       ignore_defaults: false
 *       attributes_config: [{ action: index_label, attributes: [team] }]
 *     scope_attributes: [{ action: drop, regex: "otel.*" }]
 *     log_attributes: [{ action: index_label, attributes: [tenant] }]
 *     severity_text_as_label: false
 */
export const otlpLogsSchema = z
  .object({
    default_resource_attributes_as_index_labels: z
      .array(z.string())
      .default([...DEFAULT_RESOURCE_ATTRIBUTES_AS_INDEX_LABELS]),
    resource_attributes: z
      .object({
        ignore_defaults: z.boolean().default(false),
        attributes_config: z.array(ruleSchema(ALL_ACTIONS)).default([]),
      })
      .strict()
      .prefault({}),
    scope_attributes: z.array(ruleSchema(["structured_metadata", "drop"])).default([]),
    log_attributes: z.array(ruleSchema(ALL_ACTIONS)).default([]),
    severity_text_as_label: z.boolean().default(false),
  })
  .strict()
  .transform((c): OtlpLogsConfig => {
    const defaults = c.default_resource_attributes_as_index_labels;
    const useDefaults = !c.resource_attributes.ignore_defaults && defaults.length > 0;
    return {
      resourceAttributes: [
        ...(useDefaults ? [{ action: "index_label" as const, attributes: defaults }] : []),
        ...c.resource_attributes.attributes_config,
      ],
      scopeAttributes: c.scope_attributes,
      logAttributes: c.log_attributes,
      severityTextAsLabel: c.severity_text_as_label,
    };
  });

/** actionFor returns the action of the first rule matching `name`; structured metadata otherwise. */
export function actionFor(rules: readonly AttributeRule[], name: string): AttributeAction {
  for (const r of rules) {
    if (r.regex && r.regex.matches(name)) return r.action;
    if (r.attributes.includes(name)) return r.action;
  }
  return "structured_metadata";
}
