// Alertmanager's notification templates (alertmanager template/template.go, v0.33): the
// default function map, the data types templates see (Data, Alert, Alerts, KV, Pairs, Pair,
// Strings, with their methods such as .Alerts.Firing and .CommonLabels.SortedPairs), the
// construction of Data from alerts, and ExecuteTextString's semantics (a clone of the loaded
// templates, a new anonymous template, missingkey=zero).

import { marshalJSON } from "./json.ts";
import { decodeGoBytes, encodeGoBytes, goQuote, goTrimSpace } from "./strconv.ts";
import {
  goToLower,
  goToUpper,
  matchString,
  mustCompileRegexp,
  quoteMeta,
  replaceAllString,
  titleCase,
} from "./strings.ts";
import { Template } from "./template.ts";
import type { FuncMap } from "./template.ts";
import { GoTime, TIME, loadLocation } from "./time.ts";
import { humanizeDuration } from "./prometheus.ts";
import { anyMap, anySlice, goFunc, setGoType, stringSlice } from "./value.ts";

function defineEntries(target: object, entries: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(entries)) {
    Object.defineProperty(target, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** Strings is a list of strings exposed to templates, with a Join method. */
export class Strings extends Array<string> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** of builds Strings from a list (Array's constructor would treat one number as a length). */
  static fromList(items: readonly string[]): Strings {
    const s = new Strings();
    s.push(...items);
    return s;
  }

  /** Join makes strings.Join accessible from templates: {{ .GroupLabels.Values.Join ":" }}. */
  Join(sep: string): string {
    return this.join(sep);
  }
}
setGoType(Strings.prototype, { name: "template.Strings", kind: "slice", elem: "string" });
goFunc(["string"], Strings.prototype.Join);

/** Pair is a key/value string pair. */
export class Pair {
  constructor(
    readonly Name: string,
    readonly Value: string,
  ) {}
}
setGoType(Pair.prototype, { name: "template.Pair", kind: "struct" });

/** Pairs is a list of key/value string pairs. */
export class Pairs extends Array<Pair> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  static fromList(items: readonly Pair[]): Pairs {
    const p = new Pairs();
    p.push(...items);
    return p;
  }

  /** Names returns a list of names of the pairs. */
  Names(): Strings {
    return Strings.fromList(this.map((p) => p.Name));
  }

  /** Values returns a list of values of the pairs. */
  Values(): Strings {
    return Strings.fromList(this.map((p) => p.Value));
  }

  /** String renders the pairs as "name1=value1, name2=value2". */
  String(): string {
    return this.map((p) => `${p.Name}=${p.Value}`).join(", ");
  }
}
setGoType(Pairs.prototype, { name: "template.Pairs", kind: "slice", elem: "any" });
goFunc([], Pairs.prototype.Names);
goFunc([], Pairs.prototype.Values);
goFunc([], Pairs.prototype.String);

function compareBytes(a: string, b: string): number {
  const x = encodeGoBytes(a);
  const y = encodeGoBytes(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** KV is a set of key/value string pairs (a Go map[string]string with methods). */
export class KV {
  constructor(entries: Readonly<Record<string, string>> = {}) {
    defineEntries(this, entries);
  }

  /** entries returns the pairs of the set (not visible to templates: lower case). */
  entries(): [string, string][] {
    return Object.entries(this as unknown as Record<string, string>);
  }

  /** SortedPairs returns the pairs sorted by name, with alertname always first. */
  SortedPairs(): Pairs {
    const keys = Object.keys(this);
    const rest = keys.filter((k) => k !== "alertname").sort(compareBytes);
    const ordered = keys.includes("alertname") ? ["alertname", ...rest] : rest;
    const self = this as unknown as Record<string, string>;
    return Pairs.fromList(ordered.map((k) => new Pair(k, self[k])));
  }

  /** Remove returns a copy of the set without the given keys. */
  Remove(keys: readonly string[] | undefined): KV {
    const drop = new Set(keys ?? []);
    return new KV(Object.fromEntries(this.entries().filter(([k]) => !drop.has(k))));
  }

  /** Names returns the sorted label names. */
  Names(): Strings {
    return this.SortedPairs().Names();
  }

  /** Values returns the label values, sorted by name. */
  Values(): Strings {
    return this.SortedPairs().Values();
  }

  /** String renders the set as "name1=value1, name2=value2". */
  String(): string {
    return this.SortedPairs().String();
  }
}
setGoType(KV.prototype, { name: "template.KV", kind: "map", elem: "string" });
goFunc([], KV.prototype.SortedPairs);
goFunc(["[]string"], KV.prototype.Remove);
goFunc([], KV.prototype.Names);
goFunc([], KV.prototype.Values);
goFunc([], KV.prototype.String);

/** Alert holds one alert for notification templates. */
export class Alert {
  constructor(
    readonly Status: string,
    readonly Labels: KV | undefined,
    readonly Annotations: KV | undefined,
    readonly StartsAt: GoTime,
    readonly EndsAt: GoTime,
    readonly GeneratorURL: string,
    readonly Fingerprint: string,
  ) {}

  /** MarshalJSON encodes the alert with the JSON field names of Alertmanager's webhook payload. */
  MarshalJSON(): string {
    return (
      `{"status":${marshalJSON(this.Status)},"labels":${marshalJSON(this.Labels)},` +
      `"annotations":${marshalJSON(this.Annotations)},"startsAt":${marshalJSON(this.StartsAt)},` +
      `"endsAt":${marshalJSON(this.EndsAt)},"generatorURL":${marshalJSON(this.GeneratorURL)},` +
      `"fingerprint":${marshalJSON(this.Fingerprint)}}`
    );
  }
}
setGoType(Alert.prototype, { name: "template.Alert", kind: "struct" });
goFunc([], Alert.prototype.MarshalJSON);

function alertSlice(items: readonly Alert[]): Alert[] {
  return setGoType([...items], { name: "[]template.Alert", elem: "any" });
}

/** Alerts is a list of Alert objects, with Firing and Resolved. */
export class Alerts extends Array<Alert> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  static fromList(items: readonly Alert[]): Alerts {
    const a = new Alerts();
    a.push(...items);
    return a;
  }

  /** Firing returns the subset of alerts that are firing. */
  Firing(): Alert[] {
    return alertSlice(this.filter((a) => a.Status === "firing"));
  }

  /** Resolved returns the subset of alerts that are resolved. */
  Resolved(): Alert[] {
    return alertSlice(this.filter((a) => a.Status === "resolved"));
  }
}
setGoType(Alerts.prototype, { name: "template.Alerts", kind: "slice", elem: "any" });
goFunc([], Alerts.prototype.Firing);
goFunc([], Alerts.prototype.Resolved);

/** Data is the data passed to notification templates and webhook pushes. */
export class Data {
  constructor(
    readonly Receiver: string,
    readonly Status: string,
    readonly Alerts: Alerts,
    readonly NotificationReason: string,
    readonly GroupLabels: KV,
    readonly CommonLabels: KV,
    readonly CommonAnnotations: KV,
    readonly ExternalURL: string,
  ) {}

  /** MarshalJSON encodes the data as the webhook payload fields of Data do. */
  MarshalJSON(): string {
    return (
      `{"receiver":${marshalJSON(this.Receiver)},"status":${marshalJSON(this.Status)},` +
      `"alerts":${marshalJSON(this.Alerts)},"notification_reason":${marshalJSON(this.NotificationReason)},` +
      `"groupLabels":${marshalJSON(this.GroupLabels)},"commonLabels":${marshalJSON(this.CommonLabels)},` +
      `"commonAnnotations":${marshalJSON(this.CommonAnnotations)},"externalURL":${marshalJSON(this.ExternalURL)}}`
    );
  }
}
setGoType(Data.prototype, { name: "template.Data", kind: "struct" });
goFunc([], Data.prototype.MarshalJSON);

/** TimeInput is a point in time given as a Date, Unix milliseconds or a GoTime. */
export type TimeInput = Date | number | GoTime;

function toGoTime(t: TimeInput | undefined): GoTime {
  if (t === undefined) return GoTime.zero();
  if (t instanceof GoTime) return t;
  if (t instanceof Date) return GoTime.fromDate(t);
  return GoTime.fromUnixMs(t);
}

/**
 * labelSetFingerprint is model.LabelSet.Fingerprint: FNV-1a (64 bit) over the sorted label
 * names and values, each followed by the separator byte 0xff.
 */
export function labelSetFingerprint(labels: Readonly<Record<string, string>>): bigint {
  const prime = 1099511628211n;
  const mask = 0xffffffffffffffffn;
  let h = 14695981039346656037n;
  const add = (bytes: Uint8Array): void => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * prime) & mask;
  };
  const sep = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort(compareBytes)) {
    add(encodeGoBytes(name));
    add(sep);
    add(encodeGoBytes(labels[name]));
    add(sep);
  }
  return h;
}

