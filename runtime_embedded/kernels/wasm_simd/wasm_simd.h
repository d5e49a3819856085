/* Shared pieces of the WebAssembly SIMD128 kernels (kernels/wasm_simd/<op>.c, built with -msimd128 by
 * runtime_wasm/Makefile): per-channel requantization four and eight channels at a time, float activations and
 * gemmlowp's fixed-point steps on four lanes. The GEMM of CONV_2D and FULLY_CONNECTED is in tlw_gemm.h.
 *
 * Int8 results are bit-exact with the reference kernels: every sum is int32 arithmetic modulo 2^32 (as the
 * reference's wrapping uint32 accumulation), so the order of the additions does not matter; products of int8 values
 * widened to int16 go through i32x4.dot_i16x8_s (two products of at most 2^14 each per lane: no overflow); the
 * requantization computes TFLite's MultiplyByQuantizedMultiplier exactly in integer lanes (see tlw_mbqm4_left).
 */
#ifndef TL_WASM_SIMD_H
#define TL_WASM_SIMD_H

#include <wasm_simd128.h>

#include "tl_fixedpoint.h"
#include "tl_kernel.h"

/* Per-channel requantization parameters, TLW_CH4(channels) entries per int32 array (the block is 16-byte aligned
 * since TLW_CH4 is a multiple of 4):
 *   bias    the int32 added to the accumulator first (conv/FC: bias - x_zp * sum(weights), mod 2^32)
 *   lmul    2^left, left = max(shift, 0): the left shift as a wrapping multiply
 *   mult    the multiplier (>= 0, checked by tl_require_quant_params, so SRDHM never saturates)
 *   pow     2^(31 - e) as a uint32 bit pattern, e = max(-shift, 0): RDBPOT's variable shift as a multiply
 *   mask    2^e - 1, and half: mask >> 1 (RDBPOT's remainder and threshold)
 * TFLite's MultiplyByQuantizedMultiplier then takes, per lane, in integers only:
 *   SRDHM   (p + (p >= 0 ? 2^30 : 1 - 2^30)) / 2^31 truncated, p = x * mult, is floor((p + 2^30) / 2^31) for both
 *           signs (for p < 0: trunc(q / 2^31) = floor((q + 2^31 - 1) / 2^31) with q = p + 1 - 2^30); its low 32
 *           bits are those of a logical 64-bit shift.
 *   RDBPOT  floor(s / 2^e) + (rem > half + (s < 0)), rem = s & mask (gemmlowp's form); SIMD128 has no per-lane
 *           shift, so floor(s / 2^e) = floor((s + 2^31) * 2^(31-e) / 2^31) - 2^(31-e): s + 2^31 is s with its sign
 *           bit flipped, read unsigned, and the unsigned 64-bit product stays below 2^63. */
#define TLW_CH4(n) (((uint32_t)(n) + 3u) & ~3u)
enum { TLW_RQ_BIAS = 0, TLW_RQ_LMUL, TLW_RQ_MULT, TLW_RQ_POW, TLW_RQ_MASK, TLW_RQ_HALF, TLW_RQ_INT_ARRAYS };

/* Ask for `bytes` of per-op state (op->state_bytes), or fail with TL_ERROR_LIMIT past what this build allows. */
static inline tl_status tlw_request_state(tl_op *op, uint64_t bytes)
{
    if (bytes > 0x7FFFFFF0u) {
        return tl_fail(op, TL_ERROR_LIMIT, tl_input(op, 1), "needs more kernel state than this build allows");
    }
    op->state_bytes = (uint32_t)bytes;
    return TL_OK;
}

/* Bytes of the parameter block for `channels` channels: the arrays, then 16 bytes whose first int32 says whether
 * any channel shifts left (tlw_rq_left; eight-channel readers of the arrays may read into them). */
static inline uint32_t tlw_rq_bytes(uint32_t channels)
{
    return TLW_CH4(channels) * 4u * TLW_RQ_INT_ARRAYS + 16u;
}

/* 1 when any channel of block rq (n4 = TLW_CH4(channels)) has a left shift, 0 when the left multiply can go. */
static inline int tlw_rq_left(const int32_t *rq, uint32_t n4)
{
    return rq[TLW_RQ_INT_ARRAYS * n4];
}

/* Fill the multiplier/shift arrays of a block from the op's quant_params (bias is left to the caller): block
 * channel c takes the op's channel map[c] (map NULL: c). Padding channels keep zeros: their results are never
 * stored. */
static inline void tlw_rq_init_map(int32_t *rq, const tl_quant_params *q, uint32_t channels, const uint32_t *map)
{
    const uint32_t n4 = TLW_CH4(channels);
    int32_t any_left = 0;
    uint32_t c;
    for (c = 0; c < channels; c++) {
        const uint32_t from = map ? map[c] : c;
        const int32_t shift = q->output_shift[from];
        const int32_t left = shift > 0 ? shift : 0, e = shift > 0 ? 0 : -shift;
        const uint32_t mask = ((uint32_t)1 << e) - 1u;
        rq[TLW_RQ_LMUL * n4 + c] = tl_wrap32((uint32_t)1 << left);
        rq[TLW_RQ_MULT * n4 + c] = q->output_multiplier[from];
        rq[TLW_RQ_POW * n4 + c] = tl_wrap32((uint32_t)1 << (31 - e));
        rq[TLW_RQ_MASK * n4 + c] = (int32_t)mask;
        rq[TLW_RQ_HALF * n4 + c] = (int32_t)(mask >> 1);
        any_left |= left > 0;
    }
    rq[TLW_RQ_INT_ARRAYS * n4] = any_left;
}

