// Rule unit tests with the semantics of `promtool test rules` (cmd/promtool/unittest.go at
// v3.5, ruleUnitTest and testGroup.test): each test group gets a fresh in-memory storage and
// engine, its input series are loaded lazily (only samples at or before each evaluation time are
// visible), every rule group is evaluated at 0, evaluation_interval, ... up to the latest
// eval_time, alerts are checked at the evaluation that covers their eval_time, and PromQL
// expressions are checked at the end. Failures are worded exactly as promtool words them.
// Vigil's extension for LogQL rules (docs/rules.md): `log_rule_files` (Loki ruler files),
// `input_streams` loaded into the test storage's log store before the first evaluation (a LogQL
// range only reads lines at or before the query time, so lazy loading changes nothing), and
// `logql_expr_test`, checked at the end like promql_expr_test.
import { dirname, isAbsolute, join } from "node:path";
import { readFile } from "node:fs/promises";
import { RE2JS } from "re2js";
import { glob } from "../discovery/index.ts";
import type { FloatHistogram } from "../model/histogram/index.ts";
import type { Labels } from "../model/labels/index.ts";
import { STALE_NAN } from "../model/value/index.ts";
import { Engine } from "../promql/engine/index.ts";
import type { Matrix } from "../promql/engine/index.ts";
import { parseExpr } from "../promql/parser/index.ts";
import { parseSeriesDesc } from "../promql/promqltest/index.ts";
import type { Group, QueryLanguage, RuleGroupSpec, RuleSample } from "../rules/index.ts";
import {
  AlertingRule,
  ManualClock,
  RuleManager,
  engineQueryFunc,
  externalLabelsFrom,
  goTemplateExpander,
  logqlQueryFunc,
} from "../rules/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import { errorMessage } from "../util/errors.ts";
import { silentLogger } from "../util/logging/index.ts";
import {
  compareLabelLists,
  formatFloatE,
  formatGoDuration,
  formatGoLabels,
  formatModelDuration,
  goQuote,
  indentLines,
  labelsFromMap,
} from "./format.ts";
import type { PromqlFeatures } from "./rulefiles.ts";
import { formatRuleFileErrors, parserOptions, promtoolReadRuleFile } from "./rulefiles.ts";
import type { LoadSeries } from "./series.ts";
import { parseExpectedLabels, parseInputSeries } from "./series.ts";
import type { LoadStream } from "./streams.ts";
import { parseInputStreams } from "./streams.ts";
import type { AlertTestCase, PromqlTestCase, TestGroup, UnitTestFile } from "./testfile.ts";
import { TestFileError, parseTestFile } from "./testfile.ts";

/** DEFAULT_EVALUATION_INTERVAL_MS is evaluation_interval when a test file sets none. */
export const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;

/** UnitTestOptions are the flags of `vigil test rules` that change how tests run. */
export interface UnitTestOptions {
  /** run: only test groups whose name matches one of these regular expressions (RE2). */
  readonly run?: readonly string[];
  /** ignoreUnknownFields accepts unknown fields in the rule files (not in test files). */
  readonly ignoreUnknownFields?: boolean;
  readonly features?: PromqlFeatures;
  /** debug prints timings and a dump of all data, as promtool's --debug. */
  readonly debug?: boolean;
  /** out receives debug output and warnings (promtool's stdout and stderr). */
  readonly out?: (s: string) => void;
  readonly err?: (s: string) => void;
}

/** AlertRuleInfo is an alerting rule found in the rule files a test file uses. */
export interface AlertRuleInfo {
  readonly name: string;
  readonly file: string;
  readonly group: string;
  readonly line: number;
}

/** AlertCaseInfo records one alert_rule_test that ran, for coverage. */
export interface AlertCaseInfo {
  readonly alertname: string;
  /** firing: the case expects alerts (a positive case); otherwise it expects none. */
  readonly firing: boolean;
  readonly testGroup: string;
  readonly file: string;
  readonly line: number;
}

