import type { Labels } from "../model/labels/index.ts";
import { METRIC_NAME } from "../model/labels/index.ts";

/**
 * validateAppend checks one sample before it is buffered and throws an Error that names the
 * problem. Shared by every backend so that they reject the same input.
 */
export function validateAppend(labels: Labels, tMs: number): void {
  if (labels.length === 0 || !labels.some((l) => l.name === METRIC_NAME && l.value !== "")) {
    throw new Error(`series without metric name: ${JSON.stringify(labels)}`);
  }
  for (let i = 1; i < labels.length; i++) {
    if (labels[i - 1]!.name >= labels[i]!.name) {
      throw new Error(`labels not sorted or not unique at "${labels[i]!.name}"`);
    }
  }
  if (!Number.isSafeInteger(tMs)) {
    throw new Error(`timestamp must be an integer number of milliseconds, got ${tMs}`);
  }
}
