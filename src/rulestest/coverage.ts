// Test coverage of alerting rules, which promtool does not report: for every alert of the rule
// files the test files use, is there an alert_rule_test that expects it to fire (a positive
// case) and one that expects it to stay silent, `exp_alerts: []` (a negative case)? The team
// policy requires both, so that a test shows the alert fires when it should and only then.
import { relative } from "node:path";
import type { TestFileResult } from "./runner.ts";

/** AlertCoverage is what the tests cover of one alert name. */
export interface AlertCoverage {
  readonly name: string;
  /** where is the first rule of that name, `file:line`. */
  readonly where: string;
  /** firingCases and silentCases count the alert_rule_test entries of each kind. */
  readonly firingCases: number;
  readonly silentCases: number;
}

/** CoverageReport lists every alert of the tested rule files and what covers it. */
export interface CoverageReport {
  readonly alerts: readonly AlertCoverage[];
  /** neverFiring: alerts no test case expects to fire. */
  readonly neverFiring: readonly AlertCoverage[];
  /** neverSilent: alerts no test case expects to stay silent. */
  readonly neverSilent: readonly AlertCoverage[];
  /** unknownAlerts: alert names tested that no rule file defines (often a typo). */
  readonly unknownAlerts: readonly string[];
  /** complete: every alert has a firing and a silent case. */
  readonly complete: boolean;
}

/**
 * coverageOf gathers coverage over test files. Alerts are identified by name, as
 * alert_rule_test identifies them; an alert counts once however many files define it.
 */
export function coverageOf(results: readonly TestFileResult[]): CoverageReport {
  const byName = new Map<string, { where: string; firing: number; silent: number }>();
  for (const r of results) {
    for (const a of r.alertRules) {
      if (!byName.has(a.name)) {
        byName.set(a.name, { where: `${displayPath(a.file)}:${a.line}`, firing: 0, silent: 0 });
      }
    }
  }
  const unknown = new Set<string>();
  for (const r of results) {
    for (const c of r.alertCases) {
      const e = byName.get(c.alertname);
      if (!e) {
        unknown.add(c.alertname);
        continue;
      }
      if (c.firing) e.firing++;
      else e.silent++;
    }
  }
  const alerts = [...byName]
    .map(([name, e]) => ({
      name,
      where: e.where,
      firingCases: e.firing,
      silentCases: e.silent,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const neverFiring = alerts.filter((a) => a.firingCases === 0);
  const neverSilent = alerts.filter((a) => a.silentCases === 0);
  return {
    alerts,
    neverFiring,
    neverSilent,
    unknownAlerts: [...unknown].sort(),
    complete: neverFiring.length === 0 && neverSilent.length === 0,
  };
}

/** formatCoverage renders a report; required adds the policy's verdict. */
export function formatCoverage(r: CoverageReport, required: boolean): string {
  let s = `Coverage: ${r.alerts.length} alert(s), ${r.neverFiring.length} never fired by a test, ${r.neverSilent.length} never shown silent by a test\n`;
  const list = (title: string, items: readonly AlertCoverage[]) => {
    if (items.length === 0) return;
    s += `  ${title}:\n`;
    for (const a of items) s += `    ${a.name} (${a.where})\n`;
  };
  list("no test expects these alerts to fire", r.neverFiring);
  list("no test expects these alerts to stay silent (exp_alerts: [])", r.neverSilent);
  if (r.unknownAlerts.length > 0) {
    s += `  tested but defined in no rule file: ${r.unknownAlerts.join(", ")}\n`;
  }
  if (required) {
    s += r.complete
      ? "  SUCCESS: every alert has a firing and a silent test case\n"
      : "  FAILED: the team policy requires a firing and a silent test case for every alert\n";
  }
  return s + "\n";
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}
