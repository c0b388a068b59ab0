// The typed API layer: every page reads the server through fetchAPI (Prometheus-style envelope
// {"status":"success","data":…}) or fetchJSON (Alertmanager API v2, which has no envelope), and
// through the useAPIQuery hook, which loads, refreshes, cancels and reports errors in place.
import { useCallback, useEffect, useRef, useState } from "react";

/** SuccessResponse is the success envelope of /api/v1 and /api/vigil. */
export interface SuccessResponse<T> {
  readonly status: "success";
  readonly data: T;
  readonly warnings?: string[];
  readonly infos?: string[];
}

/** ErrorResponse is the error envelope of /api/v1 and /api/vigil. */
export interface ErrorResponse {
  readonly status: "error";
  readonly errorType: string;
  readonly error: string;
}

/** APIResponse is either envelope. */
export type APIResponse<T> = SuccessResponse<T> | ErrorResponse;

/** ErrorKind says what went wrong, so that the UI can word it: */
export type ErrorKind = "api" | "http" | "network" | "timeout" | "canceled" | "parse";

/**
 * APIError is every failure of a request: an error answer of the API (kind "api", with the
 * API's errorType), another HTTP error, an unreachable server, a timeout or a cancel.
 */
export class APIError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly status = 0,
    readonly errorType = "",
  ) {
    super(message);
    this.name = "APIError";
  }
}

/** DEFAULT_TIMEOUT_MS bounds requests that do not set their own timeout. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** RequestOptions shape one request. */
export interface RequestOptions {
  readonly method?: "GET" | "POST" | "DELETE";
  /** params go in the query string (GET, DELETE) or in a form body (POST without body). */
  readonly params?: Record<string, string | string[] | number | undefined>;
  /** body is sent as JSON. */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

function encodeParams(params: RequestOptions["params"]): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else q.append(k, String(v));
  }
  return q;
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const method = o.method ?? "GET";
  const params = encodeParams(o.params);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const init: RequestInit = { method, signal, headers: { Accept: "application/json" } };
  let url = path;
  if (o.body !== undefined) {
    init.body = JSON.stringify(o.body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
    if ([...params].length) url += `?${params}`;
  } else if (method === "POST") {
    init.body = params;
  } else if ([...params].length) {
    url += `?${params}`;
  }
  try {
    return await fetch(url, init);
  } catch (err) {
    if (o.signal?.aborted) throw new APIError("The request was canceled.", "canceled");
    if (timeout.aborted) {
      throw new APIError(`The server did not answer within ${timeoutMs / 1000}s.`, "timeout");
    }
    throw new APIError(
      `Cannot reach the Vigil server at ${location.origin}: ${(err as Error).message}. Is it running?`,
      "network",
    );
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (!res.ok)
      throw new APIError(
        `${res.status} ${res.statusText}: ${text.slice(0, 300)}`,
        "http",
        res.status,
      );
    throw new APIError(
      `The server answered something that is not JSON: ${text.slice(0, 120)}`,
      "parse",
      res.status,
    );
  }
}

/** Result is what fetchAPI returns: the data and the query's warnings and infos. */
export interface Result<T> {
  readonly data: T;
  readonly warnings: string[];
  readonly infos: string[];
}

/** fetchAPI calls an endpoint that answers in the Prometheus envelope. */
export async function fetchAPI<T>(path: string, o: RequestOptions = {}): Promise<Result<T>> {
  const res = await send(path, o);
  const body = (await readBody(res)) as APIResponse<T> | undefined;
  if (body && typeof body === "object" && "status" in body) {
    if (body.status === "error") throw new APIError(body.error, "api", res.status, body.errorType);
    if (body.status === "success") {
      return { data: body.data, warnings: body.warnings ?? [], infos: body.infos ?? [] };
    }
  }
  if (!res.ok) throw new APIError(httpMessage(res, body), "http", res.status);
  throw new APIError(`Unexpected answer from ${path}`, "parse", res.status);
}

/** fetchJSON calls an endpoint without an envelope (Alertmanager API v2). */
export async function fetchJSON<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const res = await send(path, o);
  const body = await readBody(res);
  if (!res.ok) throw new APIError(httpMessage(res, body), "http", res.status);
  return body as T;
}

function httpMessage(res: Response, body: unknown): string {
  // Alertmanager answers a plain JSON string or {code, message}; Fastify {error, message}.
  if (typeof body === "string" && body !== "") return `${res.status}: ${body}`;
  if (body && typeof body === "object") {
    const b = body as { message?: unknown; error?: unknown };
    if (typeof b.message === "string" && b.message !== "") return `${res.status}: ${b.message}`;
    if (typeof b.error === "string") return `${res.status}: ${b.error}`;
  }
  return `${res.status} ${res.statusText}`;
}

/** QueryState is the state of a useAPIQuery: data once loaded, the last error, loading. */
export interface QueryState<T> {
  readonly data: T | undefined;
  readonly error: APIError | undefined;
  readonly loading: boolean;
  /** loadedAtMs is when data last arrived. */
  readonly loadedAtMs: number | undefined;
  /** reload fetches again now. */
  reload(): void;
}

/** QueryOptions shape a useAPIQuery. */
export interface QueryOptions {
  /** refreshMs re-fetches periodically (0: never). */
  readonly refreshMs?: number;
  /** skip holds the request back (e.g. until inputs are valid). */
  readonly skip?: boolean;
}

/**
 * useAPIQuery loads `load(signal)` when its key changes, on reload() and every refreshMs. A new
 * load cancels the previous one; unmounting cancels too. Old data stays visible while a new
 * load runs and when it fails (the error shows next to it).
 */
export function useAPIQuery<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  o: QueryOptions = {},
): QueryState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<APIError | undefined>(undefined);
  const [loading, setLoading] = useState(!o.skip);
  const [loadedAtMs, setLoadedAtMs] = useState<number | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (o.skip) {
      setLoading(false);
      return undefined;
    }
    const ac = new AbortController();
    setLoading(true);
    loadRef.current(ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
        setLoadedAtMs(Date.now());
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setError(toAPIError(err));
        setLoading(false);
      },
    );
    return () => ac.abort();
  }, [key, tick, o.skip]);

  useEffect(() => {
    if (!o.refreshMs || o.skip) return undefined;
    const id = setInterval(() => setTick((t) => t + 1), o.refreshMs);
    return () => clearInterval(id);
  }, [o.refreshMs, o.skip]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, loadedAtMs, reload };
}

/** toAPIError wraps any thrown value. */
export function toAPIError(err: unknown): APIError {
  if (err instanceof APIError) return err;
  return new APIError(err instanceof Error ? err.message : String(err), "parse");
}

/** useEnvelopeQuery is useAPIQuery over fetchAPI (GET path with params), returning the data. */
export function useEnvelopeQuery<T>(
  path: string,
  params: RequestOptions["params"] = {},
  o: QueryOptions = {},
): QueryState<T> {
  const key = `${path}?${encodeParams(params)}`;
  return useAPIQuery(key, async (signal) => (await fetchAPI<T>(path, { params, signal })).data, o);
}

/** useJSONQuery is useAPIQuery over fetchJSON (Alertmanager API v2). */
export function useJSONQuery<T>(
  path: string,
  params: RequestOptions["params"] = {},
  o: QueryOptions = {},
): QueryState<T> {
  const key = `${path}?${encodeParams(params)}`;
  return useAPIQuery(key, (signal) => fetchJSON<T>(path, { params, signal }), o);
}
