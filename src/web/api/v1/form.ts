// Request parameters the way Go's http.Request.Form presents them: the URL query merged with an
// application/x-www-form-urlencoded body, body values first (so that FormValue prefers them).
import type { FastifyRequest } from "fastify";

/** FORM_CONTENT_TYPE is the body type POST requests to the API use. */
export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

/** Form holds every value of every parameter of one request. */
export class Form {
  readonly #values = new Map<string, string[]>();

  constructor(...sources: URLSearchParams[]) {
    for (const src of sources) {
      for (const [k, v] of src) {
        const list = this.#values.get(k);
        if (list) list.push(v);
        else this.#values.set(k, [v]);
      }
    }
  }

  /** value is the first value of name, or "" (Go's FormValue). */
  value(name: string): string {
    return this.#values.get(name)?.[0] ?? "";
  }

  /** values lists every value of name (Go's r.Form[name]). */
  values(name: string): string[] {
    return this.#values.get(name) ?? [];
  }
}

/** requestForm builds the Form of req from its body (when a form) and its URL query. */
export function requestForm(req: FastifyRequest): Form {
  const q = req.url.indexOf("?");
  const query = new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1));
  return req.body instanceof URLSearchParams ? new Form(req.body, query) : new Form(query);
}
