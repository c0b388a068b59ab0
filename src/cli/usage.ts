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
      --env ENV           rules overlay to load from rules.dir (<dir>/ENV; default: rules.env)
  check config FILE   Validate a vigil.yml; exit 1 and name file:line:column when invalid.
  check metrics [URL|FILE|-]
                      Lint an exposition (default: standard input) like promtool check
                      metrics, plus the team conventions; exit 3 on problems, 1 on errors.
      --no-conventions    only promtool's rules
      --max-series N      series per target allowed by the conventions (default: 5000)
      --extended          print the cardinality of each metric when there are no problems
  check rules [FILE...]
                      Validate rule files (default: standard input) like promtool check
                      rules; exit 1 when invalid, 3 on lint problems with --lint-fatal.
      --lint LIST         all, duplicate-rules or none (default: duplicate-rules)
      --lint-fatal        exit 3 on lint problems
      --ignore-unknown-fields
                          accept fields the rule file format does not define
      --enable-feature F  promql-experimental-functions, promql-delayed-name-removal
      --policy            also check the team policy (team, severity, runbook_url,
                          description); violations exit 3
  test rules FILE...  Run rule unit tests like promtool test rules; exit 1 on failures.
      --run REGEX         only test groups whose name matches (repeatable)
      --ignore-unknown-fields, --enable-feature F, --debug
                          as promtool's flags of the same names
      --coverage          list alerts no test fires and alerts no test shows silent
      --policy            with --coverage: fail unless every alert has both cases
  test routes --config FILE LABEL=VALUE...
                      Print the receivers an alert with these labels reaches, comma
                      separated, as amtool config routes test; FILE is a vigil.yml or an
                      alertmanager.yml.
      --verify.receivers R  exit 1 unless the receivers are R
      --no-team-routing   route without Vigil's default team routing
  test alerts FILE... End-to-end alert tests: input series, rule files and routing config;
                      assert which receivers get which notifications, when, with what
                      title and text (docs/alert-tests.md); exit 1 on failures.
      --run REGEX         only tests whose name matches (repeatable)
      --print             list every notification each test sent
  query EXPR          Run a PromQL query against a running Vigil and print the result.
      --time T            instant query at T, RFC 3339 or Unix seconds (default: now)
      --start T --end T --step D
                          range query (defaults: end now, start end-5m, step range/250)
      --url URL           Vigil's address (default: http://127.0.0.1:9700)
      --format F          table or json (default: table)

Flags:
  -h, --help          Show this help.
  --version           Show the version.

Exit codes: 0 success, 1 failure, 2 usage error, 3 lint problems (check metrics, check rules).
`;
