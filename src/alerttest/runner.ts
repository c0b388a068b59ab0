// `vigil test alerts`: end-to-end alert tests. Each test loads its input series into memory
// storage, evaluates the rule files on simulated time, hands the alerts to Vigil's own
// Alertmanager (routing, grouping, inhibition, time intervals, de-duplication and repeats, all
// as in production) whose integrations only record what they would send, and compares those
// notifications with the expected ones: receiver, integration, time, status, alerts and the
// rendered title and text.
import { Registry } from "prom-client";
import type { AlertmanagerSection } from "../alerting/index.ts";
import { Alertmanager, DEFAULT_TEAM_ROUTING } from "../alerting/index.ts";
import { formatDuration } from "../model/duration.ts";
import { STALE_NAN } from "../model/value/index.ts";
import { Engine } from "../promql/engine/index.ts";
import type { Group, LoadedRules } from "../rules/index.ts";
import {
  ManualClock,
  RuleManager,
  alertSender,
  engineQueryFunc,
  externalLabelsFrom,
  goTemplateExpander,
  loadRules,
} from "../rules/index.ts";
import { parseInputSeries } from "../rulestest/series.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import { errorMessage } from "../util/errors.ts";
import { silentLogger } from "../util/logging/index.ts";
import type { SentNotification } from "./capture.ts";
import { captureFactories } from "./capture.ts";
import type { AlertTest, AlertTestFile, ExpectedNotification } from "./testfile.ts";

/** RoutingLoader reads a routing configuration file (alertmanager.yml or vigil.yml). */
export type RoutingLoader = (file: string) => Promise<AlertmanagerSection>;

/** TestResult is the outcome of one test. */
export interface TestResult {
  readonly name: string;
  readonly failures: readonly string[];
  /** sent: every notification of the test, in time order (relative times). */
  readonly sent: readonly SentNotification[];
}

/** runAlertTestFile runs every test of a parsed file. */
export async function runAlertTestFile(
  f: AlertTestFile,
  loadRouting: RoutingLoader,
): Promise<TestResult[]> {
  const { rules, errors } = await loadRules({ ruleFiles: [...f.ruleFiles] });
  if (errors.length > 0) {
    const msgs = errors.map((e) => e.message);
    return [{ name: "(rule files)", failures: msgs, sent: [] }];
  }
  let section: AlertmanagerSection;
  try {
    section =
      f.routingConfig !== undefined
        ? await loadRouting(f.routingConfig)
        : { teamRouting: { ...DEFAULT_TEAM_ROUTING } };
  } catch (err) {
    return [
      { name: "(routing config)", failures: [`routing_config: ${errorMessage(err)}`], sent: [] },
    ];
  }
  const out: TestResult[] = [];
  for (const t of f.tests) out.push(await runTest(f, t, rules, section));
  return out;
}

async function runTest(
  f: AlertTestFile,
  t: AlertTest,
  rules: LoadedRules,
  section: AlertmanagerSection,
): Promise<TestResult> {
  const base = f.startMs;
  let series;
  try {
    series = parseInputSeries(t.inputSeries, t.intervalMs);
  } catch (err) {
    return { name: t.name, failures: [`input_series: ${errorMessage(err)}`], sent: [] };
  }
  const storage = new MemoryStorage();
  const app = storage.appender();
  let lastSampleMs = 0;
  for (const s of series) {
    let ref = 0;
    for (const smpl of s.samples) {
      lastSampleMs = Math.max(lastSampleMs, smpl.t);
      if (smpl.kind === "histogram")
        ref = app.appendHistogram!(ref, s.labels, base + smpl.t, smpl.h);
      else
        ref = app.append(ref, s.labels, base + smpl.t, smpl.kind === "float" ? smpl.v : STALE_NAN);
    }
  }
  await app.commit();

  const clock = new ManualClock(base);
  const sent: SentNotification[] = [];
  const logger = silentLogger();
  const am = new Alertmanager({
    logger,
    registry: new Registry(),
    externalURL: () => f.externalURL,
    clock,
    notifiers: captureFactories(sent, clock),
  });
  const engine = new Engine({
    lookbackDeltaMs: 5 * 60_000,
    timeoutMs: 100_000,
    noStepSubqueryIntervalMs: f.evaluationIntervalMs,
  });
  const externalLabels = externalLabelsFrom(t.externalLabels);
  const manager = new RuleManager({
    appendable: storage,
    queryable: storage,
    queryFuncs: { promql: engineQueryFunc(engine, storage) },
    logger,
    clock,
    templates: goTemplateExpander,
    notify: alertSender({
      sinks: () => [am],
      externalURL: () => f.externalURL,
      externalLabels: () => externalLabels,
      relabelConfigs: () => [],
    }),
  });
  try {
    await am.applyConfig(section);
  } catch (err) {
    return { name: t.name, failures: [`routing config: ${errorMessage(err)}`], sent: [] };
  }
  am.start();
  try {
    const groups = [
      ...manager
        .loadGroups(
          rules,
          {
            evaluationIntervalMs: f.evaluationIntervalMs,
            externalLabels,
            externalURL: f.externalURL,
          },
          false,
        )
        .values(),
    ];
    const lastExpected = Math.max(0, ...t.notifications.map((n) => n.atMs));
    const endMs = t.durationMs ?? Math.max(lastExpected, lastSampleMs);
    await simulate(groups, clock, base, endMs);
  } finally {
    await am.stop();
    await storage.close();
  }
  const rel = sent
    .map((s) => ({ ...s, atMs: s.atMs - base }))
    .sort((a, b) => a.atMs - b.atMs || cmp(a.receiver, b.receiver) || cmpIntegration(a, b));
  return { name: t.name, failures: compare(t.notifications, rel), sent: rel };
}