/** TestFileResult is the outcome of one test file. */
export interface TestFileResult {
  readonly file: string;
  /** errors are promtool's error texts, in order; empty when the file passed. */
  readonly errors: readonly string[];
  /** ruleFiles are the rule files the test file uses, after globbing. */
  readonly ruleFiles: readonly string[];
  /** alertRules are the alerting rules of those files (empty if they failed to load). */
  readonly alertRules: readonly AlertRuleInfo[];
  /** alertCases are the alert_rule_test entries of the test groups that ran. */
  readonly alertCases: readonly AlertCaseInfo[];
}

/** compileRun joins --run patterns as promtool does: one RE2 regexp of the alternatives. */
export function compileRun(patterns: readonly string[] | undefined): RE2JS | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined;
  return RE2JS.compile(patterns.join("|"));
}

/**
 * runTestFile runs the unit tests of one file (ruleUnitTest). It never throws for problems
 * with the file or the tests; they are the result's errors.
 */
export async function runTestFile(file: string, o: UnitTestOptions = {}): Promise<TestFileResult> {
  const base = { file, ruleFiles: [], alertRules: [], alertCases: [] };
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return { ...base, errors: [goOpenError(file, err)] };
  }
  let utf: UnitTestFile;
  try {
    utf = parseTestFile(text);
  } catch (err) {
    if (err instanceof TestFileError) return { ...base, errors: [err.message] };
    throw err;
  }
  // rule_files are relative to the test file, then globbed (resolveAndGlobFilepaths); so are
  // log_rule_files, whose groups are LogQL by default.
  const ruleFiles: string[] = [];
  const languages = new Map<string, QueryLanguage>();
  const lists: [readonly string[], QueryLanguage][] = [
    [utf.ruleFiles, "promql"],
    [utf.logRuleFiles, "logql"],
  ];
  for (const [patterns, language] of lists) {
    for (const rf of patterns) {
      const pat = rf !== "" && !isAbsolute(rf) ? join(dirname(file), rf) : rf;
      let m: string[];
      try {
        m = await glob(pat);
      } catch (err) {
        return { ...base, errors: [errorMessage(err)] };
      }
      if (m.length === 0) o.err?.(`  WARNING: no file match pattern ${pat}\n`);
      ruleFiles.push(...m);
      for (const f of m) if (language !== "promql") languages.set(f, language);
    }
  }
  const evalIntervalMs = utf.evaluationIntervalMs || DEFAULT_EVALUATION_INTERVAL_MS;
  const groupOrder = new Map<string, number>();
  for (const [i, name] of utf.groupEvalOrder.entries()) {
    if (groupOrder.has(name)) {
      return { ...base, ruleFiles, errors: [`group name repeated in evaluation order: ${name}`] };
    }
    groupOrder.set(name, i);
  }

  // The rule files are read once; promtool reads them for every test group, with the same result.
  const rules = await loadRuleFiles(ruleFiles, languages, o);
  const alertRules: AlertRuleInfo[] = [];
  for (const { file: rf, groups } of rules.files) {
    for (const g of groups) {
      for (const r of g.rules) {
        if (r.kind === "alerting") {
          alertRules.push({ name: r.name, file: rf, group: g.name, line: r.pos.line });
        }
      }
    }
  }

  const run = compileRun(o.run);
  const errors: string[] = [];
  const alertCases: AlertCaseInfo[] = [];
  for (const [i, tg] of utf.tests.entries()) {
    if (run && !run.matcher(tg.name).find()) continue;
    const testname = tg.name !== "" ? tg.name : `unnamed#${i}`;
    const group: TestGroup = tg.intervalMs === 0 ? { ...tg, intervalMs: evalIntervalMs } : tg;
    for (const c of tg.alertRuleTests) {
      alertCases.push({
        alertname: c.alertname,
        firing: c.expAlerts.length > 0,
        testGroup: testname,
        file,
        line: c.line,
      });
    }
    const errs = await runTestGroup(group, {
      testname,
      evalIntervalMs,
      groupOrder,
      fuzzyCompare: utf.fuzzyCompare,
      rules,
      options: o,
    });
    errors.push(...errs);
  }
  return { file, ruleFiles, alertRules, alertCases, errors };
}

