import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { TLSSocket, createServer as createTlsServer } from "node:tls";
import { join } from "node:path";
import type { EmailConfig } from "../../alerting/receivers-config.ts";
import { NotifyError } from "../notifier.ts";
import { createEmailNotifier } from "./email.ts";
import {
  ALERTS_URL,
  GROUP_KEY,
  SUBJECT,
  TEXT_LIST,
  fixtureContext,
  neverAborts,
  rejection,
  testDeps,
} from "./test-helpers.ts";

const TESTDATA = join(import.meta.dirname, "testdata");
const CERT = readFileSync(join(TESTDATA, "smtp-cert.pem"), "utf8");
const KEY = readFileSync(join(TESTDATA, "smtp-key.pem"), "utf8");

/** Session is what the test SMTP server saw in one connection. */
interface Session {
  commands: string[];
  tls: boolean;
  auth?: { mech: string; user: string; pass: string };
  from?: string;
  rcpts: string[];
  data?: string;
}

interface SmtpServerOptions {
  /** Offer STARTTLS (before TLS). */
  starttls?: boolean;
  /** Speak TLS from the start (SMTPS). */
  implicitTls?: boolean;
  /** Mechanisms in the AUTH line, "" for no AUTH extension. */
  authMechs?: string;
  /** Advertise AUTH only after STARTTLS, as most servers do. */
  authAfterTls?: boolean;
  /** The accepted user and password (or CRAM-MD5 secret). */
  user?: string;
  pass?: string;
  /** Recipients answered with 550. */
  rejectRcpts?: string[];
}

/**
 * TestSmtpServer speaks enough SMTP for the e-mail notifier: EHLO/HELO, STARTTLS,
 * AUTH PLAIN/LOGIN/CRAM-MD5, MAIL FROM, RCPT TO, DATA (with dot-unstuffing), RSET, QUIT.
 */
