// The Explore page keeps its state in the URL so that a link shows the same queries: one group
// of parameters per panel, g0.*, g1.*, …, in the style of Prometheus's /graph URLs (whose
// g0.range_input / g0.end_input / g0.step_input / g0.tab=0|1 / g0.stacked=1 are read too).
import type { Unit } from "../../lib/format.ts";
import { isUnit } from "../../lib/format.ts";

/** PanelTab is the result view of a panel. */
export type PanelTab = "graph" | "table";

/** PanelState is everything a panel needs to run and show its query. */
export interface PanelState {
  readonly expr: string;
  readonly tab: PanelTab;
  /** range is the graph's duration ("1h"), used when start is "". */
  readonly range: string;
  /**
   * start is "" for a relative range (range long, ending at end), else the absolute start (a
   * time input, see lib/time.ts parseTimeInput; the UI writes RFC 3339 in UTC).
   */
  readonly start: string;
  /** end is "" for now, else a time input (see lib/time.ts parseTimeInput). */
  readonly end: string;
  /** step is "" for automatic, else a duration. */
  readonly step: string;
  readonly stacked: boolean;
  readonly unit: Unit;
}

/** ExploreState is the whole page: its panels and the auto-refresh interval ("" is off). */
export interface ExploreState {
  readonly panels: readonly PanelState[];
  readonly refresh: string;
}

/** DEFAULT_PANEL is a new, empty panel. */
export const DEFAULT_PANEL: PanelState = {
  expr: "",
  tab: "graph",
  range: "1h",
  start: "",
  end: "",
  step: "",
  stacked: false,
  unit: "",
};

/** decodeExplore reads the state from a query string ("?g0.expr=up&…" or without "?"). */
export function decodeExplore(search: string): ExploreState {
  const q = new URLSearchParams(search);
  const byIndex = new Map<number, Map<string, string>>();
  for (const [k, v] of q) {
    const m = /^g(\d+)\.(.+)$/.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    if (i > 100) continue;
    if (!byIndex.has(i)) byIndex.set(i, new Map());
    byIndex.get(i)!.set(m[2]!, v);
  }
  const panels = [...byIndex.keys()].sort((a, b) => a - b).map((i) => decodePanel(byIndex.get(i)!));
  return {
    panels: panels.length ? panels : [DEFAULT_PANEL],
    refresh: q.get("refresh") ?? "",
  };
}

function decodePanel(p: Map<string, string>): PanelState {
  const tab = p.get("tab");
  const unit = p.get("unit") ?? "";
  const stacked = p.get("stacked") ?? p.get("stack");
  return {
    expr: p.get("expr") ?? "",
    // Prometheus's classic UI wrote tab=0 for the graph and tab=1 for the table.
    tab: tab === "table" || tab === "1" ? "table" : "graph",
    range: p.get("range") || p.get("range_input") || DEFAULT_PANEL.range,
    start: p.get("start") ?? "",
    end: p.get("end") ?? p.get("end_input") ?? "",
    step: p.get("step") ?? p.get("step_input") ?? "",
    stacked: stacked === "1" || stacked === "true",
    unit: isUnit(unit) ? unit : "",
  };
}

/** encodeExplore writes the state as a query string without "?"; defaults are left out. */
export function encodeExplore(s: ExploreState): string {
  const q = new URLSearchParams();
  s.panels.forEach((p, i) => {
    const g = `g${i}.`;
    q.set(`${g}expr`, p.expr);
    q.set(`${g}tab`, p.tab);
    if (p.range !== DEFAULT_PANEL.range) q.set(`${g}range`, p.range);
    if (p.start !== "") q.set(`${g}start`, p.start);
    if (p.end !== "") q.set(`${g}end`, p.end);
    if (p.step !== "") q.set(`${g}step`, p.step);
    if (p.stacked) q.set(`${g}stacked`, "1");
    if (p.unit !== "") q.set(`${g}unit`, p.unit);
  });
  if (s.refresh !== "") q.set("refresh", s.refresh);
  return q.toString();
}

/** explorePath is the link to the Explore page with one query (for "open in Explore" links). */
export function explorePath(expr: string, tab: PanelTab = "graph"): string {
  return `/explore?${encodeExplore({ panels: [{ ...DEFAULT_PANEL, expr, tab }], refresh: "" })}`;
}
