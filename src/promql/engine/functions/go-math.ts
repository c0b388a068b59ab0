// Go's math library as Prometheus runs it on amd64, so that element-wise PromQL functions give
// bit-identical results: Exp and Log are the amd64 assembly versions (Exp taking the FMA path
// that Go selects on CPUs with AVX2 and FMA), and the rest are the pure-Go implementations of
// math/sin.go, tan.go, trig_reduce.go, atan.go, asin.go, sinh.go, tanh.go, asinh.go, acosh.go,
// atanh.go, log1p.go, log10.go (Cephes- and FreeBSD-derived algorithms, which round differently
// from V8's fdlibm in the last bit). Constants are Go's, written in shortest round-trip form.

const view = new DataView(new ArrayBuffer(8));

function bits(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

function fromBits(b: bigint): number {
  view.setBigUint64(0, BigInt.asUintN(64, b));
  return view.getFloat64(0);
}

// ldexp returns x * 2^n, exact whenever the result is representable.
function ldexp(x: number, n: number): number {
  while (n > 1000) {
    x *= 2 ** 1000;
    n -= 1000;
  }
  while (n < -1000) {
    x *= 2 ** -1000;
    n += 1000;
  }
  return x * 2 ** n;
}

// decompose returns (m, e) with x = m * 2^e exactly, for finite x.
function decompose(x: number): [bigint, number] {
  const b = bits(x);
  const expField = Number((b >> 52n) & 0x7ffn);
  let m = b & 0xfffffffffffffn;
  let e = -1074;
  if (expField !== 0) {
    m |= 1n << 52n;
    e = expField - 1075;
  }
  return [b >> 63n === 1n ? -m : m, e];
}

/** fma returns a*b + c computed exactly and rounded once (round half to even). */
export function fma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a * b + c;
  // The exact product of finite numbers is finite, so an infinite or NaN c decides.
  if (!Number.isFinite(c)) return c;
  if (a === 0 || b === 0) return a * b + c;
  if (c === 0) return a * b;
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const mp = ma * mb;
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = (mp << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return 0;
  const neg = sum < 0n;
  const abs = neg ? -sum : sum;
  const len = abs.toString(2).length;
  const drop = Math.max(len - 53, -1074 - e, 0);
  let q = abs;
  if (drop > 0) {
    const d = BigInt(drop);
    q = abs >> d;
    const r = abs - (q << d);
    const half = 1n << (d - 1n);
    if (r > half || (r === half && (q & 1n) === 1n)) q++;
  }
  const v = ldexp(Number(q), e + drop);
  return neg ? -v : v;
}

// roundToInt32 is CVTSD2SL: round half to even into int32, or the "integer indefinite"
// -2^31 when out of range.
function roundToInt32(v: number): number {
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  if (!(r >= -(2 ** 31) && r < 2 ** 31)) return -(2 ** 31);
  return r;
}

const EXP_LN2U = 0.693147180559663;
const EXP_LN2L = 2.8235290563031577e-13;
const EXP_LOG2E = 1.4426950408889634;
const EXP_OVERFLOW = 709.782712893384;
const EXP_TAYLOR = [
  0.0000248015873015873, 0.0001984126984126984, 0.001388888888888889, 0.008333333333333333,
  0.041666666666666664, 0.16666666666666666, 0.5, 1,
];

/**
 * goExp is math.Exp on amd64 (exp_amd64.s, FMA variant): Shibata's method with a Taylor series,
 * scaled by the power of two in one step (two for subnormal results); a scale of 2^1024
 * overflows to +Inf a little before the true limit.
 */
export function goExp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === -Infinity) return 0;
  if (x > EXP_OVERFLOW) return Infinity;
  const k = roundToInt32(x * EXP_LOG2E);
  let r = fma(-k, EXP_LN2U, x);
  r = fma(-k, EXP_LN2L, r);
  r *= 0.0625;
  let p = EXP_TAYLOR[0]!;
  for (let i = 1; i < EXP_TAYLOR.length; i++) p = fma(r, p, EXP_TAYLOR[i]!);
  r *= p;
  for (let i = 0; i < 3; i++) r *= r + 2;
  r = fma(r + 2, r, 1);
  const biased = k + 0x3ff;
  if (biased <= 0) {
    // Subnormal results are scaled in two steps, rounding twice.
    if (biased < -52) return 0;
    return r * fromBits(BigInt(biased + 0x3fe) << 52n) * 2 ** -1022;
  }
  if (biased >= 0x7ff) return Infinity;
  return r * fromBits(BigInt(biased) << 52n);
}

