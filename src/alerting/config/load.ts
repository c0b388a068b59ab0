// Loading an Alertmanager configuration: from its own file (alertmanager.yml) or from the
// `alertmanager:` section of vigil.yml, with errors that name file:line:column and the reason.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument, stringify } from "yaml";
import type { Document } from "yaml";
import { ConfigError, configIssue } from "../../config/errors.ts";
import { formatKeyPath, offsetOf } from "../../config/locate.ts";
import { parseAmConfig } from "./parse.ts";
import type { AmConfigIssue, Path } from "./read.ts";
import { asMap, errText, fail, objAt } from "./read.ts";
import type { AmConfig, TeamRoutingConfig } from "./types.ts";
import { DEFAULT_TEAM_ROUTING } from "./types.ts";

/**
 * AlertmanagerSection is the `alertmanager:` section of vigil.yml: an Alertmanager
 * configuration inline or in a file, and Vigil's team routing settings.
 */
export interface AlertmanagerSection {
  /** The configuration; undefined when vigil.yml has none (Vigil then uses defaultAmConfig()). */
  config?: AmConfig;
  /** The file named by [config_file], absolute; unset for an inline configuration. */
  configFile?: string;
  teamRouting: TeamRoutingConfig;
}

/** VIGIL_KEYS are the keys of the section that are Vigil's, not Alertmanager's. */
const VIGIL_KEYS = ["config_file", "team_routing"] as const;

function isIssue(err: unknown): err is AmConfigIssue {
  return err instanceof Error && err.name === "AmConfigIssue";
}

/** withoutNulls drops null values, as vigil.yml's loader does ("key:" means the default). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/**
 * parseAmConfigText parses the text of an alertmanager.yml. file names it in errors and
 * anchors relative paths. Problems throw a ConfigError (`<file>:<line>:<col>: <key>: <reason>`).
 */
export function parseAmConfigText(text: string, file: string): AmConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const { line, col } = lineCounter.linePos(e.pos[0]);
    throw new ConfigError([configIssue(file, line, col, "", e.message)]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([configIssue(file, 1, 1, "", errText(err))]);
  }
  try {
    return parseAmConfig(withoutNulls(value), { baseDir: dirname(resolve(file)), file });
  } catch (err) {
    if (!isIssue(err)) throw err;
    throw issueError(doc, lineCounter, file, err);
  }
}

function issueError(doc: Document, lc: LineCounter, file: string, err: AmConfigIssue): ConfigError {
  const { line, col } = lc.linePos(offsetOf(doc, err.path, err.keyOnly));
  return new ConfigError([configIssue(file, line, col, formatKeyPath(err.path), err.reason)]);
}

/** loadAmConfigFile reads and parses an alertmanager.yml; see parseAmConfigText. */
export function loadAmConfigFile(file: string): AmConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(
      `cannot read Alertmanager config file ${JSON.stringify(file)}: ${errText(err)}`,
      {
        cause: err,
      },
    );
  }
  return parseAmConfigText(text, file);
}

function parseTeamRouting(v: unknown, path: Path): TeamRoutingConfig {
  if (v === undefined) return { ...DEFAULT_TEAM_ROUTING };
  if (typeof v === "boolean") return { ...DEFAULT_TEAM_ROUTING, enabled: v };
  const o = objAt(v, path);
  const out: TeamRoutingConfig = {
    enabled: o.bool("enabled", true),
    teamLabel: o.str("team_label", DEFAULT_TEAM_ROUTING.teamLabel),
    channelLabel: o.str("channel_label", DEFAULT_TEAM_ROUTING.channelLabel),
    channelReceiver: o.str("channel_receiver", DEFAULT_TEAM_ROUTING.channelReceiver),
  };
  o.done("team_routing");
  return out;
}

/**
 * SectionIssue is a problem in the alertmanager section: path is relative to the section;
 * when the problem is inside the file named by config_file, message is that file's
 * ConfigError message and path points at config_file.
 */
export interface SectionIssue {
  path: Path;
  message: string;
}

/**
 * parseAlertmanagerSection reads the `alertmanager:` section of vigil.yml (nulls already
 * removed). baseDir is vigil.yml's directory. It returns the section or the first problem.
 */
