// `vigil test routes --config F label=value...`: the receivers an alert with these labels
// reaches, comma-separated in routing-tree order, as `amtool config routes test` prints them
// (cli/test_routing.go). F is an alertmanager.yml or a vigil.yml (its `alertmanager:` section).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { AmConfig, TeamRoutingConfig } from "../alerting/index.ts";
import {
  DEFAULT_TEAM_ROUTING,
  Route,
  applyTeamRouting,
  defaultAmConfig,
  parseAmConfigText,
  parseMatcher,
} from "../alerting/index.ts";
import { loadConfigFile } from "../config/index.ts";
import type { Io } from "./main.ts";
import { UsageError } from "./usage.ts";
import { parseArgs } from "node:util";

/** loadRoutingConfig reads F as an alertmanager.yml (it has `route:`) or as a vigil.yml. */
export async function loadRoutingConfig(
  file: string,
): Promise<{ config: AmConfig; teamRouting: TeamRoutingConfig }> {
  const text = readFileSync(file, "utf8");
  let top: unknown;
  try {
    top = parseYaml(text);
  } catch {
    top = undefined;
  }
  const isAm = top !== null && typeof top === "object" && !Array.isArray(top) && "route" in top;
  if (isAm)
    return { config: parseAmConfigText(text, file), teamRouting: { ...DEFAULT_TEAM_ROUTING } };
  const cfg = await loadConfigFile(file);
  return {
    config: cfg.alertmanager.config ?? defaultAmConfig(),
    teamRouting: cfg.alertmanager.teamRouting,
  };
}

/** testRoutesCommand runs `vigil test routes`; exit 0, or 1 when --verify.receivers differs. */
export async function testRoutesCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      config: { type: "string" },
      "config.file": { type: "string" },
      "verify.receivers": { type: "string" },
      "no-team-routing": { type: "boolean" },
    },
    strict: true,
    allowPositionals: true,
  });
  const file = values.config ?? values["config.file"];
  if (file === undefined) throw new UsageError("test routes: --config FILE is required");
  const { config, teamRouting } = await loadRoutingConfig(resolve(file));
  const tr = values["no-team-routing"] ? { ...teamRouting, enabled: false } : teamRouting;
  const route = Route.build(applyTeamRouting(config, tr).route);

  const labels: Record<string, string> = {};
  for (const arg of positionals) {
    let m;
    try {
      m = parseMatcher(arg);
    } catch (err) {
      io.err(`vigil: error: Failed to parse labels: ${(err as Error).message}\n`);
      return 1;
    }
    if (m.type !== "=") {
      io.err("vigil: error: Labels must be specified as key=value pairs\n");
      return 1;
    }
    labels[m.name] = m.value;
  }
  const receivers = route
    .match(labels)
    .map((r) => r.opts.receiver)
    .join(",");
  io.out(`${receivers}\n`);
  const expected = values["verify.receivers"];
  if (expected !== undefined && expected !== receivers) {
    io.out("WARNING: Expected receivers did not match resolved receivers.\n");
    return 1;
  }
  return 0;
}