interface LoadedRuleFiles {
  readonly files: { file: string; groups: RuleGroupSpec[] }[];
  readonly errors: string[];
}

async function loadRuleFiles(
  files: readonly string[],
  languages: ReadonlyMap<string, QueryLanguage>,
  o: UnitTestOptions,
): Promise<LoadedRuleFiles> {
  const out: LoadedRuleFiles = { files: [], errors: [] };
  for (const f of files) {
    const language = languages.get(f);
    const r = await promtoolReadRuleFile(f, {
      ignoreUnknownFields: o.ignoreUnknownFields ?? false,
      features: o.features ?? {},
      ...(language && { language }),
    });
    if (r.errors.length > 0) out.errors.push(...formatRuleFileErrors(f, r.errors));
    else out.files.push({ file: f, groups: r.groups });
  }
  return out;
}

interface GroupContext {
  readonly testname: string;
  readonly evalIntervalMs: number;
  readonly groupOrder: ReadonlyMap<string, number>;
  readonly fuzzyCompare: boolean;
  readonly rules: LoadedRuleFiles;
  readonly options: UnitTestOptions;
}

/** An alert as compared: labels and annotations (promtool's labelAndAnnotation). */
interface LabelsAndAnnotations {
  readonly labels: Labels;
  readonly annotations: Labels;
}

/** A sample as compared (promtool's parsedSample). */
interface ParsedSample {
  readonly labels: Labels;
  readonly value: number;
  /** histogram is the histogram's test expression, "" for floats. */
  readonly histogram: string;
}

/** runTestGroup runs one test group (testGroup.test) and returns its failures. */
async function runTestGroup(tg: TestGroup, ctx: GroupContext): Promise<string[]> {
  const o = ctx.options;
  const started = performance.now();
  if (o.debug) o.out?.(`DEBUG: Starting test ${ctx.testname}\n`);
  try {
    return await testGroup(tg, ctx);
  } finally {
    if (o.debug) {
      const took = formatGoDuration(Math.round(performance.now() - started));
      o.out?.(`DEBUG: Test ${ctx.testname} finished, took ${took}\n`);
    }
  }
}

async function testGroup(tg: TestGroup, ctx: GroupContext): Promise<string[]> {
  const o = ctx.options;
  const features = o.features ?? {};
  let series: LoadSeries[];
  let streams: LoadStream[];
  try {
    series = parseInputSeries(tg.inputSeries, tg.intervalMs);
    streams = parseInputStreams(tg.inputStreams);
  } catch (err) {
    return [errorMessage(err)];
  }
  const storage = new MemoryStorage();
  try {
    if (streams.length > 0) {
      const app = storage.logs.logAppender();
      for (const s of streams) app.append(s.labels, s.entries);
      await app.commit();
    }
    const engine = new Engine({
      lookbackDeltaMs: 5 * 60_000,
      maxSamples: 10_000,
      timeoutMs: 100_000,
      noStepSubqueryIntervalMs: ctx.evalIntervalMs,
      enableDelayedNameRemoval: features.delayedNameRemoval ?? false,
    });
    if (ctx.rules.errors.length > 0) return [...ctx.rules.errors];
    const groups = buildGroups(tg, ctx, engine, storage);
    return await evaluate(tg, ctx, engine, storage, series, groups);
  } finally {
    await storage.close();
  }
}

/**
 * buildGroups turns the rule files into groups (Manager.LoadGroups with the test group's
 * interval, external labels and URL), ordered by group_eval_order (groups it does not name come
 * first, in file order), with every alerting rule marked as restored so that ALERTS is written.
 */
function buildGroups(
  tg: TestGroup,
  ctx: GroupContext,
  engine: Engine,
  storage: MemoryStorage,
): Group[] {
  const manager = new RuleManager({
    appendable: storage,
    queryable: storage,
    queryFuncs: {
      promql: engineQueryFunc(engine, storage),
      logql: logqlQueryFunc(() => storage.logs.logQuerier()),
    },
    logger: silentLogger(),
    clock: new ManualClock(0),
    templates: goTemplateExpander,
    notify: () => {},
  });
  const loaded = {
    files: ctx.rules.files.map((f) => f.file),
    groups: ctx.rules.files.flatMap((f) => f.groups.map((spec) => ({ file: f.file, spec }))),
  };
  const map = manager.loadGroups(
    loaded,
    {
      evaluationIntervalMs: tg.intervalMs,
      externalLabels: externalLabelsFrom(tg.externalLabels),
      externalURL: tg.externalURL,
    },
    false,
  );
  const order = (g: Group) => ctx.groupOrder.get(g.name) ?? 0;
  return [...map.values()].sort((a, b) => order(a) - order(b));
}