class TestSmtpServer {
  readonly sessions: Session[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(opts: SmtpServerOptions): Promise<TestSmtpServer> {
    const holder: { self?: TestSmtpServer } = {};
    const onConnection = (socket: Socket): void => {
      const session: Session = { commands: [], tls: !!opts.implicitTls, rcpts: [] };
      holder.self!.sessions.push(session);
      serve(socket, session, opts);
    };
    const server = opts.implicitTls
      ? createTlsServer({ key: KEY, cert: CERT }, onConnection)
      : createServer(onConnection);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    holder.self = new TestSmtpServer(server, (server.address() as AddressInfo).port);
    return holder.self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function serve(initial: Socket, session: Session, opts: SmtpServerOptions): void {
  let socket: Socket = initial;
  let buffer = "";
  let mode:
    "command" | "data" | "auth-login-user" | "auth-login-pass" | "auth-cram" | "auth-plain" =
    "command";
  let loginUser = "";
  let challenge = "";
  const user = opts.user ?? "alice";
  const pass = opts.pass ?? "s3cr3t-pw";
  const send = (line: string): void => {
    socket.write(line + "\r\n");
  };
  const authResult = (mech: string, u: string, p: string, ok: boolean): void => {
    session.auth = { mech, user: u, pass: p };
    send(
      ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid",
    );
  };
  const plain = (b64: string): void => {
    const [, u, p] = Buffer.from(b64, "base64").toString("utf8").split("\0");
    authResult("PLAIN", u, p, u === user && p === pass);
  };
  const ehlo = (): void => {
    const lines = ["test.example greets you", "8BITMIME"];
    if (opts.starttls && !session.tls) lines.push("STARTTLS");
    const mechs = opts.authMechs ?? "PLAIN LOGIN";
    if (mechs !== "" && (!opts.authAfterTls || session.tls)) lines.push(`AUTH ${mechs}`);
    lines.push("SIZE 10240000");
    lines.forEach((l, i) => send(`250${i === lines.length - 1 ? " " : "-"}${l}`));
  };

  const onLine = (line: string): void => {
    if (mode === "data") {
      if (line === ".") {
        mode = "command";
        send("250 2.0.0 queued");
        return;
      }
      session.data = (session.data ?? "") + (line.startsWith("..") ? line.slice(1) : line) + "\r\n";
      return;
    }
    if (mode === "auth-login-user") {
      loginUser = Buffer.from(line, "base64").toString("utf8");
      mode = "auth-login-pass";
      send("334 " + Buffer.from("Password:").toString("base64"));
      return;
    }
    if (mode === "auth-login-pass") {
      mode = "command";
      const p = Buffer.from(line, "base64").toString("utf8");
      authResult("LOGIN", loginUser, p, loginUser === user && p === pass);
      return;
    }
    if (mode === "auth-plain") {
      mode = "command";
      plain(line);
      return;
    }
    if (mode === "auth-cram") {
      mode = "command";
      const [u, digest] = Buffer.from(line, "base64").toString("utf8").split(" ");
      const want = createHmac("md5", pass).update(challenge).digest("hex");
      authResult("CRAM-MD5", u, digest, u === user && digest === want);
      return;
    }
    session.commands.push(line);
    const verb = line.split(" ")[0].toUpperCase();
    switch (verb) {
      case "EHLO":
        ehlo();
        return;
      case "HELO":
        send("250 test.example");
        return;
      case "STARTTLS": {
        send("220 2.0.0 Ready to start TLS");
        socket.removeAllListeners("data");
        const secure = new TLSSocket(socket, { isServer: true, key: KEY, cert: CERT });
        session.tls = true;
        socket = secure;
        buffer = "";
        secure.on("data", onData);
        secure.on("error", () => undefined);
        return;
      }
      case "AUTH": {
        const [, mech, initial] = line.split(" ");
        if (mech === "PLAIN") {
          if (initial !== undefined) plain(initial);
          else {
            mode = "auth-plain";
            send("334 ");
          }
        } else if (mech === "LOGIN") {
          mode = "auth-login-user";
          send("334 " + Buffer.from("Username:").toString("base64"));
        } else if (mech === "CRAM-MD5") {
          mode = "auth-cram";
          challenge = "<1896.697170952@test.example>";
          send("334 " + Buffer.from(challenge).toString("base64"));
        } else {
          send("504 5.5.4 Unrecognized authentication type");
        }
        return;
      }
      case "MAIL":
        session.from = /<(.*)>/.exec(line)?.[1];
        send("250 2.1.0 Ok");
        return;
      case "RCPT": {
        const rcpt = /<(.*)>/.exec(line)?.[1] ?? "";
        if (opts.rejectRcpts?.includes(rcpt)) {
          send("550 5.1.1 Recipient address rejected: User unknown");
          return;
        }
        session.rcpts.push(rcpt);
        send("250 2.1.5 Ok");
        return;
      }
      case "DATA":
        mode = "data";
        send("354 End data with <CR><LF>.<CR><LF>");
        return;
      case "QUIT":
        send("221 2.0.0 Bye");
        socket.end();
        return;
      default:
        send("502 5.5.2 Command not recognized");
    }
  };

  const onData = (chunk: Buffer): void => {
    buffer += chunk.toString("utf8");
    for (;;) {
      const i = buffer.indexOf("\r\n");
      if (i < 0) return;
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      onLine(line);
    }
  };
  socket.on("data", onData);
  socket.on("error", () => undefined);
  send("220 test.example ESMTP ready");
}

/** emailConfig has Alertmanager's defaults with the global SMTP settings filled in. */
function emailConfig(port: number, changes: Partial<EmailConfig>): EmailConfig {
  return {
    sendResolved: false,
    to: "oncall@example.com",
    from: "Vigil <vigil@example.com>",
    hello: "localhost",
    smarthost: { host: "127.0.0.1", port: String(port) },
    authUsername: "",
    authPassword: "",
    authSecret: "",
    authIdentity: "",
    headers: {},
    html: '{{ template "email.default.html" . }}',
    text: "",
    requireTls: true,
    tlsConfig: { insecureSkipVerify: false, ca: CERT },
    threading: { enabled: false, threadByDate: "" },
    ...changes,
  };
}

/** ParsedMail is a received message split into headers and MIME parts (bodies decoded). */
interface ParsedMail {
  headers: Map<string, string>;
  parts: { headers: Map<string, string>; body: string }[];
}

function parseHeaders(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(": ");
    out.set(line.slice(0, i), line.slice(i + 2));
  }
  return out;
}

/** decodeQP decodes quoted-printable text (RFC 2045 section 6.7). */
function decodeQP(s: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(s.replace(/=\r\n/g, ""), "latin1");
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x3d) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 3).toString("latin1"), 16));
      i += 2;
    } else bytes.push(raw[i]);
  }
  return Buffer.from(bytes).toString("utf8");
}

