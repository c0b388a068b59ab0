// Regular expressions for relabeling and label_replace, with Go's regexp semantics (RE2 via re2js): the
// pattern is fully anchored and `.` matches newlines, and the replacement is expanded like Go's
// Regexp.ExpandString ($1, ${1}, $name, ${name}, $$).
import { RE2JS } from "re2js";
import type { Matcher } from "re2js";

/** compileLabelRegex compiles `^(?s:re)$`, or returns null when re is not valid RE2. */
export function compileLabelRegex(re: string): RE2JS | null {
  try {
    return RE2JS.compile(`^(?s:${re})$`);
  } catch {
    return null;
  }
}

/** isValidUtf8LabelName is model.LabelName.IsValid under UTF-8 validation: non-empty, valid UTF-8. */
export function isValidUtf8LabelName(s: string): boolean {
  return s.length > 0 && !LONE_SURROGATE.test(s);
}

const LONE_SURROGATE = /\p{Surrogate}/u;
const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * expandRegexTemplate matches src against re and, on a match, returns the template with group
 * references substituted; it returns null when re does not match.
 */
export function expandRegexTemplate(re: RE2JS, src: string, template: string): string | null {
  const m = re.matcher(src);
  if (!m.find()) return null;
  return expandMatch(m, template);
}

/**
 * expandMatch substitutes the group references of template ($1, ${1}, $name, ${name}, $$) with
 * the groups of m's current match, as Go's Regexp.Expand does.
 */
export function expandMatch(m: Matcher, template: string): string {
  const groups = m.groupCount();
  const named = m.namedGroups;
  let out = "";
  let rest = template;
  for (;;) {
    const at = rest.indexOf("$");
    if (at < 0) break;
    out += rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest.startsWith("$")) {
      out += "$";
      rest = rest.slice(1);
      continue;
    }
    const ref = extractRef(rest);
    if (ref === null) {
      out += "$";
      continue;
    }
    rest = ref.rest;
    const idx = ref.num >= 0 ? ref.num : (named[ref.name] ?? -1);
    if (idx >= 0 && idx <= groups) out += m.group(idx) ?? "";
  }
  return out + rest;
}

/** extractRef parses a group reference after `$` (Go regexp extract). */
function extractRef(t: string): { name: string; num: number; rest: string } | null {
  let brace = false;
  let s = t;
  if (s.startsWith("{")) {
    brace = true;
    s = s.slice(1);
  }
  let i = 0;
  for (const ch of s) {
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return null;
  const name = s.slice(0, i);
  if (brace) {
    if (s[i] !== "}") return null;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  if (name[0] === "0" && name.length > 1) num = -1;
  return { name, num, rest: s.slice(i) };
}