async function evaluate(
  tg: TestGroup,
  ctx: GroupContext,
  engine: Engine,
  storage: MemoryStorage,
  series: readonly LoadSeries[],
  groups: readonly Group[],
): Promise<string[]> {
  const maxtMs = maxEvalTime(tg);
  const evalIntervalMs = ctx.evalIntervalMs;

  // Alert tests by eval_time, checked at the evaluation that covers their time.
  const alertTests = new Map<number, AlertTestCase[]>();
  for (const a of tg.alertRuleTests) {
    if (a.alertname === "") {
      const where = tg.name !== "" ? ` (in TestGroup ${tg.name})` : "";
      return [
        `an item under alert_rule_test misses required attribute alertname at eval_time ${formatModelDuration(a.evalTimeMs)}${where}`,
      ];
    }
    alertTests.set(a.evalTimeMs, [...(alertTests.get(a.evalTimeMs) ?? []), a]);
  }
  const alertEvalTimes = [...alertTests.keys()].sort((a, b) => a - b);
  let curr = 0;

  const loader = new LazyLoader(storage, series);
  const errs: string[] = [];
  for (let ts = 0; ts <= maxtMs; ts += evalIntervalMs) {
    const evalErrs: string[] = [];
    let loadErr: string | undefined;
    try {
      await loader.appendTill(ts);
    } catch (err) {
      loadErr = errorMessage(err);
    }
    if (loadErr !== undefined) {
      errs.push(loadErr);
    } else {
      for (const g of groups) {
        await g.eval(ts);
        for (const r of g.rules) {
          if (r.lastError !== undefined) {
            evalErrs.push(
              `    rule: ${r.name}, time: ${formatGoDuration(ts)}, err: ${r.lastError.message}`,
            );
          }
        }
      }
    }
    errs.push(...evalErrs);
    // Only evaluation errors end the test here, not failures found so far.
    if (evalErrs.length > 0) return errs;

    while (
      curr < alertEvalTimes.length &&
      ts <= alertEvalTimes[curr]! &&
      alertEvalTimes[curr]! < ts + evalIntervalMs
    ) {
      const t = alertEvalTimes[curr]!;
      errs.push(...checkAlerts(tg, alertTests.get(t)!, groups));
      curr++;
    }
  }

  errs.push(...(await checkExpressions(tg, ctx, engine, storage)));
  if (ctx.options.debug) await debugDump(tg, engine, storage, ctx.options);
  return errs;
}

/** checkAlerts compares the firing alerts of the rules with the expectations at one time. */
function checkAlerts(
  tg: TestGroup,
  cases: readonly AlertTestCase[],
  groups: readonly Group[],
): string[] {
  const names = new Set(cases.map((c) => c.alertname));
  // The same alert name can be used in several groups: collect them all.
  const got = new Map<string, LabelsAndAnnotations[]>();
  for (const g of groups) {
    for (const r of g.rules) {
      if (!(r instanceof AlertingRule) || !names.has(r.name)) continue;
      const list = got.get(r.name) ?? [];
      for (const a of r.activeAlerts()) {
        if (a.state === "firing") list.push({ labels: a.labels, annotations: a.annotations });
      }
      got.set(r.name, list);
    }
  }
  const errs: string[] = [];
  for (const c of cases) {
    const gotAlerts = sortAlerts(got.get(c.alertname) ?? []);
    const expAlerts = sortAlerts(
      c.expAlerts.map((a) => ({
        labels: labelsFromMap({ ...a.expLabels, alertname: c.alertname }),
        annotations: labelsFromMap(a.expAnnotations),
      })),
    );
    if (alertsEqual(expAlerts, gotAlerts)) continue;
    const name = tg.name !== "" ? `    name: ${tg.name},\n` : "";
    const exp = indentLines(alertsString(expAlerts), "            ");
    const gotS = indentLines(alertsString(gotAlerts), "            ");
    errs.push(
      `${name}    alertname: ${c.alertname}, time: ${formatModelDuration(c.evalTimeMs)}, \n        exp:${exp}, \n        got:${gotS}`,
    );
  }
  return errs;
}

