// `vigil test alerts FILE...`: end-to-end alert tests (src/alerttest, docs/alert-tests.md).
import { parseArgs } from "node:util";
import { RE2JS } from "re2js";
import { describeSent, parseAlertTestFile, runAlertTestFile } from "../alerttest/index.ts";
import type { AlertTestFile } from "../alerttest/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Io } from "./main.ts";
import { loadRoutingConfig } from "./routes.ts";
import { UsageError } from "./usage.ts";

/** testAlertsCommand runs the test files; exit 0 when all pass, 1 otherwise. */
export async function testAlertsCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      run: { type: "string", multiple: true },
      print: { type: "boolean" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new UsageError("test alerts: at least one FILE is required");
  let only: RE2JS[] = [];
  try {
    only = (values.run ?? []).map((r) => RE2JS.compile(r));
  } catch (err) {
    throw new UsageError(`test alerts: --run: ${errorMessage(err)}`);
  }
  let failed = false;
  for (const file of positionals) {
    io.out(`Unit Testing:  ${file}\n`);
    let f: AlertTestFile;
    try {
      f = await parseAlertTestFile(file);
    } catch (err) {
      io.err(`  FAILED:\n    ${errorMessage(err)}\n`);
      failed = true;
      continue;
    }
    const tests =
      only.length === 0
        ? f.tests
        : f.tests.filter((t) => only.some((r) => r.matcher(t.name).find()));
    const results = await runAlertTestFile({ ...f, tests }, async (cfg) => {
      const { config, teamRouting } = await loadRoutingConfig(cfg);
      return { config, teamRouting };
    });
    const bad = results.filter((r) => r.failures.length > 0);
    if (bad.length === 0) io.out("  SUCCESS\n");
    else {
      failed = true;
      let msg = "  FAILED:\n";
      for (const r of bad) {
        msg += `    test ${JSON.stringify(r.name)}:\n`;
        for (const x of r.failures) msg += `      ${x}\n`;
        msg += sentList(r.sent);
      }
      io.err(msg);
    }
    if (values.print) {
      for (const r of results) io.out(`  test ${JSON.stringify(r.name)}:\n${sentList(r.sent)}`);
    }
  }
  return failed ? 1 : 0;
}

function sentList(sent: readonly Parameters<typeof describeSent>[0][]): string {
  if (sent.length === 0) return "      (no notifications sent)\n";
  let out = "      notifications sent:\n";
  for (const s of sent) {
    out += `        ${describeSent(s)}\n`;
    if (s.text !== "") out += `          text: ${JSON.stringify(s.text)}\n`;
  }
  return out;
}