function parseMail(data: string): ParsedMail {
  const split = data.indexOf("\r\n\r\n");
  const headers = parseHeaders(data.slice(0, split));
  const boundary = /boundary=(\S+)/.exec(headers.get("Content-Type") ?? "")![1];
  const body = data.slice(split + 4);
  assert.ok(body.endsWith(`\r\n--${boundary}--\r\n`), "closing delimiter");
  const chunks = body.slice(0, -`\r\n--${boundary}--\r\n`.length).split(`\r\n--${boundary}\r\n`);
  assert.ok(chunks[0].startsWith(`--${boundary}\r\n`));
  chunks[0] = chunks[0].slice(`--${boundary}\r\n`.length);
  return {
    headers,
    parts: chunks.map((c) => {
      const i = c.indexOf("\r\n\r\n");
      return { headers: parseHeaders(c.slice(0, i)), body: decodeQP(c.slice(i + 4)) };
    }),
  };
}

describe("email", () => {
  let starttls: TestSmtpServer;
  before(async () => {
    starttls = await TestSmtpServer.start({
      starttls: true,
      authAfterTls: true,
      authMechs: "PLAIN LOGIN",
    });
  });
  after(() => starttls.close());

  it("sends a firing group over STARTTLS with AUTH PLAIN, HTML and text parts", async () => {
    const n = createEmailNotifier(
      emailConfig(starttls.port, {
        to: "oncall@example.com, Second <second@example.com>",
        authUsername: "alice",
        authPassword: "s3cr3t-pw",
        text: '{{ template "__text_alert_list" .Alerts }}',
      }),
      testDeps,
    );
    await n.notify(fixtureContext({ integration: "email" }), neverAborts());
    const s = starttls.sessions.at(-1)!;
    assert.deepEqual(s.commands.slice(0, 3), ["EHLO localhost", "STARTTLS", "EHLO localhost"]);
    assert.equal(s.tls, true);
    assert.deepEqual(s.auth, { mech: "PLAIN", user: "alice", pass: "s3cr3t-pw" });
    assert.ok(s.commands.includes("MAIL FROM:<vigil@example.com> BODY=8BITMIME"));
    assert.equal(s.from, "vigil@example.com");
    assert.deepEqual(s.rcpts, ["oncall@example.com", "second@example.com"]);
    assert.equal(s.commands.at(-1), "QUIT");

    const mail = parseMail(s.data!);
    assert.deepEqual(
      [...mail.headers.keys()],
      ["From", "Subject", "To", "Message-Id", "Date", "Content-Type", "MIME-Version"],
    );
    assert.equal(mail.headers.get("From"), "Vigil <vigil@example.com>");
    assert.equal(mail.headers.get("To"), "oncall@example.com, Second <second@example.com>");
    assert.equal(mail.headers.get("Subject"), SUBJECT.firing);
    assert.match(mail.headers.get("Message-Id")!, /^<\d+\.\d+@.+>$/);
    assert.match(
      mail.headers.get("Date")!,
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/,
    );
    assert.match(
      mail.headers.get("Content-Type")!,
      /^multipart\/alternative; {2}boundary=[0-9a-f]{60}$/,
    );
    assert.equal(mail.headers.get("MIME-Version"), "1.0");

    assert.equal(mail.parts.length, 2);
    assert.deepEqual(
      [...mail.parts[0].headers],
      [
        ["Content-Transfer-Encoding", "quoted-printable"],
        ["Content-Type", "text/plain; charset=UTF-8"],
      ],
    );
    assert.equal(mail.parts[0].body, TEXT_LIST.replaceAll("\n", "\r\n"));
    assert.equal(mail.parts[1].headers.get("Content-Type"), "text/html; charset=UTF-8");
    const html = mail.parts[1].body;
    assert.ok(html.includes(`<title>${SUBJECT.firing}</title>`));
    assert.ok(html.includes("2 alerts for alertname=HighLatency"));
    assert.ok(html.includes("background-color:#E6522C"));
    assert.ok(html.includes(`<a href="${ALERTS_URL}"`));
    assert.ok(html.includes("View in Alertmanager"));
    assert.ok(html.includes("<strong>[2] Firing</strong>"));
    assert.ok(!html.includes("Resolved</strong>"));
    assert.ok(html.includes("instance = api-1:8080<br>"));
    assert.ok(html.includes("summary = p99 latency above 1s<br>"));
    // Alert data is HTML-escaped, as html/template escapes it.
    assert.ok(
      html.includes(
        'href="http://prom.example:9090/graph?g0.expr=latency&#43;%3E&#43;1&amp;g0.tab=1"',
      ),
    );
    assert.ok(html.includes("Sent by Alertmanager"));
  });

  it("sends a resolved group with AUTH LOGIN, custom and encoded headers, without TLS", async () => {
    const plain = await TestSmtpServer.start({ authMechs: "LOGIN" });
    try {
      const n = createEmailNotifier(
        emailConfig(plain.port, {
          requireTls: false,
          authUsername: "alice",
          authPassword: "s3cr3t-pw",
          headers: {
            Subject: "Résolu: {{ .GroupLabels.alertname }}",
            "X-Team": "{{ .CommonLabels.job }}",
          },
        }),
        testDeps,
      );
      await n.notify(fixtureContext({ status: "resolved" }), neverAborts());
      const s = plain.sessions[0];
      assert.equal(s.tls, false);
      assert.deepEqual(s.auth, { mech: "LOGIN", user: "alice", pass: "s3cr3t-pw" });
      const mail = parseMail(s.data!);
      assert.equal(mail.headers.get("Subject"), "=?utf-8?q?R=C3=A9solu:_HighLatency?=");
      assert.equal(mail.headers.get("X-Team"), "api");
      assert.equal(mail.parts.length, 1);
      const html = mail.parts[0].body;
      assert.ok(html.includes("background-color:#68B90F"));
      assert.ok(html.includes("<strong>[2] Resolved</strong>"));
      assert.ok(!html.includes("Firing</strong>"));
    } finally {
      await plain.close();
    }
  });

  it("authenticates with CRAM-MD5 over implicit TLS and adds threading headers", async () => {
    const smtps = await TestSmtpServer.start({ implicitTls: true, authMechs: "CRAM-MD5" });
    try {
      const n = createEmailNotifier(
        emailConfig(smtps.port, {
          forceImplicitTls: true,
          authUsername: "alice",
          authSecret: "s3cr3t-pw",
          threading: { enabled: true, threadByDate: "none" },
        }),
        testDeps,
      );
      await n.notify(fixtureContext(), neverAborts());
      const s = smtps.sessions[0];
      assert.equal(s.tls, true);
      assert.equal(s.commands.includes("STARTTLS"), false);
      assert.equal(s.auth?.mech, "CRAM-MD5");
      assert.equal(s.auth?.user, "alice");
      const mail = parseMail(s.data!);
      const hash = createHash("sha256").update(GROUP_KEY).digest("hex").slice(0, 16);
      assert.equal(mail.headers.get("References"), `<alert-${hash}-@alertmanager>`);
      assert.equal(mail.headers.get("In-Reply-To"), `<alert-${hash}-@alertmanager>`);
    } finally {
      await smtps.close();
    }
  });

  it("dot-stuffs lines that start with a dot", async () => {
    const plain = await TestSmtpServer.start({ authMechs: "" });
    try {
      const n = createEmailNotifier(
        emailConfig(plain.port, { requireTls: false, html: "", text: ".hidden\n..two\nend." }),
        testDeps,
      );
      await n.notify(fixtureContext(), neverAborts());
      const mail = parseMail(plain.sessions[0].data!);
      assert.equal(mail.parts[0].body, ".hidden\r\n..two\r\nend.");
      assert.equal(plain.sessions[0].auth, undefined);
    } finally {
      await plain.close();
    }
  });

  it("fails with retry when require_tls is set and STARTTLS is not offered", async () => {
    const plain = await TestSmtpServer.start({ authMechs: "PLAIN" });
    try {
      const n = createEmailNotifier(emailConfig(plain.port, {}), testDeps);
      const err = await rejection(n.notify(fixtureContext(), neverAborts()));
      assert.ok(err instanceof NotifyError);
      assert.equal(err.retry, true);
      assert.equal(
        err.message,
        `'require_tls' is true (default) but "127.0.0.1:${plain.port}" does not advertise the STARTTLS extension`,
      );
    } finally {
      await plain.close();
    }
  });

  it("reports a rejected password without showing it", async () => {
    const n = createEmailNotifier(
      emailConfig(starttls.port, { authUsername: "alice", authPassword: "wrong-pw-123" }),
      testDeps,
    );
    const err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, true);
    assert.equal(err.message, "smtp auth: 535 5.7.8 Authentication credentials invalid");
    assert.ok(!String(err.stack).includes("wrong-pw-123"));
  });

  it("reports a rejected recipient", async () => {
    const plain = await TestSmtpServer.start({
      authMechs: "",
      rejectRcpts: ["nobody@example.com"],
    });
    try {
      const n = createEmailNotifier(
        emailConfig(plain.port, { requireTls: false, to: "nobody@example.com" }),
        testDeps,
      );
      const err = await rejection(n.notify(fixtureContext(), neverAborts()));
      assert.ok(err instanceof NotifyError);
      assert.equal(err.retry, true);
      assert.equal(
        err.message,
        "send RCPT command: 550 5.1.1 Recipient address rejected: User unknown",
      );
    } finally {
      await plain.close();
    }
  });

  it("refuses bad addresses and templates before connecting", async () => {
    const before = starttls.sessions.length;
    for (const [changes, message] of [
      [{ from: "a@x, b@y" }, "must be exactly one 'from' address (got: 2)"],
      [{ to: "not an address" }, "parse 'to' addresses: mail: missing @ in addr-spec"],
      [{ html: "{{ .Nope" }, /^failed to template html: template: /],
    ] as const) {
      const n = createEmailNotifier(emailConfig(starttls.port, changes), testDeps);
      const err = await rejection(n.notify(fixtureContext(), neverAborts()));
      assert.ok(err instanceof NotifyError);
      assert.equal(err.retry, false);
      if (typeof message === "string") assert.equal(err.message, message);
      else assert.match(err.message, message);
    }
    assert.equal(starttls.sessions.length, before);
  });

  it("fails with retry when the server cannot be reached", async () => {
    const gone = await TestSmtpServer.start({});
    await gone.close();
    const n = createEmailNotifier(emailConfig(gone.port, {}), testDeps);
    const err = await rejection(n.notify(fixtureContext(), neverAborts()));
    assert.ok(err instanceof NotifyError);
    assert.equal(err.retry, true);
    assert.match(err.message, /^establish connection to server: connect ECONNREFUSED/);
  });
});
