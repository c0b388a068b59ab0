import type { ErrorInfo, ReactNode } from "react";
import { Component } from "react";
import styles from "./ui.module.css";

interface Props {
  readonly children: ReactNode;
}

interface State {
  readonly error: Error | undefined;
}

/**
 * ErrorBoundary keeps a crashing page from blanking the app: it shows the error and a way to
 * try again. App.tsx mounts one per page, keyed by path, so navigating away resets it.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("UI error", error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    // Pages load on demand (App.tsx); their code may fail to arrive when the server is down or
    // was upgraded since this page loaded (the old build's chunks are gone).
    const chunk = /dynamically imported module|module script failed|Loading chunk/i.test(
      error.message,
    );
    return (
      <div className={styles.error} role="alert">
        <span className={styles.errorTitle}>
          {chunk ? "This page's code could not be loaded:" : "This page failed to render:"}
        </span>
        {chunk
          ? `${error.message}. Is the Vigil server running? If it was upgraded, reload the page.`
          : error.message}
        <div>
          <button type="button" onClick={() => this.setState({ error: undefined })}>
            Try again
          </button>{" "}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </div>
    );
  }
}
