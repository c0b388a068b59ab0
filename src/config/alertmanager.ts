// The `alertmanager:` section of vigil.yml: an Alertmanager configuration inline, or
// `config_file:` naming an alertmanager.yml, plus Vigil's team routing. Parsing and validation
// live in src/alerting/config; this adapts them to the zod schema so that problems get the
// file:line:column of vigil.yml (or, inside config_file, the message names that file's line).
import { z } from "zod";
import { parseAlertmanagerSection } from "../alerting/config/load.ts";
import type { AlertmanagerSection } from "../alerting/config/load.ts";

/** alertmanagerSchema builds the section's schema; baseDir anchors relative paths. */
export function alertmanagerSchema(baseDir: string) {
  return z.unknown().transform((value, ctx): AlertmanagerSection => {
    const res = parseAlertmanagerSection(value, baseDir);
    if ("section" in res) return res.section;
    ctx.addIssue({ code: "custom", path: [...res.issue.path], message: res.issue.message });
    return z.NEVER;
  });
}
