import type { FastifyInstance } from "fastify";
import type { QueryConfig, VigilConfig } from "../config/index.ts";
import { defaultConfig, loadConfigFile } from "../config/index.ts";
import type { SelfMetrics } from "../exporters/index.ts";
import { newSelfMetrics } from "../exporters/index.ts";
import { Engine } from "../promql/engine/index.ts";
import type { Storage } from "../storage/index.ts";
import { newStorageMetrics } from "../storage/index.ts";
import type { Logger } from "../util/logging/index.ts";
import { createWebServer } from "../web/index.ts";
import { registerPrometheusApi, registerScrapeApi } from "../web/api/v1/index.ts";
import { ScrapeService } from "../scrape/index.ts";
import { registerFederate } from "../web/federate.ts";
import { registerAlertHistoryApi } from "../web/api/vigil/index.ts";
import { registerRemoteWriteReceiver } from "../ingest/remote-write/index.ts";
import { GroupStore, registerPushgateway } from "../pushgateway/index.ts";
import { resolve } from "node:path";
import type { AlertSink } from "../rules/index.ts";
import { RulesService, externalURL } from "./rules.ts";
import { Alertmanager, registerAlertmanagerApi } from "../alerting/index.ts";
import { openStorage } from "./storage.ts";
import { splitHostPort } from "../config/index.ts";
import { HeartbeatService, registerHeartbeatApi } from "../heartbeats/index.ts";
import { registerUi } from "../web/ui.ts";
import { registerLokiApi } from "../web/loki/index.ts";
import { newLogDistributor, registerLokiPushReceiver } from "../ingest/loki/index.ts";
import { registerOtlpLogsReceiver } from "../ingest/otlp/index.ts";
import { FileTailer } from "../ingest/files/index.ts";
import { join } from "node:path";
import { externalLabelsFrom } from "../rules/index.ts";

/** Overrides are command-line flags that take precedence over vigil.yml. */
export interface Overrides {
  readonly dataDir?: string;
  readonly listen?: string;
  readonly logLevel?: "debug" | "info" | "warn" | "error";
  /** env selects the rules overlay (rules.env). */
  readonly env?: string;
}

/** AppOptions say where the configuration comes from and how to log. */
export interface AppOptions {
  /** configFile: path of vigil.yml; absent means built-in defaults. */
  readonly configFile?: string;
  readonly overrides: Overrides;
  readonly logger: Logger;
}

/**
 * Reloader is a named part of Vigil that takes a new configuration on reload, in the manner of
 * Prometheus's `cmd/prometheus/main.go` reloaders. It throws to reject the configuration.
 */
export interface Reloader {
  readonly name: string;
  reload(cfg: VigilConfig): Promise<void> | void;
}

/**
 * App is one running Vigil: configuration, storage, HTTP server and the subsystems wired between
 * them. `start` returns once the server listens and storage is open; `stop` stops accepting
 * requests, flushes pending writes and closes storage.
 */
export class App {
  readonly metrics: SelfMetrics;
  private cfg: VigilConfig | undefined;
  private storage: Storage | undefined;
  private web: FastifyInstance | undefined;
  private eng: Engine | undefined;
  private scraping: ScrapeService | undefined;
  private pushgateway: GroupStore | undefined;
  private rulesSvc: RulesService | undefined;
  private am: Alertmanager | undefined;
  private hb: HeartbeatService | undefined;
  private tailer: FileTailer | undefined;
  /**
   * alertSinks receive every alert the rules send (besides the external Alertmanagers of
   * alerting.alertmanagers); subsystems such as the notification router add themselves here.
   */
  readonly alertSinks: AlertSink[] = [];
  private readonly reloaders: Reloader[] = [];
  private ready = false;
  private stopping: Promise<void> | undefined;
  private startTimeMs = Date.now();
  private lastReload = { success: true, lastSuccessMs: Date.now() };

