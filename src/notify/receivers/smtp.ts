// A minimal SMTP client (RFC 5321) with the behaviour of Go's net/smtp as Alertmanager uses
// it: EHLO with a HELO fallback, extensions, STARTTLS, AUTH PLAIN / LOGIN / CRAM-MD5, MAIL,
// RCPT, DATA and QUIT. One client is one connection; it is not safe for concurrent commands.
import { createHmac } from "node:crypto";
import * as net from "node:net";
import { StringDecoder } from "node:string_decoder";
import * as tls from "node:tls";

/** SmtpError is a reply with an unexpected code (textproto.Error): "550 mailbox unavailable". */
export class SmtpError extends Error {
  override readonly name = "SmtpError";

  constructor(
    readonly code: number,
    readonly reply: string,
  ) {
    super(`${String(code).padStart(3, "0")} ${reply}`);
  }
}

/** SmtpReply is a complete (possibly multi-line) reply; lines are joined with "\n". */
export interface SmtpReply {
  readonly code: number;
  readonly message: string;
}

/**
 * SaslMechanism is an SMTP authentication mechanism (smtp.Auth): start returns the mechanism
 * name and the initial response; next answers a server challenge (more is true for 334).
 */
export interface SaslMechanism {
  start(server: { name: string; tls: boolean }): { mech: string; initial: Buffer };
  next(challenge: Buffer, more: boolean): Buffer | undefined;
}

/** plainAuth is smtp.PlainAuth: it refuses to send the password in clear except to localhost. */
export function plainAuth(identity: string, username: string, password: string): SaslMechanism {
  return {
    start(server) {
      const local = ["localhost", "127.0.0.1", "::1"].includes(server.name);
      if (!server.tls && !local) throw new Error("unencrypted connection");
      return { mech: "PLAIN", initial: Buffer.from(`${identity}\0${username}\0${password}`) };
    },
    next(_challenge, more) {
      if (more) throw new Error("unexpected server challenge");
      return undefined;
    },
  };
}

/** loginAuth is Alertmanager's LOGIN mechanism (notify/email.LoginAuth). */
export function loginAuth(username: string, password: string): SaslMechanism {
  return {
    start: () => ({ mech: "LOGIN", initial: Buffer.alloc(0) }),
    next(challenge, more) {
      if (!more) return undefined;
      switch (challenge.toString("utf8").toLowerCase()) {
        case "username:":
          return Buffer.from(username);
        case "password:":
          return Buffer.from(password);
        default:
          throw new Error("unexpected server challenge");
      }
    },
  };
}

/** cramMD5Auth is smtp.CRAMMD5Auth. */
export function cramMD5Auth(username: string, secret: string): SaslMechanism {
  return {
    start: () => ({ mech: "CRAM-MD5", initial: Buffer.alloc(0) }),
    next(challenge, more) {
      if (!more) return undefined;
      const digest = createHmac("md5", secret).update(challenge).digest("hex");
      return Buffer.from(`${username} ${digest}`);
    },
  };
}

/** SmtpConnectOptions say where and how to connect. */
export interface SmtpConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Connect with TLS at once (SMTPS, port 465) rather than plain TCP. */
  readonly implicitTls: boolean;
  /** TLS options for implicit TLS and STARTTLS. */
  readonly tls: tls.ConnectionOptions;
  /** Aborting closes the connection; pending commands reject with the signal's reason. */
  readonly signal: AbortSignal;
}

/** SmtpClient is one SMTP session (smtp.Client). */
export class SmtpClient {
  private socket: net.Socket;
  private buffer = "";
  private decoder = new StringDecoder("utf8");
  private readonly lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;
  private ext: Map<string, string> | undefined;
  private didHello = false;
  private secure: boolean;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onError = (err: Error): void => this.fail(err);
  private readonly onClose = (): void => this.fail(new Error("connection closed by server"));
  private readonly onAbort = (): void => {
    const reason: unknown = this.opts.signal.reason;
    this.fail(reason instanceof Error ? reason : new Error(String(reason)));
    this.socket.destroy();
  };

