// The seam between alerting rules and the template language of their labels and annotations
// (Go text/template with Prometheus's functions, src/template). Rules only need to parse-check a
// template when a file loads and to expand one per alert per evaluation; tests may plug in
// their own expander.
import { labelsToRecord } from "../model/labels/index.ts";
import {
  ALERT_TEMPLATE_DEFS as GO_ALERT_TEMPLATE_DEFS,
  Template,
  alertTemplateData,
  expandTemplate,
  prometheusFuncs,
} from "../template/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { QueryFunc } from "./rule.ts";

/**
 * AlertTemplateData is what an alert template sees as `.` (Prometheus template.AlertTemplateData):
 * `.Labels`, `.ExternalLabels`, `.ExternalURL` and `.Value`.
 */
export interface AlertTemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly value: number;
}

/** TemplateContext is what template functions such as `query` and `humanizeTimestamp` need. */
export interface TemplateContext {
  /** name is the template's name, "__alert_<alertname>", which appears in error messages. */
  readonly name: string;
  /** tMs is the evaluation time, at which `query` runs its queries. */
  readonly tMs: number;
  /** queryFunc runs the PromQL of `{{ query "..." }}`. */
  readonly queryFunc: QueryFunc;
  /** externalURL is the server's external URL (`{{ externalURL }}`, `pathPrefix`). */
  readonly externalURL: string;
}

/**
 * TemplateExpander parses and executes alert templates. `expand` resolves to the rendered text
 * or rejects with the template's error (the caller renders it as
 * `<error expanding template: ...>`). `check` parses text the way Prometheus's ParseTest does and
 * returns the error message, or undefined when the text parses.
 */
export interface TemplateExpander {
  expand(text: string, data: AlertTemplateData, ctx: TemplateContext): Promise<string>;
  check(text: string, name: string): string | undefined;
}

/**
 * ALERT_TEMPLATE_DEFS are the variable definitions Prometheus prepends to every alert label
 * and annotation template (rules/alerting.go Eval, rulefmt testTemplateParsing).
 */
export const ALERT_TEMPLATE_DEFS = GO_ALERT_TEMPLATE_DEFS;

/** PARSE_CONTEXT stands in for the evaluation context when templates are only parsed. */
const PARSE_CONTEXT = { timestampMs: 0, externalURL: "" };

/**
 * goTemplateExpander expands templates with Go's text/template language and Prometheus's
 * functions (src/template), as Prometheus's template.Expander does: option missingkey=zero,
 * `query` running at the evaluation time, errors worded "error executing template <name>: ...".
 */
export const goTemplateExpander: TemplateExpander = {
  expand(text, data, ctx) {
    return expandTemplate(text, {
      name: ctx.name,
      data: alertTemplateData(data),
      timestampMs: ctx.tMs,
      externalURL: ctx.externalURL,
      queryFunc: async (query, tMs) =>
        (await ctx.queryFunc(query, tMs)).map((s) => ({
          labels: labelsToRecord(s.metric),
          value: s.f,
        })),
    });
  },
  check(text, name) {
    try {
      Template.create(name, {
        funcs: prometheusFuncs(PARSE_CONTEXT),
        options: ["missingkey=zero"],
      }).parse(text);
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  },
};
