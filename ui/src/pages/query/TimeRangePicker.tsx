import { useId } from "react";
import type { RangeSpec } from "../../lib/time.ts";
import {
  RELATIVE_RANGES,
  autoStepMs,
  formatDuration,
  fromDatetimeLocal,
  isAbsoluteRange,
  parseDuration,
  parseTimeInput,
  resolveRangeSpec,
  toAbsolute,
  toDatetimeLocal,
} from "../../lib/time.ts";
import styles from "./Explore.module.css";

/**
 * TimeRangeValue is a relative range ending at end ("" = now), or an absolute one from start to
 * end when start is set (see lib/time.ts RangeSpec), and a step ("" = automatic).
 */
export interface TimeRangeValue extends RangeSpec {
  readonly step?: string;
}

/** TimeRangePickerProps configure a TimeRangePicker. */
export interface TimeRangePickerProps {
  readonly value: TimeRangeValue;
  readonly onChange: (v: TimeRangeValue) => void;
  /** showStep adds the step input (graphs); showRange false keeps only the end (instant queries). */
  readonly showStep?: boolean;
  readonly showRange?: boolean;
}

/** ABSOLUTE is the range choice that switches to absolute start and end inputs. */
const ABSOLUTE = "absolute";

function localValue(input: string | undefined): string {
  if (!input) return "";
  const ms = parseTimeInput(input, Date.now());
  return ms === undefined ? "" : toDatetimeLocal(ms);
}

/**
 * TimeRangePicker picks a relative range (5m … 7d, or any typed duration) ending now or at a
 * given time, or an absolute range (from … to), and optionally a step. Absolute times go into
 * the value as RFC 3339 in UTC, so that a link shows the same range in any time zone.
 */
export function TimeRangePicker({
  value,
  onChange,
  showStep = false,
  showRange = true,
}: TimeRangePickerProps) {
  const id = useId();
  const absolute = showRange && isAbsoluteRange(value);
  let rangeMs = parseDuration(value.range);
  let invalid = false;
  if (absolute) {
    try {
      const r = resolveRangeSpec(value, Date.now());
      rangeMs = r.endMs - r.startMs;
    } catch {
      invalid = true;
    }
  }
  const ranges = RELATIVE_RANGES.includes(value.range)
    ? RELATIVE_RANGES
    : [...RELATIVE_RANGES, value.range];
  const stepBad = value.step !== undefined && value.step !== "" && !parseDuration(value.step);

  const onRangeChoice = (choice: string) => {
    if (choice === ABSOLUTE) {
      if (!absolute) onChange({ ...value, ...toAbsolute({ ...value, start: "" }, Date.now()) });
    } else if (absolute) {
      // Back to relative: the chosen duration, ending now.
      onChange({ ...value, range: choice, start: "", end: "" });
    } else {
      onChange({ ...value, range: choice });
    }
  };

  return (
    <div className={styles.rangePicker}>
      {showRange && (
        <label className={styles.field}>
          <span>Range</span>
          <select
            aria-label="Time range"
            value={absolute ? ABSOLUTE : value.range}
            onChange={(e) => onRangeChoice(e.target.value)}
          >
            {ranges.map((r) => (
              <option key={r} value={r}>
                Last {r}
              </option>
            ))}
            <option value={ABSOLUTE}>Absolute…</option>
          </select>
        </label>
      )}
      {absolute && (
        <label className={styles.field} htmlFor={`${id}-start`}>
          <span>From</span>
          <input
            id={`${id}-start`}
            type="datetime-local"
            aria-label="Start time"
            aria-invalid={invalid}
            value={localValue(value.start)}
            onChange={(e) => {
              const start = fromDatetimeLocal(e.target.value);
              if (start !== "") onChange({ ...value, start });
            }}
          />
        </label>
      )}
      <label className={styles.field} htmlFor={`${id}-end`}>
        <span>{!showRange ? "Time" : absolute ? "To" : "End"}</span>
        <input
          id={`${id}-end`}
          type="datetime-local"
          aria-label={showRange ? "End time (empty: now)" : "Evaluation time (empty: now)"}
          aria-invalid={absolute && invalid}
          value={localValue(value.end)}
          onChange={(e) => onChange({ ...value, end: fromDatetimeLocal(e.target.value) })}
        />
      </label>
      {value.end !== "" && (
        <button
          type="button"
          onClick={() => onChange({ ...value, end: "" })}
          aria-label="Set end time to now"
        >
          Now
        </button>
      )}
      {showStep && (
        <label className={styles.field}>
          <span>Step</span>
          <input
            className={styles.stepInput}
            aria-label="Resolution step (empty: automatic)"
            aria-invalid={stepBad}
            placeholder={rangeMs ? `auto (${formatDuration(autoStepMs(rangeMs))})` : "auto"}
            value={value.step ?? ""}
            onChange={(e) => onChange({ ...value, step: e.target.value.trim() })}
          />
        </label>
      )}
    </div>
  );
}