/** fingerprintString renders a fingerprint as Fingerprint.String does (16 hex digits). */
export function fingerprintString(fp: bigint): string {
  return fp.toString(16).padStart(16, "0");
}

/** AlertInput is one alert given to newAlertmanagerData. */
export interface AlertInput {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly startsAt?: TimeInput;
  readonly endsAt?: TimeInput;
  readonly generatorURL?: string;
  /** Defaults to the fingerprint of the labels. */
  readonly fingerprint?: string;
  /** Defaults to "resolved" when endsAt is set and not after nowMs, else "firing". */
  readonly status?: "firing" | "resolved";
}

/** DataInput is the input of newAlertmanagerData (the arguments of Template.Data). */
export interface DataInput {
  readonly receiver: string;
  readonly groupLabels?: Readonly<Record<string, string>>;
  readonly alerts: readonly AlertInput[];
  readonly externalURL: string;
  readonly notificationReason?: string;
  /** The time at which alert states are computed; defaults to now. */
  readonly nowMs?: number;
}

/**
 * newAlertmanagerData assembles the data for template expansion as Alertmanager's
 * Template.Data does: the receiver name quoted as a regular expression, the group status,
 * the alerts, and the labels and annotations common to all alerts.
 */
export function newAlertmanagerData(input: DataInput): Data {
  const nowMs = input.nowMs ?? Date.now();
  const alerts = input.alerts.map((a) => {
    const endsAt = toGoTime(a.endsAt);
    const resolved =
      a.status !== undefined
        ? a.status === "resolved"
        : !endsAt.IsZero() && endsAt.unixSec * 1000 + endsAt.nsec / 1e6 <= nowMs;
    return new Alert(
      resolved ? "resolved" : "firing",
      new KV(a.labels),
      new KV(a.annotations ?? {}),
      toGoTime(a.startsAt),
      endsAt,
      a.generatorURL ?? "",
      a.fingerprint ?? fingerprintString(labelSetFingerprint(a.labels)),
    );
  });
  const status = alerts.some((a) => a.Status === "firing") ? "firing" : "resolved";
  const common = (pick: (a: AlertInput) => Readonly<Record<string, string>> | undefined): KV => {
    if (input.alerts.length === 0) return new KV();
    const first = { ...(pick(input.alerts[0]) ?? {}) };
    for (const a of input.alerts.slice(1)) {
      const m = pick(a) ?? {};
      for (const [k, v] of Object.entries(first)) {
        if (m[k] !== v) delete first[k];
      }
    }
    return new KV(first);
  };
  return new Data(
    quoteMeta(input.receiver),
    status,
    Alerts.fromList(alerts),
    input.notificationReason ?? "",
    new KV(input.groupLabels ?? {}),
    common((a) => a.labels),
    common((a) => a.annotations),
    input.externalURL,
  );
}

