// Creating a silence: matchers in Alertmanager's syntax, a duration or end time, author and
// comment, and a live preview of the alerts it would mute (matched client-side against
// /api/v2/alerts with Alertmanager's semantics, lib/matchers.ts).
import type { FormEvent } from "react";
import { useMemo, useState } from "react";
import type { APIError } from "../../api/api.ts";
import { fetchJSON, toAPIError, useJSONQuery } from "../../api/api.ts";
import type { GettableAlert, PostableSilence } from "../../api/responseTypes/alertmanager.ts";
import { Link } from "../../components/Link.tsx";
import {
  Badge,
  Card,
  EmptyState,
  ErrorMessage,
  LabelList,
  Muted,
  PageHeader,
  TableWrap,
} from "../../components/Status.tsx";
import type { Matcher } from "../../lib/matchers.ts";
import { matchesAll, matchesEverything, parseMatchers, toApiMatcher } from "../../lib/matchers.ts";
import { navigate, useSearchParams } from "../../lib/router.ts";
import { formatDuration, parseDuration, parseTimeInput } from "../../lib/time.ts";
import styles from "./Silences.module.css";

const AUTHOR_KEY = "vigil.silence.author";

function savedAuthor(): string {
  try {
    return localStorage.getItem(AUTHOR_KEY) ?? "";
  } catch {
    return "";
  }
}

/** NewSilencePage is the silence form; ?matchers=…&comment=… prefill it. */
export function NewSilencePage() {
  const [params] = useSearchParams();
  const [matcherText, setMatcherText] = useState(params.get("matchers") ?? "");
  const [duration, setDuration] = useState(params.get("duration") ?? "2h");
  const [createdBy, setCreatedBy] = useState(savedAuthor);
  const [comment, setComment] = useState(params.get("comment") ?? "");
  const [submitError, setSubmitError] = useState<APIError | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const alerts = useJSONQuery<GettableAlert[]>("/api/v2/alerts", {}, { refreshMs: 30_000 });

  let matchers: Matcher[] = [];
  let matcherError = "";
  try {
    matchers = parseMatchers(matcherText);
    if (matcherText.trim() !== "" && matchers.length === 0) matcherError = "no matchers";
  } catch (err) {
    matcherError = (err as Error).message;
  }
  const durationMs = parseDuration(duration);
  const endMs = durationMs ? undefined : parseTimeInput(duration, Date.now());
  const durationError =
    durationMs === undefined && (endMs === undefined || endMs <= Date.now())
      ? "enter a duration such as 2h, 1d, 30m, or an end time in the future"
      : "";
  const everything = matchers.length > 0 && matchesEverything(matchers);

  const matched = useMemo(
    () =>
      matchers.length && !matcherError
        ? (alerts.data ?? []).filter((a) => matchesAll(matchers, a.labels))
        : [],
    // matchers is derived from matcherText.
    [alerts.data, matcherText, matcherError],
  );

  const valid =
    matchers.length > 0 &&
    !matcherError &&
    !durationError &&
    !everything &&
    createdBy.trim() !== "" &&
    comment.trim() !== "";

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const now = Date.now();
    const body: PostableSilence = {
      matchers: matchers.map(toApiMatcher),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(durationMs ? now + durationMs : endMs!).toISOString(),
      createdBy: createdBy.trim(),
      comment: comment.trim(),
    };
    setSubmitting(true);
    try {
      await fetchJSON<{ silenceID: string }>("/api/v2/silences", { method: "POST", body });
      try {
        localStorage.setItem(AUTHOR_KEY, createdBy.trim());
      } catch {
        // Not saved in private mode; harmless.
      }
      navigate("/silences");
    } catch (err) {
      setSubmitError(toAPIError(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div>
      <PageHeader title="New silence">
        <Link to="/silences">← All silences</Link>
      </PageHeader>
      <Card>
        <form className={styles.form} onSubmit={(e) => void onSubmit(e)} aria-label="New silence">
          <label className={styles.formRow}>
            <span>Matchers</span>
            <input
              name="matchers"
              value={matcherText}
              onChange={(e) => setMatcherText(e.target.value)}
              placeholder='{alertname="DiskFull", instance=~"db-.*"}'
              aria-invalid={matcherError !== "" || everything}
              aria-describedby="matchers-help"
              autoFocus
            />
            <small
              id="matchers-help"
              className={matcherError || everything ? styles.fieldError : styles.help}
            >
              {matcherError ||
                (everything
                  ? "These matchers match every alert; add one that names what to silence."
                  : "Comma-separated, operators = != =~ !~; regular expressions match the whole value.")}
            </small>
          </label>
          <label className={styles.formRow}>
            <span>Duration or end</span>
            <input
              name="duration"
              value={duration}
              onChange={(e) => setDuration(e.target.value)}
              aria-invalid={durationError !== ""}
              aria-describedby="duration-help"
            />
            <small id="duration-help" className={durationError ? styles.fieldError : styles.help}>
              {durationError ||
                (durationMs
                  ? `Until ${new Date(Date.now() + durationMs).toLocaleString()} (${formatDuration(durationMs)})`
                  : `Until ${new Date(endMs!).toLocaleString()}`)}
            </small>
          </label>
          <label className={styles.formRow}>
            <span>Created by</span>
            <input
              name="createdBy"
              value={createdBy}
              onChange={(e) => setCreatedBy(e.target.value)}
              required
            />
          </label>
          <label className={styles.formRow}>
            <span>Comment</span>
            <textarea
              name="comment"
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="Why, and a ticket link"
              required
            />
          </label>
          {submitError && <ErrorMessage error={submitError} title="Could not create the silence" />}
          <div>
            <button type="submit" className="primary" disabled={!valid || submitting}>
              {submitting ? "Creating…" : "Create silence"}
            </button>
          </div>
        </form>
      </Card>

      <section aria-label="Preview of affected alerts">
        <h2>
          Affected alerts {matchers.length > 0 && !matcherError && <Badge>{matched.length}</Badge>}
        </h2>
        {alerts.error && (
          <ErrorMessage
            error={alerts.error}
            onRetry={alerts.reload}
            title="Cannot load alerts for the preview"
          />
        )}
        {matchers.length === 0 || matcherError ? (
          <Muted>Enter matchers to see which current alerts this silence would mute.</Muted>
        ) : matched.length === 0 ? (
          <EmptyState title="No current alert matches">
            The silence still applies to matching alerts that fire while it is active.
          </EmptyState>
        ) : (
          <TableWrap>
            <table aria-label="Alerts the silence would mute">
              <thead>
                <tr>
                  <th>Labels</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {matched.map((a) => (
                  <tr key={a.fingerprint} data-testid="preview-alert">
                    <td>
                      <LabelList labels={a.labels} />
                    </td>
                    <td>{a.status.state}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </div>
  );
}
