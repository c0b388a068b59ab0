// Shared presentational parts: error, loading and empty states, badges and label sets.
import type { ReactNode } from "react";
import { useEffect, useState } from "react";
import type { APIError } from "../api/api.ts";
import styles from "./ui.module.css";

const ERROR_TITLES: Record<string, string> = {
  api: "Error",
  http: "HTTP error",
  network: "Server unreachable",
  timeout: "Timeout",
  canceled: "Canceled",
  parse: "Unexpected answer",
};

/** ErrorMessage shows a failed request in place, with a retry button when one is given. */
export function ErrorMessage({
  error,
  onRetry,
  title,
}: {
  readonly error: APIError | Error;
  readonly onRetry?: () => void;
  readonly title?: string;
}) {
  const kind = "kind" in error ? error.kind : "";
  const errorType = "errorType" in error && error.errorType ? ` (${error.errorType})` : "";
  return (
    <div className={styles.error} role="alert">
      <span className={styles.errorTitle}>
        {title ?? ERROR_TITLES[kind] ?? "Error"}
        {errorType}:
      </span>
      {error.message}
      {onRetry && (
        <>
          {" "}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </>
      )}
    </div>
  );
}

/** Warnings lists a query's warnings (and infos), if any. */
export function Warnings({
  warnings,
  infos = [],
}: {
  readonly warnings: string[];
  readonly infos?: string[];
}) {
  if (warnings.length === 0 && infos.length === 0) return null;
  return (
    <div className={styles.warning} role="status">
      {warnings.map((w) => (
        <div key={`w${w}`}>Warning: {w}</div>
      ))}
      {infos.map((w) => (
        <div key={`i${w}`}>Info: {w}</div>
      ))}
    </div>
  );
}

/** Loading is a quiet "Loading…" line for first loads. */
export function Loading({ what = "" }: { readonly what?: string }) {
  return (
    <div className={styles.loading} role="status" aria-live="polite">
      Loading{what ? ` ${what}` : ""}…
    </div>
  );
}

/** EmptyState says that there is nothing to show, and what to do about it. */
export function EmptyState({
  title,
  children,
}: {
  readonly title: string;
  readonly children?: ReactNode;
}) {
  return (
    <div className={styles.empty}>
      <div className={styles.emptyTitle}>{title}</div>
      {children}
    </div>
  );
}

/** BadgeTone is the colour of a badge. */
export type BadgeTone = "ok" | "warn" | "err" | "none";

/** Badge is a small coloured state label. */
export function Badge({
  tone = "none",
  children,
}: {
  readonly tone?: BadgeTone;
  readonly children: ReactNode;
}) {
  const cls = tone === "none" ? styles.badge : `${styles.badge} ${styles[tone]}`;
  return <span className={cls}>{children}</span>;
}

/** healthTone maps the health and state words of the APIs to a badge colour. */
export function healthTone(s: string): BadgeTone {
  switch (s) {
    case "up":
    case "ok":
    case "active":
    case "inactive":
      return "ok";
    case "pending":
    case "unknown":
    case "late":
    case "suppressed":
      return "warn";
    case "down":
    case "err":
    case "firing":
      return "err";
    default:
      return "none";
  }
}

/** LabelList shows a label set as chips (`name="value"`). */
export function LabelList({
  labels,
  omit = [],
}: {
  readonly labels: Record<string, string>;
  readonly omit?: string[];
}) {
  const keys = Object.keys(labels)
    .filter((k) => !omit.includes(k))
    .sort();
  if (keys.length === 0) return <span className={styles.muted}>no labels</span>;
  return (
    <span className={styles.labels}>
      {keys.map((k) => (
        <span key={k} className={styles.label}>
          {k}=&quot;{labels[k]}&quot;
        </span>
      ))}
    </span>
  );
}

/** Card is a bordered section. */
export function Card({
  children,
  className = "",
}: {
  readonly children: ReactNode;
  readonly className?: string;
}) {
  return <section className={`${styles.card} ${className}`}>{children}</section>;
}

/** TableWrap lets a wide table scroll sideways on narrow screens. */
export function TableWrap({ children }: { readonly children: ReactNode }) {
  return <div className={styles.tableWrap}>{children}</div>;
}

/** PageHeader is a page's title with optional controls on the right. */
export function PageHeader({
  title,
  children,
}: {
  readonly title: string;
  readonly children?: ReactNode;
}) {
  return (
    <div className={styles.pageHeader}>
      <h1>{title}</h1>
      {children && <div className={styles.toolbar}>{children}</div>}
    </div>
  );
}

/** Toolbar lays out controls in a wrapping row. */
export function Toolbar({ children }: { readonly children: ReactNode }) {
  return <div className={styles.toolbar}>{children}</div>;
}

/** Muted is secondary text. */
export function Muted({ children }: { readonly children: ReactNode }) {
  return <span className={styles.muted}>{children}</span>;
}

/** Elapsed shows the seconds since startedAtMs ("3.2s"), ticking while mounted. */
export function Elapsed({ startedAtMs }: { readonly startedAtMs: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(id);
  }, []);
  return <>{(Math.max(0, now - startedAtMs) / 1000).toFixed(1)}s</>;
}
