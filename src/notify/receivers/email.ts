// The e-mail integration: one multipart/alternative message (text and/or HTML, quoted-printable)
// per notification, sent over SMTP with STARTTLS (or implicit TLS) and AUTH as Alertmanager
// 0.33 notify/email/email.go does. Unlike Alertmanager, every template is rendered before the
// connection is opened, so that a broken template never leaves a half-written message.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import type { ConnectionOptions, SecureVersion } from "node:tls";
import type { EmailConfig } from "../../alerting/receivers-config.ts";
import { GoTime } from "../../template/index.ts";
import type { TlsConfig } from "../../util/http-client/index.ts";
import type { Notifier, NotifierDeps, NotifyContext } from "../notifier.ts";
import { NotifyError } from "../notifier.ts";
import {
  dotStuff,
  multipartBody,
  parseAddressList,
  qEncodeHeader,
  quotedPrintable,
  randomBoundary,
} from "./mime.ts";
import type { MimePart } from "./mime.ts";
import { newRenderer } from "./render.ts";
import { SmtpClient, cramMD5Auth, loginAuth, plainAuth } from "./smtp.ts";
import type { SaslMechanism } from "./smtp.ts";
import { hashKey, readSecretFile } from "./util.ts";

/** DEFAULT_EMAIL_SUBJECT is the Subject header's default template. */
export const DEFAULT_EMAIL_SUBJECT = '{{ template "email.default.subject" . }}';

const RFC1123Z = "Mon, 02 Jan 2006 15:04:05 -0700";

const TLS_VERSION: Record<string, SecureVersion> = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
};

/** smtpTlsOptions turns tls_config into node:tls options for the smarthost. */
function smtpTlsOptions(c: TlsConfig, host: string): ConnectionOptions {
  const read = (inline: string | undefined, file: string | undefined): string | undefined =>
    inline ?? (file !== undefined ? readFileSync(file, "utf8") : undefined);
  const opts: ConnectionOptions = { rejectUnauthorized: !c.insecureSkipVerify, host };
  const serverName = c.serverName ?? host;
  if (isIP(serverName) === 0) opts.servername = serverName;
  const ca = read(c.ca, c.caFile);
  if (ca !== undefined) opts.ca = ca;
  const cert = read(c.cert, c.certFile);
  if (cert !== undefined) opts.cert = cert;
  const key = read(c.key, c.keyFile);
  if (key !== undefined) opts.key = key;
  if (c.minVersion !== undefined) opts.minVersion = TLS_VERSION[c.minVersion];
  if (c.maxVersion !== undefined) opts.maxVersion = TLS_VERSION[c.maxVersion];
  return opts;
}

/** EmailMessage is a rendered message: envelope and text. */
interface EmailMessage {
  readonly from: string;
  readonly to: string[];
  /** The message (headers and body) with CRLF line ends, before dot-stuffing. */
  readonly text: string;
}

