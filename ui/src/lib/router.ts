// A small client-side router: the URL (path and query string) is the state of every page, so
// links are shareable and a reload shows the same thing. Pages read it with useLocation and
// change it with navigate; <Link> (components/Link.tsx) navigates without a reload.
import { useSyncExternalStore } from "react";

const EVENT = "vigil:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(EVENT, onChange);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

/** Location is the part of the URL the pages route on. */
export interface Location {
  readonly pathname: string;
  /** search is the query string including "?", or "". */
  readonly search: string;
}

/** useLocation returns the current location and re-renders when it changes. */
export function useLocation(): Location {
  const s = useSyncExternalStore(subscribe, snapshot, () => "/");
  const i = s.indexOf("?");
  return i < 0 ? { pathname: s, search: "" } : { pathname: s.slice(0, i), search: s.slice(i) };
}

/**
 * navigate goes to `to` (a path with an optional query string). With replace, the history entry
 * is replaced (for state changes such as typing in a filter that should not pile up entries).
 */
export function navigate(to: string, o: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (o.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(EVENT));
}

/** useSearchParams returns the query string as URLSearchParams and a setter that keeps the path. */
export function useSearchParams(): [
  URLSearchParams,
  (next: URLSearchParams, replace?: boolean) => void,
] {
  const { pathname, search } = useLocation();
  const params = new URLSearchParams(search);
  const set = (next: URLSearchParams, replace = true) => {
    const q = next.toString();
    navigate(q ? `${pathname}?${q}` : pathname, { replace });
  };
  return [params, set];
}
