// Errors a query can fail with, typed the way Prometheus's HTTP API reports them
// (web/api/v1/api.go errorType: bad_data, execution, timeout, canceled, internal).
import { Annotations } from "./annotations.ts";

/** QueryErrorType is the `errorType` of a failed query in the API. */
export type QueryErrorType = "bad_data" | "execution" | "timeout" | "canceled" | "internal";

/** QueryError is an evaluation failure; `annotations` are those gathered before it happened. */
export class QueryError extends Error {
  readonly errorType: QueryErrorType;
  annotations: Annotations;
  constructor(errorType: QueryErrorType, message: string, annotations?: Annotations) {
    super(message);
    this.name = "QueryError";
    this.errorType = errorType;
    this.annotations = annotations ?? new Annotations();
  }
}

/** evalError is an execution error such as "vector cannot contain metrics with the same labelset". */
export function evalError(message: string): QueryError {
  return new QueryError("execution", message);
}

/** tooManySamplesError matches ErrTooManySamples. */
export function tooManySamplesError(env: string): QueryError {
  return new QueryError(
    "execution",
    `query processing would load too many samples into memory in ${env}`,
  );
}

/** timeoutError matches ErrQueryTimeout. */
export function timeoutError(env: string): QueryError {
  return new QueryError("timeout", `query timed out in ${env}`);
}

/** canceledError matches ErrQueryCanceled. */
export function canceledError(env: string): QueryError {
  return new QueryError("canceled", `query was canceled in ${env}`);
}
