// The rule and alerting sections of vigil.yml: `rule_files` (Prometheus's globs), `rules`
// (Vigil's alerts-as-code directory, the built-in Watchdog, and the --rules.alert.* settings of
// Prometheus) and `alerting` (external Alertmanagers and alert relabeling, as in Prometheus's
// config/config.go AlertingConfig and AlertmanagerConfig at v3.5).
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { formatDuration, parseDuration } from "../model/duration.ts";
import type { RelabelConfig, RelabelConfigInput } from "../model/relabel/index.ts";
import { newRelabelConfig } from "../model/relabel/index.ts";
import { errorMessage } from "../util/errors.ts";
import { describeValue } from "./errors.ts";

/** RulesConfig configures rule loading and evaluation [rules]. */
export interface RulesConfig {
  /**
   * Glob patterns of Loki ruler files, whose groups are LogQL rules unless a group sets
   * `query_language: promql` [log_rule_files]; relative ones joined to the config file's
   * directory.
   */
  logRuleFiles: string[];
  /** Alerts-as-code directory holding common/<service>/ and <env>/<service>/ [dir]; absolute. */
  dir?: string;
  /** Environment whose overlay to load from dir; the --env flag overrides it [env]. */
  env?: string;
  /** Whether the built-in always-firing Watchdog alert runs [watchdog]; default true. */
  watchdog: boolean;
  /** Accept unknown keys in rule files, as promtool's flag [ignore_unknown_fields]; default false. */
  ignoreUnknownFields: boolean;
  /** How old `for` state may be and still be restored [for_outage_tolerance]; default 1h. */
  outageToleranceMs: number;
  /** Least time a restored alert waits before firing again [for_grace_period]; default 10m. */
  forGracePeriodMs: number;
  /** Least time between two sends of a firing alert [resend_delay]; default 1m. */
  resendDelayMs: number;
  /**
   * What loading rules does with violations of the team policy for alerting rules (team,
   * severity, runbook_url, description; `vigil check rules --policy`) [policy]: log them as
   * warnings, refuse the rules (as a bad rule file), or not check; default warn.
   */
  policy: "warn" | "refuse" | "off";
}

/** AlertmanagerStaticConfig is one static_configs entry of an Alertmanager set. */
export interface AlertmanagerStaticConfig {
  /** host:port of each Alertmanager [targets]. */
  targets: string[];
  /** Labels of the targets, visible to relabel_configs [labels]. */
  labels: Record<string, string>;
}

/** AlertmanagerConfig is one entry of alerting.alertmanagers. */
export interface AlertmanagerConfig {
  staticConfigs: AlertmanagerStaticConfig[];
  /** [scheme]; default "http". */
  scheme: "http" | "https";
  /** Prefix of the push path /api/v2/alerts [path_prefix]; default "". */
  pathPrefix: string;
  /** Timeout of each push [timeout]; default 10s. */
  timeoutMs: number;
  /** [api_version]; only "v2". */
  apiVersion: "v2";
  /** Relabeling of the Alertmanager targets [relabel_configs]. */
  relabelConfigs: RelabelConfig[];
  /** Relabeling of alerts sent to this set [alert_relabel_configs]. */
  alertRelabelConfigs: RelabelConfig[];
}

/** AlertingConfig says where alerts go besides Vigil's own router [alerting]. */
export interface AlertingConfig {
  /** Relabeling of every alert sent [alert_relabel_configs]. */
  alertRelabelConfigs: RelabelConfig[];
  alertmanagers: AlertmanagerConfig[];
}

function issue(ctx: z.RefinementCtx, message: string): void {
  ctx.addIssue({ code: "custom", message });
}

function duration() {
  return z.unknown().transform((value, ctx): number => {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string") {
      issue(ctx, `expected a duration, got ${describeValue(value)}`);
      return z.NEVER;
    }
    try {
      return parseDuration(text);
    } catch (err) {
      issue(ctx, errorMessage(err));
      return z.NEVER;
    }
  });
}

const relabelSchema = z
  .object({
    source_labels: z.array(z.string()).optional(),
    separator: z.string().optional(),
    regex: z.union([z.string(), z.number()]).optional(),
    modulus: z.number().int().nonnegative().optional(),
    target_label: z.string().optional(),
    replacement: z.union([z.string(), z.number()]).optional(),
    action: z.string().optional(),
  })
  .strict()
  .transform((r, ctx): RelabelConfig => {
    const input: RelabelConfigInput = {};
    if (r.source_labels !== undefined) input.source_labels = r.source_labels;
    if (r.separator !== undefined) input.separator = r.separator;
    if (r.regex !== undefined) input.regex = String(r.regex);
    if (r.modulus !== undefined) input.modulus = r.modulus;
    if (r.target_label !== undefined) input.target_label = r.target_label;
    if (r.replacement !== undefined) input.replacement = String(r.replacement);
    if (r.action !== undefined) input.action = r.action;
    try {
      return newRelabelConfig(input);
    } catch (err) {
      issue(ctx, errorMessage(err));
      return z.NEVER;
    }
  });

/**
 * ruleFilesSchema is `rule_files`: glob patterns, relative ones joined to the config file's
 * directory (as Prometheus's config.JoinDir does).
 */
export function ruleFilesSchema(baseDir: string) {
  return z
    .array(z.string().min(1))
    .transform((pats) => pats.map((p) => (isAbsolute(p) ? p : join(baseDir, p))));
}

