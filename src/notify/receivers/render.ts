// Template rendering for the integrations: text fields through the loaded templates as
// Alertmanager's notify.TmplText does, HTML bodies with escaped alert data (standing in for
// html/template's autoescaping), Alertmanager's DeepCopyWithTemplate for structured fields
// (PagerDuty details, the webhook payload), and the template data of a truncated alert list.
import { Alert, Alerts, Data, KV, newAlertmanagerData } from "../../template/index.ts";
import type { AlertInput, AlertmanagerTemplates } from "../../template/index.ts";
import type { NotifyAlert, NotifyContext } from "../notifier.ts";
import { NotifyError } from "../notifier.ts";
import { decodeYamlV2 } from "./yaml-v2.ts";

/**
 * Renderer expands the templated fields of one notification. Each method rejects with a
 * NotifyError (retry false: a broken template does not heal by retrying) whose message names
 * the field, like Alertmanager's "failed to template ...".
 */
export class Renderer {
  private htmlData: Data | undefined;

  constructor(
    private readonly templates: AlertmanagerTemplates,
    readonly data: Data,
  ) {}

  /** text renders a text template ("" stays ""), as ExecuteTextString. */
  async text(field: string, text: string): Promise<string> {
    try {
      return await this.templates.executeTextString(text, this.data);
    } catch (err) {
      throw templateError(field, err);
    }
  }

  /**
   * html renders an HTML template. Vigil's template engine has no html/template contextual
   * escaping; instead the values that come from alerts (labels, annotations, generator URLs)
   * are HTML-escaped before rendering, with html/template's escaper, which gives the same
   * output for templates that print them in element text or quoted attributes, as the default
   * templates do.
   */
  async html(field: string, text: string): Promise<string> {
    this.htmlData ??= htmlEscapedData(this.data);
    try {
      return await this.templates.executeTextString(text, this.htmlData);
    } catch (err) {
      throw templateError(field, err);
    }
  }

  /**
   * deep is template.DeepCopyWithTemplate: every string (map keys included) is rendered; a
   * rendered value that parses as YAML into something other than a string (a number, a bool,
   * null, a list, a map) is replaced by the parsed value, whose strings are rendered in turn.
   * Maps come out as Map (encoded with sorted keys, as Go encodes map[string]any).
   */
  async deep(field: string, value: unknown): Promise<unknown> {
    if (value === null || value === undefined) return null;
    if (typeof value === "string") {
      const rendered = await this.text(field, value);
      const parsed = decodeYamlV2(rendered);
      if (!parsed.ok || typeof parsed.value === "string") return rendered;
      return this.deep(field, parsed.value);
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) out.push(await this.deep(field, item));
      return out;
    }
    if (value instanceof Map || isPlainObject(value)) {
      const entries: Iterable<[unknown, unknown]> =
        value instanceof Map ? value.entries() : Object.entries(value);
      const out = new Map<string, unknown>();
      for (const [k, v] of entries) {
        if (typeof k !== "string") continue;
        out.set(await this.text(field, k), await this.deep(field, v));
      }
      return out;
    }
    return value;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function templateError(field: string, err: unknown): NotifyError {
  const why = err instanceof Error ? err.message : String(err);
  return new NotifyError(`failed to template ${field}: ${why}`, { retry: false });
}

/** newRenderer returns the renderer for a notification context. */
export function newRenderer(ctx: NotifyContext, data: Data = ctx.data): Renderer {
  return new Renderer(ctx.templates, data);
}

/**
 * dataForAlerts builds the template data of ctx for a subset of its alerts (the webhook's
 * max_alerts truncation renders the truncated list, as Alertmanager does).
 */
export function dataForAlerts(ctx: NotifyContext, alerts: readonly NotifyAlert[]): Data {
  return newAlertmanagerData({
    receiver: ctx.receiver,
    groupLabels: ctx.groupLabels,
    alerts: alerts.map(alertInput),
    externalURL: ctx.externalURL,
    notificationReason: ctx.data.NotificationReason,
    nowMs: ctx.nowMs,
  });
}

function alertInput(a: NotifyAlert): AlertInput {
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAtMs,
    // types.Alerts hides the end time of alerts that are still firing.
    endsAt: a.status === "resolved" && a.endsAtMs !== 0 ? a.endsAtMs : undefined,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
    status: a.status,
  };
}

/** groupStatus is types.Alerts(...).Status(): "firing" when any alert fires. */
export function groupStatus(alerts: readonly NotifyAlert[]): "firing" | "resolved" {
  return alerts.some((a) => a.status === "firing") ? "firing" : "resolved";
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "&": "&amp;",
  "'": "&#39;",
  "+": "&#43;",
  "<": "&lt;",
  ">": "&gt;",
};

/** htmlEscape escapes text as html/template's htmlEscaper does. */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"&'+<>]/g, (c) => HTML_ESCAPES[c]);
}

function escapeKV(kv: KV | undefined): KV {
  return new KV(Object.fromEntries((kv?.entries() ?? []).map(([k, v]) => [k, htmlEscape(v)])));
}

/**
 * htmlEscapedData returns a copy of data whose alert-supplied strings (label and annotation
 * values, generator URLs) are HTML-escaped. Receiver, status and external URL come from the
 * configuration and stay as they are (the default templates put them through urlquery).
 */
export function htmlEscapedData(d: Data): Data {
  const alerts = Alerts.fromList(
    d.Alerts.map(
      (a) =>
        new Alert(
          a.Status,
          escapeKV(a.Labels),
          escapeKV(a.Annotations),
          a.StartsAt,
          a.EndsAt,
          htmlEscape(a.GeneratorURL),
          a.Fingerprint,
        ),
    ),
  );
  return new Data(
    d.Receiver,
    d.Status,
    alerts,
    d.NotificationReason,
    escapeKV(d.GroupLabels),
    escapeKV(d.CommonLabels),
    escapeKV(d.CommonAnnotations),
    d.ExternalURL,
  );
}
