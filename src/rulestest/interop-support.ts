// Support for the interop test and the rules benchmark (not part of Vigil's API): feed the same
// remote-write stream to Prometheus and to Vigil, run a Prometheus that evaluates a rule file,
// and read results back from either through the Prometheus HTTP API.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compressSync } from "snappy";
import type { PromTimeSeries } from "../ingest/remote-write/index.ts";
import { encodeWriteRequest } from "../ingest/remote-write/index.ts";
import type { PeerProcess } from "../testing/index.ts";
import { freePort, startPeer, waitFor } from "../testing/index.ts";

/** GoldenCase is one line of testdata/golden/cases.tsv: a promtool command line. */
export interface GoldenCase {
  readonly name: string;
  readonly args: string[];
}

/** goldenCases reads testdata/golden/cases.tsv (outputs captured from promtool 3.5.3). */
export function goldenCases(): GoldenCase[] {
  return readFileSync(new URL("./testdata/golden/cases.tsv", import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => {
      const [name, args] = l.split("\t");
      return { name: name!, args: args!.split(" ") };
    });
}

/** SeriesData is one series to send: labels (with __name__) and [tMs, value] samples. */
export interface SeriesData {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly (readonly [number, number])[];
}

/**
 * remoteWrite posts series to a remote-write 1.0 endpoint (snappy-compressed protobuf), in
 * requests of at most maxSamples samples, in time order within each series.
 */
export async function remoteWrite(
  url: string,
  series: readonly SeriesData[],
  maxSamples = 50_000,
): Promise<void> {
  let batch: PromTimeSeries[] = [];
  let n = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const body = compressSync(Buffer.from(encodeWriteRequest({ timeseries: batch })));
    const r = await fetch(url, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/x-protobuf",
        "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
      },
    });
    if (!r.ok) throw new Error(`remote write to ${url}: ${r.status} ${await r.text()}`);
    batch = [];
    n = 0;
  };
  for (const s of series) {
    const labels = Object.entries(s.labels)
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 0; i < s.samples.length; i += maxSamples) {
      const part = s.samples.slice(i, i + maxSamples);
      if (n + part.length > maxSamples) await flush();
      batch.push({ labels, samples: part.map(([timestamp, value]) => ({ timestamp, value })) });
      n += part.length;
    }
  }
  await flush();
}

/** ApiVector and ApiMatrix are the shapes of /api/v1/query results. */
export interface ApiSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

/** apiQuery runs an instant query through a Prometheus-compatible HTTP API. */
export async function apiQuery(
  base: string,
  query: string,
  timeSec?: number,
): Promise<ApiSeries[]> {
  const params = new URLSearchParams({ query });
  if (timeSec !== undefined) params.set("time", String(timeSec));
  const r = await fetch(`${base}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: params.toString(),
  });
  const body = (await r.json()) as {
    status: string;
    error?: string;
    data: { resultType: string; result: ApiSeries[] };
  };
  if (body.status !== "success") throw new Error(`${base} ${query}: ${body.error}`);
  return body.data.result;
}

/** RunningPrometheus is a Prometheus started for a test or benchmark. */
export interface RunningPrometheus {
  readonly url: string;
  readonly process: PeerProcess;
  stop(): Promise<void>;
}

/**
 * startPrometheus runs prometheus with a remote-write receiver and the rule files, evaluating
 * every evaluationInterval, its data in dir, and waits until it is ready.
 */
export async function startPrometheus(
  bin: string,
  dir: string,
  o: { ruleFiles: readonly string[]; evaluationInterval: string; extraArgs?: readonly string[] },
): Promise<RunningPrometheus> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cfg = join(dir, "prometheus.yml");
  writeFileSync(
    cfg,
    [
      "global:",
      `  evaluation_interval: ${o.evaluationInterval}`,
      "rule_files:",
      ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
      "",
    ].join("\n"),
  );
  const proc = startPeer(bin, [
    `--config.file=${cfg}`,
    `--storage.tsdb.path=${join(dir, "prom-data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--web.enable-remote-write-receiver",
    ...(o.extraArgs ?? []),
  ]);
  try {
    await waitFor(
      "prometheus to be ready",
      async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
      60_000,
    );
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n${proc.output()}`, { cause: err });
  }
  return { url, process: proc, stop: () => proc.stop() };
}
