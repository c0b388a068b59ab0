// Server status: build and runtime information, flags, the configuration in force, and TSDB
// cardinality (top metrics and labels by series) from /api/v1/status/*.
import { useEnvelopeQuery } from "../../api/api.ts";
import type {
  BuildInfo,
  ConfigResult,
  Flags,
  NameCount,
  RuntimeInfo,
  TSDBStatus,
} from "../../api/responseTypes/status.ts";
import { Link } from "../../components/Link.tsx";
import { Card, ErrorMessage, Loading, PageHeader, TableWrap } from "../../components/Status.tsx";
import { useSearchParams } from "../../lib/router.ts";
import { explorePath } from "../query/urlState.ts";

function KeyValues({
  data,
  label,
}: {
  readonly data: Record<string, unknown>;
  readonly label: string;
}) {
  return (
    <TableWrap>
      <table aria-label={label}>
        <tbody>
          {Object.entries(data).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className="mono">{String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function TopTable({
  rows,
  label,
  name,
  link,
}: {
  readonly rows: NameCount[];
  readonly label: string;
  readonly name: string;
  readonly link?: (n: string) => string;
}) {
  if (rows.length === 0) return <p>No data yet.</p>;
  return (
    <TableWrap>
      <table aria-label={label}>
        <thead>
          <tr>
            <th>{name}</th>
            <th>Count</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <td className="mono">{link ? <Link to={link(r.name)}>{r.name}</Link> : r.name}</td>
              <td>{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

const SECTIONS = ["runtime", "tsdb", "config", "flags"] as const;

/** StatusPage shows one section at a time (?section=…), runtime first. */
export function StatusPage() {
  const [params, setParams] = useSearchParams();
  const raw = params.get("section");
  const section = SECTIONS.find((s) => s === raw) ?? "runtime";
  const build = useEnvelopeQuery<BuildInfo>(
    "/api/v1/status/buildinfo",
    {},
    { skip: section !== "runtime" },
  );
  const runtime = useEnvelopeQuery<RuntimeInfo>(
    "/api/v1/status/runtimeinfo",
    {},
    { skip: section !== "runtime" },
  );
  const tsdb = useEnvelopeQuery<TSDBStatus>(
    "/api/v1/status/tsdb",
    { limit: 20 },
    { skip: section !== "tsdb" },
  );
  const config = useEnvelopeQuery<ConfigResult>(
    "/api/v1/status/config",
    {},
    { skip: section !== "config" },
  );
  const flags = useEnvelopeQuery<Flags>("/api/v1/status/flags", {}, { skip: section !== "flags" });

  return (
    <div>
      <PageHeader title="Status">
        <div role="tablist" aria-label="Status sections">
          {SECTIONS.map((s) => (
            <button
              key={s}
              type="button"
              role="tab"
              aria-selected={section === s}
              className={section === s ? "primary" : undefined}
              onClick={() => setParams(new URLSearchParams({ section: s }), false)}
            >
              {s === "tsdb" ? "TSDB / cardinality" : s[0]!.toUpperCase() + s.slice(1)}
            </button>
          ))}
        </div>
      </PageHeader>
      {section === "runtime" && (
        <>
          <Card>
            <h2>Build</h2>
            {build.error && <ErrorMessage error={build.error} onRetry={build.reload} />}
            {build.data ? (
              <KeyValues data={build.data} label="Build information" />
            ) : (
              build.loading && <Loading />
            )}
          </Card>
          <Card>
            <h2>Runtime</h2>
            {runtime.error && <ErrorMessage error={runtime.error} onRetry={runtime.reload} />}
            {runtime.data ? (
              <KeyValues data={runtime.data} label="Runtime information" />
            ) : (
              runtime.loading && <Loading />
            )}
          </Card>
        </>
      )}
      {section === "tsdb" && (
        <>
          {tsdb.error && <ErrorMessage error={tsdb.error} onRetry={tsdb.reload} />}
          {!tsdb.data && tsdb.loading && <Loading what="cardinality" />}
          {tsdb.data && (
            <>
              <Card>
                <h2>Head</h2>
                <KeyValues
                  label="Head statistics"
                  data={{
                    Series: tsdb.data.headStats.numSeries,
                    "Label pairs": tsdb.data.headStats.numLabelPairs,
                    Chunks: tsdb.data.headStats.chunkCount,
                    "Min time": tsdb.data.headStats.numSeries
                      ? new Date(tsdb.data.headStats.minTime).toISOString()
                      : "—",
                    "Max time": tsdb.data.headStats.numSeries
                      ? new Date(tsdb.data.headStats.maxTime).toISOString()
                      : "—",
                  }}
                />
              </Card>
              <Card>
                <h2>Top metrics by series</h2>
                <TopTable
                  rows={tsdb.data.seriesCountByMetricName}
                  label="Top metrics by series"
                  name="Metric"
                  link={(n) =>
                    explorePath(`count by (__name__) ({__name__=${JSON.stringify(n)}})`, "table")
                  }
                />
              </Card>
              <Card>
                <h2>Top labels by distinct values</h2>
                <TopTable
                  rows={tsdb.data.labelValueCountByLabelName}
                  label="Top labels by values"
                  name="Label"
                />
              </Card>
              <Card>
                <h2>Top label pairs by series</h2>
                <TopTable
                  rows={tsdb.data.seriesCountByLabelValuePair}
                  label="Top label pairs by series"
                  name="Label pair"
                />
              </Card>
            </>
          )}
        </>
      )}
      {section === "config" && (
        <Card>
          <h2>Configuration</h2>
          {config.error && <ErrorMessage error={config.error} onRetry={config.reload} />}
          {config.data ? (
            <pre aria-label="Configuration YAML">{config.data.yaml}</pre>
          ) : (
            config.loading && <Loading />
          )}
        </Card>
      )}
      {section === "flags" && (
        <Card>
          <h2>Flags</h2>
          {flags.error && <ErrorMessage error={flags.error} onRetry={flags.reload} />}
          {flags.data ? (
            <KeyValues data={flags.data} label="Command-line flags" />
          ) : (
            flags.loading && <Loading />
          )}
        </Card>
      )}
    </div>
  );
}
