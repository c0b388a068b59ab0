// A test double for ClickHouse's HTTP interface that executes on chDB (embedded ClickHouse).
// Meant to run as a child process, since chDB binds one data directory per process:
//
//   node --import tsx src/storage/clickhouse/testing/chdb-http-server.ts --data-dir DIR \
//     [--port 0] [--host 127.0.0.1] [--user U --password P] [--exit-with-stdin] \
//     [--chdb-defaults]
//
// It prints `LISTENING <port>` on stdout once ready and serves what @clickhouse/client sends:
// /ping, GET/POST / with the statement in `query` and/or the body, `database`, settings as URL
// parameters, `param_<name>` bindings (also as multipart/form-data), default_format, basic and
// X-ClickHouse-User/Key auth, gzip/deflate/br request bodies and compressed responses with
// enable_http_compression=1. Statements run one at a time. Unless `--chdb-defaults` is given, a
// few settings whose chDB defaults differ from a ClickHouse server's are reset to the server's
// values (see SERVER_DEFAULTS). Start it from tests with `startChdbHttpDouble` (start-double.ts).
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Session } from "chdb";
import type { ChdbResult } from "chdb";
import {
  type ClickHouseHttpError,
  NON_SETTING_PARAMS,
  chError,
  contentTypeFor,
  decodeBody,
  encodeBody,
  httpStatusForError,
  isTruthy,
  multipartBoundary,
  parseMultipart,
  pickResponseEncoding,
  renderError,
  requestCredentials,
} from "./http-protocol.ts";
import { toChdbParamValue } from "./query-params.ts";
import {
  findFormatClause,
  firstKeyword,
  placeholderTypes,
  secondStatementOffset,
  splitInsertData,
  sqlIdentifier,
  sqlString,
} from "./sql-scan.ts";

/**
 * Settings whose chDB defaults differ from a ClickHouse server's, set back to the server's
 * values at startup so tests see server behaviour (chDB: best_effort, 1, 0, 1, 1, 1).
 */
const SERVER_DEFAULTS: ReadonlyArray<readonly [string, string]> = [
  ["date_time_input_format", "basic"],
  ["implicit_select", "0"],
  ["output_format_json_quote_64bit_integers", "1"],
  ["async_insert", "0"],
  ["mutations_sync", "0"],
  ["precise_float_parsing", "0"],
];

/** Statements a GET request may run (ClickHouse treats GET as readonly). */
const READONLY_KEYWORDS = new Set([
  "",
  "SELECT",
  "WITH",
  "SHOW",
  "DESC",
  "DESCRIBE",
  "EXISTS",
  "EXPLAIN",
  "SET",
  "USE",
]);

interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  user?: string;
  password: string;
  exitWithStdin: boolean;
  serverDefaults: boolean;
}

/** One statement, ready for the engine. */
interface PreparedStatement {
  sql: string;
  /** Output format for a statement without a FORMAT clause. */
  format: string;
  database: string;
  settings: Array<readonly [string, string]>;
  params?: Record<string, string | null>;
  /** Statement starts with SET: afterwards the session's settings are restored. */
  changesSettings: boolean;
  /** Inline INSERT data, written to this file for `FROM INFILE`. */
  insertData?: { path: string; data: Buffer };
}

/** Runs tasks strictly one after another. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }
}

/** The chDB session plus the state needed to make each HTTP request stand alone. */
class Engine {
  private readonly queue = new SerialQueue();
  private errorNames = new Map<number, string>();
  private baseline = new Map<string, string>();
  version = "unknown";
  timezone = "UTC";

  constructor(private readonly session: Session) {}

  /** Loads the error-name table, version, timezone and the baseline of changed settings. */
  async init(serverDefaults: boolean): Promise<void> {
    const names = await this.session.queryAsync(
      "SELECT number, errorCodeToName(number) AS n FROM numbers(3000) WHERE n != ''",
      { format: "TabSeparated" },
    );
    for (const line of names.text().split("\n")) {
      const [code, name] = line.split("\t");
      if (name !== undefined) this.errorNames.set(Number(code), name);
    }
    const info = await this.session.queryAsync("SELECT version(), timezone()", {
      format: "TabSeparated",
    });
    [this.version, this.timezone] = info.text().trim().split("\t");
    if (serverDefaults) {
      const assignments = SERVER_DEFAULTS.map(([k, v]) => `${k} = ${sqlString(v)}`);
      await this.session.queryAsync(`SET ${assignments.join(", ")}`, { format: "TabSeparated" });
    }
    this.baseline = await this.changedSettings();
  }