function sortAlerts(list: LabelsAndAnnotations[]): LabelsAndAnnotations[] {
  return [...list].sort(
    (a, b) =>
      compareLabelLists(a.labels, b.labels) || compareLabelLists(a.annotations, b.annotations),
  );
}

function labelsEq(a: Labels, b: Labels): boolean {
  return (
    a.length === b.length && a.every((l, i) => l.name === b[i]!.name && l.value === b[i]!.value)
  );
}

function alertsEqual(a: LabelsAndAnnotations[], b: LabelsAndAnnotations[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (x, i) => labelsEq(x.labels, b[i]!.labels) && labelsEq(x.annotations, b[i]!.annotations),
    )
  );
}

/** alertsString is promtool's labelsAndAnnotations.String. */
function alertsString(list: readonly LabelsAndAnnotations[]): string {
  if (list.length === 0) return "[]";
  const one = (la: LabelsAndAnnotations) =>
    `Labels:${formatGoLabels(la.labels)}\nAnnotations:${formatGoLabels(la.annotations)}`;
  let s = "[\n0:" + indentLines("\n" + one(list[0]!), "  ");
  list.slice(1).forEach((la, i) => {
    s += ",\n" + String(i + 1) + ":" + indentLines("\n" + one(la), "  ");
  });
  return s + "\n]";
}