/** createEmailNotifier builds the notifier of one email_configs entry. */
export function createEmailNotifier(cfg: EmailConfig, deps: NotifierDeps): Notifier {
  const headers: Record<string, string> = { ...cfg.headers };
  headers.Subject ??= DEFAULT_EMAIL_SUBJECT;
  headers.To ??= cfg.to;
  headers.From ??= cfg.from;
  const host = hostname() || "localhost.localdomain";
  const implicitTls = cfg.forceImplicitTls ?? cfg.smarthost.port === "465";
  const smarthost = `${cfg.smarthost.host}:${cfg.smarthost.port}`;

  async function render(ctx: NotifyContext): Promise<EmailMessage> {
    const r = newRenderer(ctx);
    const parse = (what: string, list: string): string[] => {
      try {
        return parseAddressList(list);
      } catch (err) {
        throw new NotifyError(`parse '${what}' addresses: ${(err as Error).message}`, {
          retry: false,
        });
      }
    };
    const from = parse("from", await r.text("'from'", cfg.from));
    if (from.length !== 1) {
      throw new NotifyError(`must be exactly one 'from' address (got: ${from.length})`, {
        retry: false,
      });
    }
    const to = parse("to", await r.text("'to'", cfg.to));

    let head = "";
    for (const name of Object.keys(headers).sort()) {
      const value = await r.text(`${JSON.stringify(name)} header`, headers[name]);
      head += `${name}: ${qEncodeHeader(value)}\r\n`;
    }
    if (headers["Message-Id"] === undefined) {
      const nanos = BigInt(Date.now()) * 1_000_000n;
      const rand = randomBytes(8).readBigUInt64BE();
      head += `Message-Id: <${nanos}.${rand}@${host}>\r\n`;
    }
    if (cfg.threading.enabled) {
      // All notifications of a group (per day, with thread_by_date: daily) reply to one
      // made-up root message, which mail clients group into a thread.
      const day = cfg.threading.threadByDate === "none" ? "" : GoTime.now().Format("2006-01-02");
      const root = `<alert-${hashKey(ctx.groupKey).slice(0, 16)}-${day}@alertmanager>`;
      head += `References: ${root}\r\nIn-Reply-To: ${root}\r\n`;
    }
    const boundary = randomBoundary();
    head += `Date: ${GoTime.now().Format(RFC1123Z)}\r\n`;
    head += `Content-Type: multipart/alternative;  boundary=${boundary}\r\n`;
    head += "MIME-Version: 1.0\r\n\r\n";

    const parts: MimePart[] = [];
    const partHeaders = (type: string): Record<string, string> => ({
      "Content-Transfer-Encoding": "quoted-printable",
      "Content-Type": `${type}; charset=UTF-8`,
    });
    if (cfg.text !== "") {
      parts.push({
        headers: partHeaders("text/plain"),
        body: quotedPrintable(await r.text("text", cfg.text)),
      });
    }
    if (cfg.html !== "") {
      // The preferred alternative goes last (RFC 2046 section 5.1.4).
      parts.push({
        headers: partHeaders("text/html"),
        body: quotedPrintable(await r.html("html", cfg.html)),
      });
    }
    return { from: from[0], to, text: head + multipartBody(boundary, parts) };
  }

  async function chooseAuth(mechs: string): Promise<SaslMechanism | undefined> {
    if (cfg.authUsername === "") return undefined;
    const errors: string[] = [];
    const password = async (): Promise<string> =>
      cfg.authPasswordFile ? readSecretFile(cfg.authPasswordFile) : cfg.authPassword;
    for (const mech of mechs.split(" ")) {
      switch (mech) {
        case "CRAM-MD5": {
          const secret = cfg.authSecretFile
            ? await readSecretFile(cfg.authSecretFile, { trim: false })
            : cfg.authSecret;
          if (secret === "") {
            errors.push("missing secret for CRAM-MD5 auth mechanism");
            continue;
          }
          return cramMD5Auth(cfg.authUsername, secret);
        }
        case "PLAIN": {
          const pw = await password();
          if (pw === "") {
            errors.push("missing password for PLAIN auth mechanism");
            continue;
          }
          return plainAuth(cfg.authIdentity, cfg.authUsername, pw);
        }
        case "LOGIN": {
          const pw = await password();
          if (pw === "") {
            errors.push("missing password for LOGIN auth mechanism");
            continue;
          }
          return loginAuth(cfg.authUsername, pw);
        }
        default:
          errors.push(`unknown auth mechanism: ${mech}`);
      }
    }
    throw new NotifyError(`find auth mechanism: ${errors.join("\n")}`, { retry: true });
  }

  return {
    async notify(ctx, signal) {
      const message = await render(ctx);

      const step = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
        try {
          return await f();
        } catch (err) {
          if (err instanceof NotifyError) throw err;
          const why = err instanceof Error ? err.message : String(err);
          throw new NotifyError(`${what}: ${why}`, { retry: true });
        }
      };

      const tlsOpts = smtpTlsOptions(cfg.tlsConfig, cfg.smarthost.host);
      const client = await step(
        implicitTls ? "establish TLS connection to server" : "establish connection to server",
        () =>
          SmtpClient.connect({
            host: cfg.smarthost.host,
            port: Number(cfg.smarthost.port),
            implicitTls,
            tls: tlsOpts,
            signal,
          }),
      );
      let quit = false;
      try {
        if (cfg.hello !== "") await step("send EHLO command", () => client.hello(cfg.hello));
        if (cfg.requireTls && !implicitTls) {
          if ((await client.extension("STARTTLS")) === undefined) {
            throw new NotifyError(
              `'require_tls' is true (default) but ${JSON.stringify(smarthost)} does not advertise the STARTTLS extension`,
              { retry: true },
            );
          }
          await step("send STARTTLS command", () => client.startTLS(cfg.hello || "localhost"));
        }
        const mechs = await client.extension("AUTH");
        if (mechs !== undefined) {
          const auth = await chooseAuth(mechs);
          if (auth) await step("smtp auth", () => client.auth(auth));
        }
        await step("send MAIL command", () => client.mail(message.from));
        for (const addr of message.to) {
          await step("send RCPT command", () => client.rcpt(addr));
        }
        await step("delivery failure", () => client.data(dotStuff(message.text)));
        quit = true;
        await client.quit().catch((err: unknown) => {
          deps.logger.warn({ err: String(err) }, "failed to close SMTP connection");
        });
      } finally {
        if (!quit) client.close();
      }
    },
  };
}
