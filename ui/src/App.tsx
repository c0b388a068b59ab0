import type { ComponentType } from "react";
import { useEffect, useState } from "react";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { Link } from "./components/Link.tsx";
import { EmptyState } from "./components/Status.tsx";
import { useLocation } from "./lib/router.ts";
import { useTheme } from "./lib/theme.ts";
import { AlertsPage } from "./pages/alerts/AlertsPage.tsx";
import { HeartbeatsPage } from "./pages/heartbeats/HeartbeatsPage.tsx";
import { LogsPage } from "./pages/logs/LogsPage.tsx";
import { ExplorePage } from "./pages/query/ExplorePage.tsx";
import { RulesPage } from "./pages/rules/RulesPage.tsx";
import { NewSilencePage } from "./pages/silences/NewSilencePage.tsx";
import { SilencesPage } from "./pages/silences/SilencesPage.tsx";
import { StatusPage } from "./pages/status/StatusPage.tsx";
import { TargetsPage } from "./pages/targets/TargetsPage.tsx";
import styles from "./App.module.css";

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
    <EmptyState title={`No page at ${pathname}`}>
      Pick a page above, or go to <Link to="/explore">Explore</Link> to run a query.
    </EmptyState>
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
          <Page />
        </ErrorBoundary>
      </main>
    </div>
  );
}