  nameOf(code: number): string | undefined {
    return this.errorNames.get(code);
  }

  private async changedSettings(): Promise<Map<string, string>> {
    const r = await this.session.queryAsync(
      "SELECT name, value FROM system.settings WHERE changed",
      { format: "JSONEachRow" },
    );
    const out = new Map<string, string>();
    for (const line of r.text().split("\n")) {
      if (line.trim() === "") continue;
      const row = JSON.parse(line) as { name: string; value: string };
      out.set(row.name, row.value);
    }
    return out;
  }

  /** Puts every setting a request changed back to the startup baseline. */
  private async restoreSettings(): Promise<void> {
    const changed = await this.changedSettings();
    const assignments: string[] = [];
    for (const [name, value] of changed) {
      const base = this.baseline.get(name);
      if (base === undefined) assignments.push(`${name} = DEFAULT`);
      else if (base !== value) assignments.push(`${name} = ${sqlString(base)}`);
    }
    for (const [name, base] of this.baseline) {
      if (!changed.has(name)) assignments.push(`${name} = ${sqlString(base)}`);
    }
    if (assignments.length > 0) {
      await this.session.queryAsync(`SET ${assignments.join(", ")}`, { format: "TabSeparated" });
    }
  }

  /** Runs one statement in the queue: settings and database first, restored afterwards. */
  execute(stmt: PreparedStatement): Promise<ChdbResult> {
    return this.queue.run(async () => {
      try {
        const prologue = stmt.settings.map(([k, v]) => `${k} = ${sqlString(v)}`);
        const setup = prologue.length > 0 ? `SET ${prologue.join(", ")}; ` : "";
        await this.session.queryAsync(`${setup}USE ${sqlIdentifier(stmt.database)}`, {
          format: "TabSeparated",
        });
        const opts = { format: stmt.format };
        return stmt.params === undefined
          ? await this.session.queryAsync(stmt.sql, opts)
          : await this.session.queryBindAsync(stmt.sql, stmt.params, opts);
      } finally {
        if (stmt.settings.length > 0 || stmt.changesSettings) {
          await this.restoreSettings().catch((e: unknown) => {
            process.stderr.write(`chdb-http-server: restoring settings failed: ${String(e)}\n`);
          });
        }
      }
    });
  }

  /** Waits for queued statements, then closes the session. */
  async close(): Promise<void> {
    await this.queue.idle();
    this.session.close();
  }
}