/** floatsEqual is Go's == on float64, or with fuzzy_compare, equal within one ulp. */
function floatsEqual(x: number, y: number, fuzzy: boolean): boolean {
  if (x === y) return true;
  if (!fuzzy) return false;
  return nextAfter(x, -Infinity) === y || nextAfter(x, Infinity) === y;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** nextAfter is Go's math.Nextafter. */
export function nextAfter(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return x;
  if (x === 0) return y > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  F64[0] = x;
  if (y > x === x > 0) U64[0]! += 1n;
  else U64[0]! -= 1n;
  return F64[0]!;
}

/**
 * checkExpressions runs every promql_expr_test, then every logql_expr_test, at its eval_time
 * against the loaded data.
 */
async function checkExpressions(
  tg: TestGroup,
  ctx: GroupContext,
  engine: Engine,
  storage: MemoryStorage,
): Promise<string[]> {
  const popts = parserOptions(ctx.options.features ?? {});
  const promql = (expr: string, tMs: number) => {
    // The engine accepts every PromQL feature; reject what promtool's parser would.
    parseExpr(expr, popts);
    return instantVector(engine, storage, expr, tMs);
  };
  const logql = logqlQueryFunc(() => storage.logs.logQuerier());
  return [
    ...(await checkExpressionTests(tg.promqlExprTests, ctx, promql)),
    ...(await checkExpressionTests(tg.logqlExprTests, ctx, logql)),
  ];
}

/** checkExpressionTests compares the results of query with each test's expected samples. */
async function checkExpressionTests(
  tests: readonly PromqlTestCase[],
  ctx: GroupContext,
  query: (expr: string, tMs: number) => Promise<(RuleSample & { h?: FloatHistogram })[]>,
): Promise<string[]> {
  const errs: string[] = [];
  outer: for (const tc of tests) {
    const time = formatModelDuration(tc.evalTimeMs);
    let got: (RuleSample & { h?: FloatHistogram })[];
    try {
      got = await query(tc.expr, tc.evalTimeMs);
    } catch (err) {
      errs.push(`    expr: ${goQuote(tc.expr)}, time: ${time}, err: ${errorMessage(err)}`);
      continue;
    }
    const gotSamples: ParsedSample[] = got.map((s) => ({
      labels: s.metric,
      value: s.f,
      histogram: s.h ? s.h.testExpression() : "",
    }));
    const expSamples: ParsedSample[] = [];
    for (const s of tc.expSamples) {
      try {
        const labels = parseExpectedLabels(s.labels);
        let histogram = "";
        if (s.histogram !== "") {
          const d = parseSeriesDesc(`{} ${s.histogram}`);
          const v = d.values;
          if (v.length !== 1) throw new Error(`expected 1 value, got ${v.length}`);
          if (v[0]!.kind !== "histogram") throw new Error(`expected histogram, got ${s.histogram}`);
          histogram = v[0]!.histogram.testExpression();
        }
        expSamples.push({ labels, value: s.value, histogram });
      } catch (err) {
        errs.push(
          `    expr: ${goQuote(tc.expr)}, time: ${time}, err: labels ${goQuote(s.labels)}: ${errorMessage(err)}`,
        );
        continue outer;
      }
    }
    const byLabels = (a: ParsedSample, b: ParsedSample) => compareLabelLists(a.labels, b.labels);
    expSamples.sort(byLabels);
    gotSamples.sort(byLabels);
    const equal =
      expSamples.length === gotSamples.length &&
      expSamples.every(
        (e, i) =>
          labelsEq(e.labels, gotSamples[i]!.labels) &&
          floatsEqual(e.value, gotSamples[i]!.value, ctx.fuzzyCompare) &&
          e.histogram === gotSamples[i]!.histogram,
      );
    if (!equal) {
      errs.push(
        `    expr: ${goQuote(tc.expr)}, time: ${time},\n        exp: ${samplesString(expSamples)}\n        got: ${samplesString(gotSamples)}`,
      );
    }
  }
  return errs;
}

/** instantVector runs an instant query; a scalar is one sample without labels (unittest query). */
async function instantVector(
  engine: Engine,
  storage: MemoryStorage,
  expr: string,
  tMs: number,
): Promise<(RuleSample & { h?: FloatHistogram })[]> {
  const res = await engine.instantQuery(storage, expr, tMs);
  const v = res.value;
  switch (v.type) {
    case "vector":
      return v.vector.map((s) => ({ metric: s.metric, t: s.t, f: s.f, ...(s.h && { h: s.h }) }));
    case "scalar":
      return [{ metric: [], t: v.scalar.t, f: v.scalar.f }];
    default:
      throw new Error("rule result is not a vector or scalar");
  }
}

function samplesString(list: readonly ParsedSample[]): string {
  if (list.length === 0) return "nil";
  return list
    .map(
      (s) =>
        `${formatGoLabels(s.labels)} ${s.histogram !== "" ? s.histogram : formatFloatE(s.value)}`,
    )
    .join(", ");
}

/** maxEvalTime is the latest eval_time of the group's alert and expression tests. */
function maxEvalTime(tg: TestGroup): number {
  let max = 0;
  for (const a of tg.alertRuleTests) max = Math.max(max, a.evalTimeMs);
  for (const p of tg.promqlExprTests) max = Math.max(max, p.evalTimeMs);
  for (const p of tg.logqlExprTests) max = Math.max(max, p.evalTimeMs);
  return max;
}

/** debugDump prints every series of the storage, as promtool's --debug does at the end. */
async function debugDump(
  tg: TestGroup,
  engine: Engine,
  storage: MemoryStorage,
  o: UnitTestOptions,
): Promise<void> {
  // Round up to the next whole second: PromQL cannot express fractional-second ranges.
  const ts = Math.floor((maxEvalTime(tg) + 1000) / 1000) * 1000;
  const expr = `{__name__=~".+"}[${formatModelDuration(ts)}]`;
  try {
    const res = await engine.instantQuery(storage, expr, ts);
    if (res.value.type !== "matrix") {
      o.out?.(`DEBUG: Got unexpected type ${res.value.type}\n`);
      return;
    }
    o.out?.(`DEBUG: Dump of all data (input_series and rules) at ${formatGoDuration(ts)}:\n`);
    o.out?.(matrixString(res.value.matrix) + "\n");
  } catch (err) {
    o.out?.(`DEBUG: Failed query exec, expr: ${goQuote(expr)}, err: ${errorMessage(err)}\n`);
  }
}

/** matrixString renders a matrix as promql.Matrix.String does: one series per line. */
function matrixString(m: Matrix): string {
  return m
    .map((s) => {
      const pts = [
        ...s.floats.map((p) => ({ t: p.t, s: `${formatGoFloatG(p.f)} @[${p.t}]` })),
        ...s.histograms.map((p) => ({ t: p.t, s: `${p.h.toString()} @[${p.t}]` })),
      ].sort((a, b) => a.t - b.t);
      return `${formatGoLabels(s.metric)} =>\n${pts.map((p) => p.s).join("\n")}`;
    })
    .join("\n");
}

function formatGoFloatG(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * LazyLoader appends the input samples up to a time, as promqltest's LazyLoader.WithSamplesTill:
 * later samples stay invisible to rules evaluated earlier. Native histograms get the counter
 * reset hint Prometheus's TSDB gives them when read back (chunkenc counterResetHint): within a
 * chunk every histogram after the first is "not_reset"; a chunk starts on the first histogram,
 * after a float, on a detected counter reset ("reset"), on a switch between gauge and counter
 * histograms, and every 120 samples.
 */
class LazyLoader {
  readonly #storage: MemoryStorage;
  readonly #series: readonly LoadSeries[];
  readonly #next: number[];
  readonly #chunks: ChunkState[];

  constructor(storage: MemoryStorage, series: readonly LoadSeries[]) {
    this.#storage = storage;
    this.#series = series;
    this.#next = series.map(() => 0);
    this.#chunks = series.map(() => ({ n: 0, gauge: false, prev: undefined }));
  }

  async appendTill(tMs: number): Promise<void> {
    const app = this.#storage.appender();
    this.#series.forEach((s, i) => {
      let j = this.#next[i]!;
      let ref = 0;
      const chunk = this.#chunks[i]!;
      for (; j < s.samples.length && s.samples[j]!.t <= tMs; j++) {
        const smpl = s.samples[j]!;
        if (smpl.kind === "histogram") {
          ref = app.appendHistogram!(ref, s.labels, smpl.t, withReadHint(chunk, smpl.h));
          continue;
        }
        chunk.prev = undefined;
        ref = app.append(ref, s.labels, smpl.t, smpl.kind === "float" ? smpl.v : STALE_NAN);
      }
      this.#next[i] = j;
    });
    await app.commit();
  }
}

