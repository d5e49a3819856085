/* Checks tlw_requant8 of kernels/wasm_simd/wasm_simd.h (what the SIMD128 CONV_2D, FULLY_CONNECTED and
 * DEPTHWISE_CONV_2D kernels requantize with) against the scalar reference arithmetic: tl_mbqm + zero point, clamped
 * to [act_min, act_max]. Built to wasm32 with -msimd128 and run under wasmtime by test_wasm_requant8.py.
 * check(n, seed) returns the number of mismatching lanes over n random groups of eight channels: accumulators over
 * the whole int32 range and near 0, multipliers 0 .. 2^31 - 1, shifts -31 .. 31 (the left multiply skipped when no
 * channel shifts left, as the kernels do), zero points and activation bounds anywhere in int8. */
#include "wasm_simd.h"

static uint32_t state;

static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static int32_t pick_x(void)
{
    static const int32_t edges[] = {TL_INT32_MIN, TL_INT32_MIN + 1, -65536, -2, -1, 0, 1, 2, 65535,
                                    TL_INT32_MAX - 1, TL_INT32_MAX};
    const uint32_t r = next();
    if (r % 5 == 0) {
        return edges[next() % (sizeof edges / sizeof edges[0])];
    }
    if (r % 5 == 1) {
        return tl_wrap32(next() % 200000u) - 100000;
    }
    return tl_wrap32(next());
}

static int32_t pick_multiplier(void)
{
    static const int32_t edges[] = {0, 1, 1 << 30, (1 << 30) + 1, TL_INT32_MAX};
    return next() % 4 == 0 ? edges[next() % 5] : (int32_t)(next() & 0x7FFFFFFFu);
}

__attribute__((export_name("check"))) uint32_t check(uint32_t groups, uint32_t seed)
{
    int32_t rq[128];
    tl_quant_params q;
    int32_t mult[8], shift[8], x[8];
    int8_t got[16];
    uint32_t g, c, bad = 0;
    state = seed | 1u;
    tl_fill(&q, 0, sizeof q);
    q.output_multiplier = mult;
    q.output_shift = shift;
    for (g = 0; g < groups; g++) {
        const int right_only = next() % 2 == 0;
        const int32_t zp = (int32_t)(next() % 256u) - 128;
        int32_t lo = (int32_t)(next() % 256u) - 128, hi = (int32_t)(next() % 256u) - 128;
        if (lo > hi) {
            const int32_t t = lo;
            lo = hi;
            hi = t;
        }
        for (c = 0; c < 8; c++) {
            mult[c] = pick_multiplier();
            shift[c] = right_only ? -(int32_t)(next() % 32u) : (int32_t)(next() % 63u) - 31;
            x[c] = pick_x();
        }
        tlw_rq_init(rq, &q, 8);
        wasm_v128_store(got, tlw_requant8(wasm_v128_load(x), wasm_v128_load(x + 4), rq, 8, 0, tlw_rq_left(rq, 8),
                                          wasm_i16x8_splat((int16_t)zp), wasm_i8x16_splat((int8_t)lo),
                                          wasm_i8x16_splat((int8_t)hi)));
        for (c = 0; c < 8; c++) {
            const int64_t v = (int64_t)tl_mbqm(x[c], mult[c], shift[c]) + zp;
            bad += got[c] != (int8_t)(v < lo ? lo : (v > hi ? hi : v));
        }
    }
    return bad;
}
