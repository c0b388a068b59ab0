// Go number formatting the engine's messages need.

/**
 * formatGoG renders v as Go's %g verb (strconv.FormatFloat(v, 'g', -1, 64)): the shortest
 * representation that round-trips, in exponent form when the decimal exponent is < -4 or >= 6
 * (strconv's ftoa: the shortest form uses eprec = 6), e.g. 1e+06, 123456, 1.5e-05.
 */
export function formatGoG(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const exp = v.toExponential(); // shortest round-trip digits, e.g. "1.5e+6"
  const [mant, e] = exp.split("e") as [string, string];
  const x = Number(e);
  const digits = mant.replace("-", "").replace(".", "").length;
  if (x < -4 || x >= 6) {
    const sign = x < 0 ? "-" : "+";
    const ax = Math.abs(x);
    return `${mant}e${sign}${ax < 10 ? "0" : ""}${ax}`;
  }
  // Plain notation.
  return String(v).includes("e") ? v.toFixed(Math.max(0, digits - 1 - x)) : String(v);
}
