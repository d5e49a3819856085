/* Checks the SIMD128 requantization of kernels/wasm_simd/wasm_simd.h against the scalar tl_mbqm of
 * tl_fixedpoint.h (the reference's arithmetic): built to wasm32 with -msimd128 and run under wasmtime by
 * test_wasm_build.py. check(n, seed) returns the number of mismatching lanes over n random groups of four
 * channels plus the extremes (x = INT32_MIN / INT32_MAX / 0 / +-1, multipliers 0 .. 2^31 - 1, shifts -31 .. 31). */
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
        return tl_wrap32(next() % 2000u) - 1000;
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
    int32_t rq[64];
    tl_quant_params q;
    int32_t mult[4], shift[4], x[4], got[4];
    uint32_t g, c, bad = 0;
    state = seed | 1u;
    tl_fill(&q, 0, sizeof q);
    q.output_multiplier = mult;
    q.output_shift = shift;
    for (g = 0; g < groups; g++) {
        v128_t r;
        for (c = 0; c < 4; c++) {
            mult[c] = pick_multiplier();
            shift[c] = (int32_t)(next() % 63u) - 31;
            x[c] = pick_x();
        }
        tlw_rq_init(rq, &q, 4);
        r = tlw_requant4(wasm_v128_load(x), rq, 4, 0, wasm_i32x4_splat(0), wasm_i32x4_splat(TL_INT32_MIN),
                         wasm_i32x4_splat(TL_INT32_MAX));
        wasm_v128_store(got, r);
        for (c = 0; c < 4; c++) {
            bad += got[c] != tl_mbqm(x[c], mult[c], shift[c]);
        }
        /* the uniform-parameter pair used by ADD: srdhm then rdbpot with one multiplier and exponent */
        {
            const int e = (int)(next() % 32u);
            wasm_v128_store(got, tlw_rdbpot4(tlw_srdhm4(wasm_v128_load(x), mult[0]), e));
            for (c = 0; c < 4; c++) {
                bad += got[c] != tl_rdbpot(tl_srdhm(x[c], mult[0]), e);
            }
        }
    }
    return bad;
}
