// Prometheus marks the end of a series with a special NaN (`model/value/value.go`:
// StaleNaN = 0x7ff0000000000002). Its bit pattern must survive storage exactly, since an
// ordinary NaN is a valid sample value with a different meaning.

const buf = new DataView(new ArrayBuffer(8));
buf.setBigUint64(0, 0x7ff0000000000002n, true);

/** STALE_NAN is Prometheus's staleness marker value. Compare with `isStaleNaN`, never `===`. */
export const STALE_NAN: number = buf.getFloat64(0, true);

const check = new DataView(new ArrayBuffer(8));

/** isStaleNaN reports whether v has exactly the staleness marker's bit pattern. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  check.setFloat64(0, v, true);
  return check.getUint32(0, true) === 2 && check.getUint32(4, true) === 0x7ff00000;
}
