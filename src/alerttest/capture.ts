// Notifiers that deliver nothing: each records the notification it was asked to send, with the
// title and text its integration would render, so that `vigil test alerts` can compare what
// receivers would get. Which fields are the "title" and the "text" of each integration is
// listed in docs/alert-tests.md.
import type { IntegrationName } from "../alerting/index.ts";
import type { Clock } from "../notify/pipeline.ts";
import type { Notifier, NotifierFactories, NotifyContext } from "../notify/notifier.ts";
import { groupStatus, newRenderer } from "../notify/receivers/render.ts";
import { DEFAULT_EMAIL_SUBJECT } from "../notify/receivers/email.ts";
import { INTEGRATION_NAMES } from "../alerting/receivers-config.ts";

/** SentNotification is one notification as an integration would have sent it. */
export interface SentNotification {
  /** atMs: clock time of the notification (Unix ms). */
  readonly atMs: number;
  readonly receiver: string;
  readonly integration: IntegrationName;
  readonly index: number;
  readonly status: "firing" | "resolved";
  readonly alerts: readonly {
    readonly labels: Readonly<Record<string, string>>;
    readonly status: "firing" | "resolved";
  }[];
  readonly title: string;
  readonly text: string;
  /** error: the rendering failed (a broken template); title and text are then "". */
  readonly error?: string;
}

type Fields = (cfg: never) => { title?: string; text?: string; html?: boolean };

/** FIELDS names, per integration, the configuration fields that are its title and text. */
const FIELDS: { readonly [N in IntegrationName]?: Fields } = {
  email: ((c: { headers: Record<string, string>; text: string; html: string }) => ({
    title: c.headers.Subject ?? DEFAULT_EMAIL_SUBJECT,
    text: c.text !== "" ? c.text : c.html,
    html: c.text === "",
  })) as Fields,
  pagerduty: ((c: { description: string }) => ({ title: c.description })) as Fields,
  opsgenie: ((c: { message: string; description: string }) => ({
    title: c.message,
    text: c.description,
  })) as Fields,
  slack: ((c: { title: string; text: string }) => ({ title: c.title, text: c.text })) as Fields,
  victorops: ((c: { entityDisplayName: string; stateMessage: string }) => ({
    title: c.entityDisplayName,
    text: c.stateMessage,
  })) as Fields,
  telegram: ((c: { message: string }) => ({ text: c.message })) as Fields,
  discord: ((c: { title: string; message: string }) => ({
    title: c.title,
    text: c.message,
  })) as Fields,
  msteams: ((c: { title: string; text: string }) => ({ title: c.title, text: c.text })) as Fields,
  msteamsv2: ((c: { title: string; text: string }) => ({ title: c.title, text: c.text })) as Fields,
  mattermost: ((c: { title: string; text: string }) => ({
    title: c.title,
    text: c.text,
  })) as Fields,
  ntfy: ((c: { title: string; message: string }) => ({
    title: c.title,
    text: c.message,
  })) as Fields,
};

/**
 * captureFactories returns a factory for every integration whose notifiers append to `out`.
 * A notifier never fails, so the pipeline's retries never come into play.
 */
export function captureFactories(out: SentNotification[], clock: Clock): NotifierFactories {
  const factories: Record<string, (cfg: unknown) => Notifier> = {};
  for (const name of INTEGRATION_NAMES) {
    factories[name] = (cfg) => ({
      notify: async (ctx: NotifyContext) => {
        out.push(await capture(name, cfg, ctx, clock.nowMs()));
      },
    });
  }
  return factories as NotifierFactories;
}

async function capture(
  name: IntegrationName,
  cfg: unknown,
  ctx: NotifyContext,
  atMs: number,
): Promise<SentNotification> {
  const base = {
    atMs,
    receiver: ctx.receiver,
    integration: name,
    index: ctx.integrationIndex,
    status: groupStatus(ctx.alerts),
    alerts: ctx.alerts.map((a) => ({ labels: a.labels, status: a.status })),
  };
  const fields = FIELDS[name]?.(cfg as never) ?? {};
  const r = newRenderer(ctx);
  try {
    const title = fields.title !== undefined ? await r.text("title", fields.title) : "";
    const text =
      fields.text === undefined
        ? ""
        : fields.html
          ? await r.html("text", fields.text)
          : await r.text("text", fields.text);
    return { ...base, title, text };
  } catch (err) {
    return { ...base, title: "", text: "", error: (err as Error).message };
  }
}
