// Floating-point helpers with Prometheus's exact operation order: Kahan-Neumaier summation and
// least-squares regression (promql/functions.go kahanSumInc, linearRegression), relative
// float comparison (util/almost).
import type { FPoint } from "../value.ts";

/**
 * kahanSumInc adds inc to a running Kahan-Neumaier sum (sum, c) and returns the new pair. The
 * compensation is dropped once the sum overflows, so that it does not turn into NaN.
 */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) {
    c = 0;
  } else if (Math.abs(sum) >= Math.abs(inc)) {
    c += sum - t + inc;
  } else {
    c += inc - t + sum;
  }
  return [t, c];
}

/**
 * linearRegression fits y = slope*x + intercept by least squares over the points, with x in
 * seconds relative to interceptTimeMs, so the intercept is the fitted value at that time.
 * A constant series has slope 0 (NaN for a constant infinite series).
 */
export function linearRegression(
  samples: readonly FPoint[],
  interceptTimeMs: number,
): [slope: number, intercept: number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = samples[0]!.f;
  let constY = true;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (constY && i > 0 && s.f !== initY) constY = false;
    n += 1;
    const x = (s.t - interceptTimeMs) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(s.f, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * s.f, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

/** MIN_NORMAL is the smallest positive normal float64. */
const MIN_NORMAL = 2 ** -1022;

/**
 * almostEqual reports whether a and b differ by less than epsilon relative to their magnitude
 * (util/almost.Equal); two NaNs are equal. Stale markers never reach the function library, so
 * the stale-NaN rule of the original is not needed.
 */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