const LOG_HSQRT2 = 0.7071067811865476;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const L1 = 0.6666666666666735;
const L2 = 0.3999999999940942;
const L3 = 0.2857142874366239;
const L4 = 0.22222198432149784;
const L5 = 0.1818357216161805;
const L6 = 0.15313837699209373;
const L7 = 0.14798198605116586;

/**
 * goLog is math.Log on amd64 (log_amd64.s): FreeBSD's algorithm, with the fraction and
 * exponent taken straight from the bits (so subnormal inputs are treated as if normal).
 */
export function goLog(x: number): number {
  if (x === 0) return -Infinity;
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === Infinity) return x;
  const b = bits(x);
  let f1 = fromBits((b & 0xfffffffffffffn) | 0x3fe0000000000000n);
  let k = Number((b >> 52n) & 0x7ffn) - 0x3fe;
  if (!(LOG_HSQRT2 < f1)) {
    k -= 1;
    f1 *= 2;
  }
  const f = f1 - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
  const t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
  const R = t1 + t2;
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
}

const SQRT2_M1 = 0.41421356237309503;
const SQRT2_HALF_M1 = -0.2928932188134525;

/** goLog1p is math.Log1p (pure Go, FreeBSD s_log1p.c). */
export function goLog1p(x: number): number {
  if (x < -1 || Number.isNaN(x)) return NaN;
  if (x === -1) return -Infinity;
  if (x === Infinity) return Infinity;
  const absx = Math.abs(x);
  let f = 0;
  let iu = 0n;
  let k = 1;
  if (absx < SQRT2_M1) {
    if (absx < 2 ** -29) {
      if (absx < 2 ** -54) return x;
      return x - x * x * 0.5;
    }
    if (x > SQRT2_HALF_M1) {
      k = 0;
      f = x;
      iu = 1n;
    }
  }
  let c = 0;
  if (k !== 0) {
    let u: number;
    if (absx < 2 ** 53) {
      u = 1.0 + x;
      iu = bits(u);
      k = Number((iu >> 52n) - 1023n);
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
      c /= u;
    } else {
      u = x;
      iu = bits(u);
      k = Number((iu >> 52n) - 1023n);
      c = 0;
    }
    iu &= 0xfffffffffffffn;
    if (iu < 0x6a09e667f3bcdn) {
      u = fromBits(iu | 0x3ff0000000000000n);
    } else {
      k++;
      u = fromBits(iu | 0x3fe0000000000000n);
      iu = (0x10000000000000n - iu) >> 2n;
    }
    f = u - 1.0;
  }
  const hfsq = 0.5 * f * f;
  if (iu === 0n) {
    if (f === 0) {
      if (k === 0) return 0;
      c += k * LN2_LO;
      return k * LN2_HI + c;
    }
    const R = hfsq * (1.0 - 0.6666666666666666 * f);
    if (k === 0) return f - R;
    return k * LN2_HI - (R - (k * LN2_LO + c) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (L1 + z * (L2 + z * (L3 + z * (L4 + z * (L5 + z * (L6 + z * L7))))));
  if (k === 0) return f - (hfsq - s * (hfsq + R));
  return k * LN2_HI - (hfsq - (s * (hfsq + R) + (k * LN2_LO + c)) - f);
}

// 1/ln(2) and 1/ln(10) as Go's exact constant arithmetic rounds them.
const INV_LN2 = 1.4426950408889634;
const INV_LN10 = 0.4342944819032518;
const MIN_NORMAL = 2 ** -1022;

/** frexp splits x into a fraction in [0.5, 1) and a power of two (math.Frexp). */
export function frexp(x: number): [frac: number, exp: number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = 0;
  if (Math.abs(x) < MIN_NORMAL) {
    x *= 2 ** 52;
    e = -52;
  }
  const b = bits(x);
  e += Number((b >> 52n) & 0x7ffn) - 1022;
  return [fromBits((b & ~(0x7ffn << 52n)) | (1022n << 52n)), e];
}

/** goLog2 is math.Log2: exact for powers of two, Log(frac)/ln 2 + exp otherwise. */
export function goLog2(x: number): number {
  const [frac, exp] = frexp(x);
  if (frac === 0.5) return exp - 1;
  return goLog(frac) * INV_LN2 + exp;
}

/** goLog10 is math.Log10: Log(x) / ln 10. */
export function goLog10(x: number): number {
  return goLog(x) * INV_LN10;
}

const PI4A = 0.7853981256484985;
const PI4B = 3.774894707930798e-8;
const PI4C = 2.6951514290790595e-15;
const FOUR_OVER_PI = 1.2732395447351628;
const REDUCE_THRESHOLD = 2 ** 29;
const SIN = [
  1.5896230157654656e-10, -2.5050747762857807e-8, 0.0000027557313621385722, -0.0001984126982958954,
  0.008333333333322118, -0.1666666666666663,
];
const COS = [
  -1.1358536521387682e-11, 2.087570084197473e-9, -2.755731417929674e-7, 0.000024801587288851704,
  -0.0013888888888873056, 0.041666666666666595,
];

// 4/pi in 64-bit digits, for Payne-Hanek reduction of huge arguments.
const M_PI4 = [
  0x0000000000000001n,
  0x45f306dc9c882a53n,
  0xf84eafa3ea69bb81n,
  0xb6c52b3278872083n,
  0xfca2c757bd778ac3n,
  0x6e48dc74849ba5c0n,
  0x0c925dd413a32439n,
  0xfc3bd63962534e7dn,
  0xd1046bea5d768909n,
  0xd338e04d68befc82n,
  0x7323ac7306a673e9n,
  0x3908bf177bf25076n,
  0x3ff12fffbc0b301fn,
  0xde5e2316b414da3en,
  0xda6cfd9e4f96136en,
  0x9e8c7ecd3cbfd45an,
  0xea4f758fd7cbe2f6n,
  0x7a0e73ef14a525d4n,
  0xd7f6bf623f1aba10n,
  0xac06608df8f6d757n,
];

const U64 = (1n << 64n) - 1n;

// trigReduce is Payne-Hanek reduction by pi/4 for x >= 2^29: the octant j and the remainder z.
function trigReduce(x: number): [number, number] {
  const PI4 = Math.PI / 4;
  if (x < PI4) return [0, x];
  let ix = bits(x);
  const exp = Number((ix >> 52n) & 0x7ffn) - 1023 - 52;
  ix &= ~(0x7ffn << 52n);
  ix |= 1n << 52n;
  const digit = Math.floor((exp + 61) / 64);
  const bitshift = BigInt((exp + 61) % 64);
  const shl = (v: bigint, n: bigint): bigint => (n >= 64n ? 0n : (v << n) & U64);
  const shr = (v: bigint, n: bigint): bigint => (n >= 64n ? 0n : v >> n);
  const z0 = shl(M_PI4[digit]!, bitshift) | shr(M_PI4[digit + 1]!, 64n - bitshift);
  const z1 = shl(M_PI4[digit + 1]!, bitshift) | shr(M_PI4[digit + 2]!, 64n - bitshift);
  const z2 = shl(M_PI4[digit + 2]!, bitshift) | shr(M_PI4[digit + 3]!, 64n - bitshift);
  const z2hi = (z2 * ix) >> 64n;
  const z1prod = z1 * ix;
  const z1hi = z1prod >> 64n;
  const z1lo = z1prod & U64;
  const z0lo = (z0 * ix) & U64;
  const loSum = z1lo + z2hi;
  const lo = loSum & U64;
  const carry = loSum >> 64n;
  let hi = (z0lo + z1hi + carry) & U64;
  let j = Number(hi >> 61n);
  hi = ((hi << 3n) & U64) | (lo >> 61n);
  const lz = hi === 0n ? 64n : BigInt(64 - hi.toString(2).length);
  const e = BigInt.asUintN(64, 1023n - (lz + 1n));
  hi = shl(hi, lz + 1n) | shr(lo, BigInt.asUintN(64, 64n - (lz + 1n)));
  hi >>= 64n - 52n;
  hi |= e << 52n;
  let z = fromBits(hi);
  if ((j & 1) === 1) {
    j = (j + 1) & 7;
    z--;
  }
  return [j, z * PI4];
}

// octant reduces |x| (below or above the Payne-Hanek threshold) to the octant j (not masked
// for tan) and remainder z, as sin, cos and tan do.
function octant(x: number, mask: boolean): [number, number] {
  if (x >= REDUCE_THRESHOLD) return trigReduce(x);
  let j = Math.trunc(x * FOUR_OVER_PI);
  let y = j;
  if ((j & 1) === 1) {
    j++;
    y++;
  }
  if (mask) j &= 7;
  return [j, x - y * PI4A - y * PI4B - y * PI4C];
}

function sinPoly(z: number, zz: number): number {
  return (
    z +
    z *
      zz *
      (((((SIN[0]! * zz + SIN[1]!) * zz + SIN[2]!) * zz + SIN[3]!) * zz + SIN[4]!) * zz + SIN[5]!)
  );
}

function cosPoly(zz: number): number {
  return (
    1.0 -
    0.5 * zz +
    zz *
      zz *
      (((((COS[0]! * zz + COS[1]!) * zz + COS[2]!) * zz + COS[3]!) * zz + COS[4]!) * zz + COS[5]!)
  );
}

/** goSin is math.Sin (Cephes sin.c). */
export function goSin(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return NaN;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  const [octantJ, z] = octant(x, true);
  let j = octantJ;
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  const zz = z * z;
  const y = j === 1 || j === 2 ? cosPoly(zz) : sinPoly(z, zz);
  return sign ? -y : y;
}

/** goCos is math.Cos (Cephes sin.c). */
export function goCos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  let sign = false;
  x = Math.abs(x);
  const [octantJ, z] = octant(x, true);
  let j = octantJ;
  if (j > 3) {
    j -= 4;
    sign = !sign;
  }
  if (j > 1) sign = !sign;
  const zz = z * z;
  const y = j === 1 || j === 2 ? sinPoly(z, zz) : cosPoly(zz);
  return sign ? -y : y;
}

const TAN_P = [-13093.693918138379, 1153516.6483858742, -17956525.197648488];
const TAN_Q = [1, 13681.296347069296, -1320892.3444021097, 25008380.18233579, -53869575.592945464];

/** goTan is math.Tan (Cephes tan.c). */
export function goTan(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return NaN;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  const [j, z] = octant(x, false);
  const zz = z * z;
  let y = z;
  if (zz > 1e-14) {
    y =
      z +
      z *
        ((zz * ((TAN_P[0]! * zz + TAN_P[1]!) * zz + TAN_P[2]!)) /
          ((((zz + TAN_Q[1]!) * zz + TAN_Q[2]!) * zz + TAN_Q[3]!) * zz + TAN_Q[4]!));
  }
  if ((j & 2) === 2) y = -1 / y;
  return sign ? -y : y;
}

const ATAN_P = [
  -0.8750608600031904, -16.157537187333652, -75.00855792314705, -122.88666844901361,
  -64.85021904942025,
];
const ATAN_Q = [
  24.858464901423062, 165.02700983169885, 432.88106049129027, 485.3903996359137, 194.5506571482614,
];
const MOREBITS = 6.123233995736766e-17;
const TAN3PIO8 = 2.414213562373095;

function xatan(x: number): number {
  let z = x * x;
  z =
    (z * ((((ATAN_P[0]! * z + ATAN_P[1]!) * z + ATAN_P[2]!) * z + ATAN_P[3]!) * z + ATAN_P[4]!)) /
    (((((z + ATAN_Q[0]!) * z + ATAN_Q[1]!) * z + ATAN_Q[2]!) * z + ATAN_Q[3]!) * z + ATAN_Q[4]!);
  return x * z + x;
}

function satan(x: number): number {
  if (x <= 0.66) return xatan(x);
  if (x > TAN3PIO8) return Math.PI / 2 - xatan(1 / x) + MOREBITS;
  return Math.PI / 4 + xatan((x - 1) / (x + 1)) + 0.5 * MOREBITS;
}

/** goAtan is math.Atan (Cephes atan.c). */
export function goAtan(x: number): number {
  if (x === 0) return x;
  if (x > 0) return satan(x);
  return -satan(-x);
}

/** goAsin is math.Asin. */
export function goAsin(x: number): number {
  if (x === 0) return x;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  if (x > 1) return NaN;
  let temp = Math.sqrt(1 - x * x);
  if (x > 0.7) temp = Math.PI / 2 - satan(temp / x);
  else temp = satan(x / temp);
  return sign ? -temp : temp;
}

/** goAcos is math.Acos: pi/2 - Asin(x). */
export function goAcos(x: number): number {
  return Math.PI / 2 - goAsin(x);
}

const SINH_P = [-630767.3640497717, -89912.72022039509, -2894.211355989564, -26.30563213397497];
const SINH_Q = [-630767.3640497717, 15215.17378790019, -173.6789535582337];

/** goSinh is math.Sinh (Hart & Cheney #2029 near zero, Exp elsewhere). */
export function goSinh(x: number): number {
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let temp: number;
  if (x > 21) {
    temp = goExp(x) * 0.5;
  } else if (x > 0.5) {
    const ex = goExp(x);
    temp = (ex - 1 / ex) * 0.5;
  } else {
    const sq = x * x;
    temp = (((SINH_P[3]! * sq + SINH_P[2]!) * sq + SINH_P[1]!) * sq + SINH_P[0]!) * x;
    temp = temp / (((sq + SINH_Q[2]!) * sq + SINH_Q[1]!) * sq + SINH_Q[0]!);
  }
  return sign ? -temp : temp;
}

/** goCosh is math.Cosh. */
export function goCosh(x: number): number {
  x = Math.abs(x);
  if (x > 21) return goExp(x) * 0.5;
  const ex = goExp(x);
  return (ex + 1 / ex) * 0.5;
}

const TANH_P = [-0.9643991794250523, -99.28772310019185, -1614.6876844170845];
const TANH_Q = [112.81167849163293, 2235.4883906010045, 4844.063053251255];
const MAXLOG = 88.02969193111305;

/** goTanh is math.Tanh (Cephes tanh.c). */
export function goTanh(x: number): number {
  let z = Math.abs(x);
  if (z > 0.5 * MAXLOG) return x < 0 ? -1 : 1;
  if (z >= 0.625) {
    const s = goExp(2 * z);
    z = 1 - 2 / (s + 1);
    return x < 0 ? -z : z;
  }
  if (x === 0) return x;
  const s = x * x;
  return (
    x +
    (x * s * ((TANH_P[0]! * s + TANH_P[1]!) * s + TANH_P[2]!)) /
      (((s + TANH_Q[0]!) * s + TANH_Q[1]!) * s + TANH_Q[2]!)
  );
}

const LN2 = 0.6931471805599453;

/** goAsinh is math.Asinh (FreeBSD s_asinh.c). */
export function goAsinh(x: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x)) return x;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let temp: number;
  if (x > 2 ** 28) temp = goLog(x) + LN2;
  else if (x > 2) temp = goLog(2 * x + 1 / (Math.sqrt(x * x + 1) + x));
  else if (x < 2 ** -28) temp = x;
  else temp = goLog1p(x + (x * x) / (1 + Math.sqrt(1 + x * x)));
  return sign ? -temp : temp;
}

