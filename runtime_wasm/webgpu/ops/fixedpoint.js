// gemmlowp's fixed-point arithmetic in JavaScript, bit-exact with converter/reference/gemmlowp.py (int32 values
// in plain numbers, 64-bit products in BigInt), for the tables the int8 SOFTMAX kernel computes once at load.

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

// Raw Q0.31 constants of gemmlowp: exp(-1/8), 1/3, and exp(-2^e) for the barrel shifter.
const EXP_MINUS_ONE_EIGHTH = 1895147668;
const ONE_THIRD = 715827883;
const EXP_BARREL = [[-2, 1672461947], [-1, 1302514674], [0, 790015084], [1, 290630308], [2, 39332535], [3, 720401],
  [4, 242]];

const add = (a, b) => (a + b) | 0;
const sub = (a, b) => (a - b) | 0;

/** SaturatingRoundingDoublingHighMul. */
function srdhm(a, b) {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const product = BigInt(a) * BigInt(b);
  return Number((product + (product >= 0n ? 1n << 30n : 1n - (1n << 30n))) / (1n << 31n)); // truncates to zero
}

/** RoundingDivideByPOT, exponent in [0, 31]. */
function rdbpot(x, exponent) {
  const mask = 2 ** exponent - 1;
  const remainder = x & mask;
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** SaturatingRoundingMultiplyByPOT, exponent in [-31, 31]. */
function srmpot(x, exponent) {
  if (exponent <= 0) return rdbpot(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x << exponent) | 0;
}

/** MultiplyByQuantizedMultiplier. */
function mbqm(x, multiplier, shift) {
  return rdbpot(srdhm((x << Math.max(shift, 0)) | 0, multiplier), Math.max(-shift, 0));
}

function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a) {
  const x = add(a, 1 << 28); // a + 1/8
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = srmpot(x4, -2);
  const rest = srmpot(add(srdhm(add(x4Over4, x3), ONE_THIRD), x2), -1);
  return add(EXP_MINUS_ONE_EIGHTH, srdhm(EXP_MINUS_ONE_EIGHTH, add(x, rest)));
}

/** exp of a FixedPoint<int32, integerBits> a <= 0, as Q0.31 (gemmlowp's exp_on_negative_values). */
function expOnNegativeValues(a, integerBits) {
  const fractional = 31 - integerBits;
  const oneQuarter = 2 ** (fractional - 2);
  const aModQuarterMinusOneQuarter = sub(a & (oneQuarter - 1), oneQuarter);
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(srmpot(aModQuarterMinusOneQuarter, integerBits));
  const remainder = sub(aModQuarterMinusOneQuarter, a);
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent && (remainder & 2 ** (fractional + exponent)) !== 0) {
      result = srdhm(result, multiplier);
    }
  }
  if (integerBits > 5 && a < -(2 ** (36 - integerBits))) result = 0;
  return a === 0 ? INT32_MAX : result;
}

/** [256] tables by d = row max - x of the int8 SOFTMAX / LOG_SOFTMAX input (TFLite's scaled diffs): `scaled`, the
 * Q5.26 beta * diff (MultiplyByQuantizedMultiplier of diff, 0 where diff < diff_min); `exps`, its gemmlowp exp in
 * Q0.31 (-1 where diff < diff_min: the entry contributes nothing); `terms`, the exp in Q12.19 (0 there). */
export function diffTables(qp) {
  const { input_multiplier: [multiplier], input_shift: [shift], diff_min: diffMin } = qp;
  const scaled = [], exps = [], terms = [];
  for (let d = 0; d < 256; d++) {
    const valid = -d >= diffMin;
    const s = mbqm(valid ? -d : 0, multiplier, shift);
    const e = expOnNegativeValues(s, 5);
    scaled.push(s);
    exps.push(valid ? e : -1);
    terms.push(valid ? rdbpot(e, 12) : 0);
  }
  return { scaled, exps, terms };
}

/** WGSL of gemmlowp's pieces the int8 SOFTMAX / LOG_SOFTMAX kernels evaluate per row (with srdhm and rdbpot of
 * wgsl.js REQUANT_FNS): SaturatingRoundingMultiplyByPOT, RoundingHalfSum, one_over_one_plus_x_for_x_in_0_1. */
export const FIXEDPOINT_WGSL = `fn srmpot(x: i32, exponent: i32) -> i32 {
  if (exponent <= 0i) { return rdbpot(x, u32(-exponent)); }
  let threshold = i32((1u << (31u - u32(exponent))) - 1u);
  if (x > threshold) { return 0x7FFFFFFFi; }
  if (x < -threshold) { return bitcast<i32>(0x80000000u); }
  return x << u32(exponent);
}
// (a + b) / 2 rounded half away from zero, without overflowing: a + b = 2 h + l.
fn rounding_half_sum(a: i32, b: i32) -> i32 {
  let h = (a >> 1u) + (b >> 1u);
  let l = (a & 1i) + (b & 1i);
  if (h >= 0i || (h == -1i && l == 2i)) { return h + ((l + 1i) >> 1u); }
  return h + select(0i, 1i, l == 2i);
}
fn one_over_one_plus_x(a: i32) -> i32 {
  let half_denominator = rounding_half_sum(a, 0x7FFFFFFFi);
  var x = 1515870810i + srdhm(half_denominator, -1010580540i); // 48/17 - 32/17 d, Q2.29
  for (var k = 0; k < 3; k = k + 1) {
    let one_minus = 0x20000000i - srdhm(half_denominator, x);
    x = x + srmpot(srdhm(x, one_minus), 2i);
  }
  return srmpot(x, 1i);
}
`;