/** rulesSchema is the `rules` section; dir is resolved against baseDir. */
export function rulesSchema(baseDir: string) {
  return z
    .object({
      dir: z.string().min(1).optional(),
      log_rule_files: ruleFilesSchema(baseDir).default([]),
      env: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a directory name such as prod")
        .refine((e) => e !== "common", "must not be common (the layout's shared directory)")
        .optional(),
      watchdog: z.boolean().default(true),
      ignore_unknown_fields: z.boolean().default(false),
      for_outage_tolerance: duration().prefault("1h"),
      for_grace_period: duration().prefault("10m"),
      resend_delay: duration().prefault("1m"),
      policy: z.enum(["warn", "refuse", "off"]).default("warn"),
    })
    .strict()
    .transform((r): RulesConfig => ({
      logRuleFiles: r.log_rule_files,
      ...(r.dir !== undefined && { dir: isAbsolute(r.dir) ? r.dir : join(baseDir, r.dir) }),
      ...(r.env !== undefined && { env: r.env }),
      watchdog: r.watchdog,
      ignoreUnknownFields: r.ignore_unknown_fields,
      outageToleranceMs: r.for_outage_tolerance,
      forGracePeriodMs: r.for_grace_period,
      resendDelayMs: r.resend_delay,
      policy: r.policy,
    }));
}

const staticSchema = z
  .object({
    targets: z.array(z.string()).default([]),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const t of s.targets) {
      if (t.includes("/")) {
        issue(ctx, `${JSON.stringify(t)} is not a valid hostname`);
      }
    }
  });

const alertmanagerSchema = z
  .object({
    static_configs: z.array(staticSchema).default([]),
    scheme: z.enum(["http", "https"]).default("http"),
    path_prefix: z.string().default(""),
    timeout: duration().prefault("10s"),
    api_version: z
      .string()
      .default("v2")
      .superRefine((v, ctx) => {
        if (v !== "v2") {
          issue(ctx, `expected Alertmanager api version to be one of [v2] but got ${v}`);
        }
      }),
    relabel_configs: z.array(relabelSchema).default([]),
    alert_relabel_configs: z.array(relabelSchema).default([]),
  })
  .strict()
  .transform((a): AlertmanagerConfig => ({
    staticConfigs: a.static_configs,
    scheme: a.scheme,
    pathPrefix: a.path_prefix,
    timeoutMs: a.timeout,
    apiVersion: "v2",
    relabelConfigs: a.relabel_configs,
    alertRelabelConfigs: a.alert_relabel_configs,
  }));

/** alertingSchema is the `alerting` section. */
export const alertingSchema = z
  .object({
    alert_relabel_configs: z.array(relabelSchema).default([]),
    alertmanagers: z.array(alertmanagerSchema).default([]),
  })
  .strict()
  .transform((a): AlertingConfig => ({
    alertRelabelConfigs: a.alert_relabel_configs,
    alertmanagers: a.alertmanagers,
  }));

function relabelDoc(r: RelabelConfig): Record<string, unknown> {
  return {
    ...(r.sourceLabels.length > 0 && { source_labels: r.sourceLabels }),
    ...(r.separator !== ";" && { separator: r.separator }),
    ...(!r.regexIsDefault && { regex: r.regex }),
    ...(r.modulus !== 0 && { modulus: r.modulus }),
    ...(r.targetLabel !== "" && { target_label: r.targetLabel }),
    ...(r.replacement !== "$1" && { replacement: r.replacement }),
    action: r.action,
  };
}

/** rulesToDoc prints rule_files, rules and alerting for configToYaml. */
export function rulesToDoc(
  ruleFiles: readonly string[],
  rules: RulesConfig,
  alerting: AlertingConfig,
): Record<string, unknown> {
  return {
    ...(ruleFiles.length > 0 && { rule_files: [...ruleFiles] }),
    rules: {
      ...(rules.logRuleFiles.length > 0 && { log_rule_files: [...rules.logRuleFiles] }),
      ...(rules.dir !== undefined && { dir: rules.dir }),
      ...(rules.env !== undefined && { env: rules.env }),
      watchdog: rules.watchdog,
      ignore_unknown_fields: rules.ignoreUnknownFields,
      for_outage_tolerance: formatDuration(rules.outageToleranceMs),
      for_grace_period: formatDuration(rules.forGracePeriodMs),
      resend_delay: formatDuration(rules.resendDelayMs),
      policy: rules.policy,
    },
    ...((alerting.alertmanagers.length > 0 || alerting.alertRelabelConfigs.length > 0) && {
      alerting: {
        ...(alerting.alertRelabelConfigs.length > 0 && {
          alert_relabel_configs: alerting.alertRelabelConfigs.map(relabelDoc),
        }),
        alertmanagers: alerting.alertmanagers.map((a) => ({
          static_configs: a.staticConfigs.map((s) => ({
            targets: s.targets,
            ...(Object.keys(s.labels).length > 0 && { labels: s.labels }),
          })),
          scheme: a.scheme,
          ...(a.pathPrefix !== "" && { path_prefix: a.pathPrefix }),
          timeout: formatDuration(a.timeoutMs),
          api_version: a.apiVersion,
          ...(a.relabelConfigs.length > 0 && { relabel_configs: a.relabelConfigs.map(relabelDoc) }),
          ...(a.alertRelabelConfigs.length > 0 && {
            alert_relabel_configs: a.alertRelabelConfigs.map(relabelDoc),
          }),
        })),
      },
    }),
  };
}
