// Wiring of the rule engine into a running Vigil: rule files and the alerts-as-code directory
// from vigil.yml, the built-in Watchdog, evaluation against storage with the PromQL engine in
// force (LogQL rules against the log store), and alerts handed to the application's sinks and to
// external Alertmanagers.
import { hostname } from "node:os";
import type { VigilConfig } from "../config/index.ts";
import { splitHostPort } from "../config/index.ts";
import type { Engine } from "../promql/engine/index.ts";
import type {
  AlertSink,
  Clock,
  LoadedRules,
  RuleSettings,
  TemplateExpander,
} from "../rules/index.ts";
import {
  AlertHistory,
  AlertmanagerNotifier,
  RuleLoadError,
  RuleManager,
  alertSender,
  engineQueryFunc,
  externalLabelsFrom,
  logqlQueryFunc,
  goTemplateExpander,
  loadRules,
  withWatchdog,
} from "../rules/index.ts";
import { checkPolicy } from "../rulestest/index.ts";
import type { Storage } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";

/** RulesServiceOptions are what the rule engine needs from the application. */
export interface RulesServiceOptions {
  readonly storage: Storage;
  /** engine is the PromQL engine in force (a reload may replace it). */
  readonly engine: () => Engine;
  readonly logger: Logger;
  /** sinks are the application's alert sinks (Vigil's router); read at every send. */
  readonly sinks: () => readonly AlertSink[];
  readonly clock?: Clock;
  readonly templates?: TemplateExpander;
}

/**
 * RulesService owns the rule manager and the Alertmanager notifier of one Vigil. `apply` loads
 * the rules a configuration names and makes them the running set; when any file is bad it
 * throws a RuleLoadError naming file, line, rule and reason, and the previous rules keep
 * running.
 */
export class RulesService {
  readonly manager: RuleManager;
  readonly notifier: AlertmanagerNotifier;
  /** history stores every alert state change (GET /api/vigil/alerts/history reads it). */
  readonly history: AlertHistory;
  #cfg: VigilConfig | undefined;
  readonly #o: RulesServiceOptions;

  constructor(o: RulesServiceOptions, cfg: VigilConfig) {
    this.#o = o;
    this.notifier = new AlertmanagerNotifier({ logger: o.logger.child({ component: "notifier" }) });
    const log = o.logger.child({ component: "rule manager" });
    this.history = new AlertHistory({ appendable: o.storage, logger: log });
    this.manager = new RuleManager({
      appendable: o.storage,
      queryable: o.storage,
      queryFuncs: {
        promql: engineQueryFunc(o.engine, o.storage),
        logql: logqlQueryFunc(() => o.storage.logs.logQuerier()),
      },
      logger: log,
      ...(o.clock && { clock: o.clock }),
      ...(o.templates && { templates: o.templates }),
      outageToleranceMs: cfg.rules.outageToleranceMs,
      forGracePeriodMs: cfg.rules.forGracePeriodMs,
      resendDelayMs: cfg.rules.resendDelayMs,
      // Prometheus's --rules.max-concurrent-evals default; only for groups whose rules do not
      // read each other's output, where the order cannot change a result.
      maxConcurrentEvals: 4,
      defaultQueryOffsetMs: () => this.#config.global.ruleQueryOffsetMs,
      onAlertTransitions: (rule, changes, tsMs) => this.history.record(rule, changes, tsMs),
      notify: alertSender({
        sinks: () => [...o.sinks(), this.notifier],
        externalURL: () => externalURL(this.#config),
        externalLabels: () => externalLabelsFrom(this.#config.global.externalLabels),
        relabelConfigs: () => this.#config.alerting.alertRelabelConfigs,
        onError: (sink, err) =>
          log.error({ sink: sink.name, err: errorMessage(err) }, "alert sink failed"),
      }),
    });
  }

  get #config(): VigilConfig {
    if (!this.#cfg) throw new Error("rules not configured");
    return this.#cfg;
  }

  /** apply loads the configuration's rules and Alertmanagers and puts them in force. */
  async apply(cfg: VigilConfig): Promise<void> {
    const { rules, errors } = await loadRules({
      ruleFiles: cfg.ruleFiles,
      logRuleFiles: cfg.rules.logRuleFiles,
      ...(cfg.rules.dir !== undefined && { dir: cfg.rules.dir }),
      ...(cfg.rules.env !== undefined && { env: cfg.rules.env }),
      ignoreUnknownFields: cfg.rules.ignoreUnknownFields,
      templates: this.#o.templates ?? goTemplateExpander,
    });
    if (errors.length > 0) throw new RuleLoadError(errors);
    this.#applyPolicy(cfg, rules.groups);
    this.notifier.applyConfig(cfg.alerting.alertmanagers);
    const settings: RuleSettings = {
      evaluationIntervalMs: cfg.global.evaluationIntervalMs,
      externalLabels: externalLabelsFrom(cfg.global.externalLabels),
      externalURL: externalURL(cfg),
    };
    this.#cfg = cfg;
    await this.manager.update(cfg.rules.watchdog ? withWatchdog(rules) : rules, settings);
    this.#o.logger.info(
      { files: rules.files.length, groups: this.manager.ruleGroups().length },
      "rules loaded",
    );
  }

  /**
   * #applyPolicy checks the team policy (rules.policy): violations are logged as warnings, or
   * refuse the rules like a bad rule file.
   */
  #applyPolicy(cfg: VigilConfig, groups: LoadedRules["groups"]): void {
    if (cfg.rules.policy === "off") return;
    const violations = groups.flatMap((g) => checkPolicy(g.file, [g.spec]));
    if (violations.length === 0) return;
    if (cfg.rules.policy === "refuse") throw new RuleLoadError(violations);
    for (const v of violations) {
      this.#o.logger.warn({ file: v.file, line: v.line, reason: v.reason }, v.message);
    }
  }

  /** start begins evaluating rules. */
  start(): void {
    this.manager.start();
  }

  /** stop ends evaluation and sends the alerts still queued for Alertmanagers. */
  async stop(): Promise<void> {
    await this.manager.stop();
    await this.history.flush();
    await this.notifier.stop();
  }
}

/**
 * externalURL is server.external_url, or, as Prometheus's default, http://<hostname>:<port>
 * of the listen address.
 */
export function externalURL(cfg: VigilConfig): string {
  if (cfg.server.externalUrl !== undefined) return cfg.server.externalUrl;
  const { port } = splitHostPort(cfg.server.listen);
  return `http://${hostname()}:${port}`;
}
