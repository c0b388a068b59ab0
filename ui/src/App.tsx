import type { ComponentType } from "react";
import { Suspense, lazy, useEffect, useState } from "react";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { Link } from "./components/Link.tsx";
import { EmptyState, Loading, PageHeader } from "./components/Status.tsx";
import { useLocation } from "./lib/router.ts";
import { useTheme } from "./lib/theme.ts";
import styles from "./App.module.css";

/**
 * page loads a page's module on first use (React.lazy), so that the first load fetches only the
 * shell and the page it opens; the editors (CodeMirror) and charts (uPlot) come with the pages
 * that use them. Pages are named exports, hence the mapping to React.lazy's default.
 */
function page<M>(load: () => Promise<M>, pick: (m: M) => ComponentType): ComponentType {
  return lazy(async () => ({ default: pick(await load()) }));
}

const ExplorePage = page(
  () => import("./pages/query/ExplorePage.tsx"),
  (m) => m.ExplorePage,
);
const LogsPage = page(
  () => import("./pages/logs/LogsPage.tsx"),
  (m) => m.LogsPage,
);
const AlertsPage = page(
  () => import("./pages/alerts/AlertsPage.tsx"),
  (m) => m.AlertsPage,
);
const RulesPage = page(
  () => import("./pages/rules/RulesPage.tsx"),
  (m) => m.RulesPage,
);
const TargetsPage = page(
  () => import("./pages/targets/TargetsPage.tsx"),
  (m) => m.TargetsPage,
);
const SilencesPage = page(
  () => import("./pages/silences/SilencesPage.tsx"),
  (m) => m.SilencesPage,
);
const NewSilencePage = page(
  () => import("./pages/silences/NewSilencePage.tsx"),
  (m) => m.NewSilencePage,
);
const HeartbeatsPage = page(
  () => import("./pages/heartbeats/HeartbeatsPage.tsx"),
  (m) => m.HeartbeatsPage,
);
const StatusPage = page(
  () => import("./pages/status/StatusPage.tsx"),
  (m) => m.StatusPage,
);

interface Route {
  readonly path: string;
  readonly title: string;
  readonly page: ComponentType;
  /** nav is false for pages reached from another page. */
  readonly nav?: boolean;
}

/** ROUTES are the app's pages, in navigation order. */
const ROUTES: Route[] = [
  { path: "/explore", title: "Explore", page: ExplorePage },
  { path: "/logs", title: "Logs", page: LogsPage },
  { path: "/alerts", title: "Alerts", page: AlertsPage },
  { path: "/rules", title: "Rules", page: RulesPage },
  { path: "/targets", title: "Targets", page: TargetsPage },
  { path: "/silences", title: "Silences", page: SilencesPage },
  { path: "/silences/new", title: "New silence", page: NewSilencePage, nav: false },
  { path: "/heartbeats", title: "Heartbeats", page: HeartbeatsPage },
  { path: "/status", title: "Status", page: StatusPage },
];

function NotFound() {
  const { pathname } = useLocation();
  return (
    <div>
      <PageHeader title="Page not found" />
      <EmptyState title={`No page at ${pathname}`}>
        Pick a page above, or go to <Link to="/explore">Explore</Link> to run a query.
      </EmptyState>
    </div>
  );
}

/** App is the shell: navigation, theme toggle and the page for the current path. */
export function App() {
  const { pathname } = useLocation();
  const [theme, setTheme] = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  const path =
    pathname === "/" || pathname === "/graph" || pathname === "/query"
      ? "/explore"
      : pathname.replace(/\/+$/, "");
  const route = ROUTES.find((r) => r.path === path);
  const Page = route?.page ?? NotFound;

  useEffect(() => {
    document.title = route ? `${route.title} · Vigil` : "Vigil";
    setMenuOpen(false);
  }, [route]);

  return (
    <div className={styles.app}>
      <header className={styles.header}>
        <Link to="/explore" className={styles.brand} aria-label="Vigil home">
          Vigil
        </Link>
        <button
          type="button"
          className={styles.menuButton}
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav
          id="main-nav"
          aria-label="Main"
          className={`${styles.nav} ${menuOpen ? styles.navOpen : ""}`}
        >
          {ROUTES.filter((r) => r.nav !== false).map((r) => {
            const active = path === r.path || path.startsWith(`${r.path}/`);
            return (
              <Link
                key={r.path}
                to={r.path}
                className={active ? `${styles.navLink} ${styles.active}` : styles.navLink}
                aria-current={active ? "page" : undefined}
              >
                {r.title}
              </Link>
            );
          })}
        </nav>
        <button
          type="button"
          className={styles.themeButton}
          onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
          aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
          title={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
        >
          {theme === "dark" ? "☀" : "☾"}
        </button>
      </header>
      <main className={styles.main}>
        <ErrorBoundary key={path}>
          <Suspense fallback={<Loading what="page" />}>
            <Page />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
