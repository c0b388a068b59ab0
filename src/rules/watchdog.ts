// The built-in Watchdog alert: always firing, so that a dead man's switch outside Vigil notices
// when alerts stop arriving (the monitoring is itself monitored). Its text is kube-prometheus's
// (general.rules, Watchdog), which receivers and runbooks already know.
import type { LoadedGroup, LoadedRules } from "./loader.ts";
import { QUERY_LANGUAGES } from "./rule.ts";
import type { RuleSpec } from "./rulefmt.ts";

/** WATCHDOG_ALERT is the alert's name. */
export const WATCHDOG_ALERT = "Watchdog";
/** WATCHDOG_FILE is the `file` the built-in group reports; no such file exists. */
export const WATCHDOG_FILE = "<builtin>";
/** WATCHDOG_GROUP is the built-in group's name. */
export const WATCHDOG_GROUP = "vigil.watchdog";

const DESCRIPTION = `This is an alert meant to ensure that the entire alerting pipeline is functional.
This alert is always firing, therefore it should always be firing in Alertmanager
and always fire against a receiver. There are integrations with various notification
mechanisms that send a notification when this alert is not firing. For example the
"DeadMansSnitch" integration in PagerDuty.
`;

/** watchdogGroup returns the built-in group holding the Watchdog alert. */
export function watchdogGroup(): LoadedGroup {
  const rule: RuleSpec = {
    kind: "alerting",
    name: WATCHDOG_ALERT,
    expr: "vector(1)",
    query: QUERY_LANGUAGES.promql!.parse("vector(1)"),
    forMs: 0,
    keepFiringForMs: 0,
    labels: { severity: "none" },
    annotations: {
      description: DESCRIPTION,
      runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/general/watchdog",
      summary:
        "An alert that should always be firing to certify that Alertmanager is working properly.",
    },
    pos: { line: 0, column: 0 },
  };
  return {
    file: WATCHDOG_FILE,
    spec: {
      name: WATCHDOG_GROUP,
      intervalMs: 0,
      queryOffsetMs: undefined,
      limit: 0,
      labels: {},
      rules: [rule],
      pos: { line: 0, column: 0 },
    },
  };
}

/**
 * withWatchdog adds the built-in Watchdog group to rules, unless a loaded rule is already an
 * alert named Watchdog (the team's own dead man's switch wins).
 */
export function withWatchdog(rules: LoadedRules): LoadedRules {
  const own = rules.groups.some((g) =>
    g.spec.rules.some((r) => r.kind === "alerting" && r.name === WATCHDOG_ALERT),
  );
  if (own) return rules;
  return { files: rules.files, groups: [...rules.groups, watchdogGroup()] };
}