/** goAcosh is math.Acosh (FreeBSD e_acosh.c). */
export function goAcosh(x: number): number {
  if (x < 1 || Number.isNaN(x)) return NaN;
  if (x === 1) return 0;
  if (x >= 2 ** 28) return goLog(x) + LN2;
  if (x > 2) return goLog(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
  const t = x - 1;
  return goLog1p(t + Math.sqrt(2 * t + t * t));
}

/** goAtanh is math.Atanh (FreeBSD e_atanh.c). */
export function goAtanh(x: number): number {
  if (x < -1 || x > 1 || Number.isNaN(x)) return NaN;
  if (x === 1) return Infinity;
  if (x === -1) return -Infinity;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let temp: number;
  if (x < 2 ** -28) {
    temp = x;
  } else if (x < 0.5) {
    temp = x + x;
    temp = 0.5 * goLog1p(temp + (temp * x) / (1 - x));
  } else {
    temp = 0.5 * goLog1p((x + x) / (1 - x));
  }
  return sign ? -temp : temp;
}

const EXP2_LN2_HI = 6.9314718036912382e-1;
const EXP2_LN2_LO = 1.9082149292705877e-10;
const EXPM_P1 = 1.6666666666666666e-1;
const EXPM_P2 = -2.7777777777015593e-3;
const EXPM_P3 = 6.613756321437934e-5;
const EXPM_P4 = -1.6533902205465252e-6;
const EXPM_P5 = 4.1381367970572385e-8;

/**
 * goExp2 is math.Exp2 as it runs on amd64, which has no assembly version: the pure-Go exp2
 * (argument reduction to |r| <= ln2/2, then expmulti's rational approximation and Ldexp).
 */
export function goExp2(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === -Infinity) return 0;
  if (x > 1.0239999999999999e3) return Infinity;
  if (x < -1.074e3) return 0;
  let k = 0;
  if (x > 0) k = Math.trunc(x + 0.5);
  else if (x < 0) k = Math.trunc(x - 0.5);
  const t = x - k;
  const hi = t * EXP2_LN2_HI;
  const lo = -t * EXP2_LN2_LO;
  // expmulti
  const r = hi - lo;
  const tt = r * r;
  const c = r - tt * (EXPM_P1 + tt * (EXPM_P2 + tt * (EXPM_P3 + tt * (EXPM_P4 + tt * EXPM_P5))));
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  return ldexp(y, k);
}
