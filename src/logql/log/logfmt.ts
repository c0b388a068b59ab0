// A logfmt decoder with the behaviour and error messages of Loki's
// pkg/logql/log/logfmt/decode.go (a go-logfmt derivative). It works on UTF-8 bytes so that
// error positions match Go's.

import { unescapeJson } from "./json.ts";

const decoder = new TextDecoder();

/** LogfmtDecoder scans `key=value` pairs from one line. */
export class LogfmtDecoder {
  private pos = 0;
  private readonly line: Uint8Array;
  private k: Uint8Array | null = null;
  private v: Uint8Array | null = null;
  private e: string | null = null;

  constructor(line: string) {
    this.line = Buffer.from(line, "utf8");
  }

  eol(): boolean {
    return this.pos >= this.line.length;
  }

  key(): string {
    return this.k === null ? "" : decoder.decode(this.k);
  }

  value(): string {
    return this.v === null ? "" : decoder.decode(this.v);
  }

  err(): string | null {
    return this.e;
  }

  private syntaxError(msg: string): void {
    this.e = `logfmt syntax error at pos ${this.pos + 1} : ${msg}`;
  }

  private unexpectedByte(c: number): void {
    const ch = c === 0x27 ? "\\'" : String.fromCharCode(c);
    this.syntaxError(`unexpected '${ch}'`);
  }

  private keyHasRuneError(multibyte: boolean): boolean {
    return multibyte && decoder.decode(this.k!).includes("\ufffd");
  }

  /** scanKeyval reads the next pair; false when there is none or it is malformed. */
  scanKeyval(): boolean {
    this.k = null;
    this.v = null;
    const line = this.line;
    let p = this.pos;
    while (p < line.length && line[p]! <= 0x20) p++;
    if (p >= line.length) {
      this.pos = line.length;
      return false;
    }
    this.pos = p;
    // key
    const start = this.pos;
    let multibyte = false;
    for (p = this.pos; p < line.length; p++) {
      const c = line[p]!;
      if (c === 0x3d) {
        this.pos = p;
        if (this.pos > start) {
          this.k = line.subarray(start, this.pos);
          if (this.keyHasRuneError(multibyte)) {
            this.syntaxError("invalid key");
            return this.skipValue();
          }
        }
        if (this.k === null) {
          this.unexpectedByte(c);
          return this.skipValue();
        }
        return this.equal();
      }
      if (c === 0x22) {
        this.pos = p;
        this.unexpectedByte(c);
        return this.skipValue();
      }
      if (c <= 0x20) {
        this.pos = p;
        if (this.pos > start) {
          this.k = line.subarray(start, this.pos);
          if (this.keyHasRuneError(multibyte)) {
            this.syntaxError("invalid key");
            return false;
          }
        }
        return true;
      }
      if (c >= 0x80) multibyte = true;
    }
    this.pos = line.length;
    if (this.pos > start) {
      this.k = line.subarray(start, this.pos);
      if (this.keyHasRuneError(multibyte)) {
        this.syntaxError("invalid key");
        return false;
      }
    }
    return true;
  }

  private skipValue(): boolean {
    const line = this.line;
    for (let p = this.pos; p < line.length; p++) {
      if (line[p]! <= 0x20) {
        this.pos = p;
        return false;
      }
    }
    this.pos = line.length;
    return false;
  }

  private equal(): boolean {
    const line = this.line;
    this.pos++;
    if (this.pos >= line.length) return true;
    const c0 = line[this.pos]!;
    if (c0 <= 0x20) return true;
    if (c0 === 0x22) return this.qvalue();
    const start = this.pos;
    for (let p = this.pos; p < line.length; p++) {
      const c = line[p]!;
      if (c === 0x3d || c === 0x22) {
        this.pos = p;
        this.unexpectedByte(c);
        return this.skipValue();
      }
      if (c <= 0x20) {
        this.pos = p;
        if (this.pos > start) this.v = line.subarray(start, this.pos);
        return true;
      }
    }
    this.pos = line.length;
    if (this.pos > start) this.v = line.subarray(start, this.pos);
    return true;
  }

  private qvalue(): boolean {
    const line = this.line;
    let hasEsc = false;
    let esc = false;
    const start = this.pos;
    for (let p = this.pos + 1; p < line.length; p++) {
      const c = line[p]!;
      if (esc) {
        esc = false;
      } else if (c === 0x5c) {
        hasEsc = true;
        esc = true;
      } else if (c === 0x22) {
        this.pos = p + 1;
        if (hasEsc) {
          const u = unquote(decoder.decode(line.subarray(start, this.pos)));
          if (u === null) {
            this.syntaxError("invalid quoted value");
            return false;
          }
          this.v = Buffer.from(u, "utf8");
        } else {
          const s = start + 1;
          const e = this.pos - 1;
          if (e > s) this.v = line.subarray(s, e);
        }
        return true;
      }
    }
    this.pos = line.length;
    this.syntaxError("unterminated quoted value");
    return false;
  }
}

/** unquote decodes a JSON-style quoted string (logfmt/jsonstring.go unquoteBytes). */
function unquote(q: string): string | null {
  if (q.length < 2 || q[0] !== '"' || q[q.length - 1] !== '"') return null;
  const body = q.slice(1, -1);
  // An unescaped quote inside ends the string early: not a valid quoted value.
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\") i++;
    else if (body[i] === '"') return null;
  }
  return unescapeJson(body, "'");
}
