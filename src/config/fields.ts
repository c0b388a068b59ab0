// Field schemas shared by the sections of vigil.yml: durations, byte sizes and counts, each
// with an error message that says what was expected and what was found.
import { z } from "zod";
import { parseDuration } from "../model/duration.ts";
import { errorMessage } from "../util/errors.ts";
import { describeValue } from "./errors.ts";
import { parseBytes } from "./units.ts";

/**
 * durationField accepts a Prometheus duration and yields milliseconds. A YAML number is read
 * as its decimal text, so `0` works as in Prometheus while `60` is an invalid duration.
 */
export function durationField(opts: { positive: boolean }) {
  return z.unknown().transform((value, ctx): number => {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string") {
      ctx.addIssue({ code: "custom", message: `expected a duration, got ${describeValue(value)}` });
      return z.NEVER;
    }
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: errorMessage(err) });
      return z.NEVER;
    }
    if (opts.positive && ms === 0) {
      ctx.addIssue({
        code: "custom",
        message: `must be greater than 0, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

/** sizeField accepts a positive byte size ("10MiB" or a plain integer) and yields bytes. */
export function sizeField() {
  return z.unknown().transform((value, ctx): number => {
    let bytes: number;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
      bytes = value;
    } else if (typeof value === "string") {
      try {
        bytes = parseBytes(value);
      } catch (err) {
        const units = "B, KB, KiB, MB, MiB, GB, GiB";
        ctx.addIssue({ code: "custom", message: `${errorMessage(err)} (units: ${units})` });
        return z.NEVER;
      }
    } else {
      const got = describeValue(value);
      ctx.addIssue({ code: "custom", message: `expected a size such as 10MiB, got ${got}` });
      return z.NEVER;
    }
    if (bytes === 0) {
      ctx.addIssue({
        code: "custom",
        message: `must be greater than 0, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return bytes;
  });
}

/** positiveInt accepts an integer > 0. */
export function positiveInt() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      ctx.addIssue({ code: "custom", message: `expected an integer, got ${describeValue(value)}` });
      return z.NEVER;
    }
    if (value <= 0) {
      ctx.addIssue({ code: "custom", message: `must be greater than 0, got ${value}` });
      return z.NEVER;
    }
    return value;
  });
}