/**
 * simulate evaluates every group at its own interval, from the start to endMs inclusive,
 * moving the clock so that the Alertmanager's timers (group_wait, group_interval,
 * repeat_interval) fire at their times in between.
 */
async function simulate(
  groups: readonly Group[],
  clock: ManualClock,
  base: number,
  endMs: number,
): Promise<void> {
  const next = groups.map(() => 0);
  for (;;) {
    let t = Infinity;
    for (const n of next) t = Math.min(t, n);
    if (t > endMs || groups.length === 0) break;
    await clock.set(base + t);
    for (let i = 0; i < groups.length; i++) {
      if (next[i] !== t) continue;
      await groups[i]!.eval(base + t);
      next[i] = t + groups[i]!.intervalMs;
    }
  }
  await clock.set(base + endMs);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpIntegration(a: SentNotification, b: SentNotification): number {
  return cmp(a.integration, b.integration) || a.index - b.index;
}

/** compare pairs expected with sent notifications and describes every difference. */
export function compare(
  expected: readonly ExpectedNotification[],
  sent: readonly SentNotification[],
): string[] {
  const used = new Set<number>();
  const failures: string[] = [];
  for (const e of expected) {
    const candidates = sent
      .map((s, i) => ({ s, i }))
      .filter(({ s, i }) => !used.has(i) && s.atMs === e.atMs && s.receiver === e.receiver);
    const hit = candidates.find(({ s }) => mismatch(e, s) === undefined);
    if (hit) {
      used.add(hit.i);
      continue;
    }
    let msg = `line ${e.line}: expected ${describeExpected(e)}`;
    if (candidates.length > 0) {
      msg += `\n        but ${e.receiver} got at ${formatDuration(e.atMs)}:`;
      for (const { s } of candidates) msg += `\n          ${describeSent(s)} (${mismatch(e, s)})`;
    } else {
      const same = sent.filter((s) => s.receiver === e.receiver);
      msg +=
        same.length === 0
          ? `\n        but ${e.receiver} got no notification`
          : `\n        but ${e.receiver} got notifications at ${same.map((s) => formatDuration(s.atMs)).join(", ")}`;
    }
    failures.push(msg);
  }
  sent.forEach((s, i) => {
    if (!used.has(i)) failures.push(`unexpected notification: ${describeSent(s)}`);
  });
  return failures;
}

/** mismatch says why a sent notification is not the expected one, or undefined when it is. */
function mismatch(e: ExpectedNotification, s: SentNotification): string | undefined {
  if (e.integration !== undefined) {
    const name = `${s.integration}[${s.index}]`;
    if (e.integration !== s.integration && e.integration !== name) return `integration is ${name}`;
  }
  if (e.status !== undefined && e.status !== s.status) return `status is ${s.status}`;
  if (e.alerts !== undefined) {
    if (e.alerts.length !== s.alerts.length)
      return `${s.alerts.length} alert(s), expected ${e.alerts.length}`;
    const free = s.alerts.map(() => true);
    for (const want of e.alerts) {
      const j = s.alerts.findIndex(
        (a, k) => free[k] && Object.entries(want).every(([n, v]) => a.labels[n] === v),
      );
      if (j < 0) return `no alert has labels ${formatLabels(want)}`;
      free[j] = false;
    }
  }
  if (s.error !== undefined && (e.title !== undefined || e.text !== undefined))
    return `rendering failed: ${s.error}`;
  if (e.title !== undefined && e.title !== s.title) return `title is ${JSON.stringify(s.title)}`;
  if (e.text !== undefined && e.text !== s.text) return `text is ${JSON.stringify(s.text)}`;
  return undefined;
}

function describeExpected(e: ExpectedNotification): string {
  let s = `a notification at ${formatDuration(e.atMs)} to ${e.receiver}`;
  if (e.integration !== undefined) s += ` (${e.integration})`;
  if (e.status !== undefined) s += `, ${e.status}`;
  if (e.alerts !== undefined) s += `, alerts [${e.alerts.map(formatLabels).join(", ")}]`;
  if (e.title !== undefined) s += `, title ${JSON.stringify(e.title)}`;
  if (e.text !== undefined) s += `, text ${JSON.stringify(e.text)}`;
  return s;
}

/** describeSent prints a sent notification on one line. */
export function describeSent(s: SentNotification): string {
  let out =
    `at ${formatDuration(s.atMs)} ${s.receiver} (${s.integration}[${s.index}]) ${s.status}` +
    ` [${s.alerts.map((a) => formatLabels(a.labels)).join(", ")}]`;
  if (s.title !== "") out += ` title ${JSON.stringify(s.title)}`;
  if (s.error !== undefined) out += ` error ${JSON.stringify(s.error)}`;
  return out;
}

function formatLabels(ls: Readonly<Record<string, string>>): string {
  const keys = Object.keys(ls).sort();
  return `{${keys.map((k) => `${k}=${JSON.stringify(ls[k])}`).join(", ")}}`;
}
