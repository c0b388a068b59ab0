import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { loadConfigFile, splitHostPort } from "../config/index.ts";
import { App } from "../app/index.ts";
import { newLogger } from "../util/logging/index.ts";
import type { LogLevel } from "../util/logging/index.ts";
import { VERSION } from "../util/version.ts";
import { errorMessage } from "../util/errors.ts";
import { checkMetricsCommand } from "./check-metrics.ts";
import { queryCommand } from "./query.ts";
import { checkRulesCommand, testRulesCommand } from "./rules.ts";
import { testRoutesCommand } from "./routes.ts";
import { testAlertsCommand } from "./alerts.ts";
import { USAGE, UsageError } from "./usage.ts";

/** Io is where a command writes; tests pass buffers. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
}

const stdio: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
};

const LEVELS = new Set(["debug", "info", "warn", "error"]);

/**
 * main runs the `vigil` command line and resolves to the process exit code: 0 success,
 * 1 failure, 2 usage error (unknown command or flag, bad flag value).
 */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.err(`vigil: ${usageMessage(err as Error)}\nRun 'vigil --help' for usage.\n`);
      return 2;
    }
    io.err(`vigil: error: ${oneLine(err)}\n`);
    return 1;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
      throw new UsageError("missing command");
    case "-h":
    case "--help":
    case "help":
      io.out(USAGE);
      return 0;
    case "--version":
    case "version":
      io.out(`vigil, version ${VERSION} (node ${process.version})\n`);
      return 0;
    case "start":
      return start(rest, io);
    case "check":
      return check(rest, io);
    case "query":
      return queryCommand(rest, io);
    case "test":
      return test(rest, io);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  }
}

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: readonly string[],
  options: T,
) {
  return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
}

async function start(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    "data-dir": { type: "string" },
    listen: { type: "string" },
    "log-level": { type: "string" },
    env: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length)
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.env !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(values.env)) {
    throw new UsageError(`invalid --env ${JSON.stringify(values.env)} (want a name such as prod)`);
  }
  const level = values["log-level"];
  if (level !== undefined && !LEVELS.has(level)) {
    throw new UsageError(
      `invalid --log-level ${JSON.stringify(level)} (want debug, info, warn or error)`,
    );
  }
  if (values.listen !== undefined) {
    try {
      splitHostPort(values.listen);
    } catch (err) {
      throw new UsageError(`--listen: ${(err as Error).message}`);
    }
  }
  if (values["data-dir"] === "") throw new UsageError("--data-dir must not be empty");

  const logger = newLogger((level as LogLevel | undefined) ?? "info");
  const app = new App({
    configFile: values.config,
    overrides: {
      dataDir: values["data-dir"],
      listen: values.listen,
      logLevel: level as LogLevel,
      env: values.env,
    },
    logger,
  });
  await app.start();

  return new Promise<number>((resolve) => {
    let signals = 0;
    const shutdown = (sig: string) => {
      if (++signals > 1) {
        logger.warn({ signal: sig }, "second signal, exiting now");
        process.exit(1);
      }
      logger.info({ signal: sig }, "shutting down");
      app.stop().then(
        () => resolve(0),
        (err: unknown) => {
          io.err(`vigil: error during shutdown: ${oneLine(err)}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGHUP", () => {
      app.reload().catch(() => {
        /* logged and counted by reload() */
      });
    });
  });
}

async function check(args: readonly string[], io: Io): Promise<number> {
  const [what, ...rest] = args;
  if (what === "metrics") return checkMetricsCommand(rest, io);
  if (what === "rules") return checkRulesCommand(rest, io);
  if (what !== "config") {
    throw new UsageError(
      what === undefined
        ? "check: missing what to check (config, metrics, rules)"
        : `check: unknown target ${JSON.stringify(what)}`,
    );
  }
  const { positionals } = parse(rest, {});
  if (positionals.length === 0) throw new UsageError("check config: missing FILE");
  let failed = 0;
  for (const file of positionals) {
    io.out(`Checking ${file}\n`);
    try {
      await loadConfigFile(file);
      io.out(`  SUCCESS: ${file} is valid vigil config file syntax\n`);
    } catch (err) {
      failed++;
      io.err(`  FAILED: ${oneLine(err)}\n`);
    }
  }
  return failed ? 1 : 0;
}

async function test(args: readonly string[], io: Io): Promise<number> {
  const [what, ...rest] = args;
  if (what === "rules") return testRulesCommand(rest, io);
  if (what === "routes") return testRoutesCommand(rest, io);
  if (what === "alerts") return testAlertsCommand(rest, io);
  throw new UsageError(
    what === undefined
      ? "test: missing what to test (rules, routes, alerts)"
      : `test: unknown target ${JSON.stringify(what)}`,
  );
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? "";
  return code.startsWith("ERR_PARSE_ARGS");
}

function usageMessage(err: Error): string {
  // node:util's messages for unknown flags carry advice about '--' that does not apply here.
  const m = /^Unknown option '([^']+)'/.exec(err.message);
  if (m) return `unknown flag ${m[1]}`;
  return err.message;
}

function oneLine(err: unknown): string {
  return errorMessage(err).replace(/\s*\n\s*/g, " ");
}
