// Rule groups (/api/v1/rules): each rule's health, last evaluation, duration and error, with
// a link to run its expression: PromQL in Explore, LogQL in the Logs page.
import { useMemo } from "react";
import { useEnvelopeQuery } from "../../api/api.ts";
import type { Rule, RuleGroup, RulesResult } from "../../api/responseTypes/rules.ts";
import { Link } from "../../components/Link.tsx";
import {
  Badge,
  Card,
  EmptyState,
  ErrorMessage,
  LabelList,
  Loading,
  Muted,
  PageHeader,
  TableWrap,
  healthTone,
} from "../../components/Status.tsx";
import { formatSecondsDuration } from "../../lib/format.ts";
import { useSearchParams } from "../../lib/router.ts";
import { formatDuration, formatRelative, isZeroTime } from "../../lib/time.ts";
import { useNow } from "../../lib/useNow.ts";
import { DEFAULT_LOGS, encodeLogs } from "../logs/logs.ts";
import { explorePath } from "../query/urlState.ts";
import type { QueryLanguage } from "./ruleLanguage.ts";
import { groupLanguage } from "./ruleLanguage.ts";
import styles from "./Rules.module.css";

/** queryPath is the page that runs expr: Explore for PromQL, Logs for LogQL. */
function queryPath(expr: string, lang: QueryLanguage): string {
  return lang === "logql"
    ? `/logs?${encodeLogs({ ...DEFAULT_LOGS, query: expr })}`
    : explorePath(expr);
}

function lastEval(s: string, now: number) {
  return isZeroTime(s) ? (
    <Muted>never</Muted>
  ) : (
    <span title={s}>{formatRelative(Date.parse(s), now)}</span>
  );
}

function RuleRow({
  r,
  now,
  lang,
}: {
  readonly r: Rule;
  readonly now: number;
  readonly lang: QueryLanguage;
}) {
  return (
    <tr>
      <td>
        <div className={styles.ruleName}>
          {r.type === "alerting" ? "alert: " : "record: "}
          <strong>{r.name}</strong>
          {r.type === "alerting" && r.state !== "inactive" && (
            <>
              {" "}
              <Badge tone={healthTone(r.state)}>
                {r.state} ({r.alerts.length})
              </Badge>
            </>
          )}
        </div>
        <Link
          to={queryPath(r.query, lang)}
          className={styles.expr}
          title={lang === "logql" ? "Run in Logs (LogQL)" : "Run in Explore (PromQL)"}
          data-language={lang}
        >
          <code>{r.query}</code>
        </Link>
        {r.type === "alerting" && r.duration > 0 && (
          <div>for: {formatDuration(r.duration * 1000)}</div>
        )}
        {r.labels && Object.keys(r.labels).length > 0 && (
          <div>
            <LabelList labels={r.labels} />
          </div>
        )}
        {r.lastError && <div className={styles.error}>{r.lastError}</div>}
      </td>
      <td>
        <Badge tone={healthTone(r.health)}>{r.health}</Badge>
      </td>
      <td>{lastEval(r.lastEvaluation, now)}</td>
      <td>{formatSecondsDuration(r.evaluationTime)}</td>
    </tr>
  );
}

function GroupCard({
  g,
  now,
  lang,
}: {
  readonly g: RuleGroup;
  readonly now: number;
  readonly lang: QueryLanguage;
}) {
  const bad = g.rules.filter((r) => r.health === "err").length;
  return (
    <Card>
      <h2 className={styles.groupTitle}>
        {g.name} {lang === "logql" && <Badge>LogQL</Badge>}{" "}
        {bad > 0 && <Badge tone="err">{bad} failing</Badge>}
      </h2>
      <div className={styles.groupMeta}>
        <Muted>
          {g.file} · every {formatDuration(g.interval * 1000)} · last evaluation{" "}
          {isZeroTime(g.lastEvaluation)
            ? "never"
            : formatRelative(Date.parse(g.lastEvaluation), now)}{" "}
          · took {formatSecondsDuration(g.evaluationTime)}
        </Muted>
      </div>
      <TableWrap>
        <table aria-label={`Rules of ${g.name}`}>
          <thead>
            <tr>
              <th>Rule</th>
              <th>Health</th>
              <th>Last evaluation</th>
              <th>Evaluation time</th>
            </tr>
          </thead>
          <tbody>
            {g.rules.map((r) => (
              <RuleRow key={`${r.type}/${r.name}/${r.query}`} r={r} now={now} lang={lang} />
            ))}
          </tbody>
        </table>
      </TableWrap>
    </Card>
  );
}

/** RulesPage lists rule groups and their rules; ?health=err shows only failing rules. */
export function RulesPage() {
  const now = useNow(2000);
  const [params, setParams] = useSearchParams();
  const onlyErr = params.get("health") === "err";
  const q = useEnvelopeQuery<RulesResult>("/api/v1/rules", {}, { refreshMs: 15_000 });
  const groups = useMemo(
    () =>
      (q.data?.groups ?? []).map((g) => ({
        // The language is read from all the group's rules, before the health filter.
        lang: groupLanguage(
          g.rules.map((r) => r.query),
          g.queryLanguage,
        ),
        g: onlyErr ? { ...g, rules: g.rules.filter((r) => r.health === "err") } : g,
      })),
    [q.data, onlyErr],
  ).filter(({ g }) => g.rules.length > 0);
  return (
    <div>
      <PageHeader title="Rules">
        <label>
          <input
            type="checkbox"
            checked={onlyErr}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              if (e.target.checked) next.set("health", "err");
              else next.delete("health");
              setParams(next);
            }}
          />{" "}
          Only failing rules
        </label>
        <button type="button" onClick={q.reload}>
          Refresh
        </button>
      </PageHeader>
      {q.error && <ErrorMessage error={q.error} onRetry={q.reload} />}
      {!q.data && q.loading && <Loading what="rules" />}
      {q.data && groups.length === 0 && (
        <EmptyState title={onlyErr ? "No failing rules" : "No rules loaded"}>
          {onlyErr
            ? "Every rule evaluated without error."
            : "List rule files under rule_files in vigil.yml, then reload with POST /-/reload."}
        </EmptyState>
      )}
      {groups.map(({ g, lang }) => (
        <GroupCard key={`${g.file}/${g.name}`} g={g} now={now} lang={lang} />
      ))}
    </div>
  );
}
