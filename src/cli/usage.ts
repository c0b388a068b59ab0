/** UsageError is a bad command line; the CLI prints it with a hint and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** USAGE is the text of `vigil --help`. */
export const USAGE = `usage: vigil <command> [flags]

Vigil: metrics, alerting and logs in one process, on ClickHouse.

Commands:
  start               Run Vigil (HTTP API, storage and every subsystem) in this process.
      --config FILE       vigil.yml to load (default: none, built-in defaults)
      --data-dir DIR      embedded storage directory (default: ./data)
      --listen HOST:PORT  HTTP listen address (default: 127.0.0.1:9700)
      --log-level LEVEL   debug, info, warn or error (default: info)
  check config FILE   Validate a vigil.yml; exit 1 and name file:line:column when invalid.

Flags:
  -h, --help          Show this help.
  --version           Show the version.

Exit codes: 0 success, 1 failure, 2 usage error.
`;
