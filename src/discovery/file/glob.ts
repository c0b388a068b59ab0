// Path patterns with the syntax of Go's filepath.Match and the results of filepath.Glob, for
// file_sd_configs `files`.
import { lstat, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** hasMeta reports whether a path holds pattern characters (filepath.hasMeta). */
export function hasMeta(path: string): boolean {
  return /[*?[\\]/.test(path);
}

/**
 * globToRegExp compiles one path element's pattern: `*` is any run of characters but `/`, `?`
 * any one such character, `[...]` a class with ranges and `^` negation, `\` escapes. It throws
 * for a malformed pattern (filepath.ErrBadPattern).
 */
export function globToRegExp(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\") {
      i++;
      if (i >= pattern.length) throw new Error("syntax error in pattern");
      re += escapeRe(pattern[i]!);
    } else if (c === "[") {
      let j = i + 1;
      let cls = "[";
      if (pattern[j] === "^") {
        cls += "^";
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < pattern.length; j++) {
        const d = pattern[j]!;
        if (d === "]" && !first) {
          closed = true;
          break;
        }
        first = false;
        if (d === "\\") {
          j++;
          if (j >= pattern.length) break;
          cls += escapeRe(pattern[j]!);
        } else if (d === "-") cls += "-";
        else cls += escapeRe(d);
      }
      if (!closed) throw new Error("syntax error in pattern");
      re += cls + "]";
      i = j;
    } else re += escapeRe(c);
  }
  return new RegExp(re + "$", "s");
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/**
 * glob returns the paths that match pattern, sorted within each directory, like Go's
 * filepath.Glob: a pattern without meta characters yields itself if it exists, unreadable
 * directories yield nothing, and only a malformed pattern throws.
 */
export async function glob(pattern: string): Promise<string[]> {
  if (!hasMeta(pattern)) {
    try {
      await lstat(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const dir = dirname(pattern);
  const re = globToRegExp(basename(pattern));
  const dirs = hasMeta(dir) && dir !== pattern ? await glob(dir) : [dir];
  const out: string[] = [];
  for (const d of dirs) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    names.sort();
    for (const n of names) if (re.test(n)) out.push(join(d, n));
  }
  return out;
}