/** queryUnescape decodes a URL query component (url.QueryUnescape). */
export function queryUnescape(s: string): string {
  const bytes = encodeGoBytes(s);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25) {
      const hex = String.fromCharCode(...bytes.slice(i + 1, i + 3));
      if (i + 2 >= bytes.length || !/^[0-9a-fA-F]{2}$/.test(hex)) {
        const bad = decodeGoBytes(bytes.slice(i, i + 3));
        throw new Error(`invalid URL escape ${goQuote(bad)}`);
      }
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (b === 0x2b) {
      out.push(0x20);
    } else {
      out.push(b);
    }
  }
  return decodeGoBytes(out);
}

/** alertmanagerFuncs is Alertmanager's DefaultFuncs. */
export function alertmanagerFuncs(): FuncMap {
  return {
    toUpper: goFunc(["string"], goToUpper),
    toLower: goFunc(["string"], goToLower),
    title: goFunc(["string"], (s: string) => titleCase(s)),
    trimSpace: goFunc(["string"], goTrimSpace),
    // join is strings.Join with the argument order inverted, for pipelining.
    join: goFunc(["string", "[]string"], (sep: string, s: readonly string[] | undefined) =>
      (s ?? []).join(sep),
    ),
    match: goFunc(["string", "string"], (pattern: string, s: string) => matchString(pattern, s)),
    safeHtml: goFunc(["string"], (text: string) => text),
    safeUrl: goFunc(["string"], (text: string) => text),
    urlUnescape: goFunc(["string"], queryUnescape),
    reReplaceAll: goFunc(
      ["string", "string", "string"],
      (pattern: string, repl: string, text: string) =>
        replaceAllString(mustCompileRegexp(pattern), text, repl),
    ),
    stringSlice: goFunc([], (...s: string[]) => stringSlice(s), "string"),
    date: goFunc(["string", TIME], (layout: string, t: GoTime) => t.Format(layout)),
    tz: goFunc(["string", TIME], (name: string, t: GoTime) => t.In(loadLocation(name))),
    now: goFunc([], () => GoTime.now()),
    since: goFunc([TIME], (t: GoTime) => GoTime.now().Sub(t)),
    humanizeDuration: goFunc(["any"], humanizeDuration),
    toJson: goFunc(["any"], (v: unknown) => marshalJSON(v)),
    list: goFunc([], (...args: unknown[]) => anySlice(args), "any"),
    append: goFunc(
      ["[]any"],
      (slice: readonly unknown[] | undefined, ...args: unknown[]) =>
        anySlice([...(slice ?? []), ...args]),
      "any",
    ),
    dict: goFunc(
      [],
      (...values: unknown[]) => {
        if (values.length % 2 !== 0) throw new Error("dict requires an even number of arguments");
        const res: Record<string, unknown> = {};
        for (let i = 0; i < values.length; i += 2) {
          const key = values[i];
          if (typeof key !== "string") throw new Error("dict keys must be strings");
          Object.defineProperty(res, key, {
            value: values[i + 1],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return anyMap(res);
      },
      "any",
    ),
  };
}

/** AlertmanagerTemplateOptions configures AlertmanagerTemplates. */
export interface AlertmanagerTemplateOptions {
  /** The external URL of the Alertmanager, for Data.ExternalURL. */
  readonly externalURL: string;
  /** Extra functions; as in Alertmanager, the default functions take precedence over them. */
  readonly funcs?: FuncMap;
}

/**
 * AlertmanagerTemplates holds the loaded notification templates (Alertmanager's Template):
 * the default templates and the files named by `templates:` in the configuration, parsed into
 * one namespace so that a {{define}} in one file is visible to all.
 */
export class AlertmanagerTemplates {
  private text: Template;

  constructor(readonly options: AlertmanagerTemplateOptions) {
    this.text = Template.create("", { options: ["missingkey=zero"] });
    if (options.funcs) this.text.funcs(options.funcs);
    this.text.funcs(alertmanagerFuncs());
  }

  /** parse parses text into the root template, as Template.Parse does for the default templates. */
  parse(text: string): void {
    this.text.parse(text);
  }

  /**
   * parseFile parses the content of a template file; like template.ParseFiles, the file
   * defines a template named after its base name besides its {{define}}s.
   */
  parseFile(path: string, text: string): void {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const tmpl = name === this.text.name ? this.text : this.text.new(name);
    tmpl.parse(text);
  }

  /** lookup returns a loaded template by name. */
  lookup(name: string): Template | undefined {
    return this.text.lookup(name);
  }

  /**
   * executeTextString expands text against data as ExecuteTextString does: "" stays "", and
   * text may invoke any loaded template. It rejects with Go's parse or execution error.
   */
  async executeTextString(text: string, data: unknown): Promise<string> {
    if (text === "") return "";
    const tmpl = this.text.clone().new("").option("missingkey=zero").parse(text);
    return tmpl.execute(data);
  }

  /** data builds the template data for a notification (Template.Data). */
  data(input: Omit<DataInput, "externalURL">): Data {
    return newAlertmanagerData({ ...input, externalURL: this.options.externalURL });
  }
}