  private constructor(
    socket: net.Socket,
    private readonly opts: SmtpConnectOptions,
  ) {
    this.socket = socket;
    this.secure = opts.implicitTls;
    this.attach(socket);
    opts.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /** connect opens the connection and reads the server's 220 greeting (smtp.NewClient). */
  static async connect(opts: SmtpConnectOptions): Promise<SmtpClient> {
    opts.signal.throwIfAborted();
    const socket = opts.implicitTls
      ? tls.connect({ ...opts.tls, host: opts.host, port: opts.port })
      : net.connect({ host: opts.host, port: opts.port });
    const client = new SmtpClient(socket, opts);
    try {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => {
          socket.off("error", done);
          opts.signal.removeEventListener("abort", aborted);
          if (err) reject(err);
          else resolve();
        };
        const aborted = (): void => done(opts.signal.reason as Error);
        socket.once(opts.implicitTls ? "secureConnect" : "connect", () => done());
        socket.once("error", done);
        opts.signal.addEventListener("abort", aborted, { once: true });
      });
      await client.readReply(220);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  /** tls reports whether the session is encrypted. */
  get tls(): boolean {
    return this.secure;
  }

  /** hello sends EHLO, or HELO when the server rejects EHLO (Client.Hello). */
  async hello(localName: string): Promise<void> {
    this.didHello = true;
    try {
      const reply = await this.command(`EHLO ${localName}`, 250);
      this.ext = new Map();
      for (const line of reply.message.split("\n").slice(1)) {
        const sp = line.indexOf(" ");
        if (sp < 0) this.ext.set(line, "");
        else this.ext.set(line.slice(0, sp), line.slice(sp + 1));
      }
    } catch (err) {
      if (!(err instanceof SmtpError)) throw err;
      this.ext = undefined;
      await this.command(`HELO ${localName}`, 250);
    }
  }

  /**
   * extension returns the parameters of an extension the server advertised ("" for none), or
   * undefined (Client.Extension). It says hello as "localhost" first if needed.
   */
  async extension(name: string): Promise<string | undefined> {
    if (!this.didHello) await this.hello("localhost");
    return this.ext?.get(name.toUpperCase());
  }

  /** startTLS upgrades the connection and says hello again (Client.StartTLS). */
  async startTLS(localName: string): Promise<void> {
    await this.command("STARTTLS", 220);
    const plain = this.socket;
    this.detach(plain);
    const secure = tls.connect({ ...this.opts.tls, socket: plain });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => {
        secure.off("error", reject);
        resolve();
      });
      secure.once("error", reject);
    });
    this.socket = secure;
    this.secure = true;
    this.attach(secure);
    await this.hello(localName);
  }

  /** auth runs an AUTH exchange (Client.Auth). */
  async auth(mechanism: SaslMechanism): Promise<void> {
    const { mech, initial } = mechanism.start({ name: this.opts.host, tls: this.secure });
    let reply = await this.command(`AUTH ${mech} ${initial.toString("base64")}`.trim(), 0);
    for (;;) {
      let response: Buffer | undefined;
      try {
        if (reply.code === 334) {
          response = mechanism.next(Buffer.from(reply.message, "base64"), true);
        } else if (reply.code === 235) {
          response = mechanism.next(Buffer.from(reply.message), false);
        } else {
          throw new SmtpError(reply.code, reply.message);
        }
      } catch (err) {
        // Abort the exchange as Go does.
        await this.command("*", 501).catch(() => undefined);
        throw err;
      }
      if (response === undefined) return;
      reply = await this.command(response.toString("base64"), 0);
    }
  }

  /** mail sends MAIL FROM, with BODY=8BITMIME and SMTPUTF8 when offered (Client.Mail). */
  async mail(from: string): Promise<void> {
    checkLine(from);
    let cmd = `MAIL FROM:<${from}>`;
    if (this.ext?.has("8BITMIME")) cmd += " BODY=8BITMIME";
    if (this.ext?.has("SMTPUTF8")) cmd += " SMTPUTF8";
    await this.command(cmd, 250);
  }

  /** rcpt sends RCPT TO; 250 and 251 are accepted (Client.Rcpt). */
  async rcpt(to: string): Promise<void> {
    checkLine(to);
    await this.command(`RCPT TO:<${to}>`, 25);
  }

  /** data sends DATA, the dot-stuffed message and its final ".", and awaits the 250. */
  async data(dotStuffed: string): Promise<void> {
    await this.command("DATA", 354);
    this.socket.write(dotStuffed);
    await this.readReply(250);
  }

  /** quit sends QUIT and closes the connection. */
  async quit(): Promise<void> {
    try {
      await this.command("QUIT", 221);
    } finally {
      this.close();
    }
  }

  /** close drops the connection. */
  close(): void {
    this.opts.signal.removeEventListener("abort", this.onAbort);
    this.detach(this.socket);
    this.socket.destroy();
    this.fail(new Error("connection closed"));
  }

  private async command(line: string, expect: number): Promise<SmtpReply> {
    if (this.failure) throw this.failure;
    this.socket.write(line + "\r\n");
    return this.readReply(expect);
  }

  /**
   * readReply reads one reply and checks its code against expect as textproto does: one
   * digit checks the class, two digits the first two, three the exact code, 0 nothing.
   */
  private async readReply(expect: number): Promise<SmtpReply> {
    const messages: string[] = [];
    let code: number;
    for (;;) {
      const line = await this.readLine();
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) throw new Error(`short response: ${line}`);
      code = Number(m[1]);
      messages.push(m[3]);
      if (m[2] !== "-") break;
    }
    const message = messages.join("\n");
    const bad =
      (expect >= 1 && expect < 10 && Math.floor(code / 100) !== expect) ||
      (expect >= 10 && expect < 100 && Math.floor(code / 10) !== expect) ||
      (expect >= 100 && code !== expect);
    if (bad) throw new SmtpError(code, message);
    return { code, message };
  }

  private readLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer += this.decoder.write(chunk);
    for (;;) {
      const nl = this.buffer.indexOf("\n");
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl).replace(/\r$/, "");
      this.buffer = this.buffer.slice(nl + 1);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(line);
      } else {
        this.lines.push(line);
      }
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(this.failure);
    }
  }

  private attach(socket: net.Socket): void {
    socket.on("data", this.onData);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
  }

  private detach(socket: net.Socket): void {
    socket.off("data", this.onData);
    socket.off("error", this.onError);
    socket.off("close", this.onClose);
  }
}

function checkLine(s: string): void {
  if (/[\r\n]/.test(s)) throw new Error("smtp: A line must not contain CR or LF");
}
