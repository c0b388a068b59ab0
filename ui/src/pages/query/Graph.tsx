// A time-series chart drawn with uPlot: one line per series, a legend with the values under the
// cursor (click an entry to hide its series), lines or stacked areas, and values in a unit.
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Unit } from "../../lib/format.ts";
import { formatValue } from "../../lib/format.ts";
import type { PlotData } from "../../lib/series.ts";
import { seriesColor } from "../../lib/series.ts";
import styles from "./Explore.module.css";

/** GraphProps configure a Graph. */
export interface GraphProps {
  readonly plot: PlotData;
  readonly unit: Unit;
  readonly stacked: boolean;
  readonly height?: number;
  /** bars draws bars instead of lines (log volume histograms). */
  readonly bars?: boolean;
  readonly ariaLabel?: string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/** useThemeName re-renders when the document's data-theme changes (chart colours follow it). */
function useThemeName(): string {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme ?? "");
  useEffect(() => {
    const mo = new MutationObserver(() => setTheme(document.documentElement.dataset.theme ?? ""));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return () => mo.disconnect();
  }, []);
  return theme;
}

/** Graph draws plot; it redraws when the data, unit, stacking or theme change. */
export function Graph({
  plot,
  unit,
  stacked,
  height = 300,
  bars = false,
  ariaLabel = "Graph",
}: GraphProps) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useThemeName();

  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const axis = cssVar("--chart-axis");
    const grid = cssVar("--chart-grid");
    const fmt = (v: number | null) => (v === null ? "" : formatValue(v, unit));
    const paths = bars ? uPlot.paths.bars?.({ size: [0.8, 40] }) : undefined;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      series: [
        {},
        ...plot.names.map((name, i): uPlot.Series => {
          const color = seriesColor(i);
          return {
            label: name,
            stroke: color,
            width: 1.5,
            fill: stacked || bars ? `${color}40` : undefined,
            spanGaps: false,
            paths,
            value: (_u, v) => fmt(v),
          };
        }),
      ],
      axes: [
        { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid } },
        {
          stroke: axis,
          grid: { stroke: grid },
          ticks: { stroke: grid },
          size: 64,
          values: (_u, vals) => vals.map((v) => fmt(v)),
        },
      ],
      cursor: { focus: { prox: 24 } },
      focus: { alpha: 0.35 },
      legend: { live: true },
      scales: { x: { time: true } },
    };
    const chart = new uPlot(opts, plot.data, el);
    const ro = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(el.clientWidth, 200), height }),
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.destroy();
    };
  }, [plot, unit, stacked, height, bars, theme]);

  return (
    <div
      ref={host}
      className={styles.graph}
      role="img"
      aria-label={ariaLabel}
      data-testid="graph"
    />
  );
}