export function parseAlertmanagerSection(
  input: unknown,
  baseDir: string,
): { section: AlertmanagerSection } | { issue: SectionIssue } {
  try {
    if (input === undefined) return { section: { teamRouting: { ...DEFAULT_TEAM_ROUTING } } };
    const o = asMap(input, []);
    const teamRouting = parseTeamRouting(o.team_routing, ["team_routing"]);
    const cf = o.config_file;
    if (cf !== undefined) {
      if (typeof cf !== "string" || cf === "") fail(["config_file"], "expected a file name");
      const others = Object.keys(o).filter((k) => !(VIGIL_KEYS as readonly string[]).includes(k));
      if (others.length > 0) {
        fail([others[0]], `${others[0]} cannot be set together with config_file`, true);
      }
      const file = resolve(baseDir, cf);
      try {
        return { section: { config: loadAmConfigFile(file), configFile: file, teamRouting } };
      } catch (err) {
        return { issue: { path: ["config_file"], message: errText(err) } };
      }
    }
    const amKeys = Object.keys(o).filter((k) => !(VIGIL_KEYS as readonly string[]).includes(k));
    if (amKeys.length === 0) return { section: { teamRouting } };
    const config = parseAmConfig(o, { baseDir, extraKeys: VIGIL_KEYS });
    return { section: { config, teamRouting } };
  } catch (err) {
    if (!isIssue(err)) throw err;
    return { issue: { path: err.path, message: err.reason } };
  }
}

/**
 * defaultAmConfig is the configuration Vigil runs with when none is given: every alert goes
 * to a receiver named "default" that has no integrations (team routing still applies).
 */
export function defaultAmConfig(): AmConfig {
  return parseAmConfig(
    { route: { receiver: "default" }, receivers: [{ name: "default" }] },
    { baseDir: process.cwd() },
  );
}

// ---------------------------------------------------------------------------------------------
// Printing.

const SECRET = "<secret>";

/** Keys whose values are secrets in any integration, global or http_config block. */
const SECRET_KEY =
  /(^|_)(password|secret|token|token_id|api_key|service_key|routing_key|credentials|key|user_key|api_secret)$|^(api_url|webhook_url|url|slack_api_url|mattermost_webhook_url)$/;

/** Keys that look secret by name but are not. */
const NOT_SECRET = new Set(["app_url", "slack_app_url"]);

/**
 * maskSecrets copies a raw configuration value, replacing secret values by "<secret>" as
 * Alertmanager's Config.String does, outside route/inhibit_rules/time intervals. A URL
 * containing Go template text (a webhook url) is kept.
 */
export function maskSecrets(value: unknown, key = "", inReceivers = false): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key, inReceivers));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const nested = inReceivers || k === "receivers" || k === "global";
      out[k] = maskSecrets(v, k, nested);
    }
    return out;
  }
  if (!inReceivers || typeof value !== "string" || value === "") return value;
  if (key.endsWith("_file") || NOT_SECRET.has(key)) return value;
  if (SECRET_KEY.test(key)) {
    if ((key === "url" || key === "api_url") && value.includes("{{")) return value;
    return SECRET;
  }
  return value;
}

/**
 * amConfigToDoc returns the printable form of a configuration, secrets masked. With
 * alertmanagerOnly, Vigil's extensions (ntfy_configs, global.ntfy_url) are left out, so that
 * Alertmanager's own parser (amtool reads /api/v2/status) accepts the result.
 */
export function amConfigToDoc(cfg: AmConfig, alertmanagerOnly = false): Record<string, unknown> {
  const raw = { ...cfg.raw };
  for (const k of VIGIL_KEYS) delete raw[k];
  const doc = maskSecrets(raw) as Record<string, unknown>;
  if (!alertmanagerOnly) return doc;
  if (doc.global !== null && typeof doc.global === "object") {
    const global = { ...(doc.global as Record<string, unknown>) };
    delete global.ntfy_url;
    doc.global = global;
  }
  if (Array.isArray(doc.receivers)) {
    doc.receivers = doc.receivers.map((r: unknown) => {
      if (r === null || typeof r !== "object") return r;
      const rest = { ...(r as Record<string, unknown>) };
      delete rest.ntfy_configs;
      return rest;
    });
  }
  return doc;
}

/** amConfigToYaml prints a configuration as YAML, secrets masked (Config.String). */
export function amConfigToYaml(cfg: AmConfig, alertmanagerOnly = false): string {
  return stringify(amConfigToDoc(cfg, alertmanagerOnly));
}

/** alertmanagerSectionToDoc prints the alertmanager section of vigil.yml. */
export function alertmanagerSectionToDoc(s: AlertmanagerSection): Record<string, unknown> {
  const tr = s.teamRouting;
  const teamRouting = {
    enabled: tr.enabled,
    team_label: tr.teamLabel,
    channel_label: tr.channelLabel,
    channel_receiver: tr.channelReceiver,
  };
  if (s.configFile !== undefined) return { config_file: s.configFile, team_routing: teamRouting };
  return { ...(s.config && amConfigToDoc(s.config)), team_routing: teamRouting };
}
