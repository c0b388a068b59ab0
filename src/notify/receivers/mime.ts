// MIME pieces of the e-mail integration, each as Go's standard library writes it, so that
// messages look like Alertmanager's: quoted-printable bodies (mime/quotedprintable.Writer),
// Q-encoded header values (mime.QEncoding.Encode), multipart/alternative bodies
// (mime/multipart.Writer) and address lists (net/mail.ParseAddressList, simplified).
import { randomBytes } from "node:crypto";

const UPPER_HEX = "0123456789ABCDEF";
const LINE_MAX = 76;

/**
 * quotedPrintable encodes text as Go's quotedprintable.Writer (text mode): lines end in CRLF,
 * are at most 76 characters with soft breaks ("=" CRLF), "=" and bytes outside printable ASCII
 * are escaped as =XX, and white space before a line break is escaped.
 */
export function quotedPrintable(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  let out = "";
  let line = "";
  let cr = false;
  const flush = (): void => {
    out += line;
    line = "";
  };
  const insertCRLF = (): void => {
    line += "\r\n";
    flush();
  };
  const softBreak = (): void => {
    line += "=";
    insertCRLF();
  };
  const encode = (b: number): void => {
    if (LINE_MAX - 1 - line.length < 3) softBreak();
    line += "=" + UPPER_HEX[b >> 4] + UPPER_HEX[b & 0x0f];
  };
  // checkLastByte escapes a space or tab that would end a line.
  const checkLastByte = (): void => {
    if (line.length === 0) return;
    const last = line.charCodeAt(line.length - 1);
    if (last === 0x20 || last === 0x09) {
      line = line.slice(0, -1);
      encode(last);
    }
  };
  for (const b of bytes) {
    if ((b >= 0x21 && b <= 0x7e && b !== 0x3d) || b === 0x20 || b === 0x09) {
      if (line.length === LINE_MAX - 1) softBreak();
      line += String.fromCharCode(b);
      cr = false;
    } else if (b === 0x0a || b === 0x0d) {
      // A CRLF is one line break; a lone CR or LF is one too.
      if (cr && b === 0x0a) {
        cr = false;
        continue;
      }
      cr = b === 0x0d;
      checkLastByte();
      insertCRLF();
    } else {
      encode(b);
    }
  }
  checkLastByte();
  flush();
  return out;
}

/** needsEncoding reports whether a header value has bytes outside printable ASCII and tab. */
function needsEncoding(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 || c > 0x7e) && c !== 0x09) return true;
  }
  return false;
}

/** Q_MAX_CONTENT is the room for encoded text in one 75-character "=?utf-8?q?...?=" word. */
const Q_MAX_CONTENT = 75 - "=?utf-8?q?".length - "?=".length;

/**
 * qEncodeHeader is mime.QEncoding.Encode("utf-8", s): s itself when it is printable ASCII,
 * else RFC 2047 encoded-words of at most 75 characters, split between characters.
 */
export function qEncodeHeader(s: string): string {
  if (!needsEncoding(s)) return s;
  let out = "=?utf-8?q?";
  let current = 0;
  for (const ch of s) {
    const bytes = Buffer.from(ch, "utf8");
    const b = bytes[0];
    const plain =
      bytes.length === 1 && b >= 0x20 && b <= 0x7e && b !== 0x3d && b !== 0x3f && b !== 0x5f;
    const encLen = plain ? 1 : 3 * bytes.length;
    if (current + encLen > Q_MAX_CONTENT) {
      out += "?= =?utf-8?q?";
      current = 0;
    }
    for (const x of bytes) {
      if (x === 0x20) out += "_";
      else if (x >= 0x21 && x <= 0x7e && x !== 0x3d && x !== 0x3f && x !== 0x5f) {
        out += String.fromCharCode(x);
      } else out += "=" + UPPER_HEX[x >> 4] + UPPER_HEX[x & 0x0f];
    }
    current += encLen;
  }
  return out + "?=";
}

/** randomBoundary is multipart.Writer's boundary: 30 random bytes in hex. */
export function randomBoundary(): string {
  return randomBytes(30).toString("hex");
}

/** MimePart is one part of a multipart body. */
export interface MimePart {
  /** Header name to value; written sorted by name, as textproto.MIMEHeader is. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** multipartBody writes parts as multipart.Writer does, closing delimiter included. */
export function multipartBody(boundary: string, parts: readonly MimePart[]): string {
  let out = "";
  parts.forEach((part, i) => {
    out += i === 0 ? `--${boundary}\r\n` : `\r\n--${boundary}\r\n`;
    for (const name of Object.keys(part.headers).sort()) {
      out += `${name}: ${part.headers[name]}\r\n`;
    }
    out += "\r\n" + part.body;
  });
  return out + `\r\n--${boundary}--\r\n`;
}

/**
 * parseAddressList extracts the addresses of an RFC 5322 address list ("Ops <ops@x>, a@y"):
 * display names, quoted strings and comments are skipped. It throws on an element without an
 * address, as net/mail.ParseAddressList errors.
 */
export function parseAddressList(list: string): string[] {
  const out: string[] = [];
  for (const element of splitTopLevel(list)) {
    const trimmed = element.trim();
    if (trimmed === "") throw new Error(`mail: no address`);
    const angle = /<([^<>]*)>\s*(\([^)]*\)\s*)*$/.exec(trimmed);
    const addr = (angle ? angle[1] : trimmed.replace(/\([^)]*\)/g, "")).trim();
    if (!/^[^\s@<>()",;]+@[^\s@<>()",;]+$/.test(addr) && !/^"[^"]*"@[^\s@<>()",;]+$/.test(addr)) {
      throw new Error(`mail: missing @ in addr-spec`);
    }
    out.push(addr);
  }
  return out;
}

/** splitTopLevel splits an address list at commas outside quotes, angle brackets and comments. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depthAngle = 0;
  let depthComment = 0;
  let quoted = false;
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      cur += c;
      if (c === "\\" && i + 1 < s.length) cur += s[++i];
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === "<") depthAngle++;
    else if (c === ">") depthAngle = Math.max(0, depthAngle - 1);
    else if (c === "(") depthComment++;
    else if (c === ")") depthComment = Math.max(0, depthComment - 1);
    else if (c === "," && depthAngle === 0 && depthComment === 0) {
      parts.push(cur);
      cur = "";
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/**
 * dotStuff prepares message text for SMTP DATA as textproto.DotWriter does: bare LF becomes
 * CRLF, a line starting with "." gets another ".", and the text ends with CRLF "." CRLF.
 */
export function dotStuff(text: string): string {
  let out = text.replace(/\r?\n/g, "\r\n").replace(/(^|\r\n)\./g, "$1..");
  if (!out.endsWith("\r\n")) out += "\r\n";
  return out + ".\r\n";
}