  constructor(private readonly opts: AppOptions) {
    this.metrics = newSelfMetrics();
    this.reloaders.push({
      name: "logging",
      reload: (cfg) => {
        this.opts.logger.level = cfg.server.logLevel;
      },
    });
    this.reloaders.push({
      name: "query",
      reload: (cfg) => {
        // A new engine serves queries from now on; running ones finish on the old one.
        if (!this.cfg || !sameQueryConfig(this.cfg.query, cfg.query))
          this.eng = newEngine(cfg.query);
      },
    });
    this.reloaders.push({
      name: "scrape",
      reload: (cfg) => this.scraping?.applyConfig(cfg.global, cfg.scrapeConfigs),
    });
    this.reloaders.push({
      // A bad rule file rejects the reload; the running rules stay in force.
      name: "rules",
      reload: (cfg) => this.rulesSvc?.apply(cfg),
    });
    this.reloaders.push({
      // Bad templates reject the reload; the running routing stays in force.
      name: "alertmanager",
      reload: (cfg) => this.am?.applyConfig(cfg.alertmanager),
    });
    this.reloaders.push({
      name: "log_files",
      reload: (cfg) =>
        this.tailer?.applyConfig({ targets: cfg.logFiles, options: cfg.logFileOptions }),
    });
    this.reloaders.push({
      name: "heartbeats",
      reload: (cfg) => this.hb?.applyConfig(cfg.heartbeats),
    });
  }

  /** config is the configuration in force. */
  get config(): VigilConfig {
    if (!this.cfg) throw new Error("app not started");
    return this.cfg;
  }

