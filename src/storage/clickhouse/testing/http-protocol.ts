// The parts of ClickHouse's HTTP interface that do not need an engine: request parameters, body
// encodings, multipart forms, credentials, error rendering and status codes, content types.
import zlib from "node:zlib";
import type { IncomingHttpHeaders } from "node:http";

/** ClickHouse error codes the double raises itself (the engine's own errors carry theirs). */
export const ErrorCode = {
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  SYNTAX_ERROR: 62,
  UNKNOWN_SETTING: 115,
  READONLY: 164,
  AUTHENTICATION_FAILED: 516,
  STD_EXCEPTION: 1001,
} as const;

/** An error the double raises in ClickHouse's terms (`Code: <code>. DB::Exception: ...`). */
export class ClickHouseHttpError extends Error {
  /** Creates the error; `errorName` is ClickHouse's name for `code`, e.g. `SYNTAX_ERROR`. */
  constructor(
    readonly code: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

/** Shorthand for a {@link ClickHouseHttpError} from one of {@link ErrorCode}'s names. */
export function chError(name: keyof typeof ErrorCode, message: string): ClickHouseHttpError {
  return new ClickHouseHttpError(ErrorCode[name], name, message);
}

const STATUS_BY_ERROR_NAME = new Map<string, number>();
const STATUS_GROUPS: Array<[number, string[]]> = [
  [401, ["REQUIRED_PASSWORD"]],
  [
    403,
    [
      "UNKNOWN_USER",
      "WRONG_PASSWORD",
      "AUTHENTICATION_FAILED",
      "SET_NON_GRANTED_ROLE",
      "ACCESS_DENIED",
    ],
  ],
  [
    400,
    [
      "BAD_ARGUMENTS",
      "CANNOT_COMPILE_REGEXP",
      "CANNOT_PARSE_TEXT",
      "CANNOT_PARSE_ESCAPE_SEQUENCE",
      "CANNOT_PARSE_QUOTED_STRING",
      "CANNOT_PARSE_DATE",
      "CANNOT_PARSE_DATETIME",
      "CANNOT_PARSE_NUMBER",
      "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING",
      "CANNOT_PARSE_IPV4",
      "CANNOT_PARSE_IPV6",
      "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
      "CANNOT_PARSE_UUID",
      "DUPLICATE_COLUMN",
      "ILLEGAL_COLUMN",
      "UNKNOWN_ELEMENT_IN_AST",
      "UNKNOWN_TYPE_OF_AST_NODE",
      "THERE_IS_NO_COLUMN",
      "TOO_DEEP_AST",
      "TOO_BIG_AST",
      "UNEXPECTED_AST_STRUCTURE",
      "SYNTAX_ERROR",
      "INCORRECT_DATA",
      "TYPE_MISMATCH",
      "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
    ],
  ],
  [
    404,
    [
      "UNKNOWN_TABLE",
      "UNKNOWN_FUNCTION",
      "UNKNOWN_IDENTIFIER",
      "UNKNOWN_TYPE",
      "UNKNOWN_STORAGE",
      "UNKNOWN_DATABASE",
      "UNKNOWN_SETTING",
      "UNKNOWN_DIRECTION_OF_SORTING",
      "UNKNOWN_AGGREGATE_FUNCTION",
      "UNKNOWN_FORMAT",
      "UNKNOWN_DATABASE_ENGINE",
      "UNKNOWN_TYPE_OF_QUERY",
      "UNKNOWN_ROLE",
    ],
  ],
  [413, ["QUERY_IS_TOO_LARGE"]],
  [501, ["NOT_IMPLEMENTED"]],
  [503, ["SOCKET_TIMEOUT", "CANNOT_OPEN_FILE", "CANNOT_SCHEDULE_TASK"]],
  [411, ["HTTP_LENGTH_REQUIRED"]],
  [408, ["TIMEOUT_EXCEEDED"]],
  [415, ["UNSUPPORTED_MEDIA_TYPE"]],
];
for (const [status, names] of STATUS_GROUPS) {
  for (const name of names) STATUS_BY_ERROR_NAME.set(name, status);
}

/** The HTTP status ClickHouse answers with for an error name (its exceptionCodeToHTTPStatus). */
export function httpStatusForError(errorName: string): number {
  return STATUS_BY_ERROR_NAME.get(errorName) ?? 500;
}

/** A failure rendered the way ClickHouse's HTTP handler renders it. */
export interface RenderedError {
  code: number;
  errorName: string;
  /** `Code: <code>. DB::Exception: <message>. (<NAME>) (version <v>)` */
  text: string;
}

/**
 * Renders any thrown value as ClickHouse error text. chDB errors already read
 * `Code: 62. DB::Exception: ... (SYNTAX_ERROR)` and carry `.clickhouseCode`; the double's own
 * errors are {@link ClickHouseHttpError}s; anything else becomes STD_EXCEPTION.
 * `nameOf` resolves a code to its name (the engine's `errorCodeToName`).
 */
export function renderError(
  error: unknown,
  version: string,
  nameOf: (code: number) => string | undefined,
): RenderedError {
  let code: number;
  let errorName: string;
  let text: string;
  if (error instanceof ClickHouseHttpError) {
    code = error.code;
    errorName = error.errorName;
    text = `Code: ${code}. DB::Exception: ${error.message}. (${errorName})`;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    const carried = (error as { clickhouseCode?: unknown } | null)?.clickhouseCode;
    const parsed = /^Code: (\d+)\./.exec(message);
    code =
      typeof carried === "number"
        ? carried
        : parsed !== null
          ? Number(parsed[1])
          : ErrorCode.STD_EXCEPTION;
    const trailingName = /\(([A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*)\)(?: \(version [^)]*\))?\s*$/.exec(
      message,
    );
    errorName = nameOf(code) ?? trailingName?.[1] ?? "STD_EXCEPTION";
    text = message.startsWith("Code: ")
      ? message.trimEnd()
      : `Code: ${code}. DB::Exception: ${message}. (${errorName})`;
  }
  if (!/\(version [^)]*\)$/.test(text)) text += ` (version ${version})`;
  return { code, errorName, text };
}

/** Decodes a request body according to its `Content-Encoding` header. */
export function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity" || body.length === 0) return body;
  try {
    if (enc === "gzip" || enc === "x-gzip") return zlib.gunzipSync(body);
    if (enc === "deflate") return zlib.inflateSync(body);
    if (enc === "br") return zlib.brotliDecompressSync(body);
    if (enc === "zstd" && "zstdDecompressSync" in zlib) {
      const zstd = (zlib as unknown as { zstdDecompressSync(b: Buffer): Buffer })
        .zstdDecompressSync;
      return zstd(body);
    }
  } catch (e) {
    throw chError(
      "BAD_ARGUMENTS",
      `Cannot decompress the request body (${enc}): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  throw chError("BAD_ARGUMENTS", `Unknown Content-Encoding of HTTP request: ${enc}`);
}

/** Response encodings the double can produce, in order of preference. */
const RESPONSE_ENCODINGS = ["gzip", "deflate", "br"] as const;

/** Response content encoding. */
export type ResponseEncoding = (typeof RESPONSE_ENCODINGS)[number];

/** Picks a response encoding from `Accept-Encoding`, or `undefined` for none. */
export function pickResponseEncoding(
  acceptEncoding: string | undefined,
): ResponseEncoding | undefined {
  const offered = (acceptEncoding ?? "")
    .split(",")
    .map((s) => s.split(";")[0].trim().toLowerCase());
  return RESPONSE_ENCODINGS.find((e) => offered.includes(e));
}

/** Compresses a response body; `level` applies to gzip/deflate (ClickHouse's default is 3). */
export function encodeBody(body: Buffer, encoding: ResponseEncoding, level = 3): Buffer {
  if (encoding === "gzip") return zlib.gzipSync(body, { level });
  if (encoding === "deflate") return zlib.deflateSync(body, { level });
  return zlib.brotliCompressSync(body);
}

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename?: string;
  value: Buffer;
}

/** The boundary of a `multipart/form-data` content type, or `undefined` for other types. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^\s*multipart\/form-data\b/i.test(contentType))
    return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m === null ? undefined : (m[1] ?? m[2]);
}

/** Parses a multipart/form-data body (RFC 7578), as @clickhouse/client sends large parameters. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing delimiter
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const headerEnd = body.indexOf("\r\n\r\n", start);
    if (headerEnd !== -1 && headerEnd < end) {
      const headers = body.subarray(start, headerEnd).toString("utf8");
      const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? "";
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      if (name !== undefined) {
        parts.push({ name, filename, value: body.subarray(headerEnd + 4, end) });
      }
    }
    pos = next;
  }
  return parts;
}

/** Credentials presented by a request, resolved in ClickHouse's order of precedence. */
export interface Credentials {
  user: string;
  password: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Credentials from `X-ClickHouse-User`/`X-ClickHouse-Key`, else `Authorization: Basic`, else the
 * `user`/`password` URL parameters, else `default` with an empty password. A Bearer token yields
 * `undefined` (the double does not do JWT).
 */
export function requestCredentials(
  headers: IncomingHttpHeaders,
  params: ReadonlyMap<string, string>,
): Credentials | undefined {
  const hUser = header(headers, "x-clickhouse-user");
  const hKey = header(headers, "x-clickhouse-key");
  if (hUser !== undefined || hKey !== undefined) {
    return { user: hUser ?? "default", password: hKey ?? "" };
  }
  const authorization = header(headers, "authorization");
  if (authorization !== undefined) {
    const m = /^\s*Basic\s+(\S+)\s*$/i.exec(authorization);
    if (m === null) return undefined;
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon === -1
      ? { user: decoded, password: "" }
      : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { user: params.get("user") ?? "default", password: params.get("password") ?? "" };
}

/** The `Content-Type` ClickHouse sends for an output format. */
export function contentTypeFor(format: string): string {
  const f = format.toLowerCase();
  if (f.startsWith("json") || f === "ndjson" || f === "jsonl") {
    return "application/json; charset=UTF-8";
  }
  if (f.startsWith("tabseparated") || f.startsWith("tsv")) {
    return "text/tab-separated-values; charset=UTF-8";
  }
  if (f.startsWith("csv")) {
    return `text/csv; charset=UTF-8; header=${f.includes("withnames") ? "present" : "absent"}`;
  }
  if (f === "xml") return "application/xml; charset=UTF-8";
  const binary = [
    "native",
    "rowbinary",
    "parquet",
    "arrow",
    "orc",
    "avro",
    "protobuf",
    "capnproto",
    "msgpack",
    "npy",
    "bson",
  ];
  if (binary.some((b) => f.startsWith(b))) return "application/octet-stream";
  return "text/plain; charset=UTF-8";
}

/**
 * URL parameters that are part of the HTTP protocol or the client, not engine settings; the
 * double handles or ignores them instead of applying them with `SET`.
 */
export const NON_SETTING_PARAMS: ReadonlySet<string> = new Set([
  "query",
  "database",
  "default_format",
  "query_id",
  "session_id",
  "session_timeout",
  "session_check",
  "user",
  "password",
  "quota_key",
  "compress",
  "decompress",
  "buffer_size",
  "wait_end_of_query",
  "http_wait_end_of_query",
  "role",
  "stacktrace",
  "readonly",
  "enable_http_compression",
  "http_zlib_compression_level",
  "http_response_buffer_size",
  "http_native_compression_disable_checksumming_on_decompress",
  "send_progress_in_http_headers",
  "http_headers_progress_interval_ms",
  "add_http_cors_header",
  "client_protocol_version",
]);

/** True for ClickHouse's spellings of a true boolean URL parameter. */
export function isTruthy(v: string | undefined): boolean {
  return v !== undefined && ["1", "true", "yes", "on"].includes(v.trim().toLowerCase());
}
