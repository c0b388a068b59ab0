// Light and dark themes: the choice is saved in localStorage; without one, the system's
// prefers-color-scheme decides (index.html applies it before the first paint).
import { useEffect, useState } from "react";

/** Theme is the colour scheme. */
export type Theme = "light" | "dark";

const KEY = "vigil.theme";

function systemTheme(): Theme {
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function savedTheme(): Theme | undefined {
  try {
    const t = localStorage.getItem(KEY);
    return t === "light" || t === "dark" ? t : undefined;
  } catch {
    return undefined;
  }
}

/** useTheme returns the theme in force and a setter that saves it. */
export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setThemeState] = useState<Theme>(() => savedTheme() ?? systemTheme());
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    // Follow the system while the user has not chosen.
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => {
      if (!savedTheme()) setThemeState(systemTheme());
    };
    mq.addEventListener("change", onChange);
    return () => mq.removeEventListener("change", onChange);
  }, []);
  const setTheme = (t: Theme) => {
    try {
      localStorage.setItem(KEY, t);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    setThemeState(t);
  };
  return [theme, setTheme];
}
