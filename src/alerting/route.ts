// The routing tree, as Alertmanager's dispatch/route.go (v0.33): options inherited from the
// parent, matching depth first with `continue`, and the keys that name aggregation groups.
import type { AmMatcher, LabelSet } from "./matchers.ts";
import { matchersMatch, matchersString } from "./matchers.ts";
import type { RouteConfig } from "./config/types.ts";

/** RouteOpts are a node's effective options (dispatch.RouteOpts). Times in milliseconds. */
export interface RouteOpts {
  receiver: string;
  /** Label names grouped by; ignored when groupByAll. */
  groupBy: ReadonlySet<string>;
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteTimeIntervals: readonly string[];
  activeTimeIntervals: readonly string[];
}

/** DEFAULT_ROUTE_OPTS is dispatch.DefaultRouteOpts. */
export const DEFAULT_ROUTE_OPTS: RouteOpts = Object.freeze({
  receiver: "",
  groupBy: new Set<string>(),
  groupByAll: false,
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  muteTimeIntervals: [],
  activeTimeIntervals: [],
});

/** Route is a node of the built routing tree. */
export class Route {
  readonly parent: Route | undefined;
  readonly opts: RouteOpts;
  readonly matchers: readonly AmMatcher[];
  readonly continue: boolean;
  /** See RouteConfig.fallback. */
  readonly fallback: boolean;
  readonly routes: Route[] = [];
  /** Post-order index in the tree (Route.Idx). */
  idx = 0;

  private constructor(cfg: RouteConfig, parent: Route | undefined) {
    this.parent = parent;
    const p = parent?.opts ?? DEFAULT_ROUTE_OPTS;
    let groupBy = p.groupBy;
    let groupByAll = p.groupByAll;
    if (cfg.groupBy !== undefined) {
      groupBy = new Set(cfg.groupBy);
      groupByAll = false;
    } else if (cfg.groupByAll) {
      groupByAll = true;
    }
    this.opts = {
      receiver: cfg.receiver ?? p.receiver,
      groupBy,
      groupByAll,
      groupWaitMs: cfg.groupWaitMs ?? p.groupWaitMs,
      groupIntervalMs: cfg.groupIntervalMs ?? p.groupIntervalMs,
      repeatIntervalMs: cfg.repeatIntervalMs ?? p.repeatIntervalMs,
      muteTimeIntervals: cfg.muteTimeIntervals,
      activeTimeIntervals: cfg.activeTimeIntervals,
    };
    this.matchers = cfg.matchers;
    this.continue = cfg.continue;
    this.fallback = cfg.fallback ?? false;
  }

  /** build builds the tree from the root route's config (dispatch.NewRoute). */
  static build(cfg: RouteConfig): Route {
    const counter = { n: 0 };
    const make = (c: RouteConfig, parent: Route | undefined): Route => {
      const r = new Route(c, parent);
      for (const child of c.routes) r.routes.push(make(child, r));
      r.idx = counter.n++;
      return r;
    };
    return make(cfg, undefined);
  }

  /**
   * match returns the nodes an alert with these labels is routed to, depth first, in tree
   * order (Route.Match): the first matching child unless it has `continue`, and the node
   * itself when no child matches. A fallback child is skipped once an ordinary sibling matched.
   */
  match(ls: LabelSet): Route[] {
    if (!matchersMatch(this.matchers, ls)) return [];
    const all: Route[] = [];
    let ordinaryMatched = false;
    for (const child of this.routes) {
      if (child.fallback && ordinaryMatched) continue;
      const matches = child.match(ls);
      all.push(...matches);
      if (matches.length > 0 && !child.fallback) ordinaryMatched = true;
      if (matches.length > 0 && !child.continue) break;
    }
    if (all.length === 0) all.push(this);
    return all;
  }

  /** key identifies the node by its matchers path, as group keys start (Route.Key). */
  key(): string {
    const own = matchersString(this.matchers);
    return this.parent ? `${this.parent.key()}/${own}` : own;
  }

  /** id is key() made unique among siblings with the child index (Route.ID). */
  id(): string {
    const own = matchersString(this.matchers);
    if (!this.parent) return own;
    const i = this.parent.routes.indexOf(this);
    return `${this.parent.id()}/${own}/${i}`;
  }

  /** walk visits the node and its descendants, pre-order. */
  walk(visit: (r: Route) => void): void {
    visit(this);
    for (const r of this.routes) r.walk(visit);
  }
}

/** groupLabels picks an alert's labels that the route groups by (getGroupLabels). */
export function groupLabelsFor(ls: LabelSet, route: Route): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ls)) {
    if (route.opts.groupByAll || route.opts.groupBy.has(k)) out[k] = v;
  }
  return out;
}

/** receiversFor returns the receiver names an alert reaches, in amtool's order. */
export function receiversFor(root: Route, ls: LabelSet): string[] {
  return root.match(ls).map((r) => r.opts.receiver);
}
