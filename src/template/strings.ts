// Go string functions that the Prometheus and Alertmanager template functions wrap:
// strings.ToUpper/ToLower (rune-by-rune simple case mapping), golang.org/x/text/cases Title
// (Unicode title casing with the word-break approximation of cases/info.go), regexp's
// MatchString, ReplaceAllString (with $1/${name} expansion) and QuoteMeta on RE2 (re2js),
// and net.SplitHostPort/JoinHostPort.

import { RE2JS } from "re2js";
import { canBackquote, goQuote } from "./strconv.ts";
import { expandMatch } from "../model/regex/index.ts";

/** goToUpper maps every rune to upper case as strings.ToUpper does (simple case mapping). */
export function goToUpper(s: string): string {
  let out = "";
  for (const ch of s) {
    const u = ch.toUpperCase();
    out += Array.from(u).length === 1 ? u : ch;
  }
  return out;
}

/** goToLower maps every rune to lower case as strings.ToLower does (simple case mapping). */
export function goToLower(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === "\u0130") {
      out += "i";
      continue;
    }
    const l = ch.toLowerCase();
    out += Array.from(l).length === 1 ? l : ch;
  }
  return out;
}

const CASED = /^[\p{Lowercase}\p{Uppercase}\p{Lt}]$/u;
const MID =
  /^[\p{Cf}:\u00b7\u0387\u05f4\u2027\ufe13\ufe55\uff1a.\u2018\u2019\u2024\ufe52\uff07\uff0e']$/u;
const LETTERISH = /^[\p{L}\p{N}\p{M}\p{Pc}]$/u;

const TITLE_SPECIAL: Record<string, string> = {
  "\u01c4": "\u01c5",
  "\u01c5": "\u01c5",
  "\u01c6": "\u01c5",
  "\u01c7": "\u01c8",
  "\u01c8": "\u01c8",
  "\u01c9": "\u01c8",
  "\u01ca": "\u01cb",
  "\u01cb": "\u01cb",
  "\u01cc": "\u01cb",
  "\u01f1": "\u01f2",
  "\u01f2": "\u01f2",
  "\u01f3": "\u01f2",
  ß: "Ss",
};

function toTitleRune(ch: string): string {
  return TITLE_SPECIAL[ch] ?? ch.toUpperCase();
}

/**
 * titleCase converts s to title case as cases.Title(language.AmericanEnglish) does: the first
 * cased letter of every word is title-cased and, unless noLower is set (cases.NoLower), the
 * other letters of the word are lower-cased. Words are delimited by the approximation of
 * Unicode word breaking in x/text/cases: letters, digits, marks and connectors continue a
 * word, a single "mid" character (apostrophe, period, colon) does too, anything else breaks.
 */
export function titleCase(s: string, noLower = false): string {
  const runes = Array.from(s);
  let out = "";
  let midWord = false;
  for (let i = 0; i < runes.length; i++) {
    const ch = runes[i];
    const wasMid = MID.test(ch);
    if (CASED.test(ch)) {
      if (!midWord) {
        out += toTitleRune(ch);
        midWord = true;
      } else if (noLower) {
        out += ch;
      } else if (ch === "\u03a3") {
        // Greek capital sigma lowers to final sigma unless a cased letter follows.
        let j = i + 1;
        while (
          j < runes.length &&
          !CASED.test(runes[j]) &&
          /^[\p{Mn}\p{Me}\p{Cf}\p{Lm}\p{Sk}]$/u.test(runes[j])
        )
          j++;
        out += j < runes.length && CASED.test(runes[j]) ? "\u03c3" : "\u03c2";
      } else {
        out += ch.toLowerCase();
      }
    } else {
      out += ch;
      if (!wasMid && !LETTERISH.test(ch)) midWord = false;
    }
    if (wasMid && i + 1 < runes.length && MID.test(runes[i + 1])) midWord = false;
  }
  return out;
}

// --- regexp ---

/** RegexpSyntaxError is a pattern that does not compile; its message is Go's syntax error. */
export class RegexpSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegexpSyntaxError";
  }
}

const regexCache = new Map<string, RE2JS>();

/** compileRegexp compiles a Go (RE2) regular expression; it throws a RegexpSyntaxError. */
export function compileRegexp(pattern: string): RE2JS {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new RegexpSyntaxError(err instanceof Error ? err.message : String(err));
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

/**
 * mustCompileRegexp compiles pattern like regexp.MustCompile, whose panic message is
 * "regexp: Compile(`pattern`): <syntax error>".
 */
export function mustCompileRegexp(pattern: string): RE2JS {
  try {
    return compileRegexp(pattern);
  } catch (err) {
    const q = canBackquote(pattern) ? "`" + pattern + "`" : goQuote(pattern);
    throw new Error(`regexp: Compile(${q}): ${(err as Error).message}`, { cause: err });
  }
}

/** matchString reports whether s contains any match of pattern (regexp.MatchString). */
export function matchString(pattern: string, s: string): boolean {
  return compileRegexp(pattern).matcher(s).find();
}

/**
 * replaceAllString replaces every match of re in src with repl, expanding $1, ${1}, $name,
 * ${name} and $$ as regexp.ReplaceAllString does (including its handling of empty matches).
 */
export function replaceAllString(re: RE2JS, src: string, repl: string): string {
  const m = re.matcher(src);
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const a0 = m.start();
    const a1 = m.end();
    out += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) out += expandMatch(m, repl);
    lastMatchEnd = a1;
    const cp = src.codePointAt(searchPos);
    const width = cp !== undefined && cp > 0xffff ? 2 : 1;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

/** quoteMeta escapes all regular expression metacharacters in s (regexp.QuoteMeta). */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

// --- net ---

/** splitHostPort splits "host:port", "[host]:port" or "[host%zone]:port" (net.SplitHostPort). */
export function splitHostPort(hostport: string): [host: string, port: string] {
  const addrErr = (why: string): Error => new Error(`address ${hostport}: ${why}`);
  let j = 0;
  let k = 0;
  const i = hostport.lastIndexOf(":");
  if (i < 0) throw addrErr("missing port in address");
  let host: string;
  if (hostport[0] === "[") {
    const end = hostport.indexOf("]");
    if (end < 0) throw addrErr("missing ']' in address");
    if (end + 1 === hostport.length) throw addrErr("missing port in address");
    if (end + 1 !== i) {
      if (hostport[end + 1] === ":") throw addrErr("too many colons in address");
      throw addrErr("missing port in address");
    }
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) throw addrErr("too many colons in address");
  }
  if (hostport.indexOf("[", j) >= 0) throw addrErr("unexpected '[' in address");
  if (hostport.indexOf("]", k) >= 0) throw addrErr("unexpected ']' in address");
  return [host, hostport.slice(i + 1)];
}

/** joinHostPort combines host and port, bracketing hosts that contain a colon. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