  /** address is the URL the HTTP server listens on, e.g. http://127.0.0.1:9700. */
  get address(): string {
    const a = this.web?.server.address();
    if (!a || typeof a === "string") return "";
    const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  private async loadConfig(): Promise<VigilConfig> {
    const base = this.opts.configFile
      ? await loadConfigFile(this.opts.configFile)
      : defaultConfig();
    const o = this.opts.overrides;
    return {
      ...base,
      server: {
        ...base.server,
        listen: o.listen ?? base.server.listen,
        logLevel: o.logLevel ?? base.server.logLevel,
      },
      storage: { ...base.storage, dataDir: o.dataDir ?? base.storage.dataDir },
      rules: { ...base.rules, ...(o.env !== undefined && { env: o.env }) },
    };
  }

  /** start loads the configuration, listens, opens storage and becomes ready. */
  async start(): Promise<void> {
    const log = this.opts.logger;
    this.startTimeMs = Date.now();
    const cfg = await this.loadConfig();
    this.cfg = cfg;
    log.level = cfg.server.logLevel;
    this.metrics.configReloadSuccess.set(1);
    this.metrics.configReloadSuccessTime.set(Date.now() / 1000);
    this.lastReload = { success: true, lastSuccessMs: Date.now() };
    this.eng = newEngine(cfg.query);
    await this.createAlertmanager(cfg);
    this.createHeartbeats(cfg);

    this.web = await createWebServer({
      logger: log,
      metrics: this.metrics,
      maxRequestBodyBytes: cfg.server.maxRequestBodyBytes,
      rateLimitPerSecond: cfg.server.rateLimitPerSecond,
      isReady: () => this.ready,
      reload: () => this.reload(),
    });
    // Routes must exist before the server listens; storage opens afterwards, so the API reads it
    // through a getter and answers 503 until it is open.
    await registerPrometheusApi(this.web, {
      engine: () => this.engine,
      storage: () => this.storage,
      config: () => this.config,
      startTimeMs: this.startTimeMs,
      flags: this.flags(),
      logger: log,
      reloadStatus: () => this.lastReload,
      rules: () => this.rulesSvc?.manager,
    });
    registerScrapeApi(this.web, {
      scrapeManager: () => this.scraping?.scrapeManager,
      listenAddress: () => this.config.server.listen,
    });
    registerAlertHistoryApi(this.web, { storage: () => this.storage, logger: log });
    await registerLokiApi(this.web, { storage: () => this.storage, logger: log });
    await this.registerPushReceivers(this.web, cfg);
    await registerAlertmanagerApi(this.web, { alertmanager: () => this.am });
    await registerHeartbeatApi(this.web, { heartbeats: () => this.hb });
    registerUi(this.web);
    const { host, port } = splitHostPort(cfg.server.listen);
    try {
      await this.web.listen({ host, port });
    } catch (err) {
      await this.am?.stop();
      throw new Error(`cannot listen on ${cfg.server.listen}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.am?.start();
    this.hb?.start();
    log.info({ address: this.address }, "listening");

    const t0 = performance.now();
    try {
      this.storage = await openStorage(cfg.storage, newStorageMetrics(this.metrics.registry));
    } catch (err) {
      await this.web.close();
      await this.hb?.stop();
      await this.am?.stop();
      throw err;
    }
    await this.pushgateway?.start();
    try {
      await this.startRules(this.storage, cfg);
    } catch (err) {
      await this.web.close();
      await this.storage.close();
      await this.hb?.stop();
      await this.am?.stop();
      throw err;
    }
    this.scraping = new ScrapeService({
      storage: this.storage,
      logger: log,
      externalLabels: cfg.global.externalLabels,
    });
    await this.scraping.applyConfig(cfg.global, cfg.scrapeConfigs);
    await this.startLogFiles(cfg);
    this.ready = true;
    this.metrics.ready.set(1);
    log.info(
      { engine: cfg.storage.engine, ms: Math.round(performance.now() - t0) },
      "storage open; ready",
    );
  }

  /**
   * registerPushReceivers adds remote write, the Pushgateway API and /federate. Pushed groups
   * are kept under the data directory, except with the memory engine, which keeps nothing.
   */
  private async registerPushReceivers(web: FastifyInstance, cfg: VigilConfig): Promise<void> {
    const log = this.opts.logger;
    const maxDecodedBytes = () => this.config.remoteWriteReceiver.maxDecodedBytes;
    await registerRemoteWriteReceiver(web, {
      storage: () => this.storage,
      logger: log,
      registry: this.metrics.registry,
      maxDecodedBytes,
    });
    // Logs: Loki push and OTLP share one distributor, so that they share the rate limits.
    const logStore = () => this.storage?.logs;
    const limits = () => this.config.logs.ingest;
    const distributor = newLogDistributor({ limits, registry: this.metrics.registry });
    await registerLokiPushReceiver(web, {
      logStore,
      limits,
      logger: log,
      registry: this.metrics.registry,
      distributor,
    });
    await registerOtlpLogsReceiver(web, {
      logStore,
      limits,
      otlp: () => this.config.logs.otlp,
      logger: log,
      registry: this.metrics.registry,
      distributor,
    });
    registerFederate(web, {
      storage: () => this.storage,
      lookbackDeltaMs: () => this.config.query.lookbackDeltaMs,
      externalLabels: () => this.config.global.externalLabels,
      logger: log,
    });
    const pg = cfg.pushgateway;
    const keep = cfg.storage.engine !== "memory" && pg.persistenceFile !== "";
    this.pushgateway = new GroupStore({
      storage: () => this.storage,
      logger: log,
      resendIntervalMs: pg.resendIntervalMs,
      persistenceFile: keep ? resolve(cfg.storage.dataDir, pg.persistenceFile) : undefined,
      registry: this.metrics.registry,
    });
    await this.pushgateway.load();
    await registerPushgateway(web, {
      store: this.pushgateway,
      logger: log,
      maxDecodedBytes,
      startTimeMs: this.startTimeMs,
      flags: this.flags(),
    });
  }

  /**
   * createAlertmanager builds the notification router from the `alertmanager:` section and
   * makes it a sink of the rules' alerts. Its silences, notification log and alerts are kept
   * under <data_dir>/alertmanager, except with the memory engine, which keeps nothing.
   */
  private async createAlertmanager(cfg: VigilConfig): Promise<void> {
    const am = new Alertmanager({
      logger: this.opts.logger,
      registry: this.metrics.registry,
      ...(cfg.storage.engine !== "memory" && {
        dataDir: resolve(cfg.storage.dataDir, "alertmanager"),
      }),
      externalURL: () => externalURL(this.config),
    });
    await am.applyConfig(cfg.alertmanager);
    this.am = am;
    this.alertSinks.push(am);
  }

  /**
   * createHeartbeats builds the dead man's switch checks of the `heartbeats:` section. Their
   * alerts go where the rules' alerts go: Vigil's router and the external Alertmanagers.
   */
  private createHeartbeats(cfg: VigilConfig): void {
    const hb = new HeartbeatService({
      sinks: () => [...this.alertSinks, ...(this.rulesSvc ? [this.rulesSvc.notifier] : [])],
      logger: this.opts.logger.child({ component: "heartbeats" }),
      registry: this.metrics.registry,
      ...(cfg.storage.engine !== "memory" && {
        dataDir: resolve(cfg.storage.dataDir, "heartbeats"),
      }),
      resendDelayMs: cfg.rules.resendDelayMs,
      externalURL: () => externalURL(this.config),
      externalLabels: () => externalLabelsFrom(this.config.global.externalLabels),
      relabelConfigs: () => this.config.alerting.alertRelabelConfigs,
    });
    hb.applyConfig(cfg.heartbeats);
    this.hb = hb;
  }

  /** heartbeats is the dead man's switch service (for subsystems and tests). */
  get heartbeats(): HeartbeatService | undefined {
    return this.hb;
  }

  /** alertmanager is Vigil's notification router (for subsystems and tests). */
  get alertmanager(): Alertmanager | undefined {
    return this.am;
  }

  /** startRules loads the rules (failing on a bad file) and starts evaluating them. */
  private async startRules(storage: Storage, cfg: VigilConfig): Promise<void> {
    const svc = new RulesService(
      {
        storage,
        engine: () => this.engine,
        logger: this.opts.logger,
        sinks: () => this.alertSinks,
      },
      cfg,
    );
    await svc.apply(cfg);
    this.rulesSvc = svc;
    svc.start();
  }

  /**
   * startLogFiles starts collecting the files of `log_files:`. Read positions are kept in
   * log_file_options.positions_file, by default <data_dir>/positions.json.
   */
  private async startLogFiles(cfg: VigilConfig): Promise<void> {
    const positionsFile =
      cfg.logFileOptions.positionsFile ?? join(cfg.storage.dataDir, "positions.json");
    const tailer = new FileTailer({
      logs: () => this.storage?.logs,
      logger: this.opts.logger.child({ component: "log_files" }),
      registry: this.metrics.registry,
      positionsFile,
    });
    tailer.applyConfig({ targets: cfg.logFiles, options: cfg.logFileOptions });
    await tailer.start();
    this.tailer = tailer;
  }

  /** rules is the rule engine, once started (for subsystems and tests). */
  get rules(): RulesService | undefined {
    return this.rulesSvc;
  }

  /** engine is the PromQL engine in force; a reload that changes `query:` replaces it. */
  get engine(): Engine {
    if (!this.eng) throw new Error("app not started");
    return this.eng;
  }

  /** flags are the command-line settings, as /api/v1/status/flags shows them ("" when unset). */
  private flags(): Record<string, string> {
    const o = this.opts.overrides;
    return {
      config: this.opts.configFile ?? "",
      "data-dir": o.dataDir ?? "",
      listen: o.listen ?? "",
      "log-level": o.logLevel ?? "",
      env: o.env ?? "",
    };
  }

  /** store is the open storage (for subsystems and tests). */
  get store(): Storage {
    if (!this.storage) throw new Error("storage not open");
    return this.storage;
  }

  /**
   * reload re-reads the configuration file and hands it to every reloader. A configuration that
   * fails to load or is rejected leaves the running one in force and sets
   * `vigil_config_last_reload_successful` to 0.
   */
  async reload(): Promise<void> {
    const log = this.opts.logger;
    try {
      const cfg = await this.loadConfig();
      const old = this.cfg;
      if (old && cfg.storage.engine !== old.storage.engine) {
        log.warn("storage settings changed; they take effect on restart");
      }
      if (old && cfg.server.listen !== old.server.listen) {
        log.warn("server.listen changed; it takes effect on restart");
      }
      for (const r of this.reloaders) await r.reload(cfg);
      this.cfg = cfg;
      this.metrics.configReloadSuccess.set(1);
      this.metrics.configReloadSuccessTime.set(Date.now() / 1000);
      this.lastReload = { success: true, lastSuccessMs: Date.now() };
      log.info({ file: this.opts.configFile ?? "(defaults)" }, "configuration reloaded");
    } catch (err) {
      this.metrics.configReloadSuccess.set(0);
      this.lastReload = { ...this.lastReload, success: false };
      log.error({ err: (err as Error).message }, "configuration reload failed");
      throw err;
    }
  }

  /** stop stops accepting requests, flushes pending batches and closes storage. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.ready = false;
      this.metrics.ready.set(0);
      if (this.web) await this.web.close();
      await this.scraping?.stop();
      await this.tailer?.stop();
      await this.rulesSvc?.stop();
      await this.pushgateway?.stop();
      await this.hb?.stop();
      await this.am?.stop();
      if (this.storage) await this.storage.close();
      this.opts.logger.info("stopped");
    })();
    return this.stopping;
  }

  /** http is the Fastify instance, for subsystems that add routes. */
  get http(): FastifyInstance {
    if (!this.web) throw new Error("app not started");
    return this.web;
  }
}

/** newEngine creates the PromQL engine that the `query:` section describes. */
function newEngine(q: QueryConfig): Engine {
  return new Engine({
    lookbackDeltaMs: q.lookbackDeltaMs,
    timeoutMs: q.timeoutMs,
    maxSamples: q.maxSamples,
    maxConcurrent: q.maxConcurrency,
  });
}

function sameQueryConfig(a: QueryConfig, b: QueryConfig): boolean {
  return (
    a.lookbackDeltaMs === b.lookbackDeltaMs &&
    a.timeoutMs === b.timeoutMs &&
    a.maxSamples === b.maxSamples &&
    a.maxConcurrency === b.maxConcurrency
  );
}
