// API errors and their HTTP status codes, in one table, after prometheus web/api/v1/api.go
// (v3.5) errorType and respondError.
import { QueryError } from "../../../promql/engine/index.ts";
import { errorMessage } from "../../../util/errors.ts";

/** ApiErrorType is the `errorType` of an error response. */
export type ApiErrorType =
  | "bad_data"
  | "execution"
  | "timeout"
  | "canceled"
  | "internal"
  | "unavailable"
  | "not_found"
  | "not_acceptable";

/**
 * STATUS_BY_ERROR_TYPE is the HTTP status of each error type (respondError). `canceled` is
 * nginx's 499 "client closed request", as upstream; `unavailable` is 503, which upstream reaches
 * through its readiness wrapper rather than this table.
 */
export const STATUS_BY_ERROR_TYPE: Readonly<Record<ApiErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  canceled: 499,
  timeout: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
  not_acceptable: 406,
};

/** ApiError is a failed API call: its type picks the status code, its message is `error`. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly type: ApiErrorType,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** invalidParam is upstream's invalidParamError: `invalid parameter "<name>": <reason>`. */
export function invalidParam(name: string, err: unknown): ApiError {
  return new ApiError(
    "bad_data",
    `invalid parameter ${JSON.stringify(name)}: ${errorMessage(err)}`,
    {
      cause: err,
    },
  );
}

/**
 * queryApiError maps a failed query to an API error. A bad_data QueryError comes from parsing or
 * preparing the query (upstream's NewInstantQuery/NewRangeQuery), so it is reported as an
 * invalid `query` parameter; other query errors keep their type. Anything else is a storage
 * failure or a bug and is reported as internal.
 */
export function queryApiError(err: unknown): ApiError {
  if (err instanceof QueryError) {
    if (err.errorType === "bad_data") return invalidParam("query", err);
    return new ApiError(err.errorType, err.message, { cause: err });
  }
  return new ApiError("internal", errorMessage(err), { cause: err });
}