/* tlw_rq_init_map for every channel in order. */
static inline void tlw_rq_init(int32_t *rq, const tl_quant_params *q, uint32_t channels)
{
    tlw_rq_init_map(rq, q, channels, NULL);
}

/* SRDHM of four int32 lanes by per-lane multipliers m >= 0. */
static inline v128_t tlw_srdhm4v(v128_t x, v128_t m)
{
    const v128_t half = wasm_i64x2_splat((int64_t)1 << 30);
    const v128_t lo = wasm_u64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), half), 31);
    const v128_t hi = wasm_u64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), half), 31);
    return wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
}

/* RDBPOT of four int32 lanes by per-lane exponents, given as pow = 2^(31-e), mask = 2^e - 1, half = mask >> 1. */
static inline v128_t tlw_rdbpot4v(v128_t s, v128_t pow, v128_t mask, v128_t half)
{
    const v128_t u = wasm_v128_xor(s, wasm_i32x4_splat(TL_INT32_MIN));
    const v128_t lo = wasm_u64x2_shr(wasm_u64x2_extmul_low_u32x4(u, pow), 31);
    const v128_t hi = wasm_u64x2_shr(wasm_u64x2_extmul_high_u32x4(u, pow), 31);
    const v128_t floor = wasm_i32x4_sub(wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6), pow);
    const v128_t threshold = wasm_i32x4_sub(half, wasm_i32x4_lt(s, wasm_i32x4_splat(0)));
    return wasm_i32x4_sub(floor, wasm_i32x4_gt(wasm_v128_and(s, mask), threshold));
}

/* tl_mbqm of four int32 lanes (channels c..c+3 of block rq, n4 its array length), before the zero point; `left`
 * may be 0 when no channel has a left shift (tlw_rq_left: lmul all 1, the multiply is skipped). */
static inline v128_t tlw_mbqm4_left(v128_t acc, const int32_t *rq, uint32_t n4, uint32_t c, int left)
{
    const v128_t x = left ? wasm_i32x4_mul(acc, wasm_v128_load(rq + TLW_RQ_LMUL * n4 + c)) : acc;
    const v128_t s = tlw_srdhm4v(x, wasm_v128_load(rq + TLW_RQ_MULT * n4 + c));
    return tlw_rdbpot4v(s, wasm_v128_load(rq + TLW_RQ_POW * n4 + c), wasm_v128_load(rq + TLW_RQ_MASK * n4 + c),
                        wasm_v128_load(rq + TLW_RQ_HALF * n4 + c));
}

/* Eight channels c..c+7 at once, as int8 in the low 8 bytes: tl_mbqm + zp clamped to [lo, hi] (`left` as in
 * tlw_mbqm4_left). zp16: the zero point as int16 lanes; lo8, hi8: the bounds as int8 lanes. Saturating narrows then
 * a saturating int16 add of the zero point give the clamp of the exact int64 sum (|zp| <= 128 and the bounds are
 * inside int8). Always inlined: a call per eight channels costs more than the arithmetic. */
__attribute__((always_inline)) static inline v128_t tlw_requant8(v128_t acc0, v128_t acc1, const int32_t *rq,
                                                                 uint32_t n4, uint32_t c, int left, v128_t zp16,
                                                                 v128_t lo8, v128_t hi8)
{
    const v128_t r0 = tlw_mbqm4_left(acc0, rq, n4, c, left), r1 = tlw_mbqm4_left(acc1, rq, n4, c + 4, left);
    const v128_t h = wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(r0, r1), zp16);
    return wasm_i8x16_min(wasm_i8x16_max(wasm_i8x16_narrow_i16x8(h, h), lo8), hi8);
}

/* Store the first `count` (1..4) int8 lanes of a narrowed vector at dst. */
static inline void tlw_store4(int8_t *dst, v128_t bytes, uint32_t count)
{
    if (count == 4) {
        wasm_v128_store32_lane(dst, bytes, 0);
    } else {
        uint32_t i;
        int8_t tmp[16];
        wasm_v128_store(tmp, bytes);
        for (i = 0; i < count; i++) {
            dst[i] = tmp[i];
        }
    }
}

/* bias[c] = (b ? b[f] : 0) - x_zp * sum_k w[f*depth + k] with f = map ? map[c] : c, wrapping (the zero-point term
 * of a dot product whose int8 inputs are used raw: sum (x - zp) w = sum x w - zp sum w, exactly, modulo 2^32). */
static inline void tlw_rq_bias(int32_t *rq, const int8_t *w, const int32_t *b, uint32_t channels, uint32_t depth,
                               int32_t x_zp, const uint32_t *map)
{
    uint32_t c, k;
    for (c = 0; c < channels; c++) {
        const uint32_t from = map ? map[c] : c;
        uint32_t sum = 0u;
        const int8_t *row = w + (size_t)from * depth;
        for (k = 0; k < depth; k++) {
            sum += (uint32_t)(int32_t)row[k];
        }
        rq[c] = tl_wrap32((b ? (uint32_t)b[from] : 0u) - (uint32_t)x_zp * sum);
    }
}

/* A float32 fused activation on four lanes, as tl_activate_float (NaN and -0 kept). */
static inline v128_t tlw_activate_f32x4(v128_t v, int32_t activation)
{
    const v128_t zero = wasm_f32x4_splat(0.0f);
    if (activation == TL_ACTIVATION_RELU || activation == TL_ACTIVATION_RELU6) {
        v = wasm_v128_bitselect(zero, v, wasm_f32x4_lt(v, zero));
    }
    if (activation == TL_ACTIVATION_RELU6) {
        const v128_t six = wasm_f32x4_splat(6.0f);
        v = wasm_v128_bitselect(six, v, wasm_f32x4_gt(v, six));
    }
    return v;
}

#endif /* TL_WASM_SIMD_H */