/** What the handler sends back. */
interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function okReply(text = "Ok.\n"): Reply {
  return {
    status: 200,
    headers: { "Content-Type": "text/html; charset=UTF-8" },
    body: Buffer.from(text),
  };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Serves ClickHouse's HTTP interface on top of an {@link Engine}. */
class HttpDouble {
  private insertCounter = 0;

  constructor(
    private readonly engine: Engine,
    private readonly opts: ServerOptions,
    private readonly tmpDir: string,
  ) {}

  async handle(req: http.IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    const rawBody = await readBody(req);
    if (url.pathname === "/ping" || url.pathname === "/replicas_status") return okReply();
    if (url.pathname !== "/") {
      return {
        status: 404,
        headers: { "Content-Type": "text/plain; charset=UTF-8" },
        body: Buffer.from(
          `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`,
        ),
      };
    }
    const queryId = url.searchParams.get("query_id") || randomUUID();
    const headers: Record<string, string> = {
      "X-ClickHouse-Query-Id": queryId,
      "X-ClickHouse-Server-Display-Name": "chdb-http-double",
      "X-ClickHouse-Timezone": this.engine.timezone,
    };
    try {
      const params = new Map<string, string>();
      for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
      for (const [headerName, param] of [
        ["x-clickhouse-database", "database"],
        ["x-clickhouse-format", "default_format"],
      ]) {
        const value = req.headers[headerName];
        if (typeof value === "string" && value !== "" && !params.has(param)) {
          params.set(param, value);
        }
      }
      let body = decodeBody(rawBody, req.headers["content-encoding"]);
      const boundary = multipartBoundary(req.headers["content-type"]);
      if (boundary !== undefined) {
        for (const part of parseMultipart(body, boundary)) {
          if (part.filename !== undefined) {
            throw chError(
              "NOT_IMPLEMENTED",
              "External tables (multipart file parts) are not supported by the chDB HTTP double",
            );
          }
          if (!params.has(part.name)) params.set(part.name, part.value.toString("utf8"));
        }
        body = Buffer.alloc(0);
      }
      if ((method === "GET" || method === "HEAD") && !params.has("query") && body.length === 0) {
        return okReply();
      }
      this.authenticate(req, params);
      if (isTruthy(params.get("compress")) || isTruthy(params.get("decompress"))) {
        throw chError(
          "NOT_IMPLEMENTED",
          "compress/decompress (ClickHouse native compression over HTTP) is not supported by the chDB HTTP double",
        );
      }
      const stmt = this.prepare(method, params, body);
      if (stmt.insertData !== undefined) {
        await fs.promises.writeFile(stmt.insertData.path, stmt.insertData.data);
      }
      let result: ChdbResult;
      try {
        result = await this.engine.execute(stmt);
      } finally {
        if (stmt.insertData !== undefined) {
          await fs.promises.rm(stmt.insertData.path, { force: true });
        }
      }
      const bytes = result.bytes();
      let out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const rows = String(result.rowsRead);
      const size = String(result.bytesRead);
      const isInsert = stmt.insertData !== undefined || firstKeyword(stmt.sql) === "INSERT";
      if (!isInsert) headers["X-ClickHouse-Format"] = stmt.format;
      headers["Content-Type"] = contentTypeFor(stmt.format);
      headers["X-ClickHouse-Summary"] = JSON.stringify({
        read_rows: rows,
        read_bytes: size,
        written_rows: isInsert ? rows : "0",
        written_bytes: isInsert ? size : "0",
        total_rows_to_read: "0",
        result_rows: isInsert ? "0" : rows,
        result_bytes: isInsert ? "0" : size,
        elapsed_ns: String(Math.round(result.elapsed * 1e9)),
      });
      if (isTruthy(params.get("enable_http_compression"))) {
        const encoding = pickResponseEncoding(req.headers["accept-encoding"]);
        if (encoding !== undefined) {
          const level = Number(params.get("http_zlib_compression_level") ?? "3");
          out = encodeBody(out, encoding, Number.isInteger(level) ? level : 3);
          headers["Content-Encoding"] = encoding;
        }
      }
      return { status: 200, headers, body: out };
    } catch (error) {
      const rendered = renderError(error, this.engine.version, (c) => this.engine.nameOf(c));
      headers["Content-Type"] = "text/plain; charset=UTF-8";
      headers["X-ClickHouse-Exception-Code"] = String(rendered.code);
      return {
        status: httpStatusForError(rendered.errorName),
        headers,
        body: Buffer.from(`${rendered.text}\n`),
      };
    }
  }

  private authenticate(req: http.IncomingMessage, params: ReadonlyMap<string, string>): void {
    if (this.opts.user === undefined) return;
    const creds = requestCredentials(req.headers, params);
    if (creds?.user === this.opts.user && creds.password === this.opts.password) return;
    throw chError(
      "AUTHENTICATION_FAILED",
      `${creds?.user ?? "default"}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }

  /** Turns the request into one statement, as ClickHouse's HTTP handler reads it. */
  private prepare(
    method: string,
    params: ReadonlyMap<string, string>,
    body: Buffer,
  ): PreparedStatement {
    const queryParam = params.get("query") ?? "";
    const full =
      queryParam === "" ? body : Buffer.concat([Buffer.from(`${queryParam}\n`, "utf8"), body]);
    const defaultFormat = params.get("default_format") || "TabSeparated";
    const settings: Array<readonly [string, string]> = [];
    const rawParams = new Map<string, string>();
    for (const [k, v] of params) {
      if (k.startsWith("param_")) rawParams.set(k.slice("param_".length), v);
      else if (!NON_SETTING_PARAMS.has(k)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
          throw chError("UNKNOWN_SETTING", `Unknown setting '${k}'`);
        }
        settings.push([k, v]);
      }
    }
    const readonly = method === "GET" || method === "HEAD";
    const insert = splitInsertData(full);
    let sql: string;
    let head: string;
    let format = defaultFormat;
    let insertData: PreparedStatement["insertData"];
    if (insert !== undefined) {
      if (readonly) throw readonlyError();
      this.insertCounter += 1;
      const file = path.join(this.tmpDir, `insert-${process.pid}-${this.insertCounter}`);
      sql = insert.statementFor(file);
      head = insert.head;
      insertData = { path: file, data: insert.data };
    } else {
      sql = full.toString("utf8");
      head = sql;
      if (sql.trim() === "") throw chError("SYNTAX_ERROR", "Empty query");
      const second = secondStatementOffset(sql);
      if (second !== undefined) {
        const rest = Buffer.from(sql, "utf8").subarray(second).toString("utf8").slice(0, 40);
        throw chError(
          "SYNTAX_ERROR",
          `Syntax error (Multi-statements are not allowed): failed at position ${second + 1} (end of query): ${rest}`,
        );
      }
      if (readonly && !READONLY_KEYWORDS.has(firstKeyword(sql))) throw readonlyError();
      format = findFormatClause(sql) ?? defaultFormat;
    }
    let bound: Record<string, string | null> | undefined;
    if (rawParams.size > 0) {
      const types = placeholderTypes(head);
      bound = {};
      for (const [name, raw] of rawParams) bound[name] = toChdbParamValue(raw, types.get(name));
    }
    return {
      sql,
      format,
      database: params.get("database") || "default",
      settings,
      params: bound,
      changesSettings: firstKeyword(head) === "SET",
      insertData,
    };
  }
}

function readonlyError(): ClickHouseHttpError {
  return chError(
    "READONLY",
    "Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. You should use method POST for modifying queries",
  );
}

function parseOptions(argv: string[]): ServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      user: { type: "string" },
      password: { type: "string", default: "" },
      "exit-with-stdin": { type: "boolean", default: false },
      "chdb-defaults": { type: "boolean", default: false },
    },
    strict: true,
  });
  const dataDir = values["data-dir"];
  if (dataDir === undefined || dataDir === "") throw new Error("--data-dir is required");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid --port ${values.port}`);
  }
  return {
    dataDir: path.resolve(dataDir),
    host: values.host,
    port,
    user: values.user,
    password: values.password,
    exitWithStdin: values["exit-with-stdin"],
    serverDefaults: !values["chdb-defaults"],
  };
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, "Content-Length": String(reply.body.length) });
  res.end(reply.body);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-chdouble-inserts-"));
  const engine = new Engine(new Session(opts.dataDir));
  await engine.init(opts.serverDefaults);
  const double = new HttpDouble(engine, opts, tmpDir);

  const server = http.createServer((req, res) => {
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    double.handle(req).then(
      (reply) => send(res, reply),
      (error: unknown) =>
        send(res, {
          status: 500,
          headers: { "Content-Type": "text/plain; charset=UTF-8" },
          body: Buffer.from(
            `${renderError(error, engine.version, (c) => engine.nameOf(c)).text}\n`,
          ),
        }),
    );
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    else socket.destroy();
  });

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    try {
      await engine.close();
    } finally {
      server.closeAllConnections();
      fs.rmSync(tmpDir, { recursive: true, force: true });
      process.exit(code);
    }
  };
  process.on("SIGTERM", () => void stop(0));
  process.on("SIGINT", () => void stop(0));
  if (opts.exitWithStdin) {
    process.stdin.on("end", () => void stop(0));
    process.stdin.on("close", () => void stop(0));
    process.stdin.resume();
  }
  process.on("uncaughtException", (e) => {
    process.stderr.write(`chdb-http-server: uncaught exception: ${e.stack ?? String(e)}\n`);
  });
  process.on("unhandledRejection", (e) => {
    process.stderr.write(`chdb-http-server: unhandled rejection: ${String(e)}\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  process.stdout.write(`LISTENING ${port}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `chdb-http-server: failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
