import { useId } from "react";
import {
  RELATIVE_RANGES,
  autoStepMs,
  formatDuration,
  parseDuration,
  parseTimeInput,
  toDatetimeLocal,
} from "../../lib/time.ts";
import styles from "./Explore.module.css";

/** TimeRangeValue is a range ending at end ("" = now), and a step ("" = automatic). */
export interface TimeRangeValue {
  readonly range: string;
  readonly end: string;
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

/**
 * TimeRangePicker picks a relative range (5m … 7d, or any typed duration) ending now or at an
 * absolute time, and optionally a step.
 */
export function TimeRangePicker({
  value,
  onChange,
  showStep = false,
  showRange = true,
}: TimeRangePickerProps) {
  const id = useId();
  const rangeMs = parseDuration(value.range);
  const endMs = value.end === "" ? undefined : parseTimeInput(value.end, Date.now());
  const ranges = RELATIVE_RANGES.includes(value.range)
    ? RELATIVE_RANGES
    : [...RELATIVE_RANGES, value.range];
  const stepBad = value.step !== undefined && value.step !== "" && !parseDuration(value.step);
  return (
    <div className={styles.rangePicker}>
      {showRange && (
        <label className={styles.field}>
          <span>Range</span>
          <select
            aria-label="Time range"
            value={value.range}
            onChange={(e) => onChange({ ...value, range: e.target.value })}
          >
            {ranges.map((r) => (
              <option key={r} value={r}>
                Last {r}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className={styles.field} htmlFor={`${id}-end`}>
        <span>{showRange ? "End" : "Time"}</span>
        <input
          id={`${id}-end`}
          type="datetime-local"
          aria-label={showRange ? "End time (empty: now)" : "Evaluation time (empty: now)"}
          value={endMs !== undefined ? toDatetimeLocal(endMs) : ""}
          onChange={(e) => onChange({ ...value, end: e.target.value })}
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
