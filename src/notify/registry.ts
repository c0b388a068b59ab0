// The registry of notifier integrations: integration name → factory. Integrations live in
// ./receivers/ (one module per integration, as Alertmanager's notify/<name>/), which lists them
// in NOTIFIER_FACTORIES together with the default templates.
import type { IntegrationConfigMap, IntegrationName } from "../alerting/receivers-config.ts";
import type { Notifier, NotifierDeps, NotifierFactories, NotifierFactory } from "./notifier.ts";
import { NotifyError } from "./notifier.ts";
import { DEFAULT_TEMPLATES, NOTIFIER_FACTORIES } from "./receivers/index.ts";

/** NOTIFIERS maps each implemented integration to its factory. */
export const NOTIFIERS: NotifierFactories = NOTIFIER_FACTORIES;

/**
 * DEFAULT_TEMPLATES are the texts of the default notification templates (Alertmanager's
 * template/default.tmpl and email.tmpl, plus Vigil's ntfy.default.*), parsed before the files
 * named by the configuration's `templates:`, so that those may redefine them.
 */
export { DEFAULT_TEMPLATES };

/**
 * createNotifier builds the notifier for one integration config. An integration without a
 * factory, or whose factory throws, yields a notifier that fails every notification without
 * retry, so that the rest of the receiver still works and the failure shows in the metrics.
 */
export function createNotifier<N extends IntegrationName>(
  integration: N,
  config: IntegrationConfigMap[N],
  deps: NotifierDeps,
  factories: NotifierFactories = NOTIFIERS,
): Notifier {
  const factory = factories[integration] as NotifierFactory<N> | undefined;
  if (factory === undefined) {
    return failing(`integration ${integration} is not supported by Vigil`);
  }
  try {
    return factory(config, deps);
  } catch (err) {
    return failing(`cannot create ${integration} notifier: ${String(err)}`);
  }
}

function failing(message: string): Notifier {
  return {
    notify: () => Promise.reject(new NotifyError(message, { retry: false })),
  };
}
