import { Link } from "../../components/Link.tsx";
import { PageHeader } from "../../components/Status.tsx";
import { navigate, useLocation } from "../../lib/router.ts";
import { parseDuration } from "../../lib/time.ts";
import styles from "./Explore.module.css";
import { QueryPanel } from "./QueryPanel.tsx";
import type { ExploreState, PanelState } from "./urlState.ts";
import { DEFAULT_PANEL, decodeExplore, encodeExplore } from "./urlState.ts";

const REFRESH_CHOICES = ["", "5s", "10s", "30s", "1m", "5m", "15m"];

/**
 * ExplorePage runs PromQL queries: several panels at once, each with its own range and view.
 * All of it lives in the URL (see urlState.ts), so a link or a reload shows the same queries.
 */
export function ExplorePage() {
  const { search } = useLocation();
  const state = decodeExplore(search);

  const update = (next: ExploreState, replace = false) => {
    navigate(`/explore?${encodeExplore(next)}`, { replace });
  };
  const onPanelChange = (i: number, p: PanelState) => {
    const panels = state.panels.map((old, j) => (j === i ? p : old));
    // A new expression gets its own history entry; view tweaks replace the current one.
    update({ ...state, panels }, p.expr === state.panels[i]?.expr);
  };
  const onAdd = () => update({ ...state, panels: [...state.panels, DEFAULT_PANEL] });
  const onRemove = (i: number) =>
    update({ ...state, panels: state.panels.filter((_, j) => j !== i) });
  const refreshMs = parseDuration(state.refresh) ?? 0;

  return (
    <div>
      <PageHeader title="Explore">
        <label className={styles.field}>
          <span>Auto-refresh</span>
          <select
            aria-label="Auto-refresh interval"
            value={state.refresh}
            onChange={(e) => update({ ...state, refresh: e.target.value }, true)}
          >
            {REFRESH_CHOICES.map((r) => (
              <option key={r} value={r}>
                {r === "" ? "off" : `every ${r}`}
              </option>
            ))}
          </select>
        </label>
        <Link to="/logs">Logs (LogQL) →</Link>
      </PageHeader>
      {state.panels.map((p, i) => (
        <QueryPanel
          // Panels have no identity beyond their position; a panel syncs its draft from the URL.
          key={i}
          index={i}
          panel={p}
          refreshMs={refreshMs}
          onChange={(np) => onPanelChange(i, np)}
          onRemove={state.panels.length > 1 ? () => onRemove(i) : undefined}
        />
      ))}
      <button type="button" onClick={onAdd}>
        Add query
      </button>
    </div>
  );
}