interface ChunkState {
  /** n is the number of histograms in the current chunk (prev is its last). */
  n: number;
  gauge: boolean;
  prev: FloatHistogram | undefined;
}

/** SAMPLES_PER_CHUNK is where the TSDB head cuts a chunk. */
const SAMPLES_PER_CHUNK = 120;

function withReadHint(chunk: ChunkState, h: FloatHistogram): FloatHistogram {
  const out = h.copy();
  const gauge = h.counterResetHint === "gauge";
  const prev = chunk.prev;
  const sameChunk =
    prev !== undefined &&
    gauge === chunk.gauge &&
    chunk.n < SAMPLES_PER_CHUNK &&
    h.counterResetHint !== "reset" &&
    (gauge || !h.detectReset(prev));
  if (sameChunk) {
    chunk.n++;
    out.counterResetHint = gauge ? "gauge" : "not_reset";
  } else {
    const reset =
      h.counterResetHint === "reset" ||
      (prev !== undefined && !gauge && gauge === chunk.gauge && h.detectReset(prev));
    chunk.n = 1;
    chunk.gauge = gauge;
    out.counterResetHint = gauge ? "gauge" : reset ? "reset" : "unknown";
  }
  chunk.prev = h;
  return out;
}

/** goOpenError words a failed read as Go's os.ReadFile: `open <file>: no such file or directory`. */
function goOpenError(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT"
      ? "no such file or directory"
      : code === "EACCES"
        ? "permission denied"
        : code === "EISDIR"
          ? "is a directory"
          : errorMessage(err);
  return code === "EISDIR" ? `read ${file}: ${why}` : `open ${file}: ${why}`;
}
