// File-based service discovery (prometheus discovery/file/file.go): JSON or YAML files of target
// groups, re-read when their directory changes and every refresh_interval.
import type { FSWatcher } from "node:fs";
import { watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Logger } from "../../util/logging/index.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Discoverer, UpdateFn } from "../discoverer.ts";
import { sleep } from "../discoverer.ts";
import type { FileSdConfig } from "../config.ts";
import type { TargetGroup } from "../targetgroup.ts";
import { META_LABEL_PREFIX, parseTargetGroups } from "../targetgroup.ts";
import { glob, hasMeta } from "./glob.ts";

/** FILEPATH_LABEL holds the file a target was read from. */
export const FILEPATH_LABEL = `${META_LABEL_PREFIX}filepath`;

/** How long change notifications are gathered before the files are re-read. */
const SETTLE_MS = 25;

/**
 * readTargetFile reads one file's target groups, parsing by extension (.json, or .yml/.yaml,
 * any case) and adding `__meta_filepath` to each group's labels. It throws for unreadable or
 * malformed files.
 */
export async function readTargetFile(file: string): Promise<TargetGroup[]> {
  const text = await readFile(file, "utf8");
  const ext = extname(file).toLowerCase();
  let data: unknown;
  if (ext === ".json") {
    data = JSON.parse(text);
  } else if (ext === ".yml" || ext === ".yaml") {
    data = parseYaml(text, { uniqueKeys: true });
  } else {
    throw new Error(`unhandled file extension ${JSON.stringify(ext)}`);
  }
  return parseTargetGroups(data, file).map((g) => ({
    ...g,
    labels: { ...g.labels, [FILEPATH_LABEL]: file },
  }));
}

/**
 * FileDiscoverer watches the directories of its file patterns (fs.watch) and re-reads every
 * matching file on a change and every refresh interval. A file that fails to read or parse is
 * logged and keeps its previous groups; a file that disappears, or shrinks to fewer groups,
 * has its groups removed. Files whose groups did not change send nothing.
 */
export class FileDiscoverer implements Discoverer {
  /** Number of groups and their serialisation, per file, as last sent. */
  private last = new Map<string, { n: number; text: string }>();
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(
    private readonly cfg: FileSdConfig,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal, update: UpdateFn): Promise<void> {
    let wake: (() => void) | undefined;
    let changed = false;
    const onChange = (): void => {
      changed = true;
      wake?.();
    };
    try {
      while (!signal.aborted) {
        changed = false;
        await this.refresh(update, signal);
        this.watchDirs(onChange);
        if (signal.aborted) break;
        // Wait for a change notification or the refresh interval, whichever comes first.
        await new Promise<void>((resolve) => {
          const finish = (): void => {
            clearTimeout(timer);
            signal.removeEventListener("abort", finish);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(finish, this.cfg.refreshIntervalMs);
          signal.addEventListener("abort", finish, { once: true });
          wake = finish;
          if (changed) finish();
        });
        if (changed && !signal.aborted) await sleep(SETTLE_MS, signal);
      }
    } finally {
      for (const w of this.watchers.values()) w.close();
      this.watchers.clear();
    }
  }

  private async listFiles(): Promise<string[]> {
    const out: string[] = [];
    for (const p of this.cfg.files) {
      try {
        out.push(...(await glob(p)));
      } catch (err) {
        this.logger.error({ glob: p, err: errorMessage(err) }, "error expanding glob");
      }
    }
    return out;
  }

  private async refresh(update: UpdateFn, signal: AbortSignal): Promise<void> {
    const seen = new Map<string, { n: number; text: string }>();
    const out: TargetGroup[] = [];
    for (const file of await this.listFiles()) {
      if (signal.aborted) return;
      if (seen.has(file)) continue;
      let groups: TargetGroup[];
      try {
        groups = await readTargetFile(file);
      } catch (err) {
        this.logger.error({ path: file, err: errorMessage(err) }, "error reading file");
        // Keep the last good state of this file.
        const prev = this.last.get(file);
        if (prev) seen.set(file, prev);
        continue;
      }
      const text = JSON.stringify(groups);
      seen.set(file, { n: groups.length, text });
      const prev = this.last.get(file);
      if (prev?.text === text) continue;
      out.push(...groups);
      // Clear the groups that the file no longer has.
      for (let i = groups.length; i < (prev?.n ?? 0); i++) out.push(emptyGroup(file, i));
    }
    for (const [file, prev] of this.last) {
      if (seen.has(file)) continue;
      this.logger.debug({ file }, "file_sd refresh found file that should be removed");
      for (let i = 0; i < prev.n; i++) out.push(emptyGroup(file, i));
    }
    this.last = seen;
    if (out.length > 0 && !signal.aborted) update(out);
  }

  /** watchDirs watches each pattern's directory; failures are retried at the next refresh. */
  private watchDirs(onChange: () => void): void {
    for (const p of this.cfg.files) {
      const dir = dirname(p);
      if (hasMeta(dir) || this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => onChange());
        w.on("error", (err) => {
          this.logger.error({ path: dir, err: errorMessage(err) }, "error watching file");
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch (err) {
        this.logger.error({ path: dir, err: errorMessage(err) }, "error adding file watch");
      }
    }
  }
}

function emptyGroup(file: string, i: number): TargetGroup {
  return { source: `${file}:${i}`, targets: [], labels: {} };
}
