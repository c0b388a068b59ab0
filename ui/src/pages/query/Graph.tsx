// A time-series chart drawn with uPlot: one line per series, a legend with the values under the
// cursor (click an entry to hide its series), lines or stacked areas, and values in a unit.
// Dragging across it selects a time range to zoom into (onZoom).
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
  /**
   * onZoom receives the time range (ms) selected by dragging across the chart; without it, a
   * drag zooms the chart alone.
   */
  readonly onZoom?: (startMs: number, endMs: number) => void;
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
  onZoom,
}: GraphProps) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useThemeName();
  const onZoomRef = useRef(onZoom);
  onZoomRef.current = onZoom;
  const zoomable = onZoom !== undefined;

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
      cursor: { focus: { prox: 24 }, drag: { x: true, y: false, setScale: !zoomable } },
      hooks: {
        setSelect: [
          (u) => {
            const zoom = onZoomRef.current;
            if (!zoom || u.select.width < 2) return;
            const from = u.posToVal(u.select.left, "x");
            const to = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom(Math.round(from * 1000), Math.round(to * 1000));
          },
        ],
      },
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
  }, [plot, unit, stacked, height, bars, theme, zoomable]);

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
