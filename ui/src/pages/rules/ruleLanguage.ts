// Which query language a rule group is written in. Vigil loads LogQL rule groups
// (`query_language: logql`, or files under rules.log_rule_files), but /api/v1/rules has the
// shape of Prometheus's API and does not say so. The UI tells them apart by parsing: an
// expression that parses as LogQL but not as PromQL is LogQL (a line filter, a pipeline, a
// nameless stream selector with a range…); one group is written in one language, so a single
// such rule makes the whole group LogQL, and its expressions open in the Logs page.
import type { Tree } from "@lezer/common";
import { parser as logqlParser } from "@grafana/lezer-logql";
// lezer-promql is codemirror-promql's grammar (installed with it).
import { parser as promqlParser } from "@prometheus-io/lezer-promql";

/** QueryLanguage is the language of a rule expression. */
export type QueryLanguage = "promql" | "logql";

function parsesCleanly(tree: Tree): boolean {
  let ok = true;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) ok = false;
      return ok;
    },
  });
  return ok;
}

/**
 * exprLanguage says which language expr is written in: "logql" or "promql" when it parses in
 * exactly that one, undefined when it parses in both (`vector(1)`) or in neither.
 */
export function exprLanguage(expr: string): QueryLanguage | undefined {
  const text = expr.trim();
  if (text === "") return undefined;
  const logql = parsesCleanly(logqlParser.parse(text));
  const promql = parsesCleanly(promqlParser.parse(text));
  if (logql === promql) return undefined;
  return logql ? "logql" : "promql";
}

/**
 * groupLanguage is the language of a rule group: the one it declares, if the API says, else
 * "logql" when any of its expressions is LogQL only (see the file comment), else "promql".
 */
export function groupLanguage(
  exprs: readonly string[],
  declared?: string | undefined,
): QueryLanguage {
  if (declared === "logql" || declared === "promql") return declared;
  return exprs.some((e) => exprLanguage(e) === "logql") ? "logql" : "promql";
}
